/// The types of a row's fields (X64Form.swift): its operand format, how its mnemonic
/// takes a size suffix, the sizes it is defined at, how it traps and the CPU features
/// it needs.

/// The operand format of a form: the shape of `X64Inst` that carries it, whose
/// operand roles (which operand is read, written, tied or fixed) it has. Each case is
/// documented at its shape in X64Inst.swift.
public enum X64Format: CaseIterable, Hashable, Sendable {
    // The integer shapes.
    case aluRmiR, cmpRmiR, aluRmImmR
    /// `mul` and, at 8 bits, `mul8`.
    case multiply
    /// `div` and, at 8 bits, `div8`.
    case divide
    case signExtendData, shiftR, unary, unaryRmR
    // The xmm shapes.
    /// `xmmLoad` (the form's RM) and `xmmStore` (its MR).
    case xmmLoadStore
    case gprToXmm, xmmToGpr, xmmRmR, xmmUnaryRmR, xmmUnaryRmRImm, xmmCompare, xmmCompareMask, xmmVexTernary
    // The atomic shapes.
    case exchange, fence
    /// A form with shapes of its own that carry no FormID: `mov` (movRR, load, store,
    /// storeImm, movImm), `movabs` (movImm, loadSymbol), `set`, `cmov`, `lea`, `push`,
    /// `pop`, `call`, `jmp`, `jcc`, `ret`, `ud2`, `movaps` (xmmMove), `cmpxchg`,
    /// `cmpxchg16b`; and the parts of the pseudo-instructions.
    case dedicated
}

/// How an operand size is spelled after a mnemonic stem.
public enum MnemonicSuffix: Hashable, Sendable {
    /// `addss`, `cqto`, `ud2`: the stem says everything.
    case none
    /// `b`/`w`/`l`/`q`: `addl`, `movzbq`, `pushq`.
    case size
    /// `l`/`q` only when the width is not visible from a register (`cvtsi2ssl (%rdi)`).
    case sizeOnMemory
    /// `d` at 32 bits, `q` at 64: `movd`, `movq`.
    case doublewordOrQuadword
}

/// Whether and how a form can trap. The trap code itself is an operand: the memory
/// operand's (`Amode.trap`) or the shape's own (`div`, `ud2`, `trapIf`).
public enum TrapKind: Hashable, Sendable {
    /// Never: no memory access, or (lea) an address computed but not accessed.
    case never
    /// When its memory operand faults.
    case onMemoryFault
    /// #DE on a zero divisor or an overflowing quotient, and on a memory fault, both
    /// reported with the divide's code.
    case onDivideError
    /// Always (ud2).
    case always
}

/// A set of operand sizes.
public struct OperandSizes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ size: OperandSize) {
        switch size {
        case .size8: self = .size8
        case .size16: self = .size16
        case .size32: self = .size32
        case .size64: self = .size64
        }
    }

    public static let size8 = OperandSizes(rawValue: 1)
    public static let size16 = OperandSizes(rawValue: 2)
    public static let size32 = OperandSizes(rawValue: 4)
    public static let size64 = OperandSizes(rawValue: 8)
    /// 8, 16, 32 and 64 bits.
    public static let all: OperandSizes = [.size8, .size16, .size32, .size64]
    /// 16, 32 and 64 bits (forms without a byte encoding).
    public static let from16: OperandSizes = [.size16, .size32, .size64]
    /// 32 and 64 bits.
    public static let wide: OperandSizes = [.size32, .size64]
    /// Fixed by the form.
    public static let fixed: OperandSizes = []

    public func contains(_ size: OperandSize) -> Bool { contains(OperandSizes(size)) }

    /// The size, when the set holds exactly one.
    public var single: OperandSize? { OperandSize.allCases.first { self == OperandSizes($0) } }

    /// The sizes in increasing order.
    public var list: [OperandSize] { OperandSize.allCases.filter { contains($0) } }
}

