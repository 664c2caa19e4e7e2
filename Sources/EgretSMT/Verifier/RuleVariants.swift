import EgretCodegen
import EgretIR

/// What a rule × type is checked over: the operand types the opcode allows with that
/// controlling type (the shift count's own type, an extension's source type, a select
/// condition's type), the conditions of a fused comparison, byte orders of memory
/// accesses, and the constants of `.constant` and address operands.
struct RuleVariant {
    var operandTypes: [IRType]
    var resultTypes: [IRType]
    /// The compared type of each `.comparison` operand (its icmp's operand type).
    var comparedTypes: [Int: IRType] = [:]
    /// Whether the fused icmp's right-hand side is a constant, which the lowering folds
    /// into `cmp $imm` (`ConstantSlot.comparisonRight`).
    var comparisonImmediate = false
    var intCC: IntCC = .eq
    var memoryFlags = MemFlags()
    var edgeCount = 2
    /// `return`: the function's own signature (its returned values are the operands).
    var returnSignature: ABISignature?

    var description: String {
        var parts: [String] = ["operands " + operandTypes.map(\.description).joined(separator: ",")]
        for (operand, type) in comparedTypes.sorted(by: { $0.key < $1.key }) {
            parts.append("op\(operand) = icmp \(intCC) on \(type)" + (comparisonImmediate ? " with a constant" : ""))
        }
        if memoryFlags.endianness == .big { parts.append("big-endian") }
        return parts.joined(separator: "; ")
    }
}

/// A constant the emitter reads as a number: a `.constant` operand (or `iconst`'s
/// immediate), a folded address displacement, or the instruction's offset.
enum ConstantSlot: Hashable {
    /// Operand `operand`'s `iconst` value, of `type` (the `match` constant).
    case value(operand: Int, type: IRType)
    /// The displacement folded into address operand `operand` (32 bits).
    case displacement(operand: Int)
    /// The load/store/stack_addr offset (32 bits).
    case offset
    /// The constant right-hand side of the fused icmp of operand `operand`, of the
    /// compared `type`; folded only when it fits a sign-extended 32-bit immediate.
    case comparisonRight(operand: Int, type: IRType)

    var width: Int {
        switch self {
        case .value(_, let type), .comparisonRight(_, let type): return type.bits
        case .displacement, .offset: return 32
        }
    }

    var name: String {
        switch self {
        case .value(let operand, _): return "k\(operand)"
        case .displacement(let operand): return "disp\(operand)"
        case .offset: return "offset"
        case .comparisonRight(let operand, _): return "kr\(operand)"
        }
    }

    /// `value` normalised to the slot: sign-extended from its width.
    func normalise(_ value: Int64) -> Int64 {
        let width = self.width
        guard width < 64 else { return value }
        let shift = Int64(64 - width)
        return (value << shift) >> shift
    }

    /// Values every rule is checked at concretely: the edges of the slot's range.
    var edgeValues: [Int64] {
        switch self {
        case .displacement, .offset:
            // Passed through to the address: its sign and extremes are what can go wrong.
            return [0, 1, -1, Int64(Int32.max), Int64(Int32.min)]
        case .value, .comparisonRight:
            break
        }
        var values: [Int64] = [0, 1, -1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000]
        let width = self.width
        let minimum: Int64 = width >= 64 ? .min : -(1 << Int64(width - 1))
        values += [minimum, ~minimum, minimum + 1, ~minimum - 1]
        if width == 64 { values += [Int64(Int32.max), Int64(Int32.min), 1 << 31, 1 << 32, -(1 << 31) - 1] }
        return unique(values.map(normalise))
    }

    /// Values for rules whose code depends on the constant other than through its
    /// value (a shift count masked at compile time, a power of two turned into a
    /// shift): every value at 8 bits; else every residue of a count, every power of
    /// two and its neighbours, and the edges.
    var enumeratedValues: [Int64] {
        let width = self.width
        if width <= 8 { return (-128 ... 127).map { Int64($0) } }
        var values = edgeValues
        for k in 0 ..< Int64(2 * width) { values += [k, -k] }
        for k in 0 ..< Int64(min(width, 63)) { values += [1 << k, (1 << k) - 1, -(1 << k), (1 << k) + 1] }
        values.append(.min)
        return unique(values.map(normalise))
    }

    /// Two negative values that differ in every bit below the sign bit, so that an
    /// emitter computing anything from the constant's bits emits different code for
    /// them, while sign- and zero-extended views of each stay distinguishable (a
    /// positive value would look the same through both). Tried at the slot's width,
    /// then as sign-extended 32-, 16- and 8-bit values; the first pair that passes
    /// `accepts` (the rule's guards) is used.
    func sentinels(accepts: (Int64, Int64) -> Bool) -> (Int64, Int64)? {
        let seed: UInt64
        switch self {
        case .value, .comparisonRight: seed = 0x5B3D_6A17_1E2C_4F81
        case .displacement: seed = 0x41B2_C3D4
        case .offset: seed = 0x5123_4A5B
        }
        for bits in [width, 32, 16, 8] where bits <= width {
            let sign: UInt64 = 1 << UInt64(bits - 1)
            let low = sign - 1
            let first = Int64(bitPattern: (seed & low) | sign)
            let second = Int64(bitPattern: ((seed & low) ^ low) | sign)
            let extend = { (value: Int64) -> Int64 in
                bits >= 64 ? value : (value << Int64(64 - bits)) >> Int64(64 - bits)
            }
            let pair = (normalise(extend(first)), normalise(extend(second)))
            if pair.0 != pair.1 && accepts(pair.0, pair.1) { return pair }
        }
        return nil
    }
}

