import EgretIR
import Testing
@testable import EgretInterpreter

/// Branches with block arguments, br_table, and fuel.
struct ControlFlowTests {
    /// Block arguments are assigned in parallel: passing a block's parameters back to it
    /// in another order permutes them.
    @Test func blockArgumentsMoveInParallel() throws {
        let text = """
            function %rotate(i32, i32, i32, i32) -> i32, i32, i32 {
            block0(v0: i32, v1: i32, v2: i32, v3: i32):
                jump block1(v0, v1, v2, v3)
            block1(v4: i32, v5: i32, v6: i32, v7: i32):
                v8 = iconst.i32 1
                v9 = isub v7, v8
                brif v9, block1(v5, v6, v4, v9), block2(v4, v5, v6)
            block2(v10: i32, v11: i32, v12: i32):
                return v10, v11, v12
            }
            """
        // n passes through block1 rotate (1, 2, 3) n - 1 times.
        #expect(try CLIF.run(text, nil, [.int(1, .i32), .int(2, .i32), .int(3, .i32), .int(4, .i32)])
                == .values([.int(1, .i32), .int(2, .i32), .int(3, .i32)]))
        #expect(try CLIF.run(text, nil, [.int(1, .i32), .int(2, .i32), .int(3, .i32), .int(2, .i32)])
                == .values([.int(2, .i32), .int(3, .i32), .int(1, .i32)]))
    }

    @Test func branchTableUsesTheDefaultOutOfRange() throws {
        let text = """
            function %f(i32) -> i64 {
            block0(v0: i32):
                v1 = iconst.i64 7
                br_table v0, block9(v1), [block1, block2(v1), block1]
            block1:
                v2 = iconst.i64 100
                return v2
            block2(v3: i64):
                return v3
            block9(v4: i64):
                v5 = ineg v4
                return v5
            }
            """
        var interpreter = try CLIF.interpreter(text)
        let expected: [(Int64, Int64)] = [(0, 100), (1, 7), (2, 100), (3, -7), (-1, -7), (1 << 31, -7)]
        for (index, result) in expected {
            #expect(try interpreter.call(functionIndex: 0, arguments: [.int(index, .i32)]) == .values([.int(result, .i64)]))
        }
    }

    @Test(arguments: [IRType.i8, .i64, .i128])
    func brifTestsTheWholeCondition(type: IRType) throws {
        let text = """
            function %f(\(type)) -> i8 {
            block0(v0: \(type)):
                brif v0, block1, block2
            block1:
                v1 = iconst.i8 1
                return v1
            block2:
                v2 = iconst.i8 2
                return v2
            }
            """
        let top = IntegerSemanticsTests.value(1 << UInt128(type.bits - 1), type)
        #expect(try CLIF.run(text, nil, [top]) == .values([.int(1, .i8)]))
        #expect(try CLIF.run(text, nil, [.int(0, type)]) == .values([.int(2, .i8)]))
    }

    static let countdown = """
        function %count(i64) -> i64 {
        block0(v0: i64):
            v1 = iconst.i64 1
            jump block1(v0)
        block1(v2: i64):
            v3 = isub v2, v1
            brif v3, block1(v3), block2
        block2:
            return v3
        }
        """

    @Test func fuelStopsEndlessLoops() throws {
        let text = """
            function %spin() {
            block0:
                jump block0
            }
            """
        var interpreter = try CLIF.interpreter(text)
        interpreter.fuel = 1000
        #expect(throws: InterpreterError.outOfFuel(steps: 1000)) {
            try interpreter.call(functionIndex: 0, arguments: [])
        }
    }

    /// Each block entered costs its instruction count: 2 for the entry block, 2 per
    /// iteration, 1 for the exit.
    @Test func fuelCountsInstructions() throws {
        var interpreter = try CLIF.interpreter(Self.countdown)
        interpreter.fuel = 2 + 2 * 10 + 1
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(10, .i64)]) == .values([.int(0, .i64)]))
        interpreter.fuel -= 1
        #expect(throws: InterpreterError.self) { try interpreter.call(functionIndex: 0, arguments: [.int(10, .i64)]) }
        // The budget is per call: the next call starts afresh.
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(3, .i64)]) == .values([.int(0, .i64)]))
    }

    @Test func aLongLoopRuns() throws {
        var interpreter = try CLIF.interpreter(Self.countdown)
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(1_000_000, .i64)]) == .values([.int(0, .i64)]))
    }
}
