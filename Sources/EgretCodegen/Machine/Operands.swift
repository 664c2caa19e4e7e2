/// How a machine instruction's registers look to the register allocator.
///
/// Every target instruction reports its register operands, in a fixed order, through
/// one visitor (`OperandVisitor`). The same walk serves two readers, so they can never
/// disagree about the order:
///
///     collect   OperandCollector   ->  [Operand] + clobbers      (what the allocator reads)
///     rewrite   AllocationApplier  <-  one PReg per operand      (what the allocator writes)
///
/// An operand is a register, a kind (use or def), a constraint and a position:
///
///     kind        use: read by the instruction       def: written by it
///     constraint  any: any register of its class
///                 fixed(p): exactly physical register p (div's rax/rdx, shifts' cl, ABI)
///                 reuse(k): a def that must get the same register as use operand k —
///                           how two-address x86 forms (`addl %esi, %edi`) are modelled,
///                           as in Cranelift/regalloc2; operand k is always a use that
///                           precedes the def
///     position    early: at the start of the instruction (all uses)
///                 late: at its end (defs); an early def conflicts with every use
///
/// Clobbers are physical registers the instruction destroys without naming them as
/// defs (a call clobbers the caller-saved set). This file is target-independent.
///
/// Requires: visitors see operands in the order the instruction reports them.
/// Guarantees: `collectOperands` and `withAllocations` of a target instruction walk
/// the same operands in the same order.

/// Whether an operand is read or written.
public enum OperandKind: UInt8, Hashable, Sendable {
    case use
    case def
}

/// Which register an operand may be given.
public enum OperandConstraint: Hashable, Sendable {
    /// Any register of the operand's class.
    case any
    /// Exactly this physical register.
    case fixed(PReg)
    /// The same register as operand number `k` (a use) of the same instruction.
    case reuse(Int)
}

/// When, within the instruction, the operand is live.
public enum OperandPosition: UInt8, Hashable, Sendable {
    /// Read (or written) before any def of the instruction.
    case early
    /// Written after every use of the instruction.
    case late
}

/// One register operand as the allocator sees it.
public struct Operand: Hashable, Sendable {
    public var reg: Reg
    public var kind: OperandKind
    public var constraint: OperandConstraint
    public var position: OperandPosition

    @inlinable public init(reg: Reg, kind: OperandKind, constraint: OperandConstraint,
                           position: OperandPosition) {
        self.reg = reg
        self.kind = kind
        self.constraint = constraint
        self.position = position
    }
}

/// A set of physical registers of both classes, one bit per `PReg.denseIndex`.
public struct PRegSet: Hashable, Sendable, Sequence {
    public private(set) var bits: UInt32

    public init() { bits = 0 }
    public init(bits: UInt32) { self.bits = bits }

    public init<S: Sequence>(_ registers: S) where S.Element == PReg {
        bits = 0
        for preg in registers { insert(preg) }
    }

    public mutating func insert(_ preg: PReg) { bits |= 1 << UInt32(preg.denseIndex) }
    public mutating func remove(_ preg: PReg) { bits &= ~(1 << UInt32(preg.denseIndex)) }
    public func contains(_ preg: PReg) -> Bool { bits & (1 << UInt32(preg.denseIndex)) != 0 }
    public var isEmpty: Bool { bits == 0 }
    public var count: Int { bits.nonzeroBitCount }
    public func union(_ other: PRegSet) -> PRegSet { PRegSet(bits: bits | other.bits) }

    public func makeIterator() -> Iterator { Iterator(remaining: bits) }

    /// Registers in `denseIndex` order.
    public struct Iterator: IteratorProtocol {
        var remaining: UInt32

        public mutating func next() -> PReg? {
            guard remaining != 0 else { return nil }
            let index = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            return PReg(denseIndex: index)
        }
    }
}

/// A register read from a fixed physical register (a call argument, a return value).
public struct FixedUse: Hashable, Sendable {
    public var reg: Reg
    public var preg: PReg

    public init(_ reg: Reg, in preg: PReg) {
        self.reg = reg
        self.preg = preg
    }
}

/// A register written in a fixed physical register (a call's result).
public struct FixedDef: Hashable, Sendable {
    public var reg: Writable<Reg>
    public var preg: PReg

    public init(_ reg: Writable<Reg>, in preg: PReg) {
        self.reg = reg
        self.preg = preg
    }
}

/// Visits each register operand of an instruction; may rewrite the register in place.
public protocol OperandVisitor {
    mutating func visit(_ reg: inout Reg, _ kind: OperandKind, _ constraint: OperandConstraint,
                        _ position: OperandPosition)
    mutating func clobbers(_ registers: PRegSet)
}

extension OperandVisitor {
    /// A general-purpose register read anywhere in the class.
    @inlinable public mutating func use(_ gpr: inout Gpr) {
        visitGpr(&gpr, .use, .any, .early)
    }