private func unique(_ values: [Int64]) -> [Int64] {
    var seen = Set<Int64>()
    return values.filter { seen.insert($0).inserted }
}

extension RuleVerifier {
    /// The integer types tier 1 runs on.
    static let integerTypes: [IRType] = [.i8, .i16, .i32, .i64]

    /// The variants of `rule` at `type`.
    static func variants(_ rule: LoweringRule, _ type: IRType) -> [RuleVariant] {
        let info = rule.opcode.info
        let isMemory = info.canLoad || info.canStore
        var typeChoices: [[IRType]] = []
        for (index, operand) in info.operands.enumerated() {
            if index < rule.pattern.count && rule.pattern[index] == .comparison {
                // The fused icmp's operand type is varied below (`comparedTypes`).
                typeChoices.append([.i8])
                continue
            }
            if let fixed = operand.resolve(controlling: type) {
                typeChoices.append([fixed])
                continue
            }
            let isAddress = isMemory && index == info.operands.count - 1
            if isAddress {
                typeChoices.append([.i64])
                continue
            }
            // A bitcast between integers keeps the width.
            let sameWidthOnly = rule.opcode == .bitcast
            typeChoices.append(integerTypes.filter {
                operand.accepts($0, controlling: type) && (!sameWidthOnly || $0 == type)
            })
        }
        var operandLists: [[IRType]] = [[]]
        for choices in typeChoices {
            operandLists = operandLists.flatMap { prefix in choices.map { prefix + [$0] } }
        }
        let results = info.results.compactMap { $0.resolve(controlling: type) }
        var variants: [RuleVariant] = []
        for operandTypes in operandLists {
            let base = RuleVariant(operandTypes: operandTypes, resultTypes: results)
            var expanded: [RuleVariant] = [base]
            if let comparisonOperand = rule.pattern.firstIndex(of: .comparison) {
                expanded = integerTypes.flatMap { compared in
                    allConditions.flatMap { condition in
                        [false, true].map { immediate in
                            var variant = base
                            variant.comparedTypes[comparisonOperand] = compared
                            variant.operandTypes[comparisonOperand] = compared
                            variant.intCC = condition
                            variant.comparisonImmediate = immediate
                            return variant
                        }
                    }
                }
            } else if rule.opcode == .icmp {
                expanded = allConditions.map { condition in
                    var variant = base
                    variant.intCC = condition
                    return variant
                }
            }
            if isMemory {
                expanded = expanded.flatMap { variant in
                    [MemFlags.Endianness.little, .big].map { order in
                        var flipped = variant
                        flipped.memoryFlags.endianness = order
                        return flipped
                    }
                }
            }
            if rule.opcode == .br_table { expanded = expanded.map { var v = $0; v.edgeCount = 4; return v } }
            if rule.opcode == .jump { expanded = expanded.map { var v = $0; v.edgeCount = 1; return v } }
            if rule.opcode == .return { expanded = returnVariants() }
            variants += expanded
        }
        return variants
    }

    /// `return` of register values, plain and extended (`uext`/`sext` must extend to
    /// 64 bits), of nothing, and of more values than the return registers hold (the
    /// rest through the caller's return area), on both conventions.
    static func returnVariants() -> [RuleVariant] {
        let lists: [[AbiParam]] = [
            [],
            [AbiParam(.i8), AbiParam(.i64)],
            [AbiParam(.i16, extension_: .sext), AbiParam(.i32, extension_: .uext)],
            [AbiParam(.i8, extension_: .uext), AbiParam(.i8, extension_: .sext)],
            [AbiParam(.i32, extension_: .sext), AbiParam(.i16, extension_: .uext)],
            [AbiParam(.i64), AbiParam(.i32), AbiParam(.i8), AbiParam(.i16, extension_: .sext),
             AbiParam(.i64), AbiParam(.i32, extension_: .uext)],
        ]
        return [CallConv.systemV, .windowsFastcall].flatMap { callConv in
            lists.compactMap { returns -> RuleVariant? in
                let signature = Signature(returns: returns, callConv: callConv)
                guard let convention = try? CallingConvention.forCallConv(callConv),
                      let layout = try? ABISignature(signature, convention: convention) else { return nil }
                var variant = RuleVariant(operandTypes: returns.map(\.type), resultTypes: [])
                variant.returnSignature = layout
                return variant
            }
        }
    }

    static let allConditions: [IntCC] = [.eq, .ne, .slt, .sge, .sgt, .sle, .ult, .uge, .ugt, .ule]

    /// The constants the emitter of `rule` reads.
    static func constantSlots(_ rule: LoweringRule, _ variant: RuleVariant) -> [ConstantSlot] {
        var slots: [ConstantSlot] = []
        if rule.opcode == .iconst, let type = variant.resultTypes.first { slots.append(.value(operand: 0, type: type)) }
        for (operand, shape) in rule.pattern.enumerated() {
            switch shape {
            case .constant:
                slots.append(.value(operand: operand, type: variant.operandTypes[operand]))
            case .stackAddress, .basePlusConstant:
                slots.append(.displacement(operand: operand))
            case .comparison:
                if variant.comparisonImmediate, let compared = variant.comparedTypes[operand] {
                    slots.append(.comparisonRight(operand: operand, type: compared))
                }
            case .register, .basePlusIndex, .float, .floatComparison, .pair, .lowBits, .wideComparison:
                break
            }
        }
        let info = rule.opcode.info
        if info.canLoad || info.canStore || rule.opcode == .stack_addr { slots.append(.offset) }
        return slots
    }
}
