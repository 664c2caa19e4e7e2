/// Lexical analysis of CLIF text, over UTF-8 bytes.
///
/// Requires: a buffer that outlives the lexer (the parser lends it for one parse).
/// Guarantees: every call to `next()` consumes at least one byte or returns
/// `.endOfFile`, so no input can make it loop; no token allocates. Entity names
/// (`v7`, `block3`, `ss0`, `i32x4`, …) are classified here, with their number, so the
/// parser compares small integers instead of text.
///
/// Comments are skipped, except that a comment whose first word is `run` or `print`
/// (after any `;` and spaces, as Cranelift trims them), or that starts with `heap:`,
/// is remembered as a directive together with the function it belongs to.
struct Lexer {
    let text: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    let end: Int
    private(set) var line: Int
    private(set) var lineStart: Int

    /// The function that owns comments seen from now on (-1: the file header).
    var directiveOwner = -1
    /// Run and print comments seen so far.
    var directives: [DirectiveComment] = []

    init(text: UnsafeBufferPointer<UInt8>, start: Int = 0, end: Int? = nil, line: Int = 1, lineStart: Int = 0) {
        self.text = text
        position = start
        self.end = end ?? text.count
        self.line = line
        self.lineStart = lineStart
    }

    /// A `; run…`, `; print…` or `; heap:` comment, to be parsed once every function is
    /// known.
    struct DirectiveComment {
        /// The directive's text: from `run`/`print`/`heap` to the end of the line.
        var start: Int
        var end: Int
        var line: Int
        var lineStart: Int
        /// The function the comment follows or sits in (-1 before the first function).
        var owner: Int
        /// A `heap:` directive (parsed before the run directives that use it).
        var isHeap: Bool = false
    }

    /// The next token.
    mutating func next() -> Token {
        while position < end {
            let byte = text[position]
            switch byte {
            case ASCII.newline:
                position += 1
                line += 1
                lineStart = position
            case ASCII.space, ASCII.tab, 0x0B, 0x0C, ASCII.carriageReturn:
                position += 1
            case ASCII.semicolon:
                skipComment()
            default:
                return scanToken(first: byte)
            }
        }
        return make(.endOfFile, from: position)
    }

    /// The rest of the current line from the current position (used for header lines
    /// `test`, `set` and `target`), without its comment; moves past it.
    mutating func restOfLine() -> (start: Int, end: Int) {
        let start = position
        var commentStart: Int?
        while position < end && text[position] != ASCII.newline {
            if commentStart == nil && text[position] == ASCII.semicolon { commentStart = position }
            position += 1
        }
        return (start, commentStart ?? position)
    }

    /// The number of bytes from the current position to the next `}` (or the end):
    /// the rest of a function body, since `}` appears nowhere else in CLIF but in
    /// comments. Used to size a function's arrays before parsing it.
    ///
    /// Performance: compares 16 bytes at a time; a byte loop would cost about as much
    /// as the array growth the estimate saves.
    func distanceToClosingBrace() -> Int {
        var offset = position
        if let base = text.baseAddress {
            let raw = UnsafeRawPointer(base)
            let braces = SIMD16<UInt8>(repeating: UInt8(ascii: "}"))
            while offset + 16 <= end {
                let chunk = raw.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
                if any(chunk .== braces) { break }
                offset += 16
            }
        }
        while offset < end && text[offset] != UInt8(ascii: "}") { offset += 1 }
        return offset - position
    }

    // MARK: Scanning

    @inline(__always)
    private func make(_ kind: TokenKind, from start: Int, number: UInt32 = 0, type: IRType = .invalid) -> Token {
        Token(kind: kind, start: start, end: position, line: line, lineStart: lineStart, number: number, type: type)
    }

