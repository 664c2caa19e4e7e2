import EgretIR

/// Control flow of the lowering pass: which blocks exist in the VCode and in what
/// order, where edge blocks go, how block arguments become moves.
///
///     CLIF layout       block0 ──brif──> block1(v5) / block2      block2 ──jump──> block1(v7)
///     VCode order       0: block0   1: edge 0→1 (v5 moves)   2: block1   3: block2
///
/// - Order: CLIF layout order, unreachable blocks dropped; each block is followed by
///   the edge blocks of its terminator, in edge order.
/// - An edge of a terminator with two or more edges gets an edge block when it carries
///   arguments or its target has two or more incoming edges (a critical edge); an edge
///   block holds the edge's argument moves and a `jmp` to the target. A `jump` writes
///   its target's parameters itself, just before its `jmp`.
/// - Lowering order: postorder of the reachable blocks, so that a block is lowered
///   before every block that dominates it (and thus before every definition it reads).
struct BlockPlan {
    /// What one VCode block is.
    enum Kind {
        case block(Block)
        /// The edge block of `edges[index]`.
        case edge(Int)
    }

    /// One edge of a reachable block's terminator.
    struct Edge {
        var source: Block
        var call: BlockCall
        /// The VCode block of the edge block, -1 if the edge goes straight to its target.
        var edgeBlock: Int32
    }

    /// What the plan knows of one CLIF block.
    struct BlockState {
        /// The VCode block, -1 if unreachable.
        var vcodeIndex: Int32 = -1
        /// Its terminator's edges are `edges[edgeStart ..< edgeStart + edge count]`.
        var edgeStart: Int32 = 0
        /// Edges of reachable terminators that target it.
        var incomingEdges: Int32 = 0
        /// Where the sources of its code start in the lowering's `sourceLog`.
        var sourceStart: Int32 = 0
        var isReachable = false
    }

    /// Per CLIF block, by block number.
    var blockStates: [BlockState] = []
    /// VCode blocks in emission order.
    var blocks: [Kind] = []
    var edges: [Edge] = []
    /// Reachable blocks, each after every block it dominates.
    var postorder: [Block] = []

    /// The VCode block of a CLIF block (-1 if unreachable).
    @inline(__always) func vcodeIndex(of block: Block) -> Int32 { blockStates[block.position].vcodeIndex }
    /// Where a CLIF block's edges start in `edges`.
    @inline(__always) func edgeStart(of block: Block) -> Int32 { blockStates[block.position].edgeStart }
}

extension X64LoweringContext {
    // MARK: Planning

    /// Computes reachability, postorder, use counts, edge blocks and the VCode order.
    func buildPlan() throws {
        guard function.entryBlock != nil else {
            throw CodegenError.internalError("function \(function.name) has no entry block")
        }
        let blockCount = function.blocks.count
        plan.blockStates = [BlockPlan.BlockState](repeating: BlockPlan.BlockState(), count: blockCount)

        // Reachability and postorder from the function's control-flow graph.
        let graph = ControlFlowGraph(function)
        plan.postorder = graph.postorder
        for block in graph.postorder { plan.blockStates[block.position].isReachable = true }

        // Use counts and incoming-edge counts over reachable code.
        for block in function.layout where plan.blockStates[block.position].isReachable {
            for inst in function.blocks[block.position].insts {
                for index in function.insts[inst.position].arguments.indices {
                    values[function.valuePool[index].position].useCount += 1
                }
                for call in function.blockCalls(of: inst) {
                    plan.blockStates[call.block.position].incomingEdges += 1
                    for argument in function.arguments(of: call) {
                        guard case .value(let value) = argument else {
                            throw CodegenError.unsupported("try_call results as block arguments")
                        }
                        values[value.position].useCount += 1
                    }
                }
            }
            for param in function.params(of: block) where LoweringRule.typeBit(function.type(of: param)) == 0 {
                throw CodegenError.unsupported("block parameter of type \(function.type(of: param))")
            }
        }

        coalesceLoopCarriedValues()

        // VCode order: layout order, edge blocks after their source.
        plan.blocks.reserveCapacity(2 * plan.postorder.count)
        plan.edges.reserveCapacity(2 * plan.postorder.count)
        for block in function.layout where plan.blockStates[block.position].isReachable {
            plan.blockStates[block.position].vcodeIndex = Int32(plan.blocks.count)
            plan.blocks.append(.block(block))
            plan.blockStates[block.position].edgeStart = Int32(plan.edges.count)
            let calls = successorCalls(of: block)
            for call in calls {
                let split = calls.count >= 2
                    && (plan.blockStates[call.block.position].incomingEdges >= 2 || !call.arguments.isEmpty)
                var edge = BlockPlan.Edge(source: block, call: call, edgeBlock: -1)
                if split {
                    edge.edgeBlock = Int32(plan.blocks.count)
                    plan.blocks.append(.edge(plan.edges.count))
                }
                plan.edges.append(edge)
            }
        }
    }

