import EgretIR
import EgretRuntime
import Foundation
import Testing
@testable import EgretCodegen

/// Hardware traps in JIT code: a fault at an instruction with a trap record is a
/// result carrying its code; a fault anywhere else is a thrown bug report with the
/// signal, PC and function offset; a stack overflow is `stk_ovf`.
struct JITTrapTests {
    /// Every trapping program of the suite with its trampolines.
    static func trappingFixture() throws -> JITFixture {
        try JITFixture([
            ("sdiv", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.sdiv)),
            ("user7", [], [], JITPrograms.assemble(JITPrograms.trap(try #require(TrapCode.user(7))))),
            ("checkNonZero", [.i64], [.i64], JITPrograms.assemble(JITPrograms.trapIfZero(try #require(TrapCode.user(3))))),
            ("heapLoad", [.i64], [.i64], JITPrograms.assemble(JITPrograms.loadThrough(trap: .heapOutOfBounds))),
            ("uncheckedLoad", [.i64], [.i64], JITPrograms.assemble(JITPrograms.loadThrough(trap: nil))),
            try JITFixture.trampoline("t2", [.i64, .i64], [.i64]),
            try JITFixture.trampoline("t1", [.i64], [.i64]),
            try JITFixture.trampoline("t0", [], []),
        ])
    }

    @Test func divisionByZeroTrapsWithIntDivz() throws {
        let fixture = try Self.trappingFixture()
        #expect(try fixture.call("sdiv", through: "t2", [i64(7), i64(0)]) == .trapped(.integerDivisionByZero))
        #expect(try fixture.call("sdiv", through: "t2", [i64(7), i64(2)]) == .returned([i64(3)]))
    }

    @Test func ud2TrapsWithItsUserCode() throws {
        let fixture = try Self.trappingFixture()
        #expect(try fixture.call("user7", through: "t0", []) == .trapped(try #require(TrapCode.user(7))))
    }

    @Test func aConditionalTrapTrapsOnlyWhenItsConditionHolds() throws {
        let fixture = try Self.trappingFixture()
        #expect(try fixture.call("checkNonZero", through: "t1", [i64(0)]) == .trapped(try #require(TrapCode.user(3))))
        #expect(try fixture.call("checkNonZero", through: "t1", [i64(9)]) == .returned([i64(9)]))
    }

    @Test func aNullLoadWithATrapCodeTrapsWithIt() throws {
        let fixture = try Self.trappingFixture()
        #expect(try fixture.call("heapLoad", through: "t1", [i64(0)]) == .trapped(.heapOutOfBounds))
        var cell: UInt64 = 0x1234_5678_9ABC_DEF0
        let address = withUnsafeMutablePointer(to: &cell) { Int64(Int(bitPattern: $0)) }
        #expect(try fixture.call("heapLoad", through: "t1", [i64(address)]) == .returned([i64(0x1234_5678_9ABC_DEF0)]))
    }

    @Test func aFaultWithoutATrapRecordIsReportedAsABug() throws {
        let fixture = try Self.trappingFixture()
        let function = try #require(fixture.module.function(named: symbol("uncheckedLoad")))
        let entry = UInt(bitPattern: try fixture.module.address(of: function))
        do {
            _ = try fixture.call("uncheckedLoad", through: "t1", [i64(0)])
            Issue.record("a load from 0 without a trap record must not return")
        } catch let JITError.faultWithoutTrapRecord(fault) {
            #expect(fault.signal == SIGSEGV && fault.pc == entry && fault.faultAddress == 0)
            #expect(fault.location == JITCodeLocation(function: symbol("uncheckedLoad"), offset: 0))
            #expect(!fault.outsideCompiledCode)
        }
    }

    @Test func aDivideWhoseTrapRecordIsMissingIsABugNotATrap() throws {
        var code = try JITPrograms.assemble(JITPrograms.sdiv)
        code.traps = []
        let fixture = try JITFixture([("sdiv", [.i64, .i64], [.i64], code),
                                      try JITFixture.trampoline("t", [.i64, .i64], [.i64])])
        do {
            _ = try fixture.call("sdiv", through: "t", [i64(1), i64(0)])
            Issue.record("a divide without a trap record must not return")
        } catch let JITError.faultWithoutTrapRecord(fault) {
            #expect(fault.signal == SIGFPE)
            #expect(fault.location == JITCodeLocation(function: symbol("sdiv"), offset: 5))
            #expect("\(JITError.faultWithoutTrapRecord(fault))".contains("%sdiv+0x5"))
        }
    }

    @Test func thousandsOfTrapsAndReturnsInOneProcessAreEachRight() throws {
        let fixture = try Self.trappingFixture()
        let user7 = try #require(TrapCode.user(7)), user3 = try #require(TrapCode.user(3))
        var cell: UInt64 = 77
        let address = withUnsafeMutablePointer(to: &cell) { Int64(Int(bitPattern: $0)) }
        let cases: [(String, String, [DataValue], CallResult)] = [
            ("sdiv", "t2", [i64(100), i64(0)], .trapped(.integerDivisionByZero)),
            ("sdiv", "t2", [i64(100), i64(-7)], .returned([i64(-14)])),
            ("user7", "t0", [], .trapped(user7)),
            ("checkNonZero", "t1", [i64(0)], .trapped(user3)),
            ("checkNonZero", "t1", [i64(-1)], .returned([i64(-1)])),
            ("heapLoad", "t1", [i64(0)], .trapped(.heapOutOfBounds)),
            ("heapLoad", "t1", [i64(address)], .returned([i64(77)])),
        ]
        var wrong = 0
        for round in 0 ..< 7000 {
            let (function, trampoline, arguments, expected) = cases[round % cases.count]
            if try fixture.call(function, through: trampoline, arguments) != expected { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    @Test func trapsOnSeveralThreadsAtOnceStayApart() async throws {
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0 ..< 4 {
                group.addTask {
                    // One module per task: a module is not shared between threads.
                    let fixture = try Self.trappingFixture()
                    var right = 0
                    for round in 0 ..< 500 {
                        let divisor = Int64(round % 2)
                        let result = try fixture.call("sdiv", through: "t2", [i64(9), i64(divisor)])
                        if result == (divisor == 0 ? .trapped(.integerDivisionByZero) : .returned([i64(9)])) { right += 1 }
                    }
                    return right
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results == [500, 500, 500, 500])
    }

    // MARK: Stack overflow

    @Test func runawayRecursionIsAStackOverflowTrap() throws {
        let fixture = try JITFixture([
            ("recurse", [], [], JITPrograms.assemble(JITPrograms.recurseForever(symbol("recurse")))),
            try JITFixture.trampoline("t0", [], []),
        ])
        #expect(try fixture.call("recurse", through: "t0", []) == .trapped(.stackOverflow))
        // And again: the thread's stack and alternate signal stack are still usable.
        #expect(try fixture.call("recurse", through: "t0", []) == .trapped(.stackOverflow))
    }

    @Test func theGuardWindowLiesJustBelowTheStack() throws {
        let stack = try #require(ThreadStackBounds.current())
        var local = 0
        let here = withUnsafeMutablePointer(to: &local) { UInt(bitPattern: $0) }
        #expect(stack.low < here && here < stack.high)
        #expect(stack.isGuardFault(stack.low - 8))
        #expect(stack.isGuardFault(stack.low - 4096))
        #expect(!stack.isGuardFault(stack.low))
        #expect(!stack.isGuardFault(here))
        #expect(!stack.isGuardFault(stack.low - 64 << 20))
        #expect(!stack.isGuardFault(0))
    }

    // MARK: Lookup

    @Test func lookupFindsTheFunctionAndTheRecordAtExactlyThePC() throws {
        let fixture = try Self.trappingFixture()
        let sdiv = try #require(fixture.module.function(named: symbol("sdiv")))
        let entry = UInt(bitPattern: try fixture.module.address(of: sdiv))
        #expect(fixture.module.location(of: entry + 5) == JITCodeLocation(function: symbol("sdiv"), offset: 5))
        #expect(fixture.module.trapCode(at: entry + 5) == .integerDivisionByZero)
        #expect(fixture.module.trapCode(at: entry + 4) == nil)               // inside cqto, not a record
        #expect(fixture.module.trapCode(at: entry + 6) == nil)               // inside the idiv
        #expect(fixture.module.location(of: entry - 1) == nil)               // padding before
    }

    @Test func aFaultOutsideTheModuleIsNotItsTrap() throws {
        let fixture = try Self.trappingFixture()
        let elsewhere = JITFault(signal: SIGILL, pc: 0x1000, faultAddress: 0)
        #expect(throws: JITError.faultOutsideModule(elsewhere)) {
            try fixture.module.trapCode(for: elsewhere, stack: nil)
        }
    }

    @Test func aTrapInAnotherModulesCodeIsReportedAsOutsideThisOne() throws {
        // Module B's ud2 has a record in B, but the call is made through module A,
        // whose tables do not know B's code.
        let callee = try JITFixture([("user7", [], [], JITPrograms.assemble(JITPrograms.trap(try #require(TrapCode.user(7)))))])
        let calleeAddress = try callee.module.address(of: try #require(callee.module.function(named: symbol("user7"))))
        let caller = try JITFixture([
            ("callB", [], [], JITPrograms.assemble(JITPrograms.callDirect(symbol("b.user7")))),
            try JITFixture.trampoline("t0", [], []),
        ], symbols: JITSymbolTable([symbol("b.user7"): calleeAddress]))
        do {
            _ = try caller.call("callB", through: "t0", [])
            Issue.record("the ud2 must not return")
        } catch let JITError.faultOutsideModule(fault) {
            #expect(fault.signal == SIGILL)
            #expect(fault.pc == UInt(bitPattern: calleeAddress))
        }
        withExtendedLifetime(callee) {}
    }
}
