import EgretIR

/// What went wrong in one case, and where: the unit the reducer preserves and the
/// corpus deduplicates on.
public struct FailureSignature: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Compiled code returned other values than the interpreter.
        case valueMismatch = "value-mismatch"
        /// One side trapped and the other returned, or the trap codes differ.
        case trapMismatch = "trap-mismatch"
        /// Both ended alike, but the heap buffer the function received differs.
        case heapMismatch = "heap-mismatch"
        /// The backend threw while compiling (the register-allocation checker included).
        case compileError = "compile-error"
        /// Compiled code faulted where no trap was recorded, or the call failed.
        case executionError = "execution-error"
        /// The backend rejected the module as unsupported although the generator only
        /// uses what it claims to support.
        case unsupported
        /// The generator produced a module the verifier rejects, or one the interpreter
        /// cannot run: a bug in the harness.
        case invalidCase = "invalid-case"
        /// The worker process died (a signal) while running the case.
        case crash
        /// The worker did not answer within the time limit.
        case timeout
    }

    public var kind: Kind
    /// Where: the executor that disagrees (`jit[exchanged]`), for a value or trap
    /// mismatch the instruction it starts at with the rule that lowered it
    /// (`icmp.i32 via icmp_imm`, see CulpritLocator), and the shape of the
    /// disagreement; for an allocation the checker rejected, the instruction and rule
    /// whose code it failed at and the kind of failure (`jit[declared]: iadd.i32 via
    /// iadd: checker: use reads a wrong value`); or the error message with numbers
    /// removed.
    public var location: String

    /// The instruction and rule a value or trap mismatch starts at (`icmp.i32 via
    /// icmp_imm`), or a rejected allocation was found in, also part of `location`; for
    /// other compile errors the opcode their message names; nil when none was found or
    /// for other kinds.
    public var culprit: String?

    public init(kind: Kind, location: String, culprit: String? = nil) {
        self.kind = kind
        self.location = location
        self.culprit = culprit
    }

    public var description: String { "\(kind.rawValue): \(location)" }

    /// A message with its digits and parenthesised details (the instruction text of a
    /// checker error) removed, so that value, register and instruction details do not
    /// split one bug into many signatures.
    public static func normalised(_ message: String) -> String {
        var text = ""
        var lastWasDigit = false
        var depth = 0
        for character in message.prefix(200) {
            if character == "(" { depth += 1 }
            if depth > 0 {
                if character == ")" { depth -= 1 }
                continue
            }
            if character == "\n" { break }
            if character.isNumber {
                if !lastWasDigit { text.append("N") }
                lastWasDigit = true
            } else {
                text.append(character)
                lastWasDigit = false
            }
        }
        // Hexadecimal addresses (`0x7f3a…`, now `NxNfNa…`) become one word; the spaces
        // a removed detail leaves behind collapse, so that `on i8 (in %f1)` and
        // `on i8` stay one signature.
        return text.split(separator: " ", omittingEmptySubsequences: true)
            .map { $0.hasPrefix("Nx") ? "ADDR" : String($0) }
            .joined(separator: " ")
    }
}

/// A failure with the evidence a person needs to see it.
public struct Finding: Sendable, Codable {
    public var signature: FailureSignature
    /// The run line (`%f1(1, -1)`) that showed it, when it is about one input.
    public var input: String?
    public var interpreterResult: String?
    public var compiledResult: String?
    /// A longer explanation (error message, signal).
    public var detail: String

    public init(signature: FailureSignature, input: String? = nil, interpreterResult: String? = nil,
                compiledResult: String? = nil, detail: String) {
        self.signature = signature
        self.input = input
        self.interpreterResult = interpreterResult
        self.compiledResult = compiledResult
        self.detail = detail
    }
}
