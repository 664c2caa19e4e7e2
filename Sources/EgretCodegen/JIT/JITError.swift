import EgretIR

/// Everything that can go wrong in the JIT that is *not* a program trap: a bug in Egret
/// (code generation, linking, a misused API) or an environment failure (no memory).
///
/// A program trap is never one of these: it comes back as `CallResult.trapped`. And a
/// hardware fault that the trap tables do not explain is never turned into a trap
/// code: it is `faultWithoutTrapRecord`, a bug in the code generator, reported with
/// the signal, the PC and the function and offset it happened at.
public enum JITError: Error, Hashable, Sendable, CustomStringConvertible {
    // MARK: Defining and linking

    /// Two definitions (functions or symbols) of one name.
    case duplicateDefinition(ExternalName)
    /// The finished code contradicts itself (a relocation or trap record outside the
    /// bytes, a constant alignment the JIT cannot honour).
    case invalidCode(ExternalName, reason: String)
    /// `function` refers to `symbol` at `offset`, and `symbol` is neither a function of
    /// the module nor in its symbol table.
    case unresolvedSymbol(ExternalName, referencedBy: ExternalName, offset: Int)
    /// A 32-bit PC-relative reference that is not a direct call (so cannot go through a
    /// veneer) and whose target lies more than ±2 GiB away.
    case relocationOutOfRange(ExternalName, referencedBy: ExternalName, offset: Int, distance: Int64)

    // MARK: Memory

    /// The system refused to map `size` bytes of code memory.
    case codeAllocationFailed(size: Int)
    /// The system refused to map a stack of `size` bytes below 4 GiB (`JITStack`).
    case lowStackUnavailable(Int)
    /// The system refused to map a guarded heap buffer of `size` bytes (`JITHeap`).
    case heapUnavailable(Int)
    /// `mprotect` failed with `errno` while making the code executable.
    case protectionFailed(errno: Int32)
    /// The runtime's table of JIT code ranges is full.
    case codeRangeRegistrationFailed
    /// A region would be too large for 32-bit displacements inside it.
    case regionTooLarge(size: Int)

    // MARK: Calling

    /// No function of that name is defined in the module.
    case unknownFunction(ExternalName)
    /// A handle made by a different module.
    case foreignFunction(JITFunction)
    /// The function is defined but `finalize()` has not placed it yet.
    case notFinalized(ExternalName)
    /// The trampoline's own signature is not `(i64, i64) system_v` with no returns.
    case notATrampoline(ExternalName, Signature)
    /// The call passes `given` arguments to a function that takes `expected`.
    case argumentCountMismatch(ExternalName, expected: Int, given: Int)
    /// Argument `index` has type `given`; the signature says `expected`.
    case argumentTypeMismatch(ExternalName, index: Int, expected: IRType, given: IRType)
    /// The runtime could not install its signal handlers or alternate signal stack.
    case guardedCallUnavailable

    // MARK: Faults that are bugs

    /// A hardware fault inside this module's code at an instruction without a trap
    /// record (and not a stack overflow): Egret generated a faulting instruction the
    /// program did not ask for.
    case faultWithoutTrapRecord(JITFault)
    /// A hardware fault outside this module's code: in no compiled code at all (a
    /// jump or call to a wild address), or in another module's.
    case faultOutsideModule(JITFault)

    public var description: String {
        switch self {
        case .duplicateDefinition(let name):
            return "\(name) is defined twice"
        case .invalidCode(let name, let reason):
            return "invalid code for \(name): \(reason)"
        case .unresolvedSymbol(let symbol, let function, let offset):
            return "unresolved symbol \(symbol) referenced by \(function)+0x\(String(offset, radix: 16))"
        case .relocationOutOfRange(let symbol, let function, let offset, let distance):
            return "\(symbol) is \(distance) bytes from \(function)+0x\(String(offset, radix: 16)), "
                + "out of range of a 32-bit PC-relative reference that is not a call"
        case .codeAllocationFailed(let size):
            return "could not map \(size) bytes of code memory"
        case .lowStackUnavailable(let size):
            return "could not map a \(size)-byte stack below 4 GiB for code with 32-bit pointers"
        case .heapUnavailable(let size):
            return "could not map a \(size)-byte heap buffer with guard pages"
        case .protectionFailed(let errno):
            return "could not make code memory executable (errno \(errno))"
        case .codeRangeRegistrationFailed:
            return "the runtime's table of JIT code ranges is full"
        case .regionTooLarge(let size):
            return "a code region of \(size) bytes is too large for 32-bit displacements"
        case .unknownFunction(let name):
            return "no function \(name) in the module"
        case .foreignFunction(let function):
            return "function handle #\(function.index) belongs to another module"
        case .notFinalized(let name):
            return "\(name) is not finalized yet"
        case .notATrampoline(let name, let signature):
            return "\(name) has signature \(signature), not a trampoline's (i64, i64) with no returns"
        case .argumentCountMismatch(let name, let expected, let given):
            return "\(name) takes \(expected) arguments, \(given) given"
        case .argumentTypeMismatch(let name, let index, let expected, let given):
            return "argument \(index) of \(name) must be \(expected), \(given) given"
        case .guardedCallUnavailable:
            return "the runtime could not prepare a guarded call (signal handlers or alternate stack)"
        case .faultWithoutTrapRecord(let fault):
            return "bug in code generation: \(fault) at an instruction without a trap record"
        case .faultOutsideModule(let fault):
            return fault.outsideCompiledCode ? "\(fault)" : "\(fault) in JIT code outside this module"
        }
    }
}
