/// Integer comparison condition codes (`icmp`), spelled as in CLIF.
public enum IntCC: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case eq, ne, slt, sge, sgt, sle, ult, uge, ugt, ule

    public var description: String {
        switch self {
        case .eq: return "eq"
        case .ne: return "ne"
        case .slt: return "slt"
        case .sge: return "sge"
        case .sgt: return "sgt"
        case .sle: return "sle"
        case .ult: return "ult"
        case .uge: return "uge"
        case .ugt: return "ugt"
        case .ule: return "ule"
        }
    }

    public init?(name: Substring) {
        guard let match = IntCC.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }

    /// The condition that holds exactly when this one does not.
    public var inverse: IntCC {
        switch self {
        case .eq: return .ne
        case .ne: return .eq
        case .slt: return .sge
        case .sge: return .slt
        case .sgt: return .sle
        case .sle: return .sgt
        case .ult: return .uge
        case .uge: return .ult
        case .ugt: return .ule
        case .ule: return .ugt
        }
    }

    /// The condition with the operands swapped (`a < b` ⇔ `b > a`).
    public var swapped: IntCC {
        switch self {
        case .eq, .ne: return self
        case .slt: return .sgt
        case .sge: return .sle
        case .sgt: return .slt
        case .sle: return .sge
        case .ult: return .ugt
        case .uge: return .ule
        case .ugt: return .ult
        case .ule: return .uge
        }
    }
}

/// Floating-point comparison condition codes (`fcmp`), spelled as in CLIF.
///
/// Each is a set of the four possible relations (unordered, less, equal, greater):
/// `eq` is true only when ordered and equal; `ueq` also when unordered.
public enum FloatCC: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case ord, uno, eq, ne, one, ueq, lt, le, gt, ge, ult, ule, ugt, uge

    public var description: String {
        switch self {
        case .ord: return "ord"
        case .uno: return "uno"
        case .eq: return "eq"
        case .ne: return "ne"
        case .one: return "one"
        case .ueq: return "ueq"
        case .lt: return "lt"
        case .le: return "le"
        case .gt: return "gt"
        case .ge: return "ge"
        case .ult: return "ult"
        case .ule: return "ule"
        case .ugt: return "ugt"
        case .uge: return "uge"
        }
    }

    public init?(name: Substring) {
        guard let match = FloatCC.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }

    /// Whether the condition holds for a comparison whose outcome is one of
    /// unordered, less, equal or greater.
    public func holds(unordered: Bool, less: Bool, equal: Bool, greater: Bool) -> Bool {
        switch self {
        case .ord: return !unordered
        case .uno: return unordered
        case .eq: return equal
        case .ne: return !equal
        case .one: return less || greater
        case .ueq: return unordered || equal
        case .lt: return less
        case .le: return less || equal
        case .gt: return greater
        case .ge: return greater || equal
        case .ult: return unordered || less
        case .ule: return unordered || less || equal
        case .ugt: return unordered || greater
        case .uge: return unordered || greater || equal
        }
    }
}

/// The operation of an `atomic_rmw` instruction.
public enum AtomicRmwOp: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case add, sub, and, nand, or, xor, xchg, umin, umax, smin, smax

    public var description: String {
        switch self {
        case .add: return "add"
        case .sub: return "sub"
        case .and: return "and"
        case .nand: return "nand"
        case .or: return "or"
        case .xor: return "xor"
        case .xchg: return "xchg"
        case .umin: return "umin"
        case .umax: return "umax"
        case .smin: return "smin"
        case .smax: return "smax"
        }
    }

    public init?(name: Substring) {
        guard let match = AtomicRmwOp.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }
}
