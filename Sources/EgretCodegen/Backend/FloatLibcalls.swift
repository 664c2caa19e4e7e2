import EgretIR

/// Cranelift's float libcalls (`fn0 = %CeilF32(f32) -> f32`): the functions its x64
/// backend calls when the CPU lacks `roundss` or `vfmadd`. A module may call them
/// directly or through `func_addr`. Egret supplies each one as a tiny CLIF function of
/// the opcode it stands for, compiled by its own backend with the module's convention
/// overrides, so a libcall obeys exactly the convention its callers use (a C `ceilf`
/// would be System V even where the caller was compiled for Windows x64).
///
///     function %CeilF32(f32) -> f32 { block0(v0: f32): v1 = ceil v0; return v1 }
public enum FloatLibcalls {
    /// Name → (opcode, float type, operand count).
    static let table: [String: (opcode: Opcode, type: IRType, arity: Int)] = [
        "CeilF32": (.ceil, .f32, 1), "CeilF64": (.ceil, .f64, 1),
        "FloorF32": (.floor, .f32, 1), "FloorF64": (.floor, .f64, 1),
        "TruncF32": (.trunc, .f32, 1), "TruncF64": (.trunc, .f64, 1),
        "NearestF32": (.nearest, .f32, 1), "NearestF64": (.nearest, .f64, 1),
        "FmaF32": (.fma, .f32, 3), "FmaF64": (.fma, .f64, 3),
    ]

    /// The libcall called `name` with `signature`, or nil when `name` is not a float
    /// libcall or the signature is not its own (operands and result of its type).
    public static func function(named name: ExternalName, signature: Signature) -> Function? {
        guard case .testCase(let text) = name, let entry = table[text],
              signature.params.map(\.type) == Array(repeating: entry.type, count: entry.arity),
              signature.returns.map(\.type) == [entry.type] else { return nil }
        var function = Function(name: name, signature: signature)
        let block = Block(0)
        let params = function.appendBlock(block, parameterTypes: Array(repeating: entry.type, count: entry.arity))
        var operation = InstructionData(opcode: entry.opcode, type: entry.type)
        operation.arguments = function.appendValues(Array(params))
        let inst = function.appendInstruction(operation, results: [entry.type], to: block)
        var ret = InstructionData(opcode: .return)
        ret.arguments = function.appendValues(Array(function.results(of: inst)))
        function.appendInstruction(ret, results: [], to: block)
        return function
    }

    /// The libcalls `function` refers to that are not in `defined`, which they join
    /// (so each is supplied once per module).
    public static func needed(by function: Function, notIn defined: inout Set<ExternalName>) -> [Function] {
        var found: [Function] = []
        for case let reference? in function.functionRefs where !defined.contains(reference.name) {
            guard reference.signature.position < function.signatures.count,
                  let libcall = FloatLibcalls.function(named: reference.name,
                                                       signature: function.signatures[reference.signature.position])
            else { continue }
            defined.insert(reference.name)
            found.append(libcall)
        }
        return found
    }
}