    private mutating func scanToken(first byte: UInt8) -> Token {
        let start = position
        position += 1
        switch byte {
        case UInt8(ascii: "("): return make(.leftParen, from: start)
        case UInt8(ascii: ")"): return make(.rightParen, from: start)
        case UInt8(ascii: "{"): return make(.leftBrace, from: start)
        case UInt8(ascii: "}"): return make(.rightBrace, from: start)
        case UInt8(ascii: "["): return make(.leftBracket, from: start)
        case UInt8(ascii: "]"): return make(.rightBracket, from: start)
        case UInt8(ascii: "<"): return make(.leftAngle, from: start)
        case UInt8(ascii: ">"): return make(.rightAngle, from: start)
        case UInt8(ascii: ","): return make(.comma, from: start)
        case UInt8(ascii: "."): return make(.dot, from: start)
        case UInt8(ascii: ":"): return make(.colon, from: start)
        case UInt8(ascii: "="): return make(.equal, from: start)
        case UInt8(ascii: "!"): return make(.bang, from: start)
        case UInt8(ascii: "*"): return make(.star, from: start)
        case UInt8(ascii: "-"):
            if position < end && text[position] == UInt8(ascii: ">") {
                position += 1
                return make(.arrow, from: start)
            }
            return scanNumber(from: start, afterSign: true)
        case UInt8(ascii: "+"):
            return scanNumber(from: start, afterSign: true)
        case UInt8(ascii: "0") ... UInt8(ascii: "9"):
            position = start
            return scanNumber(from: start, afterSign: false)
        case UInt8(ascii: "%"):
            while position < end && ASCII.isWordByte(text[position]) { position += 1 }
            return make(.name, from: start)
        case UInt8(ascii: "\""):
            return scanString(from: start)
        case UInt8(ascii: "#"):
            while position < end && ASCII.isHexDigit(text[position]) { position += 1 }
            return make(.hexSequence, from: start)
        case UInt8(ascii: "@"):
            guard position < end && ASCII.isHexDigit(text[position]) else { return make(.at, from: start) }
            while position < end && ASCII.isHexDigit(text[position]) { position += 1 }
            return make(.sourceLocation, from: start)
        case UInt8(ascii: "a") ... UInt8(ascii: "z"), UInt8(ascii: "A") ... UInt8(ascii: "Z"), UInt8(ascii: "_"):
            position = start
            // Only `N`, `I` and `s` can start `NaN`, `Inf` and `sNaN`.
            if (byte == UInt8(ascii: "N") || byte == UInt8(ascii: "I") || byte == UInt8(ascii: "s"))
                && Self.looksLikeSpecialFloat(text, end, at: start) {
                return scanNumber(from: start, afterSign: false)
            }
            return scanWord(from: start)
        default:
            return make(.invalidCharacter, from: start)
        }
    }

    // Performance: the helpers below are static, taking the bytes explicitly; a
    // non-mutating method called from the mutating scanners would copy the lexer.

    @inline(__always)
    private static func looking(_ text: UnsafeBufferPointer<UInt8>, _ end: Int, at word: StaticString,
                                from offset: Int) -> Bool {
        let count = word.utf8CodeUnitCount
        guard offset + count <= end else { return false }
        let bytes = word.utf8Start
        for index in 0 ..< count where text[offset + index] != bytes[index] { return false }
        return true
    }

    private static func looksLikeSpecialFloat(_ text: UnsafeBufferPointer<UInt8>, _ end: Int, at offset: Int) -> Bool {
        looking(text, end, at: "NaN", from: offset) || looking(text, end, at: "Inf", from: offset)
            || looking(text, end, at: "sNaN", from: offset)
    }

