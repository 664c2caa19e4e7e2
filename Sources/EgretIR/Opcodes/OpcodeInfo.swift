/// Properties of an opcode that passes care about.
public struct OpcodeProperties: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// May trap (division, conditional traps, float-to-int conversion); loads and
    /// stores trap according to their memory flags instead.
    public static let canTrap = OpcodeProperties(rawValue: 1 << 0)
    public static let canLoad = OpcodeProperties(rawValue: 1 << 1)
    public static let canStore = OpcodeProperties(rawValue: 1 << 2)
    /// Has effects beyond its results, trapping and memory (fences, pinned register).
    public static let otherSideEffects = OpcodeProperties(rawValue: 1 << 3)
    /// Ends a block (branches, returns, `trap`, tail calls).
    public static let isTerminator = OpcodeProperties(rawValue: 1 << 4)
    /// Transfers control to blocks of the same function.
    public static let isBranch = OpcodeProperties(rawValue: 1 << 5)
    public static let isCall = OpcodeProperties(rawValue: 1 << 6)
    /// Leaves the function (`return`, `return_call`, `return_call_indirect`).
    public static let isReturn = OpcodeProperties(rawValue: 1 << 7)
    /// The two value operands may be swapped without changing the result.
    public static let isCommutative = OpcodeProperties(rawValue: 1 << 8)
}

/// How a load or store reaches memory: how many bytes it accesses and how a narrow
/// load extends them. The interpreter, the lowering rules, the SMT specs and the
/// generator all read the width from here.
public struct MemoryAccess: Hashable, Sendable {
    /// Bytes accessed; nil when the access is as wide as the value type (`load`,
    /// `store`, the atomics).
    public let fixedBytes: Int?
    /// Whether the loaded bytes are sign-extended (`sload8` …; per lane for the
    /// lane-widening vector loads).
    public let signExtends: Bool

    /// An access as wide as the value type.
    public static let wholeValue = MemoryAccess(fixedBytes: nil, signExtends: false)

    /// A zero-extending load or truncating store of `bytes` bytes.
    public static func narrow(_ bytes: Int) -> MemoryAccess { MemoryAccess(fixedBytes: bytes, signExtends: false) }

    /// A sign-extending load of `bytes` bytes.
    public static func signExtending(_ bytes: Int) -> MemoryAccess { MemoryAccess(fixedBytes: bytes, signExtends: true) }

    /// The bytes accessed for a value of `type`.
    @inlinable public func bytes(at type: IRType) -> Int { fixedBytes ?? type.bytes }
}

/// Everything Egret knows about one opcode, in one row of `OpcodeTable`. The parser,
/// printer, verifier, generator and coverage report all read these rows.
public struct OpcodeInfo: Sendable {
    /// The CLIF name (`iadd`, `uadd_overflow_trap`).
    public let name: String
    public let format: InstructionFormat
    /// The types the controlling type variable may take; `nil` if the opcode is not
    /// polymorphic.
    public let controllingTypes: TypeSet?
    /// The value operand whose type is the controlling type, so the `.type` suffix may
    /// be omitted; `nil` when the suffix is required (the controlling type is a result's).
    public let typevarOperand: Int?
    /// Types of the fixed value operands, in order (variable arguments excluded).
    public let operands: [OperandType]
    /// Types of the fixed results (call results come from the signature).
    public let results: [OperandType]
    /// Takes a variable argument list after its fixed operands (calls, `return`).
    public let hasVariableArguments: Bool
    public let properties: OpcodeProperties
    /// The conformance tier that first needs this opcode (1 … 3; 4 = beyond tier 3).
    public let tier: Int
    /// A one-line description.
    public let summary: String
    /// How the opcode reaches memory, for loads and stores (nil for everything else).
    public let access: MemoryAccess?

    public var isPolymorphic: Bool { controllingTypes != nil }
    public var isTerminator: Bool { properties.contains(.isTerminator) }
    public var isBranch: Bool { properties.contains(.isBranch) }
    public var isCall: Bool { properties.contains(.isCall) }
    public var canTrap: Bool { properties.contains(.canTrap) }
    public var canLoad: Bool { properties.contains(.canLoad) }
    public var canStore: Bool { properties.contains(.canStore) }
    /// Needs the explicit `.type` suffix in CLIF text.
    public var requiresTypeSuffix: Bool { isPolymorphic && typevarOperand == nil }
}

extension Opcode {
    /// The table row of this opcode.
    @inlinable public var info: OpcodeInfo { OpcodeTable.rows[Int(rawValue)] }

    /// The CLIF name.
    @inlinable public var name: String { info.name }

    @inlinable public var format: InstructionFormat { info.format }

    /// Looks an opcode up by its CLIF name.
    public init?(name: Substring) {
        guard let opcode = OpcodeTable.byName[String(name)] else { return nil }
        self = opcode
    }
}

extension Opcode {
    /// The CLIF name. Deliberately not a `CustomStringConvertible` conformance: the
    /// table's initializer names each row with `String(describing:)`, which must reach
    /// the case name by reflection rather than this property (which reads the table
    /// and would wait forever on its own lazy initialisation). `"\(opcode)"` prints the
    /// case name, which is the CLIF name, either way.
    public var description: String { name }
}
