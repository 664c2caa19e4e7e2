import CZ3

/// A bit-vector term of a fixed width, owned by its context. Operations on two terms
/// require equal widths (a mismatch is a bug in a spec; Z3 reports it and the
/// context's `check()` throws).
///
/// Arithmetic is modular; the names say how an operation reads its operands
/// (`ult` unsigned, `slt` signed, `udiv`/`sdiv` as SMT-LIB: division by zero is
/// all ones / ±1, `urem` by zero is the dividend — specs guard every such case).
public struct BitVector {
    public let context: Z3Context
    let ast: Z3_ast
    public let width: Int

    init(_ context: Z3Context, _ ast: Z3_ast, width: Int) {
        self.context = context
        self.ast = ast
        self.width = width
    }

    @inline(__always) private func binary(_ other: BitVector, _ name: String,
                                          _ make: (Z3_context?, Z3_ast?, Z3_ast?) -> Z3_ast?) -> BitVector {
        if other.width != width { context.noteFailure("\(name) of widths \(width) and \(other.width)") }
        return BitVector(context, context.term(make(context.raw, ast, other.ast), name), width: width)
    }

    @inline(__always) private func comparison(_ other: BitVector, _ name: String,
                                              _ make: (Z3_context?, Z3_ast?, Z3_ast?) -> Z3_ast?) -> Boolean {
        if other.width != width { context.noteFailure("\(name) of widths \(width) and \(other.width)") }
        return Boolean(context, context.term(make(context.raw, ast, other.ast), name))
    }

    /// The numeral `value` at this term's width.
    public func constant(_ value: UInt64) -> BitVector { context.bitVector(value, width: width) }
    public func constant(signed value: Int64) -> BitVector { context.bitVector(signed: value, width: width) }

    // MARK: Arithmetic and logic

    public static func + (lhs: BitVector, rhs: BitVector) -> BitVector { lhs.binary(rhs, "bvadd", Z3_mk_bvadd) }
    public static func - (lhs: BitVector, rhs: BitVector) -> BitVector { lhs.binary(rhs, "bvsub", Z3_mk_bvsub) }
    /// A product; by a numeral with few set bits, the sum of the shifted factor (an
    /// identity that spares the solver a multiplier circuit, as in the SWAR popcount's
    /// multiply by 0x0101…01).
    public static func * (lhs: BitVector, rhs: BitVector) -> BitVector {
        if lhs.width == rhs.width, rhs.numeral == nil, lhs.numeral != nil { return rhs * lhs }
        if lhs.width == rhs.width, let constant = rhs.numeral ?? rhs.simplified().numeral, constant.nonzeroBitCount <= 8 {
            var sum = lhs.constant(0)
            var remaining = constant
            while remaining != 0 {
                let shift = remaining.trailingZeroBitCount
                sum = sum + lhs.shl(lhs.constant(UInt64(shift)))
                remaining &= remaining - 1
            }
            return sum
        }
        return lhs.binary(rhs, "bvmul", Z3_mk_bvmul)
    }
    public static func & (lhs: BitVector, rhs: BitVector) -> BitVector { lhs.binary(rhs, "bvand", Z3_mk_bvand) }
    public static func | (lhs: BitVector, rhs: BitVector) -> BitVector { lhs.binary(rhs, "bvor", Z3_mk_bvor) }
    public static func ^ (lhs: BitVector, rhs: BitVector) -> BitVector { lhs.binary(rhs, "bvxor", Z3_mk_bvxor) }
    public static prefix func ~ (operand: BitVector) -> BitVector {
        BitVector(operand.context, operand.context.term(Z3_mk_bvnot(operand.context.raw, operand.ast), "bvnot"),
                  width: operand.width)
    }
    public static prefix func - (operand: BitVector) -> BitVector {
        BitVector(operand.context, operand.context.term(Z3_mk_bvneg(operand.context.raw, operand.ast), "bvneg"),
                  width: operand.width)
    }

