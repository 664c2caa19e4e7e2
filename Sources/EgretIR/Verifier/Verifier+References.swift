/// The references pass: every index a placed instruction holds must be in range before
/// any later pass follows it.
///
/// Requires: the definitions and layout passes (`valueIsUsable`, `instBlock`,
/// `blockLayoutIndex`, `blockParamsAreSound`).
/// Guarantees: `instIsSound[i]` is true only when instruction `i` is placed, its result,
/// argument, block-call and block-argument ranges are in their pools, its results are
/// usable values defined by it (in order), its operands and value block arguments are
/// usable values, its branch targets are placed blocks with sound parameters, it has
/// as many operands and targets as its format and opcode take, and the entity it names
/// (function reference with its signature, signature, stack slot, constant, global
/// value, exception table with its signature and context values, block) exists.
/// Condition codes, trap codes and memory flags are checked here too, and that each
/// block's last instruction, and only it, is a terminator; these do not affect
/// soundness.
extension FunctionVerifier {
    mutating func checkReferences() {
        // Filled in a local and stored at the end (no copy-on-write checks per write).
        var instIsSound = [Bool](repeating: false, count: instBlock.count)
        for layoutIndex in 0 ..< layoutBlocks.count {
            let block = Int(layoutBlocks[layoutIndex])
            guard block >= 0 else { continue }
            let insts = function.blocks[block].insts
            for position in 0 ..< insts.count {
                let inst = insts[position].position
                // Skip entries that name no instruction or repeat one placed elsewhere.
                guard inst < instBlock.count, Int(instBlock[inst]) == layoutIndex,
                      Int(instPosition[inst]) == position
                else { continue }
                instIsSound[inst] = checkReferences(ofInst: inst)
                checkTerminator(ofInst: inst, isLast: Int(layoutTerminator[layoutIndex]) == inst, block: block)
            }
        }
        self.instIsSound = instIsSound
    }

    /// A block's last instruction is a terminator, and no other is (checked here, in
    /// the same pass over the instructions, rather than in a pass of its own).
    @inline(__always)
    private mutating func checkTerminator(ofInst inst: Int, isLast: Bool, block: Int) {
        let isTerminator = table.row(function.insts[inst].opcode).isTerminator
        if isLast && !isTerminator {
            report(inst: inst, "block\(block) does not end with a terminator (its last instruction is not a branch, return or trap)")
        } else if !isLast && isTerminator {
            report(inst: inst, "a terminator instruction was encountered before the end of block\(block)")
        }
    }

    private mutating func checkReferences(ofInst inst: Int) -> Bool {
        let data = function.insts[inst]
        let row = table.row(data.opcode)
        var sound = checkResultList(ofInst: inst)

        // Value operands.
        if Self.range(data.arguments, fitsIn: function.valuePool.count) {
            let start = Int(data.arguments.start), count = Int(data.arguments.count)
            for index in start ..< start + count where !isUsable(function.valuePool[index]) {
                report(inst: inst, "uses \(function.valuePool[index]), which is not defined")
                sound = false
            }
            let fixed = Int(row.operandCount)
            if row.hasVariableArguments ? count < fixed : count != fixed {
                let expected = row.hasVariableArguments ? "at least \(fixed)" : "\(fixed)"
                report(inst: inst, "has \(count) value operands, but \(data.opcode.name) takes \(expected)")
                sound = false
            }
        } else {
            report(inst: inst, "its operand list is out of the value pool's bounds")
            sound = false
        }

        sound = checkBranchTargets(ofInst: inst, data: data, format: row.format) && sound
        sound = checkEntity(ofInst: inst, data: data, format: row.format) && sound
        checkCodes(ofInst: inst, data: data, format: row.format)
        return sound
    }

    /// Every result is a usable value defined as this instruction's result, in order.
    private mutating func checkResultList(ofInst inst: Int) -> Bool {
        let results = function.instResults[inst]
        guard Self.range(results, fitsIn: function.valuePool.count) else {
            report(inst: inst, "its result list is out of the value pool's bounds")
            return false
        }
        var sound = true
        for index in 0 ..< Int(results.count) {
            let value = function.valuePool[Int(results.start) + index]
            guard isUsable(value) else {
                report(inst: inst, "result \(index) (\(value)) is not a defined value")
                sound = false
                continue
            }
            let data = function.values[value.position]
            if data.definition != .result || Int(data.owner) != inst || Int(data.index) != index {
                report(inst: inst, "result \(index) (\(value)) is already defined elsewhere (\(describeDefinition(data)))")
                sound = false
            }
        }
        return sound
    }

