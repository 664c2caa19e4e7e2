/// Whole-function work done once a function's closing brace is read: value aliases are
/// resolved, references to values and blocks never defined are reported, and every
/// instruction gets its controlling type and result types.
///
/// Requires: the body was parsed (operands may name values defined further down).
/// Guarantees: no use of an alias remains; every value used is defined; every block
/// referenced is declared; every result has a valid type.
extension TextParser {
    mutating func finishFunction() throws {
        if !context.aliases.isEmpty { try resolveAliases() }
        try checkForwardReferences()
        try inferDeferredTypes()
    }

    // MARK: Aliases

    /// Replaces every use of an alias by the value it finally stands for.
    private mutating func resolveAliases() throws {
        var targetOf: [Int: Value] = [:]
        for (alias, target, _) in context.aliases { targetOf[alias.position] = target }
        var resolved: [Int: Value] = [:]
        for (alias, _, aliasToken) in context.aliases {
            var current = alias
            var steps = 0
            while let next = targetOf[current.position] {
                current = next
                steps += 1
                guard steps <= context.aliases.count else {
                    throw error("alias cycle involving v\(alias.index)", at: aliasToken)
                }
            }
            guard function.isDefined(current) else {
                throw error("v\(alias.index) is an alias of v\(current.index), which is not defined", at: aliasToken)
            }
            resolved[alias.position] = current
        }
        func substitute(_ value: Value) -> Value {
            value.position < context.isAlias.count && context.isAlias[value.position] ? resolved[value.position] ?? value
                                                                                       : value
        }
        // Results and parameters are never aliases, so the whole pool can be rewritten.
        for index in function.valuePool.indices {
            function.valuePool[index] = substitute(function.valuePool[index])
        }
        for index in function.blockArgPool.indices {
            if case .value(let value) = function.blockArgPool[index] {
                function.blockArgPool[index] = .value(substitute(value))
            }
        }
        for table in function.exceptionTables.indices {
            function.exceptionTables[table].contexts = function.exceptionTables[table].contexts.map(substitute)
        }
        // Alias numbers stay undefined; drop those past the last real value so the
        // function looks exactly as if the aliases had never been written.
        while let last = function.values.last, last.definition == .none { function.values.removeLast() }
    }

    // MARK: Undefined values and blocks

    private func checkForwardReferences() throws {
        for use in context.forwardValueUses {
            let index = Int(use.number)
            let isAlias = index < context.isAlias.count && context.isAlias[index]
            guard isAlias || function.isDefined(Value(index)) else {
                throw error("v\(index) is used but never defined", at: use)
            }
        }
        for use in context.forwardBlockUses {
            guard function.isDeclared(Block(use.number)) else {
                throw error("block\(use.number) is referenced but has no header in this function", at: use)
            }
        }
    }

    // MARK: Types

    /// Sets the controlling type of an instruction about to be appended when it can be
    /// known now: the written suffix, or the type of its typevar operand if that is
    /// already typed. Returns `false` when the operand has no type yet (it is defined
    /// further down, or is an alias): the instruction then waits for
    /// `inferDeferredTypes`.
    @inline(__always)
    mutating func inferControllingType(of data: inout InstructionData, inst: Int, opcodeToken: Token) throws -> Bool {
        let operandIndex = Int(opcodeFacts[Int(data.opcode.rawValue)].typevarOperand)
        guard !data.type.isValid && operandIndex >= 0 else { return true }
        guard operandIndex < Int(data.arguments.count) else {
            throw error("\(data.opcode.name) is missing its operand \(operandIndex)", at: opcodeToken)
        }
        let operand = function.valuePool[Int(data.arguments.start) + operandIndex]
        let type = operand.position < function.values.count ? function.values[operand.position].type : .invalid
        guard type.isValid else { return false }
        try checkControllingType(type, of: data.opcode, inferredFrom: operand) { message in
            error(message, at: opcodeToken)
        }
        data.type = type
        return true
    }

