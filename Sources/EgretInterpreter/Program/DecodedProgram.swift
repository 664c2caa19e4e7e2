import EgretIR

/// A module decoded for execution: the code of every function in one flat array of
/// `MicroInstruction`s, with the side tables that instructions index (branch targets,
/// register moves, call sites, register lists) and what the machine needs to know about
/// each function (`FrameLayout`, `FunctionLayout`).
///
/// Requires: nothing of the module; anything the decoder cannot execute becomes a `fail`
/// instruction (or a failing function entry) that throws only when reached.
/// Guarantees: every register an instruction names is below its function's
/// `registerCount`; every branch target, call site, pool range and code index is in
/// bounds; every block's code ends in a terminator or a `fail`. The machine relies on
/// these facts to index the tables without checks.
///
/// The tables are copied once into memory this object owns, so the machine reads them
/// through plain pointers: no bounds checks, no reference counting in the hot loop.
final class DecodedProgram {
    let code: FrozenTable<MicroInstruction>
    let targets: FrozenTable<BranchTarget>
    let moves: FrozenTable<RegisterMove>
    let callSites: FrozenTable<CallSite>
    /// Register lists: returned values, call arguments and call results.
    let operandPool: FrozenTable<UInt32>
    /// What calls need of each function, in module order (hot: read on every call).
    let frames: FrozenTable<FrameLayout>
    /// Names and signatures of the functions, in module order (cold: for messages and
    /// the checks of an outermost call).
    let functions: [FunctionLayout]
    let stackSlots: FrozenTable<StackSlotLayout>
    /// The errors `fail` instructions throw.
    let failures: [InterpreterError]
    /// The `SignatureShape` id of each `FloatLibcall`, in `allCases` order.
    let libcallSignatureIDs: [Int32]

    init(_ builder: ProgramBuilder) {
        code = FrozenTable(builder.code)
        targets = FrozenTable(builder.targets)
        moves = FrozenTable(builder.moves)
        callSites = FrozenTable(builder.callSites)
        operandPool = FrozenTable(builder.operandPool)
        frames = FrozenTable(builder.frames)
        functions = builder.functions
        stackSlots = FrozenTable(builder.stackSlots)
        failures = builder.failures
        libcallSignatureIDs = builder.libcallSignatureIDs
    }

    /// Decodes every function of `module`.
    convenience init(module: Module) {
        let builder = ProgramBuilder(module: module)
        for index in module.functions.indices {
            var decoder = FunctionDecoder(function: module.functions[index], index: index, program: builder)
            decoder.decode()
        }
        self.init(builder)
    }
}

/// A function's name and signature.
struct FunctionLayout {
    var name: String
    var signature: Signature
    /// Why the function's signature cannot be called, if it cannot (an unsupported type).
    var signatureFailure: InterpreterError?

    init(name: String, signature: Signature) {
        self.name = name
        self.signature = signature
    }
}

/// What a call needs to know about a function: plain numbers, so that reading it costs
/// no reference counting.
struct FrameLayout {
    /// Interned parameter and return types (`SignatureShape`), compared by indirect calls.
    var signatureID: Int32
    /// Where execution starts: the entry block's code, or a `fail` instruction when the
    /// function cannot be entered (no body, unsupported parameter types, entry block
    /// parameters that do not match the signature).
    var entryCodeIndex: Int32 = 0
    /// The number of IR instructions in the entry block.
    var entryFuelCost: Int32 = 1
    /// Registers of one frame: one per value number, then scratch registers.
    var registerCount: Int32 = 1
    /// The entry block's parameter registers, in `operandPool`; empty when the entry fails.
    var parameterStart: Int32 = 0
    var parameterCount: Int32 = 0
    /// The stack slots, in `DecodedProgram.stackSlots`.
    var stackSlotStart: Int32 = 0
    var stackSlotCount: Int32 = 0
    /// Bytes of the frame's stack area and its alignment (a power of two).
    var stackAreaSize: Int = 0
    var stackAreaAlignment: Int = 16
    /// What a call of the function costs of the stack budget: its stack area rounded
    /// to 16 bytes plus `Interpreter.frameOverhead`.
    var frameCost: Int = Interpreter.frameOverhead

    init(signatureID: Int32) {
        self.signatureID = signatureID
    }
}

/// The types of a signature, without calling convention or argument extensions: two
/// signatures with the same shape can call each other's functions in the interpreter.
struct SignatureShape: Hashable {
    var parameters: [IRType]
    var returns: [IRType]

    init(_ signature: Signature) {
        parameters = signature.params.map(\.type)
        returns = signature.returns.map(\.type)
    }
}

/// An immutable array copied into memory owned by this object, read through a pointer.
final class FrozenTable<Element> {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    init(_ elements: [Element]) {
        count = elements.count
        // Allocate at least one element so `base` is always a valid pointer.
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        elements.withUnsafeBufferPointer { source in
            if let start = source.baseAddress {
                base.initialize(from: start, count: count)
            }
        }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// The growing tables of a program being decoded; the function decoders append to it.
final class ProgramBuilder {
    let module: Module
    var code: [MicroInstruction] = []
    var targets: [BranchTarget] = []
    var moves: [RegisterMove] = []
    var callSites: [CallSite] = []
    var operandPool: [UInt32] = []
    var functions: [FunctionLayout] = []
    var frames: [FrameLayout] = []
    var stackSlots: [StackSlotLayout] = []
    var failures: [InterpreterError] = []
    var libcallSignatureIDs: [Int32] = []
    private var shapes: [SignatureShape: Int32] = [:]
    private var functionIndexByName: [ExternalName: Int] = [:]

    init(module: Module) {
        self.module = module
        for (index, function) in module.functions.enumerated() where functionIndexByName[function.name] == nil {
            functionIndexByName[function.name] = index
        }
        functions = module.functions.map { FunctionLayout(name: $0.name.plainName, signature: $0.signature) }
        frames = functions.map { _ in FrameLayout(signatureID: 0) }
        for index in functions.indices {
            frames[index].signatureID = shapeID(of: functions[index].signature)
        }
        libcallSignatureIDs = FloatLibcall.allCases.map { shapeID(of: $0.signature) }
    }

    /// The interned id of a signature's shape.
    func shapeID(of signature: Signature) -> Int32 {
        let shape = SignatureShape(signature)
        if let id = shapes[shape] { return id }
        let id = Int32(shapes.count)
        shapes[shape] = id
        return id
    }

    /// The module's function called `name`, if any.
    func functionIndex(named name: ExternalName) -> Int? { functionIndexByName[name] }

    /// Appends registers to the operand pool; returns where they start.
    func appendOperands(_ registers: [UInt32]) -> Int32 {
        let start = Int32(operandPool.count)
        operandPool.append(contentsOf: registers)
        return start
    }

    /// Records an error for a `fail` instruction; returns its index.
    func appendFailure(_ error: InterpreterError) -> UInt32 {
        failures.append(error)
        return UInt32(failures.count - 1)
    }
}

extension ExternalName {
    /// The name without its `%` sigil, as `InterpreterError` spells function names.
    var plainName: String {
        switch self {
        case .testCase(let name): return name
        case .user(let namespace, let index): return "u\(namespace):\(index)"
        }
    }
}
