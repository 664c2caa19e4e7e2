import EgretIR

/// What a call produced, as a program sees it: returned values, or a trap with its
/// code. A trap is a result, not an error; bugs and limits are thrown
/// (`InterpreterError`).
public enum CallOutcome: Hashable, Sendable, CustomStringConvertible {
    case values([DataValue])
    case trap(TrapCode)

    public var description: String {
        switch self {
        case .values(let values):
            return values.count == 1 ? values[0].description
                : "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .trap(let code):
            return "trap \(code)"
        }
    }
}

/// Why the interpreter could not produce an outcome.
public enum InterpreterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The program uses an opcode or type the interpreter does not model yet.
    case unsupported(feature: String, function: String, location: SourceLocation?)
    /// The step budget ran out (the program may loop forever).
    case outOfFuel(steps: Int)
    /// Invalid input reached execution (the verifier should have caught it): a bug in
    /// Egret or an unverified function.
    case invalidProgram(String, function: String, location: SourceLocation?)

    public var description: String {
        switch self {
        case .unsupported(let feature, let function, let location):
            return "\(location.map { "\($0): " } ?? "")unsupported: \(feature) in %\(function)"
        case .outOfFuel(let steps):
            return "out of fuel after \(steps) steps"
        case .invalidProgram(let message, let function, let location):
            return "\(location.map { "\($0): " } ?? "")invalid program in %\(function): \(message)"
        }
    }
}
