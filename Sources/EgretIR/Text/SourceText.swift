/// The bytes of the text being parsed, and what can be read from a token without any
/// parser state: its text, integers, floats, hex data, trap codes.
///
/// Performance: this is a 16-byte trivially copyable value on purpose. Helpers that
/// need nothing but the bytes live here rather than on `TextParser`, because calling a
/// non-mutating method of the (large) parser from its mutating methods copies the
/// whole parser, arrays retained and all, for every token.
struct SourceText {
    let bytes: UnsafeBufferPointer<UInt8>

    /// The token's text (for messages and cold paths).
    func text(of token: Token) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[token.start ..< token.end]), as: UTF8.self)
    }

    /// The token's text as a message repeats it: shortened when long (Diagnostic.echo).
    func echo(_ token: Token) -> String {
        Diagnostic.echo(text(of: token))
    }

    /// Whether the token's bytes are exactly `word`.
    @inline(__always)
    func tokenEquals(_ token: Token, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard token.length == count else { return false }
        let spelling = word.utf8Start
        for index in 0 ..< count where bytes[token.start + index] != spelling[index] { return false }
        return true
    }

    func startsWithSign(_ token: Token) -> Bool {
        let first = bytes[token.start]
        return first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
    }

    /// The text of the line that starts at byte `start`.
    func line(startingAt start: Int) -> String {
        var stop = min(max(start, 0), bytes.count)
        let begin = stop
        while stop < bytes.count && bytes[stop] != ASCII.newline { stop += 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[begin ..< stop]), as: UTF8.self)
    }

    /// The byte offset where line `number` (1-based) starts; scans the text, so only
    /// for error paths.
    func lineStart(ofLine number: Int) -> Int? {
        var line = 1
        var offset = 0
        while line < number && offset < bytes.count {
            if bytes[offset] == ASCII.newline { line += 1 }
            offset += 1
        }
        return line == number ? offset : nil
    }

    // MARK: Entity numbers

    /// The number of an entity token, checked against a cap.
    @inline(__always)
    func entityNumber(_ token: Token, limit: UInt32, what: StaticString) throws -> Int {
        guard token.number <= limit else { throw numberTooLarge(token, limit: limit, what: what) }
        return Int(token.number)
    }

    @inline(never)
    private func numberTooLarge(_ token: Token, limit: UInt32, what: StaticString) -> ParseFailure {
        ParseFailure("\(what) number \(token.number) is too large (the limit is \(limit))", at: token)
    }

    // MARK: Integers

    /// The sign and magnitude of an integer literal; `nil` if it is not one (bad digits,
    /// no digits, or a magnitude beyond 128 bits). `_` separators may follow any digit.
    func integerLiteral(_ token: Token) -> (negative: Bool, magnitude: UInt128)? {
        var offset = token.start
        let end = token.end
        var negative = false
        if offset < end && (bytes[offset] == UInt8(ascii: "-") || bytes[offset] == UInt8(ascii: "+")) {
            negative = bytes[offset] == UInt8(ascii: "-")
            offset += 1
        }
        var magnitude: UInt128 = 0
        var digits = 0
        if offset + 1 < end && bytes[offset] == UInt8(ascii: "0") && bytes[offset + 1] == UInt8(ascii: "x") {
            offset += 2
            while offset < end {
                let byte = bytes[offset]
                offset += 1
                if byte == UInt8(ascii: "_") && digits > 0 { continue }
                guard ASCII.isHexDigit(byte), magnitude >> 124 == 0 else { return nil }
                magnitude = magnitude << 4 | UInt128(ASCII.hexValue(byte))
                digits += 1
            }
        } else if end - offset <= 19 {
            // Up to 19 decimal digits cannot overflow 64 bits: the common case, kept cheap.
            var small: UInt64 = 0
            while offset < end {
                let byte = bytes[offset]
                offset += 1
                if byte == UInt8(ascii: "_") && digits > 0 { continue }
                guard ASCII.isDigit(byte) else { return nil }
                small = small &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                digits += 1
            }
            magnitude = UInt128(small)
        } else {
            while offset < end {
                let byte = bytes[offset]
                offset += 1
                if byte == UInt8(ascii: "_") && digits > 0 { continue }
                guard ASCII.isDigit(byte) else { return nil }
                let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt128(byte - UInt8(ascii: "0")))
                guard !overflow1 && !overflow2 else { return nil }
                magnitude = sum
                digits += 1
            }
        }
        return digits > 0 ? (negative, magnitude) : nil
    }

    /// The `bits`-wide two's complement pattern of an integer token that must lie in
    /// −2^(bits−1) … 2^bits−1 (Cranelift's "range and a half": `-1` and `0xffff_ffff`
    /// are the same `i32`). `typeName` names the type in the error message.
    func integerBits(_ token: Token, bits: Int, typeName: String? = nil) throws -> UInt128 {
        guard bits > 0, token.kind == .integer, let (negative, magnitude) = integerLiteral(token) else {
            throw ParseFailure("expected an integer immediate for \(typeName ?? "i\(bits)"), found '\(echo(token))'",
                               at: token)
        }
        let limit: UInt128 = bits >= 128 ? .max : (1 << UInt128(bits)) - 1
        let negativeLimit: UInt128 = 1 << UInt128(min(bits, 128) - 1)
        guard negative ? magnitude <= negativeLimit : magnitude <= limit else {
            throw ParseFailure("integer \(echo(token)) does not fit in \(typeName ?? "i\(bits)") "
                + "(range -\(negativeLimit) to \(limit))", at: token)
        }
        let pattern = negative ? 0 &- magnitude : magnitude
        return pattern & limit
    }

    /// A signed integer token within `range` (sizes, offsets, lane indices).
    func integerInRange(_ token: Token, _ range: ClosedRange<Int128>, what: String) throws -> Int128 {
        guard token.kind == .integer, let (negative, magnitude) = integerLiteral(token) else {
            throw ParseFailure("expected an integer for \(what), found '\(echo(token))'", at: token)
        }
        let value: Int128?
        if negative {
            value = magnitude <= UInt128(Int128.max) + 1 ? 0 &- Int128(truncatingIfNeeded: magnitude) : nil
        } else {
            value = magnitude <= UInt128(Int128.max) ? Int128(magnitude) : nil
        }
        guard let value, range.contains(value) else {
            throw ParseFailure("\(what) \(echo(token)) is out of range (\(range.lowerBound) to \(range.upperBound))",
                               at: token)
        }
        return value
    }

    // MARK: Floats

    /// The raw bits of a float literal of float lane type `type` (FloatText syntax:
    /// `0x1.8p3`, `-0x0.0`, `+Inf`, `NaN:0x1`, `0.0`). With `allowDecimal`, also an exactly
    /// representable decimal literal with a radix point (run lines only).
    func floatBits(_ token: Token, type: IRType, allowDecimal: Bool = false) throws -> UInt128 {
        guard token.kind == .float || token.kind == .integer else {
            throw ParseFailure("expected a \(type) literal, found '\(echo(token))'", at: token)
        }
        let (exponentBits, fractionBits) = Self.floatFormat(type)
        let literal = Substring(text(of: token))
        switch FloatText.parse(literal, exponentBits: exponentBits, fractionBits: fractionBits) {
        case .success(let bits):
            return bits
        case .failure(let reason):
            if allowDecimal, reason == .notHexadecimal, DecimalFloat.isDecimalLiteral(literal) {
                if let hex = DecimalFloat.exactHexText(literal),
                   case .success(let bits) = FloatText.parse(Substring(hex), exponentBits: exponentBits,
                                                             fractionBits: fractionBits) {
                    return bits
                }
                throw ParseFailure("decimal literal \(Diagnostic.echo(literal)) is not exactly representable as \(type); "
                    + "write it in hexadecimal (0x1.8p3)", at: token)
            }
            throw ParseFailure("invalid \(type) literal '\(Diagnostic.echo(literal))': \(reason.rawValue)", at: token)
        }
    }

    /// (exponent bits, fraction bits) of a float lane type.
    static func floatFormat(_ type: IRType) -> (Int, Int) {
        switch type.laneBits {
        case 16: return (5, 10)
        case 32: return (8, 23)
        case 64: return (11, 52)
        default: return (15, 112)
        }
    }

    // MARK: Hex data and codes

    /// Little-endian bytes of `0x…` hex data: an even number of digits (after `_`
    /// separators are dropped), at most `maxBytes` bytes.
    func hexBytes(_ token: Token, maxBytes: Int) throws -> [UInt8] {
        guard token.length > 2, bytes[token.start] == UInt8(ascii: "0"), bytes[token.start + 1] == UInt8(ascii: "x") else {
            throw ParseFailure("expected hexadecimal data such as 0x0011…, found '\(echo(token))'", at: token)
        }
        var digits: [UInt8] = []
        for offset in token.start + 2 ..< token.end where bytes[offset] != UInt8(ascii: "_") {
            guard ASCII.isHexDigit(bytes[offset]) else {
                throw ParseFailure("invalid hexadecimal data '\(echo(token))'", at: token)
            }
            digits.append(ASCII.hexValue(bytes[offset]))
        }
        guard !digits.isEmpty, digits.count % 2 == 0 else {
            throw ParseFailure("hexadecimal data must have an even number of digits", at: token)
        }
        guard digits.count <= 2 * maxBytes else {
            throw ParseFailure("hexadecimal data has more than \(maxBytes) bytes", at: token)
        }
        var result: [UInt8] = []
        result.reserveCapacity(digits.count / 2)
        var index = digits.count - 2
        while index >= 0 {
            result.append(digits[index] << 4 | digits[index + 1])
            index -= 2
        }
        return result
    }

    /// The trap code named by a word token (`int_divz`, `user7`), if it is one.
    func trapCode(_ token: Token) -> TrapCode? {
        guard token.kind == .word else { return nil }
        if let code = Keywords.reservedTrapCodes.lookup(bytes, token.start, token.end) { return code }
        guard token.length > 4, token.length <= 7, bytes[token.start] == UInt8(ascii: "u"),
              bytes[token.start + 1] == UInt8(ascii: "s"), bytes[token.start + 2] == UInt8(ascii: "e"),
              bytes[token.start + 3] == UInt8(ascii: "r")
        else { return nil }
        var number = 0
        for offset in token.start + 4 ..< token.end {
            let byte = bytes[offset]
            guard ASCII.isDigit(byte) else { return nil }
            number = number * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return TrapCode.user(number)
    }
}

