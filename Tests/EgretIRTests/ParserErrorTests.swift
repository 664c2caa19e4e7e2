import Testing
@testable import EgretIR

/// Bad input is a `Diagnostic` with file, line, column and the source line; valid CLIF
/// that Egret cannot represent is `.unsupported(feature:)`.
struct ParserErrorTests {
    /// A text that must fail, the message fragment expected, and where (line, column).
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var fragment: String
        var line: Int
        var column: Int
        var testDescription: String { fragment }
    }

    private static func body(_ lines: String, params: String = "i32") -> String {
        "function %f(\(params)) {\nblock0(v0: \(params)):\n" + lines + "\n}\n"
    }

    static let cases: [Case] = [
        Case(text: body("    v1 = iadd v0, v9\n    return"), fragment: "v9 is used but never defined", line: 3, column: 19),
        Case(text: body("    v1 = iadd v0, v0\n    v1 = iadd v0, v0\n    return"), fragment: "v1 is already defined",
             line: 4, column: 5),
        Case(text: body("    jump block4"), fragment: "block4 is referenced but has no header", line: 3, column: 10),
        Case(text: body("    v1 = iadd_imm v0, 3\n    return"), fragment: "unknown opcode 'iadd_imm'", line: 3, column: 10),
        Case(text: body("    v1 = isubb v0, v0\n    return"), fragment: "did you mean 'isub'", line: 3, column: 10),
        Case(text: body("    v1 = iconst 3\n    return"), fragment: "iconst needs a type suffix", line: 3, column: 10),
        Case(text: body("    v1 = iconst.i8 256\n    return"), fragment: "does not fit in i8", line: 3, column: 20),
        Case(text: body("    v1 = iconst.i8 -129\n    return"), fragment: "does not fit in i8", line: 3, column: 20),
        Case(text: body("    v1 = iconst.i64 0x1_0000_0000_0000_0000\n    return"), fragment: "does not fit in i64",
             line: 3, column: 21),
        Case(text: body("    v1 = iconst.i128 1\n    return"), fragment: "i128 is not a valid type for iconst",
             line: 3, column: 17),
        Case(text: body("    v1 = iadd v0, v0\n    return", params: "f32"), fragment: "f32 is not a valid type for iadd",
             line: 3, column: 10),
        Case(text: body("    v1 = jump.i32 block0"), fragment: "jump does not take a type suffix", line: 3, column: 15),
        Case(text: body("    v1 = iadd v0\n    return"), fragment: "expected ',' between operands", line: 4, column: 5),
        Case(text: body("    v1, v2 = iadd v0, v0\n    return"), fragment: "iadd produces 1 result value, 2 given",
             line: 3, column: 5),
        Case(text: body("    v1 = load.i32 v0+0x8000_0000\n    return"), fragment: "offset", line: 3, column: 21),
        Case(text: body("    v1 = f32const 0x1.000001p0\n    return"), fragment: "invalid f32 literal", line: 3, column: 19),
        Case(text: body("    v1 = stack_addr.i64 ss0\n    return"), fragment: "ss0 is not declared", line: 3, column: 25),
        Case(text: body("    v1 = call fn0(v0)\n    return"), fragment: "fn0 is not declared", line: 3, column: 15),
        Case(text: body("    trap bogus"), fragment: "expected a trap code", line: 3, column: 10),
        Case(text: body("    v1 = load.i32 little big v0\n    return"), fragment: "both big and little", line: 3, column: 26),
        Case(text: body("    v1 = iadd v2, v0\n    v2 = iadd v1, v0\n    return"), fragment: "depends on this instruction",
             line: 4, column: 10),
        Case(text: body("    v1 -> v2\n    v2 -> v1\n    return"), fragment: "alias cycle", line: 3, column: 5),
        Case(text: body("    v1 = iadd v0, v0 $\n    return"), fragment: "invalid character '$'", line: 3, column: 22),
        Case(text: body("    v1 = iadd v0, v0 \u{E9}\n    return"), fragment: "non-ASCII byte 0xC3", line: 3, column: 22),
        Case(text: body("    v1048577 = iadd v0, v0\n    return"), fragment: "value number 1048577 is too large",
             line: 3, column: 5),
        Case(text: "function %f() {\n    ss70000 = explicit_slot 4\nblock0:\n    return\n}\n",
             fragment: "stack slot number 70000 is too large", line: 2, column: 5),
        Case(text: "function %f() {\nblock0:\n    return\n", fragment: "unexpected end of file", line: 4, column: 1),
        Case(text: "function %f(i32 {\n", fragment: "expected ')' after the parameters", line: 1, column: 17),
        Case(text: "function %f() bogus_cc {\n", fragment: "unknown calling convention 'bogus_cc'", line: 1, column: 15),
        Case(text: "v1 = iadd v0, v0\n", fragment: "expected 'function'", line: 1, column: 1),
        Case(text: "function %f() {\n    v1 = iconst.i32 1\n}\n", fragment: "must follow a block header", line: 2, column: 5),
        Case(text: "function %f() {\nblock0:\n    return\n}\ntest run\n", fragment: "header lines", line: 5, column: 1),
        Case(text: body("    brif v0, block0(ret0), block0"), fragment: "only allowed on the targets of try_call",
             line: 3, column: 21),
    ]

    @Test(arguments: cases)
    func malformedInputIsAnErrorWithALocation(_ testCase: Case) throws {
        let diagnostic = try #require(ParserTestSupport.diagnostic(testCase.text), "expected an error")
        #expect(!diagnostic.isUnsupported)
        #expect(diagnostic.message.contains(testCase.fragment), "\(diagnostic)")
        #expect(diagnostic.location == SourceLocation(line: testCase.line, column: testCase.column), "\(diagnostic)")
        #expect(diagnostic.file == "test.clif")
        #expect(diagnostic.sourceLine != nil)
    }

    @Test func theRenderingShowsFileLineColumnTheLineAndACaret() throws {
        let diagnostic = try #require(ParserTestSupport.diagnostic(Self.body("    v1 = iadd v0, v9\n    return")))
        #expect(diagnostic.description == """
            test.clif:3:19: error: v9 is used but never defined
                v1 = iadd v0, v9
                              ^
            """)
    }

    static let unsupportedCases: [(text: String, feature: String)] = [
        ("function %f(i64) {\n    region0 = 2 \"vmctx\"\nblock0(v0: i64):\n    return\n}\n", "alias regions"),
        ("function %f(i64 vmctx) {\n    gv0 = vmctx\n    stack_limit = gv0\nblock0(v0: i64):\n    return\n}\n",
         "stack_limit"),
        ("function %f() {\n    ss0 = explicit_slot 8, key = 3\nblock0:\n    return\n}\n", "stack slot keys"),
        ("function %f() {\n    fn0 = patchable %g()\nblock0:\n    return\n}\n", "patchable calls"),
        ("function %f(i64 sarg(8)) {\nblock0(v0: i64):\n    return\n}\n", "sarg parameters"),
        ("function %f(i64) {\n    fn0 = %g(i64)\nblock0(v0: i64):\n    call fn0(v0), stack_map = [i64 @ ss0+0]\n"
            + "    return\n}\n", "user stack maps"),
        (body("    v1 = load.i32 region0 v0\n    return", params: "i64"), "alias regions"),
    ]

    @Test(arguments: 0 ..< unsupportedCases.count)
    func validButUnrepresentableCLIFIsUnsupported(_ index: Int) throws {
        let (text, feature) = Self.unsupportedCases[index]
        let diagnostic = try #require(ParserTestSupport.diagnostic(text))
        #expect(diagnostic.kind == .unsupported(feature: feature), "\(diagnostic)")
        #expect(diagnostic.location.isKnown)
    }
}
