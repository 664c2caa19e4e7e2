/// A CLIF function in Cranelift's entity style: every entity is an index into an array
/// owned here, instructions are flat structs, and operand lists live in pools.
///
/// Value and block numbers are those of the source text (`v7` is `values[7]`), so that
/// printed output, error messages and later stages speak of the numbers the user
/// wrote; numbers never defined are `ValueData.Definition.none`.
public struct Function: Sendable {
    public var name: ExternalName
    public var signature: Signature

    // Preamble entities.
    public var stackSlots: [StackSlotData] = []
    public var dynamicStackSlots: [DynamicStackSlotData] = []
    public var dynamicTypes: [DynamicTypeData] = []
    public var globalValues: [GlobalValueData?] = []
    public var signatures: [Signature] = []
    public var functionRefs: [ExternalFunction?] = []
    /// Constant pool: little-endian bytes of each `constN`.
    public var constants: [[UInt8]] = []
    public var exceptionTables: [ExceptionTableData] = []

    // The data-flow graph.
    public var insts: [InstructionData] = []
    /// Results of each instruction, in `valuePool`; parallel to `insts`.
    public var instResults: [PoolRange] = []
    public var values: [ValueData] = []
    public var blocks: [BlockData] = []
    public var valuePool: [Value] = []
    public var blockCallPool: [BlockCall] = []
    public var blockArgPool: [BlockArg] = []

    /// Blocks in layout order; the first is the entry block.
    public var layout: [Block] = []

    /// Where each instruction was written; parallel to `insts` when parsed from text,
    /// empty when the function was built by code.
    public var instLocations: [SourceLocation] = []
    /// Where the function's header was written.
    public var location: SourceLocation?

    public init(name: ExternalName, signature: Signature) {
        self.name = name
        self.signature = signature
    }

    public var entryBlock: Block? { layout.first }

    // MARK: Reading

    @inlinable public subscript(inst: Inst) -> InstructionData {
        get { insts[inst.position] }
        set { insts[inst.position] = newValue }
    }

    @inlinable public func type(of value: Value) -> IRType { values[value.position].type }

    @inlinable public func arguments(of inst: Inst) -> ArraySlice<Value> {
        valuePool[insts[inst.position].arguments.indices]
    }

    @inlinable public func results(of inst: Inst) -> ArraySlice<Value> {
        valuePool[instResults[inst.position].indices]
    }

    @inlinable public func params(of block: Block) -> ArraySlice<Value> {
        valuePool[blocks[block.position].params.indices]
    }

    @inlinable public func blockCalls(of inst: Inst) -> ArraySlice<BlockCall> {
        blockCallPool[insts[inst.position].blockCalls.indices]
    }

    @inlinable public func arguments(of call: BlockCall) -> ArraySlice<BlockArg> {
        blockArgPool[call.arguments.indices]
    }

    /// The instructions of a block in order.
    @inlinable public func instructions(in block: Block) -> [Inst] { blocks[block.position].insts }

    /// How findings and checker errors name an instruction: its opcode and controlling
    /// type (`icmp.i32`), else its first result's type (`call.i64`), else the bare
    /// opcode (`store`).
    public func opcodeAndType(of inst: Inst) -> String {
        let data = insts[inst.position]
        if data.type != .invalid { return "\(data.opcode.name).\(data.type)" }
        if let result = results(of: inst).first { return "\(data.opcode.name).\(type(of: result))" }
        return data.opcode.name
    }

    /// The block's last instruction, if any.
    public func terminator(of block: Block) -> Inst? { blocks[block.position].insts.last }

    /// Whether `value` names a defined value of this function.
    public func isDefined(_ value: Value) -> Bool {
        value.position < values.count && values[value.position].definition != .none
    }

    /// Whether `block` names a declared block of this function.
    public func isDeclared(_ block: Block) -> Bool {
        block.position < blocks.count && blocks[block.position].isDeclared
    }

    /// The number of instructions placed in blocks.
    public var instructionCount: Int { layout.reduce(0) { $0 + blocks[$1.position].insts.count } }

    /// Source location of an instruction, if it came from text.
    public func location(of inst: Inst) -> SourceLocation? {
        inst.position < instLocations.count ? instLocations[inst.position] : nil
    }

    // MARK: Building

    /// Appends values to the value pool, returning their range.
    public mutating func appendValues<S: Sequence>(_ list: S) -> PoolRange where S.Element == Value {
        let start = valuePool.count
        valuePool.append(contentsOf: list)
        return PoolRange(start: start, count: valuePool.count - start)
    }

