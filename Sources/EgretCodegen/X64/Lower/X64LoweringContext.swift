import EgretIR

/// The lowering pass for one function: its state, the instruction loop, and the
/// `LoweringBuilder` the rules emit through (X64Lowering.swift describes the pass).
///
/// A class because it is the one builder object every emitter call receives by
/// reference; it lives for one function's lowering.
///
/// Per-value state, `values[v]` for value number v (`ValueState`):
///
///     register   virtual register + 1 of value v (0: not yet given one); its class
///                (`vregClasses`) is float for f32/f64 values, int otherwise; the
///                low half of an i128 value
///     highRegister  i128 values only: virtual register + 1 of the high half
///                (X64LoweringContext+ValueRegs.swift)
///     isUsed     some lowered instruction (or edge move) reads v in a register
///     useCount   uses in reachable code, operands and block arguments; decides
///                whether an icmp may be fused into its one consumer
///
/// Blocks are lowered in postorder and their instructions last to first, so every
/// reader of a value is lowered before its definition: when the definition is
/// reached, `isUsed` tells whether anyone needs it in a register (an `iconst`
/// folded into every user, or an `icmp` fused into its branch, is never emitted).
///
/// Performance: the mutable state is `@exclusivity(unchecked)`. Every builder call
/// touches it, and Swift's dynamic exclusivity checks on class properties cost about
/// a third of the lowering time; the pass is single-threaded and never holds an
/// access across a call that could reach the same property.
final class X64LoweringContext: LoweringBuilder {
    let function: Function
    let options: LoweringOptions
    let functionSignature: ABISignature
    /// `X64LoweringRules.ordered` and its plain-data views, referenced once per function
    /// rather than through their lazily initialised statics at every instruction.
    let rules: [LoweringRule]
    let candidates: [X64LoweringRules.Candidate]
    let emitters: [RuleEmitter]
    /// `X64LoweringContext.effects`, referenced once.
    let opcodeEffects: [Effects]

    /// What the pass knows of one value.
    struct ValueState {
        var register: UInt32 = 0
        var highRegister: UInt32 = 0
        var useCount: UInt32 = 0
        var isUsed = false
    }

    @exclusivity(unchecked) var vregClasses: [RegClass] = []
    /// Per value number (one array: one allocation per function).
    @exclusivity(unchecked) var values: [ValueState]

    @exclusivity(unchecked) var plan = BlockPlan()
    /// Machine instructions of the lowered blocks and edge blocks, each block's
    /// contiguous, in the order they were lowered (`assemble` permutes them into VCode
    /// order in place). One flat array rather than one per block: a function of a
    /// hundred thousand blocks would otherwise keep as many arrays, each with the room
    /// it reserved, and then a second copy of all of it.
    @exclusivity(unchecked) var loweredCode: [X64Inst] = []
    /// Where each VCode block's instructions are in `loweredCode`.
    @exclusivity(unchecked) var codeRanges: [CodeRange] = []

    struct CodeRange {
        var start: Int32 = 0
        var count: Int32 = 0
    }
    @exclusivity(unchecked) var entryArguments: [FixedDef] = []
    /// Layouts of the function's `sigN` signatures, computed on first use.
    @exclusivity(unchecked) var signatureCache: [ABISignature?]

