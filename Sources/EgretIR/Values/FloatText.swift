/// CLIF's float literal spelling, for every IEEE 754 binary format: hexadecimal
/// significands with a binary exponent (`0x1.8p3`, `-0x0.8p-1022`), `0.0`/`-0.0`,
/// `+Inf`/`-Inf`, and NaNs with their payload (`+NaN`, `-NaN:0x1`, `+sNaN:0x1`).
/// Decimal literals other than zero are not CLIF; parsing them is the caller's choice.
public enum FloatText {
    /// Formats raw bits of a float with `exponentBits` and `fractionBits`, as Cranelift
    /// prints them.
    public static func format(bits: UInt128, exponentBits w: Int, fractionBits t: Int) -> String {
        let maxExponent: UInt128 = (1 << UInt128(w)) - 1
        let fraction = bits & ((1 << UInt128(t)) - 1)
        let biasedExponent = (bits >> UInt128(t)) & maxExponent
        let negative = (bits >> UInt128(w + t)) & 1 != 0
        let bias = (1 << (w - 1)) - 1
        let digits = (t + 3) / 4
        let leftAligned = fraction << UInt128(4 * digits - t)
        var text = negative ? "-" : ""
        if biasedExponent == 0 {
            if fraction == 0 { return text + "0.0" }
            return text + "0x0." + hex(leftAligned, digits: digits) + "p\(1 - bias)"
        }
        if biasedExponent == maxExponent {
            if !negative { text += "+" }
            if fraction == 0 { return text + "Inf" }
            let quietBit: UInt128 = 1 << UInt128(t - 1)
            let payload = fraction & (quietBit - 1)
            if fraction & quietBit != 0 {
                return payload == 0 ? text + "NaN" : text + "NaN:0x" + String(payload, radix: 16)
            }
            return text + "sNaN:0x" + String(payload, radix: 16)
        }
        return text + "0x1." + hex(leftAligned, digits: digits) + "p\(Int(biasedExponent) - bias)"
    }

    public static func format(bits: UInt64, exponentBits: Int, fractionBits: Int) -> String {
        format(bits: UInt128(bits), exponentBits: exponentBits, fractionBits: fractionBits)
    }

    public static func format128(low: UInt64, high: UInt64) -> String {
        format(bits: UInt128(high) << 64 | UInt128(low), exponentBits: 15, fractionBits: 112)
    }

    private static func hex(_ value: UInt128, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }

    /// Parses a CLIF float literal into raw bits; the error says what is wrong. The
    /// value must be exactly representable, as in Cranelift (no rounding).
    public static func parse(_ text: Substring, exponentBits w: Int, fractionBits t: Int) -> Result<UInt128, FloatTextError> {
        var rest = text
        var signBit: UInt128 = 0
        if rest.first == "-" {
            signBit = 1 << UInt128(t + w)
            rest = rest.dropFirst()
        } else if rest.first == "+" {
            rest = rest.dropFirst()
        }
        let exponentMask: UInt128 = ((1 << UInt128(w)) - 1) << UInt128(t)
        let quietBit: UInt128 = 1 << UInt128(t - 1)
        guard rest.hasPrefix("0x") else {
            if rest == "0.0" { return .success(signBit) }
            if rest == "Inf" { return .success(signBit | exponentMask) }
            if rest == "NaN" { return .success(signBit | exponentMask | quietBit) }
            if rest.hasPrefix("NaN:0x") {
                guard let payload = UInt128(rest.dropFirst(6), radix: 16), payload < quietBit else {
                    return .failure(.invalidNaNPayload)
                }
                return .success(signBit | exponentMask | quietBit | payload)
            }
            if rest.hasPrefix("sNaN:0x") {
                guard let payload = UInt128(rest.dropFirst(7), radix: 16), payload > 0, payload < quietBit else {
                    return .failure(.invalidNaNPayload)
                }
                return .success(signBit | exponentMask | payload)
            }
            return .failure(.notHexadecimal)
        }
        rest = rest.dropFirst(2)
        var digits = 0
        var digitsBeforePoint: Int?
        var significand: UInt128 = 0
        var exponent = 0
        var index = rest.startIndex
        while index < rest.endIndex {
            let character = rest[index]
            if character == "." {
                guard digitsBeforePoint == nil else { return .failure(.multipleRadixPoints) }
                digitsBeforePoint = digits
            } else if character == "p" || character == "P" {
                guard let value = Int16(rest[rest.index(after: index)...]) else { return .failure(.badExponent) }
                exponent = Int(value)
                break
            } else if character == "_" {
                // Digit separators are allowed in CLIF numbers.
            } else if let digit = character.hexDigitValue {
                digits += 1
                guard digits <= 32 else { return .failure(.tooManyDigits) }
                significand = significand << 4 | UInt128(digit)
            } else {
                return .failure(.invalidCharacter)
            }
            index = rest.index(after: index)
        }
        guard digits > 0 else { return .failure(.noDigits) }
        if significand == 0 { return .success(signBit) }
        if let before = digitsBeforePoint { exponent -= 4 * (digits - before) }
        let significantBits = 128 - significand.leadingZeroBitCount
        if significantBits > t + 1 {
            let adjust = significantBits - (t + 1)
            guard significand & ((1 << UInt128(adjust)) - 1) == 0 else { return .failure(.tooManySignificantBits) }
            significand >>= UInt128(adjust)
            exponent += adjust
        } else {
            let adjust = t + 1 - significantBits
            significand <<= UInt128(adjust)
            exponent -= adjust
        }
        let trailing = significand & ((1 << UInt128(t)) - 1)
        let maxExponent = (1 << w) - 2
        let bias = (1 << (w - 1)) - 1
        exponent += bias + t
        if exponent > maxExponent { return .failure(.magnitudeTooLarge) }
        if exponent > 0 { return .success(signBit | UInt128(exponent) << UInt128(t) | trailing) }
        let adjust = 1 - exponent
        guard adjust <= t else { return .failure(.magnitudeTooSmall) }
        guard significand & ((1 << UInt128(adjust)) - 1) == 0 else { return .failure(.subnormalPrecisionLost) }
        return .success(signBit | significand >> UInt128(adjust))
    }
}

/// Why a float literal could not be parsed.
public enum FloatTextError: String, Error, Sendable {
    case notHexadecimal = "float must be hexadecimal (or 0.0, Inf, NaN)"
    case invalidNaNPayload = "invalid NaN payload"
    case multipleRadixPoints = "multiple radix points"
    case badExponent = "bad exponent"
    case tooManyDigits = "too many digits"
    case invalidCharacter = "invalid character in float literal"
    case noDigits = "no digits in float literal"
    case tooManySignificantBits = "too many significant bits for the type"
    case magnitudeTooLarge = "magnitude too large for the type"
    case magnitudeTooSmall = "magnitude too small for the type"
    case subnormalPrecisionLost = "subnormal value loses precision"
}

/// Decimal text of 128-bit integers.
public enum Int128Text {
    public static func signedDecimal(low: UInt64, high: UInt64) -> String {
        String(Int128(bitPattern: UInt128(high) << 64 | UInt128(low)))
    }
}
