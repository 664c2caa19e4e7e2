import EgretIR

/// A lowering rule: one named value that says which CLIF instructions it handles and
/// how to build their machine code. The lowering pass (`X64Lowering`) runs these
/// values; the SMT verifier (EgretSMT) runs the very same values with a recording
/// builder and proves each emitted sequence equal to the IR operation. There is no
/// second copy of any rule.
///
///     LoweringRule(name: "iadd_imm", opcode: .iadd, types: .integers, priority: 10,
///                  priorityReason: "an add with an immediate needs no register for the constant",
///                  pattern: [.register, .constant], guards: [.fitsSignExtendedImm32(1)]) { b in
///         b.emit(.aluRmiR(.add, size: b.aluSize, src1: b.gpr(0), src2: .imm(b.imm32(1)),
///                         dst: b.result(0)))
///     }
///
/// A rule applies to an instruction when its opcode matches, the controlling type is
/// one of `types`, every operand has its pattern's shape and every guard holds. Among
/// the rules that apply, the one with the highest priority wins (ties: the earlier
/// in `X64LoweringRules.all`).
public struct LoweringRule: Sendable, CustomStringConvertible {
    /// Unique, stable: `egret verify --rule NAME` uses it.
    public let name: String
    public let opcode: Opcode
    /// The controlling types the rule is defined for; empty for untyped opcodes
    /// (`jump`, `return`, `trap`, calls).
    public let types: [IRType]
    public let priority: Int
    /// Why the priority is what it is (STYLE.md: rules carry their reason).
    public let priorityReason: String
    /// One shape per fixed value operand, in operand order. Variable operands (call
    /// arguments, returned values) are always registers and are not listed.
    public let pattern: [OperandShape]
    /// Named predicates over the matched operands; all must hold.
    public let guards: [RuleGuard]
    /// Builds the machine instructions, only through the builder.
    public let emit: RuleEmitter

    /// The types as a bit mask over i8/i16/i32/i64/i128 (bit k: 8 << k bits) and
    /// f32/f64 (bits 5 and 6), so that the lowering pass tests a type with one AND.
    public let typeMask: UInt8

    public init(name: String, opcode: Opcode, types: [IRType], priority: Int, priorityReason: String,
                pattern: [OperandShape], guards: [RuleGuard] = [], emit: @escaping RuleEmitter) {
        self.name = name
        self.opcode = opcode
        self.types = types
        self.priority = priority
        self.priorityReason = priorityReason
        self.pattern = pattern
        self.guards = guards
        self.emit = emit
        typeMask = types.reduce(0) { $0 | LoweringRule.typeBit($1) }
    }

    /// The bit of a type in `typeMask` (0 for types no rule of this table handles).
    @inlinable public static func typeBit(_ type: IRType) -> UInt8 {
        switch type {
        case .i8: return 1
        case .i16: return 2
        case .i32: return 4
        case .i64: return 8
        case .i128: return 16
        case .f32: return 32
        case .f64: return 64
        default: return 0
        }
    }

    /// Whether the rule is defined for `type` (`invalid` for untyped rules).
    @inlinable public func accepts(_ type: IRType) -> Bool {
        types.isEmpty ? !type.isValid : typeMask & LoweringRule.typeBit(type) != 0
    }

    public var description: String {
        let typeText = types.isEmpty ? "" : "." + types.map(\.description).joined(separator: "|")
        let shapes = pattern.map(\.description).joined(separator: ", ")
        let guardText = guards.isEmpty ? "" : " if " + guards.map(\.description).joined(separator: " && ")
        return "\(name): \(opcode.name)\(typeText)(\(shapes))\(guardText) priority \(priority)"
    }
}

/// Builds a rule's machine instructions through a builder; the lowering pass passes
/// the function being lowered, the SMT verifier a recording builder.
public typealias RuleEmitter = @Sendable (any LoweringBuilder) throws -> Void