    // The instruction being lowered.
    @exclusivity(unchecked) var currentInst = Inst(0)
    @exclusivity(unchecked) var currentData = InstructionData(opcode: .nop)
    @exclusivity(unchecked) var currentBlock = Block(0)
    /// The index in `rules` of the rule being run.
    @exclusivity(unchecked) var currentRule = 0
    @exclusivity(unchecked) var currentMatch = RuleMatch(type: .invalid)
    /// Bit k: operand k is an i128 while the controlling type is narrower (only
    /// `.pair` and `.lowBits` shapes match such an operand).
    @exclusivity(unchecked) var currentWideOperands: UInt8 = 0
    /// Where `emit` appends. While a block is lowered this is `loweredCode` itself
    /// (swapped in), the block's code from `blockStart` on and backwards (see
    /// `lowerBlock`); while an edge block is filled, `edgeCode`. Lowering straight into
    /// the function's code keeps one copy of it: a block of a million instructions
    /// lowered into a buffer of its own and then appended held two.
    @exclusivity(unchecked) var pending: [X64Inst] = []
    @exclusivity(unchecked) var blockStart = 0
    /// The code of the edge blocks of the block being lowered, appended to
    /// `loweredCode` after the block's own, and where each one's is.
    @exclusivity(unchecked) var edgeCode: [X64Inst] = []
    @exclusivity(unchecked) var edgeRanges: [(edgeBlock: Int32, range: CodeRange)] = []
    /// What emitted each lowered instruction (`VCodeSource` codes), block after block
    /// in lowering order (a block's start is in its `BlockPlan.BlockState`), when
    /// `options.recordSources`; every use is behind that one test. The
    /// current block's, from `currentSourceStart`, go in step with `pending` except
    /// for the code of the instruction being lowered, which `lowerBlock` attributes
    /// after it (`emitEdgeMoves` attributes its part early, to mark its moves).
    @exclusivity(unchecked) var sourceLog: [UInt32] = []
    @exclusivity(unchecked) var currentSourceStart = 0
    /// Whether the instruction being lowered emitted block-argument moves (its
    /// sources then differ within its code).
    @exclusivity(unchecked) var emittedEdgeMoves = false

    /// Scratch storage of `emitParallelMoves`, kept across edges.
    @exclusivity(unchecked) var moveScratch: [(destination: Reg, source: Reg)] = []

    // What the frame needs.
    @exclusivity(unchecked) var outgoingArgumentsSize = 0
    @exclusivity(unchecked) var makesCalls = false
    @exclusivity(unchecked) var makesTailCalls = false
    @exclusivity(unchecked) var returnAreaPointerReg: Gpr?
    /// The union of the clobber sets of the calls made so far.
    @exclusivity(unchecked) var callClobbers = PRegSet()
    /// Rule names by instruction, when `options.recordRules`.
    @exclusivity(unchecked) var appliedRules: [Inst: String] = [:]

    init(function: Function, options: LoweringOptions) throws {
        self.function = function
        self.options = options
        let convention = try CallingConvention.forCallConv(options.effectiveCallConv(function.signature.callConv))
        functionSignature = try ABISignature(function.signature, convention: convention)
        rules = X64LoweringRules.ordered
        candidates = X64LoweringRules.candidates
        emitters = options.replacedEmitters.isEmpty ? X64LoweringRules.emitters
            : X64LoweringRules.ordered.map { options.replacedEmitters[$0.name] ?? $0.emit }
        opcodeEffects = X64LoweringContext.effects
        let valueCount = function.values.count
        values = [ValueState](repeating: ValueState(), count: valueCount)
        vregClasses.reserveCapacity(2 * valueCount + 8)
        signatureCache = [ABISignature?](repeating: nil, count: function.signatures.count)
    }

    // MARK: The pass

    func run() throws -> LoweredFunction {
        try buildPlan()
        codeRanges = [CodeRange](repeating: CodeRange(), count: plan.blocks.count)
        loweredCode.reserveCapacity(function.insts.count + plan.blocks.count)
        if options.recordSources { sourceLog.reserveCapacity(2 * function.insts.count + 8) }
        for block in plan.postorder {
            try lowerBlock(block)
        }
        return assemble()
    }