/// A parse error before it becomes a `Diagnostic`: the message and where. The file name
/// and the source line are added once, where the parse is abandoned, so that creating
/// an error needs no parser state.
struct ParseFailure: Error {
    var kind: Diagnostic.Kind
    var message: String
    var line: Int
    var column: Int
    /// Byte offset where the line starts, or -1 to find it from `line`.
    var lineStart: Int

    init(_ message: String, at token: Token, kind: Diagnostic.Kind = .error) {
        self.kind = kind
        self.message = message
        line = token.line
        column = token.column
        lineStart = token.lineStart
    }

    init(_ message: String, line: Int, column: Int, lineStart: Int, kind: Diagnostic.Kind = .error) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
        self.lineStart = lineStart
    }

    func diagnostic(fileName: String, source: SourceText) -> Diagnostic {
        let start = lineStart >= 0 ? lineStart : source.lineStart(ofLine: line)
        return Diagnostic(kind, message, file: fileName, at: SourceLocation(line: line, column: column),
                          sourceLine: start.map { source.line(startingAt: $0) })
    }
}

/// Decimal float literals (an Egret convenience in run lines): `1.5`, `-0.125`,
/// `2.5e-3`. Turned into an exact hexadecimal literal when the decimal value is a
/// dyadic rational (m / 2^k); FloatText then decides whether it fits the type exactly.
enum DecimalFloat {
    /// `[+-]digits.digits[e[+-]digits]`, with at least one digit and a radix point.
    static func isDecimalLiteral(_ text: Substring) -> Bool {
        var rest = text[...]
        if let first = rest.first, first == "-" || first == "+" { rest = rest.dropFirst() }
        var mantissa = rest
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var exponent = rest[rest.index(after: e)...]
            if let sign = exponent.first, sign == "-" || sign == "+" { exponent = exponent.dropFirst() }
            guard !exponent.isEmpty, exponent.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            mantissa = rest[..<e]
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.contains { !$0.isEmpty }
            && parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    /// `0x…p…` text with exactly the value of `text`, or `nil` if `text` is not a
    /// decimal literal with a radix point or its value is not exactly binary.
    static func exactHexText(_ text: Substring) -> String? {
        var rest = text[...]
        var sign = ""
        if let first = rest.first, first == "-" || first == "+" {
            if first == "-" { sign = "-" }
            rest = rest.dropFirst()
        }
        guard rest.contains("."), !rest.isEmpty else { return nil }
        var exponent10 = 0
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            // abs(Int.min) would trap: the range is checked without it.
            guard let value = Int(rest[rest.index(after: e)...]), (-400 ... 400).contains(value) else { return nil }
            exponent10 = value
            rest = rest[..<e]
        }
        var mantissa: UInt128 = 0
        var seenPoint = false
        var digits = 0
        for character in rest {
            if character == "." {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            guard character.isASCII, let digit = character.wholeNumberValue else { return nil }
            // 2^128 itself (39 digits) overflows only in the addition of its last digit.
            let (times10, overflow) = mantissa.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(UInt128(digit))
            guard !overflow && !carry else { return nil }
            mantissa = sum
            digits += 1
            if seenPoint { exponent10 -= 1 }
        }
        guard digits > 0 else { return nil }
        if mantissa == 0 { return sign + "0x0p0" }
        // value = mantissa × 10^e = mantissa × 5^e × 2^e.
        var binaryExponent = exponent10
        if exponent10 >= 0 {
            for _ in 0 ..< exponent10 {
                let (product, overflow) = mantissa.multipliedReportingOverflow(by: 5)
                guard !overflow else { return nil }
                mantissa = product
            }
        } else {
            for _ in 0 ..< -exponent10 {
                guard mantissa % 5 == 0 else { return nil }
                mantissa /= 5
            }
        }
        while mantissa & 1 == 0 {
            mantissa >>= 1
            binaryExponent += 1
        }
        return sign + "0x" + String(mantissa, radix: 16) + "p\(binaryExponent)"
    }
}
