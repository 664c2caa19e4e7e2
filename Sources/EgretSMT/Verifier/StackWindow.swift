import EgretCodegen
import EgretIR

/// Where a memory rule's counterexample is placed so that a `.clif` run test can
/// reproduce it: a window of model addresses that one stack slot, `ss0`, stands for.
///
///     model address   origin ──────────────────── origin + size
///                        │  pointers, accesses (IR and machine) │
///     .clif           ss0+0  ──────────────────── ss0+size
///
/// The verifier's memory is an array over all 2^64 addresses and nothing in the specs
/// depends on where an access lands, only on which bytes it touches, so a
/// counterexample moves anywhere intact. One that fits the window — every pointer
/// input in it, every access of either side inside it, small displacements, offsets
/// and indexes, no access faulting — is the same counterexample in a stack slot: the
/// `.clif` file computes each pointer as `stack_addr ss0` plus its place in the
/// window and fills the words the accesses touch with the model's bytes.
///
/// Requires: an instance of a load or store rule. Guarantees: on a model where
/// `constraint` holds, `contents` describes every byte either side reads or writes.
struct StackWindow {
    /// The model address of the slot's first byte: 16-byte aligned as the slot is
    /// (any such address would do: nothing depends on where memory is).
    static let origin: UInt64 = 0x1_0000

    /// Window sizes tried in order. The small one keeps the numbers of the `.clif`
    /// file readable (pointers, offsets and indexes under 64); the large one still
    /// finds a counterexample a rule shows only at displacements in the hundreds.
    static let sizes = [64, 4096]

    let size: Int

    /// The names of the instance's pointer inputs (a plain address register or the
    /// base of a folded address) and of its index input (`.basePlusIndex`), after the
    /// rule's address operand (the last one).
    static func addressInputs(_ pattern: [OperandShape]) -> (pointer: String?, index: String?) {
        guard let shape = pattern.last else { return (nil, nil) }
        let operand = pattern.count - 1
        switch shape {
        case .register, .lowBits: return ("x\(operand)", nil)
        case .basePlusConstant: return ("base\(operand)", nil)
        case .basePlusIndex: return ("base\(operand)", "index\(operand)")
        case .stackAddress, .constant, .comparison, .float, .floatComparison, .pair, .wideComparison: return (nil, nil)
        }
    }

    /// The condition that `instance`'s counterexample fits this window (see the type's
    /// comment). It does not say that the instance fails: the caller adds that.
    func constraint(_ instance: RuleInstance) -> Boolean {
        let context = instance.stackSlot.context
        let start = context.bitVector(StackWindow.origin, width: 64)
        let size = UInt64(self.size)
        var conditions: [Boolean] = [!instance.irTrap.trapped, !instance.machineTrap.trapped,
                                     instance.stackSlot == start]
        for access in instance.accesses {
            let bytes = UInt64(max(access.bytes, 1))
            conditions.append(access.address.uge(start))
            conditions.append(access.address.ule(start + start.constant(size - bytes)))
        }
        let names = StackWindow.addressInputs(instance.pattern)
        for input in instance.inputs {
            if input.name == names.pointer {
                conditions.append(input.term.uge(start))
                conditions.append(input.term.ult(start + start.constant(size)))
            } else if input.name == names.index {
                conditions.append(isSmall(input.term))
            }
        }
        // A folded address (stack_addr, iadd with iconst) takes the instruction's offset
        // into its displacement: the `.clif` file writes the displacement and offset 0,
        // which is what the emitter sees only when the offset is 0.
        let folded = instance.pattern.last == .stackAddress || instance.pattern.last == .basePlusConstant
        for constant in instance.constants {
            switch constant.slot {
            case .displacement: conditions.append(isSmall(constant.term))
            case .offset: conditions.append(folded ? constant.term.isZero : isSmall(constant.term))
            case .value, .comparisonRight: break
            }
        }
        return context.all(conditions)
    }

    /// -size ≤ value ≤ size, reading `value` as signed.
    private func isSmall(_ value: BitVector) -> Boolean {
        value.sge(value.constant(signed: -Int64(size))) && value.sle(value.constant(UInt64(size)))
    }

    /// The slot's words that either side touches on `model`, with their contents
    /// before the instruction and after it on each side.
    func contents(_ instance: RuleInstance, model: Z3Model) throws -> StackSlotContents {
        var words = Set<Int>()
        for access in instance.accesses {
            let first = Int(truncatingIfNeeded: try model.value(of: access.address) &- StackWindow.origin)
            guard first >= 0, first + access.bytes <= size else {
                throw SMTError.internalError("an access at ss0+\(first) outside a \(size)-byte window")
            }
            for byte in first ..< first + max(access.bytes, 1) { words.insert(byte / 8 * 8) }
        }
        let offsets = words.sorted()
        let context = instance.stackSlot.context
        func values(_ memory: Memory) throws -> [UInt64] {
            try offsets.map { offset in
                let address = context.bitVector(StackWindow.origin + UInt64(offset), width: 64)
                return try model.value(of: memory.load(8, at: address))
            }
        }
        return StackSlotContents(size: size, wordOffsets: offsets, initial: try values(instance.memory.initial),
                                 afterIR: try values(instance.memory.ir),
                                 afterMachine: try values(instance.memory.machine))
    }
}

/// A memory counterexample's stack slot (`StackWindow`): the 8-byte words either side
/// reads or writes, by byte offset in the slot, and their contents (little-endian)
/// before the instruction and after it on each side.
public struct StackSlotContents: Equatable {
    public var size: Int
    public var wordOffsets: [Int]
    public var initial: [UInt64]
    public var afterIR: [UInt64]
    public var afterMachine: [UInt64]

    /// The words as a `.clif` file returns them after a store.
    static func outcome(_ words: [UInt64]) -> ConcreteOutcome {
        ConcreteOutcome(trap: nil, results: words, resultTypes: words.map { _ in .i64 }, edge: nil)
    }
}
