import CZ3

/// One Z3 context: the owner of every term, sort and solver made in it.
///
/// Ownership: the context is created with `Z3_mk_context`, in which terms (ASTs) are
/// reference-counted by Z3 itself and freed together with the context; solvers,
/// models and parameter sets are counted explicitly (`Z3_*_inc_ref`/`_dec_ref`) by the
/// Swift classes that wrap them, each of which keeps its context alive. The verifier
/// makes one context per rule × type, so the memory of one proof is released when
/// the next begins: nothing accumulates over a run.
///
/// Errors: Z3's default error handler exits the process. This context installs a
/// handler that does nothing and records the first error code instead; a term
/// constructor that failed (a sort mismatch: a bug in a spec) yields a placeholder
/// and `Z3Context.check()` — called by the solver before every query — throws
/// `SMTError.z3` naming it. No Z3 error is ever silently turned into an answer.
public final class Z3Context {
    let raw: Z3_context
    /// The first error Z3 reported in this context, if any.
    public private(set) var firstError: String?
    private var bitVectorSorts: [Int: Z3_sort] = [:]
    /// The number in the next fresh name. The verifier rewinds it to build two
    /// instances of a rule with the same names, to compare them term for term.
    public var freshNameCounter = 0

    public init() throws {
        guard let config = Z3_mk_config() else { throw SMTError.z3("Z3_mk_config failed") }
        defer { Z3_del_config(config) }
        Z3_set_param_value(config, "model", "true")
        guard let context = Z3_mk_context(config) else { throw SMTError.z3("Z3_mk_context failed") }
        raw = context
        Z3_set_error_handler(context) { _, _ in }
    }

    deinit {
        Z3_del_context(raw)
    }

    /// Throws if any Z3 call of this context failed so far.
    public func check() throws {
        if let error = firstError { throw SMTError.z3(error) }
    }

    /// Records a failure reported by Z3 (a nil result or a non-OK error code).
    func noteFailure(_ what: String) {
        guard firstError == nil else { return }
        let code = Z3_get_error_code(raw)
        let message = Z3_get_error_msg(raw, code).map { String(cString: $0) } ?? "unknown error"
        firstError = "\(what): \(message)"
    }

    /// Wraps a term pointer Z3 returned; nil means the call failed.
    func term(_ pointer: Z3_ast?, _ what: @autoclosure () -> String) -> Z3_ast {
        if let pointer = pointer { return pointer }
        noteFailure(what())
        return Z3_mk_true(raw)
    }

    func bitVectorSort(_ width: Int) -> Z3_sort {
        if let sort = bitVectorSorts[width] { return sort }
        let sort = Z3_mk_bv_sort(raw, UInt32(width))
        guard let made = sort else {
            noteFailure("bit-vector sort of width \(width)")
            return Z3_mk_bool_sort(raw)
        }
        bitVectorSorts[width] = made
        return made
    }

    var booleanSort: Z3_sort { Z3_mk_bool_sort(raw) }

    /// A symbol name unique in this context, derived from `base`.
    func freshName(_ base: String) -> String {
        freshNameCounter += 1
        return "\(base)!\(freshNameCounter)"
    }

    // MARK: Making terms

    /// A bit-vector constant (a free variable) named `name`.
    public func bitVector(_ name: String, width: Int) -> BitVector {
        let symbol = Z3_mk_string_symbol(raw, name)
        return BitVector(self, term(Z3_mk_const(raw, symbol, bitVectorSort(width)), "constant \(name)"), width: width)
    }

    /// A fresh bit-vector variable: an unspecified value (undefined results, upper
    /// bits of narrow values).
    public func freshBitVector(_ base: String, width: Int) -> BitVector {
        bitVector(freshName(base), width: width)
    }

    /// The numeral `value` (its low `width` bits).
    public func bitVector(_ value: UInt64, width: Int) -> BitVector {
        let masked = width >= 64 ? value : value & ((1 << UInt64(width)) - 1)
        if width <= 64 {
            return BitVector(self, term(Z3_mk_unsigned_int64(raw, masked, bitVectorSort(width)), "numeral"),
                             width: width)
        }
        let low = bitVector(masked, width: 64)
        return BitVector(self, term(Z3_mk_zero_ext(raw, UInt32(width - 64), low.ast), "numeral"), width: width)
    }

    /// The numeral `value` as a two's-complement bit-vector of `width` bits.
    public func bitVector(signed value: Int64, width: Int) -> BitVector {
        if width <= 64 { return bitVector(UInt64(bitPattern: value), width: width) }
        return bitVector(UInt64(bitPattern: value), width: 64).signExtended(to: width)
    }

    public func boolean(_ value: Bool) -> Boolean {
        Boolean(self, value ? Z3_mk_true(raw) : Z3_mk_false(raw))
    }

    /// A Boolean variable named `name`.
    public func boolean(_ name: String) -> Boolean {
        let symbol = Z3_mk_string_symbol(raw, name)
        return Boolean(self, term(Z3_mk_const(raw, symbol, booleanSort), "constant \(name)"))
    }

    /// The conjunction of `terms` (true when empty).
    public func all(_ terms: [Boolean]) -> Boolean {
        if terms.isEmpty { return boolean(true) }
        let asts: [Z3_ast?] = terms.map { $0.ast }
        return Boolean(self, term(Z3_mk_and(raw, UInt32(asts.count), asts), "and"))
    }

    /// The disjunction of `terms` (false when empty).
    public func any(_ terms: [Boolean]) -> Boolean {
        if terms.isEmpty { return boolean(false) }
        let asts: [Z3_ast?] = terms.map { $0.ast }
        return Boolean(self, term(Z3_mk_or(raw, UInt32(asts.count), asts), "or"))
    }

    /// A memory: an array from 64-bit addresses to bytes, named `name`.
    public func memory(_ name: String) -> Memory {
        let sort = Z3_mk_array_sort(raw, bitVectorSort(64), bitVectorSort(8))
        let symbol = Z3_mk_string_symbol(raw, name)
        return Memory(self, term(Z3_mk_const(raw, symbol, sort), "memory \(name)"))
    }

    /// An uninterpreted predicate over bit-vectors of the given widths.
    public func predicate(_ name: String, domain widths: [Int]) -> Predicate {
        let sorts: [Z3_sort?] = widths.map { bitVectorSort($0) }
        let symbol = Z3_mk_string_symbol(raw, name)
        let declaration = Z3_mk_func_decl(raw, symbol, UInt32(sorts.count), sorts, booleanSort)
        return Predicate(self, declaration, arity: widths.count)
    }
}

/// A failure of the SMT layer itself (never a verification answer).
public enum SMTError: Error, CustomStringConvertible, Equatable {
    /// Z3 rejected a call: a malformed term, an exhausted resource.
    case z3(String)
    /// A spec or the verifier was asked something it cannot answer (a bug in Egret).
    case internalError(String)

    public var description: String {
        switch self {
        case .z3(let message): return "Z3 error: \(message)"
        case .internalError(let message): return "internal error: \(message)"
        }
    }
}
