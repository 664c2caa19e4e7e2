import EgretIR

/// The only way a rule's emitter sees the instruction it lowers and builds machine
/// code. Two implementations:
///
///     X64LoweringContext   the lowering pass: operands are the virtual registers of
///                          real values, emitted instructions go into the VCode
///     a recording builder  the SMT verifier (and tests): operands are symbolic
///                          registers and chosen constants; emitted instructions are
///                          recorded and given bit-vector semantics
///
/// The protocol is class-bound so that passing the builder to an emitter costs one
/// reference, never a boxed copy: the lowering pass calls an emitter per instruction.
///
/// Operand numbers are the instruction's value operands in order (for `store`: the
/// value 0, the address 1; for `call_indirect`: the callee 0, then the arguments).
/// What each accessor may be asked depends on the matched rule's `pattern`:
/// `gpr` for `.register` (and any variable operand) of an integer type, `xmm` for a
/// float operand (`.register` or `.float`), `constant` for `.constant`,
/// `comparison` for `.comparison`, `floatComparison` for `.floatComparison`, `amode`
/// for `.register` or an address shape; `gprPair` for an i128 operand (`.register`
/// under an i128 controlling type, or `.pair`), `gpr` for the low bits of a
/// `.lowBits` operand, `wideComparison` for `.wideComparison`. An i128 result is
/// written through `resultPair`, a float result through `xmmResult`.
public protocol LoweringBuilder: AnyObject {
    // MARK: The instruction being lowered

    var opcode: Opcode { get }
    /// The controlling type (the result type of `iconst`, `load`, extensions, `bmask`;
    /// `invalid` for untyped instructions).
    var type: IRType { get }
    /// The controlling type and the matched constants, as the guards saw them.
    var match: RuleMatch { get }
    var operandCount: Int { get }
    func operandType(_ operand: Int) -> IRType
    var resultCount: Int { get }
    func resultType(_ result: Int) -> IRType
    /// `icmp`'s condition.
    var intCC: IntCC { get }
    /// `fcmp`'s condition.
    var floatCC: FloatCC { get }
    /// The trap code of `trap`, `trapz`, `trapnz`, `uadd_overflow_trap`.
    var trapCode: TrapCode { get }
    /// The flags of a load or store.
    var memoryFlags: MemFlags { get }
    /// The offset of a load, store or `stack_addr`.
    var offset: Int32 { get }
    /// `iconst`'s value, sign-extended from the controlling width.
    var immediate: Int64 { get }
    /// `stack_addr`'s slot.
    var stackSlot: UInt32 { get }

    // MARK: Operands

    /// The register holding operand `operand` (an i128 operand: its low half).
    func gpr(_ operand: Int) -> Gpr
    /// The xmm register holding operand `operand`, an f32 or f64 value.
    func xmm(_ operand: Int) -> Xmm
    /// The two registers of an i128 operand, low half first.
    func gprPair(_ operand: Int) -> GprPair
    /// The constant of a `.constant` operand (or an address's folded displacement).
    func constant(_ operand: Int) -> Int64
    /// The fused comparison of a `.comparison` operand.
    func comparison(_ operand: Int) -> FusedComparison
    /// The fused float comparison of a `.floatComparison` operand.
    func floatComparison(_ operand: Int) -> FusedFloatComparison
    /// The fused i128 comparison of a `.wideComparison` operand.
    func wideComparison(_ operand: Int) -> FusedWideComparison
    /// The memory operand an address operand folds into (instruction offset
    /// included), carrying the trap code of the instruction's memory flags.
    func amode(_ operand: Int) -> Amode

    // MARK: Results and temporaries

    /// The register that must hold result `result` when the emitted code is done.
    /// Each result is written exactly once.
    func result(_ result: Int) -> Writable<Gpr>
    /// The two registers of an i128 result, low half first; each written exactly once.
    func resultPair(_ result: Int) -> WritableGprPair
    /// A fresh virtual register for intermediate values.
    func newGpr() -> Writable<Gpr>
    /// The xmm register that must hold result `result`, an f32 or f64 value.
    func xmmResult(_ result: Int) -> Writable<Xmm>
    /// A fresh virtual xmm register for intermediate float values.
    func newXmm() -> Writable<Xmm>
    /// Appends a machine instruction after the ones emitted so far.
    func emit(_ inst: consuming X64Inst)

    // MARK: Control flow

