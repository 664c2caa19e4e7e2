/// VCode: a function's machine instructions over virtual registers, in blocks, as
/// lowering produces them and register allocation consumes them.
///
///     Function --lower (rules)--> VCode<X64Inst> --regalloc--> RegAllocation
///                                        |                          |
///                                        +---- emission applies ----+
///
/// Shape (what lowering guarantees, what the allocator requires):
/// - Blocks are in emission order; block 0 is the entry. Block `b`'s branch target is
///   `MachLabel(b)`: the code buffer reserves one label per block before emission.
/// - Each block's instructions are the contiguous range `instRange` of `insts`, and
///   the block ends with its terminator (a branch, a return, or a trap).
/// - Block parameters no longer exist: lowering turned block arguments into register
///   moves on the edges, splitting critical edges first, so a virtual register may be
///   written in several blocks (VCode is not SSA). Every use of a virtual register is
///   reached by a write of it on every path from the entry (lowering writes block
///   parameters on every incoming edge).
/// - `successors` lists each block's successor blocks, in the order of its terminator.
/// - The function's register arguments are `entryArguments`: virtual registers that
///   hold their value in a fixed ABI register when the entry block starts.
public struct VCode<Inst: MachineInstruction>: Sendable {
    public var insts: [Inst] = []
    public var blocks: [VCodeBlock] = []
    /// The class of each virtual register, by index.
    public var vregClasses: [RegClass] = []
    /// Virtual registers defined in fixed registers on entry (the register arguments).
    public var entryArguments: [FixedDef] = []

    public init() {}

    /// A new virtual register of the class.
    public mutating func newVReg(_ regClass: RegClass) -> Reg {
        vregClasses.append(regClass)
        return Reg(VReg(UInt32(vregClasses.count - 1), regClass))
    }

    public var vregCount: Int { vregClasses.count }

    /// Predecessor lists derived from `successors`.
    public func predecessors() -> [[Int]] {
        var predecessors = [[Int]](repeating: [], count: blocks.count)
        for (block, data) in blocks.enumerated() {
            for successor in data.successors { predecessors[successor].append(block) }
        }
        return predecessors
    }
}

/// One block of VCode.
public struct VCodeBlock: Hashable, Sendable {
    /// The block's instructions in `VCode.insts`.
    public var instRange: Range<Int>
    /// Successor block indices, in terminator order.
    public var successors: BlockSuccessors

    public init(instRange: Range<Int>, successors: [Int]) {
        self.instRange = instRange
        self.successors = BlockSuccessors(successors)
    }
}

/// A block's successor indices: up to two held inline (every `jmp` and `jcc` block,
/// and every edge block), more in an array (a jump table), so that a function of a
/// hundred thousand blocks keeps no array per block. Two equal lists are equal values.
public struct BlockSuccessors: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral,
    CustomStringConvertible {
    private var first: Int32 = 0
    private var second: Int32 = 0
    private var inlineCount: UInt8 = 0
    /// All of them, when they are more than two (or do not fit 32 bits).
    private var many: [Int]?

    public init(_ successors: [Int]) {
        guard successors.count <= 2, let first = Int32(exactly: successors.first ?? 0),
              let second = Int32(exactly: successors.count > 1 ? successors[1] : 0) else {
            many = successors
            return
        }
        self.first = first
        self.second = second
        inlineCount = UInt8(successors.count)
    }

    public init(arrayLiteral elements: Int...) { self.init(elements) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { many?.count ?? Int(inlineCount) }

    public subscript(position: Int) -> Int {
        if let many { return many[position] }
        precondition(position >= 0 && position < Int(inlineCount), "successor \(position) of \(inlineCount)")
        return position == 0 ? Int(first) : Int(second)
    }

    public var description: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}

/// What the machine-independent layers (register allocation, its checker, emission)
/// need from a target's instruction type.
public protocol MachineInstruction: Hashable, Sendable {
    /// Reports every register operand in a fixed order; the visitor may rewrite them
    /// (see Operands.swift).
    mutating func visitOperands<V: OperandVisitor>(_ visitor: inout V)

    /// A copy of a register into another of the same class (whole register).
    static func registerMove(from source: PReg, to destination: PReg) -> Self

    /// Stores a register into a spill slot.
    static func spill(_ register: PReg, to slot: UInt32) -> Self

    /// Loads a register from a spill slot.
    static func reload(_ register: PReg, from slot: UInt32) -> Self

    /// Source and destination if this is a plain whole-register copy between two
    /// registers of one class: the allocator tries to give both the same register.
    var copiedRegisters: (source: Reg, destination: Reg)? { get }
}
