/// How a row is encoded: the prefixes and rules shared by all its opcodes, and one
/// opcode per Intel operand encoding ("Op/En") the form has. Rows are written with
/// the builder below, opcode bytes as in the manual:
///
///     .mr(0x01).rm(0x03).mi(0x81, 0).mi8(0x83, 0).i(0x05).wBit           add
///     .rm(0x0F58).prefix(.xF3)                                            addss
///     .rvm(0x0F38A9).prefix(.x66).vex(w: false)                           vfmadd213ss
///
/// An instruction is laid out as (X64Encoding.swift for the bytes):
///
///     [66] [F0] [F3|F2] [REX] opcode(1-3) [ModRM] [SIB] [disp] [imm]     legacy
///     C4 RXB.mmmmm W.vvvv.L.pp opcode ModRM [SIB] [disp] [imm]           VEX (3 bytes)
///
/// - `66` when the operand size is 16 bits or the row's mandatory prefix is 66,
///   then `F0` (lock), then a mandatory F3 or F2, in the order llvm-mc writes them.
/// - REX.W by the row's rule: at 64-bit operand size (most forms), always
///   (cmpxchg16b), or never (push, pop, call, jmp: 64-bit by default).
/// - `wBit`: the row's byte forms are its opcodes with bit 0 clear (Intel's w bit:
///   01 → 00, 81 → 80, F7 → F6, 0F B1 → 0F B0), used at operand size 8.
/// - VEX (AVX, FMA): the mandatory prefix becomes VEX.pp and the opcode's escape
///   bytes (0F, 0F 38, 0F 3A) VEX.mmmmm; W and L come from `vex`. EVEX (AVX-512) will
///   join as a field here when the first such form is added.
public struct FormEncoding: Hashable, Sendable {
    public private(set) var prefix: MandatoryPrefix = .none
    /// The `lock` prefix (F0): the locked read-modify-write forms.
    public private(set) var lock = false
    /// `prefix` and `lock` as the legacy prefixes the encoder emits (66 at 16 bits is
    /// added per instruction).
    private(set) var legacyPrefixes: LegacyPrefixes = []
    public private(set) var rexW: RexW = .bySize
    /// At operand size 8 each opcode has bit 0 clear (see above).
    public private(set) var usesWBit = false
    /// VEX fields, for VEX-encoded forms.
    public private(set) var vex: VexFields?

    /// ModRM.reg = the destination (or the first operand), ModRM.rm = the source, a
    /// register or memory; with the opcode's immediate, if any (`imul $5, …` 69 /r iz).
    public private(set) var rm: X64Opcode?
    /// ModRM.rm = the destination (or the first operand), ModRM.reg = the source.
    public private(set) var mr: X64Opcode?
    /// ModRM.rm with /digit and an immediate of the operand size (imm8/16/32).
    public private(set) var mi: X64Opcode?
    /// ModRM.rm with /digit and a sign-extended imm8.
    public private(set) var mi8: X64Opcode?
    /// ModRM.rm with /digit, no immediate (neg, mul, push m64, call *r/m).
    public private(set) var m: X64Opcode?
    /// A shift or rotate by one: ModRM.rm with /digit.
    public private(set) var m1: X64Opcode?
    /// A shift or rotate by cl: ModRM.rm with /digit.
    public private(set) var mc: X64Opcode?
    /// An immediate with an implicit register operand (the accumulator: `05 id`
    /// adds to eax) or none (`68 id` pushes, `C2 iw` returns).
    public private(set) var i: X64Opcode?
    /// An imm8 with an implicit operand (`6A ib` pushes it sign-extended).
    public private(set) var i8: X64Opcode?
    /// The register in the low three bits of the opcode (`50+r` push, `0F C8+r` bswap).
    public private(set) var o: X64Opcode?
    /// `O` followed by an immediate (`B8+r id` mov, `REX.W B8+r io` movabs).
    public private(set) var oi: X64Opcode?
    /// No operand at all (`99` cltd, `C3` ret, `0F 0B` ud2, `0F AE F0` mfence).
    public private(set) var zo: X64Opcode?
    /// A 32-bit relative target follows (`E8 cd` call, `0F 80+cc cd` jcc).
    public private(set) var d: X64Opcode?
    /// An 8-bit relative target follows (`EB cb` jmp, `70+cc cb` jcc).
    public private(set) var d8: X64Opcode?
    /// As `rm`, with a sign-extended imm8 (`6B /r ib`).
    public private(set) var rmi8: X64Opcode?
    /// VEX: ModRM.reg = the destination, VEX.vvvv = the second source, ModRM.rm = the
    /// third (a register or memory).
    public private(set) var rvm: X64Opcode?

