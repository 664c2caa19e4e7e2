import CZ3

/// A Z3 solver with a per-query timeout, and the three answers a query can get.
///
/// `prove(claim)` asks whether `claim` holds for every value of its variables: it
/// asserts the negation and checks satisfiability. `unsat` is a proof; `sat` comes
/// with a model (the counterexample); anything else is `unknown` with Z3's reason.
public final class Z3Solver {
    public let context: Z3Context
    private let raw: Z3_solver
    /// Queries this solver has run.
    public private(set) var queryCount = 0

    /// - Parameter timeoutMilliseconds: the budget of one query. The verifier passes
    ///   `Z3Solver.defaultTimeout`.
    public init(_ context: Z3Context, timeoutMilliseconds: UInt32 = Z3Solver.defaultTimeout) throws {
        self.context = context
        // A solver for quantifier-free bit-vectors with arrays and uninterpreted
        // functions (memory and the fault predicate): Z3's logic-specific solver
        // bit-blasts directly, where the general one first tries other theories
        // (a 64-bit signed-divide rule: 0.02 s here against a timeout there).
        let logic = Z3_mk_string_symbol(context.raw, "QF_AUFBV")
        guard let solver = Z3_mk_solver_for_logic(context.raw, logic) else {
            context.noteFailure("Z3_mk_solver")
            throw SMTError.z3(context.firstError ?? "Z3_mk_solver failed")
        }
        raw = solver
        Z3_solver_inc_ref(context.raw, solver)
        if let params = Z3_mk_params(context.raw) {
            Z3_params_inc_ref(context.raw, params)
            Z3_params_set_uint(context.raw, params, Z3_mk_string_symbol(context.raw, "timeout"), timeoutMilliseconds)
            Z3_solver_set_params(context.raw, solver, params)
            Z3_params_dec_ref(context.raw, params)
        }
        try context.check()
    }

    deinit {
        Z3_solver_dec_ref(context.raw, raw)
    }

    /// Thirty seconds. Measured here (release build, 2 cores shared with other
    /// builds): the slowest query of the rule table, the 64-bit SWAR popcount, takes
    /// 3–5 s and the next ones under 1 s, so this leaves a 6× margin for a loaded CI
    /// machine while a query that never finishes still cannot hold a run for long.
    public static let defaultTimeout: UInt32 = 30_000

    /// The answer to "does `claim` hold for all values?".
    public enum Answer {
        case proven
        case counterexample(Z3Model)
        case unknown(reason: String)
    }

    /// Proves `claim` under `assumptions` (each assumed true). Resets the solver first.
    public func prove(_ claim: Boolean, assuming assumptions: [Boolean] = []) throws -> Answer {
        Z3_solver_reset(context.raw, raw)
        for assumption in assumptions { Z3_solver_assert(context.raw, raw, assumption.ast) }
        Z3_solver_assert(context.raw, raw, (!claim).ast)
        try context.check()
        queryCount += 1
        let result = Z3_solver_check(context.raw, raw)
        switch result {
        case Z3_L_FALSE:
            return .proven
        case Z3_L_TRUE:
            guard let model = Z3_solver_get_model(context.raw, raw) else {
                throw SMTError.z3("a satisfiable query without a model")
            }
            return .counterexample(Z3Model(context, model))
        default:
            let reason = Z3_solver_get_reason_unknown(context.raw, raw).map { String(cString: $0) } ?? "unknown"
            return .unknown(reason: reason)
        }
    }

    /// Whether `condition` can hold: a model if it can, nil if it cannot, an error if
    /// Z3 does not know.
    public func satisfy(_ condition: Boolean) throws -> Z3Model? {
        switch try prove(!condition) {
        case .proven: return nil
        case .counterexample(let model): return model
        case .unknown(let reason): throw SMTError.z3("satisfiability unknown: \(reason)")
        }
    }
}

/// A model: values for the variables of a satisfiable query.
public final class Z3Model {
    public let context: Z3Context
    private let raw: Z3_model

    init(_ context: Z3Context, _ raw: Z3_model) {
        self.context = context
        self.raw = raw
        Z3_model_inc_ref(context.raw, raw)
    }

    deinit {
        Z3_model_dec_ref(context.raw, raw)
    }

    /// The value of `term` in this model (variables the model leaves free count as 0).
    public func value(of term: BitVector) throws -> UInt64 {
        guard term.width <= 64 else { throw SMTError.internalError("model value of a \(term.width)-bit term") }
        var evaluated: Z3_ast?
        guard Z3_model_eval(context.raw, raw, term.ast, true, &evaluated), let result = evaluated else {
            throw SMTError.z3("model evaluation failed")
        }
        var value: UInt64 = 0
        guard Z3_get_numeral_uint64(context.raw, result, &value) else {
            throw SMTError.z3("model value is not a numeral")
        }
        return value
    }

    public func value(of term: Boolean) throws -> Bool {
        var evaluated: Z3_ast?
        guard Z3_model_eval(context.raw, raw, term.ast, true, &evaluated), let result = evaluated else {
            throw SMTError.z3("model evaluation failed")
        }
        switch Z3_get_bool_value(context.raw, result) {
        case Z3_L_TRUE: return true
        case Z3_L_FALSE: return false
        default: throw SMTError.z3("model value is not a Boolean literal")
        }
    }
}