    /// Loop-carried values share their parameter's register. In a block that branches
    /// to itself, a value `a` that one arithmetic instruction computes from parameter
    /// `p` (as its first operand) and that the back edge passes as `p` is given p's
    /// virtual register, when p is used nowhere after that instruction:
    ///
    ///     block1(v10: i64):                  v25 takes v10's register, so the
    ///         …                              two-address `sub` updates it in place
    ///         v25 = isub v10, v9             and the back edge moves nothing
    ///         brif v25, block1(v25), block2
    ///
    /// With whole-interval allocation, p's interval spans the loop (it is redefined on
    /// the back edge), so a would otherwise get another register and a copy each
    /// iteration. Safe because p is dead from the instruction on: every later reader of
    /// that register wants a (a's uses lie after its definition, and the block's only
    /// other entries come from outside, where a is not live).
    func coalesceLoopCarriedValues() {
        let shapes: Set<InstructionFormat> = [.unary, .binary]
        for block in function.layout where plan.blockStates[block.position].isReachable {
            let insts = function.blocks[block.position].insts
            guard let terminator = insts.last else { continue }
            let params = Array(function.params(of: block))
            for call in function.blockCalls(of: terminator) where call.block == block {
                for (position, argument) in function.arguments(of: call).enumerated() where position < params.count {
                    guard case .value(let value) = argument else { continue }
                    let parameter = params[position]
                    let type = function.type(of: value)
                    guard value != parameter, type == function.type(of: parameter), type != .i128,
                          values[value.position].register == 0, values[parameter.position].register == 0 else { continue }
                    let definition = function.values[value.position]
                    guard definition.definition == .result, let index = insts.firstIndex(of: Inst(definition.owner))
                    else { continue }
                    let data = function.insts[Int(definition.owner)]
                    let operands = function.arguments(of: Inst(definition.owner))
                    guard shapes.contains(data.opcode.format), function.results(of: Inst(definition.owner)).count == 1,
                          operands.first == parameter, !operands.dropFirst().contains(parameter),
                          isUsedOnlyUpTo(parameter, index: index, of: block) else { continue }
                    _ = anyRegister(of: parameter)
                    values[value.position].register = values[parameter.position].register
                }
            }
        }
    }

    /// Whether every use of `value` is in `block` at or before its instruction `index`
    /// (block arguments included).
    private func isUsedOnlyUpTo(_ value: Value, index: Int, of block: Block) -> Bool {
        for other in function.layout where plan.blockStates[other.position].isReachable {
            for (position, inst) in function.blocks[other.position].insts.enumerated() {
                let late = other != block || position > index
                if late && function.arguments(of: inst).contains(value) { return false }
                for call in function.blockCalls(of: inst) where function.arguments(of: call).contains(.value(value)) {
                    return false
                }
            }
        }
        return true
    }

    /// The block calls of `block`'s terminator (none for returns and traps).
    func successorCalls(of block: Block) -> ArraySlice<BlockCall> {
        guard let terminator = function.blocks[block.position].insts.last else { return [] }
        return function.blockCalls(of: terminator)
    }

    // MARK: Edges (LoweringBuilder)

    var edgeCount: Int { successorCalls(of: currentBlock).count }

    func edgeLabel(_ edge: Int) -> MachLabel {
        let planned = plan.edges[Int(plan.edgeStart(of: currentBlock)) + edge]
        let index = planned.edgeBlock >= 0 ? planned.edgeBlock : plan.vcodeIndex(of: planned.call.block)
        return MachLabel(UInt32(index))
    }

    func emitEdgeMoves(_ edge: Int) {
        let planned = plan.edges[Int(plan.edgeStart(of: currentBlock)) + edge]
        precondition(planned.edgeBlock < 0, "the argument moves of a split edge belong to its edge block")
        guard options.recordSources else {
            emitParallelMoves(planned.call)
            return
        }
        // The moves belong to no instruction: what the rule emitted before them is the
        // instruction's, and lowerBlock attributes what it emits after them.
        attributePending(to: currentInst.index)
        emitParallelMoves(planned.call)
        attributePending(to: VCodeSource.blockArgumentsCode)
        emittedEdgeMoves = true
    }

