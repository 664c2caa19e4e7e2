import EgretIR

/// What the backend compiles: the one answer to "does Egret support this?", derived
/// from the lowering rule table and the calling-convention table and nowhere else
/// written down. The fuzzer's generator (its default types and opcodes), the
/// campaign's limits, `egret verify`'s type list and the coverage report all read it.
///
///     supports(.iadd, .i128)          true: a rule of Rules+I128Arithmetic is defined there
///     supports(.fcvt_to_sint, .i128)  false: no rule converts a float to an i128
///     supports(.jump, .invalid)       true: untyped opcodes are asked at `invalid`
///
/// A pair is supported when some rule is defined for the opcode at that controlling
/// type. Rules whose patterns or guards cover only some operand shapes (a constant
/// operand, a fused comparison) still count: the table has a general rule beside them
/// for every pair it lists, which the fuzzer's coverage test checks by generating and
/// compiling every pair (GeneratorCoverageTests).
public enum BackendSupport {
    /// One (opcode, controlling type) pair the backend lowers; `invalid` for untyped
    /// opcodes (`jump`, `call`, `fence`).
    public struct Pair: Hashable, Sendable, CustomStringConvertible {
        public var opcode: Opcode
        public var type: IRType

        public init(_ opcode: Opcode, _ type: IRType) {
            self.opcode = opcode
            self.type = type
        }

        /// `iadd.i32`, or `jump` for an untyped opcode: how coverage reports name it.
        public var description: String { type.isValid ? "\(opcode.name).\(type)" : opcode.name }
    }

    /// Whether the backend lowers `opcode` at controlling type `type` (`invalid` for
    /// untyped opcodes).
    public static func supports(_ opcode: Opcode, _ type: IRType) -> Bool {
        pairSet.contains(Pair(opcode, type))
    }

    /// Every pair the backend lowers, in opcode order then type order.
    public static let pairs: [Pair] = {
        var seen = Set<Pair>()
        var pairs: [Pair] = []
        for rule in X64LoweringRules.all {
            for type in rule.types.isEmpty ? [IRType.invalid] : rule.types
            where seen.insert(Pair(rule.opcode, type)).inserted {
                pairs.append(Pair(rule.opcode, type))
            }
        }
        return pairs.sorted { lhs, rhs in
            lhs.opcode.rawValue != rhs.opcode.rawValue ? lhs.opcode.rawValue < rhs.opcode.rawValue
                : (typeOrder.firstIndex(of: lhs.type) ?? 0) < (typeOrder.firstIndex(of: rhs.type) ?? 0)
        }
    }()

    private static let pairSet = Set(pairs)

    /// The value types the backend holds in registers and passes across calls: every
    /// controlling type of some rule, in the order i8 … i128, f32, f64.
    public static let types: [IRType] = {
        let used = Set(pairs.map(\.type))
        return typeOrder.filter { $0.isValid && used.contains($0) }
    }()

    /// The opcodes lowered at `type`.
    public static func opcodes(at type: IRType) -> [Opcode] {
        pairs.filter { $0.type == type }.map(\.opcode)
    }

    /// The calling conventions the backend compiles as written (not as an alias of
    /// another), in the order of the convention table.
    public static var conventions: [CallConv] {
        CallingConvention.all.compactMap { CallConv(rawValue: $0.name) }
    }

    /// The order types are listed in.
    private static let typeOrder: [IRType] = [.invalid, .i8, .i16, .i32, .i64, .i128, .f32, .f64]
}
