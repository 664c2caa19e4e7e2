import EgretIR

/// Every function of a module compiled under one set of options: what the JIT links
/// (CompiledModule) and what an object holds (`egret run --aot`), computed once.
///
/// A function the backend cannot compile yet (an unsupported opcode or type) is left
/// out with the feature named, and so is every function that calls it or takes its
/// address; the rest of the module is still compiled. The float libcalls the compiled
/// functions call and the module does not define (`%CeilF32`…, FloatLibcalls.swift)
/// are compiled alongside.
public struct ModuleCompilation {
    /// Each function as compiled, by module index (nil when left out).
    public private(set) var compiled: [CompiledFunction?] = []
    /// Why each left-out function was left out, by module index.
    public private(set) var unsupported: [Int: String] = [:]
    /// The float libcalls the compiled functions need, compiled.
    public private(set) var libcalls: [CompiledFunction] = []
    /// Time spent compiling, summed over functions.
    public private(set) var timings = PhaseTimings()

    /// Throws what compiling throws, except `CodegenError.unsupported`, which leaves
    /// the function out.
    public init(_ module: Module, options: Compiler.Options) throws {
        var options = options
        if module.asksForPositionIndependentCode { options.positionIndependent = true }
        for (index, function) in module.functions.enumerated() {
            do {
                let result = try Compiler.compile(function, options: options)
                timings.add(result.timings)
                compiled.append(result)
            } catch CodegenError.unsupported(let feature) {
                compiled.append(nil)
                unsupported[index] = feature
            }
        }
        excludeCallersOfUnsupported(module)
        try compileFloatLibcalls(module, options: options)
    }

    /// Compiles each float libcall that a compiled function refers to and the module
    /// does not define itself.
    private mutating func compileFloatLibcalls(_ module: Module, options: Compiler.Options) throws {
        var defined = Set(module.functions.map(\.name))
        for (index, function) in module.functions.enumerated() where compiled[index] != nil {
            for libcall in FloatLibcalls.needed(by: function, notIn: &defined) {
                let result = try Compiler.compile(libcall, options: options)
                timings.add(result.timings)
                libcalls.append(result)
            }
        }
    }

    /// Leaves out every function that refers to a left-out function, to a fixpoint.
    private mutating func excludeCallersOfUnsupported(_ module: Module) {
        var changed = !unsupported.isEmpty
        while changed {
            changed = false
            let missing = Set(unsupported.keys.map { module.functions[$0].name })
            for (index, function) in module.functions.enumerated() where compiled[index] != nil {
                guard let callee = function.functionRefs.compactMap({ $0?.name }).first(where: missing.contains)
                else { continue }
                compiled[index] = nil
                unsupported[index] = unsupported[module.functionIndex(named: callee) ?? index]
                    .map { "\($0) (in \(callee))" } ?? "a call to \(callee)"
                changed = true
            }
        }
    }
}

extension Module {
    /// Whether the file says `set is_pic` (or `set is_pic=true`): Cranelift's flag
    /// for position-independent code.
    public var asksForPositionIndependentCode: Bool {
        settings.contains { $0.name == "is_pic" && ($0.value == nil || $0.value == "true" || $0.value == "1") }
    }
}
