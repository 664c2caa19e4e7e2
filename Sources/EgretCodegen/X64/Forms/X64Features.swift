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

    /// What the backend has always assumed, and the default of `Compiler.Options`:
    /// SSE4.1 (roundss/roundsd for ceil, floor, trunc, nearest), FMA3 and the AVX it
    /// implies (vfmadd213ss/sd for fma), LZCNT (the i128-to-float conversions) and
    /// CMPXCHG16B (the i128 atomics). Every x86-64 processor since 2013 (Intel Haswell,
    /// AMD Piledriver) has them; Cranelift enables them from the host's CPUID.
    public static let `default`: X64Features = [.sse41, .avx, .fma, .lzcnt, .cmpxchg16b]

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
