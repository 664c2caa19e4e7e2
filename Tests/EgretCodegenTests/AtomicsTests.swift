import EgretIR
import Testing
@testable import EgretCodegen

/// The atomic forms as the allocator sees them, the instructions each atomic rule
/// picks, and the read-modify-write loop run through the whole backend while every
/// register is taken.
struct AtomicsTests {
    private func v(_ index: UInt32) -> Gpr { Gpr(virtual: index) }

    private func operands(_ inst: X64Inst) -> [Operand] {
        var collector = OperandCollector()
        inst.collectOperands(&collector)
        return collector.operands
    }

    private func operand(_ reg: Gpr, _ kind: OperandKind, _ position: OperandPosition,
                         _ constraint: OperandConstraint = .any) -> Operand {
        Operand(reg: reg.reg, kind: kind, constraint: constraint, position: position)
    }

    // MARK: Operands

    @Test func cmpxchgComparesAndReturnsInRax() {
        let inst = X64Inst.lockCmpxchg(size: .size32, replacement: v(1), expected: v(2), mem: m(v(3), v(4)),
                                       dstOld: Writable(v(5)))
        #expect(operands(inst) == [operand(v(1), .use, .early), operand(v(2), .use, .early, .fixed(.rax)),
                                   operand(v(3), .use, .early), operand(v(4), .use, .early),
                                   operand(v(5), .def, .late, .fixed(.rax))])
        #expect(inst.description == "lock cmpxchgl %v1, (%v3,%v4) # %v2 -> %v5")
        #expect(cmpxchg(.size32, .rcx, m(.rdi)).description == "lock cmpxchgl %ecx, (%rdi)")
    }

    @Test func xchgAndXaddReturnTheOldValueInTheirOperand() {
        for inst in [X64Inst.exchange(.xchg, size: .size16, operand: v(1), mem: m(v(2), 8), dst: Writable(v(3))),
                     X64Inst.exchange(.xadd, size: .size16, operand: v(1), mem: m(v(2), 8), dst: Writable(v(3)))] {
            #expect(operands(inst) == [operand(v(1), .use, .early), operand(v(3), .def, .late, .reuse(0)),
                                       operand(v(2), .use, .early)])
        }
        #expect(X64Inst.exchange(.xchg, size: .size16, operand: v(1), mem: m(v(2), 8), dst: Writable(v(3))).description
                    == "xchgw %v1, 8(%v2) -> %v3")
        #expect(operands(.fence(.mfence)).isEmpty)
    }

    /// The loop writes its temporary and rax before it last reads the operand and the
    /// address: both defs are early, so the allocator keeps them off the uses.
    @Test func loopTemporaryAndOldValueAreEarlyDefs() {
        let inst = X64Inst.atomicRmwLoop(op: .nand, size: .size8, byteSwapped: false, operand: v(1),
                                         mem: m(v(2), v(3), .two, 4), temp: Writable(v(4)), dstOld: Writable(v(5)))
        #expect(operands(inst) == [operand(v(1), .use, .early), operand(v(2), .use, .early),
                                   operand(v(3), .use, .early), operand(v(4), .def, .early),
                                   operand(v(5), .def, .early, .fixed(.rax))])
        #expect(inst.description == "movzbl 4(%v2,%v3,2), %v5; movq %v5, %v4; andb %v1, %v4; notb %v4; "
                    + "lock cmpxchgb %v4, 4(%v2,%v3,2) # %v5 -> %v5; jne .Lagain")
        #expect(inst.form == nil && inst.formsUsed.contains { $0.form == .cmpxchg } && inst.operandSize == .size8)
    }

    @Test func sixteenByteFormsUseRaxRdxRbxRcx() {
        let cas = X64Inst.lockCmpxchg16b(replacement: GprPair(low: v(1), high: v(2)),
                                         expected: GprPair(low: v(3), high: v(4)), mem: m(v(5)),
                                         dstOld: WritableGprPair(low: Writable(v(6)), high: Writable(v(7))))
        #expect(operands(cas) == [operand(v(1), .use, .early, .fixed(.rbx)), operand(v(2), .use, .early, .fixed(.rcx)),
                                  operand(v(3), .use, .early, .fixed(.rax)), operand(v(4), .use, .early, .fixed(.rdx)),
                                  operand(v(5), .use, .early), operand(v(6), .def, .late, .fixed(.rax)),
                                  operand(v(7), .def, .late, .fixed(.rdx))])
        let loop = X64Inst.atomicRmwLoop128(op: .smax, byteSwapped: false, operand: GprPair(low: v(1), high: v(2)), mem: m(v(3)),
                                            scratch: Writable(v(4)),
                                            temp: WritableGprPair(low: Writable(v(5)), high: Writable(v(6))),
                                            dstOld: WritableGprPair(low: Writable(v(7)), high: Writable(v(8))))
        #expect(operands(loop) == [operand(v(1), .use, .early), operand(v(2), .use, .early),
                                   operand(v(3), .use, .early), operand(v(4), .def, .early),
                                   operand(v(5), .def, .early, .fixed(.rbx)), operand(v(6), .def, .early, .fixed(.rcx)),
                                   operand(v(7), .def, .early, .fixed(.rax)), operand(v(8), .def, .early, .fixed(.rdx))])
        #expect(loop.form == nil && loop.formsUsed.contains { $0.form == .cmpxchg16b } && loop.operandSize == nil)
        #expect(cmpxchg16b(m(.rdi, trap: .heapOutOfBounds)).trapCode == .heapOutOfBounds)
    }

    /// The allocation checker holds early defs to their promise: giving the loop's
    /// temporary the operand's register is rejected.
    @Test func theCheckerRejectsAnEarlyDefOnAUse() throws {
        var b = VCodeBuilder()
        let address = b.constant(0x1000), value = b.constant(5)
        let temp = b.gpr(), old = b.gpr()
        b.emit(.atomicRmwLoop(op: .or, size: .size64, byteSwapped: false, operand: value, mem: m(address),
                              temp: Writable(temp), dstOld: Writable(old)))
        b.ret(old)
        b.endBlock(successors: [])
        var allocation = try RegisterAllocator.allocate(b.vcode, environment: testEnvironment)
        try RegAllocChecker.check(b.vcode, allocation)
        let loop = try #require(b.vcode.insts.firstIndex {
            if case .atomicRmwLoop = $0 { return true } else { return false }
        })
        let start = Int(allocation.operandOffsets[loop])
        // Operands: value, address, temp, old.
        allocation.operandAllocations[start + 2] = allocation.operandAllocations[start]
        #expect(throws: RegAllocError.self) { try RegAllocChecker.check(b.vcode, allocation) }
    }

    @Test func atomicMemoryOperandsCarryTheirTrapCode() {
        let amode = m(.rdi, trap: .heapOutOfBounds)
        #expect(cmpxchg(.size64, .rcx, amode).trapCode == .heapOutOfBounds)
        #expect(xchg(.size8, .rcx, amode).trapCode == .heapOutOfBounds)
        #expect(xadd(.size16, .rcx, amode).trapCode == .heapOutOfBounds)
        #expect(rmwLoop(.umax, .size32, .rcx, amode, temp: .rdx).trapCode == .heapOutOfBounds)
        #expect(rmwLoop(.umax, .size32, .rcx, m(.rdi), temp: .rdx).trapCode == nil)
        #expect(X64Inst.fence(.mfence).trapCode == nil)
        // The loop's load and its cmpxchg can each fault: both are recorded.
        let encoded = EncodedInstruction(rmwLoop(.or, .size64, .rcx, amode, temp: .rdx))
        #expect(encoded.traps.map(\.code) == [.heapOutOfBounds, .heapOutOfBounds])
        #expect(encoded.traps.first?.offset == 0)
    }

    // MARK: Rules

    static let rmwSource = """
        function %f(i64, i32) -> i32 {
        block0(v0: i64, v1: i32):
            v2 = atomic_rmw.i32 OP v0, v1
            return v2
        }
        """

    @Test(arguments: [
        ("add", "lock xaddl"), ("sub", "negl lock xaddl"), ("xchg", "xchgl"), ("and", "movl"), ("nand", "movl"),
        ("or", "movl"), ("xor", "movl"), ("umin", "movl"), ("umax", "movl"), ("smin", "movl"), ("smax", "movl"),
    ])
    func eachOperationPicksItsRule(_ operation: String, _ expected: String) throws {
        let text = Self.rmwSource.replacingOccurrences(of: "OP", with: operation)
        #expect(try LowerTest.rules(text, opcode: .atomic_rmw) == ["atomic_rmw_\(operation)"])
        let lines = try LowerTest.lines(text).filter { !$0.hasPrefix("mov") || $0.contains("(") }
        let words = lines.flatMap { $0.split(separator: ";").map { $0.split(separator: " ").prefix(2) } }
        let mnemonics = words.map { $0.first == "lock" ? $0.joined(separator: " ") : String($0.first ?? "") }
        #expect(mnemonics.joined(separator: " ").hasPrefix(expected), "\(lines)")
    }

    @Test func bigEndianSwapsAroundTheAccess() throws {
        let cas = """
            function %f(i64, i16, i16) -> i16 {
            block0(v0: i64, v1: i16, v2: i16):
                v3 = atomic_cas.i16 big v0, v1, v2
                return v3
            }
            """
        let mnemonics = try LowerTest.mnemonics(cas)
        #expect(mnemonics.filter { $0 == "rolw" }.count == 3, "\(mnemonics)")
        let add = Self.rmwSource.replacingOccurrences(of: "OP", with: "add")
            .replacingOccurrences(of: "atomic_rmw.i32", with: "atomic_rmw.i32 big")
        let loop = try LowerTest.lines(add).first { $0.contains("cmpxchg") } ?? ""
        #expect(loop.components(separatedBy: "bswapl").count == 3, "\(loop)")
        #expect(try LowerTest.mnemonics(add).last(where: { $0 != "retq" }) == "bswapl")
    }

    @Test func storesAreXchgAndFenceIsMfence() throws {
        let text = """
            function %f(i64, i8) {
            block0(v0: i64, v1: i8):
                atomic_store.i8 v1, v0
                fence
                return
            }
            """
        #expect(try LowerTest.mnemonics(text) == ["xchgb", "mfence", "retq"])
    }

    // MARK: Under register pressure

    /// Twenty values live across a chain of atomic_rmw of every operation, on an
    /// address made of two registers: more values than registers, so the loop's
    /// operand, address, temporary and rax compete with spills and reloads.
    static let pressureSource: String = {
        var lines = ["function %pressure(i64, i64, i64) -> i64 {", "    ss0 = explicit_slot 8",
                     "block0(v0: i64, v1: i64, v2: i64):", "    v3 = stack_addr.i64 ss0", "    store.i64 v0, v3",
                     "    v4 = iadd.i64 v3, v2"]
        for k in 1 ... 20 {
            lines.append("    v\(100 + k) = iconst.i64 \(k * 0x0101_0101 + 1)")
            lines.append("    v\(200 + k) = imul.i64 v1, v\(100 + k)")
        }
        for k in 1 ... 20 {
            lines.append("    v\(300 + k) = atomic_rmw.i64 \(pressureOperations[k % 11]) v4, v\(200 + k)")
        }
        lines.append("    v400 = load.i64 v3")
        var sum = "v400"
        for k in 1 ... 20 {
            lines.append("    v\(500 + k) = iadd.i64 \(sum), v\(200 + k)")
            lines.append("    v\(600 + k) = iadd.i64 v\(500 + k), v\(300 + k)")
            sum = "v\(600 + k)"
        }
        lines += ["    return \(sum)", "}"]
        return lines.joined(separator: "\n")
    }()

    static let pressureOperations: [AtomicRmwOp] = AtomicRmwOp.allCases

    /// The same chain computed in Swift.
    static func pressureExpected(_ initial: UInt64, _ factor: UInt64) -> UInt64 {
        var memory = initial
        var sum: UInt64 = 0
        for k in 1 ... 20 {
            let operand = factor &* UInt64(k * 0x0101_0101 + 1)
            let old = memory
            switch pressureOperations[k % 11] {
            case .add: memory = old &+ operand
            case .sub: memory = old &- operand
            case .and: memory = old & operand
            case .nand: memory = ~(old & operand)
            case .or: memory = old | operand
            case .xor: memory = old ^ operand
            case .xchg: memory = operand
            case .umin: memory = min(old, operand)
            case .umax: memory = max(old, operand)
            case .smin: memory = Int64(bitPattern: old) < Int64(bitPattern: operand) ? old : operand
            case .smax: memory = Int64(bitPattern: old) > Int64(bitPattern: operand) ? old : operand
            }
            sum = sum &+ operand &+ old
        }
        return sum &+ memory
    }

    @Test(arguments: [[CallConv: CallConv](), [.systemV: .windowsFastcall]])
    func loopSurvivesHighRegisterPressure(_ overrides: [CallConv: CallConv]) throws {
        let module = try CLIFParser.parse(Self.pressureSource, fileName: "pressure.clif")
        var options = Compiler.Options()
        options.callConvOverrides = overrides
        options.checkAllocation = true
        let compiled = try CompiledModule(module, options: options)
        let inputs: [(UInt64, UInt64)] = [(0, 1), (0xFFFF_FFFF_FFFF_FFFF, 3), (0x8000_0000_0000_0000, 0x1234_5678_9ABC),
                                          (0x7FFF_FFFF_0000_0001, 0xFFFF_FFFF_FFFF_FFF1)]
        for (initial, factor) in inputs {
            let arguments = [i64(Int64(bitPattern: initial)), i64(Int64(bitPattern: factor)), i64(0)]
            let expected = Self.pressureExpected(initial, factor)
            #expect(try compiled.call(functionIndex: 0, arguments: arguments)
                        == .returned([i64(Int64(bitPattern: expected))]), "\(initial), \(factor)")
        }
    }
}
