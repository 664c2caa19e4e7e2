import EgretIR
import Foundation
import Testing
@testable import EgretCodegen

/// CLIF text through the whole backend into the JIT, on both conventions.
struct CompiledModuleTests {
    static let source = """
        function %add(i32, i32) -> i32 {
        block0(v0: i32, v1: i32):
            v2 = iadd v0, v1
            return v2
        }

        function %div(i64, i64) -> i64 {
        block0(v0: i64, v1: i64):
            v2 = udiv v0, v1
            return v2
        }

        function %twice(i32) -> i32 {
            fn0 = %add(i32, i32) -> i32
        block0(v0: i32):
            v1 = call fn0(v0, v0)
            return v1
        }

        function %many(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> i64 {
        block0(v0: i64, v1: i64, v2: i64, v3: i64, v4: i64, v5: i64, v6: i64, v7: i64, v8: i64, v9: i64, v10: i64, v11: i64):
            v12 = isub v0, v11
            v13 = imul v12, v10
            v14 = iadd v13, v5
            v15 = isub v14, v6
            return v15
        }
        """

    static let overrides: [[CallConv: CallConv]] = [[:], [.systemV: .windowsFastcall]]

    func compiled(_ overrides: [CallConv: CallConv]) throws -> CompiledModule {
        let module = try CLIFParser.parse(Self.source, fileName: "t.clif")
        var options = Compiler.Options()
        options.callConvOverrides = overrides
        options.checkAllocation = true
        return try CompiledModule(module, options: options)
    }

    @Test(arguments: overrides)
    func callsReturnTheRightValues(overrides: [CallConv: CallConv]) throws {
        let module = try compiled(overrides)
        #expect(try module.call(functionIndex: 0, arguments: [.int(2, .i32), .int(40, .i32)])
                == .returned([.int(42, .i32)]))
        #expect(try module.call(functionIndex: 2, arguments: [.int(21, .i32)]) == .returned([.int(42, .i32)]))
        let twelve = (0 ..< 12).map { DataValue.int(Int64($0 + 1), .i64) }
        // (1 - 12) * 11 + 6 - 7
        #expect(try module.call(functionIndex: 3, arguments: twelve) == .returned([.int(-122, .i64)]))
    }

    @Test(arguments: overrides)
    func divisionByZeroTraps(overrides: [CallConv: CallConv]) throws {
        let module = try compiled(overrides)
        #expect(try module.call(functionIndex: 1, arguments: [.int(7, .i64), .int(0, .i64)])
                == .trapped(.integerDivisionByZero))
        #expect(try module.call(functionIndex: 1, arguments: [.int(7, .i64), .int(2, .i64)])
                == .returned([.int(3, .i64)]))
    }

    /// A call to a wild address faults outside all compiled code: the fault is the
    /// call's result, it names the call that jumped there, and it taints the process.
    @Test func aCallToAWildAddressIsAResultThatTaintsTheProcess() throws {
        let source = """
            function %wild(i64) -> i64 system_v {
                sig0 = (i64) -> i64 system_v
            block0(v0: i64):
                v1 = call_indirect sig0, v0(v0)
                return v1
            }
            """
        let module = try CompiledModule(try CLIFParser.parse(source, fileName: "t.clif"), options: Compiler.Options())
        do {
            let outcome = try module.call(functionIndex: 0, arguments: [.int(0x1234, .i64)])
            Issue.record("a call to 0x1234 returned \(outcome)")
        } catch JITError.faultOutsideModule(let fault) {
            #expect(fault.signal == SIGSEGV)
            #expect(fault.pc == 0x1234)
            #expect(fault.outsideCompiledCode)
            #expect(fault.calledFrom.map { "\($0.function)" } == "%wild")
            #expect("\(fault)".contains("outside compiled code, return address %wild+0x"))
        }
        #expect(JITModule.processTainted)
    }
}
