/// The state of one function's verification: the function, the facts each pass
/// establishes for the next ones, and the problems found so far.
///
/// Every per-entity fact lives in a flat array indexed by the entity's number (value,
/// instruction, block) or by a block's position in the layout, so the hot passes are
/// plain loops over arrays. Problems are kept with a sort key (the position of the
/// construct in the layout) and turned into `Diagnostic`s, in source order, at the end.
struct FunctionVerifier {
    let function: Function
    let fileName: String
    /// The opcode table, flattened for the hot loop.
    let table: VerifierOpcodeTable
    /// The type of addresses on the target; `nil`: do not check pointer widths
    /// (`IRVerifier.pointerType(for:)`).
    let pointerType: IRType?
    /// The file's `set` lines, when the function comes from a file: Cranelift allows
    /// some instructions only under some settings. `nil` for functions built by code.
    let settings: [Module.Setting]?

    // MARK: Facts of the definitions and layout passes

    /// Per value number: defined, with a definition the pools agree with.
    var valueIsUsable: [Bool] = []
    /// Per block number: its position in the layout, or -1 when not placed.
    var blockLayoutIndex: [Int32] = []
    /// Per block number: its parameter range is in bounds and every parameter is a
    /// usable value defined as that parameter.
    var blockParamsAreSound: [Bool] = []
    /// Per layout position: the block there (the layout can list undeclared or
    /// repeated blocks; their entries are skipped with -1).
    var layoutBlocks: [Int32] = []
    /// Per layout position: the sort key of the block header; its instructions follow.
    var layoutOrdinal: [UInt32] = []
    /// Per layout position: the last instruction placed in the block, or -1.
    var layoutTerminator: [Int32] = []
    /// Per instruction: layout position of its block, or -1 when it is not placed.
    var instBlock: [Int32] = []
    /// Per instruction: its index within its block.
    var instPosition: [Int32] = []

    // MARK: Facts of the references pass

    /// Per instruction: every index it holds is in range, its operands are usable
    /// values and its targets are placed blocks, so later passes may follow them.
    var instIsSound: [Bool] = []

    // MARK: Facts of the dominators pass

    /// Per layout position: reverse-postorder number from the entry, -1 if unreachable.
    var reversePostorderNumber: [Int32] = []
    /// Per layout position: preorder number in the dominator tree and the end of its
    /// subtree's interval (`a` dominates `b` iff `b`'s number is in `a`'s interval).
    var dominatorTreeStart: [Int32] = []
    var dominatorTreeEnd: [Int32] = []

    // MARK: Findings

    struct Finding {
        var order: UInt64
        var location: SourceLocation
        var message: String
    }

    var findings: [Finding] = []

    init(function: Function, module: Module?, fileName: String) {
        self.function = function
        self.fileName = fileName
        self.table = VerifierOpcodeTable.shared
        self.pointerType = IRVerifier.pointerType(for: module)
        self.settings = module?.settings
    }

    /// Runs every pass; each relies on the facts of the ones before it.
    mutating func run() {
        checkSignature(function.signature, named: "the function's signature", order: Self.headerOrder)
        checkDefinitions()
        checkLayout()
        checkReferences()
        checkBlocks()
        computeDominators()
        checkInstructions()
        checkPreamble()
    }

    func diagnostics() -> [Diagnostic] {
        let ordered = findings.enumerated().sorted { lhs, rhs in
            lhs.element.order != rhs.element.order ? lhs.element.order < rhs.element.order : lhs.offset < rhs.offset
        }
        return ordered.map { Diagnostic(.error, $0.element.message, file: fileName, at: $0.element.location) }
    }

    // MARK: Sort keys

    /// Problems of the signature come first, then those of the preamble, then blocks and
    /// instructions in layout order, then instructions that are not in the layout.
    static let headerOrder: UInt64 = 0
    static let preambleOrder: UInt64 = 1
    static let unplacedOrder: UInt64 = .max