    /// Lowers `block`'s instructions last to first into `pending`: each instruction's
    /// code is emitted in order and then reversed in place, so the whole buffer is the
    /// block backwards and one final in-place reversal puts it in order — no
    /// instruction is copied on the way. Their sources, when recorded, go the same way
    /// in `sourceLog`.
    private func lowerBlock(_ block: Block) throws {
        currentBlock = block
        swap(&pending, &loweredCode)
        blockStart = pending.count
        let recordSources = options.recordSources
        if recordSources {
            currentSourceStart = sourceLog.count
            plan.blockStates[block.position].sourceStart = Int32(currentSourceStart)
        }
        let insts = function.blocks[block.position].insts
        for inst in insts.reversed() {
            let start = pending.count
            try lowerInstruction(inst)
            if recordSources { attributePending(to: inst.index) }
            pending.reverseTail(from: start)
            if emittedEdgeMoves {
                sourceLog.reverseTail(from: currentSourceStart + start - blockStart)
                emittedEdgeMoves = false
            }
            if inst == insts.last { try fillEdgeBlocks(of: block) }
        }
        if block == function.entryBlock {
            let start = pending.count
            lowerEntry()
            if recordSources { attributePending(to: VCodeSource.parametersCode) }
            pending.reverseTail(from: start)
        }
        pending.reverseTail(from: blockStart)
        if recordSources { sourceLog.reverseTail(from: currentSourceStart) }
        codeRanges[Int(plan.vcodeIndex(of: block))] = CodeRange(start: Int32(blockStart),
                                                                 count: Int32(pending.count - blockStart))
        swap(&pending, &loweredCode)
        let edgesStart = Int32(loweredCode.count)
        for (edgeBlock, range) in edgeRanges {
            codeRanges[Int(edgeBlock)] = CodeRange(start: edgesStart + range.start, count: range.count)
        }
        loweredCode.append(contentsOf: edgeCode)
        edgeCode.removeAll(keepingCapacity: true)
        edgeRanges.removeAll(keepingCapacity: true)
    }

    /// Records `source` for the instructions of `pending` that have none yet.
    @inline(__always) func attributePending(to source: UInt32) {
        // Usually one to three instructions: a loop beats append(contentsOf:) here.
        while sourceLog.count - currentSourceStart < pending.count - blockStart { sourceLog.append(source) }
    }

    /// Lowers one instruction if it has an effect or a used result.
    private func lowerInstruction(_ inst: Inst) throws {
        let data = function.insts[inst.position]
        let opcode = data.opcode
        let effects = opcodeEffects[Int(opcode.rawValue)]
        var needed = effects.alwaysLowered || (effects.canLoad && data.flags.trapCode != nil)
        if !needed {
            for index in function.instResults[inst.position].indices where values[function.valuePool[index].position].isUsed {
                needed = true
                break
            }
        }
        guard needed else { return }
        currentInst = inst
        currentData = data
        if effects.isCall { makesCalls = true }
        let type = controllingType(data)
        currentWideOperands = 0
        if !effects.typedBySignature { try requireIntegerOperands(data, type: type) }
        for index in X64LoweringRules.candidates(for: opcode) {
            let candidate = candidates[index]
            guard candidate.accepts(type) else { continue }
            var match = RuleMatch(type: type)
            if opcode == .atomic_rmw { match.atomicOperation = data.atomicOp }
            guard matches(candidate, &match) else { continue }
            if candidate.hasGuards {
                guard rules[index].guards.allSatisfy({ $0.check(match) }) else { continue }
            }
            currentRule = index
            currentMatch = match
            try emitters[index](self)
            if options.recordRules { appliedRules[inst] = rules[index].name }
            return
        }
        // No rule reads an i128 operand of this opcode under a narrower type (i128 to
        // float conversions, for one): name the i128 in the message.
        let wide = currentWideOperands != 0 ? " with an i128 operand" : ""
        throw CodegenError.unsupported("opcode \(opcode.name)" + (type.isValid ? " on \(type)" : "") + wide)
    }

    /// The controlling type, derived from the typevar operand when a builder left it
    /// unset.
    private func controllingType(_ data: InstructionData) -> IRType {
        if data.type.isValid { return data.type }
        guard let operand = data.opcode.info.typevarOperand, operand < Int(data.arguments.count) else { return .invalid }
        return function.type(of: function.valuePool[Int(data.arguments.start) + operand])
    }

