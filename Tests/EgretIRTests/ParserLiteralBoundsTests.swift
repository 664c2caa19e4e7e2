import Testing
@testable import EgretIR

/// Literals, sizes and offsets beyond what their place holds are located errors,
/// never a trap of the Swift runtime, and the message stays short however long the
/// literal is.
struct ParserLiteralBoundsTests {
    /// A run test of `function %f(type) -> type` returning its parameter, with `line`
    /// after it.
    static func identity(_ type: String, _ line: String) -> String {
        """
        test run
        function %f(\(type)) -> \(type) {
        block0(v0: \(type)):
            return v0
        }
        \(line)
        """
    }

    /// A function with `declaration` in its preamble and `body` before its return.
    static func function(preamble declaration: String = "", _ body: String) -> String {
        """
        test run
        function %f(i64) -> i64 {
            \(declaration)
        block0(v0: i64):
            \(body)
            return v0
        }
        """
    }

    /// Decimal float run-line arguments that overflowed or trapped while being made
    /// exact: 2^128 written with `.0` (the last digit carried past 128 bits) and an
    /// exponent of Int.min (whose absolute value does not exist).
    @Test(arguments: [
        "340282366920938463463374607431768211456.0", "-340282366920938463463374607431768211456.0",
        "340282366920938463463374607431768211455.0", "1.0e-9223372036854775808", "1.0e9223372036854775807",
        "1.0e99999999999999999999", "1.5e400", "0.5e-400",
    ])
    func hugeDecimalFloatsAreLocatedErrors(literal: String) throws {
        for type in ["f32", "f64"] {
            let diagnostic = try #require(ParserTestSupport.diagnostic(Self.identity(type, "; run: %f(\(literal)) == 0.0")))
            #expect(diagnostic.location == SourceLocation(line: 6, column: 11), "\(diagnostic)")
            #expect(diagnostic.message.contains("not exactly representable as \(type)"), "\(diagnostic)")
        }
    }

    /// Every kind of literal, with a million digits or a huge exponent, in each place
    /// that reads one: an error at its line and column, whose message is short.
    @Test(arguments: [
        Hostile("i64", "; run: %f(\(String(repeating: "9", count: 1_000_000))) == 0", 11),
        Hostile("i128", "; run: %f(-\(String(repeating: "9", count: 1_000_000))) == 0", 11),
        Hostile("i64", "; run: %f(0x\(String(repeating: "f", count: 1000))) == 0", 11),
        Hostile("f64", "; run: %f(\(String(repeating: "1", count: 1_000_000)).0) == 0.0", 11),
        Hostile("f64", "; run: %f(0.\(String(repeating: "0", count: 1_000_000))1) == 0.0", 11),
        Hostile("f64", "; run: %f(0x1p99999999999) == 0.0", 11),
        Hostile("f32", "; run: %f(0x\(String(repeating: "1", count: 1000)).0p0) == 0.0", 11),
        Hostile("f32", "; run: %f(-0x1p-32768) == 0.0", 11),
        Hostile("f64", "; run: %f(NaN:0x\(String(repeating: "f", count: 100))) == 0.0", 11),
    ])
    func hostileRunArgumentsAreLocatedErrors(_ hostile: Hostile) throws {
        let diagnostic = try #require(ParserTestSupport.diagnostic(Self.identity(hostile.type, hostile.text)))
        #expect(diagnostic.location == SourceLocation(line: 6, column: hostile.column), "\(diagnostic.message)")
        #expect(diagnostic.description.utf8.count < 600, "a message of \(diagnostic.description.utf8.count) bytes")
    }

