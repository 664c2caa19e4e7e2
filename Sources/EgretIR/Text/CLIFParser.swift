/// Reads CLIF text, as Cranelift writes it today, into a `Module`.
///
///     test run
///     set opt_level=speed
///     target x86_64
///
///     function %add(i32, i32) -> i32 {
///     block0(v0: i32, v1: i32):
///         v2 = iadd v0, v1
///         return v2
///     }
///     ; run: %add(1, 2) == 3
///
/// Pipeline of one parse (all in `TextParser`):
///
///     bytes --Lexer--> tokens --header--> test/set/target lines
///                             --function--> signature, preamble, blocks, instructions
///                                           (values and blocks by their text numbers,
///                                            typed as they are appended)
///                             --finish----> aliases resolved, undefined values and
///                                           blocks reported, forward-referenced types
///                                           inferred
///           run comments ----------------> RunDirective, typed by the called
///                                           function's signature (after the last function)
///
/// A run directive calls the function it sits in or follows, whatever name it writes,
/// as Cranelift's runner does (see TextParser+RunDirectives.swift).
///
/// Requires: nothing of the input. Guarantees: a `Module` whose functions have every
/// value used defined, every block referenced declared, every value typed and every
/// preamble reference declared; or a thrown `Diagnostic` (`.error` for malformed input,
/// `.unsupported(feature:)` for valid CLIF Egret cannot represent yet) with file, line,
/// column and source line. Type correctness beyond what inference needs is the
/// verifier's job.
///
/// Where Egret departs from Cranelift's reader (each documented where parsed):
/// - the `.type` suffix may be omitted when the typevar operand is defined *later* in
///   the text (Cranelift insists it is defined earlier);
/// - `_` separators in decimal immediates of every width;
/// - value aliases (`v3 -> v1`) are resolved: uses of the alias become uses of the
///   value, and the alias number stays undefined;
/// - source locations (`@0012`) and debug tags (`<1, ss0>`) are accepted and dropped;
///   an address-type suffix on indirect calls (`call_indirect.i64`) is checked and
///   dropped (Egret's opcode table types the callee as any address);
/// - run directives: `== trap CODE`; exactly representable decimal float literals
///   (`1.5`); a directive before the first function is resolved by name (Cranelift
///   would ignore it); `uN:M` names are accepted as well as `%name`.
/// Valid CLIF whose meaning the data model cannot hold (alias regions, `stack_limit`,
/// stack slot keys, patchable calls, `sarg`, user stack maps, memory types) is
/// `.unsupported(feature:)`, never a syntax error.
public enum CLIFParser {
    /// Parses a whole `.clif` file. Throws `Diagnostic` (kind `.error` → exit 2, kind
    /// `.unsupported(feature:)` → exit 3) with file:line:col and the offending source
    /// line filled in.
    public static func parse(_ text: String, fileName: String = "<input>") throws -> Module {
        var text = text
        guard text.utf8.count < Int(Int32.max) else {
            throw Diagnostic(.error, "file is too large (2 GiB or more)", file: fileName)
        }
        return try text.withUTF8 { bytes in
            var parser = TextParser(text: bytes, fileName: fileName)
            do {
                return try parser.parseModule()
            } catch let failure as ParseFailure {
                throw failure.diagnostic(fileName: fileName, source: SourceText(bytes: bytes))
            }
        }
    }
}

extension TextParser {
    /// file ::= { header-line } { function } — with run comments anywhere.
    mutating func parseModule() throws -> Module {
        try parseHeaderLines()
        while token.kind != .endOfFile {
            guard isWord("function") else {
                if isWord("test") || isWord("set") || isWord("target") {
                    throw error("header lines ('\(source.echo(token))') must come before the first function")
                }
                throw unexpected("'function'")
            }
            try parseFunction()
        }
        try resolveRunDirectives()
        return module
    }

    /// `test NAME [options]`, `set NAME[=VALUE] …`, `target ISA [flags…]` and
    /// `feature "NAME"` lines, in any order before the first function.
    private mutating func parseHeaderLines() throws {
        while token.kind == .word {
            let keyword = token
            if isWord("test") {
                let words = headerWords()
                guard !words.isEmpty else { throw error("expected a test command after 'test'", at: keyword) }
                module.testCommands.append(words.joined(separator: " "))
            } else if isWord("set") {
                let words = headerWords()
                guard !words.isEmpty else { throw error("expected a setting after 'set'", at: keyword) }
                for word in words {
                    // `name=value`, or a bare `name` for a boolean flag. Unknown settings
                    // are kept: they are reported by the tools, never fatal here.
                    let parts = word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard let name = parts.first, !name.isEmpty else {
                        throw error("malformed setting '\(word)'", at: keyword)
                    }
                    let value = parts.count > 1 ? String(parts[1]) : nil
                    module.settings.append(Module.Setting(name: String(name), value: value, location: keyword.location))
                }
            } else if isWord("target") {
                var words = headerWords()
                guard !words.isEmpty else { throw error("expected a target ISA after 'target'", at: keyword) }
                let isa = words.removeFirst()
                module.targets.append(Module.Target(isa: isa, flags: words, location: keyword.location))
            } else if isWord("feature") {
                // `feature "name"` / `feature !"name"`: Cranelift build features a test
                // needs; Egret has none of them to check, so the line is skipped.
                advance()
                _ = accept(.bang)
                try expect(.string, "a quoted feature name after 'feature'")
                continue
            } else {
                return
            }
            advance()
        }
    }

    /// The whitespace-separated words after the current keyword, to the end of its line
    /// (a `;` comment ends the line). Leaves the lexer at the next line.
    private mutating func headerWords() -> [String] {
        let (start, end) = lexer.restOfLine()
        let line = String(decoding: UnsafeBufferPointer(rebasing: lexer.text[start ..< end]), as: UTF8.self)
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
    }

    /// Sizes the function's arrays for a body of about `bodyBytes` bytes, so a large
    /// function is not built by repeated doubling (each step copies the array and
    /// touches fresh pages). Text of dense instructions averages over 20 bytes a line.
    private mutating func reserveCapacities(bodyBytes: Int) {
        let instructions = bodyBytes / 20 + 4
        function.insts.reserveCapacity(instructions)
        function.instResults.reserveCapacity(instructions)
        function.instLocations.reserveCapacity(instructions)
        function.values.reserveCapacity(instructions + instructions / 4)
        function.valuePool.reserveCapacity(3 * instructions)
    }

    /// function ::= "function" name signature "{" preamble body "}"
    private mutating func parseFunction() throws {
        let keyword = token
        // Comments from here to the next `function` belong to this function.
        lexer.directiveOwner = module.functions.count
        advance()
        let name = try parseFunctionName()
        let signature = try parseSignature()
        function = Function(name: name, signature: signature)
        function.location = keyword.location
        context = FunctionContext()
        try expect(.leftBrace, "'{' before the function body")
        reserveCapacities(bodyBytes: lexer.distanceToClosingBrace())
        try parsePreamble()
        try parseBody()
        try expect(.rightBrace, "'}' after the function body")
        try finishFunction()
        module.functions.append(function)
        function = Function(name: .testCase(""), signature: Signature())
        context = FunctionContext()
    }
}