    // Division goes through `Z3Division`, which rewrites a divide of extended or
    // selected operands into narrower divides (identities of the SMT-LIB operations):
    // the solver never has to prove two different division circuits equal.
    public func udiv(_ other: BitVector) -> BitVector { Z3Division.divide(self, other, .unsignedQuotient) }
    public func urem(_ other: BitVector) -> BitVector { Z3Division.divide(self, other, .unsignedRemainder) }
    public func sdiv(_ other: BitVector) -> BitVector { Z3Division.divide(self, other, .signedQuotient) }
    /// The remainder with the dividend's sign (SMT-LIB `bvsrem`).
    public func srem(_ other: BitVector) -> BitVector { Z3Division.divide(self, other, .signedRemainder) }

    func rawDivide(_ other: BitVector, _ kind: Z3Division.Kind) -> BitVector {
        switch kind {
        case .unsignedQuotient: return binary(other, "bvudiv", Z3_mk_bvudiv)
        case .unsignedRemainder: return binary(other, "bvurem", Z3_mk_bvurem)
        case .signedQuotient: return binary(other, "bvsdiv", Z3_mk_bvsdiv)
        case .signedRemainder: return binary(other, "bvsrem", Z3_mk_bvsrem)
        }
    }
    /// Shifts by `other` read as unsigned; counts ≥ width give 0 (or all sign bits).
    public func shl(_ other: BitVector) -> BitVector { binary(other, "bvshl", Z3_mk_bvshl) }
    public func lshr(_ other: BitVector) -> BitVector { binary(other, "bvlshr", Z3_mk_bvlshr) }
    public func ashr(_ other: BitVector) -> BitVector { binary(other, "bvashr", Z3_mk_bvashr) }
    public func rotateLeft(_ other: BitVector) -> BitVector { binary(other, "rotl", Z3_mk_ext_rotate_left) }
    public func rotateRight(_ other: BitVector) -> BitVector { binary(other, "rotr", Z3_mk_ext_rotate_right) }

    // MARK: Comparisons

    public static func == (lhs: BitVector, rhs: BitVector) -> Boolean { lhs.comparison(rhs, "eq", Z3_mk_eq) }
    public static func != (lhs: BitVector, rhs: BitVector) -> Boolean { !(lhs == rhs) }
    public func ult(_ other: BitVector) -> Boolean { comparison(other, "bvult", Z3_mk_bvult) }
    public func ule(_ other: BitVector) -> Boolean { comparison(other, "bvule", Z3_mk_bvule) }
    public func ugt(_ other: BitVector) -> Boolean { comparison(other, "bvugt", Z3_mk_bvugt) }
    public func uge(_ other: BitVector) -> Boolean { comparison(other, "bvuge", Z3_mk_bvuge) }
    public func slt(_ other: BitVector) -> Boolean { comparison(other, "bvslt", Z3_mk_bvslt) }
    public func sle(_ other: BitVector) -> Boolean { comparison(other, "bvsle", Z3_mk_bvsle) }
    public func sgt(_ other: BitVector) -> Boolean { comparison(other, "bvsgt", Z3_mk_bvsgt) }
    public func sge(_ other: BitVector) -> Boolean { comparison(other, "bvsge", Z3_mk_bvsge) }
    public var isZero: Boolean { self == constant(0) }

    // MARK: Widths

    /// Bits `high` down to `low`, inclusive.
    public func extract(_ high: Int, _ low: Int) -> BitVector {
        BitVector(context, context.term(Z3_mk_extract(context.raw, UInt32(high), UInt32(low), ast), "extract"),
                  width: high - low + 1)
    }

    /// The low `bits` bits (the term itself when it is that wide). The low bits of an
    /// extension or concatenation whose low part is wide enough are taken from that
    /// part directly, which keeps register terms small.
    public func low(_ bits: Int) -> BitVector {
        if bits == width { return self }
        if let (inner, signed) = Z3Division.extensionOperand(self), inner.width < bits {
            return signed ? inner.signExtended(to: bits) : inner.zeroExtended(to: bits)
        }
        if let inner = Z3Division.lowPart(self), inner.width >= bits { return inner.low(bits) }
        return extract(bits - 1, 0)
    }

