import EgretCodegen
import EgretIR

/// Every weight and limit of the generator, in one place, each with its reason.
///
/// Weights are relative (an option with weight 0 is never chosen); percentages are out
/// of 100. The defaults aim at what finds backend bugs cheaply: small functions (fast
/// to compile, fast to reduce) that still mix every opcode, type, convention and
/// control-flow shape the backend supports.
public struct GeneratorConfiguration: Sendable {
    // MARK: What is generated

    /// Value types of parameters, results, constants and operations: by default every
    /// type the backend lowers (BackendSupport, read from its rule table), so a type
    /// the backend gains is fuzzed from then on. `--types` narrows it.
    public var supportedTypes: [IRType] = BackendSupport.types
    /// When non-empty, the only opcodes generated in function bodies (`--ops`).
    /// Control flow, constants, calls and stack slots are still generated around them.
    public var onlyOpcodes: Set<Opcode> = []

    // MARK: Module shape

    /// Functions per module: several make a call DAG and cross conventions; up to 4 by
    /// default keeps compile time per case low (`--functions 8` allows up to 8, about
    /// half the throughput).
    public var functionCount: ClosedRange<Int> = 1 ... 4
    /// Parameters per function: past 6 (System V) or 4 (Windows) arguments go on the
    /// stack, which is where ABI bugs live.
    public var parameterCount: ClosedRange<Int> = 0 ... 10
    /// Results per function: several results exercise the return-value registers.
    public var returnCount: ClosedRange<Int> = 1 ... 3
    /// Conventions of functions (each of BackendSupport.conventions): system_v and
    /// windows_fastcall alike, so most calls cross conventions; `tail` less often, as
    /// it adds callee-popped stack arguments and `return_call`.
    public var conventionWeights: [CallConv: Int] = [.systemV: 4, .windowsFastcall: 4, .tail: 2]

    // MARK: Function shape

    /// Blocks per function besides the entry block.
    public var extraBlockCount: ClosedRange<Int> = 0 ... 4
    /// Parameters of non-entry blocks: block arguments are parallel moves.
    public var blockParameterCount: ClosedRange<Int> = 0 ... 3
    /// Instructions per block before its terminator: enough to build register pressure,
    /// few enough that a case compiles in well under a millisecond.
    public var instructionsPerBlock: ClosedRange<Int> = 2 ... 10
    /// Percent of non-entry blocks that loop to themselves (a counter in a block
    /// parameter bounds every loop).
    public var loopPercent: Int = 25
    /// Iteration bound of a loop: small, so loops never dominate run time.
    public var loopBound: ClosedRange<Int> = 1 ... 6
    /// Stack slots per function.
    public var stackSlotCount: ClosedRange<Int> = 0 ... 2
    /// Percent of modules whose functions all receive a heap buffer (`; heap:`, passed
    /// as `heap`): its contents after each input are compared, so a wrong store shows
    /// even when no result depends on it, and its guard pages make out-of-bounds
    /// accesses real faults that must come back as the access's trap code.
    public var heapPercent: Int = 50
    /// Heap sizes in bytes: any size, so that the end is not always aligned and wide
    /// accesses straddle it.
    public var heapSize: ClosedRange<Int> = 4 ... 128
    /// Inputs (run lines) per function: edge values are cheap to try once compiled.
    public var inputsPerFunction: Int = 3

    // MARK: Choice weights (relative)

    /// Terminators of a non-final block: jump, brif, br_table, trap. `trap` is rare
    /// because it ends every path through it.
    public var terminatorWeights: (jump: Int, brif: Int, brTable: Int, trap: Int) = (3, 5, 2, 1)
    /// Instructions in a body: an opcode from the signature table, a call, a stack
    /// access, a heap access, a constant, an atomic operation. Opcodes dominate; calls
    /// and memory are where ABI and frame bugs are, constants feed edge values into
    /// the other instructions; atomics are rarer (a handful of rules, each a few forms).
    public var instructionWeights: (opcode: Int, call: Int, memory: Int, heap: Int, constant: Int, atomic: Int)
        = (12, 2, 3, 3, 2, 1)
    /// Percent of calls made through a function pointer (`func_addr` + `call_indirect`):
    /// the same ABI through another lowering path.
    public var indirectCallPercent: Int = 25
    /// Percent of `tail` functions planned to return what a later `tail` function
    /// returns, so that their last block can end in a tail call (`return_call`, or
    /// `return_call_indirect` by `indirectCallPercent`): the callee pops its own stack
    /// arguments.
    public var returnCallPercent: Int = 50
    /// Percent of divisions and remainders whose divisor is guarded against 0 (and, when
    /// signed, -1), and of trapping float-to-int conversions whose operand is guarded
    /// against NaN and out-of-range values: most, so that execution continues past
    /// them; not all, so that the int_divz, int_ovf and bad_toint paths are compared too.
    public var guardedDivisionPercent: Int = 90
    /// Percent of constants drawn from the edge values of their type rather than
    /// uniformly: edge values find carries, sign and width bugs.
    public var edgeConstantPercent: Int = 70
    /// Percent of input arguments drawn from the edge values of their type.
    public var edgeInputPercent: Int = 70
    /// Percent of conditional traps (`trapz`/`trapnz`) kept; the rest are left out, as a
    /// random condition ends the case early about half of the time.
    public var conditionalTrapPercent: Int = 15
    /// Percent of operands taken from values nothing reads yet: a result nobody reads is
    /// dead code the backend skips, so a miscompiled instruction would go unseen.
    public var unusedValuePercent: Int = 75
    /// Percent of two-operand instructions given the same value twice: `x < x`, `x - x`
    /// are where a condition that is off at equality (slt for sle) shows.
    public var sameOperandPercent: Int = 12
    /// Percent of loads and stores with the `big` flag: byte swapping around the access
    /// is a separate lowering path.
    public var bigEndianPercent: Int = 10
    /// Percent of heap accesses at a constant offset reaching past the heap's end: the
    /// fault in the guard page must come back as the access's trap code. Rare, because
    /// the trap ends the input.
    public var heapOutOfBoundsPercent: Int = 2
    /// Percent of heap and stack accesses at an index computed from a value (masked to
    /// the power of two above the last in-bounds index, so it sometimes lands out of
    /// bounds, about one access in six): the
    /// address is only known at run time. Stack accesses check the index against the
    /// slot and `trapnz heap_oob` first, as Wasm's bounds checks do: an unchecked
    /// out-of-bounds stack access has no meaning in CLIF.
    public var dynamicIndexPercent: Int = 15
    /// Percent of heap accesses naming a user trap code instead of heap_oob: a faulting
    /// access must report its own code.
    public var accessTrapCodePercent: Int = 10

    public init() {}

    /// Types the generator can produce constants and inputs for, by name.
    public static let typeNames: [String: IRType] = Dictionary(
        uniqueKeysWithValues: BackendSupport.types.map { ($0.description, $0) })

    /// The convention of a new function, by `conventionWeights`.
    func pickConvention<Source: ByteSource>(_ source: inout Source) -> CallConv {
        let conventions = BackendSupport.conventions
        return conventions[source.weighted(conventions.map { conventionWeights[$0] ?? 0 })]
    }

    /// The default configuration narrowed to `opcodes` (the CLI's `--ops`).
    public static func narrowed(to opcodes: Set<Opcode>) -> GeneratorConfiguration {
        var configuration = GeneratorConfiguration()
        configuration.onlyOpcodes = opcodes
        return configuration
    }
}
