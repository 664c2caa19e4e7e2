/// The IR verifier: decides whether a `Function` (or a whole `Module`) is well-formed
/// CLIF, with the rules of Cranelift's verifier (`cranelift/codegen/src/verifier`) for
/// an x86-64 target, and says exactly what is wrong and where.
///
/// Requires: nothing. Any `Function` value is accepted, however malformed (the fuzzer
/// and the parser's robustness test feed it mutated input): every index is checked
/// before it is followed, so the verifier reports instead of trapping.
///
/// Guarantees, when it returns no diagnostics:
/// - every entity an instruction names exists (values defined, blocks declared and
///   placed in the layout exactly once, pool ranges in bounds, stack slots, signatures,
///   function references, constants, global values, exception tables);
/// - `ValueData.owner/index` agree with `instResults` and block parameters, so each
///   value is defined exactly once;
/// - the layout has an entry block whose parameters match the signature; every block
///   is non-empty and ends with its only terminator; no branch targets the entry block;
/// - every polymorphic instruction has a controlling type (`InstructionData.type`) in
///   its opcode's type set, and operands and results have the types the opcode table
///   derives from it; calls, returns and tail calls agree with their signatures;
/// - every branch passes its target exactly the parameters it declares; `retN`/`exnN`
///   appear only on `try_call` targets, typed by the callee signature;
/// - immediates, condition codes, trap codes and memory flags are valid;
/// - every use in a reachable block is dominated by its definition (uses in
///   unreachable blocks are not checked, as in Cranelift).
///
/// The passes, in order (each may rely on the ones before it):
///
///     signature     types, extensions, conventions      (Verifier+Preamble.swift)
///     definitions   ValueData <-> pools agree           (Verifier+Definitions.swift)
///     layout        blocks placed once, insts placed once; last inst of each block
///     references    every index of every placed instruction in range, and marks it
///                   "sound" so that later passes index it freely; terminators only
///                   at block ends; codes and flags     (Verifier+References.swift)
///     blocks        no empty block; entry block params (Verifier+Definitions.swift)
///     dominators    CFG, reverse postorder, idom (Cooper-Harvey-Kennedy),
///                   dominator-tree intervals           (Verifier+Dominators.swift)
///     instructions  per sound instruction: SSA dominance, opcode-table types
///                   (Verifier+Instructions.swift), calls and branches
///                   (Verifier+Calls.swift), immediates (Verifier+Immediates.swift)
///     preamble      signatures, function references, global values, dynamic types
///
/// Run directives and the callees they need are checked per module (ModuleVerifier).
///
/// Cost: linear in the size of the function (plus the usual near-linear iteration of
/// the dominator computation); flat arrays indexed by entity number, no dictionaries,
/// and message text is only built for problems actually found.
public enum IRVerifier {
    /// The pointer type addresses, global values and exception payloads must have, or
    /// `nil` when the verifier should not check pointer widths.
    ///
    /// Cranelift's verifier takes it from the ISA, and checks nothing without one. Egret
    /// compiles for x86-64, so functions are checked against i64, unless every `target`
    /// line of the file names a 32-bit ISA (Cranelift's `pulley32`, `pulley32be`): then
    /// against i32, except in a file that is only interpreted (`test interpret`), which
    /// Cranelift runs without an ISA and which may mix i32 and i64 addresses
    /// (runtests/stack-addr-32.clif).
    public static func pointerType(for module: Module?) -> IRType? {
        guard let module, !module.targets.isEmpty, module.targets.allSatisfy({ $0.isa.hasPrefix("pulley32") })
        else { return .i64 }
        let onlyInterpreted = !module.testCommands.isEmpty
            && module.testCommands.allSatisfy { $0 == "interpret" || $0.hasPrefix("interpret ") }
        return onlyInterpreted ? nil : .i32
    }

    /// All problems of one function, in source order; empty when it is valid.
    /// Each Diagnostic names the instruction (its CLIF opcode and result/operand values)
    /// and carries the instruction's source location (`function.location(of:)`) when known.
    public static func verify(_ function: Function, in module: Module? = nil,
                              fileName: String = "<input>") -> [Diagnostic] {
        var verifier = FunctionVerifier(function: function, module: module, fileName: fileName)
        verifier.run()
        return verifier.diagnostics()
    }

    /// Every function of a module (plus module-level checks such as run directives whose argument/result
    /// count or types don't match the called function's signature, and calls to function names that are not defined
    /// in the module when a run directive would need them).
    public static func verify(_ module: Module) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for function in module.functions {
            diagnostics += verify(function, in: module, fileName: module.fileName)
        }
        diagnostics += ModuleVerifier(module: module).run()
        // Source order across functions and directives, when every problem has a
        // position (functions built by code have none; keep their order as it is).
        if diagnostics.allSatisfy({ $0.location.isKnown }) {
            diagnostics = diagnostics.enumerated().sorted { lhs, rhs in
                let left = lhs.element.location, right = rhs.element.location
                if left.line != right.line { return left.line < right.line }
                if left.column != right.column { return left.column < right.column }
                return lhs.offset < rhs.offset
            }.map(\.element)
        }
        return diagnostics
    }
}
