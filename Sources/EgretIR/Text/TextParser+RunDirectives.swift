/// Run directives: comments that call a function of the file with constant arguments.
///
///     ; run: %f(1, 2) == 3
///     ; run: %g(0) == [1, -1]                 ; several results, in brackets
///     ; run: %h([1 2 3 4]) != [0 0 0 0]       ; vectors as lanes, or 0x… bytes
///     ; run: %div(1, 0) == trap int_divz      ; Egret extension: an expected trap
///     ; print: %f(1, 2)
///     ; run                                   ; bare: the function above, () -> int, != 0
///     ; heap: 16 = "00ff"                     ; Egret extension: a heap buffer (HeapImage)
///     ; run: %st(heap, 1) == 0, heap == "01ff" ; its address, its contents after the call
///
/// Values are typed by the called function's signature (arguments by its parameters,
/// expectations by its returns), so `-1` is an `i8` or an `i64` as the signature says.
/// Integers accept −2^(N−1) … 2^N−1 (hex may give the full unsigned pattern); floats
/// use CLIF's float syntax and, as an Egret convenience, exactly representable decimal
/// literals with a radix point (`1.5`, `-0.25`, `3.0e2`); anything inexact is an error.
///
/// Which function a directive calls follows Cranelift's runner: a directive belongs to
/// the function it sits in or follows (up to the next `function`), and calls that
/// function whatever name it writes. Cranelift's own run tests rely on this (stale
/// names after copied functions). A directive before the first function is resolved
/// by its name (an Egret extension); directives are parsed after the whole file, so
/// that name may be of any function in it, and an unknown name is an error.
extension TextParser {
    mutating func resolveRunDirectives() throws {
        let comments = lexer.directives
        guard !comments.isEmpty, runsDirectives else { return }
        let savedLexer = lexer
        let savedToken = token
        defer {
            lexer = savedLexer
            token = savedToken
        }
        module.runDirectives.reserveCapacity(comments.count)
        // The heap first: run directives anywhere in the file may pass it.
        for comment in comments where comment.isHeap {
            startLexing(comment, in: savedLexer)
            try parseHeapDirective()
        }
        for comment in comments where !comment.isHeap {
            startLexing(comment, in: savedLexer)
            if let directive = try parseRunDirective(comment) {
                module.runDirectives.append(directive)
            }
        }
    }

    private mutating func startLexing(_ comment: Lexer.DirectiveComment, in fileLexer: Lexer) {
        lexer = Lexer(text: fileLexer.text, start: comment.start, end: comment.end, line: comment.line,
                      lineStart: comment.lineStart)
        advance()
    }

    /// heap ::= "heap" ":" size [ "=" "\"" hex-digit-pairs "\"" ]
    private mutating func parseHeapDirective() throws {
        let keyword = token
        advance()
        try expect(.colon, "':' after heap")
        if let earlier = module.heap {
            throw error("a file has one heap; it is declared at line \(earlier.location.line)", at: keyword)
        }
        let sizeToken = token
        let size = try source.integerBits(token, bits: 64, typeName: "the heap size")
        guard size >= 1, size <= UInt128(HeapImage.maximumSize) else {
            throw error("a heap has 1 to \(HeapImage.maximumSize) bytes", at: sizeToken)
        }
        advance()
        var bytes = [UInt8](repeating: 0, count: Int(size))
        if accept(.equal) {
            let given = try parseHexBytes(limit: bytes.count, what: "the heap's contents")
            bytes.replaceSubrange(0 ..< given.count, with: given)
        }
        guard token.kind == .endOfFile else { throw unexpected("the end of the heap line") }
        module.heap = HeapImage(size: bytes.count, bytes: bytes, location: keyword.location)
    }

