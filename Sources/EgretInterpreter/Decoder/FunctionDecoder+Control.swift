import EgretIR

/// Branches (with their block-argument moves), traps, returns and calls.
extension FunctionDecoder {
    // MARK: Branch targets

    /// The block calls of an instruction, checked against the pool.
    private func blockCalls(of data: InstructionData) throws(Failure) -> [BlockCall] {
        guard Int(data.blockCalls.start) + Int(data.blockCalls.count) <= function.blockCallPool.count else {
            throw .invalid("branch target list out of range")
        }
        return Array(function.blockCallPool[data.blockCalls.indices])
    }

    /// Makes a branch target for `blockCall`: its block and the moves that pass the
    /// arguments to the block's parameters.
    ///
    /// Block arguments are assigned in parallel (`jump block1(v4, v3)` into parameters
    /// `v3, v4` swaps them). When a parameter being written is also an argument still
    /// to be read, every argument goes through a scratch register first.
    private mutating func target(for blockCall: BlockCall) throws(Failure) -> UInt32 {
        let block = blockCall.block
        guard block.position < function.blocks.count, function.blocks[block.position].isDeclared,
              isPlaced(block)
        else { throw .invalid("branch to \(block), which is not in the layout") }
        let params = try poolValues(function.blocks[block.position].params)
        let range = blockCall.arguments
        guard Int(range.start) + Int(range.count) <= function.blockArgPool.count else {
            throw .invalid("block argument list out of range")
        }
        let arguments = function.blockArgPool[range.indices]
        guard arguments.count == params.count else {
            throw .invalid("\(block) takes \(params.count) arguments, not \(arguments.count)")
        }
        var pairs: [RegisterMove] = []
        for (argument, param) in zip(arguments, params) {
            guard case .value(let value) = argument else {
                throw .invalid("try_call results passed to \(block) outside a try_call")
            }
            guard function.isDefined(value), function.isDefined(param) else {
                throw .invalid("branch to \(block) passes \(value), which is not defined")
            }
            guard type(value) == type(param) else {
                throw .invalid("branch passes \(value): \(type(value)) to \(param): \(type(param))")
            }
            if value != param { pairs.append(RegisterMove(from: register(value), to: register(param))) }
        }
        let written = Set(pairs.map(\.to))
        var moves = pairs
        if pairs.contains(where: { written.contains($0.from) }) {
            let scratchBase = UInt32(function.values.count)
            scratchCount = max(scratchCount, pairs.count)
            moves = pairs.enumerated().map { RegisterMove(from: $1.from, to: scratchBase + UInt32($0)) }
                + pairs.enumerated().map { RegisterMove(from: scratchBase + UInt32($0), to: $1.to) }
        }
        let targetIndex = program.targets.count
        program.targets.append(BranchTarget(codeIndex: 0, moveStart: Int32(program.moves.count),
                                            moveCount: Int32(moves.count), fuelCost: fuelCost(of: block)))
        program.moves.append(contentsOf: moves)
        targetFixups.append((targetIndex, block.position))
        return UInt32(targetIndex)
    }

    private func isPlaced(_ block: Block) -> Bool {
        placedBlocks[block.position]
    }

    // MARK: Branches, traps, returns

    mutating func jump(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let calls = try blockCalls(of: p.data)
        guard calls.count == 1 else { throw .invalid("jump needs one target") }
        emit(MicroInstruction(.jump, b: try target(for: calls[0])))
    }

    mutating func branchIf(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let calls = try blockCalls(of: p.data)
        guard calls.count == 2 else { throw .invalid("brif needs two targets") }
        let then = try target(for: calls[0])
        let otherwise = try target(for: calls[1])
        emit(MicroInstruction(.brif, a: p.argument(0), b: then, c: otherwise))
    }

    /// `br_table`: the default target, then the table's, in consecutive target slots.
    mutating func branchTable(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let calls = try blockCalls(of: p.data)
        guard let first = calls.first else { throw .invalid("br_table needs a default target") }
        let firstTarget = try target(for: first)
        for call in calls.dropFirst() { _ = try target(for: call) }
        emit(MicroInstruction(.brTable, a: p.argument(0), b: firstTarget, immediate: UInt64(calls.count - 1)))
    }

    mutating func returnInstruction(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let expected = function.signature.returns.map(\.type)
        guard p.arguments.map(type) == expected else {
            throw .invalid("return of \(p.arguments.map { "\(type($0))" }) from a function returning \(expected)")
        }
        let start = program.appendOperands(p.arguments.map(register))
        emit(MicroInstruction(.return, a: UInt32(start), b: UInt32(p.arguments.count)))
    }

    mutating func trap(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        var instruction = MicroInstruction(.trap)
        instruction.code = p.data.code
        emit(instruction)
    }

    mutating func conditionalTrap(_ inst: Inst, _ op: MicroOp) throws(Failure) {
        let p = try prepare(inst)
        var instruction = MicroInstruction(op, a: p.argument(0))
        instruction.code = p.data.code
        emit(instruction)
    }

    // MARK: Calls