    /// Immediates, sizes, offsets and alignments: each checked against what its place
    /// holds.
    @Test(arguments: [
        Hostile(Self.function("v1 = iconst.i64 \(String(repeating: "1", count: 1_000_000))"), 5, 21),
        Hostile(Self.function("v1 = iconst.i64 18446744073709551616"), 5, 21),
        Hostile(Self.function("v1 = iconst.i8 256"), 5, 20),
        Hostile(Self.function("v1 = f64const 0x1p99999"), 5, 19),
        Hostile(Self.function(preamble: "ss0 = explicit_slot 18446744073709551616", "v1 = stack_addr.i64 ss0"), 3, 25),
        Hostile(Self.function(preamble: "ss0 = explicit_slot 4294967296", "v1 = stack_addr.i64 ss0"), 3, 25),
        Hostile(Self.function(preamble: "ss0 = explicit_slot 8, align = 9223372036854775808", "v1 = stack_addr.i64 ss0"), 3, 36),
        Hostile(Self.function(preamble: "ss0 = explicit_slot 8", "v1 = stack_addr.i64 ss0+2147483648"), 5, 28),
        Hostile(Self.function("v1 = load.i64 v0-9223372036854775809"), 5, 21),
        Hostile(Self.function("v1 = load.i64 v0+\(String(repeating: "9", count: 100_000))"), 5, 21),
    ])
    func hostileImmediatesAreLocatedErrors(_ hostile: Hostile) throws {
        let diagnostic = try #require(ParserTestSupport.diagnostic(hostile.text))
        #expect(diagnostic.location == SourceLocation(line: hostile.line, column: hostile.column), "\(diagnostic.message)")
        #expect(diagnostic.description.utf8.count < 600, "a message of \(diagnostic.description.utf8.count) bytes")
    }

    /// A heap larger than the harness gives, or than 64 bits, is refused at its size.
    @Test(arguments: ["18446744073709551616", "18446744073709551615", "0", "9223372036854775807"])
    func hugeHeapsAreLocatedErrors(size: String) throws {
        let diagnostic = try #require(ParserTestSupport.diagnostic("; heap: \(size)\n" + Self.identity("i64", "")))
        #expect(diagnostic.location == SourceLocation(line: 1, column: 9), "\(diagnostic)")
    }

    // MARK: Echoing input in messages

    @Test func echoShortensLongInputOnly() {
        #expect(Diagnostic.echo("1234") == "1234")
        let eighty = String(repeating: "x", count: 80)
        #expect(Diagnostic.echo(eighty) == eighty)
        let long = String(repeating: "7", count: 5_000_000)
        #expect(Diagnostic.echo(long) == String(repeating: "7", count: 40) + "… (5000000 bytes)")
    }

    /// A long source line is shown as a window around the column, the caret under it.
    @Test func aLongSourceLineIsShownAroundTheColumn() {
        let line = String(repeating: "a", count: 100_000) + "BAD" + String(repeating: "b", count: 100_000)
        let diagnostic = Diagnostic(.error, "here", file: "x.clif", at: SourceLocation(line: 1, column: 100_001),
                                    sourceLine: line)
        let lines = diagnostic.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("…") && lines[1].hasSuffix("…") && lines[1].count <= Diagnostic.lineWindow + 2)
        let caret = lines[2].count - 1
        #expect(lines[2].hasSuffix("^"))
        #expect(Array(lines[1])[caret] == "B", "the caret is not under the column")
        let short = Diagnostic(.error, "here", file: "x.clif", at: SourceLocation(line: 1, column: 3), sourceLine: "abcdef")
        #expect(short.description == "x.clif:1:3: error: here\nabcdef\n  ^")
    }
}

/// A hostile input of a parameterised test, shown in the test log by a short name
/// (its text may be a million characters over several lines).
struct Hostile: Sendable, CustomTestStringConvertible {
    var type: String
    var text: String
    var line: Int
    var column: Int

    /// A run line for a function of `type`.
    init(_ type: String, _ text: String, _ column: Int) {
        self.type = type
        self.text = text
        line = 6
        self.column = column
    }

    /// A whole module, the error expected at `line`:`column`.
    init(_ text: String, _ line: Int, _ column: Int) {
        type = ""
        self.text = text
        self.line = line
        self.column = column
    }

    /// The line the error is expected on, shortened.
    var testDescription: String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let focus = type.isEmpty && line >= 1 && line <= lines.count ? lines[line - 1] : Substring(text)
        let trimmed = focus.drop { $0 == " " }
        let shown = trimmed.count > 60 ? trimmed.prefix(40) + "… (\(trimmed.utf8.count) bytes)" : trimmed
        return "\(type.isEmpty ? "" : type + ": ")\(shown)"
    }
}