    /// A string of hex digit pairs, the bytes in address order: at most `limit` bytes.
    private mutating func parseHexBytes(limit: Int, what: String) throws -> [UInt8] {
        let literal = token
        guard literal.kind == .string else {
            throw unexpected("\(what) as a string of hex digit pairs, such as \"00ff\"")
        }
        let digits = source.bytes[(literal.start + 1) ..< (literal.end - 1)]
        guard digits.count % 2 == 0 else { throw error("\(what): an odd number of hex digits", at: literal) }
        guard digits.count / 2 <= limit else {
            throw error("\(what): \(digits.count / 2) bytes, but the heap has \(limit)", at: literal)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var high: UInt8 = 0
        for (index, digit) in digits.enumerated() {
            guard let value = Self.hexDigitValue(digit) else {
                throw error("\(what): '\(Character(Unicode.Scalar(digit)))' is not a hex digit", at: literal)
            }
            if index % 2 == 0 { high = value } else { bytes.append(high << 4 | value) }
        }
        advance()
        return bytes
    }

    private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Whether the file's run comments are directives: as in Cranelift, only in files
    /// that `test run` or `test interpret` (or `test aot`, or, for Egret's own generated
    /// files, that have no `test` line at all). A `test compile` file's `; run:` is just
    /// a comment.
    private var runsDirectives: Bool {
        module.testCommands.isEmpty || module.testCommands.contains { command in
            let name = command.split(separator: " ").first ?? ""
            return name == "run" || name == "interpret" || name == "aot"
        }
    }

    /// One directive; `nil` when the comment only starts with the word `run` or `print`
    /// (`; run the tests below`) and is no directive at all.
    private mutating func parseRunDirective(_ comment: Lexer.DirectiveComment) throws -> RunDirective? {
        let keyword = token
        let isRun = isWord("run")
        advance()
        let text = String(decoding: UnsafeBufferPointer(rebasing: lexer.text[comment.start ..< comment.end]),
                          as: UTF8.self).trimmingTrailingWhitespace()
        guard accept(.colon) else {
            guard token.kind == .endOfFile else { return nil }
            return try bareDirective(isRun: isRun, owner: comment.owner, keyword: keyword, text: text)
        }
        let (index, arguments, heapArguments) = try parseInvocation(owner: comment.owner)
        var expectation = RunDirective.Expectation.none
        var expectedHeap: [UInt8]?
        if isRun {
            expectation = try parseExpectation(returns: module.functions[index].signature.returns)
            if accept(.comma) {
                expectedHeap = try parseHeapExpectation()
            }
        }
        guard token.kind == .endOfFile else {
            throw unexpected("the end of the \(isRun ? "run" : "print") line"
                + (isRun && expectedHeap == nil && module.heap != nil ? " (or ', heap == \"…\"')" : ""))
        }
        var directive = RunDirective(function: module.functions[index].name, functionIndex: index,
                                     arguments: arguments, expectation: expectation, location: keyword.location,
                                     text: text)
        directive.heapArguments = heapArguments
        directive.expectedHeap = expectedHeap
        return directive
    }

    /// heap-expectation ::= "heap" "==" "\"" hex-digit-pairs "\""
    private mutating func parseHeapExpectation() throws -> [UInt8] {
        guard isWord("heap") else { throw unexpected("'heap == \"…\"' (the heap's contents after the call)") }
        guard let heap = module.heap else {
            throw error("'heap ==' needs a heap: declare one with '; heap: SIZE'")
        }
        advance()
        try expect(.equal, "'==' after heap")
        try expect(.equal, "'==' after heap")
        var bytes = [UInt8](repeating: 0, count: heap.size)
        let given = try parseHexBytes(limit: heap.size, what: "the heap's expected contents")
        bytes.replaceSubrange(0 ..< given.count, with: given)
        return bytes
    }

    /// `; run` / `; print` alone: the function the comment belongs to, called without
    /// arguments; `run` expects a non-zero integer result (Cranelift's old form).
    private func bareDirective(isRun: Bool, owner: Int, keyword: Token, text: String) throws -> RunDirective {
        guard owner >= 0, owner < module.functions.count else {
            throw error("a bare '\(isRun ? "run" : "print")' must follow a function", at: keyword)
        }
        let function = module.functions[owner]
        let signature = function.signature
        var expectation = RunDirective.Expectation.none
        if isRun {
            guard signature.params.isEmpty, signature.returns.count == 1, signature.returns[0].type.isInt else {
                throw error("a bare 'run' needs a function of type () -> integer; write '; run: %f(…) == …'",
                            at: keyword)
            }
            expectation = .values(.notEqual, [DataValue(type: signature.returns[0].type, low: 0)])
        } else {
            guard signature.params.isEmpty else {
                throw error("a bare 'print' needs a function without parameters; write '; print: %f(…)'", at: keyword)
            }
        }
        return RunDirective(function: function.name, functionIndex: owner, arguments: [], expectation: expectation,
                            location: keyword.location, text: text)
    }

    /// invocation ::= ( %name | uN:M ) "(" [ argument { "," argument } ] ")"
    /// argument ::= value | "heap"
    ///
    /// Calls `owner` when the directive has one (see above), else the named function.
    /// Returns the function, its arguments and the positions that pass the heap.
    private mutating func parseInvocation(owner: Int) throws -> (Int, [DataValue], [Int]) {
        let nameToken = token
        guard token.kind == .name || token.kind == .userRef else { throw unexpected("a function name such as %f") }
        let written = try parseFunctionName()
        let index: Int
        if owner >= 0 && owner < module.functions.count {
            index = owner
        } else {
            guard let named = module.functionIndex(named: written) else {
                throw error("no function named \(written) in this file", at: nameToken)
            }
            index = named
        }
        let name = module.functions[index].name
        let parameters = module.functions[index].signature.params
        try expect(.leftParen, "'(' and the arguments of \(name)")
        var arguments: [DataValue] = []
        var heapArguments: [Int] = []
        arguments.reserveCapacity(parameters.count)
        for (position, parameter) in parameters.enumerated() {
            if position > 0 {
                guard accept(.comma) else {
                    throw unexpected("',' and argument \(position + 1) of \(parameters.count) of \(name)")
                }
            }
            if token.kind == .rightParen {
                throw error("\(name) takes \(parameters.count) argument\(parameters.count == 1 ? "" : "s"), "
                    + "\(position) given")
            }
            if isWord("heap") {
                guard module.heap != nil else {
                    throw error("'heap' passes the heap's address, but the file declares no heap "
                        + "(add '; heap: SIZE')")
                }
                guard parameter.type == .i64 else {
                    throw error("'heap' passes a 64-bit address, but parameter \(position + 1) of \(name) is "
                        + "\(parameter.type)")
                }
                advance()
                heapArguments.append(position)
                arguments.append(DataValue(type: .i64, low: 0))
                continue
            }
            arguments.append(try parseDataValue(parameter.type))
        }
        guard token.kind == .rightParen else {
            if token.kind == .comma {
                throw error("\(name) takes \(parameters.count) argument\(parameters.count == 1 ? "" : "s")")
            }
            throw unexpected("')' after the arguments of \(name)")
        }
        advance()
        return (index, arguments, heapArguments)
    }

    /// comparison expected ::= ("==" | "!=") ( value | "[" [ value { "," value } ] "]" | "trap" code )
    private mutating func parseExpectation(returns: [AbiParam]) throws -> RunDirective.Expectation {
        let comparison: RunDirective.Comparison
        if accept(.equal) {
            try expect(.equal, "'==' or '!='")
            comparison = .equal
        } else if accept(.bang) {
            try expect(.equal, "'!='")
            comparison = .notEqual
        } else {
            throw unexpected("'==' or '!='")
        }
        if isWord("trap") {
            guard comparison == .equal else { throw error("an expected trap is written '== trap CODE'") }
            advance()
            return .trap(try parseTrapCode())
        }
        var values: [DataValue] = []
        if returns.count == 1 {
            values.append(try parseDataValue(returns[0].type))
        } else {
            try expect(.leftBracket, "'[' and the \(returns.count) expected results")
            for (position, result) in returns.enumerated() {
                if position > 0 { try expect(.comma, "',' and expected result \(position + 1) of \(returns.count)") }
                values.append(try parseDataValue(result.type))
            }
            try expect(.rightBracket, "']' after the \(returns.count) expected results")
        }
        return .values(comparison, values)
    }

    /// One constant of `type`.
    private mutating func parseDataValue(_ type: IRType) throws -> DataValue {
        if type.isVector {
            let bytes = try parseVectorConstant(type: type, allowDecimal: true)
            var low: UInt64 = 0, high: UInt64 = 0
            for (index, byte) in bytes.enumerated() {
                if index < 8 {
                    low |= UInt64(byte) << UInt64(8 * index)
                } else {
                    high |= UInt64(byte) << UInt64(8 * (index - 8))
                }
            }
            return DataValue(type: type, low: low, high: high)
        }
        let literal = token
        let bits: UInt128
        if type.isInt {
            bits = try source.integerBits(literal, bits: type.bits, typeName: type.description)
        } else if type.isFloat {
            bits = try source.floatBits(literal, type: type, allowDecimal: true)
        } else {
            throw error("run lines cannot pass values of type \(type)")
        }
        advance()
        return DataValue(type: type, low: UInt64(truncatingIfNeeded: bits), high: UInt64(truncatingIfNeeded: bits >> 64))
    }
}

fileprivate extension String {
    func trimmingTrailingWhitespace() -> String {
        var end = endIndex
        while end > startIndex, let last = self[index(before: end)].asciiValue,
              last == 0x20 || last == 0x09 || last == 0x0D {
            end = index(before: end)
        }
        return String(self[..<end])
    }
}