    /// Fills the edge blocks of `block`'s terminator: argument moves, then `jmp`.
    func fillEdgeBlocks(of block: Block) throws {
        let start = Int(plan.edgeStart(of: block))
        for index in start ..< start + successorCalls(of: block).count where plan.edges[index].edgeBlock >= 0 {
            let edge = plan.edges[index]
            // Into `edgeCode`: `lowerBlock` puts it after the block's own code.
            swap(&pending, &edgeCode)
            let codeStart = pending.count
            emitParallelMoves(edge.call)
            emit(.jmp(target: MachLabel(UInt32(plan.vcodeIndex(of: edge.call.block)))))
            edgeRanges.append((edge.edgeBlock, X64LoweringContext.CodeRange(start: Int32(codeStart),
                                                                            count: Int32(pending.count - codeStart))))
            swap(&pending, &edgeCode)
        }
    }

    /// Writes the target's parameters from the call's arguments as one parallel move:
    /// a move runs once no other pending move still reads its destination; when only
    /// cycles remain (`jump block1(v2, v1)` onto block1(v1, v2)), one destination is
    /// saved in a temporary and its readers read the temporary instead.
    func emitParallelMoves(_ call: BlockCall) {
        let params = function.params(of: call.block)
        let arguments = function.arguments(of: call)
        guard !params.isEmpty else { return }
        var moves = moveScratch
        moveScratch = []
        moves.removeAll(keepingCapacity: true)
        defer { moveScratch = moves }
        for (param, argument) in zip(params, arguments) {
            // buildPlan rejected every other kind of block argument.
            guard case .value(let value) = argument else { continue }
            let destination = anyRegister(of: param), source = useAny(value)
            if destination != source { moves.append((destination, source)) }
            if function.type(of: param) == .i128 {
                // The high half moves in the same parallel move as every low half.
                let highDestination = highRegister(of: param).reg, highSource = highRegister(of: value).reg
                if highDestination != highSource { moves.append((highDestination, highSource)) }
            }
        }
        while !moves.isEmpty {
            var progressed = false
            var index = 0
            while index < moves.count {
                let destination = moves[index].destination
                if moves.contains(where: { $0.source == destination }) {
                    index += 1
                } else {
                    emitRegisterCopy(moves[index].source, into: destination)
                    moves.remove(at: index)
                    progressed = true
                }
            }
            if !progressed {
                let saved = moves[0].destination
                let temporary: Reg = saved.regClass == .float ? newXmm().reg.reg : newGpr().reg.reg
                emitRegisterCopy(saved, into: temporary)
                for index in moves.indices where moves[index].source == saved { moves[index].source = temporary }
            }
        }
    }

    /// A copy of a whole register of either class (the allocator coalesces these).
    func emitRegisterCopy(_ source: Reg, into destination: Reg) {
        if let from = Xmm(source), let to = Xmm(destination) {
            emit(.xmmMove(src: from, dst: Writable(to)))
        } else if let from = Gpr(source), let to = Gpr(destination) {
            emitCopy(from, into: Writable(to))
        } else {
            preconditionFailure("block argument \(source) and parameter \(destination) are of different classes")
        }
    }

    // MARK: Entry and assembly

    /// The entry block's parameters: register parameters become entry arguments (fixed
    /// defs), stack parameters loads from the incoming-argument area. Unused
    /// parameters are left alone.
    func lowerEntry() {
        guard let entry = function.entryBlock else { return }
        for (index, param) in function.params(of: entry).enumerated() where values[param.position].isUsed {
            let registers = valueRegs(of: param)
            let layout = functionSignature.parameters[index]
            receiveEntryArgument(registers.low, from: layout.location, type: function.type(of: param))
            if let high = registers.high, let highLocation = layout.highLocation {
                receiveEntryArgument(high.reg, from: highLocation, type: .i64)
            }
        }
        if let pointer = returnAreaPointerReg, let preg = functionSignature.returnAreaPointer {
            entryArguments.append(FixedDef(Writable(pointer.reg), in: preg))
        }
    }

    /// Defines `register` on entry from a parameter location: a fixed def for a register,
    /// a load for a stack slot (`type` is the value's, or i64 for an i128's high half).
    private func receiveEntryArgument(_ register: Reg, from location: ABISignature.Location, type: IRType) {
        switch location {
        case .register(let preg):
            entryArguments.append(FixedDef(Writable(register), in: preg))
        case .stack(let offset):
            let place = Amode(.frame(.incomingArguments, displacement: offset))
            if let xmm = Xmm(register) {
                emit(.xmmLoad(FloatWidth(type).choose(.movss, .movsd), src: place, dst: Writable(xmm)))
            } else if let gpr = Gpr(register) {
                // A full 8-byte slot: the bits above the value's width are unspecified.
                emit(.load(size: .size64, src: place, dst: Writable(gpr)))
            }
        }
    }

