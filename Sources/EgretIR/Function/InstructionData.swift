/// One instruction, stored flat. Which fields mean something depends on the opcode's
/// `InstructionFormat` (see the table in InstructionFormat.swift); the others are zero.
/// Operand lists live in the owning function's pools, so an instruction is a plain
/// value with no heap storage of its own.
public struct InstructionData: Hashable, Sendable {
    public var opcode: Opcode
    /// The controlling type of a polymorphic opcode; `invalid` otherwise.
    public var type: IRType
    /// Condition code, trap code or atomic operation, by format (see the accessors).
    public var code: UInt8
    public var flags: MemFlags
    /// Value operands, in `Function.valuePool`. For calls: the arguments (callee first
    /// for indirect calls); for `brif`/`br_table`: the condition or index.
    public var arguments: PoolRange
    /// Branch targets, in `Function.blockCallPool`: `jump` one, `brif` then/else,
    /// `br_table` default then table, `try_call` normal return then handlers.
    public var blockCalls: PoolRange
    /// `imm64`, `uimm8` lane index, or the bits of a float constant.
    public var immediate: Int64
    /// The signed byte offset of loads, stores and `stack_addr`.
    public var offset: Int32
    /// The referenced entity's index: FuncRef, SigRef, StackSlot, DynamicStackSlot,
    /// Constant, GlobalValue, ExceptionTable, or Block, by format.
    public var entity: UInt32

    public init(opcode: Opcode, type: IRType = .invalid) {
        self.opcode = opcode
        self.type = type
        code = 0
        flags = MemFlags()
        arguments = .empty
        blockCalls = .empty
        immediate = 0
        offset = 0
        entity = 0
    }

    public var format: InstructionFormat { opcode.format }

    public var intCC: IntCC {
        get { IntCC(rawValue: code) ?? .eq }
        set { code = newValue.rawValue }
    }

    public var floatCC: FloatCC {
        get { FloatCC(rawValue: code) ?? .eq }
        set { code = newValue.rawValue }
    }

    public var trapCode: TrapCode {
        get { TrapCode(raw: code) }
        set { code = newValue.raw }
    }

    public var atomicOp: AtomicRmwOp {
        get { AtomicRmwOp(rawValue: code) ?? .add }
        set { code = newValue.rawValue }
    }

    public var funcRef: FuncRef { FuncRef(entity) }
    public var sigRef: SigRef { SigRef(entity) }
    public var stackSlot: StackSlot { StackSlot(entity) }
    public var constant: Constant { Constant(entity) }
    public var globalValue: GlobalValue { GlobalValue(entity) }
    public var exceptionTable: ExceptionTable { ExceptionTable(entity) }
}

/// A branch target with its arguments (`block3(v1, v2)`).
public struct BlockCall: Hashable, Sendable {
    public var block: Block
    /// Arguments, in `Function.blockArgPool`.
    public var arguments: PoolRange

    public init(block: Block, arguments: PoolRange) {
        self.block = block
        self.arguments = arguments
    }
}

/// An argument passed to a block: a value, or (on a `try_call`'s targets) the callee's
/// N-th return value `retN` or the N-th exception payload `exnN`.
public enum BlockArg: Hashable, Sendable {
    case value(Value)
    case tryCallReturn(UInt32)
    case tryCallException(UInt32)
}