    /// A general-purpose register read from a fixed physical register.
    @inlinable public mutating func fixedUse(_ gpr: inout Gpr, _ preg: PReg) {
        visitGpr(&gpr, .use, .fixed(preg), .early)
    }

    /// A general-purpose register written anywhere in the class.
    @inlinable public mutating func def(_ gpr: inout Writable<Gpr>) {
        var inner = gpr.reg
        visitGpr(&inner, .def, .any, .late)
        gpr = Writable(inner)
    }

    /// A general-purpose register written to a fixed physical register.
    @inlinable public mutating func fixedDef(_ gpr: inout Writable<Gpr>, _ preg: PReg) {
        var inner = gpr.reg
        visitGpr(&inner, .def, .fixed(preg), .late)
        gpr = Writable(inner)
    }

    /// A def that must land in the register of use operand `index` (two-address forms).
    @inlinable public mutating func reuseDef(_ gpr: inout Writable<Gpr>, reusing index: Int) {
        var inner = gpr.reg
        visitGpr(&inner, .def, .reuse(index), .late)
        gpr = Writable(inner)
    }

    /// A register of either class read from a fixed physical register.
    @inlinable public mutating func fixedUse(_ fixed: inout FixedUse) {
        visit(&fixed.reg, .use, .fixed(fixed.preg), .early)
    }

    /// A register of either class written to a fixed physical register.
    @inlinable public mutating func fixedDef(_ fixed: inout FixedDef) {
        var inner = fixed.reg.reg
        visit(&inner, .def, .fixed(fixed.preg), .late)
        fixed.reg = Writable(inner)
    }

    @inlinable mutating func visitGpr(_ gpr: inout Gpr, _ kind: OperandKind,
                                      _ constraint: OperandConstraint, _ position: OperandPosition) {
        var reg = gpr.reg
        visit(&reg, kind, constraint, position)
        guard let rewritten = Gpr(reg) else {
            preconditionFailure("operand visitor replaced general-purpose register \(gpr) by \(reg) of another class")
        }
        gpr = rewritten
    }
}

/// Collects an instruction's operands for the register allocator. Reuse one collector
/// across instructions (`reset()`) to keep its storage.
public struct OperandCollector: OperandVisitor {
    public private(set) var operands: [Operand] = []
    public private(set) var clobbers = PRegSet()

    public init() {}

    public mutating func reset() {
        operands.removeAll(keepingCapacity: true)
        clobbers = PRegSet()
    }

    public mutating func visit(_ reg: inout Reg, _ kind: OperandKind, _ constraint: OperandConstraint,
                               _ position: OperandPosition) {
        if case .reuse(let index) = constraint {
            precondition(kind == .def && index < operands.count && operands[index].kind == .use,
                         "a reuse constraint names an earlier use operand")
        }
        operands.append(Operand(reg: reg, kind: kind, constraint: constraint, position: position))
    }

    public mutating func clobbers(_ registers: PRegSet) {
        clobbers = clobbers.union(registers)
    }
}

/// Rewrites each operand to the physical register the allocator chose for it, in
/// collection order.
///
/// Takes the instruction's slice of `RegAllocation.operandAllocations` as it is: the
/// emitter applies one per instruction, and copying each into an array of its own was
/// a heap allocation per instruction.
public struct AllocationApplier: OperandVisitor {
    public let allocations: ArraySlice<PReg>
    public private(set) var next = 0

    public init(_ allocations: ArraySlice<PReg>) { self.allocations = allocations }

    public init(_ allocations: [PReg]) { self.allocations = allocations[...] }

    public mutating func visit(_ reg: inout Reg, _ kind: OperandKind, _ constraint: OperandConstraint,
                               _ position: OperandPosition) {
        precondition(next < allocations.count, "fewer allocations than operands")
        let preg = allocations[allocations.startIndex + next]
        next += 1
        precondition(preg.regClass == reg.regClass, "allocation \(preg) has the wrong class for \(reg)")
        if case .fixed(let required) = constraint {
            precondition(preg == required, "operand \(reg) is fixed to \(required) but was given \(preg)")
        }
        if case .reuse(let index) = constraint {
            let tied = allocations[allocations.startIndex + index]
            precondition(tied == preg, "operand \(reg) reuses operand \(index) (\(tied)) but was given \(preg)")
        }
        reg = Reg(preg)
    }

    public mutating func clobbers(_ registers: PRegSet) {}
}

/// Rewrites every register operand through a function (renaming, testing).
public struct RegisterMapper: OperandVisitor {
    public let transform: (Reg) -> Reg

    public init(_ transform: @escaping (Reg) -> Reg) { self.transform = transform }

    public mutating func visit(_ reg: inout Reg, _ kind: OperandKind, _ constraint: OperandConstraint,
                               _ position: OperandPosition) {
        reg = transform(reg)
    }

    public mutating func clobbers(_ registers: PRegSet) {}
}