    /// The number of outgoing edges of the branch being lowered (`brif`: then, else;
    /// `br_table`: default, then the table).
    var edgeCount: Int { get }
    /// The label to branch to for edge `edge`: the target block's, or that of the
    /// edge block the pass inserted to hold the edge's argument moves.
    func edgeLabel(_ edge: Int) -> MachLabel
    /// Emits the block-argument moves of a single-successor edge (a `jump`), as one
    /// parallel move sequentialised with temporaries where the moves form cycles.
    func emitEdgeMoves(_ edge: Int)

    // MARK: Calls and returns

    /// The lowered function's own signature layout.
    var functionSignature: ABISignature { get }
    /// The hidden return-area pointer the function received, if its signature has a
    /// return area.
    var returnAreaPointer: Gpr? { get }
    /// The function's `sret` parameter, returned in rax by `return`.
    var structReturnPointer: Gpr? { get }
    /// The callee of a `call`, `call_indirect`, `return_call` or
    /// `return_call_indirect`: its name (nil when indirect) and signature layout.
    func callee() throws -> Callee
    /// The external name of `func_addr`'s function.
    func functionReference() throws -> ExternalName
    /// Whether the code must be position-independent (`set is_pic`): symbol
    /// addresses come from the global offset table, not from absolute relocations.
    var positionIndependent: Bool { get }
    /// Records that a call needs `bytes` of outgoing-argument area.
    func reserveOutgoingArguments(_ bytes: Int)
    /// Records the registers a call destroys (for `FrameRequirements`).
    func noteCallClobbers(_ registers: PRegSet)
}

/// A compare the consumer recomputes: flags of `lhs - rhs` at `size`, tested with
/// `CC(condition)`.
public struct FusedComparison: Hashable, Sendable {
    public var condition: IntCC
    public var size: OperandSize
    public var lhs: Gpr
    public var rhs: GprMemImm

    public init(condition: IntCC, size: OperandSize, lhs: Gpr, rhs: GprMemImm) {
        self.condition = condition
        self.size = size
        self.lhs = lhs
        self.rhs = rhs
    }

    /// The `cmp` instruction that sets the flags.
    public var compare: X64Inst { .cmpRmiR(.cmp, size: size, src1: lhs, src2: rhs) }
    /// The x86 condition that holds when the comparison does.
    public var cc: CC { CC(condition) }
}

/// A float compare the consumer recomputes: `fcmp condition lhs, rhs` at `width`.
public struct FusedFloatComparison: Hashable, Sendable {
    public var condition: FloatCC
    public var width: FloatWidth
    public var lhs: Xmm
    public var rhs: Xmm

    public init(condition: FloatCC, width: FloatWidth, lhs: Xmm, rhs: Xmm) {
        self.condition = condition
        self.width = width
        self.lhs = lhs
        self.rhs = rhs
    }
}

/// An i128 comparison the consumer recomputes (`Rules+I128Compare.swift` emits it):
/// `condition` over the 128-bit values `lhs` and `rhs`.
public struct FusedWideComparison: Hashable, Sendable {
    public var condition: IntCC
    public var lhs: GprPair
    public var rhs: GprPair

    public init(condition: IntCC, lhs: GprPair, rhs: GprPair) {
        self.condition = condition
        self.lhs = lhs
        self.rhs = rhs
    }
}

/// The two 64-bit registers of an i128 value: bits 0–63 in `low`, 64–127 in `high`.
public struct GprPair: Hashable, Sendable, CustomStringConvertible {
    public var low: Gpr
    public var high: Gpr

    public init(low: Gpr, high: Gpr) {
        self.low = low
        self.high = high
    }

    public var description: String { "\(low):\(high)" }
}

/// The two registers an i128 result is written to.
public struct WritableGprPair: Hashable, Sendable {
    public var low: Writable<Gpr>
    public var high: Writable<Gpr>

    public init(low: Writable<Gpr>, high: Writable<Gpr>) {
        self.low = low
        self.high = high
    }

    /// The registers as sources, once written.
    public var regs: GprPair { GprPair(low: low.reg, high: high.reg) }
}

/// A call's target as the call rules see it.
public struct Callee: Sendable {
    /// The function's name, for a direct call; nil for an indirect call.
    public var name: ExternalName?
    public var signature: ABISignature

    public init(name: ExternalName?, signature: ABISignature) {
        self.name = name
        self.signature = signature
    }
}
