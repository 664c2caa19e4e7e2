import EgretCodegen
import EgretIR
import Foundation

/// The lowering-rule verifier: for each rule × type, proves with Z3 that the machine
/// code the rule's own emitter builds computes exactly what the IR instruction
/// computes — the same results, the same traps with the same codes, the same branch
/// and the same memory.
///
///     rule value ──RecordingLoweringBuilder──▶ [X64Inst] ──X64Inst.execute──▶ machine outcome
///         │                                                                       │
///         └──────────────── IRSpecs.outcome (same symbolic inputs) ──▶ IR outcome ─┴─▶ Z3: equal?
///
/// Inputs: each register operand is a fresh value of its type in the low bits of a
/// register whose upper bits are unspecified (no rule states an invariant on them).
/// Variants: every operand type the opcode allows at the controlling type, every
/// condition of a compare, both byte orders of memory accesses (`RuleVariants`).
///
/// Constants (`.constant` operands, iconst, folded displacements, offsets): the
/// emitter computes with them in Swift, so it runs on two negative sentinel values
/// that differ in every bit below the sign, and every immediate it derives from a
/// sentinel (truncated, sign- or zero-extended, byte-swapped) is lifted back to the
/// constant's symbolic term. If both runs give the same machine terms, the code is
/// the same function of the constant and one proof covers every constant the guards
/// (SMT predicates on the symbolic constant) allow. If not (a count masked at compile
/// time, a power of two turned into a shift), the constant is enumerated: every value
/// at 8 bits, else every count residue, power of two and edge value. Either way the
/// edge values are also checked concretely. All instances of a rule × type form one
/// query.
///
/// Counterexamples of loads and stores: the failing variant is asked once more (per
/// window size, smallest first) for a counterexample whose accesses fit one stack
/// slot without faulting (`StackWindow`), so that its `.clif` file can reproduce it
/// on the machine. These queries run only after a counterexample, never on a proof.
///
/// Limits, stated: the symbolic proof of a constant assumes the emitter treats all
/// constants alike once both sentinels gave the same code (the edge values back this
/// up, they do not prove it); a fused icmp is bound to registers (the lowering pass
/// may fold a constant right-hand side into `cmp $imm`, which the rule emits as given);
/// `return` is proven for values returned in registers.
///
/// Requires: the rule table (`X64LoweringRules.all`). Guarantees: `proven` only from
/// an `unsat` answer; a counterexample names concrete inputs and both outcomes.
public final class RuleVerifier {
    public let rules: [LoweringRule]
    public let timeoutMilliseconds: UInt32

