import EgretIR
import Testing
@testable import EgretCodegen

/// Calling compiled code from Swift: arguments into 16-byte slots, a trampoline that is
/// just another function of the module, results read back typed by the signature.
struct JITCallTests {
    // MARK: Slots

    @Test func slotsHoldEachValueAsItsZeroExtended128Bits() {
        let values: [DataValue] = [
            .int(-1, .i8),                                                   // ff, then zeros
            .f32(1.5),                                                       // its bits
            DataValue(type: .i128, low: 0x0706_0504_0302_0100, high: 0x0F0E_0D0C_0B0A_0908),
            DataValue(type: IRType(lane: .i32, laneCountLog2: 2), low: 0x1111_2222_3333_4444,
                      high: 0x5555_6666_7777_8888),
        ]
        var bytes = [UInt8](repeating: 0xAA, count: 4 * ArgumentSlots.slotSize)
        bytes.withUnsafeMutableBytes { ArgumentSlots.store(values, to: $0.baseAddress!) }

        #expect(Array(bytes[0 ..< 16]) == [0xFF] + [UInt8](repeating: 0, count: 15))
        #expect(Array(bytes[16 ..< 20]) == [0x00, 0x00, 0xC0, 0x3F])          // 1.5f = 0x3fc00000
        #expect(Array(bytes[20 ..< 32]) == [UInt8](repeating: 0, count: 12))
        #expect(Array(bytes[32 ..< 48]) == (0 ..< 16).map { UInt8($0) })
        let loaded = bytes.withUnsafeBytes { ArgumentSlots.load(values.map(\.type), from: $0.baseAddress!) }
        #expect(loaded == values)
    }

    @Test func loadingKeepsOnlyTheBitsOfEachType() {
        let bytes = [UInt8](repeating: 0xFF, count: 3 * ArgumentSlots.slotSize)
        let loaded = bytes.withUnsafeBytes { ArgumentSlots.load([.i8, .i32, .i64], from: $0.baseAddress!) }
        #expect(loaded.map(\.low) == [0xFF, 0xFFFF_FFFF, UInt64.max])
        #expect(loaded.map(\.high) == [0, 0, 0])
    }

    @Test(arguments: [
        (0, 0, 1), (2, 1, 2), (1, 3, 3), (0, 2, 2),
    ])
    func theSlotArrayCoversParametersAndReturns(params: Int, returns: Int, slots: Int) {
        let signature = JITPrograms.signature(Array(repeating: .i64, count: params),
                                              Array(repeating: .i64, count: returns))
        #expect(ArgumentSlots.count(for: signature) == slots)
    }

    // MARK: Calls