    /// The encodings the row has, for the tests (name and opcode).
    public var opcodes: [(name: String, opcode: X64Opcode)] {
        let all: [(String, X64Opcode?)] = [("RM", rm), ("MR", mr), ("MI", mi), ("MI8", mi8), ("M", m), ("M1", m1),
                                           ("MC", mc), ("I", i), ("I8", i8), ("O", o), ("OI", oi), ("ZO", zo),
                                           ("D", d), ("D8", d8), ("RMI8", rmi8), ("RVM", rvm)]
        return all.compactMap { entry in entry.1.map { (entry.0, $0) } }
    }
}

/// One opcode of a row.
public struct X64Opcode: Hashable, Sendable {
    /// The opcode bytes, escape bytes included, most significant first: `0x0F58` is
    /// `0F 58`, `0x0F3A0A` is `0F 3A 0A`, `0x0FAEF0` (mfence) `0F AE F0`.
    public let bytes: UInt32
    public let immediate: ImmediateWidth
    /// `digit`, or `noDigit` (the opcode fits 8 bytes: rows are copied per instruction
    /// encoded).
    private let digitOrNone: UInt8
    private let byteCount: UInt8
    private static let noDigit: UInt8 = 0xFF

    public init(_ bytes: UInt32, digit: UInt8? = nil, immediate: ImmediateWidth = .none) {
        self.bytes = bytes
        digitOrNone = digit ?? X64Opcode.noDigit
        self.immediate = immediate
        byteCount = bytes > 0xFFFF ? 3 : bytes > 0xFF ? 2 : 1
    }

    /// The ModRM.reg opcode extension (`/digit`); nil when ModRM.reg holds a register
    /// (`/r`) or the form has no ModRM byte.
    public var digit: UInt8? { digitOrNone == X64Opcode.noDigit ? nil : digitOrNone }

    /// The number of opcode bytes (1–3).
    public var length: Int { Int(byteCount) }

    /// The opcode map its escape bytes select.
    public var map: OpcodeMap {
        switch length {
        case 3 where bytes >> 8 == 0x0F38: return .x0F38
        case 3 where bytes >> 8 == 0x0F3A: return .x0F3A
        case 2, 3: return .x0F
        default: return .primary
        }
    }

    /// The opcode with `value` added to its last byte (a condition code, `70+cc`).
    func plus(_ value: UInt8) -> UInt32 { bytes + UInt32(value) }
}

/// The width of the immediate after an opcode.
public enum ImmediateWidth: Hashable, Sendable {
    case none
    case byte
    case word
    case dword
    case quad
    /// The operand size, at most 32 bits: ib, iw, id, id (Intel's `iz` with the byte
    /// form's `ib`). A 32-bit immediate is sign-extended at 64 bits.
    case bySize

    /// Bytes of immediate at operand size `size` (`bySize` without a size: 4).
    @inlinable public func byteCount(at size: OperandSize?) -> Int {
        switch self {
        case .none: return 0
        case .byte: return 1
        case .word: return 2
        case .dword: return 4
        case .quad: return 8
        case .bySize: return min(size?.bytes ?? 4, 4)
        }
    }
}

/// A mandatory prefix (legacy encoding) or VEX.pp (VEX encoding).
public enum MandatoryPrefix: Hashable, Sendable {
    case none, x66, xF3, xF2

    /// As a legacy prefix.
    var legacyPrefixes: LegacyPrefixes {
        switch self {
        case .none: return []
        case .x66: return .operandSize16
        case .xF3: return .repF3
        case .xF2: return .repF2
        }
    }

    /// VEX.pp.
    var vexBits: UInt8 {
        switch self {
        case .none: return 0b00
        case .x66: return 0b01
        case .xF3: return 0b10
        case .xF2: return 0b11
        }
    }
}

/// The opcode map an opcode's escape bytes select (VEX.mmmmm for VEX forms).
public enum OpcodeMap: Hashable, Sendable {
    case primary, x0F, x0F38, x0F3A

    var vexBits: UInt8 {
        switch self {
        case .primary: return 0
        case .x0F: return 0b00001
        case .x0F38: return 0b00010
        case .x0F3A: return 0b00011
        }
    }
}

/// When a row sets REX.W.
public enum RexW: Hashable, Sendable {
    /// At 64-bit operand size.
    case bySize
    /// Always (cmpxchg16b: REX.W selects the 16-byte form).
    case always
    /// Never: the form is 64-bit by default (push, pop, call, jmp, ret).
    case never
}

/// The VEX fields a row fixes.
public struct VexFields: Hashable, Sendable {
    /// VEX.W: the double-precision forms of FMA3.
    public var w: Bool
    /// VEX.L: 256-bit vectors (0 for scalar forms, where it is ignored).
    public var l: Bool
}

// MARK: The builder