    /// Targets exist, are placed, are not the entry block; their arguments are in range.
    private mutating func checkBranchTargets(ofInst inst: Int, data: InstructionData,
                                             format: InstructionFormat) -> Bool {
        guard Self.range(data.blockCalls, fitsIn: function.blockCallPool.count) else {
            report(inst: inst, "its branch-target list is out of the block-call pool's bounds")
            return false
        }
        let shape = format.blockCallShape
        let callCount = Int(data.blockCalls.count)
        if shape.orMore ? callCount < shape.count : callCount != shape.count {
            let expected = shape.orMore ? "at least \(shape.count)" : "\(shape.count)"
            report(inst: inst, "has \(callCount) branch targets, but \(data.opcode.name) takes \(expected)")
            return false
        }
        var sound = true
        let entry = function.layout.first
        for callIndex in Int(data.blockCalls.start) ..< Int(data.blockCalls.start) + callCount {
            let call = function.blockCallPool[callIndex]
            guard isPlaced(call.block) else {
                report(inst: inst, "branches to \(call.block), which is \(describePlacement(call.block))")
                sound = false
                continue
            }
            if call.block == entry {
                report(inst: inst, "branches to the entry block \(call.block), which cannot have predecessors")
            }
            if !blockParamsAreSound[call.block.position] { sound = false }
            guard Self.range(call.arguments, fitsIn: function.blockArgPool.count) else {
                report(inst: inst, "the arguments of its target \(call.block) are out of the block-argument pool's bounds")
                sound = false
                continue
            }
            let start = Int(call.arguments.start)
            for index in start ..< start + Int(call.arguments.count) {
                if case .value(let value) = function.blockArgPool[index], !isUsable(value) {
                    report(inst: inst, "passes \(value) to \(call.block), but \(value) is not defined")
                    sound = false
                }
            }
        }
        return sound
    }

    /// "not declared" or "not in the layout", for messages about block references.
    func describePlacement(_ block: Block) -> String {
        function.isDeclared(block) ? "not in the layout" : "not declared"
    }

    /// The entity the format names exists (and, for references to functions and
    /// exception tables, so do their signatures).
    private mutating func checkEntity(ofInst inst: Int, data: InstructionData, format: InstructionFormat) -> Bool {
        switch format {
        case .call, .funcAddr:
            return checkFunctionReference(data.funcRef, ofInst: inst)
        case .callIndirect:
            guard signature(data.sigRef) != nil else {
                report(inst: inst, "names \(data.sigRef), which is not declared")
                return false
            }
            return true
        case .tryCall:
            let tableIsSound = checkExceptionTable(ofInst: inst, data: data)
            return checkFunctionReference(Self.tryCallCallee(of: data), ofInst: inst) && tableIsSound
        case .tryCallIndirect:
            return checkExceptionTable(ofInst: inst, data: data)
        case .stackAddr:
            guard data.stackSlot.position < function.stackSlots.count else {
                report(inst: inst, "names \(data.stackSlot), which is not declared")
                return false
            }
            return true
        case .dynamicStackAddr:
            let slot = DynamicStackSlot(data.entity)
            guard slot.position < function.dynamicStackSlots.count else {
                report(inst: inst, "names \(slot), which is not declared")
                return false
            }
            return true
        case .unaryConst, .shuffle:
            guard data.constant.position < function.constants.count else {
                report(inst: inst, "names \(data.constant), which is not declared")
                return false
            }
            return true
        case .unaryGlobalValue:
            guard data.globalValue.position < function.globalValues.count,
                  function.globalValues[data.globalValue.position] != nil
            else {
                report(inst: inst, "names \(data.globalValue), which is not declared")
                return false
            }
            return true
        case .exceptionHandlerAddress:
            let block = Block(data.entity)
            guard isPlaced(block) else {
                report(inst: inst, "names \(block), which is \(describePlacement(block))")
                return false
            }
            return true
        case .unary, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .binary, .binaryImm8, .ternary,
             .ternaryImm8, .multiAry, .nullAry, .intCompare, .floatCompare, .jump, .brif, .branchTable,
             .atomicRmw, .atomicCas, .load, .loadNoOffset, .store, .storeNoOffset, .trap, .condTrap, .intAddTrap:
            return true
        }
    }

