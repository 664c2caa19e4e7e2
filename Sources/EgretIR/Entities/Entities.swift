/// Entity references: dense `UInt32` indices into arrays owned by a `Function` (or a
/// `Module`), in the style of Cranelift's entity crate. They are plain values; the
/// function that owns the array gives them meaning.
public protocol EntityReference: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The CLIF prefix of the entity's name (`v`, `block`, `ss`, …).
    static var prefix: String { get }
    var index: UInt32 { get }
    init(_ index: UInt32)
}

extension EntityReference {
    @inlinable public init(_ index: Int) { self.init(UInt32(truncatingIfNeeded: index)) }
    @inlinable public var position: Int { Int(index) }
    public var description: String { "\(Self.prefix)\(index)" }
    @inlinable public static func < (lhs: Self, rhs: Self) -> Bool { lhs.index < rhs.index }
}

/// An SSA value: an instruction result or a block parameter.
public struct Value: EntityReference {
    public static let prefix = "v"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// A basic block.
public struct Block: EntityReference {
    public static let prefix = "block"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// An instruction. Instructions have no name in CLIF text; the index is their order of
/// creation.
public struct Inst: EntityReference {
    public static let prefix = "inst"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// A stack slot (`ss0 = explicit_slot 16`).
public struct StackSlot: EntityReference {
    public static let prefix = "ss"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// A dynamic stack slot (`dss0 = explicit_dynamic_slot dt0`).
public struct DynamicStackSlot: EntityReference {
    public static let prefix = "dss"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// A dynamic vector type declaration (`dt0 = i32x4*gv0`).
public struct DynamicTypeRef: EntityReference {
    public static let prefix = "dt"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// A global value (`gv0 = vmctx`).
public struct GlobalValue: EntityReference {
    public static let prefix = "gv"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// A signature reference used by indirect calls (`sig0 = (i32) -> i32`).
public struct SigRef: EntityReference {
    public static let prefix = "sig"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// A reference to a callable function (`fn0 = %callee(i32) -> i32`).
public struct FuncRef: EntityReference {
    public static let prefix = "fn"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// A constant in the function's constant pool (`const0 = 0x…`), used by `vconst`,
/// `f128const` and `shuffle` masks.
public struct Constant: EntityReference {
    public static let prefix = "const"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// An exception table of a `try_call` (its normal-return target and its handlers).
public struct ExceptionTable: EntityReference {
    public static let prefix = "et"
    public let index: UInt32
    @inlinable public init(_ index: UInt32) { self.index = index }
}

/// A range of entries in one of a function's pools (`valuePool`, `blockCallPool`,
/// `blockArgPool`): `count` entries starting at `start`.
public struct PoolRange: Hashable, Sendable {
    public var start: UInt32
    public var count: UInt32

    @inlinable public init(start: UInt32, count: UInt32) {
        self.start = start
        self.count = count
    }

    @inlinable public init(start: Int, count: Int) {
        self.start = UInt32(truncatingIfNeeded: start)
        self.count = UInt32(truncatingIfNeeded: count)
    }

    public static let empty = PoolRange(start: 0 as UInt32, count: 0)

    @inlinable public var isEmpty: Bool { count == 0 }
    @inlinable public var indices: Range<Int> { Int(start) ..< Int(start) + Int(count) }
}
