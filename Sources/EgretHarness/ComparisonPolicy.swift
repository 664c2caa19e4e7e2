import EgretIR
import EgretInterpreter

/// How the outcomes of two executors are compared.
public enum ComparisonPolicy: Sendable {
    /// Bit for bit: results, trap codes and the heap. What run tests state is exact,
    /// so `egret run` compares this way.
    case bitwise
    /// Bit for bit, except that any two NaNs of one type are equal: CLIF leaves the
    /// sign and payload of a NaN that arithmetic produced unspecified (x86 makes a
    /// negative NaN where the interpreter makes a positive one, and both are right).
    /// The heap is still compared byte for byte: it holds only stored bits, and the
    /// generator canonicalises a NaN before storing it. The fuzzer compares this way.
    case nanCanonical

    /// Whether two call outcomes are equal under the policy.
    public func equal(_ outcome: CallOutcome, _ reference: CallOutcome) -> Bool {
        if outcome == reference { return true }
        switch self {
        case .bitwise:
            return false
        case .nanCanonical:
            guard case .values(let left) = outcome, case .values(let right) = reference, left.count == right.count
            else { return false }
            return zip(left, right).allSatisfy { $0 == $1 || ($0.type == $1.type && $0.isNaN && $1.isNaN) }
        }
    }

    /// Whether two executions are equal: outcomes under the policy, heaps bitwise.
    public func equal(_ executed: ExecutedCall, _ reference: ExecutedCall) -> Bool {
        executed.heap == reference.heap && equal(executed.outcome, reference.outcome)
    }

    /// How `executed` differs from `reference`, or nil when they are equal.
    public func disagreement(_ executed: ExecutedCall, from reference: ExecutedCall) -> Disagreement? {
        if equal(executed, reference) { return nil }
        switch (reference.outcome, executed.outcome) {
        case (.values, .values) where equal(executed.outcome, reference.outcome):
            return Disagreement(kind: .heap, shape: "heap differs")
        case (.trap(let code), .trap) where executed.outcome == reference.outcome:
            return Disagreement(kind: .heap, shape: "heap differs after trap \(code)")
        case (.values, .values):
            return Disagreement(kind: .values, shape: "values differ")
        case (.trap(let expected), .trap(let actual)):
            return Disagreement(kind: .trap, shape: "trap \(expected) became trap \(actual)")
        case (.values, .trap(let actual)):
            return Disagreement(kind: .trap, shape: "values became trap \(actual)")
        case (.trap(let expected), .values):
            return Disagreement(kind: .trap, shape: "trap \(expected) became values")
        }
    }
}

/// How an executor's outcome differs from the interpreter's.
public struct Disagreement: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Both returned, with other values.
        case values
        /// One trapped and the other returned, or the trap codes differ.
        case trap
        /// Both ended alike, but the heap afterwards differs.
        case heap
    }

    public var kind: Kind
    /// The shape, free of values (`trap int_divz became values`): stable under changes
    /// to the case, so findings can be told apart by it.
    public var shape: String
}
