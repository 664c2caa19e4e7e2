/// The first passes: which value numbers are really defined, where each block and
/// instruction sits in the layout, and (after the references pass) the shape of the
/// blocks.
///
/// Requires: nothing (any `Function`).
/// Guarantees, for the passes after it:
/// - `valueIsUsable[v]`: `v` is in range, defined, typed, and its `ValueData` names a
///   result slot of an instruction or a parameter slot of a block that holds `v`;
/// - `blockLayoutIndex`, `layoutBlocks`, `layoutOrdinal`: each declared block placed at
///   most once, undeclared or repeated layout entries skipped (-1);
/// - `instBlock`, `instPosition`: each existing instruction placed at most once;
/// - `layoutTerminator`: the last instruction placed in each block (-1 if none);
/// - `blockParamsAreSound[b]`: `b`'s parameters are usable values defined as its
///   parameters, in order.
extension FunctionVerifier {
    /// Checks `ValueData` against the pools, value by value.
    mutating func checkDefinitions() {
        let values = function.values
        valueIsUsable = [Bool](repeating: false, count: values.count)
        for number in 0 ..< values.count {
            let data = values[number]
            switch data.definition {
            case .none:
                continue
            case .result:
                guard resultSlot(of: data) == Value(number) else {
                    report(functionOrder: Self.preambleOrder,
                           "v\(number) is recorded as result \(data.index) of inst\(data.owner), which does not define it")
                    continue
                }
            case .param:
                guard paramSlot(of: data) == Value(number) else {
                    report(functionOrder: Self.preambleOrder,
                           "v\(number) is recorded as parameter \(data.index) of block\(data.owner), which does not declare it")
                    continue
                }
            }
            guard data.type.isWellFormed else {
                report(functionOrder: Self.preambleOrder, "v\(number) has no valid type")
                continue
            }
            valueIsUsable[number] = true
        }
    }

    /// The value in the result slot that `data` claims, if that slot exists.
    @inline(__always) private func resultSlot(of data: ValueData) -> Value? {
        let inst = Int(data.owner)
        guard inst < function.insts.count, inst < function.instResults.count else { return nil }
        return slot(Int(data.index), of: function.instResults[inst])
    }

    /// The value in the parameter slot that `data` claims, if that slot exists.
    @inline(__always) private func paramSlot(of data: ValueData) -> Value? {
        let block = Int(data.owner)
        guard block < function.blocks.count else { return nil }
        return slot(Int(data.index), of: function.blocks[block].params)
    }

    /// Entry `index` of a value-pool range, if both are in bounds.
    @inline(__always) private func slot(_ index: Int, of range: PoolRange) -> Value? {
        guard index < Int(range.count), Self.range(range, fitsIn: function.valuePool.count) else { return nil }
        return function.valuePool[Int(range.start) + index]
    }

    /// Places blocks and instructions, and checks the parameters of placed blocks.
    mutating func checkLayout() {
        let blocks = function.blocks
        let instCount = min(function.insts.count, function.instResults.count)
        if function.insts.count != function.instResults.count {
            report(functionOrder: Self.preambleOrder,
                   "has \(function.insts.count) instructions but result lists for \(function.instResults.count)")
        }
        blockLayoutIndex = [Int32](repeating: -1, count: blocks.count)
        blockParamsAreSound = [Bool](repeating: false, count: blocks.count)
        // Filled in locals and stored at the end: the per-instruction loop then writes
        // to uniquely owned arrays, with no copy-on-write checks through `self`.
        var instBlock = [Int32](repeating: -1, count: instCount)
        var instPosition = [Int32](repeating: 0, count: instCount)
        layoutBlocks = [Int32](repeating: -1, count: function.layout.count)
        layoutOrdinal = [UInt32](repeating: 0, count: function.layout.count)
        layoutTerminator = [Int32](repeating: -1, count: function.layout.count)

        if function.layout.isEmpty {
            report(functionOrder: Self.headerOrder, "has no blocks")
        }
        // Sort keys: after the header (0) and the preamble (1), each block header takes
        // one, then each of its instructions.
        var ordinal: UInt32 = 2
        for (layoutIndex, block) in function.layout.enumerated() {
            layoutOrdinal[layoutIndex] = ordinal
            ordinal &+= 1
            let number = block.position
            guard number < blocks.count, blocks[number].isDeclared else {
                report(block: number, layoutIndex: layoutIndex, "is placed in the layout but never declared")
                continue
            }
            guard blockLayoutIndex[number] < 0 else {
                report(block: number, layoutIndex: layoutIndex, "is placed in the layout more than once")
                continue
            }
            blockLayoutIndex[number] = Int32(layoutIndex)
            layoutBlocks[layoutIndex] = Int32(number)
            checkParams(ofBlock: number, layoutIndex: layoutIndex)

            var lastPlaced = -1
            let insts = blocks[number].insts
            for position in 0 ..< insts.count {
                let inst = insts[position]
                let instNumber = inst.position
                guard instNumber < instCount else {
                    report(block: number, layoutIndex: layoutIndex, "lists inst\(instNumber), which does not exist")
                    continue
                }
                guard instBlock[instNumber] < 0 else {
                    report(block: number, layoutIndex: layoutIndex,
                           "lists inst\(instNumber), which is already placed (in block\(layoutBlocks[Int(instBlock[instNumber])]))")
                    continue
                }
                instBlock[instNumber] = Int32(layoutIndex)
                instPosition[instNumber] = Int32(position)
                lastPlaced = instNumber
            }
            layoutTerminator[layoutIndex] = Int32(lastPlaced)
            ordinal &+= UInt32(truncatingIfNeeded: blocks[number].insts.count)
        }
        self.instBlock = instBlock
        self.instPosition = instPosition
    }