/// CPU features beyond x86-64's baseline (which includes SSE2, cmov and cmpxchg),
/// as Cranelift's x64 ISA flags name them (`has_sse41`, `has_fma`, …). Each row of
/// the form table says which it requires (`X64Form.requires`); the emitter refuses,
/// with an internal error naming the form and the feature, to emit a form whose
/// features the compilation did not enable (`Compiler.Options.features`).
public struct X64Features: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let sse3 = X64Features(rawValue: 1 << 0)
    public static let ssse3 = X64Features(rawValue: 1 << 1)
    /// roundss/roundsd, pminsd, pmulld, …
    public static let sse41 = X64Features(rawValue: 1 << 2)
    public static let sse42 = X64Features(rawValue: 1 << 3)
    public static let popcnt = X64Features(rawValue: 1 << 4)
    public static let lzcnt = X64Features(rawValue: 1 << 5)
    /// tzcnt, andn, blsr, …
    public static let bmi1 = X64Features(rawValue: 1 << 6)
    public static let bmi2 = X64Features(rawValue: 1 << 7)
    /// The VEX encoding and the upper halves of the ymm registers.
    public static let avx = X64Features(rawValue: 1 << 8)
    public static let avx2 = X64Features(rawValue: 1 << 9)
    /// FMA3: vfmadd213ss and friends (VEX-encoded: implies AVX).
    public static let fma = X64Features(rawValue: 1 << 10)
    public static let avx512f = X64Features(rawValue: 1 << 11)
    public static let avx512vl = X64Features(rawValue: 1 << 12)
    /// `lock cmpxchg16b`: missing only on the first x86-64 processors.
    public static let cmpxchg16b = X64Features(rawValue: 1 << 13)

    /// x86-64 as AMD defined it: SSE2 and nothing later.
    public static let baseline: X64Features = []

    /// The x86-64-v2 microarchitecture level (Nehalem, 2008): CMPXCHG16B, POPCNT, SSE3
    /// to SSE4.2 (and LAHF in 64-bit mode, which Egret does not use).
    public static let x86_64_v2: X64Features = [.cmpxchg16b, .popcnt, .sse3, .ssse3, .sse41, .sse42]

    /// The x86-64-v3 level (Haswell, 2013; Excavator, 2015): v2 and AVX, AVX2, BMI1,
    /// BMI2, FMA, LZCNT (and F16C, MOVBE, which Egret does not use).
    public static let x86_64_v3: X64Features = x86_64_v2.union([.avx, .avx2, .bmi1, .bmi2, .fma, .lzcnt])

    /// The default of `Compiler.Options`: the level the backend has always assumed.
    /// It emits roundss/roundsd (SSE4.1) for ceil, floor, trunc and nearest,
    /// vfmadd213ss/sd (FMA3, with the AVX it implies) for fma, lzcnt in the
    /// i128-to-float conversions and cmpxchg16b for the i128 atomics: FMA3 and LZCNT
    /// make that x86-64-v3, which the machines Egret runs on have (Cranelift enables
    /// the same from the host's CPUID).
    public static let `default`: X64Features = x86_64_v3

    /// The names Cranelift's flags use, in a fixed order.
    public static let named: [(feature: X64Features, name: String)] = [
        (.sse3, "SSE3"), (.ssse3, "SSSE3"), (.sse41, "SSE4.1"), (.sse42, "SSE4.2"), (.popcnt, "POPCNT"),
        (.lzcnt, "LZCNT"), (.bmi1, "BMI1"), (.bmi2, "BMI2"), (.avx, "AVX"), (.avx2, "AVX2"), (.fma, "FMA"),
        (.avx512f, "AVX-512F"), (.avx512vl, "AVX-512VL"), (.cmpxchg16b, "CMPXCHG16B"),
    ]

    /// `FMA, AVX`; `baseline` for the empty set.
    public var description: String {
        let names = X64Features.named.filter { contains($0.feature) }.map(\.name)
        return names.isEmpty ? "baseline" : names.joined(separator: ", ")
    }
}
