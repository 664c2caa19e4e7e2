import Testing
@testable import EgretIR

/// The printer's canonical text: Cranelift's layout and spellings, the type-suffix
/// rule, inline signatures, and robustness on functions built by code.
struct PrinterTests {
    private func canonical(_ text: String) throws -> String {
        CLIFPrinter.print(try CLIFParser.parse(text))
    }

    @Test func layoutAndSpellingsFollowCranelift() throws {
        let printed = try canonical("""
            test run
            set opt_level=speed
            target x86_64
            function %f(i64, i32) -> i32 {
              ss0 = explicit_slot 16 , align=16
              sig0 = (i32) -> i32 tail
              fn0 = %g sig0
              fn1 = colocated %h(i64) -> i64
            block0(v0:i64,v1:i32):
              v2 = iconst.i32 -1
              v3 = iconst.i64 -1
              v4 = iconst.i64 10000
              v5 = iconst.i64 9999
              v6 = load.i32 aligned notrap v0+0
              v7 = load.i32 heap_oob v0+65536
              v8 = load.i32 int_divz big readonly v0-8
              v9 = stack_addr.i64 ss0+4
              v10 = call fn0(v1)
              v11 = f64const 0x1.8p3
              store notrap aligned v10, v9
              brif v10, block1, block1
            block1:
              return v10
            }
            ; run: %f(0x10, 2) == 3
            """)
        #expect(printed == """
            test run
            set opt_level=speed
            target x86_64

            function %f(i64, i32) -> i32 {
                ss0 = explicit_slot 16, align = 16
                sig0 = (i32) -> i32 tail
                fn0 = %g sig0
                fn1 = colocated %h(i64) -> i64

            block0(v0: i64, v1: i32):
                v2 = iconst.i32 0xffff_ffff
                v3 = iconst.i64 -1
                v4 = iconst.i64 0x2710
                v5 = iconst.i64 9999
                v6 = load.i32 notrap aligned v0
                v7 = load.i32 v0+0x0001_0000
                v8 = load.i32 int_divz readonly big v0-8
                v9 = stack_addr.i64 ss0+4
                v10 = call fn0(v1)
                v11 = f64const 0x1.8000000000000p3
                store notrap aligned v10, v9
                brif v10, block1, block1

            block1:
                return v10
            }
            ; run: %f(16, 2) == 3

            """)
    }

    @Test func aFunctionWithoutPreambleStartsWithItsFirstBlock() throws {
        #expect(try canonical("function %f() {\nblock0:\n return\n}") == "function %f() {\nblock0:\n    return\n}\n")
    }

    @Test func typeSuffixesArePrintedWhenCraneliftsReaderNeedsThem() throws {
        let printed = try canonical("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                v1 = iadd v0, v0
                jump block2
            block1:
                v3 = iadd v2, v2
                return v3
            block2:
                v2 = iadd.i32 v1, v1
                jump block1
            }
            """)
        #expect(printed.contains("    v1 = iadd v0, v0\n"), "operand defined earlier: no suffix")
        #expect(printed.contains("    v3 = iadd.i32 v2, v2\n"), "operand defined further down: suffix")
        #expect(printed.contains("    v2 = iadd v1, v1\n"), "a redundant written suffix is not kept")
    }

    /// Shuffle masks live in the constant pool, so they are declared in the preamble
    /// (`const1` here) as well as written inline, as Cranelift prints them.
    @Test func everyFormatPrintsAsWritten() throws {
        let text = """
            function %f(i64, i32, f32, i8x16) -> i64 {
                ss0 = explicit_slot 8
                gv0 = symbol colocated %data+8
                sig0 = (i64) -> i64
                fn0 = %g(i64) -> i64
                const0 = 0x0000000000000000000000000000ff01
                const1 = 0x0f0e0d0c0b0a09080706050403020100

            block0(v0: i64, v1: i32, v2: f32, v3: i8x16):
                v4 = vconst.i8x16 const0
                v5 = shuffle v3, v4, 0x0f0e0d0c0b0a09080706050403020100
                v6 = extractlane v5, 2
                v7 = insertlane v5, v6, 3
                v8 = fcmp ult v2, v2
                v9 = icmp sge v1, v1
                v10 = atomic_rmw.i64 little umax v0, v0
                v11 = atomic_cas little v0, v10, v10
                v12 = bitcast.i32 little v2
                v13 = symbol_value.i64 gv0
                v14 = func_addr.i64 fn0
                v15 = call_indirect sig0, v14(v13)
                v16, v17 = isplit v15
                v18 = uadd_overflow_trap v1, v1, user3
                trapz v18, int_ovf
                br_table v1, block1(v0), [block1(v15), block2]

            block1(v19: i64):
                try_call fn0(v19), sig0, block2, [ context v19, tag3: block1(exn0), default: block2 ]

            block2:
                v20 = get_exception_handler_address.i64 block1, 0
                return v20
            }

            """
        #expect(try canonical(text) == text)
    }

    @Test func aFunctionBuiltByCodePrintsAndParsesBack() throws {
        var function = Function(name: .testCase("built"), signature: Signature(params: [AbiParam(.i32)],
                                                                               returns: [AbiParam(.i32)]))
        let block = Block(0)
        let params = function.appendBlock(block, parameterTypes: [.i32])
        var add = InstructionData(opcode: .iadd, type: .i32)
        add.arguments = function.appendValues([params[0], params[0]])
        function.appendInstruction(add, results: [.i32], to: block)
        var ret = InstructionData(opcode: .return)
        ret.arguments = function.appendValues([Value(1)])
        function.appendInstruction(ret, results: [], to: block)
        let printed = CLIFPrinter.print(function)
        #expect(printed == "function %built(i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd v0, v0\n    return v1\n}\n")
        // Code may lay out its pools in any order, so the check is on the text.
        #expect(CLIFPrinter.print(try ParserTestSupport.parseFunction(printed)) == printed)
    }

    @Test func inlineSignaturesArePrintedInlineOnlyWhenReparsingKeepsTheirNumbers() throws {
        var function = try ParserTestSupport.parseFunction("""
            function %f() {
                fn0 = %g(i32)
                fn1 = %h(i64)
            block0:
                return
            }
            """)
        #expect(CLIFPrinter.print(function).contains("    fn0 = %g(i32)\n    fn1 = %h(i64)\n"))
        // Swap the numbering: inline printing could not reproduce it, so sigN are explicit.
        function.functionRefs[0]?.signature = SigRef(1)
        function.functionRefs[1]?.signature = SigRef(0)
        let printed = CLIFPrinter.print(function)
        #expect(printed.contains("    sig0 = (i32)\n    sig1 = (i64)\n    fn0 = %g sig1\n    fn1 = %h sig0\n"))
        #expect(ParserTestSupport.difference(try ParserTestSupport.parseFunction(printed), function)?
            .contains("function declarations") ?? false, "only the inline flag differs")
    }

    @Test func aMalformedFunctionStillPrints() throws {
        var function = Function(name: .testCase("broken"), signature: Signature())
        function.appendBlock(Block(0), parameterTypes: [])
        var data = InstructionData(opcode: .iadd, type: .i32)
        data.arguments = PoolRange(start: 40, count: 3)
        function.appendInstruction(data, results: [.i32], to: Block(0))
        var call = InstructionData(opcode: .try_call)
        call.entity = 9
        function.appendInstruction(call, results: [], to: Block(0))
        function.layout.append(Block(5))
        let printed = CLIFPrinter.print(function)
        #expect(printed.contains("v0 = iadd.i32\n"))
        #expect(printed.contains("block5:"))
    }

    @Test func runDirectivesPrintWithTheirValues() throws {
        let module = try CLIFParser.parse("""
            function %f(f32, i8x16) -> i8, f32 {
            block0(v0: f32, v1: i8x16):
                v2 = iconst.i8 -1
                return v2, v0
            }
            ; run: %f(1.5, 0x0f) == [255, 0x1.8p0]
            ; run: %f(-0.0, [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16]) != [0, 0.0]
            ; print: %f(+Inf, 0x00)
            """)
        #expect(module.runDirectives.map(CLIFPrinter.text(of:)) == [
            "run: %f(0x1.800000p0, [15 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0]) == [-1, 0x1.800000p0]",
            "run: %f(-0.0, [1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16]) != [0, 0.0]",
            "print: %f(+Inf, [0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0])",
        ])
    }
}
