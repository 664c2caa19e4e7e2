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

    /// The text of a constant or argument of `type`: integers up to i64 as decimal,
    /// i128 from two draws, floats as CLIF hexadecimal floats (edge values: zeros,
    /// ones, infinities, NaN, the smallest subnormal, the largest finite value).
    public static func drawText<Source: ByteSource>(_ type: IRType, edgePercent: Int, _ source: inout Source) -> String {
        if type == .f32 || type == .f64 {
            let bits = floatBits(type, edgePercent: edgePercent, &source)
            return type == .f32 ? FloatText.format(bits: bits, exponentBits: 8, fractionBits: 23)
                : FloatText.format(bits: bits, exponentBits: 11, fractionBits: 52)
        }
        if type.bits == 128 {
            let low = UInt64(bitPattern: draw(.i64, edgePercent: edgePercent, &source))
            let high = source.chance(50) ? (Int64(bitPattern: low) < 0 ? ~0 : 0)
                : UInt64(bitPattern: draw(.i64, edgePercent: edgePercent, &source))
            return Int128Text.signedDecimal(low: low, high: high)
        }
        return signedText(draw(type, edgePercent: edgePercent, &source), type)
    }

    /// Raw bits of an f32 or f64 value.
    static func floatBits<Source: ByteSource>(_ type: IRType, edgePercent: Int, _ source: inout Source) -> UInt64 {
        let isSingle = type == .f32
        if source.chance(edgePercent) {
            let edges: [UInt64] = isSingle
                ? [0, 0x8000_0000, 0x3F80_0000, 0xBF80_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 1, 0x7F7F_FFFF,
                   0x4F00_0000, 0xCF00_0000]
                : [0, 0x8000_0000_0000_0000, 0x3FF0_0000_0000_0000, 0xBFF0_0000_0000_0000, 0x7FF0_0000_0000_0000,
                   0xFFF0_0000_0000_0000, 0x7FF8_0000_0000_0000, 1, 0x7FEF_FFFF_FFFF_FFFF, 0x43E0_0000_0000_0000,
                   0xC3E0_0000_0000_0000]
            return source.pick(edges)
        }
        let raw = source.next()
        return isSingle ? raw & 0xFFFF_FFFF : raw
    }
}