    /// The bit `index` as a Boolean.
    public func bit(_ index: Int) -> Boolean { extract(index, index) == context.bitVector(1, width: 1) }

    public var signBit: Boolean { bit(width - 1) }

    public func zeroExtended(to bits: Int) -> BitVector {
        if bits == width { return self }
        if bits < width { return low(bits) }
        return BitVector(context, context.term(Z3_mk_zero_ext(context.raw, UInt32(bits - width), ast), "zero_ext"),
                         width: bits)
    }

    public func signExtended(to bits: Int) -> BitVector {
        if bits == width { return self }
        if bits < width { return low(bits) }
        return BitVector(context, context.term(Z3_mk_sign_ext(context.raw, UInt32(bits - width), ast), "sign_ext"),
                         width: bits)
    }

    /// `high` above `self`: `concat(high, self)`.
    public func below(_ high: BitVector) -> BitVector {
        BitVector(context, context.term(Z3_mk_concat(context.raw, high.ast, ast), "concat"),
                  width: width + high.width)
    }

    /// The term with bits `low ..< low + part.width` replaced by `part`.
    public func replacing(bitsFrom low: Int, with part: BitVector) -> BitVector {
        var result = part
        if low > 0 { result = extract(low - 1, 0).below(result) }
        let top = low + part.width
        if top < width { result = result.below(extract(width - 1, top)) }
        return result
    }

    /// Z3's simplification of the term (a numeral when every input is one).
    public func simplified() -> BitVector {
        BitVector(context, context.term(Z3_simplify(context.raw, ast), "simplify"), width: width)
    }

    /// The value of a numeral term (after simplification), or nil if it is not one.
    public var numeral: UInt64? {
        guard width <= 64 else { return nil }
        var value: UInt64 = 0
        guard Z3_is_numeral_ast(context.raw, ast), Z3_get_numeral_uint64(context.raw, ast, &value) else { return nil }
        return value
    }

    /// Whether two terms are the same term (Z3 shares equal terms).
    public func isIdentical(to other: BitVector) -> Bool { ast == other.ast }

    /// The term with the variables `from` replaced by the terms `to`.
    public func substituting(_ from: [BitVector], _ to: [BitVector]) -> BitVector {
        let sources: [Z3_ast?] = from.map { $0.ast }
        let targets: [Z3_ast?] = to.map { $0.ast }
        return BitVector(context, context.term(Z3_substitute(context.raw, ast, UInt32(sources.count), sources, targets),
                                               "substitute"), width: width)
    }
}

/// A Boolean term.
public struct Boolean {
    public let context: Z3Context
    let ast: Z3_ast

    init(_ context: Z3Context, _ ast: Z3_ast) {
        self.context = context
        self.ast = ast
    }

    public static prefix func ! (operand: Boolean) -> Boolean {
        Boolean(operand.context, operand.context.term(Z3_mk_not(operand.context.raw, operand.ast), "not"))
    }
    public static func && (lhs: Boolean, rhs: Boolean) -> Boolean { lhs.context.all([lhs, rhs]) }
    public static func || (lhs: Boolean, rhs: Boolean) -> Boolean { lhs.context.any([lhs, rhs]) }
    public static func == (lhs: Boolean, rhs: Boolean) -> Boolean {
        Boolean(lhs.context, lhs.context.term(Z3_mk_eq(lhs.context.raw, lhs.ast, rhs.ast), "iff"))
    }
    public static func != (lhs: Boolean, rhs: Boolean) -> Boolean { !(lhs == rhs) }
    public static func ^ (lhs: Boolean, rhs: Boolean) -> Boolean {
        Boolean(lhs.context, lhs.context.term(Z3_mk_xor(lhs.context.raw, lhs.ast, rhs.ast), "xor"))
    }

    public func implies(_ other: Boolean) -> Boolean {
        Boolean(context, context.term(Z3_mk_implies(context.raw, ast, other.ast), "implies"))
    }