    /// Where a `try_call` keeps its callee: `entity` holds the exception table, so the
    /// function reference is stored in `immediate`.
    static func tryCallCallee(of data: InstructionData) -> FuncRef {
        FuncRef(UInt32(truncatingIfNeeded: data.immediate))
    }

    private mutating func checkFunctionReference(_ reference: FuncRef, ofInst inst: Int) -> Bool {
        guard reference.position < function.functionRefs.count,
              let external = function.functionRefs[reference.position]
        else {
            report(inst: inst, "names \(reference), which is not declared")
            return false
        }
        guard signature(external.signature) != nil else {
            report(inst: inst, "\(reference) has signature \(external.signature), which is not declared")
            return false
        }
        return true
    }

    /// The table exists, its signature exists, it has one tag per handler target and
    /// its context values are defined.
    private mutating func checkExceptionTable(ofInst inst: Int, data: InstructionData) -> Bool {
        let reference = data.exceptionTable
        guard reference.position < function.exceptionTables.count else {
            report(inst: inst, "names \(reference), which is not declared")
            return false
        }
        let exceptionTable = function.exceptionTables[reference.position]
        var sound = true
        if signature(exceptionTable.signature) == nil {
            report(inst: inst, "its exception table's signature \(exceptionTable.signature) is not declared")
            sound = false
        }
        var handlerTags = 0
        var contexts = exceptionTable.contexts
        for tag in exceptionTable.handlerTags {
            switch tag {
            case .tag, .catchAll: handlerTags += 1
            case .context(let value): contexts.append(value)
            }
        }
        let handlerTargets = Int(data.blockCalls.count) - 1
        if handlerTags != handlerTargets {
            report(inst: inst, "its exception table has \(handlerTags) handler tags for \(max(handlerTargets, 0)) handler blocks")
        }
        for value in contexts where !isUsable(value) {
            report(inst: inst, "its exception table uses context \(value), which is not defined")
            sound = false
        }
        return sound
    }

    /// Condition codes, trap codes, atomic operations and memory flags hold values that
    /// exist; fields the format does not have are left at zero.
    private mutating func checkCodes(ofInst inst: Int, data: InstructionData, format: InstructionFormat) {
        switch format {
        case .intCompare:
            if IntCC(rawValue: data.code) == nil { report(inst: inst, "has an invalid condition code (\(data.code))") }
        case .floatCompare:
            if FloatCC(rawValue: data.code) == nil { report(inst: inst, "has an invalid condition code (\(data.code))") }
        case .trap, .condTrap, .intAddTrap:
            if data.code == 0 { report(inst: inst, "has an invalid trap code (0)") }
        case .atomicRmw:
            if AtomicRmwOp(rawValue: data.code) == nil {
                report(inst: inst, "has an invalid atomic operation (\(data.code))")
            }
        case .unary, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .unaryConst, .unaryGlobalValue, .binary,
             .binaryImm8, .ternary, .ternaryImm8, .multiAry, .nullAry, .shuffle, .jump, .brif, .branchTable, .call,
             .callIndirect, .tryCall, .tryCallIndirect, .funcAddr, .atomicCas, .load, .loadNoOffset, .store,
             .storeNoOffset, .stackAddr, .dynamicStackAddr, .exceptionHandlerAddress:
            break
        }
        if format.hasMemoryFlags {
            if let code = data.flags.trapCode, code.raw == 0 {
                report(inst: inst, "its memory flags have an invalid trap code (0)")
            }
        } else if data.flags != MemFlags() {
            report(inst: inst, "has memory flags, which \(data.opcode.name) does not take")
        }
        if !format.hasOffset && data.offset != 0 {
            report(inst: inst, "has an offset (\(data.offset)), which \(data.opcode.name) does not take")
        }
    }
}