    private func checkControllingType(_ type: IRType, of opcode: Opcode, inferredFrom operand: Value,
                                      failure: (String) -> ParseFailure) throws {
        guard OpcodeTable.accepts(acceptedTypeBits, opcode, controlling: type) else {
            throw failure("\(type) is not a valid type for \(opcode.name) (inferred from v\(operand.index))")
        }
    }

    private func typevarOperand(of data: InstructionData, _ facts: OpcodeFacts) -> Value? {
        let index = Int(facts.typevarOperand)
        guard index >= 0 && index < Int(data.arguments.count) else { return nil }
        return function.valuePool[Int(data.arguments.start) + index]
    }

    /// Types the instructions that waited for an operand defined further down.
    ///
    /// They are resolved depth-first: one whose typevar operand is the result of
    /// another waiting instruction waits on a stack until that one is done. Each is
    /// pushed once, so this is linear; a cycle (`v1 = iadd v2, v0` / `v2 = iadd v1, v0`)
    /// is an error.
    private mutating func inferDeferredTypes() throws {
        let deferred = context.deferredInstructions
        guard !deferred.isEmpty else { return }
        enum State: UInt8 { case done, waiting, inProgress }
        var state: [Int: State] = [:]
        for inst in deferred { state[inst] = .waiting }
        var stack: [Int] = []
        for first in deferred where state[first] == .waiting {
            state[first] = .inProgress
            stack.append(first)
            while let inst = stack.last {
                let data = function.insts[inst]
                let facts = opcodeFacts[Int(data.opcode.rawValue)]
                guard let operand = typevarOperand(of: data, facts) else {
                    throw instructionError(inst, "\(data.opcode.name) is missing its operand \(facts.typevarOperand)")
                }
                let definition = function.values[operand.position]
                if definition.definition == .result, let ownerState = state[Int(definition.owner)], ownerState != .done {
                    guard ownerState == .waiting else {
                        throw instructionError(inst, "cannot infer the type of \(data.opcode.name): v\(operand.index) "
                            + "depends on this instruction's own result; add a type suffix")
                    }
                    state[Int(definition.owner)] = .inProgress
                    stack.append(Int(definition.owner))
                    continue
                }
                try checkControllingType(definition.type, of: data.opcode, inferredFrom: operand) { message in
                    instructionError(inst, message)
                }
                function.insts[inst].type = definition.type
                try assignResultTypes(of: function.insts[inst], results: function.instResults[inst], inst: inst)
                state[inst] = .done
                stack.removeLast()
            }
        }
    }

    /// Gives each result of an instruction whose controlling type is known its type.
    @inline(__always)
    mutating func assignResultTypes(of data: InstructionData, results: PoolRange, inst: Int) throws {
        for position in 0 ..< Int(results.count) {
            guard let type = resultType(of: data, position), type.isValid else {
                throw instructionError(inst, "cannot determine the type of result \(position) of \(data.opcode.name)"
                    + (data.type.isValid ? " for \(data.type)" : ""))
            }
            let value = function.valuePool[Int(results.start) + position]
            function.values[value.position].type = type
        }
    }

    /// The type of result `position`: from the callee's signature for calls, else from
    /// the opcode's table row and the controlling type.
    @inline(__always)
    private func resultType(of data: InstructionData, _ position: Int) -> IRType? {
        if data.opcode == .call {
            return signature(ofCallee: data.funcRef)?.returns[position].type
        }
        if data.opcode == .call_indirect {
            return function.signatures[data.sigRef.position].returns[position].type
        }
        let constraint = resultConstraints[Int(opcodeFacts[Int(data.opcode.rawValue)].firstResult) + position]
        if let type = constraint.resolve(controlling: data.type) { return type }
        // A result free of the controlling type (stack_switch's payload) is address-sized.
        if case .free(let set) = constraint, set.contains(.i64) { return .i64 }
        return nil
    }

    /// An error at an instruction's opcode (its line's text is found when reported).
    func instructionError(_ inst: Int, _ message: String) -> ParseFailure {
        let location = inst < function.instLocations.count ? function.instLocations[inst] : .unknown
        return ParseFailure(message, line: Int(location.line), column: Int(location.column), lineStart: -1)
    }
}