    func order(ofInst inst: Int) -> UInt64 {
        guard inst < instBlock.count, instBlock[inst] >= 0 else { return Self.unplacedOrder }
        return UInt64(layoutOrdinal[Int(instBlock[inst])]) + 1 + UInt64(instPosition[inst])
    }

    // MARK: Reporting

    /// A problem of an instruction: the message starts with the instruction as written.
    mutating func report(inst: Int, _ message: String) {
        var location = function.location(of: Inst(inst)) ?? .unknown
        if !location.isKnown { location = function.location ?? .unknown }
        findings.append(Finding(order: order(ofInst: inst), location: location,
                                message: "`\(describeInstruction(inst))`: \(message)"))
    }

    /// A problem of a block header.
    mutating func report(block: Int, layoutIndex: Int?, _ message: String) {
        var location = function.location ?? .unknown
        if block < function.blocks.count, let blockLocation = function.blocks[block].location, blockLocation.isKnown {
            location = blockLocation
        }
        var order = Self.preambleOrder
        if let layoutIndex, layoutIndex < layoutOrdinal.count { order = UInt64(layoutOrdinal[layoutIndex]) }
        findings.append(Finding(order: order, location: location, message: "block\(block): \(message)"))
    }

    /// A problem of the function as a whole (its signature, its layout, its preamble).
    mutating func report(functionOrder order: UInt64, _ message: String) {
        findings.append(Finding(order: order, location: function.location ?? .unknown,
                                message: "function \(function.name): \(message)"))
    }

    /// Whether the file sets boolean setting `name` (`set name` or `set name=true`);
    /// `nil` when there is no file.
    func isEnabled(_ name: String) -> Bool? {
        guard let settings else { return nil }
        return settings.last { $0.name == name }.map { $0.value == nil || $0.value == "true" } ?? false
    }

    // MARK: Safe reading

    /// Whether `range` lies within a pool of `count` entries. The hot passes check this
    /// once and then index the pool directly (slices would cost a retain each).
    @inline(__always) static func range(_ range: PoolRange, fitsIn count: Int) -> Bool {
        Int(range.start) + Int(range.count) <= count
    }

    /// The values of a pool range, or `nil` when the range is out of bounds.
    func values(in range: PoolRange) -> ArraySlice<Value>? {
        let start = Int(range.start), end = start + Int(range.count)
        return end <= function.valuePool.count ? function.valuePool[start ..< end] : nil
    }

    func blockCalls(in range: PoolRange) -> ArraySlice<BlockCall>? {
        let start = Int(range.start), end = start + Int(range.count)
        return end <= function.blockCallPool.count ? function.blockCallPool[start ..< end] : nil
    }

    func blockArgs(in range: PoolRange) -> ArraySlice<BlockArg>? {
        let start = Int(range.start), end = start + Int(range.count)
        return end <= function.blockArgPool.count ? function.blockArgPool[start ..< end] : nil
    }

    /// The type of a value known to be in range.
    @inline(__always) func type(of value: Value) -> IRType { function.values[value.position].type }

    func isUsable(_ value: Value) -> Bool { value.position < valueIsUsable.count && valueIsUsable[value.position] }

    /// Whether `block` names a declared block placed in the layout.
    func isPlaced(_ block: Block) -> Bool {
        block.position < blockLayoutIndex.count && blockLayoutIndex[block.position] >= 0
    }

    /// The signature of a function reference, if both exist.
    func signature(of reference: FuncRef) -> Signature? {
        guard reference.position < function.functionRefs.count,
              let external = function.functionRefs[reference.position],
              external.signature.position < function.signatures.count
        else { return nil }
        return function.signatures[external.signature.position]
    }

    func signature(_ reference: SigRef) -> Signature? {
        reference.position < function.signatures.count ? function.signatures[reference.position] : nil
    }
}
