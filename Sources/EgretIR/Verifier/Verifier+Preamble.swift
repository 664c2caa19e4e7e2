/// The preamble pass: declarations that instructions refer to (Cranelift's
/// `verify_global_values`, `typecheck_function_signature`, `verify_signatures`).
///
/// Requires: nothing beyond the function itself; independent of the other passes.
/// Guarantees: every signature has valid types, extensions only on integer scalars, and
/// no returns under `preserve_all`; every function reference and exception table names
/// a declared signature; global values refer to declared bases without cycles, have
/// the types their kind requires, and `vmctx` is only used with a `vmctx` parameter;
/// dynamic types and dynamic stack slots refer to declared entities.
extension FunctionVerifier {
    mutating func checkPreamble() {
        for (index, signature) in function.signatures.enumerated() {
            checkSignature(signature, named: "sig\(index)", order: Self.preambleOrder)
        }
        for (index, external) in function.functionRefs.enumerated() {
            guard let external, signature(external.signature) == nil else { continue }
            report(functionOrder: Self.preambleOrder, "fn\(index) has signature \(external.signature), which is not declared")
        }
        for (index, exceptionTable) in function.exceptionTables.enumerated() where signature(exceptionTable.signature) == nil {
            report(functionOrder: Self.preambleOrder, "et\(index) has signature \(exceptionTable.signature), which is not declared")
        }
        checkGlobalValues()
        for (index, dynamicType) in function.dynamicTypes.enumerated() {
            if dynamicType.scale.position >= function.globalValues.count || function.globalValues[dynamicType.scale.position] == nil {
                report(functionOrder: Self.preambleOrder, "dt\(index) is scaled by \(dynamicType.scale), which is not declared")
            }
            if !dynamicType.baseVectorType.isVector || dynamicType.baseVectorType.isDynamic {
                report(functionOrder: Self.preambleOrder, "dt\(index) has base type \(dynamicType.baseVectorType), which is not a fixed vector type")
            }
        }
        for (index, slot) in function.dynamicStackSlots.enumerated()
        where slot.dynamicType.position >= function.dynamicTypes.count {
            report(functionOrder: Self.preambleOrder, "dss\(index) has dynamic type \(slot.dynamicType), which is not declared")
        }
    }

    /// Types are valid; `uext`/`sext` only on integer scalars; `preserve_all`
    /// functions return nothing.
    mutating func checkSignature(_ signature: Signature, named name: String, order: UInt64) {
        for (index, param) in signature.params.enumerated() {
            checkAbiParam(param, item: "parameter \(index)", of: name, order: order)
        }
        for (index, result) in signature.returns.enumerated() {
            checkAbiParam(result, item: "return value \(index)", of: name, order: order)
        }
        if signature.callConv == .preserveAll && !signature.returns.isEmpty {
            report(functionOrder: order, "\(name): a signature with the `preserve_all` ABI cannot have return values")
        }
    }

    private mutating func checkAbiParam(_ param: AbiParam, item: String, of name: String, order: UInt64) {
        if !param.type.isWellFormed {
            report(functionOrder: order, "\(name): \(item) has an invalid type")
        } else if param.extension_ != .none && !param.type.isInt {
            let word = param.extension_ == .uext ? "uext" : "sext"
            report(functionOrder: order, "\(name): \(item) has invalid extension `\(word)` (only integer scalars are extended)")
        }
    }

    /// Bases declared, no cycles, types as the kind requires; linear in the number of
    /// global values (each chain is walked once).
    private mutating func checkGlobalValues() {
        let globalValues = function.globalValues
        // 0: not visited; 1: on the chain being walked; 2: done.
        var state = [UInt8](repeating: 0, count: globalValues.count)
        var chain: [Int] = []
        var reportedCycle = false
        // Members of a cycle have no meaningful base type; their type checks are skipped.
        var inCycle = [Bool](repeating: false, count: globalValues.count)
        for start in 0 ..< globalValues.count {
            chain.removeAll(keepingCapacity: true)
            var current = start
            while current < globalValues.count, state[current] == 0, let data = globalValues[current] {
                state[current] = 1
                chain.append(current)
                guard let base = Self.base(of: data) else { break }
                current = base.position
                if current < globalValues.count, state[current] == 1 {
                    let members = chain.drop { $0 != current }
                    for member in members { inCycle[member] = true }
                    if !reportedCycle {
                        let cycle = members.map { "gv\($0)" }.joined(separator: ", ")
                        report(functionOrder: Self.preambleOrder, "global value cycle: [\(cycle)]")
                        reportedCycle = true
                    }
                }
            }
            for walked in chain { state[walked] = 2 }
        }
        for index in 0 ..< globalValues.count where !inCycle[index] {
            if let data = globalValues[index] { checkGlobalValue(index, data) }
        }
    }

    private func isDeclared(_ globalValue: GlobalValue) -> Bool {
        globalValue.position < function.globalValues.count && function.globalValues[globalValue.position] != nil
    }

    private static func base(of data: GlobalValueData) -> GlobalValue? {
        switch data {
        case .load(let base, _, _, _), .addImmediate(let base, _, _): return base
        case .vmContext, .symbol, .dynamicScaleTargetConstant: return nil
        }
    }

    private mutating func checkGlobalValue(_ index: Int, _ data: GlobalValueData) {
        let name = "gv\(index)"
        switch data {
        case .vmContext:
            if !function.signature.params.contains(where: { $0.purpose == .vmctx }) {
                report(functionOrder: Self.preambleOrder, "undeclared vmctx reference \(name): the signature has no `vmctx` parameter")
            }
        case .load(let base, _, let type, let flags):
            guard isDeclared(base) else {
                report(functionOrder: Self.preambleOrder, "\(name) loads from \(base), which is not declared")
                return
            }
            if let baseType = globalValueType(base), let pointerType, baseType != pointerType {
                report(functionOrder: Self.preambleOrder, "\(name): base \(base) has type \(baseType), which is not the pointer type \(pointerType)")
            }
            if !type.isWellFormed {
                report(functionOrder: Self.preambleOrder, "\(name) has an invalid type")
            }
            if let code = flags.trapCode, code.raw == 0 {
                report(functionOrder: Self.preambleOrder, "\(name): its memory flags have an invalid trap code (0)")
            }
        case .addImmediate(let base, _, let type):
            guard isDeclared(base) else {
                report(functionOrder: Self.preambleOrder, "\(name) adds to \(base), which is not declared")
                return
            }
            if !type.isInt {
                report(functionOrder: Self.preambleOrder, "iadd_imm global value \(name) with non-int type \(type)")
            } else if let baseType = globalValueType(base), type != baseType {
                report(functionOrder: Self.preambleOrder, "\(name): iadd_imm type \(type) differs from operand type \(baseType)")
            }
        case .symbol, .dynamicScaleTargetConstant:
            break
        }
    }
}