    @Test func addReturnsTheSum() throws {
        let fixture = try JITFixture([
            ("add", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.add)),
            try JITFixture.trampoline("t", [.i64, .i64], [.i64]),
        ])
        #expect(try fixture.call("add", through: "t", [i64(40), i64(2)]) == .returned([i64(42)]))
        #expect(try fixture.call("add", through: "t", [i64(-5), i64(3)]) == .returned([i64(-2)]))
        #expect(try fixture.call("add", through: "t", [i64(.max), i64(1)]) == .returned([i64(.min)]))
    }

    @Test func aNarrowResultIsMaskedToItsType() throws {
        let fixture = try JITFixture([
            ("add8", [.i8, .i8], [.i8], JITPrograms.assemble(JITPrograms.add8)),
            try JITFixture.trampoline("t", [.i8, .i8], [.i8]),
        ])
        // 200 + 100 = 300 = 0x12c in eax: the i8 result is 0x2c.
        #expect(try fixture.call("add8", through: "t", [.int(200, .i8), .int(100, .i8)]) == .returned([.int(44, .i8)]))
        #expect(try fixture.call("add8", through: "t", [.int(-1, .i8), .int(-1, .i8)]) == .returned([.int(-2, .i8)]))
    }

    @Test func anI128UsesBothHalvesOfItsSlot() throws {
        let fixture = try JITFixture([
            ("inc", [.i128], [.i128], JITPrograms.assemble(JITPrograms.increment128)),
            try JITFixture.trampoline("t", [.i128], [.i128]),
        ])
        let carry = DataValue(type: .i128, low: .max, high: 6)
        #expect(try fixture.call("inc", through: "t", [carry]) == .returned([DataValue(type: .i128, low: 0, high: 7)]))
        let allOnes = DataValue(type: .i128, low: .max, high: .max)
        #expect(try fixture.call("inc", through: "t", [allOnes]) == .returned([DataValue(type: .i128, low: 0, high: 0)]))
    }

    @Test func twoResultsComeBackInTwoSlots() throws {
        let fixture = try JITFixture([
            ("swap", [.i64, .i64], [.i64, .i64], JITPrograms.assemble(JITPrograms.swap)),
            try JITFixture.trampoline("t", [.i64, .i64], [.i64, .i64]),
        ])
        #expect(try fixture.call("swap", through: "t", [i64(1), i64(-2)]) == .returned([i64(-2), i64(1)]))
    }

    @Test func oneTrampolineServesEveryFunctionOfItsSignature() throws {
        let fixture = try JITFixture([
            ("add", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.add)),
            ("sdiv", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.sdiv)),
            try JITFixture.trampoline("t", [.i64, .i64], [.i64]),
        ])
        #expect(try fixture.call("add", through: "t", [i64(7), i64(3)]) == .returned([i64(10)]))
        #expect(try fixture.call("sdiv", through: "t", [i64(-7), i64(2)]) == .returned([i64(-3)]))
    }

    // MARK: Malformed calls are errors

    @Test func malformedCallsThrow() throws {
        let fixture = try JITFixture([
            ("add", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.add)),
            try JITFixture.trampoline("t", [.i64, .i64], [.i64]),
        ])
        #expect(throws: JITError.argumentCountMismatch(symbol("add"), expected: 2, given: 1)) {
            try fixture.call("add", through: "t", [i64(1)])
        }
        #expect(throws: JITError.argumentTypeMismatch(symbol("add"), index: 1, expected: .i64, given: .i32)) {
            try fixture.call("add", through: "t", [i64(1), .int(1, .i32)])
        }
        #expect(throws: JITError.notATrampoline(symbol("add"), JITPrograms.signature([.i64, .i64], [.i64]))) {
            try fixture.call("add", through: "add", [i64(1), i64(2)])
        }
        #expect(throws: JITError.unknownFunction(symbol("missing"))) {
            try fixture.call("missing", through: "t", [])
        }
    }

    @Test func aFunctionMustBeFinalizedBeforeItIsCalled() throws {
        let module = JITModule()
        let trampoline = try module.define(symbol("t"), signature: JITModule.trampolineSignature,
                                           code: JITPrograms.assemble(JITPrograms.trampoline(params: [], returns: [])))
        let target = try module.define(symbol("f"), signature: JITPrograms.signature([], []),
                                       code: JITPrograms.assemble([.ret(returns: [])]))
        #expect(throws: JITError.notFinalized(symbol("f"))) {
            try module.call(target, through: trampoline, arguments: [])
        }
        try module.finalize()
        #expect(try module.call(target, through: trampoline, arguments: []) == .returned([]))
    }

    @Test func aHandleOfAnotherModuleIsRejected() throws {
        let first = try JITFixture([try JITFixture.trampoline("t", [], [])])
        let second = try JITFixture([("f", [], [], JITPrograms.assemble([.ret(returns: [])]))])
        let foreign = try #require(second.module.function(named: symbol("f")))
        let trampoline = try #require(first.module.function(named: symbol("t")))
        #expect(throws: JITError.foreignFunction(foreign)) {
            try first.module.call(foreign, through: trampoline, arguments: [])
        }
    }
}