    /// The module function a function reference names.
    private func callee(of reference: UInt32) throws(Failure) -> (index: Int, declared: Signature) {
        let position = Int(reference)
        guard position < function.functionRefs.count, let external = function.functionRefs[position] else {
            throw .invalid("fn\(reference) is not declared")
        }
        guard external.signature.position < function.signatures.count else {
            throw .invalid("fn\(reference) has an undeclared signature")
        }
        guard let index = program.functionIndex(named: external.name) else {
            throw .unsupported("call to \(external.name), which is not defined in the module")
        }
        let declared = function.signatures[external.signature.position]
        let actual = program.module.functions[index].signature
        guard SignatureShape(declared) == SignatureShape(actual) else {
            throw .invalid("fn\(reference) declares \(external.name) as \(declared) but it is \(actual)")
        }
        return (index, declared)
    }

    /// Checks a call's arguments and results against the callee's signature, and for a
    /// tail call that the callee returns what this function returns.
    private func checkCall(_ arguments: [Value], _ results: [Value], against signature: Signature,
                           tail: Bool) throws(Failure) {
        guard arguments.map(type) == signature.params.map(\.type) else {
            throw .invalid("call passes \(arguments.map { "\(type($0))" }) to \(signature)")
        }
        if tail {
            guard results.isEmpty else { throw .invalid("a tail call has no results of its own") }
            guard signature.returns.map(\.type) == function.signature.returns.map(\.type) else {
                throw .invalid("tail call to \(signature) from a function returning \(function.signature.returns)")
            }
        } else {
            guard results.map(type) == signature.returns.map(\.type) else {
                throw .invalid("call expects \(results.map { "\(type($0))" }) from \(signature)")
            }
        }
    }

    private mutating func appendCallSite(callee: Int, calleeRegister: UInt32, calleeAddressBits: Int = 64,
                                         signatureID: Int32, arguments: [Value], results: [Value]) -> UInt32 {
        let site = CallSite(callee: Int32(callee), calleeRegister: calleeRegister,
                            calleeAddressBits: UInt8(calleeAddressBits), signatureID: signatureID,
                            argumentStart: program.appendOperands(arguments.map(register)),
                            argumentCount: Int32(arguments.count),
                            resultStart: program.appendOperands(results.map(register)),
                            resultCount: Int32(results.count))
        program.callSites.append(site)
        return UInt32(program.callSites.count - 1)
    }

    /// `call fnN(args)` and `return_call fnN(args)`.
    mutating func call(_ inst: Inst, tail: Bool) throws(Failure) {
        let p = try prepare(inst)
        if !tail, let libcall = floatLibcall(p.data.entity) {
            try callFloatLibcall(libcall, p)
            return
        }
        let (calleeIndex, signature) = try callee(of: p.data.entity)
        try checkCall(p.arguments, p.results, against: signature, tail: tail)
        let site = appendCallSite(callee: calleeIndex, calleeRegister: 0, signatureID: -1,
                                  arguments: p.arguments, results: p.results)
        emit(MicroInstruction(tail ? .returnCall : .call, a: site))
    }

    /// `call_indirect sigN, callee(args)` and `return_call_indirect`: the callee is
    /// checked at run time to be a function of the module with this signature.
    mutating func callIndirect(_ inst: Inst, tail: Bool) throws(Failure) {
        let p = try prepare(inst)
        let position = Int(p.data.entity)
        guard position < function.signatures.count else { throw .invalid("sig\(position) is not declared") }
        let signature = function.signatures[position]
        let arguments = Array(p.arguments.dropFirst())
        try checkCall(arguments, p.results, against: signature, tail: tail)
        let site = appendCallSite(callee: -1, calleeRegister: p.argument(0),
                                  calleeAddressBits: type(p.arguments[0]).bits,
                                  signatureID: program.shapeID(of: signature), arguments: arguments,
                                  results: p.results)
        emit(MicroInstruction(tail ? .returnCallIndirect : .callIndirect, a: site))
    }

    /// `func_addr`: module functions first, then the float libcalls.
    mutating func functionAddress(_ inst: Inst) throws(Failure) {
        let p = try prepare(inst)
        let index: Int
        if let libcall = floatLibcall(p.data.entity), let ordinal = FloatLibcall.allCases.firstIndex(of: libcall) {
            index = program.module.functions.count + ordinal
        } else {
            index = try callee(of: p.data.entity).index
        }
        emit(MicroInstruction(.funcAddr, bits: p.bits, destination: p.result(0), immediate: UInt64(index)))
    }

    // MARK: Libcalls

    /// The float libcall a function reference names, when it names no function of the
    /// module.
    private func floatLibcall(_ reference: UInt32) -> FloatLibcall? {
        let position = Int(reference)
        guard position < function.functionRefs.count, let external = function.functionRefs[position],
              program.functionIndex(named: external.name) == nil, case .testCase(let name) = external.name
        else { return nil }
        return FloatLibcall(rawValue: name)
    }

    /// A call to `%CeilF32` and friends runs as the operation itself.
    private mutating func callFloatLibcall(_ libcall: FloatLibcall, _ p: PreparedInstruction) throws(Failure) {
        let floatType = libcall.type
        guard p.arguments.map(type) == Array(repeating: floatType, count: libcall.arity),
              p.results.map(type) == [floatType]
        else { throw .invalid("%\(libcall.rawValue) takes \(libcall.arity) \(floatType) and returns \(floatType)") }
        emit(MicroInstruction(libcall.operation, bits: floatType.bits, destination: p.result(0), a: p.argument(0),
                              b: p.arguments.count > 1 ? p.argument(1) : 0,
                              c: p.arguments.count > 2 ? p.argument(2) : 0))
    }
}