extension Array where Element == IRType {
    /// i8, i16, i32 and i64: the integer types of tier 1.
    public static var integers: [IRType] { [.i8, .i16, .i32, .i64] }
    /// i32 and i64: the types of address computations and of `uadd_overflow_trap`.
    public static var wideIntegers: [IRType] { [.i32, .i64] }
    /// i16, i32, i64: results of 8-bit extending loads, `bswap`.
    public static var i16AndWider: [IRType] { [.i16, .i32, .i64] }
    /// i8, i16: types whose operations run in 32-bit registers with explicit extension.
    public static var narrowIntegers: [IRType] { [.i8, .i16] }
    /// f32 and f64: the scalar float types, held in xmm registers.
    public static var floats: [IRType] { [.f32, .f64] }
}

// MARK: Operand shapes

/// The shape an operand must have for a rule to apply, and what the rule may then ask
/// the builder about it.
public enum OperandShape: Hashable, Sendable, CustomStringConvertible {
    /// Any value, in a register: `gpr(i)`.
    case register
    /// A value defined by `iconst`: `constant(i)` is its value, sign-extended from its
    /// type's width. The `iconst` itself is emitted only if something else needs it
    /// in a register.
    case constant
    /// A value defined by an `icmp` with no other use: the comparison is recomputed at
    /// the consumer (`comparison(i)`), so cmp and jcc/cmov/trapIf stay adjacent and no
    /// 0/1 value is materialised.
    case comparison
    /// An address defined by `stack_addr ssN+k`: `amode(i)` is the frame address of
    /// the slot plus k plus the instruction's offset.
    case stackAddress
    /// An address `iadd.i64 base, (iconst k)`: `amode(i)` is base + k + offset
    /// (`constant(i)` is that displacement).
    case basePlusConstant
    /// An address `iadd.i64 base, index`: `amode(i)` is base + index + offset.
    case basePlusIndex
    /// A value of type f32 or f64, in an xmm register: `xmm(i)`. Lets a rule whose
    /// controlling type is an integer (`bitcast.i32` of an f32) tell float operands
    /// from integer ones.
    case float
    /// A value defined by an `fcmp` with no other use: the comparison is recomputed at
    /// the consumer (`floatComparison(i)`), so ucomis and jcc/cmov stay adjacent.
    case floatComparison
    /// An i128 value in two registers (`gprPair(i)`) where the controlling type is
    /// narrower: the condition of a `select`, the operand of `bmask` or `ireduce`.
    /// A `.register` operand never matches such a value.
    case pair
    /// Any integer value, of which the rule reads only the low 64 bits (`gpr(i)`, the
    /// low half of an i128): shift and rotate counts.
    case lowBits
    /// A value defined by an `icmp` of two i128 values with no other use:
    /// `wideComparison(i)`, recomputed at the consumer as `.comparison` is.
    case wideComparison

    public var description: String {
        switch self {
        case .register: return "reg"
        case .constant: return "iconst"
        case .comparison: return "icmp(single use)"
        case .stackAddress: return "stack_addr"
        case .basePlusConstant: return "iadd(base, iconst)"
        case .basePlusIndex: return "iadd(base, index)"
        case .float: return "float"
        case .floatComparison: return "fcmp(single use)"
        case .pair: return "reg:reg"
        case .lowBits: return "reg(low 64)"
        case .wideComparison: return "icmp.i128(single use)"
        }
    }

    /// Whether the shape describes an address operand (folded into a memory operand).
    public var isAddress: Bool {
        switch self {
        case .stackAddress, .basePlusConstant, .basePlusIndex: return true
        case .register, .constant, .comparison, .float, .floatComparison, .pair, .lowBits, .wideComparison:
            return false
        }
    }
}

// MARK: Guards

