import Testing
import EgretIR
@testable import EgretCodegen

/// Entry, return, calls and tail calls: values move to and from the places the
/// calling-convention data names, as fixed uses/defs of the call and ret forms.
struct LowerCallTests {
    static func name(_ preg: PReg) -> String { X64Registers.name(preg, size: .size64) }
    static func uses(_ uses: [FixedUse]) -> [String] { uses.map { "\($0.reg)@\(name($0.preg))" } }
    static func defs(_ defs: [FixedDef]) -> [String] { defs.map { "\($0.reg.reg)@\(name($0.preg))" } }

    static func callInfos(_ lowered: LoweredFunction) -> [CallInfo] {
        lowered.vcode.insts.compactMap { inst in
            switch inst {
            case .callKnown(_, let info), .callUnknown(_, let info): return info
            default: return nil
            }
        }
    }

    @Test func argumentsAreExtendedWhenTheSignatureSaysSo() throws {
        let text = LowerTest.function("(i32, i8) -> i64", """
                fn0 = %callee(i32, i8 uext, i64) -> i64 sext, i16
            block0(v0: i32, v1: i8):
                v2 = sextend.i64 v0
                v3, v4 = call fn0(v0, v1, v2)
                return v3
            """)
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.insts.map(\.description) == ["movslq %v1, %v4", "movzbq %v2, %v3", "callq callee", "retq"])
        let info = try #require(Self.callInfos(lowered).first)
        #expect(Self.uses(info.uses) == ["%v1@rdi", "%v3@rsi", "%v4@rdx"])
        #expect(Self.defs(info.defs) == ["%v0@rax", "%v5@rdx"])
        // The System V caller-saved set minus the two result registers.
        #expect(info.clobbers.count == 23 && !info.clobbers.contains(.rax) && info.clobbers.contains(.r11))
        #expect(Self.uses(Self.returnUses(lowered)) == ["%v0@rax"])
        #expect(Self.defs(lowered.vcode.entryArguments) == ["%v1@rdi", "%v2@rsi"])
        #expect(lowered.frame.makesCalls)
        #expect(lowered.frame.calleeSavedClobberedByCalls.isEmpty)
    }

    static func returnUses(_ lowered: LoweredFunction) -> [FixedUse] {
        for inst in lowered.vcode.insts { if case .ret(let uses, _) = inst { return uses } }
        return []
    }

    /// A windows_fastcall function calling a system_v one with a stack argument and a
    /// result in the return area.
    @Test func callsAcrossConventions() throws {
        let text = LowerTest.function("(i64, i8) -> i64 windows_fastcall", """
                sig0 = (i64, i8 sext, i64, i64, i64, i64) -> i64, i32, i64 system_v
                fn0 = %callee sig0
            block0(v0: i64, v1: i8):
                v2, v3, v4 = call fn0(v0, v1, v0, v0, v0, v0)
                return v4
            """)
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.insts.map(\.description) == [
            "movsbq %v2, %v3", "movq %v1, outargs", "leaq outargs+16, %v4", "callq callee", "movq outargs+16, %v0",
            "retq",
        ])
        let info = try #require(Self.callInfos(lowered).first)
        // rdi holds the return-area pointer, so the arguments start at rsi.
        #expect(Self.uses(info.uses) == ["%v1@rsi", "%v3@rdx", "%v1@rcx", "%v1@r8", "%v1@r9", "%v4@rdi"])
        #expect(Self.defs(lowered.vcode.entryArguments) == ["%v1@rcx", "%v2@rdx"])
        #expect(lowered.frame.outgoingArgumentsSize == 32)
        #expect(lowered.frame.incomingArgumentsSize == 32)
        #expect(lowered.frame.convention == .windowsFastcall)
        // The system_v callee may destroy what our windows_fastcall caller expects kept.
        #expect(Set(lowered.frame.calleeSavedClobberedByCalls)
                == Set([.rsi, .rdi] + (6 ... 15).map { PReg(.float, UInt8($0)) }))
    }

    @Test func windowsStackArgumentsFollowTheShadowSpace() throws {
        let text = LowerTest.function("(i64, i64, i64, i64, i64, i64) -> i64 windows_fastcall", """
                fn0 = colocated %callee(i64, i64, i64, i64, i64, i64) -> i64 windows_fastcall
            block0(v0: i64, v1: i64, v2: i64, v3: i64, v4: i64, v5: i64):
                v6 = call fn0(v5, v4, v3, v2, v1, v0)
                return v6
            """)
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.insts.map(\.description) == [
            "movq inargs+32, %v2", "movq inargs+40, %v1", "movq %v5, outargs+32", "movq %v6, outargs+40",
            "callq callee", "retq",
        ])
        #expect(lowered.frame.outgoingArgumentsSize == 48)
        #expect(lowered.frame.incomingArgumentsSize == 48)
    }

    @Test func returnValuesAreExtendedAndOverflowIntoTheReturnArea() throws {
        let text = LowerTest.function("(i32) -> i8 sext, i16 uext, i64", """
            block0(v0: i32):
                v1 = ireduce.i8 v0
                v2 = ireduce.i16 v0
                v3 = uextend.i64 v0
                return v1, v2, v3
            """)
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.insts.map(\.description) == [
            "movq %v6, %v0", "movq %v6, %v2", "movl %v6, %v4", "movsbq %v0, %v1", "movzwq %v2, %v3",
            "movq %v4, (%v5)", "retq",
        ])
        #expect(Self.uses(Self.returnUses(lowered)) == ["%v1@rax", "%v3@rdx"])
        // The hidden return-area pointer arrives in rdi, the parameter in rsi.
        #expect(Self.defs(lowered.vcode.entryArguments) == ["%v6@rsi", "%v5@rdi"])
    }

    @Test func overridesChangeTheConvention() throws {
        let text = LowerTest.function("(i64, i64) -> i64", """
            block0(v0: i64, v1: i64):
                v2 = iadd v0, v1
                return v2
            """)
        let lowered = try LowerTest.lower(text, options: LoweringOptions(callConvOverrides: [.systemV: .windowsFastcall]))
        #expect(Self.defs(lowered.vcode.entryArguments) == ["%v1@rcx", "%v2@rdx"])
        #expect(lowered.frame.convention == .windowsFastcall)
    }

    @Test func indirectCallsAndFunctionAddresses() throws {
        let text = LowerTest.function("(i64) -> i64", """
                sig0 = (i64) -> i64
                fn0 = %target sig0
            block0(v0: i64):
                v1 = func_addr.i64 fn0
                v2 = call_indirect sig0, v1(v0)
                return v2
            """)
        #expect(try LowerTest.lines(text) == ["movabsq $target, %v2", "callq *%v2", "retq"])
    }

    // MARK: The tail convention

    @Test func aTailCallHandsItsStackArgumentsToTheEmission() throws {
        let text = LowerTest.function("(i64) -> i64 tail", """
                fn0 = %other(i64, i64, i64, i64, i64, i64, i64, i64) -> i64 tail
            block0(v0: i64):
                return_call fn0(v0, v0, v0, v0, v0, v0, v0, v0)
            """)
        let lowered = try LowerTest.lower(text)
        #expect(lowered.vcode.insts.map(\.description) == ["movq %v0, outargs", "movq %v0, outargs+8", "jmp other"])
        guard case .returnCallKnown(_, let info) = lowered.vcode.insts[2] else {
            Issue.record("expected returnCallKnown")
            return
        }
        #expect(Self.uses(info.uses) == ["%v0@rdi", "%v0@rsi", "%v0@rdx", "%v0@rcx", "%v0@r8", "%v0@r9"])
        #expect(info.stackArgumentsSize == 16)
        #expect(lowered.frame.makesTailCalls && lowered.frame.outgoingArgumentsSize == 16)
    }

    @Test func anIndirectTailCallForwardsTheReturnArea() throws {
        let text = LowerTest.function("(i64, i64) -> i64, i64, i64, i64, i64, i64, i64, i64, i64 tail", """
                sig0 = (i64) -> i64, i64, i64, i64, i64, i64, i64, i64, i64 tail
            block0(v0: i64, v1: i64):
                return_call_indirect sig0, v1(v0)
            """)
        let lowered = try LowerTest.lower(text)
        guard case .returnCallUnknown(let target, let info) = lowered.vcode.insts.last else {
            Issue.record("expected returnCallUnknown")
            return
        }
        // Nine results: the ninth goes through the return area our caller gave us.
        #expect(Self.uses(info.uses) == ["%v0@rsi", "%v1@rdi"])
        #expect(Self.defs(lowered.vcode.entryArguments) == ["%v0@rsi", "%v2@rdx", "%v1@rdi"])
        #expect(target.description == "%v2")
    }

    @Test func tailFunctionsPopTheirStackArguments() throws {
        let callee = LowerTest.function("(i64, i64, i64, i64, i64, i64, i64) -> i64 tail", """
            block0(v0: i64, v1: i64, v2: i64, v3: i64, v4: i64, v5: i64, v6: i64):
                return v6
            """)
        let lowered = try LowerTest.lower(callee)
        #expect(lowered.vcode.insts.map(\.description) == ["movq inargs, %v0", "retq $16"])
        #expect(lowered.frame.calleePopSize == 16)

        let caller = LowerTest.function("(i64) -> i64", """
                fn0 = %t(i64, i64, i64, i64, i64, i64, i64) -> i64 tail
            block0(v0: i64):
                v1 = call fn0(v0, v0, v0, v0, v0, v0, v0)
                return v1
            """)
        // The callee popped 16 bytes: the call form gives them back.
        #expect(try LowerTest.lines(caller) == ["movq %v1, outargs", "callq t; subq $16, %rsp", "retq"])
    }

    @Test func tailCallsNeedTheTailConvention() throws {
        let text = LowerTest.function("(i64) -> i64", """
                fn0 = %g(i64) -> i64
            block0(v0: i64):
                return_call fn0(v0)
            """)
        #expect(throws: CodegenError.unsupported(
            "return_call from a system_v function to a system_v one (only tail supports tail calls)")) {
            try LowerTest.lower(text)
        }
    }
}