    /// Numbers as Cranelift's lexer sees them: an optional sign, then letters, digits,
    /// `_`, `-` and `.`; a `.` (or `NaN`/`Inf`) makes it a float. A sign not followed by
    /// something numeric is a `+`/`-` token.
    private mutating func scanNumber(from start: Int, afterSign: Bool) -> Token {
        var isFloat = false
        if afterSign {
            // A sign was consumed: is a number following it?
            guard position < end else { return make(text[start] == UInt8(ascii: "-") ? .minus : .plus, from: start) }
            let next = text[position]
            let numeric = ASCII.isDigit(next) || next == UInt8(ascii: "-") || next == UInt8(ascii: "+")
                || next == UInt8(ascii: ".") || Self.looksLikeSpecialFloat(text, end, at: position)
            guard numeric else { return make(text[start] == UInt8(ascii: "-") ? .minus : .plus, from: start) }
        }
        if Self.looking(text, end, at: "NaN:", from: position) || Self.looking(text, end, at: "sNaN:", from: position) {
            while position < end && text[position] != UInt8(ascii: ":") { position += 1 }
            isFloat = true
        } else if Self.looksLikeSpecialFloat(text, end, at: position) {
            isFloat = true
        }
        position += 1
        while position < end {
            let byte = text[position]
            if byte == UInt8(ascii: ".") {
                isFloat = true
            } else if !(ASCII.isWordByte(byte) || byte == UInt8(ascii: "-")) {
                break
            }
            position += 1
        }
        return make(isFloat ? .float : .integer, from: start)
    }

    /// A string may span lines; its token is located where it starts.
    private mutating func scanString(from start: Int) -> Token {
        let startLine = line, startLineStart = lineStart
        while position < end && text[position] != UInt8(ascii: "\"") {
            if text[position] == ASCII.newline {
                line += 1
                lineStart = position + 1
            }
            position += 1
        }
        let closed = position < end
        if closed { position += 1 }
        return Token(kind: closed ? .string : .unterminatedString, start: start, end: position, line: startLine,
                     lineStart: startLineStart, number: 0, type: .invalid)
    }

    private mutating func skipComment() {
        let start = position
        while position < end && text[position] != ASCII.newline { position += 1 }
        var cursor = start
        while cursor < position && (text[cursor] == ASCII.semicolon || text[cursor] == ASCII.space) { cursor += 1 }
        let isHeap = Self.looking(text, end, at: "heap:", from: cursor)
        let isDirective = isHeap
            || (Self.looking(text, end, at: "run", from: cursor) && !Self.continuesWord(text, end, cursor + 3))
            || (Self.looking(text, end, at: "print", from: cursor) && !Self.continuesWord(text, end, cursor + 5))
        if isDirective && cursor < position {
            directives.append(DirectiveComment(start: cursor, end: position, line: line, lineStart: lineStart,
                                               owner: directiveOwner, isHeap: isHeap))
        }
    }

    private static func continuesWord(_ text: UnsafeBufferPointer<UInt8>, _ end: Int, _ offset: Int) -> Bool {
        offset < end && ASCII.isWordByte(text[offset])
    }

    // MARK: Words and entities