    /// Joins the lowered blocks into the VCode.
    func assemble() -> LoweredFunction {
        var vcode = VCode<X64Inst>()
        putInEmissionOrder()
        swap(&vcode.insts, &loweredCode)
        vcode.blocks.reserveCapacity(plan.blocks.count)
        var end = 0
        for (index, kind) in plan.blocks.enumerated() {
            let start = end
            end += Int(codeRanges[index].count)
            var successors: [Int] = []
            switch kind {
            case .block(let block):
                let first = Int(plan.edgeStart(of: block))
                for edge in plan.edges[first ..< first + successorCalls(of: block).count] {
                    successors.append(Int(edge.edgeBlock >= 0 ? edge.edgeBlock : plan.vcodeIndex(of: edge.call.block)))
                }
            case .edge(let edge):
                successors.append(Int(plan.vcodeIndex(of: plan.edges[edge].call.block)))
            }
            vcode.blocks.append(VCodeBlock(instRange: start ..< end, successors: successors))
        }
        vcode.vregClasses = vregClasses
        vcode.entryArguments = entryArguments

        var slots: [FrameRequirements.StackSlot] = []
        slots.reserveCapacity(function.stackSlots.count)
        for slot in function.stackSlots {
            slots.append(FrameRequirements.StackSlot(size: Int(slot.size), alignment: Int(slot.alignment)))
        }
        let frame = FrameRequirements(
            convention: functionSignature.convention, stackSlots: slots,
            outgoingArgumentsSize: ABISignature.alignTo16(outgoingArgumentsSize),
            incomingArgumentsSize: functionSignature.stackArgumentsSize,
            calleePopSize: functionSignature.calleePopSize, makesCalls: makesCalls, makesTailCalls: makesTailCalls,
            calleeSavedClobberedByCalls: PRegSet(bits: callClobbers.bits & functionSignature.convention.calleeSaved.bits))
        let blockMap = plan.blockStates.map { $0.vcodeIndex >= 0 ? Int($0.vcodeIndex) : nil }
        return LoweredFunction(vcode: vcode, frame: frame, signature: functionSignature, blockMap: blockMap,
                               appliedRules: appliedRules,
                               vcodeSources: options.recordSources ? sourcesInEmissionOrder(count: vcode.insts.count) : [])
    }

    /// Permutes `loweredCode` in place from lowering order into emission order (block
    /// by block as `plan.blocks` lists them), following each cycle of the permutation:
    /// 4 bytes and a flag per instruction instead of a second copy of the code.
    private func putInEmissionOrder() {
        var destination = [Int32](repeating: 0, count: loweredCode.count)
        var next: Int32 = 0
        var inOrder = true
        for range in codeRanges {
            inOrder = inOrder && range.start == next
            for offset in 0 ..< range.count { destination[Int(range.start + offset)] = next + offset }
            next += range.count
        }
        precondition(Int(next) == loweredCode.count, "lowering: the blocks' code does not cover the lowered code")
        guard !inOrder else { return }
        var placed = [Bool](repeating: false, count: loweredCode.count)
        for first in loweredCode.indices where !placed[first] {
            // Carry the instruction at `first` to its place, the one found there to
            // its own, and so on round the cycle back to `first`.
            var from = first
            var carried = loweredCode[first]
            while true {
                placed[from] = true
                let to = Int(destination[from])
                if to == first {
                    loweredCode[first] = carried
                    break
                }
                swap(&carried, &loweredCode[to])
                from = to
            }
        }
    }

    /// `sourceLog` in the blocks' emission order, edge blocks included: the log itself
    /// for a function of one block (most small functions), else gathered block by block.
    private func sourcesInEmissionOrder(count: Int) -> [UInt32] {
        if plan.blocks.count == 1 { return sourceLog }
        var sources: [UInt32] = []
        sources.reserveCapacity(count)
        for (index, kind) in plan.blocks.enumerated() {
            let length = Int(codeRanges[index].count)
            switch kind {
            case .block(let block):
                let start = Int(plan.blockStates[block.position].sourceStart)
                sources.append(contentsOf: sourceLog[start ..< start + length])
            case .edge:
                sources.append(contentsOf: repeatElement(VCodeSource.blockArgumentsCode, count: length))
            }
        }
        return sources
    }
}
