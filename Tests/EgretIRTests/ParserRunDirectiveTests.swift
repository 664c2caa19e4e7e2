import Testing
@testable import EgretIR

/// `; run:` and `; print:` directives: values typed by the signature, expectations,
/// which function a directive calls, and when comments are directives at all.
struct ParserRunDirectiveTests {
    private func directives(_ text: String) throws -> [RunDirective] {
        try CLIFParser.parse(text).runDirectives
    }

    private static let i8Function = """
        function %neg(i8) -> i8 {
        block0(v0: i8):
            v1 = ineg v0
            return v1
        }

        """

    @Test func integersAreTypedByTheSignature() throws {
        let runs = try directives(Self.i8Function + """
            ; run: %neg(-128) == -128
            ; run: %neg(255) == 1
            ; run: %neg(0x7f) != 0
            """)
        #expect(runs.count == 3)
        #expect(runs[0].arguments == [DataValue(type: .i8, low: 0x80)])
        #expect(runs[0].expectation == .values(.equal, [DataValue(type: .i8, low: 0x80)]))
        #expect(runs[1].arguments == [DataValue(type: .i8, low: 0xFF)], "hex and unsigned spellings give the pattern")
        #expect(runs[2].expectation == .values(.notEqual, [DataValue(type: .i8, low: 0)]))
        #expect(runs[0].function == .testCase("neg") && runs[0].functionIndex == 0)
        #expect(runs[0].location == SourceLocation(line: 6, column: 3))
        #expect(runs[0].text == "run: %neg(-128) == -128")
    }

    @Test func outOfRangeValuesAreErrorsNamingTheType() throws {
        let diagnostic = try #require(ParserTestSupport.diagnostic(Self.i8Function + "; run: %neg(256) == 0\n"))
        #expect(diagnostic.message.contains("i8"))
        #expect(diagnostic.location == SourceLocation(line: 6, column: 13))
    }

