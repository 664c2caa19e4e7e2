import EgretIR

/// Owns the memory calls run in — the register stack and the stack-slot memory — and
/// keeps it from one call to the next, so that a run of many short calls (a fuzzing
/// campaign) allocates nothing per call.
///
///     register stack (one `Register` per value number of each frame):
///     ┌──────────────────────┬───────────────────────┬─────────────
///     │ frame 0 (entry)      │ frame 1 (its callee)  │ frame 2 …
///     │ v0 v1 … vN scratch…  │ v0 v1 … vM scratch…   │
///     └──────────────────────┴───────────────────────┴─────────────
///     a call places the callee's frame right above the caller's; a tail call reuses
///     the caller's frame; a return drops the frame.
///
/// Calls never recurse on the host stack: the interpreter keeps its own list of
/// caller frames (`Execution.callers`), so deep recursion in a program is limited by
/// the stack budget (a `stk_ovf` trap), never by the host's stack.
final class Machine {
    var registers: UnsafeMutablePointer<Register>
    var registerCapacity: Int
    var stackMemory: UnsafeMutableRawPointer
    var stackCapacity: Int

    /// Registers and stack bytes to start with; both grow on demand.
    static let initialRegisterCapacity = 4096
    static let initialStackCapacity = 4096
    /// The most registers all live frames may use together (256 MiB); a call whose
    /// frame would not fit traps with `stk_ovf`, as a frame past the stack budget
    /// does (only recursion of functions with well over a hundred values gets here
    /// before the budget runs out).
    static let registerLimit = 16 << 20

    init() {
        registerCapacity = Self.initialRegisterCapacity
        registers = UnsafeMutablePointer<Register>.allocate(capacity: registerCapacity)
        registers.initialize(repeating: .zero, count: registerCapacity)
        stackCapacity = Self.initialStackCapacity
        stackMemory = UnsafeMutableRawPointer.allocate(byteCount: stackCapacity, alignment: 16)
    }

    deinit {
        registers.deallocate()
        stackMemory.deallocate()
    }

    /// Calls function `index` of the program with `arguments` (already checked against
    /// its signature) and runs it to a return or a trap.
    func execute(_ program: DecodedProgram, function index: Int, arguments: [DataValue],
                 heap: UnsafeMutableRawBufferPointer, fuel: Int, stackBudget: Int) throws -> CallOutcome {
        var execution = Execution(program: program, machine: self, heap: heap, fuel: fuel,
                                  stackBudget: stackBudget)
        defer {
            // Take back the buffers, which may have moved while growing.
            registers = execution.registerFile
            registerCapacity = execution.registerCapacity
            stackMemory = execution.memory.stack
            stackCapacity = execution.memory.stackCapacity
        }
        return try execution.run(function: index, arguments: arguments)
    }
}

/// One frame of the call stack.
struct Frame {
    /// The function's index in the module.
    var function: Int
    /// Where the frame's registers start in the register stack.
    var registerBase: Int
    /// Where the frame's stack area starts in stack memory (`stack_addr` adds to it).
    var stackAreaStart: Int
    /// Stack memory and live slots in use before this frame was pushed.
    var stackMark: Int
    var liveSlotMark: Int
    /// The stack budget in use before this frame was pushed (the frame's own cost is
    /// its function's `frameCost`).
    var budgetMark = 0
    /// For a caller: where it continues, and the call site waiting for results.
    var returnPC = 0
    var callSite = 0
}

/// The state of one call from outside: frames, registers, memory and fuel. Lives on the
/// host stack for the duration of `Machine.execute`; the hot loop is `run`.
struct Execution {
    let program: DecodedProgram
    var registerFile: UnsafeMutablePointer<Register>
    var registerCapacity: Int
    var memory: AddressSpace
    /// The frames waiting for a callee to return, outermost first.
    var callers: [Frame] = []
    var current = Frame(function: 0, registerBase: 0, stackAreaStart: 0, stackMark: 0, liveSlotMark: 0)
    var fuel: Int
    let initialFuel: Int
    /// The stack budget in bytes, and how much of it the live frames use.
    let stackBudget: Int
    var stackUsed = 0

    init(program: DecodedProgram, machine: Machine, heap: UnsafeMutableRawBufferPointer, fuel: Int,
         stackBudget: Int) {
        self.program = program
        registerFile = machine.registers
        registerCapacity = machine.registerCapacity
        memory = AddressSpace(heap: heap, stack: machine.stackMemory, stackCapacity: machine.stackCapacity)
        self.fuel = fuel
        initialFuel = fuel
        self.stackBudget = stackBudget
    }

    // MARK: Frames

    /// Makes sure registers `0 ..< count` of the register stack exist; false when that
    /// passes `Machine.registerLimit` (the caller traps with `stk_ovf`).
    mutating func reserveRegisters(_ count: Int) -> Bool {
        guard count > registerCapacity else { return true }
        guard count <= Machine.registerLimit else { return false }
        let capacity = min(max(count, registerCapacity * 2), Machine.registerLimit)
        let grown = UnsafeMutablePointer<Register>.allocate(capacity: capacity)
        grown.moveInitialize(from: registerFile, count: registerCapacity)
        (grown + registerCapacity).initialize(repeating: .zero, count: capacity - registerCapacity)
        registerFile.deallocate()
        registerFile = grown
        registerCapacity = capacity
        return true
    }

    /// Charges a frame of `function` against the stack budget on top of `mark` bytes
    /// already in use; false (nothing charged) when it does not fit.
    mutating func chargeFrame(of function: Int, above mark: Int) -> Bool {
        let cost = program.frames.base[function].frameCost
        guard cost <= stackBudget - mark else { return false }
        stackUsed = mark + cost
        return true
    }

    /// Charges fuel; throws when it runs out.
    @inline(__always) mutating func charge(_ cost: Int32) throws {
        fuel &-= Int(cost)
        if fuel < 0 { throw InterpreterError.outOfFuel(steps: initialFuel) }
    }

    /// Sets up the frame of the outermost call and returns where execution starts; nil
    /// when the frame does not fit the stack budget.
    mutating func enter(function index: Int, arguments: [DataValue]) throws -> Int? {
        let layout = program.frames.base[index]
        let count = Int(layout.registerCount)
        guard reserveRegisters(count), chargeFrame(of: index, above: 0) else { return nil }
        registerFile.update(repeating: .zero, count: count)
        let parameterCount = min(Int(layout.parameterCount), arguments.count)
        for position in 0 ..< parameterCount {
            let register = Int(program.operandPool.base[Int(layout.parameterStart) + position])
            registerFile[register] = Register(low: arguments[position].low, high: arguments[position].high)
        }
        guard let area = memory.pushFrame(layout, slots: program.stackSlots.base, limit: stackBudget) else { return nil }
        current = Frame(function: index, registerBase: 0, stackAreaStart: area, stackMark: 0, liveSlotMark: 0)
        try charge(layout.entryFuelCost)
        return Int(layout.entryCodeIndex)
    }

    /// The values the outermost call returns, typed by the function's signature.
    func outcome(returning start: Int, count: Int) -> CallOutcome {
        let returns = program.functions[current.function].signature.returns
        let registers = registerFile + current.registerBase
        var values: [DataValue] = []
        values.reserveCapacity(count)
        for position in 0 ..< min(count, returns.count) {
            let register = registers[Int(program.operandPool.base[start + position])]
            values.append(DataValue(type: returns[position].type, low: register.low, high: register.high))
        }
        return .values(values)
    }
}