    private mutating func scanWord(from start: Int) -> Token {
        // Fast path for the most frequent token of all, a value `vN`.
        if text[start] == UInt8(ascii: "v") {
            var cursor = start + 1
            var number: UInt64 = 0
            while cursor < end && cursor - start <= 10 && ASCII.isDigit(text[cursor]) {
                number = number &* 10 &+ UInt64(text[cursor] &- UInt8(ascii: "0"))
                cursor += 1
            }
            let digits = cursor - start - 1
            if digits > 0 && (digits == 1 || text[start + 1] != UInt8(ascii: "0"))
                && (cursor == end || !ASCII.isWordByte(text[cursor])) && number <= UInt64(UInt32.max) {
                position = cursor
                return make(.value, from: start, number: UInt32(number))
            }
        }
        // One pass finds the word's end, where its trailing digits start and their
        // value: `block12` → ("block", 12). Digits before a letter are part of the prefix.
        var cursor = start + 1
        var digitsStart = -1
        var number: UInt64 = 0
        while cursor < end {
            let byte = text[cursor]
            if ASCII.isDigit(byte) {
                if digitsStart < 0 {
                    digitsStart = cursor
                    number = 0
                }
                // Wraps harmlessly past 20 digits; more than 10 digits is rejected below.
                number = number &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
            } else if ASCII.isWordByte(byte) {
                digitsStart = -1
            } else {
                break
            }
            cursor += 1
        }
        position = cursor
        let stop = cursor
        let digitCount = digitsStart < 0 ? 0 : stop - digitsStart
        if digitCount > 0 && digitCount <= 10 && (digitCount == 1 || text[digitsStart] != UInt8(ascii: "0")) {
            if number <= UInt64(UInt32.max) {
                let value = UInt32(number)
                if let kind = Self.entityKind(text, prefixStart: start, prefixEnd: digitsStart) {
                    return make(kind, from: start, number: value)
                }
                if let type = Self.scalarOrVectorType(text, start: start, digitsStart: digitsStart, number: value) {
                    return make(.type, from: start, type: type)
                }
            }
        } else if stop - start > 2 && text[stop - 1] == UInt8(ascii: "N") && text[stop - 2] == UInt8(ascii: "x") {
            // Dynamic vector types: `i32x4xN`.
            var inner = stop - 2
            while inner > start && ASCII.isDigit(text[inner - 1]) { inner -= 1 }
            if inner < stop - 2, stop - 2 - inner <= 3 {
                var number: UInt32 = 0
                for offset in inner ..< stop - 2 { number = number * 10 + UInt32(text[offset] - UInt8(ascii: "0")) }
                if let type = Self.scalarOrVectorType(text, start: start, digitsStart: inner, number: number),
                   type.isVector {
                    return make(.type, from: start, type: IRType(lane: type.laneKind ?? .i8,
                                                                  laneCountLog2: type.laneCountLog2, dynamic: true))
                }
            }
        }
        return make(.word, from: start)
    }

    /// The entity kind named by a prefix (`v`, `block`, `ss`, …).
    private static func entityKind(_ text: UnsafeBufferPointer<UInt8>, prefixStart: Int, prefixEnd: Int) -> TokenKind? {
        func looking(at word: StaticString, from offset: Int) -> Bool {
            Lexer.looking(text, prefixEnd, at: word, from: offset)
        }
        let length = prefixEnd - prefixStart
        let first = text[prefixStart]
        switch length {
        case 1:
            if first == UInt8(ascii: "v") { return .value }
            if first == UInt8(ascii: "u") { return .userRef }
        case 2:
            if looking(at: "ss", from: prefixStart) { return .stackSlot }
            if looking(at: "dt", from: prefixStart) { return .dynamicType }
            if looking(at: "gv", from: prefixStart) { return .globalValue }
            if looking(at: "mt", from: prefixStart) { return .memoryType }
            if looking(at: "fn", from: prefixStart) { return .funcRef }
        case 3:
            if looking(at: "dss", from: prefixStart) { return .dynamicStackSlot }
            if looking(at: "sig", from: prefixStart) { return .sigRef }
            if looking(at: "tag", from: prefixStart) { return .exceptionTag }
            if looking(at: "ret", from: prefixStart) { return .tryCallReturn }
            if looking(at: "exn", from: prefixStart) { return .tryCallException }
        case 5:
            if looking(at: "block", from: prefixStart) { return .block }
            if looking(at: "const", from: prefixStart) { return .constant }
        case 6:
            if looking(at: "region", from: prefixStart) { return .aliasRegion }
        case 7:
            if looking(at: "extable", from: prefixStart) { return .exceptionTableRef }
        case 11:
            if looking(at: "userextname", from: prefixStart) { return .userExternalName }
        default:
            break
        }
        return nil
    }

