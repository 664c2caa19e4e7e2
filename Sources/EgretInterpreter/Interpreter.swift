import EgretIR

/// Egret's reference interpreter: it *defines* what every CLIF opcode means for Egret.
/// The definitions follow Cranelift's documented semantics (the instruction docs in
/// `cranelift/codegen/meta/src/shared/instructions.rs`); where Cranelift's own
/// interpreter or backend disagrees with the documentation, the documentation wins.
///
///     Module ──FunctionDecoder──▶ DecodedProgram ──Machine/Execution──▶ CallOutcome
///            (once, in init)     flat [MicroInstruction],              .values / .trap
///                                targets, moves, call sites            or a thrown
///                                                                      InterpreterError
///
/// - **Decoding** (`Decoder/`): each function is checked against the opcode table and
///   turned into 32-byte micro-instructions whose operands are register numbers (a
///   value's number is its register) and whose branches are indices. Anything the
///   interpreter does not model, or that is malformed, becomes a `fail` instruction, so
///   the error is raised only if execution reaches it.
/// - **Execution** (`Machine/`): one loop dispatches micro-instructions over the
///   registers of the current frame. Calls push frames on the interpreter's own stack,
///   never the host's; tail calls replace the frame. Each frame is charged against the
///   stack budget (`StackBudget`, shared with compiled code); a call that would pass
///   it traps with `stk_ovf`.
/// - **Semantics** (`Semantics/`): the arithmetic itself, as small pure functions:
///   `NarrowInteger` (i8 … i64), `WideInteger` (i128), `FloatSemantics` (f32, f64).
/// - **Memory** (`AddressSpace`): the heap buffer and the stack slots of live frames at
///   distinct virtual addresses (see `AddressMap`); loads and stores outside them trap.
///
/// Three kinds of outcome stay apart: a program's trap is a result
/// (`.trap(.integerDivisionByZero)`, `.trap(.stackOverflow)` for a program that needs
/// more stack than the budget); running out of fuel, using an unsupported feature or
/// executing an invalid instruction is a thrown `InterpreterError`; nothing a program
/// does crashes the host.
///
/// Supported: integers i8 … i128, f32 and f64, every scalar opcode of tiers 1 and 2
/// (arithmetic, bits, comparisons, conversions, control flow, stack slots, loads and
/// stores of every width and byte order, calls, indirect and tail calls, atomics and
/// fences). Not supported (thrown as `unsupported`, naming the feature): SIMD types and
/// opcodes, f16 and f128, exceptions (`try_call`), dynamic vectors and stack slots,
/// global values and symbols, the pinned register, frame/stack-pointer queries,
/// `debugtrap`, `stack_switch`, and calls to functions outside the module other than
/// the float libcalls (`%CeilF32` … `%FmaF64`, run as the operations they stand for).
public struct Interpreter {
    /// The steps one `call` may take (each IR instruction of each block entered counts
    /// one); running out throws `InterpreterError.outOfFuel`.
    public var fuel: Int = 10_000_000
    /// The caller-supplied heap: addressable at `heapBaseAddress`, read and written by
    /// the program's loads and stores, and left here with its final contents.
    public var heap: [UInt8] = []
    /// The bytes of stack the live frames may use together (the outermost call
    /// included), each frame charged `frameOverhead` plus its stack slots; a call that
    /// would pass it traps with `stk_ovf`. `StackBudget.bytes`, the stack compiled code
    /// runs on, unless a test asks for less.
    public var stackBudget: Int = StackBudget.bytes

    /// What every frame costs of the stack budget besides its stack slots: what a
    /// compiled frame of a small function holds — the return address, the saved rbp,
    /// a few callee-saved registers or spill slots, alignment — so that recursion
    /// overflows the interpreter's budget at about the depth it overflows the JIT's
    /// stack. (A compiled leaf with nothing to save needs 16 bytes, a function with
    /// many values live across calls more; 64 is the typical frame of a recursive
    /// function.)
    public static let frameOverhead = 64

    private let program: DecodedProgram
    private var machine: Machine

    /// Decodes every function of `module`. Never fails for a bad module: problems are
    /// reported when the offending instruction would run.
    public init(module: Module) throws {
        program = DecodedProgram(module: module)
        machine = Machine()
    }

    /// The address a pointer argument should have to point at `heap[0]`.
    public var heapBaseAddress: UInt64 { AddressMap.heapBase }

    /// An `i64` pointer to `heap[offset]`, ready to pass as an argument.
    public func heapPointer(offset: Int = 0) -> DataValue {
        DataValue(type: .i64, low: AddressMap.heapBase &+ UInt64(bitPattern: Int64(offset)))
    }

    /// Calls function `functionIndex` of the module (its index in `Module.functions`)
    /// and runs it to completion.
    ///
    /// - Returns: the returned values (typed by the signature) or the trap.
    /// - Throws: `InterpreterError.invalidProgram` if the arguments do not match the
    ///   signature (count and types) or the program is malformed where it runs;
    ///   `.unsupported` for features the interpreter does not model; `.outOfFuel` when
    ///   the fuel runs out.
    public mutating func call(functionIndex: Int, arguments: [DataValue]) throws -> CallOutcome {
        guard program.functions.indices.contains(functionIndex) else {
            throw InterpreterError.invalidProgram("the module has no function number \(functionIndex)",
                                                  function: "?", location: nil)
        }
        let layout = program.functions[functionIndex]
        if let failure = layout.signatureFailure { throw failure }
        let parameters = layout.signature.params
        guard arguments.count == parameters.count else {
            throw InterpreterError.invalidProgram(
                "called with \(arguments.count) arguments; the signature \(layout.signature) takes \(parameters.count)",
                function: layout.name, location: nil)
        }
        for (position, (argument, parameter)) in zip(arguments, parameters).enumerated()
        where argument.type != parameter.type {
            throw InterpreterError.invalidProgram(
                "argument \(position) has type \(argument.type); the signature \(layout.signature) wants \(parameter.type)",
                function: layout.name, location: nil)
        }
        // Copies of an Interpreter share their machine until one of them calls.
        if !isKnownUniquelyReferenced(&machine) { machine = Machine() }
        let machine = self.machine, program = self.program, fuel = self.fuel, budget = stackBudget
        return try heap.withUnsafeMutableBytes { heapBytes in
            try machine.execute(program, function: functionIndex, arguments: arguments, heap: heapBytes,
                                fuel: fuel, stackBudget: budget)
        }
    }
}