    /// Every operand and result of a non-call instruction is an integer of 8–128 bits
    /// or an f32/f64; records the i128 operands of an instruction controlled by a
    /// narrower type.
    private func requireIntegerOperands(_ data: InstructionData, type: IRType) throws {
        @discardableResult func check(_ value: Value, _ role: String) throws -> IRType {
            let valueType = function.type(of: value)
            guard LoweringRule.typeBit(valueType) != 0 else {
                let head = "opcode \(data.opcode.name)" + (type.isValid ? " on \(type)" : "")
                throw CodegenError.unsupported(valueType == type ? head : "\(head) with an \(valueType) \(role)")
            }
            return valueType
        }
        var operand = 0
        for index in data.arguments.indices {
            if try check(function.valuePool[index], "operand") == .i128 && type != .i128 && operand < 8 {
                currentWideOperands |= UInt8(1) << UInt8(operand)
            }
            operand += 1
        }
        for index in function.instResults[currentInst.position].indices { try check(function.valuePool[index], "result") }
    }

    /// Whether each operand has its shape; records constants and displacements.
    private func matches(_ candidate: X64LoweringRules.Candidate, _ match: inout RuleMatch) -> Bool {
        let count = Int(candidate.shapeCount)
        guard count <= Int(currentData.arguments.count) else { return false }
        for operand in 0 ..< count {
            let shape = candidate.shape(operand)
            let isWide = currentWideOperands & (UInt8(1) << UInt8(operand)) != 0
            if shape == .register {
                if isWide { return false }
                continue
            }
            if shape == .lowBits { continue }
            let value = operandValue(operand)
            if shape == .float {
                let type = function.type(of: value)
                guard type == .f32 || type == .f64 else { return false }
                continue
            }
            if shape == .pair {
                guard function.type(of: value) == .i128 else { return false }
                continue
            }
            guard let definition = function.values[value.position].inst else { return false }
            let defining = function.insts[definition.position]
            switch shape {
            case .register, .lowBits, .pair:
                break
            case .constant:
                guard defining.opcode == .iconst else { return false }
                match.setConstant(operand, defining.type.signExtend(defining.immediate))
            case .comparison:
                let compared = controllingType(defining)
                guard defining.opcode == .icmp, values[value.position].useCount == 1,
                      LoweringRule.typeBit(compared) != 0, compared != .i128 else { return false }
            case .wideComparison:
                guard defining.opcode == .icmp, values[value.position].useCount == 1,
                      controllingType(defining) == .i128 else { return false }
            case .stackAddress:
                guard defining.opcode == .stack_addr,
                      let displacement = Int32(exactly: Int64(defining.offset) + Int64(currentData.offset))
                else { return false }
                match.setConstant(operand, Int64(displacement))
            case .basePlusConstant:
                // (base + k) + offset = base + (k + offset) modulo 2^64, so the
                // folded displacement is exact whenever the wrapped sum fits 32 bits.
                guard defining.opcode == .iadd, controllingType(defining) == .i64,
                      let (_, constant) = splitConstantAddend(defining),
                      let displacement = Int32(exactly: constant &+ Int64(currentData.offset))
                else { return false }
                match.setConstant(operand, Int64(displacement))
            case .basePlusIndex:
                guard defining.opcode == .iadd, controllingType(defining) == .i64 else { return false }
            case .float:
                break
            case .floatComparison:
                guard defining.opcode == .fcmp, values[value.position].useCount == 1 else { return false }
            }
        }
        return true
    }

    /// `iadd base, (iconst k)` or `iadd (iconst k), base`: the base value and k.
    private func splitConstantAddend(_ add: InstructionData) -> (base: Value, constant: Int64)? {
        let start = Int(add.arguments.start)
        let lhs = function.valuePool[start], rhs = function.valuePool[start + 1]
        if let constant = iconstValue(rhs) { return (lhs, constant) }
        if let constant = iconstValue(lhs) { return (rhs, constant) }
        return nil
    }

