import Testing
@testable import EgretIR

/// What the parser stores for each construct of CLIF: header lines, signatures, the
/// preamble, blocks, every instruction format, type inference, aliases.
struct ParserTests {
    typealias Support = ParserTestSupport

    /// The only instruction of block0 of a one-function text.
    private func onlyInstruction(_ body: String, preamble: String = "", params: String = "i64, i32, f32, i8x16",
                                 sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
        -> (Function, InstructionData) {
        let text = """
            function %f(\(params)) {
            \(preamble)
            block0(v0: i64, v1: i32, v2: f32, v3: i8x16):
                \(body)
                return
            }
            """
        let function = try Support.parseFunction(text)
        let first = try #require(function.blocks[0].insts.first, sourceLocation: sourceLocation)
        return (function, function[first])
    }

    // MARK: Header and functions

    @Test func headerLinesAreKept() throws {
        let module = try CLIFParser.parse("""
            test interpret
            test run
            set opt_level=speed
            set enable_simd unknown_option=7 ; comment
            target x86_64 has_avx has_sse41
            feature "foo"
            function %f() {
            block0:
                return
            }
            """)
        #expect(module.testCommands == ["interpret", "run"])
        #expect(module.settings.map(\.name) == ["opt_level", "enable_simd", "unknown_option"])
        #expect(module.settings.map(\.value) == ["speed", nil, "7"])
        #expect(module.targets.count == 1)
        #expect(module.targets[0].isa == "x86_64")
        #expect(module.targets[0].flags == ["has_avx", "has_sse41"])
        #expect(module.functions.count == 1)
    }

    @Test func signaturesAndNames() throws {
        let module = try CLIFParser.parse("""
            function %f(i32 uext, i64 sext, i64 vmctx, i64 sret) -> i8 sext, f64 windows_fastcall {
            block0(v0: i32, v1: i64, v2: i64, v3: i64):
                v4 = iconst.i8 1
                v5 = f64const 0.0
                return v4, v5
            }
            function u1:2() tail {
            block0:
                return
            }
            function %g() {
            block0:
                return
            }
            """)
        let f = module.functions[0]
        #expect(f.name == .testCase("f"))
        #expect(f.signature.params == [AbiParam(.i32, extension_: .uext), AbiParam(.i64, extension_: .sext),
                                       AbiParam(.i64, purpose: .vmctx), AbiParam(.i64, purpose: .structReturn)])
        #expect(f.signature.returns == [AbiParam(.i8, extension_: .sext), AbiParam(.f64)])
        #expect(f.signature.callConv == .windowsFastcall)
        #expect(module.functions[1].name == .user(namespace: 1, index: 2))
        #expect(module.functions[1].signature.callConv == .tail)
        #expect(module.functions[2].signature.callConv == .systemV, "no convention means system_v")
    }

    @Test func blocksKeepTheirTextNumbers() throws {
        let function = try Support.parseFunction("""
            function %f(i32) -> i32 {
            block0(v10: i32):
                jump block7(v10)
            block7(v3: i32) cold:
                v20 = iadd v3, v3
                return v20
            }
            """)
        #expect(function.layout == [Block(0), Block(7)])
        #expect(function.params(of: Block(7)).map(\.index) == [3])
        #expect(function.blocks[7].isCold)
        #expect(!function.blocks[0].isCold)
        #expect(function.type(of: Value(20)) == .i32)
        #expect(function.values[20].definition == .result)
        #expect(function.values[3].definition == .param)
        #expect(!function.isDefined(Value(4)), "numbers never written stay undefined")
        #expect(function.location(of: Inst(1)) == SourceLocation(line: 5, column: 11))
    }

    // MARK: Preamble

    @Test func preambleDeclarations() throws {
        let function = try Support.parseFunction("""
            function %f(i64 vmctx) {
                ss0 = explicit_slot 16, align = 8
                ss2 = explicit_slot 4
                gv0 = vmctx
                gv1 = load.i64 notrap aligned readonly gv0+8
                gv2 = iadd_imm.i64 gv1, -16
                gv3 = symbol colocated tls %thing+0x10
                sig0 = (i32, i32) -> i32 tail
                fn0 = colocated %callee sig0
                fn1 = %libc(i64) -> i64
                const0 = 0x0102
                const1 = i32x4 [1 2 3 4]
                dt0 = i32x4*gv0
                dss0 = explicit_dynamic_slot dt0

            block0(v0: i64):
                return
            }
            """)
        #expect(function.stackSlots.count == 3)
        #expect(function.stackSlots[0] == StackSlotData(size: 16, alignmentLog2: 3, hasExplicitAlignment: true))
        #expect(function.stackSlots[2].size == 4)
        #expect(function.globalValues[0] == .vmContext)
        var flags = MemFlags.trusted
        flags.readonly = true
        #expect(function.globalValues[1] == .load(base: GlobalValue(0), offset: 8, type: .i64, flags: flags))
        #expect(function.globalValues[2] == .addImmediate(base: GlobalValue(1), offset: -16, type: .i64))
        #expect(function.globalValues[3] == .symbol(name: .testCase("thing"), offset: 16, colocated: true,
                                                    threadLocal: true))
        #expect(function.signatures[0] == Signature(params: [AbiParam(.i32), AbiParam(.i32)],
                                                    returns: [AbiParam(.i32)], callConv: .tail))
        #expect(function.functionRefs[0] == ExternalFunction(name: .testCase("callee"), signature: SigRef(0),
                                                             colocated: true))
        let inline = try #require(function.functionRefs[1])
        #expect(inline.inlineSignature)
        #expect(inline.signature == SigRef(1), "an inline signature is numbered after the declared ones")
        #expect(function.signatures[1] == Signature(params: [AbiParam(.i64)], returns: [AbiParam(.i64)]))
        #expect(function.constants[0] == [0x02, 0x01], "constant data is little-endian")
        #expect(function.constants[1] == [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0])
        #expect(function.dynamicTypes[0] == DynamicTypeData(baseVectorType: IRType(lane: .i32, laneCountLog2: 2),
                                                            scale: GlobalValue(0)))
        #expect(function.dynamicStackSlots[0] == DynamicStackSlotData(dynamicType: DynamicTypeRef(0)))
    }

    // MARK: Instruction formats

    @Test func integerImmediatesAreStoredAsTheTypesBitPattern() throws {
        let function = try Support.parseFunction("""
            function %f() {
            block0:
                v0 = iconst.i8 -1
                v1 = iconst.i8 255
                v2 = iconst.i32 0xffff_ffff
                v3 = iconst.i64 -1
                v4 = iconst.i16 -32768
                v5 = iconst.i64 0x8000_0000_0000_0000
                v6 = iconst.i32 1_000_000
                return
            }
            """)
        let immediates = function.blocks[0].insts.dropLast().map { function[$0].immediate }
        #expect(immediates == [255, 255, 0xFFFF_FFFF, -1, 0x8000, Int64.min, 1_000_000])
    }

    @Test func unaryBinaryTernaryAndImmediates() throws {
        let (f1, unary) = try onlyInstruction("v10 = bnot v1")
        #expect(unary.opcode == .bnot && unary.type == .i32)
        #expect(f1.arguments(of: f1.blocks[0].insts[0]).map(\.index) == [1])
        let (_, lane) = try onlyInstruction("v10 = extractlane v3, 15")
        #expect(lane.immediate == 15 && lane.type == IRType(lane: .i8, laneCountLog2: 4))
        let (f3, select) = try onlyInstruction("v10 = select v1, v0, v0")
        #expect(select.type == .i64, "select's controlling type is operand 1")
        #expect(f3.arguments(of: f3.blocks[0].insts[0]).map(\.index) == [1, 0, 0])
        let (_, float) = try onlyInstruction("v10 = f32const -0x1.8p1")
        #expect(UInt32(truncatingIfNeeded: float.immediate) == (-3.0 as Float).bitPattern)
        let (_, compare) = try onlyInstruction("v10 = icmp uge v0, v0")
        #expect(compare.intCC == .uge)
        let (_, fcompare) = try onlyInstruction("v10 = fcmp ueq v2, v2")
        #expect(fcompare.floatCC == .ueq)
    }

    @Test func memoryFormats() throws {
        let (_, load) = try onlyInstruction("v10 = load.i32 notrap aligned little v0+0x0010")
        #expect(load.offset == 16)
        #expect(load.flags.trapCode == nil && load.flags.aligned && load.flags.endianness == .little)
        let (_, negative) = try onlyInstruction("v10 = sload16.i64 user9 v0-4")
        #expect(negative.offset == -4 && negative.flags.trapCode == TrapCode.user(9))
        let (f3, store) = try onlyInstruction("store big v1, v0+8")
        #expect(store.opcode == .store && store.type == .i32 && store.offset == 8 && store.flags.endianness == .big)
        #expect(f3.arguments(of: f3.blocks[0].insts[0]).map(\.index) == [1, 0])
        let (_, rmw) = try onlyInstruction("v10 = atomic_rmw.i32 little xchg v0, v1")
        #expect(rmw.atomicOp == .xchg && rmw.flags.endianness == .little && rmw.type == .i32)
        let (_, cas) = try onlyInstruction("v10 = atomic_cas v0, v1, v1")
        #expect(cas.type == .i32, "atomic_cas infers from operand 2")
        let (_, bitcast) = try onlyInstruction("v10 = bitcast.i32 little v2")
        #expect(bitcast.flags.endianness == .little && bitcast.type == .i32)
        let (_, slot) = try onlyInstruction("v10 = stack_addr.i64 ss0+4", preamble: "    ss0 = explicit_slot 8")
        #expect(slot.stackSlot == StackSlot(0) && slot.offset == 4)
    }

    @Test func vectorConstantsAndShuffles() throws {
        let (f1, vconst) = try onlyInstruction("v10 = vconst.i32x4 [1 -1 0x7fffffff 0]")
        #expect(f1.constants[vconst.constant.position]
                == [1, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 127, 0, 0, 0, 0])
        let (f2, hex) = try onlyInstruction("v10 = vconst.i8x16 0x0102")
        #expect(f2.constants[hex.constant.position] == [2, 1] + [UInt8](repeating: 0, count: 14),
                "short hex data is zero-extended")
        let (f3, shuffle) = try onlyInstruction("v10 = shuffle v3, v3, [15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 31]")
        #expect(f3.constants[shuffle.constant.position].last == 31)
        let (f4, floats) = try onlyInstruction("v10 = vconst.f32x4 [0x1.0p0 -0x0.0 +Inf NaN]")
        let lanes = f4.constants[floats.constant.position]
        #expect(Array(lanes[0 ..< 4]) == [0, 0, 0x80, 0x3F])
        let function = try Support.parseFunction("""
            function %f() -> i32x4 {
            block0:
                v0 = vconst.i32x4 [1 2 3 4]
                v1 = vconst.i32x4 [1 2 3 4]
                return v0
            }
            """)
        #expect(function.constants.count == 1, "equal inline constants share one pool entry")
    }

    @Test func branchesAndTables() throws {
        let function = try Support.parseFunction("""
            function %f(i32) {
            block0(v0: i32):
                brif v0, block1(v0, v0), block2
            block1(v1: i32, v2: i32):
                br_table v1, block2, [block1(v2, v1), block2]
            block2:
                jump block3
            block3:
                return
            }
            """)
        let brif = function.blocks[0].insts[0]
        #expect(function.blockCalls(of: brif).map(\.block) == [Block(1), Block(2)])
        #expect(function.arguments(of: function.blockCalls(of: brif).first!) == [.value(Value(0)), .value(Value(0))])
        let table = function.blocks[1].insts[0]
        #expect(function.blockCalls(of: table).map(\.block) == [Block(2), Block(1), Block(2)],
                "br_table's default comes first")
        #expect(function[table].type == .invalid, "br_table is not polymorphic")
    }

    @Test func callsAndExceptions() throws {
        let function = try Support.parseFunction("""
            function %f(i64) -> i64 {
                sig0 = (i64) -> i64
                fn0 = %g(i64) -> i64
                fn1 = %h sig0

            block0(v0: i64):
                v1 = call fn0(v0)
                v2 = func_addr.i64 fn1
                v3 = call_indirect.i64 sig0, v2(v1)
                try_call fn1(v3), sig0, block1(ret0), [ tag7: block2(exn0), default: block2(exn1), context v0 ]
            block1(v4: i64):
                return v4
            block2(v5: i64):
                try_call_indirect v2(v5), sig0, block1(ret0), []
            }
            """)
        let insts = function.blocks[0].insts
        #expect(function[insts[0]].funcRef == FuncRef(0))
        #expect(function.type(of: Value(1)) == .i64, "call results come from the callee's signature")
        #expect(function[insts[2]].sigRef == SigRef(0))
        #expect(function[insts[2]].type == .invalid, "the callee's address type suffix is dropped")
        #expect(function.arguments(of: insts[2]).map(\.index) == [2, 1], "the callee comes first")
        let tryCall = function[insts[3]]
        #expect(tryCall.immediate == 1, "a try_call's callee is stored in `immediate`")
        let table = function.exceptionTables[tryCall.exceptionTable.position]
        #expect(table.signature == SigRef(0))
        #expect(table.handlerTags == [.tag(7), .catchAll])
        #expect(table.contexts == [Value(0)])
        let calls = function.blockCalls(of: insts[3])
        #expect(calls.map(\.block) == [Block(1), Block(2), Block(2)])
        #expect(function.arguments(of: calls.first!) == [.tryCallReturn(0)])
        #expect(function.arguments(of: calls.last!) == [.tryCallException(1)])
    }

    @Test func trapsAndExceptionHandlerAddresses() throws {
        let (_, trap) = try onlyInstruction("trap user250")
        #expect(trap.trapCode == TrapCode.user(250))
        let (_, condTrap) = try onlyInstruction("trapnz v1, int_divz")
        #expect(condTrap.trapCode == .integerDivisionByZero && condTrap.type == .i32)
        let (_, addTrap) = try onlyInstruction("v10 = uadd_overflow_trap v1, v1, heap_oob")
        #expect(addTrap.trapCode == .heapOutOfBounds)
        let (_, handler) = try onlyInstruction("v10 = get_exception_handler_address.i64 block0, 3")
        #expect(handler.entity == 0 && handler.immediate == 3)
    }

    // MARK: Types and references

    @Test func typesAreInferredAcrossForwardReferences() throws {
        let function = try Support.parseFunction("""
            function %f(i16) -> i16 {
            block0(v0: i16):
                jump block2
            block1:
                v5 = iadd v4, v4
                v6 = icmp eq v5, v4
                v7 = uextend.i16 v6
                return v7
            block2:
                v3 = imul v0, v0
                v4 = iadd v3, v0
                jump block1
            }
            """)
        #expect(function.type(of: Value(5)) == .i16)
        #expect(function.type(of: Value(6)) == .i8, "icmp results are i8")
        #expect(function[Inst(1)].type == .i16, "the controlling type came from a later definition")
    }

    @Test func valueAliasesAreResolved() throws {
        let function = try Support.parseFunction("""
            function %f(i32) -> i32 {
            block0(v0: i32):
                v3 -> v1
                v1 -> v0
                v3 -> v1
                v2 = iadd v3, v1
                return v2
            }
            """)
        #expect(function.arguments(of: function.blocks[0].insts[0]).map(\.index) == [0, 0])
        #expect(!function.isDefined(Value(1)) && !function.isDefined(Value(3)))
        #expect(function.type(of: Value(2)) == .i32)
    }

    @Test func commentsSourceLocationsAndDebugTagsAreSkipped() throws {
        let function = try Support.parseFunction("""
            ; leading comment
            function %f(i32) -> i32 { ; after the brace
            block0(v0: i32): ; after the header
                @0012 v1 = iadd v0, v0 ; after an instruction
                <1, ss0> v2 = iadd v1, v1
                return v2
            }
            """)
        #expect(function.instructionCount == 3)
    }
}