    /// `then` if this holds, else `otherwise`.
    public func select(_ then: BitVector, _ otherwise: BitVector) -> BitVector {
        if then.width != otherwise.width { context.noteFailure("ite of widths \(then.width) and \(otherwise.width)") }
        return BitVector(context, context.term(Z3_mk_ite(context.raw, ast, then.ast, otherwise.ast), "ite"),
                         width: then.width)
    }

    public func select(_ then: Boolean, _ otherwise: Boolean) -> Boolean {
        Boolean(context, context.term(Z3_mk_ite(context.raw, ast, then.ast, otherwise.ast), "ite"))
    }

    public func select(_ then: Memory, _ otherwise: Memory) -> Memory {
        Memory(context, context.term(Z3_mk_ite(context.raw, ast, then.ast, otherwise.ast), "ite"))
    }

    /// 1 or 0 in `width` bits.
    public func asBit(width: Int = 1) -> BitVector {
        select(context.bitVector(1, width: width), context.bitVector(0, width: width))
    }

    public func isIdentical(to other: Boolean) -> Bool { ast == other.ast }

    public func simplified() -> Boolean {
        Boolean(context, context.term(Z3_simplify(context.raw, ast), "simplify"))
    }

    /// true/false for a literal (after simplification), nil otherwise.
    public var literal: Bool? {
        switch Z3_get_bool_value(context.raw, ast) {
        case Z3_L_TRUE: return true
        case Z3_L_FALSE: return false
        default: return nil
        }
    }

    public func substituting(_ from: [BitVector], _ to: [BitVector]) -> Boolean {
        let sources: [Z3_ast?] = from.map { $0.ast }
        let targets: [Z3_ast?] = to.map { $0.ast }
        return Boolean(context, context.term(Z3_substitute(context.raw, ast, UInt32(sources.count), sources, targets),
                                             "substitute"))
    }
}

/// Byte-addressed memory: an SMT array from 64-bit addresses to bytes.
public struct Memory {
    public let context: Z3Context
    let ast: Z3_ast

    init(_ context: Z3Context, _ ast: Z3_ast) {
        self.context = context
        self.ast = ast
    }

    public func byte(at address: BitVector) -> BitVector {
        BitVector(context, context.term(Z3_mk_select(context.raw, ast, address.ast), "select"), width: 8)
    }

    public func storing(byte value: BitVector, at address: BitVector) -> Memory {
        Memory(context, context.term(Z3_mk_store(context.raw, ast, address.ast, value.ast), "store"))
    }

    /// `bytes` bytes at `address`, little-endian.
    public func load(_ bytes: Int, at address: BitVector) -> BitVector {
        var value = byte(at: address)
        for index in 1 ..< max(bytes, 1) {
            value = value.below(byte(at: address + address.constant(UInt64(index))))
        }
        return value
    }

    /// The memory with the low `bytes` bytes of `value` written at `address`,
    /// little-endian.
    public func storing(_ bytes: Int, of value: BitVector, at address: BitVector) -> Memory {
        var memory = self
        for index in 0 ..< bytes {
            memory = memory.storing(byte: value.extract(index * 8 + 7, index * 8),
                                    at: address + address.constant(UInt64(index)))
        }
        return memory
    }

    public func isIdentical(to other: Memory) -> Bool { ast == other.ast }

    public static func == (lhs: Memory, rhs: Memory) -> Boolean {
        Boolean(lhs.context, lhs.context.term(Z3_mk_eq(lhs.context.raw, lhs.ast, rhs.ast), "eq"))
    }
}

/// An uninterpreted predicate (for example "an access of n bytes at a faults").
public struct Predicate {
    public let context: Z3Context
    let declaration: Z3_func_decl?
    public let arity: Int

    init(_ context: Z3Context, _ declaration: Z3_func_decl?, arity: Int) {
        self.context = context
        self.declaration = declaration
        self.arity = arity
        if declaration == nil { context.noteFailure("function declaration") }
    }

    public func callAsFunction(_ arguments: BitVector...) -> Boolean {
        let asts: [Z3_ast?] = arguments.map { $0.ast }
        return Boolean(context, context.term(Z3_mk_app(context.raw, declaration, UInt32(asts.count), asts), "apply"))
    }
}