    /// The value of `value`'s defining `iconst`, sign-extended from its width.
    func iconstValue(_ value: Value) -> Int64? {
        guard let inst = function.values[value.position].inst else { return nil }
        let data = function.insts[inst.position]
        guard data.opcode == .iconst else { return nil }
        return data.type.signExtend(data.immediate)
    }

    /// The instruction defining `value` (which must be an instruction result).
    func definition(of value: Value) -> InstructionData {
        function.insts[(function.values[value.position].inst ?? Inst(0)).position]
    }

    // MARK: Values and registers

    @inline(__always) func operandValue(_ operand: Int) -> Value {
        function.valuePool[Int(currentData.arguments.start) + operand]
    }

    /// The virtual register of `value`, created on first request (in the float class
    /// for f32/f64 values), without marking the value used (for definitions).
    func anyRegister(of value: Value) -> Reg {
        let existing = values[value.position].register
        if existing != 0 { return Reg(VReg(existing - 1, vregClasses[Int(existing - 1)])) }
        let type = function.type(of: value)
        let regClass: RegClass = type == .f32 || type == .f64 ? .float : .int
        let index = UInt32(vregClasses.count)
        vregClasses.append(regClass)
        values[value.position].register = index + 1
        return Reg(VReg(index, regClass))
    }

    /// The general-purpose virtual register of an integer `value` (see `anyRegister`).
    func register(of value: Value) -> Gpr {
        guard let gpr = Gpr(anyRegister(of: value)) else {
            preconditionFailure("a rule read float value \(value) as a general-purpose register")
        }
        return gpr
    }

    /// The xmm virtual register of an f32/f64 `value` (see `anyRegister`).
    func xmmRegister(of value: Value) -> Xmm {
        guard let xmm = Xmm(anyRegister(of: value)) else {
            preconditionFailure("a rule read integer value \(value) as an xmm register")
        }
        return xmm
    }

    /// The virtual register of `value` in its class, marking it used.
    func useAny(_ value: Value) -> Reg {
        values[value.position].isUsed = true
        return anyRegister(of: value)
    }

    /// The virtual register of `value`, marking it used.
    func use(_ value: Value) -> Gpr {
        values[value.position].isUsed = true
        return register(of: value)
    }

    // MARK: LoweringBuilder: the instruction

    var opcode: Opcode { currentData.opcode }
    var type: IRType { currentMatch.type }
    var match: RuleMatch { currentMatch }
    var operandCount: Int { Int(currentData.arguments.count) }
    func operandType(_ operand: Int) -> IRType { function.type(of: operandValue(operand)) }
    var resultCount: Int { Int(function.instResults[currentInst.position].count) }

    func resultType(_ result: Int) -> IRType {
        function.type(of: function.valuePool[Int(function.instResults[currentInst.position].start) + result])
    }

    var intCC: IntCC { currentData.intCC }
    var floatCC: FloatCC { currentData.floatCC }
    var trapCode: TrapCode { currentData.trapCode }
    var memoryFlags: MemFlags { currentData.flags }
    var offset: Int32 { currentData.offset }
    var immediate: Int64 { currentMatch.type.signExtend(currentData.immediate) }
    var stackSlot: UInt32 { currentData.entity }

    // MARK: LoweringBuilder: operands

    func gpr(_ operand: Int) -> Gpr { use(operandValue(operand)) }

    func xmm(_ operand: Int) -> Xmm {
        let value = operandValue(operand)
        values[value.position].isUsed = true
        return xmmRegister(of: value)
    }

    func constant(_ operand: Int) -> Int64 { currentMatch.constant(operand) }

    /// The icmp's operands in registers, except a constant right-hand side that fits
    /// an immediate (`cmp $k, x`), which is folded.
    func comparison(_ operand: Int) -> FusedComparison {
        let icmp = definition(of: operandValue(operand))
        let start = Int(icmp.arguments.start)
        let lhs = function.valuePool[start], rhs = function.valuePool[start + 1]
        let size = OperandSize(exactly: function.type(of: lhs))
        let right: GprMemImm
        if let constant = iconstValue(rhs), let imm = Int32(exactly: constant) {
            right = .imm(imm)
        } else {
            right = .reg(use(rhs))
        }
        return FusedComparison(condition: icmp.intCC, size: size, lhs: use(lhs), rhs: right)
    }

