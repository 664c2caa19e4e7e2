import CZ3

/// Division terms built so that the solver never compares two different division
/// circuits. Bit-blasted division is expensive, and proving that a 32-bit divide of
/// sign-extended 16-bit values equals a 16-bit divide does not finish in seconds;
/// these rewrites, each an identity of the SMT-LIB operations, make both sides the
/// same narrow divide instead:
///
///     x / ite(c, a, b)          = ite(c, x / a, x / b)
///     sext(a) srem sext(b)      = sext(a srem b)
///     sext(a) sdiv sext(b)      = a = MIN ∧ b = -1 ? 2^(k-1) : sext(a sdiv b)
///     zext(a) urem zext(b)      = zext(a urem b)
///     zext(a) udiv zext(b)      = b = 0 ? all ones : zext(a udiv b)
///
/// (k is the narrow width; the division-by-zero results follow SMT-LIB, which the
/// specs never rely on: every zero divisor is a trap on both sides.)
enum Z3Division {
    enum Kind {
        case unsignedQuotient, unsignedRemainder, signedQuotient, signedRemainder

        var isSigned: Bool { self == .signedQuotient || self == .signedRemainder }
    }

    static func divide(_ dividend: BitVector, _ divisor: BitVector, _ kind: Kind) -> BitVector {
        let context = dividend.context
        if let (condition, then, otherwise) = selection(divisor) {
            return condition.select(divide(dividend, then, kind), divide(dividend, otherwise, kind))
        }
        if let (condition, then, otherwise) = selection(dividend) {
            return condition.select(divide(then, divisor, kind), divide(otherwise, divisor, kind))
        }
        let extensionKind = kind.isSigned ? Z3_OP_SIGN_EXT : Z3_OP_ZERO_EXT
        if let a = argument(of: dividend, kind: extensionKind), let b = argument(of: divisor, kind: extensionKind),
           a.width == b.width, a.width < dividend.width {
            let narrow = divide(a, b, kind)
            let width = dividend.width
            switch kind {
            case .signedRemainder:
                return narrow.signExtended(to: width)
            case .unsignedRemainder:
                return narrow.zeroExtended(to: width)
            case .signedQuotient:
                let overflow = a == a.constant(1 << UInt64(a.width - 1)) && b == b.constant(signed: -1)
                return overflow.select(context.bitVector(1 << UInt64(a.width - 1), width: width),
                                       narrow.signExtended(to: width))
            case .unsignedQuotient:
                return b.isZero.select(context.bitVector(signed: -1, width: width), narrow.zeroExtended(to: width))
            }
        }
        return dividend.rawDivide(divisor, kind)
    }

    /// The declaration kind of an application term, nil for other terms.
    private static func declarationKind(_ term: BitVector) -> Z3_decl_kind? {
        let raw = term.context.raw
        guard Z3_get_ast_kind(raw, term.ast) == Z3_APP_AST, let app = Z3_to_app(raw, term.ast),
              let declaration = Z3_get_app_decl(raw, app) else { return nil }
        return Z3_get_decl_kind(raw, declaration)
    }

    private static func arguments(_ term: BitVector) -> [Z3_ast] {
        let raw = term.context.raw
        guard let app = Z3_to_app(raw, term.ast) else { return [] }
        let count = Z3_get_app_num_args(raw, app)
        var result: [Z3_ast] = []
        for index in 0 ..< count {
            if let argument = Z3_get_app_arg(raw, app, index) { result.append(argument) }
        }
        return result
    }

    private static func bitVectorWidth(_ context: Z3Context, _ ast: Z3_ast) -> Int {
        Int(Z3_get_bv_sort_size(context.raw, Z3_get_sort(context.raw, ast)))
    }

    /// The operand of an extension of kind `kind`.
    private static func argument(of term: BitVector, kind: Z3_decl_kind) -> BitVector? {
        guard declarationKind(term) == kind, let inner = arguments(term).first else { return nil }
        return BitVector(term.context, inner, width: bitVectorWidth(term.context, inner))
    }

    /// `ite(c, a, b)` as its parts.
    private static func selection(_ term: BitVector) -> (Boolean, BitVector, BitVector)? {
        guard declarationKind(term) == Z3_OP_ITE else { return nil }
        let parts = arguments(term)
        guard parts.count == 3 else { return nil }
        return (Boolean(term.context, parts[0]), BitVector(term.context, parts[1], width: term.width),
                BitVector(term.context, parts[2], width: term.width))
    }

    /// The operand of a sign or zero extension, and whether it is a sign extension.
    static func extensionOperand(_ term: BitVector) -> (BitVector, Bool)? {
        guard let kind = declarationKind(term), kind == Z3_OP_SIGN_EXT || kind == Z3_OP_ZERO_EXT,
              let inner = arguments(term).first else { return nil }
        return (BitVector(term.context, inner, width: bitVectorWidth(term.context, inner)), kind == Z3_OP_SIGN_EXT)
    }

    /// The part of an extension or concatenation that holds its low bits.
    static func lowPart(_ term: BitVector) -> BitVector? {
        guard let kind = declarationKind(term) else { return nil }
        switch kind {
        case Z3_OP_SIGN_EXT, Z3_OP_ZERO_EXT:
            guard let inner = arguments(term).first else { return nil }
            return BitVector(term.context, inner, width: bitVectorWidth(term.context, inner))
        case Z3_OP_CONCAT:
            let parts = arguments(term)
            guard parts.count == 2 else { return nil }
            return BitVector(term.context, parts[1], width: bitVectorWidth(term.context, parts[1]))
        default:
            return nil
        }
    }
}
