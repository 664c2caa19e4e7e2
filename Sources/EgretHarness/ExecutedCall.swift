import EgretCodegen
import EgretIR
import EgretInterpreter

/// One run directive executed: how the call ended and, when the module has a heap,
/// the heap's contents afterwards (also after a trap: the stores before it stay).
public struct ExecutedCall: Equatable, Sendable {
    public var outcome: CallOutcome
    public var heap: [UInt8]?

    public init(outcome: CallOutcome, heap: [UInt8]?) {
        self.outcome = outcome
        self.heap = heap
    }

    /// The first byte where `heap` differs from `other`, if it does.
    public static func firstDifference(_ heap: [UInt8], _ other: [UInt8]) -> Int? {
        heap == other ? nil : heap.indices.first { $0 >= other.count || heap[$0] != other[$0] }
    }

    /// The heap part of a message: `heap[4] is 0x12, not 0x44`.
    public static func difference(_ heap: [UInt8], from other: [UInt8]) -> String? {
        guard let first = firstDifference(heap, other) else { return nil }
        let theirs = first < other.count ? "0x\(String(other[first], radix: 16))" : "past its end"
        return "heap[\(first)] is 0x\(String(heap[first], radix: 16)), not \(theirs)"
    }

    /// The heap part of a message, against `other`'s heap.
    public func heapDifference(from other: ExecutedCall) -> String? {
        guard let heap, let otherHeap = other.heap else { return nil }
        return Self.difference(heap, from: otherHeap)
    }

    /// The outcome, with the first heap byte that differs from `other`'s
    /// (`7, heap[4] = 0x12`): what a corpus header shows of each side.
    public func summary(comparedTo other: ExecutedCall) -> String {
        guard let heap, let otherHeap = other.heap, let first = Self.firstDifference(heap, otherHeap) else {
            return outcome.description
        }
        return "\(outcome), heap[\(first)] = 0x\(String(heap[first], radix: 16))"
    }
}

extension Interpreter {
    /// Runs `directive` with the heap starting as `image` (none when nil), passing the
    /// heap's address for its `heap` arguments.
    public mutating func execute(_ directive: RunDirective, heap image: [UInt8]?) throws -> ExecutedCall {
        if let image { heap = image }
        let outcome = try call(functionIndex: directive.functionIndex,
                               arguments: directive.arguments(heapAddress: heapBaseAddress))
        return ExecutedCall(outcome: outcome, heap: image == nil ? nil : heap)
    }
}

extension CompiledModule {
    /// Runs `directive` with `heap` holding `image` first (no heap when either is nil).
    public func execute(_ directive: RunDirective, heap: JITHeap?, image: [UInt8]?) throws -> ExecutedCall {
        guard let heap, let image else {
            return ExecutedCall(outcome: try execute(directive, arguments: directive.arguments), heap: nil)
        }
        heap.load(image)
        let outcome = try execute(directive, arguments: directive.arguments(heapAddress: heap.address))
        return ExecutedCall(outcome: outcome, heap: heap.contents)
    }

    private func execute(_ directive: RunDirective, arguments: [DataValue]) throws -> CallOutcome {
        switch try call(functionIndex: directive.functionIndex, arguments: arguments) {
        case .returned(let values): return .values(values)
        case .trapped(let code): return .trap(code)
        }
    }
}