    /// The fcmp's operands in xmm registers.
    func floatComparison(_ operand: Int) -> FusedFloatComparison {
        let fcmp = definition(of: operandValue(operand))
        let start = Int(fcmp.arguments.start)
        let lhs = function.valuePool[start], rhs = function.valuePool[start + 1]
        values[lhs.position].isUsed = true
        values[rhs.position].isUsed = true
        return FusedFloatComparison(condition: fcmp.floatCC, width: FloatWidth(function.type(of: lhs)),
                                    lhs: xmmRegister(of: lhs), rhs: xmmRegister(of: rhs))
    }

    func amode(_ operand: Int) -> Amode {
        let trap = currentData.flags.trapCode
        let candidate = candidates[currentRule]
        let shape = operand < Int(candidate.shapeCount) ? candidate.shape(operand) : .register
        let value = operandValue(operand)
        switch shape {
        case .register, .constant, .comparison, .float, .floatComparison, .pair, .lowBits, .wideComparison:
            if function.type(of: value) == .i32 {
                return thirtyTwoBitAddress(use(value), displacement: currentData.offset, trap: trap)
            }
            return Amode(.base(use(value), displacement: currentData.offset), trap: trap)
        case .stackAddress:
            let slot = definition(of: value).entity
            return Amode(.frame(.stackSlot(slot), displacement: Int32(truncatingIfNeeded: constant(operand))), trap: trap)
        case .basePlusConstant:
            let base = splitConstantAddend(definition(of: value))?.base ?? value
            return Amode(.base(use(base), displacement: Int32(truncatingIfNeeded: constant(operand))), trap: trap)
        case .basePlusIndex:
            let start = Int(definition(of: value).arguments.start)
            return Amode(.baseIndex(use(function.valuePool[start]), index: use(function.valuePool[start + 1]),
                                    scale: .one, displacement: currentData.offset), trap: trap)
        }
    }

    /// An i32 address, in code written for 32-bit pointers (which runs on a stack below
    /// 4 GiB, `JITStack`): `leal displacement(base), t` computes it modulo 2^32 and
    /// zero-extends it, so the access sees the 32-bit address space the IR means,
    /// whatever the upper bits of the i32 value's register hold.
    private func thirtyTwoBitAddress(_ base: Gpr, displacement: Int32, trap: TrapCode?) -> Amode {
        let address = newGpr()
        emit(.lea(size: .size32, address: Amode(.base(base, displacement: displacement)), dst: address))
        return Amode(.base(address.reg, displacement: 0), trap: trap)
    }

    // MARK: LoweringBuilder: output

    func result(_ result: Int) -> Writable<Gpr> {
        Writable(register(of: function.valuePool[Int(function.instResults[currentInst.position].start) + result]))
    }

    func newGpr() -> Writable<Gpr> {
        vregClasses.append(.int)
        return Writable(Gpr(virtual: UInt32(vregClasses.count - 1)))
    }

    func xmmResult(_ result: Int) -> Writable<Xmm> {
        Writable(xmmRegister(of: function.valuePool[Int(function.instResults[currentInst.position].start) + result]))
    }

    func newXmm() -> Writable<Xmm> {
        vregClasses.append(.float)
        return Writable(Xmm(virtual: UInt32(vregClasses.count - 1)))
    }

    func emit(_ inst: consuming X64Inst) { pending.append(inst) }

    // MARK: Opcode facts the loop needs

    /// What the instruction loop needs to know of an opcode, in one flat table.
    struct Effects {
        /// Lowered even when no result is used (traps, stores, calls, branches…).
        var alwaysLowered = false
        /// Loads: lowered when they may trap.
        var canLoad = false
        var isCall = false
        /// Operand and result types come from a signature (calls, `return`), not the
        /// integer check.
        var typedBySignature = false
    }

