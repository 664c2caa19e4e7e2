import EgretIR

/// Integer values biased to the edges of their type: zero, one, all ones, the signed
/// extremes and their neighbours, alternating bit patterns, powers of two and small
/// numbers; otherwise uniform over the type's width.
public enum EdgeValues {
    /// A value of `type` (sign-extended to 64 bits), from the edge list with
    /// probability `edgePercent`/100.
    public static func draw<Source: ByteSource>(_ type: IRType, edgePercent: Int, _ source: inout Source) -> Int64 {
        let bits = max(8, min(64, type.bits))
        let raw: UInt64
        if source.chance(edgePercent) {
            let minimum: UInt64 = 1 << UInt64(bits - 1)
            let edges: [UInt64] = [
                0, 1, ~0, minimum, minimum &- 1, minimum &+ 1, minimum &- 2, 2, 3,
                0x5555_5555_5555_5555, 0xAAAA_AAAA_AAAA_AAAA, UInt64(bits), UInt64(bits - 1), 0x80, 0xFF, 0x7F,
            ]
            switch source.below(3) {
            case 0: raw = source.pick(edges)
            case 1: raw = 1 << UInt64(source.below(bits))
            default: raw = UInt64(bitPattern: Int64(source.inRange(-16 ... 16)))
            }
        } else {
            raw = source.next()
        }
        return signExtend(raw, bits: bits)
    }

    /// The low `bits` bits of `raw`, sign-extended.
    public static func signExtend(_ raw: UInt64, bits: Int) -> Int64 {
        guard bits < 64 else { return Int64(bitPattern: raw) }
        let shift = UInt64(64 - bits)
        return Int64(bitPattern: raw << shift) >> Int64(shift)
    }

    /// Decimal text of a value of `type` (already sign-extended).
    public static func signedText(_ value: Int64, _ type: IRType) -> String {
        String(signExtend(UInt64(bitPattern: value), bits: max(8, min(64, type.bits))))
    }
}