    func blockNumber(atLayout layoutIndex: Int32) -> Int {
        layoutIndex >= 0 && Int(layoutIndex) < layoutBlocks.count ? Int(layoutBlocks[Int(layoutIndex)]) : -1
    }

    /// Each parameter of a placed block must be a usable value defined as that parameter.
    private mutating func checkParams(ofBlock block: Int, layoutIndex: Int) {
        let params = function.blocks[block].params
        guard Self.range(params, fitsIn: function.valuePool.count) else {
            report(block: block, layoutIndex: layoutIndex, "its parameter list is out of the value pool's bounds")
            return
        }
        var sound = true
        for index in 0 ..< Int(params.count) {
            let value = function.valuePool[Int(params.start) + index]
            guard isUsable(value) else {
                report(block: block, layoutIndex: layoutIndex, "parameter \(index) (\(value)) is not a defined value")
                sound = false
                continue
            }
            let data = function.values[value.position]
            if data.definition != .param || Int(data.owner) != block || Int(data.index) != index {
                report(block: block, layoutIndex: layoutIndex,
                       "parameter \(index) (\(value)) is already defined elsewhere (\(describeDefinition(data)))")
                sound = false
            }
        }
        blockParamsAreSound[block] = sound
    }

    /// "result 0 of inst4" or "parameter 1 of block2", for messages.
    func describeDefinition(_ data: ValueData) -> String {
        switch data.definition {
        case .none: return "nowhere"
        case .result: return "result \(data.index) of inst\(data.owner)"
        case .param: return "parameter \(data.index) of block\(data.owner)"
        }
    }
}

// MARK: - Blocks

/// The block-structure pass: no placed block is empty, and the entry block receives the
/// function's parameters. (That a block's last instruction, and only it, is a
/// terminator is checked by the references pass, which visits every instruction.)
///
/// Requires: the layout pass (`layoutTerminator`) and the references pass
/// (`blockParamsAreSound`).
/// Guarantees: each placed block has at least one instruction; the entry block is not
/// cold and its parameters have the signature's parameter types.
extension FunctionVerifier {
    mutating func checkBlocks() {
        for layoutIndex in 0 ..< layoutBlocks.count where layoutBlocks[layoutIndex] >= 0 && layoutTerminator[layoutIndex] < 0 {
            report(block: Int(layoutBlocks[layoutIndex]), layoutIndex: layoutIndex,
                   "is empty; a block must end with a terminator")
        }
        checkEntryBlockParams()
    }

    /// The entry block's parameters match the signature's parameters (count and types),
    /// and it is not marked cold.
    private mutating func checkEntryBlockParams() {
        if let entry = function.layout.first, isPlaced(entry), function.blocks[entry.position].isCold {
            report(block: entry.position, layoutIndex: 0, "entry block cannot be marked as cold")
        }
        guard let entry = function.layout.first, isPlaced(entry), blockParamsAreSound[entry.position],
              let params = values(in: function.blocks[entry.position].params)
        else { return }
        let expected = function.signature.params
        guard params.count == expected.count else {
            report(block: entry.position, layoutIndex: 0,
                   "entry block parameters (\(params.count)) must match function signature (\(expected.count))")
            return
        }
        for (index, value) in params.enumerated() where type(of: value) != expected[index].type {
            report(block: entry.position, layoutIndex: 0,
                   "entry block parameter \(index) (\(value)) expected to have type \(expected[index].type), got \(type(of: value))")
        }
    }
}