    /// Appends block arguments, returning their range.
    public mutating func appendBlockArgs<S: Sequence>(_ list: S) -> PoolRange where S.Element == BlockArg {
        let start = blockArgPool.count
        blockArgPool.append(contentsOf: list)
        return PoolRange(start: start, count: blockArgPool.count - start)
    }

    /// Appends block calls, returning their range.
    public mutating func appendBlockCalls<S: Sequence>(_ list: S) -> PoolRange where S.Element == BlockCall {
        let start = blockCallPool.count
        blockCallPool.append(contentsOf: list)
        return PoolRange(start: start, count: blockCallPool.count - start)
    }

    /// Makes sure `values[value]` exists.
    public mutating func reserveValue(_ value: Value) {
        if value.position >= values.count {
            values.append(contentsOf: repeatElement(ValueData.undefined, count: value.position + 1 - values.count))
        }
    }

    /// Makes sure `blocks[block]` exists (not yet declared or placed).
    public mutating func reserveBlock(_ block: Block) {
        if block.position >= blocks.count {
            blocks.append(contentsOf: repeatElement(BlockData(), count: block.position + 1 - blocks.count))
        }
    }

    /// A value number not used yet.
    public var nextFreeValue: Value { Value(values.count) }

    /// A block number not used yet.
    public var nextFreeBlock: Block { Block(blocks.count) }

    /// Declares `block` with parameters of the given types (numbered from `firstValue`
    /// when given, else fresh) and places it at the end of the layout.
    @discardableResult
    public mutating func appendBlock(_ block: Block, parameterTypes: [IRType]) -> [Value] {
        reserveBlock(block)
        var params: [Value] = []
        for (index, type) in parameterTypes.enumerated() {
            let value = nextFreeValue
            reserveValue(value)
            values[value.position] = ValueData(type: type, definition: .param, owner: block.index, index: UInt16(index))
            params.append(value)
        }
        blocks[block.position].params = appendValues(params)
        blocks[block.position].isDeclared = true
        layout.append(block)
        return params
    }

    /// Appends `data` to the end of `block`, with fresh result values of the given
    /// types; returns the new instruction.
    @discardableResult
    public mutating func appendInstruction(_ data: InstructionData, results resultTypes: [IRType], to block: Block,
                                           location: SourceLocation? = nil) -> Inst {
        let inst = Inst(insts.count)
        insts.append(data)
        var results: [Value] = []
        for (index, type) in resultTypes.enumerated() {
            let value = nextFreeValue
            reserveValue(value)
            values[value.position] = ValueData(type: type, definition: .result, owner: inst.index, index: UInt16(index))
            results.append(value)
        }
        instResults.append(appendValues(results))
        blocks[block.position].insts.append(inst)
        if let location {
            while instLocations.count < insts.count - 1 { instLocations.append(SourceLocation.unknown) }
            instLocations.append(location)
        }
        return inst
    }
}

/// What the function knows about one value number.
public struct ValueData: Hashable, Sendable {
    public enum Definition: UInt8, Sendable {
        /// The number is not used by the function.
        case none
        /// The `index`-th result of instruction `owner`.
        case result
        /// The `index`-th parameter of block `owner`.
        case param
    }

    public var type: IRType
    public var definition: Definition
    public var owner: UInt32
    public var index: UInt16

    public init(type: IRType, definition: Definition, owner: UInt32, index: UInt16) {
        self.type = type
        self.definition = definition
        self.owner = owner
        self.index = index
    }

    public static let undefined = ValueData(type: .invalid, definition: .none, owner: 0, index: 0)

    /// The defining instruction, for a result.
    public var inst: Inst? { definition == .result ? Inst(owner) : nil }
    /// The block, for a parameter.
    public var block: Block? { definition == .param ? Block(owner) : nil }
}

/// A block: its parameters and its instructions in order.
public struct BlockData: Hashable, Sendable {
    /// Parameters, in `Function.valuePool`.
    public var params: PoolRange = .empty
    public var insts: [Inst] = []
    /// Whether a block header declared it (references alone do not).
    public var isDeclared = false
    /// Marked `cold` in its header (`block3 cold:`): a layout hint, no semantics.
    public var isCold = false
    /// Where its header was written, when parsed.
    public var location: SourceLocation?

    public init() {}
}
