import EgretIR
import Testing
@testable import EgretInterpreter

/// Direct, indirect and tail calls; the stack budget.
struct CallTests {
    static let program = """
        function %fib(i64) -> i64 {
            fn0 = %fib(i64) -> i64
        block0(v0: i64):
            v1 = iconst.i64 2
            v2 = icmp ult v0, v1
            brif v2, block1, block2
        block1:
            return v0
        block2:
            v3 = iconst.i64 1
            v4 = isub v0, v3
            v5 = call fn0(v4)
            v6 = isub v4, v3
            v7 = call fn0(v6)
            v8 = iadd v5, v7
            return v8
        }
        function %forever(i64) -> i64 {
            fn0 = %forever(i64) -> i64
        block0(v0: i64):
            v1 = call fn0(v0)
            return v1
        }
        function %tail_sum(i64, i64) -> i64 tail {
            fn0 = %tail_sum(i64, i64) -> i64 tail
        block0(v0: i64, v1: i64):
            brif v0, block1, block2
        block1:
            v2 = iadd v1, v0
            v3 = iconst.i64 1
            v4 = isub v0, v3
            return_call fn0(v4, v2)
        block2:
            return v1
        }
        function %pick(i64) -> i64 {
            sig0 = (i64) -> i64
            fn0 = %fib(i64) -> i64
            fn1 = %double(i64) -> i64
        block0(v0: i64):
            v1 = func_addr.i64 fn0
            v2 = func_addr.i64 fn1
            v3 = call_indirect sig0, v1(v0)
            v4 = call_indirect sig0, v2(v3)
            return_call_indirect sig0, v2(v4)
        }
        function %double(i64) -> i64 {
        block0(v0: i64):
            v1 = iadd v0, v0
            return v1
        }
        function %wild(i64) -> i64 {
            sig0 = (i64) -> i64
        block0(v0: i64):
            v1 = call_indirect sig0, v0(v0)
            return v1
        }
        function %mismatch() -> i64 {
            sig0 = (i64, i64) -> i64
            fn0 = %double(i64) -> i64
        block0:
            v0 = func_addr.i64 fn0
            v1 = iconst.i64 1
            v2 = call_indirect sig0, v0(v1, v1)
            return v2
        }
        """

    static func index(_ name: String, _ module: Module) -> Int { CLIF.index(of: name, in: module) }