/// A named predicate over a match. The lowering pass runs `check`; the SMT verifier
/// gives each `name` an SMT definition (a constraint on the matched constants) and
/// proves the rule under it.
public struct RuleGuard: Sendable, CustomStringConvertible {
    /// The predicate's name, shared with its SMT definition (`fits_simm32`).
    public let name: String
    /// The operand whose matched constant the predicate constrains.
    public let operand: Int
    public let check: @Sendable (RuleMatch) -> Bool

    public init(name: String, operand: Int, check: @escaping @Sendable (RuleMatch) -> Bool) {
        self.name = name
        self.operand = operand
        self.check = check
    }

    public var description: String { "\(name)(op\(operand))" }

    /// The constant (or folded displacement) fits a sign-extended 32-bit immediate.
    /// Always true below 64 bits: constants are stored sign-extended from their width.
    public static func fitsSignExtendedImm32(_ operand: Int) -> RuleGuard {
        RuleGuard(name: "fits_simm32", operand: operand) { Int32(exactly: $0.constant(operand)) != nil }
    }

    /// The constant is not zero.
    public static func isNonZero(_ operand: Int) -> RuleGuard {
        RuleGuard(name: "nonzero", operand: operand) { $0.constant(operand) != 0 }
    }

    /// The constant is not -1 (all ones at the controlling width).
    public static func isNotMinusOne(_ operand: Int) -> RuleGuard {
        RuleGuard(name: "not_minus_one", operand: operand) { $0.constant(operand) != -1 }
    }

    /// The instruction is an `atomic_rmw` of operation `operation`. Its operand is the
    /// value operand (1), which the operation combines with memory.
    public static func atomicOperation(_ operation: AtomicRmwOp) -> RuleGuard {
        RuleGuard(name: "atomic_op_\(operation)", operand: 1) { $0.atomicOperation == operation }
    }

    /// The constant, read as unsigned at the controlling width, is a power of two.
    public static func isPowerOfTwo(_ operand: Int) -> RuleGuard {
        RuleGuard(name: "power_of_two", operand: operand) { match in
            let value = match.unsignedConstant(operand)
            return value != 0 && value & (value &- 1) == 0
        }
    }
}

/// What the matcher found for one instruction, as guards see it: the controlling
/// type, one constant per operand (the `iconst` value for `.constant`, the folded
/// displacement for address shapes, 0 otherwise) and, for `atomic_rmw`, its
/// operation. A plain value: no references.
public struct RuleMatch: Hashable, Sendable {
    public var type: IRType
    private var constants: (Int64, Int64, Int64)
    /// The operation of an `atomic_rmw` (nil for every other opcode).
    public var atomicOperation: AtomicRmwOp?

    public init(type: IRType, constants: [Int64] = []) {
        self.type = type
        self.constants = (0, 0, 0)
        for (index, value) in constants.enumerated() { setConstant(index, value) }
    }

    /// The constant of operand `index` (0 for operands past the third).
    public func constant(_ index: Int) -> Int64 {
        switch index {
        case 0: return constants.0
        case 1: return constants.1
        case 2: return constants.2
        default: return 0
        }
    }

    /// The constant as an unsigned number of the controlling width.
    public func unsignedConstant(_ index: Int) -> UInt64 {
        let bits = type.bits > 0 && type.bits < 64 ? type.bits : 64
        let mask: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
        return UInt64(bitPattern: constant(index)) & mask
    }

    public mutating func setConstant(_ index: Int, _ value: Int64) {
        switch index {
        case 0: constants.0 = value
        case 1: constants.1 = value
        case 2: constants.2 = value
        default: break
        }
    }

    public static func == (lhs: RuleMatch, rhs: RuleMatch) -> Bool {
        lhs.type == rhs.type && lhs.constants == rhs.constants && lhs.atomicOperation == rhs.atomicOperation
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(constants.0)
        hasher.combine(constants.1)
        hasher.combine(constants.2)
        hasher.combine(atomicOperation)
    }
}