    static let effects: [Effects] = Opcode.allCases.map { opcode in
        let info = opcode.info
        var effects = Effects()
        effects.alwaysLowered = info.canTrap || info.canStore || info.isCall || info.isTerminator || info.isBranch
            || info.properties.contains(.otherSideEffects)
        effects.canLoad = info.canLoad
        effects.isCall = info.isCall
        effects.typedBySignature = info.isCall || opcode == .return
        return effects
    }
}

/// The builder's window onto calling conventions: the function's own signature, its
/// callees' signatures (laid out once per `sigN`), the hidden return-area pointer
/// and the outgoing-argument area. The call and return rules (Rules+Calls.swift)
/// turn these into instructions.
extension X64LoweringContext {
    var returnAreaPointer: Gpr? {
        guard functionSignature.hasReturnArea else { return nil }
        if let pointer = returnAreaPointerReg { return pointer }
        // Defined on entry in the convention's first argument register (lowerEntry).
        let pointer = newGpr().reg
        returnAreaPointerReg = pointer
        return pointer
    }

    var structReturnPointer: Gpr? {
        guard let index = functionSignature.structReturnParameter, let entry = function.entryBlock else { return nil }
        return use(function.params(of: entry)[function.params(of: entry).startIndex + index])
    }

    func callee() throws -> Callee {
        let data = currentData
        if data.opcode == .call || data.opcode == .return_call {
            let external = try externalFunction(data.funcRef)
            return Callee(name: external.name, signature: try calleeSignature(external.signature))
        }
        if data.opcode == .call_indirect || data.opcode == .return_call_indirect {
            // Compiled code lives above 4 GiB: an i32 function address (code written for
            // 32-bit pointers) cannot name it.
            guard function.type(of: operandValue(0)) == .i64 else {
                throw CodegenError.unsupported("\(data.opcode.name) through an i32 function address")
            }
            return Callee(name: nil, signature: try calleeSignature(data.sigRef))
        }
        throw CodegenError.internalError("callee() asked while lowering \(data.opcode.name)")
    }

    func functionReference() throws -> ExternalName {
        try externalFunction(currentData.funcRef).name
    }

    var positionIndependent: Bool { options.positionIndependent }

    private func externalFunction(_ reference: FuncRef) throws -> ExternalFunction {
        guard reference.position < function.functionRefs.count, let external = function.functionRefs[reference.position]
        else { throw CodegenError.internalError("\(currentData.opcode.name) names undeclared \(reference)") }
        return external
    }

    func reserveOutgoingArguments(_ bytes: Int) {
        outgoingArgumentsSize = max(outgoingArgumentsSize, bytes)
        if currentData.opcode == .return_call || currentData.opcode == .return_call_indirect { makesTailCalls = true }
    }

    func noteCallClobbers(_ registers: PRegSet) {
        callClobbers = callClobbers.union(registers)
    }

    /// The layout of `sigN` under its (possibly overridden) convention.
    private func calleeSignature(_ reference: SigRef) throws -> ABISignature {
        guard reference.position < function.signatures.count else {
            throw CodegenError.internalError("call through undeclared \(reference)")
        }
        if let cached = signatureCache[reference.position] { return cached }
        let signature = function.signatures[reference.position]
        let convention = try CallingConvention.forCallConv(options.effectiveCallConv(signature.callConv))
        let layout = try ABISignature(signature, convention: convention)
        signatureCache[reference.position] = layout
        return layout
    }
}

extension Array {
    /// Reverses the elements from `start` to the end in place. (`self[start...]
    /// .reverse()` goes through a slice, which copied the whole tail: a second copy
    /// of a block of a million instructions.)
    @inline(__always)
    mutating func reverseTail(from start: Int) {
        var low = start, high = count - 1
        while low < high {
            swapAt(low, high)
            low += 1
            high -= 1
        }
    }
}
