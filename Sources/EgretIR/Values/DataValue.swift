/// A concrete value of any CLIF type up to 128 bits: what run lines pass and expect,
/// what the interpreter computes and what compiled code returns. The bits are stored
/// zero-extended from the type's width, little-endian across `low` then `high`
/// (lane 0 in the lowest bits of a vector).
public struct DataValue: Hashable, Sendable {
    public var type: IRType
    public var low: UInt64
    public var high: UInt64

    /// Makes a value, keeping only the bits the type has.
    public init(type: IRType, low: UInt64, high: UInt64 = 0) {
        self.type = type
        let bits = type.bits
        if bits >= 128 {
            self.low = low
            self.high = high
        } else if bits == 64 {
            self.low = low
            self.high = 0
        } else {
            self.low = bits == 0 ? 0 : low & ((1 << UInt64(bits)) - 1)
            self.high = 0
        }
    }

    public static func int(_ value: Int64, _ type: IRType) -> DataValue {
        DataValue(type: type, low: UInt64(bitPattern: value), high: value < 0 ? ~0 : 0)
    }

    public static func f32(_ value: Float) -> DataValue { DataValue(type: .f32, low: UInt64(value.bitPattern)) }
    public static func f64(_ value: Double) -> DataValue { DataValue(type: .f64, low: value.bitPattern) }

    /// The value as a signed integer of its type's width, sign-extended to 64 bits
    /// (the low 64 bits for i128).
    public var signedLow: Int64 {
        let bits = type.bits
        guard bits > 0, bits < 64 else { return Int64(bitPattern: low) }
        let shift = UInt64(64 - bits)
        return Int64(bitPattern: low << shift) >> Int64(shift)
    }

    /// Whether the value is a float NaN (any payload); lanes are not inspected.
    public var isNaN: Bool {
        switch type {
        case .f32: return Float(bitPattern: UInt32(truncatingIfNeeded: low)).isNaN
        case .f64: return Double(bitPattern: low).isNaN
        default: return false
        }
    }
}

extension DataValue: CustomStringConvertible {
    /// The CLIF spelling of the value as a run line writes it: signed decimal integers,
    /// hex float literals, `[a b c d]` vectors.
    public var description: String {
        if type.isVector {
            let laneBits = type.laneBits
            var lanes: [String] = []
            for lane in 0 ..< type.laneCount {
                let (low, high) = extractBits(offset: lane * laneBits, width: laneBits)
                lanes.append(DataValue(type: type.laneType, low: low, high: high).description)
            }
            return "[" + lanes.joined(separator: " ") + "]"
        }
        switch type {
        case .i8, .i16, .i32, .i64: return String(signedLow)
        case .i128: return Int128Text.signedDecimal(low: low, high: high)
        case .f16: return FloatText.format(bits: low, exponentBits: 5, fractionBits: 10)
        case .f32: return FloatText.format(bits: low, exponentBits: 8, fractionBits: 23)
        case .f64: return FloatText.format(bits: low, exponentBits: 11, fractionBits: 52)
        case .f128: return FloatText.format128(low: low, high: high)
        default: return "0x" + String(high, radix: 16) + String(repeating: "0", count: 0) + String(low, radix: 16)
        }
    }

    /// `width` bits starting at bit `offset` of the 128-bit payload.
    public func extractBits(offset: Int, width: Int) -> (low: UInt64, high: UInt64) {
        var low = self.low, high = self.high
        if offset >= 64 {
            low = high >> UInt64(offset - 64)
            high = 0
        } else if offset > 0 {
            low = (low >> UInt64(offset)) | (high << UInt64(64 - offset))
            high >>= UInt64(offset)
        }
        if width < 64 {
            low &= (1 << UInt64(width)) - 1
            high = 0
        } else if width == 64 {
            high = 0
        }
        return (low, high)
    }
}
