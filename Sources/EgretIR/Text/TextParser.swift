/// The state of one parse of a CLIF file: the lexer with one token of lookahead, the
/// module built so far and the function being read.
///
/// The parser is split by concern: the file header and functions (CLIFParser.swift),
/// signatures and names (`+Signature`), the preamble (`+Preamble`), blocks and
/// instruction lines (`+Body`), operands of every instruction format (`+Operands`),
/// immediates (`+Immediates`; token-level decoding is in SourceText.swift), types and
/// the whole-function checks after the closing brace (`+Finish`), and run directives
/// (`+RunDirectives`).
///
/// Requires: `text` stays valid for the parser's lifetime (`CLIFParser.parse` lends it).
/// Guarantees: any input ends in a `Module` or a thrown `ParseFailure` with a location
/// (turned into a `Diagnostic` by `CLIFParser.parse`); every loop consumes a token per
/// iteration; entity numbers are capped before any array is sized by them.
struct TextParser {
    var lexer: Lexer
    /// The current (lookahead) token.
    var token: Token
    /// The bytes being parsed; token-level helpers live there (see SourceText).
    let source: SourceText
    var module = Module()

    /// The function being parsed and what the parser knows about it.
    var function = Function(name: .testCase(""), signature: Signature())
    var context = FunctionContext()

    /// The tables of the hot path, held here so each lookup is a plain array access.
    let opcodeNames = Keywords.opcodes
    let opcodeFacts = OpcodeFacts.rows
    let resultConstraints = OpcodeTable.flatResults
    let acceptedTypeBits = OpcodeTable.controllingTypeBits

    /// Highest value or block number accepted: big enough for any real function, small
    /// enough that a stray `v999999999` cannot make the parser allocate gigabytes.
    static let maxValueOrBlockNumber: UInt32 = 1 << 20
    /// Highest number of a preamble entity (`ss`, `gv`, `sig`, `fn`, `const`, …).
    static let maxPreambleEntityNumber: UInt32 = 1 << 16

    init(text: UnsafeBufferPointer<UInt8>, fileName: String) {
        lexer = Lexer(text: text)
        source = SourceText(bytes: text)
        token = Token(kind: .endOfFile, start: 0, end: 0, line: 1, lineStart: 0, number: 0, type: .invalid)
        module.fileName = fileName
        advance()
    }

    // MARK: Tokens
    //
    // Performance: the parser is a large struct; the helpers called per token are
    // `mutating` or inlined, because a non-mutating method called from a mutating one
    // receives a copy of the whole parser.

    /// Moves to the next token.
    @inline(__always)
    mutating func advance() {
        token = lexer.next()
    }

    /// Whether the current token is the word `word`.
    @inline(__always)
    func isWord(_ word: StaticString) -> Bool {
        token.kind == .word && source.tokenEquals(token, word)
    }

    /// Consumes a token of `kind` or fails with "expected `what`".
    @discardableResult @inline(__always)
    mutating func expect(_ kind: TokenKind, _ what: @autoclosure () -> String) throws -> Token {
        guard token.kind == kind else { throw unexpected(what()) }
        let matched = token
        advance()
        return matched
    }

    /// Consumes a token of `kind` if it is there.
    @inline(__always)
    mutating func accept(_ kind: TokenKind) -> Bool {
        guard token.kind == kind else { return false }
        advance()
        return true
    }

    /// Consumes the word `word` if it is there.
    @inline(__always)
    mutating func acceptWord(_ word: StaticString) -> Bool {
        guard isWord(word) else { return false }
        advance()
        return true
    }

    /// The token's text (for messages and cold paths).
    func text(of token: Token) -> String {
        source.text(of: token)
    }

    // MARK: Errors

    /// An error at `token` (the current token by default).
    func error(_ message: String, at token: Token? = nil) -> ParseFailure {
        ParseFailure(message, at: token ?? self.token)
    }

    /// Valid CLIF that Egret cannot represent yet: exit status 3, naming the feature.
    func unsupported(_ feature: String, _ message: String, at token: Token? = nil) -> ParseFailure {
        ParseFailure(message, at: token ?? self.token, kind: .unsupported(feature: feature))
    }

    /// "expected X, found Y" at the current token.
    @inline(never)
    func unexpected(_ expectation: String) -> ParseFailure {
        switch token.kind {
        case .invalidCharacter:
            return error("invalid character \(describeInvalidByte(source.bytes[token.start])) (expected \(expectation))")
        case .unterminatedString:
            return error("unterminated string literal")
        case .endOfFile:
            return error("unexpected end of file, expected \(expectation)")
        default:
            return error("expected \(expectation), found '\(source.echo(token))'")
        }
    }

    private func describeInvalidByte(_ byte: UInt8) -> String {
        if byte >= 0x80 { return "(non-ASCII byte 0x\(String(byte, radix: 16, uppercase: true)))" }
        if byte < 0x20 || byte == 0x7F { return "(control byte 0x\(String(byte, radix: 16, uppercase: true)))" }
        return "'\(Character(Unicode.Scalar(byte)))'"
    }

}

/// Per-function bookkeeping of the parser: which preamble entities were declared,
/// references to values and blocks not defined yet, aliases, inline signatures of
/// function declarations, instructions waiting for their type.
struct FunctionContext {
    var stackSlots = DeclarationSet()
    var dynamicStackSlots = DeclarationSet()
    var dynamicTypes = DeclarationSet()
    var globalValues = DeclarationSet()
    var signatures = DeclarationSet()
    var functionRefs = DeclarationSet()
    var constants = DeclarationSet()

    /// References inside the preamble, checked when the preamble ends (declarations may
    /// come in any order): (what is referenced, by which token).
    var preambleReferences: [(kind: TokenKind, token: Token)] = []
    /// Function declarations with an inline signature: (FuncRef index, signature).
    var inlineSignatures: [(function: Int, signature: Signature)] = []

    /// Uses of values that were not defined yet when read: checked after the body.
    var forwardValueUses: [Token] = []
    /// References to blocks whose header was not read yet: checked after the body.
    var forwardBlockUses: [Token] = []
    /// `vA -> vB` lines: alias, target, and the token of the alias for messages.
    var aliases: [(alias: Value, target: Value, token: Token)] = []
    /// For each value number used as an alias, `true`.
    var isAlias: [Bool] = []

    /// Instructions whose typevar operand had no type yet when they were read (it is
    /// defined further down): typed once the body is complete.
    var deferredInstructions: [Int] = []
    /// Constants written inline (vconst literals, shuffle masks), for deduplication.
    var inlineConstants: [[UInt8]: Int] = [:]
}

/// Which indices of one kind of entity have been declared.
struct DeclarationSet {
    private(set) var declared: [Bool] = []

    func contains(_ index: Int) -> Bool { index >= 0 && index < declared.count && declared[index] }

    /// Marks `index` declared; `false` if it already was.
    mutating func declare(_ index: Int) -> Bool {
        if index >= declared.count {
            declared.append(contentsOf: repeatElement(false, count: index + 1 - declared.count))
        }
        if declared[index] { return false }
        declared[index] = true
        return true
    }
}
