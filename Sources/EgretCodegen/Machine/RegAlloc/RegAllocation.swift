/// What register allocation decided for a VCode: a physical register for every operand
/// of every instruction, and the moves, spills and reloads ("edits") it inserted
/// between instructions. Emission interleaves the edits with the instructions; the
/// checker (RegAllocChecker.swift) verifies the pair against the VCode.
public struct RegAllocation: Sendable {
    /// One register per operand, in each instruction's operand order, concatenated.
    public var operandAllocations: [PReg] = []
    /// Where each instruction's operands start in `operandAllocations`; one more entry
    /// than instructions.
    public var operandOffsets: [Int32] = [0]
    /// Edits applied on entry, before the first instruction (moving register arguments
    /// out of their ABI registers), in order.
    public var entryEdits: [Edit] = []
    /// Edits around instructions, sorted by `position`; within one position, in the
    /// order emission performs them.
    public var edits: [Edit] = []
    /// Spill slots used (each one machine word, or 16 bytes for vector registers).
    public var spillSlotCount = 0
    /// Every physical register the allocation writes (operand defs and edit
    /// destinations): the prologue saves the callee-saved ones among them.
    public var writtenRegisters = PRegSet()
    /// What the allocation cost.
    public var statistics = RegAllocStatistics()

    public init() {}

    /// Array elements the allocation holds (capacities), for `RegAllocStatistics`.
    var words: Int { operandAllocations.capacity + operandOffsets.capacity + entryEdits.capacity + edits.capacity }

    /// The allocations of instruction `index`'s operands.
    @inlinable public func allocations(ofInstruction index: Int) -> ArraySlice<PReg> {
        operandAllocations[Int(operandOffsets[index]) ..< Int(operandOffsets[index + 1])]
    }
}

/// What one register allocation cost, counted as it ran, so that tests and benchmarks
/// can check that it grows linearly with the function (liveness once kept a set of
/// every register for every block: blocks × registers bits).
public struct RegAllocStatistics: Hashable, Sendable {
    /// Blocks the liveness walks visited, one per (register, block it is live into).
    public var livenessVisits = 0
    /// Elements of the arrays the liveness computation held (their capacities).
    public var livenessWords = 0
    /// Scan passes (each pass but the last adds spills).
    public var passes = 0
    /// The most array elements the allocator held at once: its tables (operands,
    /// intervals, reservations) plus those of one pass (units, assignments, edits) or
    /// of the liveness computation (capacities, not counts).
    public var peakWords = 0

    public init() {}
}

/// A register or a spill slot.
public enum Location: Hashable, Sendable, CustomStringConvertible {
    case register(PReg)
    case spillSlot(UInt32)

    public var description: String {
        switch self {
        case .register(let preg): return Reg(preg).description
        case .spillSlot(let slot): return "spill\(slot)"
        }
    }
}

/// A copy inserted by the allocator: before or after one instruction.
///
/// Stored in 12 bytes (a function of a million instructions under register pressure
/// has about as many edits): the position as 32 bits, and each location as 32 bits,
/// a register as `registerBit | denseIndex`, a spill slot as its number.
public struct Edit: Hashable, Sendable {
    private var packedPosition: UInt32
    private var packedSource: UInt32
    private var packedDestination: UInt32

    /// `2 * instruction` for "before it", `2 * instruction + 1` for "after it".
    public var position: Int {
        get { Int(Int32(bitPattern: packedPosition)) }
        set { packedPosition = Edit.pack(position: newValue) }
    }
    public var source: Location {
        get { Edit.unpack(packedSource) }
        set { packedSource = Edit.pack(newValue) }
    }
    public var destination: Location {
        get { Edit.unpack(packedDestination) }
        set { packedDestination = Edit.pack(newValue) }
    }

    /// Requires: `position` fits an `Int32` (`ProgramPoints.instructionLimit` keeps
    /// instruction numbers far below), and spill slot numbers are below 2^31 (frame
    /// layout refuses frames anywhere near that many slots).
    public init(position: Int, from source: Location, to destination: Location) {
        packedPosition = Edit.pack(position: position)
        packedSource = Edit.pack(source)
        packedDestination = Edit.pack(destination)
    }

    public static func before(_ instruction: Int) -> Int { 2 * instruction }
    public static func after(_ instruction: Int) -> Int { 2 * instruction + 1 }

    private static let registerBit: UInt32 = 1 << 31

    @inline(__always) private static func pack(position: Int) -> UInt32 {
        UInt32(bitPattern: Int32(truncatingIfNeeded: position))
    }

    @inline(__always) private static func pack(_ location: Location) -> UInt32 {
        switch location {
        case .register(let preg): return registerBit | UInt32(preg.denseIndex)
        case .spillSlot(let slot):
            precondition(slot < registerBit, "spill slot \(slot) beyond what an edit can name")
            return slot
        }
    }

    @inline(__always) private static func unpack(_ bits: UInt32) -> Location {
        bits & registerBit != 0 ? .register(PReg(denseIndex: Int(bits & ~registerBit))) : .spillSlot(bits)
    }
}

/// The registers the allocator may use, per class, in order of preference.
public struct RegisterEnvironment: Sendable {
    public var integerRegisters: [PReg]
    public var floatRegisters: [PReg]

    public init(integerRegisters: [PReg], floatRegisters: [PReg]) {
        self.integerRegisters = integerRegisters
        self.floatRegisters = floatRegisters
    }

    public func registers(of regClass: RegClass) -> [PReg] {
        switch regClass {
        case .int: return integerRegisters
        case .float: return floatRegisters
        }
    }
}

/// A bug in register allocation or its input (a malformed VCode): thrown, never a trap.
public struct RegAllocError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// What the checker found wrong at one instruction, when that is the error.
    public var checkerFailure: CheckerFailure?

    public init(_ message: String) { self.message = message }

    public init(_ failure: CheckerFailure) {
        message = "checker: instruction \(failure.instruction) (\(failure.instructionText)): \(failure.detail)"
        checkerFailure = failure
    }

    public var description: String { "register allocation: \(message)" }
}

/// An operand of one VCode instruction whose allocation RegAllocChecker rejects.
public struct CheckerFailure: Hashable, Sendable {
    /// What kind of rule the allocation breaks: the words a failure is known by,
    /// free of register and value numbers.
    public enum Problem: String, Hashable, Sendable, CaseIterable {
        case registerOfAnotherClass = "register of another class"
        case physicalOperandMoved = "physical operand moved"
        case fixedRegisterIgnored = "fixed register ignored"
        case reuseIgnored = "reused register ignored"
        /// Another virtual register's value, or none known (one kind: which of the two
        /// a wrong register holds depends on the code around it, not on the bug).
        case useReadsWrongValue = "use reads a wrong value"
        case earlyDefSharesRegister = "early def shares a register"
    }

    /// The instruction's index in `VCode.insts`, and its text.
    public var instruction: Int
    public var instructionText: String
    public var problem: Problem
    /// The problem with its registers and values (`use of %v7 reads %rax, which holds
    /// %v3`).
    public var detail: String

    public init(instruction: Int, instructionText: String, problem: Problem, detail: String) {
        self.instruction = instruction
        self.instructionText = instructionText
        self.problem = problem
        self.detail = detail
    }
}