    public init(rules: [LoweringRule] = X64LoweringRules.all, timeoutMilliseconds: UInt32 = Z3Solver.defaultTimeout) {
        self.rules = rules
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Every (rule, type) pair to check: each declared type, or `.invalid` for
    /// untyped rules.
    public func checks(ruleName: String? = nil, type: IRType? = nil) -> [(rule: LoweringRule, type: IRType)] {
        var pairs: [(rule: LoweringRule, type: IRType)] = []
        for rule in rules where ruleName == nil || rule.name == ruleName {
            let types: [IRType] = rule.types.isEmpty ? [.invalid] : rule.types
            for candidate in types where type == nil || candidate == type {
                pairs.append((rule, candidate))
            }
        }
        return pairs
    }

    /// Verifies one rule at one type. Throws only for bugs (Z3 errors, specs that do
    /// not fit); every verification answer is a `VerificationResult`.
    public func verify(_ rule: LoweringRule, type: IRType) throws -> VerificationResult {
        let start = DispatchTime.now().uptimeNanoseconds
        var result = try timedVerify(rule, type: type)
        result.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result
    }

    private func timedVerify(_ rule: LoweringRule, type: IRType) throws -> VerificationResult {
        var result = VerificationResult(rule: rule.name, opcode: rule.opcode, type: type, status: .proven)
        result.isTierOne = RuleVerifier.isTierOne(rule, type: type)
        if rule.opcode.info.tier != 1 {
            result.status = .notModelled("\(rule.opcode.name) is beyond tier 1")
            return result
        }
        if !result.isTierOne {
            result.status = .notModelled("\(type.isValid ? type.description : "its") operands are beyond tier 1")
            return result
        }
        let context = try Z3Context()
        let solver = try Z3Solver(context, timeoutMilliseconds: timeoutMilliseconds)
        let faults = context.predicate("faults", domain: [64, 8])
        var perVariant: [[RuleInstance]] = []
        var modes: Set<String> = []
        do {
            for (index, variant) in RuleVerifier.variants(rule, type).enumerated() {
                let built = try variantInstances(rule, type, variant, tag: "v\(index)", context: context, faults: faults)
                perVariant.append(built.instances)
                modes.insert(built.mode)
            }
        } catch VerifierOutcomeError.notModelled(let reason) {
            result.status = .notModelled(reason)
            return result
        }
        result.instances = perVariant.reduce(0) { $0 + $1.count }
        result.constantHandling = modes.sorted().joined(separator: ", ")
        // One query per variant: its instances (symbolic and concrete constants) in
        // one conjunction. The first variant without a proof decides the status.
        result.status = .proven
        for instances in perVariant {
            let answer = try solver.prove(context.all(instances.map(\.claim)))
            result.queries = solver.queryCount
            switch answer {
            case .proven:
                continue
            case .unknown(let reason):
                result.status = .unknown(reason)
            case .counterexample(let model):
                result.counterexample = try counterexample(rule, type, instances, model, solver: solver)
                result.queries = solver.queryCount
                result.status = .counterexample
            }
            break
        }
        return result
    }

    /// The counterexample to report for a variant whose `instances` `model` refutes.
    /// For a load or store, the variant is asked again for a counterexample that fits
    /// a stack slot (`StackWindow`, smallest window first), so that its `.clif` file
    /// can reproduce it; if there is none, `model`'s is reported without a file.
    private func counterexample(_ rule: LoweringRule, _ type: IRType, _ instances: [RuleInstance], _ model: Z3Model,
                                solver: Z3Solver) throws -> Counterexample {
        let info = rule.opcode.info
        var unplaced: String?
        if info.canLoad || info.canStore {
            for window in StackWindow.sizes.map({ StackWindow(size: $0) }) {
                let placed = instances.map { !$0.claim && window.constraint($0) }
                switch try solver.prove(!solver.context.any(placed)) {
                case .counterexample(let placedModel):
                    for (instance, condition) in zip(instances, placed) where try placedModel.value(of: condition) {
                        return try Counterexample(rule: rule, type: type, instance: instance, model: placedModel,
                                                  window: window)
                    }
                    throw SMTError.internalError("\(rule.name): a placed model that refutes no instance")
                case .proven:
                    unplaced = "no counterexample has its pointers and accesses in a \(window.size)-byte stack slot "
                        + "without a fault"
                case .unknown(let reason):
                    unplaced = "placing the counterexample in a stack slot: solver answered unknown (\(reason))"
                }
            }
        }
        for instance in instances where try !model.value(of: instance.claim) {
            var example = try Counterexample(rule: rule, type: type, instance: instance, model: model)
            if let reason = unplaced { example.clifUnavailable = reason }
            return example
        }
        throw SMTError.internalError("\(rule.name): a model that refutes no instance")
    }

    /// The instances of one variant and how its constants were handled.
    private func variantInstances(_ rule: LoweringRule, _ type: IRType, _ variant: RuleVariant, tag: String,
                           context: Z3Context, faults: Predicate) throws -> (instances: [RuleInstance], mode: String) {
        let slots = RuleVerifier.constantSlots(rule, variant)
        if slots.isEmpty {
            return ([try RuleVerifier.instance(rule, type, variant, tag: tag, values: [:], context: context,
                                               faults: faults)], "no constants")
        }
        // Sentinel pairs, each passing the rule's guards.
        var first: [ConstantSlot: Int64] = [:], second: [ConstantSlot: Int64] = [:]
        for slot in slots {
            let pair = slot.sentinels { a, b in
                guardsHold(rule, type, slot, a) && guardsHold(rule, type, slot, b)
            }
            if let (a, b) = pair {
                first[slot] = a
                second[slot] = b
            }
        }
        var result: [RuleInstance] = []
        var uniform = false
        if first.count == slots.count {
            let counter = context.freshNameCounter
            let a = try RuleVerifier.instance(rule, type, variant, tag: tag,
                                              values: first.mapValues { .symbolic(sentinel: $0) },
                                              context: context, faults: faults)
            let afterA = context.freshNameCounter
            context.freshNameCounter = counter
            let b = try RuleVerifier.instance(rule, type, variant, tag: tag,
                                              values: second.mapValues { .symbolic(sentinel: $0) },
                                              context: context, faults: faults)
            context.freshNameCounter = max(afterA, context.freshNameCounter)
            uniform = a.machineTerms.count == b.machineTerms.count
                && zip(a.machineTerms, b.machineTerms).allSatisfy { $0.isIdentical(to: $1) }
                && zip(a.machineConditions, b.machineConditions).allSatisfy { $0.isIdentical(to: $1) }
            if uniform { result.append(a) }
        }
        // Concrete values, one slot at a time; the others at their first sentinel (or
        // their first edge value that passes the guards).
        var defaults: [ConstantSlot: Int64] = [:]
        for slot in slots {
            defaults[slot] = first[slot] ?? slot.edgeValues.first { guardsHold(rule, type, slot, $0) } ?? 0
        }
        var counted = 0
        for (slotIndex, slot) in slots.enumerated() {
            let candidates = uniform ? slot.edgeValues : slot.enumeratedValues
            for value in candidates where guardsHold(rule, type, slot, value) {
                var values: [ConstantSlot: SlotValue] = defaults.mapValues { .concrete($0) }
                values[slot] = .concrete(value)
                result.append(try RuleVerifier.instance(rule, type, variant, tag: "\(tag)_\(slotIndex)_\(counted)",
                                                        values: values, context: context, faults: faults))
                counted += 1
            }
        }
        return (result, uniform ? "symbolic constants" : "enumerated constants")
    }

    /// Whether the rule's guards on `slot`'s operand accept `value` (as the matcher
    /// would see it).
    private func guardsHold(_ rule: LoweringRule, _ type: IRType, _ slot: ConstantSlot, _ value: Int64) -> Bool {
        // The lowering folds an icmp's constant right-hand side only when it fits a
        // sign-extended 32-bit immediate (at i64; narrower constants always do).
        if case .comparisonRight = slot { return Int64(Int32(truncatingIfNeeded: value)) == value }
        guard case .value(let operand, _) = slot else { return true }
        let match = RuleMatch(type: type, constants: Array(repeating: 0, count: operand) + [value])
        return rule.guards.allSatisfy { $0.operand != operand || $0.check(match) }
    }

    /// Whether a rule × type belongs to tier 1: a tier-1 opcode, untyped or at i8–i64,
    /// on integer operands of at most 64 bits (the i128 and float forms of tier-1
    /// opcodes — `.pair`, `.wideComparison`, `.float`, `.floatComparison` operands —
    /// are tier 2).
    public static func isTierOne(_ rule: LoweringRule, type: IRType) -> Bool {
        guard rule.opcode.info.tier == 1, !type.isValid || integerTypes.contains(type) else { return false }
        return rule.pattern.allSatisfy { shape in
            switch shape {
            case .register, .constant, .comparison, .stackAddress, .basePlusConstant, .basePlusIndex, .lowBits:
                return true
            case .float, .floatComparison, .pair, .wideComparison:
                return false
            }
        }
    }

    /// Verifies every pair of `checks`, in order.
    public func verifyAll(ruleName: String? = nil, type: IRType? = nil,
                          progress: ((VerificationResult) -> Void)? = nil) throws -> [VerificationResult] {
        var results: [VerificationResult] = []
        for (rule, ruleType) in checks(ruleName: ruleName, type: type) {
            let result: VerificationResult
            do {
                result = try verify(rule, type: ruleType)
            } catch let error as SMTError {
                throw SMTError.internalError("\(rule.name) at \(ruleType): \(error)")
            }
            progress?(result)
            results.append(result)
        }
        return results
    }
}

/// The answer for one rule × type.
public struct VerificationResult {
    public enum Status: Equatable {
        case proven
        case counterexample
        /// The solver gave no answer in time (or at all), with its reason.
        case unknown(String)
        /// A form, opcode, guard or emitter path the verifier has no semantics for.
        case notModelled(String)

        public var label: String {
            switch self {
            case .proven: return "proven"
            case .counterexample: return "counterexample"
            case .unknown(let reason): return reason.contains("timeout") || reason.contains("canceled") ? "timeout"
                                                                                                           : "unknown"
            case .notModelled: return "not modelled"
            }
        }
    }

    public var rule: String
    public var opcode: Opcode
    /// `.invalid` for untyped rules.
    public var type: IRType
    public var status: Status
    public var counterexample: Counterexample?
    public var seconds: Double = 0
    public var queries = 0
    public var instances = 0
    /// How the rule's constants were covered (symbolic, enumerated, none).
    public var constantHandling = ""

    public var typeText: String { type.isValid ? type.description : "-" }

    /// Whether the check belongs to tier 1 (`RuleVerifier.isTierOne`).
    public var isTierOne = true
}