    @Test func multipleResultsVectorsFloatsAndWideIntegers() throws {
        let runs = try directives("""
            function %f(i128, f32, f64, i32x4) -> i64, i32x4, f64 {
            block0(v0: i128, v1: f32, v2: f64, v3: i32x4):
                v4 = ireduce.i64 v0
                return v4, v3, v2
            }
            ; run: %f(-1, 0x1.8p1, -0.0, [1 2 3 -1]) == [-1, [1 2 3 -1], -0.0]
            ; run: %f(0xffff_ffff_ffff_ffff_ffff_ffff_ffff_ffff, 1.5, 0.25, 0x00000004000000030000000200000001) == [-1, [1 2 3 4], 0x1.0p-2]
            ; print: %f(0, 0x0.0, +Inf, [0 0 0 0])
            """)
        let i32x4 = IRType(lane: .i32, laneCountLog2: 2)
        #expect(runs[0].arguments[0] == DataValue(type: .i128, low: .max, high: .max))
        #expect(runs[0].arguments[1] == .f32(3.0))
        #expect(runs[0].arguments[2] == .f64(-0.0))
        #expect(runs[0].arguments[3] == DataValue(type: i32x4, low: 0x0000_0002_0000_0001, high: 0xFFFF_FFFF_0000_0003))
        #expect(runs[1].arguments[1] == .f32(1.5), "exact decimal literals are accepted in run lines")
        #expect(runs[1].arguments[3] == DataValue(type: i32x4, low: 0x0000_0002_0000_0001, high: 0x0000_0004_0000_0003))
        if case .values(.equal, let values) = runs[1].expectation {
            #expect(values == [.int(-1, .i64), DataValue(type: i32x4, low: 0x0000_0002_0000_0001,
                                                         high: 0x0000_0004_0000_0003), .f64(0.25)])
        } else {
            Issue.record("expected values")
        }
        #expect(runs[2].expectation == .none)
    }

    @Test func inexactDecimalFloatsAreRejected() throws {
        let text = """
            function %f(f32) -> f32 {
            block0(v0: f32):
                return v0
            }
            ; run: %f(0.1) == 0.1
            """
        let diagnostic = try #require(ParserTestSupport.diagnostic(text))
        #expect(diagnostic.message.contains("not exactly representable"))
    }

    @Test func expectedTrapsAreAnEgretExtension() throws {
        let runs = try directives("""
            function %div(i32, i32) -> i32 {
            block0(v0: i32, v1: i32):
                v2 = udiv v0, v1
                return v2
            }
            ; run: %div(1, 0) == trap int_divz        ; Egret extension: expected trap
            ; run: %div(1, 0) == trap user3
            """)
        #expect(runs.map(\.expectation) == [.trap(.integerDivisionByZero), .trap(TrapCode.user(3)!)])
    }

    @Test func aDirectiveCallsTheFunctionItFollowsAsCraneliftDoes() throws {
        // Cranelift's runner ignores the written name; its own run tests rely on that.
        let runs = try directives("""
            function %a(i32) -> i32 {
            block0(v0: i32):
                return v0
            }
            ; run: %a(1) == 1
            function %b(i64) -> i64 {
            block0(v0: i64):
                return v0
            }
            ; run: %stale_name(0x1_0000_0000) == 0x1_0000_0000
            """)
        #expect(runs.map(\.functionIndex) == [0, 1])
        #expect(runs[1].function == .testCase("b"))
        #expect(runs[1].arguments == [.int(0x1_0000_0000, .i64)])
    }

    @Test func directivesBeforeTheFirstFunctionAreResolvedByName() throws {
        let runs = try directives("""
            test run
            ; run: %later(3) == 3
            function %later(i32) -> i32 {
            block0(v0: i32):
                return v0
            }
            """)
        #expect(runs.count == 1 && runs[0].functionIndex == 0)
        let unknown = try #require(ParserTestSupport.diagnostic("""
            ; run: %nowhere(3) == 3
            function %later(i32) -> i32 {
            block0(v0: i32):
                return v0
            }
            """))
        #expect(unknown.message.contains("%nowhere"))
        #expect(unknown.location == SourceLocation(line: 1, column: 8))
    }

    @Test func bareRunAndPrint() throws {
        let runs = try directives("""
            function %t() -> i8 {
            block0:
                v0 = iconst.i8 1
                return v0
            }
            ; run
            ; print
            """)
        #expect(runs.map(\.expectation) == [.values(.notEqual, [DataValue(type: .i8, low: 0)]), .none])
        #expect(runs.allSatisfy { $0.functionIndex == 0 && $0.arguments.isEmpty })
    }

    @Test func commentsThatOnlyStartWithRunAreNotDirectives() throws {
        let runs = try directives(Self.i8Function + """
            ; running this needs nothing
            ; run the tests below
            ; printing is fine
            ;; run: %neg(1) == -1
            """)
        #expect(runs.count == 1, "`;; run:` is a directive, as in Cranelift")
    }

    @Test func onlyRunAndInterpretFilesHaveDirectives() throws {
        let runs = try directives("test compile\n" + Self.i8Function + "; run: %neg(6330)\n")
        #expect(runs.isEmpty, "a test compile file's run comments are plain comments, as in Cranelift")
    }

    @Test func argumentCountMustMatch() throws {
        let few = try #require(ParserTestSupport.diagnostic(Self.i8Function + "; run: %neg() == 0\n"))
        #expect(few.message.contains("takes 1 argument"))
        let many = try #require(ParserTestSupport.diagnostic(Self.i8Function + "; run: %neg(1, 2) == 0\n"))
        #expect(many.message.contains("takes 1 argument"))
        let junk = try #require(ParserTestSupport.diagnostic(Self.i8Function + "; run: %neg(1) == 0 junk\n"))
        #expect(junk.message.contains("end of the run line"))
    }
}
