import EgretIR

/// Small mutations of a real function, for the later rounds of `egret fuzz --from`:
/// one instruction changed so that the function computes something else it was not
/// written for, while staying valid CLIF.
///
/// - a constant (`iconst`) becomes an edge value of its type;
/// - a comparison (`icmp`, `fcmp`) gets another condition;
/// - an integer or float operation becomes another of the same shape (`iadd` ↔ `bxor`,
///   `fadd` ↔ `fmul`), never a division (a new trap would end most inputs).
///
/// Requires: a function the verifier accepts. Guarantees: deterministic in the source;
/// nil when the function has nothing to mutate. The caller verifies the result.
enum SeedMutation {
    struct Mutated {
        var function: Function
        /// `constant`, `condition` or `operation`: what changed.
        var kind: String
    }

    /// Integer operations of one shape (two operands of the controlling type, one result).
    static let integerOperations: [Opcode] = [.iadd, .isub, .imul, .band, .bor, .bxor, .umin, .umax, .smin, .smax]
    /// Float operations of one shape.
    static let floatOperations: [Opcode] = [.fadd, .fsub, .fmul, .fmin, .fmax]

    static func mutate<Source: ByteSource>(_ function: Function, _ source: inout Source) -> Mutated? {
        var candidates: [Inst] = []
        for block in function.layout {
            for inst in function.instructions(in: block) {
                let opcode = function[inst].opcode
                if opcode == .iconst || opcode == .icmp || opcode == .fcmp || integerOperations.contains(opcode)
                    || floatOperations.contains(opcode) {
                    candidates.append(inst)
                }
            }
        }
        guard !candidates.isEmpty else { return nil }
        let inst = source.pick(candidates)
        var mutated = function
        var data = mutated.insts[inst.position]
        let kind: String
        if data.opcode == .iconst {
            data.immediate = EdgeValues.draw(data.type, edgePercent: 100, &source)
            kind = "constant"
        } else if data.opcode == .icmp {
            data.intCC = source.pick(IntCC.allCases.filter { $0 != data.intCC })
            kind = "condition"
        } else if data.opcode == .fcmp {
            data.floatCC = source.pick(FloatCC.allCases.filter { $0 != data.floatCC })
            kind = "condition"
        } else if integerOperations.contains(data.opcode) {
            data.opcode = source.pick(integerOperations.filter { $0 != data.opcode })
            kind = "operation"
        } else {
            data.opcode = source.pick(floatOperations.filter { $0 != data.opcode })
            kind = "operation"
        }
        mutated.insts[inst.position] = data
        return Mutated(function: mutated, kind: kind)
    }
}
