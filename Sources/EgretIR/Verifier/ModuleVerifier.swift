/// Module-level checks: what a file's run directives need beyond each function being
/// valid on its own.
///
/// Requires: nothing (any `Module`); the functions themselves are verified separately.
/// Guarantees, when it reports nothing:
/// - every run directive names a function of the module (by index and name), passes
///   as many arguments as it takes, of its parameter types, and expects as many values
///   as it returns, of its return types;
/// - every function a run directive can reach through calls (`call`, `return_call`,
///   `try_call`, `func_addr`) calls only functions defined in the module, Cranelift
///   libcalls or the test runtime's throw helper, and declares each callee defined in
///   the module with the signature that callee has.
struct ModuleVerifier {
    let module: Module

    /// Names a module may call without defining them: Cranelift's libcalls (provided by
    /// the runtime) and the throw helper of its exception run tests.
    static let externallyProvidedNames: Set<String> = [
        "Probestack", "CeilF32", "CeilF64", "FloorF32", "FloorF64", "TruncF32", "TruncF64", "NearestF32",
        "NearestF64", "FmaF32", "FmaF64", "Memcpy", "Memset", "Memmove", "Memcmp", "ElfTlsGetAddr",
        "ElfTlsGetOffset", "X86Pshufb", "__cranelift_throw",
    ]

    func run() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var needed = [Bool](repeating: false, count: module.functions.count)
        var neededBy = [Int](repeating: -1, count: module.functions.count)
        for (index, directive) in module.runDirectives.enumerated() {
            guard let function = checkDirective(directive, into: &diagnostics) else { continue }
            if !needed[function] {
                needed[function] = true
                neededBy[function] = index
            }
        }
        checkCallees(needed: &needed, neededBy: &neededBy, into: &diagnostics)
        return diagnostics
    }

    private func diagnostic(_ message: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, message, file: module.fileName, at: location)
    }

    /// The directive's function and the shapes of its arguments and expectation; returns
    /// the function's index when it exists.
    private func checkDirective(_ directive: RunDirective, into diagnostics: inout [Diagnostic]) -> Int? {
        let index = directive.functionIndex
        guard index >= 0, index < module.functions.count, module.functions[index].name == directive.function else {
            diagnostics.append(diagnostic("run directive `\(directive.text)` calls \(directive.function), which is not defined in this file",
                                          at: directive.location))
            return nil
        }
        let signature = module.functions[index].signature
        let argumentTypes = directive.arguments.map(\.type)
        let paramTypes = signature.params.map(\.type)
        if argumentTypes.count != paramTypes.count {
            diagnostics.append(diagnostic("run directive `\(directive.text)` passes \(argumentTypes.count) arguments, but \(directive.function) takes \(paramTypes.count)",
                                          at: directive.location))
        } else if let mismatch = zip(argumentTypes, paramTypes).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            diagnostics.append(diagnostic("run directive `\(directive.text)`: argument \(mismatch.offset) has type \(mismatch.element.0), but \(directive.function) takes \(mismatch.element.1)",
                                          at: directive.location))
        }
        if case .values(_, let expected) = directive.expectation {
            let expectedTypes = expected.map(\.type)
            let returnTypes = signature.returns.map(\.type)
            if expectedTypes.count != returnTypes.count {
                diagnostics.append(diagnostic("run directive `\(directive.text)` expects \(expectedTypes.count) values, but \(directive.function) returns \(returnTypes.count)",
                                              at: directive.location))
            } else if let mismatch = zip(expectedTypes, returnTypes).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                diagnostics.append(diagnostic("run directive `\(directive.text)`: expected value \(mismatch.offset) has type \(mismatch.element.0), but \(directive.function) returns \(mismatch.element.1)",
                                              at: directive.location))
            }
        }
        return index
    }

    /// Walks the call graph from the functions run directives call, checking each
    /// callee each reached function declares.
    private func checkCallees(needed: inout [Bool], neededBy: inout [Int], into diagnostics: inout [Diagnostic]) {
        var definitions: [ExternalName: Int] = [:]
        for (index, function) in module.functions.enumerated() where definitions[function.name] == nil {
            definitions[function.name] = index
        }
        var worklist = needed.indices.filter { needed[$0] }
        while let caller = worklist.popLast() {
            let function = module.functions[caller]
            let directive = module.runDirectives[neededBy[caller]]
            for reference in calledReferences(of: function) {
                guard let external = function.functionRefs[reference.position] else { continue }
                guard let callee = definitions[external.name] else {
                    if case .testCase(let name) = external.name, Self.externallyProvidedNames.contains(name) { continue }
                    diagnostics.append(diagnostic("function \(function.name) calls \(external.name) (as \(reference)), which is not defined in this file; the run directive at line \(directive.location.line) needs it",
                                                  at: function.location ?? directive.location))
                    continue
                }
                if external.signature.position < function.signatures.count {
                    let declared = function.signatures[external.signature.position]
                    let defined = module.functions[callee].signature
                    if !Self.sameShape(declared, defined) {
                        diagnostics.append(diagnostic("function \(function.name) declares \(reference) = \(external.name) with signature \(declared), but \(external.name) is defined with \(defined)",
                                                      at: function.location ?? directive.location))
                    }
                }
                if !needed[callee] {
                    needed[callee] = true
                    neededBy[callee] = neededBy[caller]
                    worklist.append(callee)
                }
            }
        }
    }

    /// Parameter types, return types and calling convention agree (extension flags
    /// and purposes are the caller's business).
    private static func sameShape(_ declared: Signature, _ defined: Signature) -> Bool {
        declared.callConv == defined.callConv
            && declared.params.map(\.type) == defined.params.map(\.type)
            && declared.returns.map(\.type) == defined.returns.map(\.type)
    }

    /// The function references a function calls or takes the address of, each once.
    private func calledReferences(of function: Function) -> [FuncRef] {
        var seen = [Bool](repeating: false, count: function.functionRefs.count)
        var references: [FuncRef] = []
        for block in function.layout where block.position < function.blocks.count {
            for inst in function.blocks[block.position].insts where inst.position < function.insts.count {
                let data = function.insts[inst.position]
                let reference: FuncRef
                switch data.format {
                case .call, .funcAddr: reference = data.funcRef
                case .tryCall: reference = FunctionVerifier.tryCallCallee(of: data)
                case .unary, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .unaryConst, .unaryGlobalValue,
                     .binary, .binaryImm8, .ternary, .ternaryImm8, .multiAry, .nullAry, .shuffle, .intCompare,
                     .floatCompare, .jump, .brif, .branchTable, .callIndirect, .tryCallIndirect, .atomicRmw,
                     .atomicCas, .load, .loadNoOffset, .store, .storeNoOffset, .stackAddr, .dynamicStackAddr, .trap,
                     .condTrap, .intAddTrap, .exceptionHandlerAddress:
                    continue
                }
                guard reference.position < seen.count, !seen[reference.position] else { continue }
                seen[reference.position] = true
                references.append(reference)
            }
        }
        return references
    }
}