    @Test func recursiveCalls() throws {
        let module = try CLIF.module(Self.program)
        var interpreter = try Interpreter(module: module)
        #expect(try interpreter.call(functionIndex: Self.index("fib", module), arguments: [.int(20, .i64)])
                == .values([.int(6765, .i64)]))
    }

    @Test func theStackBudgetLimitsRecursionWithAStackOverflowTrap() throws {
        let module = try CLIF.module(Self.program)
        var interpreter = try Interpreter(module: module)
        // A frame without stack slots costs `frameOverhead` bytes.
        interpreter.stackBudget = 500 * Interpreter.frameOverhead
        #expect(try interpreter.call(functionIndex: Self.index("forever", module), arguments: [.int(1, .i64)])
                == .trap(.stackOverflow))
        // fib(n) is n frames deep (fib(1) included).
        interpreter.stackBudget = 20 * Interpreter.frameOverhead
        #expect(try interpreter.call(functionIndex: Self.index("fib", module), arguments: [.int(20, .i64)])
                == .values([.int(6765, .i64)]))
        #expect(try interpreter.call(functionIndex: Self.index("fib", module), arguments: [.int(21, .i64)])
                == .trap(.stackOverflow))
        // The budget is back in full after a trap: the next call gets all of it.
        #expect(try interpreter.call(functionIndex: Self.index("fib", module), arguments: [.int(20, .i64)])
                == .values([.int(6765, .i64)]))
    }

    @Test func stackSlotsCountAgainstTheBudget() throws {
        let module = try CLIF.module("""
            function %deep(i64) -> i64 {
                ss0 = explicit_slot 1000
                fn0 = %deep(i64) -> i64
            block0(v0: i64):
                brif v0, block1, block2
            block1:
                v1 = iconst.i64 1
                v2 = isub v0, v1
                v3 = call fn0(v2)
                return v3
            block2:
                return v0
            }
            """)
        var interpreter = try Interpreter(module: module)
        // Each frame: 1008 bytes of slot (rounded to 16) plus the overhead.
        let frame = 1008 + Interpreter.frameOverhead
        interpreter.stackBudget = 10 * frame
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(9, .i64)]) == .values([.int(0, .i64)]))
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(10, .i64)]) == .trap(.stackOverflow))
    }

    /// Unbounded recursion under the default budget, `StackBudget.bytes`: the
    /// interpreter keeps its frames off the host stack, so it reaches the budget (over
    /// a hundred thousand frames deep) and traps rather than crashing the host.
    @Test func theDefaultBudgetIsReachedWithoutExhaustingTheHost() throws {
        let module = try CLIF.module(Self.program)
        var interpreter = try Interpreter(module: module)
        #expect(interpreter.stackBudget == StackBudget.bytes)
        #expect(try interpreter.call(functionIndex: Self.index("forever", module), arguments: [.int(1, .i64)])
                == .trap(.stackOverflow))
    }

    @Test func tailCallsRunInConstantSpace() throws {
        let module = try CLIF.module(Self.program)
        var interpreter = try Interpreter(module: module)
        interpreter.stackBudget = 2 * Interpreter.frameOverhead
        #expect(try interpreter.call(functionIndex: Self.index("tail_sum", module), arguments: [.int(200_000, .i64), .int(0, .i64)])
                == .values([.int(20_000_100_000, .i64)]))
    }

    @Test func indirectCallsThroughFunctionAddresses() throws {
        let module = try CLIF.module(Self.program)
        var interpreter = try Interpreter(module: module)
        // double(double(fib(10))) = 220.
        #expect(try interpreter.call(functionIndex: Self.index("pick", module), arguments: [.int(10, .i64)])
                == .values([.int(220, .i64)]))
    }

    @Test func callingSomethingThatIsNotAFunctionFaults() throws {
        let module = try CLIF.module(Self.program)
        var interpreter = try Interpreter(module: module)
        let wild = Self.index("wild", module)
        for address: UInt64 in [0, AddressMap.functionBase + 1, AddressMap.functionAddress(1000), AddressMap.heapBase] {
            #expect(try interpreter.call(functionIndex: wild, arguments: [DataValue(type: .i64, low: address)])
                    == .trap(.heapOutOfBounds))
        }
    }

    @Test func anIndirectCallWithTheWrongSignatureIsInvalid() throws {
        let module = try CLIF.module(Self.program)
        var interpreter = try Interpreter(module: module)
        #expect {
            try interpreter.call(functionIndex: Self.index("mismatch", module), arguments: [])
        } throws: { error in
            guard case InterpreterError.invalidProgram = error else { return false }
            return true
        }
    }

    /// A libcall's address can be taken and called like a function's.
    @Test func indirectCallsToLibcalls() throws {
        let text = """
            function %f(f64) -> f64 {
                fn0 = %FloorF64(f64) -> f64
                sig0 = (f64) -> f64
            block0(v0: f64):
                v1 = func_addr.i64 fn0
                v2 = call_indirect sig0, v1(v0)
                return v2
            }
            """
        #expect(try CLIF.run(text, nil, [.f64(-2.5)]) == .values([.f64(-3)]))
    }

    @Test func stackSlotsArePerFrame() throws {
        let text = """
            function %outer(i64) -> i64 {
                ss0 = explicit_slot 8
                fn0 = %inner(i64) -> i64
            block0(v0: i64):
                v1 = stack_addr.i64 ss0
                store v0, v1
                v2 = call fn0(v1)
                v3 = load.i64 v1
                v4 = iadd v2, v3
                return v4
            }
            function %inner(i64) -> i64 {
                ss0 = explicit_slot 8
            block0(v0: i64):
                v1 = load.i64 v0
                v2 = iconst.i64 1000
                v3 = iadd v1, v2
                store v3, v0
                v4 = stack_addr.i64 ss0
                store v2, v4
                v5 = load.i64 v4
                return v5
            }
            """
        // inner writes 5 + 1000 through the caller's pointer and returns its own 1000.
        #expect(try CLIF.run(text, "outer", [.int(5, .i64)]) == .values([.int(2005, .i64)]))
    }

    @Test func copiesOfAnInterpreterAreIndependent() throws {
        let module = try CLIF.module(MemoryTests.heapProgram)
        var first = try Interpreter(module: module)
        first.heap = [0, 0, 0, 0, 0, 0, 0, 0]
        var second = first
        _ = try first.call(functionIndex: 1, arguments: [first.heapPointer(), .int(-1, .i32)])
        #expect(first.heap == [255, 255, 255, 255, 255, 255, 255, 255])
        #expect(second.heap == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try second.call(functionIndex: 0, arguments: [second.heapPointer(), second.heapPointer(offset: 8)])
                == .values([.int(0, .i64)]))
    }
}
