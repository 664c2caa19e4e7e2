import EgretIR

/// The edits the reducer makes to a function's IR: insert and remove instructions,
/// redirect the uses of a value, rewrite operand lists. Every edit keeps the pools
/// consistent (new lists are appended, old ranges left unused), so the printer and the
/// verifier read the result like any parsed function; whether the edited function is
/// still valid is the verifier's call, made on each candidate.
extension Function {
    /// The block `inst` is placed in and its index there.
    func place(of inst: Inst) -> (block: Block, index: Int)? {
        for block in layout {
            if let index = blocks[block.position].insts.firstIndex(of: inst) { return (block, index) }
        }
        return nil
    }

    /// A new instruction at `index` of `block`, with fresh results of `types`.
    @discardableResult
    mutating func insertInstruction(_ data: InstructionData, results types: [IRType], in block: Block,
                                    at index: Int) -> Inst {
        let inst = appendInstruction(data, results: types, to: block)
        var list = blocks[block.position].insts
        list.removeLast()
        list.insert(inst, at: min(index, list.count))
        blocks[block.position].insts = list
        return inst
    }

    /// A zero of `type` defined at `index` of `block` (`iconst`, `f32const`,
    /// `f64const`, or an `iconst.i64` zero-extended for i128); nil for other types.
    mutating func insertZero(_ type: IRType, in block: Block, at index: Int) -> Value? {
        // (Each instruction is inserted before its result is read: `self` must not be
        // read in the same expression that changes it.)
        switch type {
        case .i8, .i16, .i32, .i64:
            let constant = insertInstruction(InstructionData(opcode: .iconst, type: type), results: [type], in: block,
                                             at: index)
            return firstResult(of: constant)
        case .f32, .f64:
            let opcode: Opcode = type == .f32 ? .f32const : .f64const
            let constant = insertInstruction(InstructionData(opcode: opcode), results: [type], in: block, at: index)
            return firstResult(of: constant)
        case .i128:
            let constant = insertInstruction(InstructionData(opcode: .iconst, type: .i64), results: [.i64], in: block,
                                             at: index)
            let low = firstResult(of: constant)
            var extend = InstructionData(opcode: .uextend, type: .i128)
            extend.arguments = appendValues([low])
            let extended = insertInstruction(extend, results: [.i128], in: block, at: index + 1)
            return firstResult(of: extended)
        default:
            return nil
        }
    }

    func firstResult(of inst: Inst) -> Value {
        let results = self.results(of: inst)
        return results[results.startIndex]
    }

    /// Every use of `old` (instruction operands and block arguments) reads `new`.
    mutating func replaceUses(of old: Value, with new: Value) {
        for position in insts.indices {
            let arguments = insts[position].arguments
            for index in Int(arguments.start) ..< Int(arguments.start) + Int(arguments.count)
            where valuePool[index] == old {
                valuePool[index] = new
            }
            let calls = insts[position].blockCalls
            for call in Int(calls.start) ..< Int(calls.start) + Int(calls.count) {
                let range = blockCallPool[call].arguments
                for index in Int(range.start) ..< Int(range.start) + Int(range.count)
                where blockArgPool[index] == .value(old) {
                    blockArgPool[index] = .value(new)
                }
            }
        }
    }

    /// Takes `inst` out of its block.
    mutating func removeInstruction(_ inst: Inst) {
        guard let (block, index) = place(of: inst) else { return }
        blocks[block.position].insts.remove(at: index)
    }

    /// `inst`'s operands become `values`.
    mutating func setArguments(of inst: Inst, _ values: [Value]) {
        let range = appendValues(values)
        insts[inst.position].arguments = range
    }

    /// `block`'s parameters become `parameters` (values that are its parameters
    /// already), renumbered in order.
    mutating func setParams(of block: Block, _ parameters: [Value]) {
        let range = appendValues(parameters)
        blocks[block.position].params = range
        for (index, value) in parameters.enumerated() {
            self.values[value.position].index = UInt16(index)
        }
    }

    /// The function with parameter `position` of `block` gone, its uses reading a zero
    /// defined at the top of the block (nil for a type without a zero constant).
    func droppingParameter(_ position: Int, of block: Block) -> Function? {
        var edited = self
        let parameters = Array(params(of: block))
        guard position < parameters.count,
              let zero = edited.insertZero(type(of: parameters[position]), in: block, at: 0) else { return nil }
        edited.replaceUses(of: parameters[position], with: zero)
        var remaining = parameters
        remaining.remove(at: position)
        edited.setParams(of: block, remaining)
        return edited
    }

    /// Every call to `block` (from any terminator) passes `transform` of its arguments.
    mutating func rewriteCalls(to block: Block, _ transform: ([BlockArg]) -> [BlockArg]) {
        for position in blockCallPool.indices where blockCallPool[position].block == block {
            let arguments = Array(self.arguments(of: blockCallPool[position]))
            let range = appendBlockArgs(transform(arguments))
            blockCallPool[position].arguments = range
        }
    }
}