extension FormEncoding {
    public static func rm(_ bytes: UInt32, immediate: ImmediateWidth = .none) -> FormEncoding {
        FormEncoding().rm(bytes, immediate: immediate)
    }
    public static func mr(_ bytes: UInt32) -> FormEncoding { FormEncoding().mr(bytes) }
    public static func m(_ bytes: UInt32, _ digit: UInt8) -> FormEncoding { FormEncoding().m(bytes, digit) }
    public static func m1(_ bytes: UInt32, _ digit: UInt8) -> FormEncoding { FormEncoding().m1(bytes, digit) }
    public static func i(_ bytes: UInt32, immediate: ImmediateWidth = .bySize) -> FormEncoding {
        FormEncoding().i(bytes, immediate: immediate)
    }
    public static func o(_ bytes: UInt32) -> FormEncoding { FormEncoding().o(bytes) }
    public static func oi(_ bytes: UInt32, immediate: ImmediateWidth) -> FormEncoding {
        FormEncoding().oi(bytes, immediate: immediate)
    }
    public static func zo(_ bytes: UInt32) -> FormEncoding { FormEncoding().zo(bytes) }
    public static func d(_ bytes: UInt32) -> FormEncoding { FormEncoding().d(bytes) }
    public static func rvm(_ bytes: UInt32) -> FormEncoding { FormEncoding().rvm(bytes) }

    public func rm(_ bytes: UInt32, immediate: ImmediateWidth = .none) -> FormEncoding {
        with { $0.rm = X64Opcode(bytes, immediate: immediate) }
    }
    public func mr(_ bytes: UInt32) -> FormEncoding { with { $0.mr = X64Opcode(bytes) } }
    public func mi(_ bytes: UInt32, _ digit: UInt8, immediate: ImmediateWidth = .bySize) -> FormEncoding {
        with { $0.mi = X64Opcode(bytes, digit: digit, immediate: immediate) }
    }
    public func mi8(_ bytes: UInt32, _ digit: UInt8) -> FormEncoding {
        with { $0.mi8 = X64Opcode(bytes, digit: digit, immediate: .byte) }
    }
    public func m(_ bytes: UInt32, _ digit: UInt8) -> FormEncoding { with { $0.m = X64Opcode(bytes, digit: digit) } }
    public func m1(_ bytes: UInt32, _ digit: UInt8) -> FormEncoding { with { $0.m1 = X64Opcode(bytes, digit: digit) } }
    public func mc(_ bytes: UInt32, _ digit: UInt8) -> FormEncoding { with { $0.mc = X64Opcode(bytes, digit: digit) } }
    public func i(_ bytes: UInt32, immediate: ImmediateWidth = .bySize) -> FormEncoding {
        with { $0.i = X64Opcode(bytes, immediate: immediate) }
    }
    public func i8(_ bytes: UInt32) -> FormEncoding { with { $0.i8 = X64Opcode(bytes, immediate: .byte) } }
    public func o(_ bytes: UInt32) -> FormEncoding { with { $0.o = X64Opcode(bytes) } }
    public func oi(_ bytes: UInt32, immediate: ImmediateWidth) -> FormEncoding {
        with { $0.oi = X64Opcode(bytes, immediate: immediate) }
    }
    public func zo(_ bytes: UInt32) -> FormEncoding { with { $0.zo = X64Opcode(bytes) } }
    public func d(_ bytes: UInt32) -> FormEncoding { with { $0.d = X64Opcode(bytes) } }
    public func d8(_ bytes: UInt32) -> FormEncoding { with { $0.d8 = X64Opcode(bytes) } }
    public func rmi8(_ bytes: UInt32) -> FormEncoding { with { $0.rmi8 = X64Opcode(bytes, immediate: .byte) } }
    public func rvm(_ bytes: UInt32) -> FormEncoding { with { $0.rvm = X64Opcode(bytes) } }

    public func prefix(_ prefix: MandatoryPrefix) -> FormEncoding {
        with {
            $0.prefix = prefix
            $0.legacyPrefixes.formUnion(prefix.legacyPrefixes)
        }
    }
    public func rexW(_ rule: RexW) -> FormEncoding { with { $0.rexW = rule } }
    public func vex(w: Bool, l: Bool = false) -> FormEncoding { with { $0.vex = VexFields(w: w, l: l) } }
    /// The `lock` prefix.
    public var locked: FormEncoding {
        with {
            $0.lock = true
            $0.legacyPrefixes.insert(.lock)
        }
    }
    /// Byte forms with bit 0 clear.
    public var wBit: FormEncoding { with { $0.usesWBit = true } }

    private func with(_ change: (inout FormEncoding) -> Void) -> FormEncoding {
        var copy = self
        change(&copy)
        return copy
    }
}
