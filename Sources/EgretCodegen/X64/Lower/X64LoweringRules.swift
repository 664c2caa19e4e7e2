import EgretIR

/// The x86-64 lowering rules: one table, grouped by concern over `Rules+*.swift`.
///
///     Rules+Arithmetic   iconst iadd isub ineg iabs imul umulhi smulhi smin smax umin umax,
///                        band bor bxor bnot bitselect bmask, uextend sextend ireduce bitcast
///     Rules+Shifts       ishl ushr sshr rotl rotr
///     Rules+Division     udiv urem sdiv srem
///     Rules+Compare      icmp select select_spectre_guard, jump brif br_table trap trapz
///                        trapnz nop
///     Rules+Bits         clz ctz cls popcnt bitrev bswap
///     Rules+Overflow     the *_overflow family, *_overflow_cin/_bin, uadd_overflow_trap
///     Rules+Memory       load store, extending loads, truncating stores, stack_addr
///     Rules+Atomics      atomic_load atomic_store atomic_rmw atomic_cas fence (i8–i128)
///     Rules+Calls        return call call_indirect return_call return_call_indirect func_addr
///     Rules+Float        f32const f64const fadd fsub fmul fdiv sqrt fma fneg fabs fcopysign
///                        fmin fmax ceil floor trunc nearest fpromote fdemote fcmp, bitcast
///                        select band bor bxor bnot bitselect on floats, float load and store
///     Rules+FloatConversions  fcvt_to_sint/uint(_sat), fcvt_from_sint/uint
///     Rules+I128         i128 iconcat isplit extensions ireduce bitcast band bor bxor bnot
///                        bitselect load store
///     Rules+I128Arithmetic  i128 iadd isub ineg iabs imul umulhi smulhi, the *_overflow
///                        family with carry in and out
///     Rules+I128Compare  i128 icmp (also fused), select, brif, trapz, trapnz, min/max, bmask
///     Rules+I128Shifts   i128 ishl ushr sshr rotl rotr
///     Rules+I128Bits     i128 clz ctz cls popcnt bitrev bswap
///     Rules+I128Division i128 udiv urem sdiv srem
///     Rules+I128FloatConversions  fcvt_from_uint fcvt_from_sint of an i128
///
/// Readers: the lowering pass (through `candidates(for:)`), the SMT verifier and
/// `egret verify --list` (through `all`), and the coverage test, which requires a rule
/// for every tier-1 opcode × type.
///
/// Performance: the pass looks rules up by opcode with one array index
/// (`opcodeRanges`) into `ordered`, a flat array of the rules sorted by opcode and
/// then by descending priority; it never scans rules of other opcodes.
public enum X64LoweringRules {
    /// Every rule, in table order (the order of the files above).
    public static let all: [LoweringRule] = {
        var rules: [LoweringRule] = []
        rules += arithmetic
        rules += bitwise
        rules += shifts
        rules += division
        rules += compare
        rules += bits
        rules += overflow
        rules += conversions
        rules += memory
        rules += atomics
        rules += controlFlow
        rules += calls
        rules += floats
        rules += floatConversions
        rules += i128
        rules += i128Arithmetic
        rules += i128Overflow
        rules += i128Compare
        rules += i128Shifts
        rules += i128Bits
        rules += i128Division
        rules += i128FloatConversions
        rules += i128Atomics
        return rules
    }()

    /// The rules sorted by opcode, then priority (highest first), then table order.
    static let ordered: [LoweringRule] = {
        let indexed = all.enumerated().map { ($0.offset, $0.element) }
        return indexed.sorted { lhs, rhs in
            if lhs.1.opcode != rhs.1.opcode { return lhs.1.opcode.rawValue < rhs.1.opcode.rawValue }
            if lhs.1.priority != rhs.1.priority { return lhs.1.priority > rhs.1.priority }
            return lhs.0 < rhs.0
        }.map(\.1)
    }()

    /// For each opcode (by raw value), the range of its rules in `ordered`.
    static let opcodeRanges: [Range<Int>] = {
        var ranges = [Range<Int>](repeating: 0 ..< 0, count: Opcode.allCases.count)
        var start = 0
        while start < ordered.count {
            let opcode = ordered[start].opcode
            var end = start
            while end < ordered.count && ordered[end].opcode == opcode { end += 1 }
            ranges[Int(opcode.rawValue)] = start ..< end
            start = end
        }
        return ranges
    }()

    /// What the pass reads of `ordered[i]` while matching, as plain data (no
    /// references), so trying a candidate copies nothing that needs retaining. Derived
    /// from the rule values; the rules themselves stay the only description.
    struct Candidate {
        var typeMask: UInt8
        var untyped: Bool
        var hasGuards: Bool
        var shapeCount: UInt8
        var shapes: (OperandShape, OperandShape, OperandShape)

        func shape(_ index: Int) -> OperandShape {
            switch index {
            case 0: return shapes.0
            case 1: return shapes.1
            default: return shapes.2
            }
        }

        @inline(__always) func accepts(_ type: IRType) -> Bool {
            untyped ? !type.isValid : typeMask & LoweringRule.typeBit(type) != 0
        }
    }

    /// `Candidate` of each rule of `ordered`.
    static let candidates: [Candidate] = ordered.map { rule in
        // Static data: a longer pattern is a bug in a rule file, caught by the table tests.
        precondition(rule.pattern.count <= 3, "rule \(rule.name): patterns have at most three operands")
        let shapes = rule.pattern + repeatElement(OperandShape.register, count: 3 - rule.pattern.count)
        return Candidate(typeMask: rule.typeMask, untyped: rule.types.isEmpty, hasGuards: !rule.guards.isEmpty,
                         shapeCount: UInt8(rule.pattern.count), shapes: (shapes[0], shapes[1], shapes[2]))
    }

    /// The emitter of each rule of `ordered`.
    static let emitters: [RuleEmitter] = ordered.map(\.emit)

    /// The indices in `ordered` of the rules for `opcode`, best first.
    @inline(__always) static func candidates(for opcode: Opcode) -> Range<Int> {
        opcodeRanges[Int(opcode.rawValue)]
    }

    /// The rules for `opcode`, best first.
    public static func rules(for opcode: Opcode) -> ArraySlice<LoweringRule> {
        ordered[candidates(for: opcode)]
    }

    /// The rule called `name`.
    public static func rule(named name: String) -> LoweringRule? {
        all.first { $0.name == name }
    }
}
