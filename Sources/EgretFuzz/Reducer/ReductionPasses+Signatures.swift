import EgretIR

/// Reducer passes that change a signature: drop one block parameter, function
/// parameter or return value, and keep everything that depends on it consistent: the
/// branches to the block; the entry block, each caller's declaration, call and run line
/// of the function; each `return` and each caller's results.
extension ReductionPasses {
    /// Removes one parameter of a block: every branch to it loses the argument, and the
    /// parameter becomes a zero at the top of the block.
    static func dropBlockParameter(_ module: Module, _ site: Int) -> [Module] {
        let (index, block) = blockSites(module)[site]
        let function = module.functions[index]
        let parameters = Array(function.params(of: block))
        return parameters.indices.compactMap { position in
            guard var edited = function.droppingParameter(position, of: block) else { return nil }
            edited.rewriteCalls(to: block) { arguments in
                var kept = arguments
                if position < kept.count { kept.remove(at: position) }
                return kept
            }
            var candidate = module
            candidate.functions[index] = edited
            return candidate
        }
    }

    /// Removes one parameter of a function: its entry block defines it as a zero, and
    /// every call to it (in the declared callers) and every run line of it loses the
    /// argument.
    static func dropFunctionParameter(_ module: Module, _ site: Int) -> [Module] {
        let function = module.functions[site]
        guard let entry = function.entryBlock else { return [] }
        let parameters = Array(function.params(of: entry))
        guard parameters.count == function.signature.params.count else { return [] }
        return parameters.indices.compactMap { position in
            guard var edited = function.droppingParameter(position, of: entry) else { return nil }
            edited.signature.params.remove(at: position)
            var candidate = module
            candidate.functions[site] = edited
            editCallers(&candidate, of: function.name, signature: { $0.params.remove(at: position) }) { caller, inst in
                var arguments = Array(caller.arguments(of: inst))
                guard position < arguments.count else { return }
                arguments.remove(at: position)
                caller.setArguments(of: inst, arguments)
            }
            candidate.runDirectives = module.runDirectives.map { directive in
                guard directive.functionIndex == site, position < directive.arguments.count else { return directive }
                var changed = directive
                changed.arguments.remove(at: position)
                changed.heapArguments = directive.heapArguments.filter { $0 != position }
                    .map { $0 > position ? $0 - 1 : $0 }
                return changed
            }
            return candidate
        }
    }

    /// Removes one return value of a function: every `return` in it loses that operand,
    /// callers define the result they received as a zero, and run lines drop the
    /// expected value (a line left expecting nothing prints its result instead).
    static func dropReturnValue(_ module: Module, _ site: Int) -> [Module] {
        let function = module.functions[site]
        let returns = function.signature.returns
        return returns.indices.map { position in
            var edited = function
            edited.signature.returns.remove(at: position)
            for block in edited.layout {
                for inst in edited.instructions(in: block) where edited[inst].opcode == .return {
                    var operands = Array(edited.arguments(of: inst))
                    guard position < operands.count else { continue }
                    operands.remove(at: position)
                    edited.setArguments(of: inst, operands)
                }
            }
            var candidate = module
            candidate.functions[site] = edited
            editCallers(&candidate, of: function.name, signature: { $0.returns.remove(at: position) }) { caller, inst in
                let results = Array(caller.results(of: inst))
                guard position < results.count, let (block, at) = caller.place(of: inst) else { return }
                if let zero = caller.insertZero(caller.type(of: results[position]), in: block, at: at + 1) {
                    caller.replaceUses(of: results[position], with: zero)
                }
                var kept = results
                kept.remove(at: position)
                let range = caller.appendValues(kept)
                caller.instResults[inst.position] = range
                for (index, value) in kept.enumerated() { caller.values[value.position].index = UInt16(index) }
            }
            candidate.runDirectives = module.runDirectives.map { directive in
                guard directive.functionIndex == site else { return directive }
                var changed = directive
                if case .values(let comparison, var values) = directive.expectation, position < values.count {
                    values.remove(at: position)
                    changed.expectation = values.isEmpty ? .none : .values(comparison, values)
                }
                return changed
            }
            return candidate
        }
    }

    /// In every function that declares `name`: its declared signature edited by
    /// `signature`, and each direct call or tail call of it rewritten by `rewrite`.
    static func editCallers(_ module: inout Module, of name: ExternalName, signature: (inout Signature) -> Void,
                            rewrite: (inout Function, Inst) -> Void) {
        for index in module.functions.indices {
            var caller = module.functions[index]
            var references: Set<UInt32> = []
            for (position, reference) in caller.functionRefs.enumerated() {
                guard let reference, reference.name == name,
                      reference.signature.position < caller.signatures.count else { continue }
                signature(&caller.signatures[reference.signature.position])
                references.insert(UInt32(position))
            }
            guard !references.isEmpty else { continue }
            let calls: Set<Opcode> = [.call, .return_call]
            for block in caller.layout {
                for inst in caller.instructions(in: block)
                where calls.contains(caller[inst].opcode) && references.contains(caller[inst].entity) {
                    rewrite(&caller, inst)
                }
            }
            module.functions[index] = caller
        }
    }
}