    /// `i32` (prefix `i`, number 32) or `i32x4` (prefix `i32x`, number 4).
    private static func scalarOrVectorType(_ text: UnsafeBufferPointer<UInt8>, start: Int, digitsStart: Int,
                                           number: UInt32) -> IRType? {
        let prefixLength = digitsStart - start
        guard prefixLength >= 1 else { return nil }
        let first = text[start]
        guard first == UInt8(ascii: "i") || first == UInt8(ascii: "f") else { return nil }
        if prefixLength == 1 {
            return IRType.scalar(isInteger: first == UInt8(ascii: "i"), bits: number)
        }
        // A vector: `i` / `f`, the lane width, `x`, then the lane count (already `number`).
        guard text[digitsStart - 1] == UInt8(ascii: "x"), prefixLength >= 3, prefixLength <= 5 else { return nil }
        var bits: UInt32 = 0
        for offset in start + 1 ..< digitsStart - 1 {
            let byte = text[offset]
            guard ASCII.isDigit(byte) else { return nil }
            bits = bits * 10 + UInt32(byte - UInt8(ascii: "0"))
        }
        guard text[start + 1] != UInt8(ascii: "0"),
              let lane = IRType.scalar(isInteger: first == UInt8(ascii: "i"), bits: bits),
              number >= 2, number & (number - 1) == 0
        else { return nil }
        let log2 = number.trailingZeroBitCount
        guard log2 <= IRType.maxLaneCountLog2, let kind = lane.laneKind else { return nil }
        return IRType(lane: kind, laneCountLog2: log2)
    }
}

extension IRType {
    /// `i8`…`i128` or `f16`…`f128` by width; `nil` for other widths.
    static func scalar(isInteger: Bool, bits: UInt32) -> IRType? {
        switch (isInteger, bits) {
        case (true, 8): return .i8
        case (true, 16): return .i16
        case (true, 32): return .i32
        case (true, 64): return .i64
        case (true, 128): return .i128
        case (false, 16): return .f16
        case (false, 32): return .f32
        case (false, 64): return .f64
        case (false, 128): return .f128
        default: return nil
        }
    }
}

/// What a token is. Entity kinds carry their number in `Token.number`.
enum TokenKind: UInt8 {
    case endOfFile, invalidCharacter, unterminatedString
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket, leftAngle, rightAngle
    case comma, dot, colon, equal, bang, star, at, plus, minus, arrow
    case integer, float, word, name, string, hexSequence, sourceLocation, type
    case value, block, stackSlot, dynamicStackSlot, dynamicType, globalValue, memoryType, constant
    case funcRef, sigRef, userRef, userExternalName, exceptionTableRef, exceptionTag, aliasRegion
    case tryCallReturn, tryCallException
}

/// One token: its kind, its bytes `start ..< end` in the text, where it starts, and
/// for entities and types their decoded number or type.
///
/// Performance: 24 bytes (32-bit offsets; `CLIFParser` rejects texts of 2 GiB or more),
/// since every token is returned and copied by value.
struct Token {
    private var startOffset: Int32
    private var endOffset: Int32
    private var lineNumber: Int32
    private var lineStartOffset: Int32
    var number: UInt32
    var type: IRType
    var kind: TokenKind

    @inline(__always)
    init(kind: TokenKind, start: Int, end: Int, line: Int, lineStart: Int, number: UInt32, type: IRType) {
        self.kind = kind
        startOffset = Int32(truncatingIfNeeded: start)
        endOffset = Int32(truncatingIfNeeded: end)
        lineNumber = Int32(truncatingIfNeeded: line)
        lineStartOffset = Int32(truncatingIfNeeded: lineStart)
        self.number = number
        self.type = type
    }

    @inline(__always) var start: Int { Int(startOffset) }
    @inline(__always) var end: Int { Int(endOffset) }
    @inline(__always) var line: Int { Int(lineNumber) }
    @inline(__always) var lineStart: Int { Int(lineStartOffset) }
    var column: Int { start - lineStart + 1 }
    var location: SourceLocation { SourceLocation(line: line, column: column) }
    @inline(__always) var length: Int { end - start }
}

/// Byte constants and classes for the lexer.
enum ASCII {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let semicolon = UInt8(ascii: ";")

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    @inline(__always) static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte == UInt8(ascii: "_")
    }

    /// The value of a hex digit (the caller checked `isHexDigit`).
    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8 {
        isDigit(byte) ? byte - 0x30 : (byte | 0x20) - UInt8(ascii: "a") + 10
    }
}
