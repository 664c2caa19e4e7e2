import EgretIR

/// Decodes one function into the program's flat code.
///
///     Function (blocks, InstructionData, pools)
///        │  for each block in layout order, for each instruction:
///        │    check operand counts, defined values and types against the opcode table,
///        │    pick the micro-operation for the type, resolve registers and targets
///        ▼
///     code: [block0 code][block1 code]…[entry failure?]    (appended to ProgramBuilder)
///
/// Registers are value numbers: `v7` lives in register 7 of its frame, so no register
/// allocation is needed. Scratch registers for overlapping block-argument moves come
/// after the last value number.
///
/// Requires: nothing; the function may be unverified.
/// Guarantees: see `DecodedProgram`. An instruction the decoder cannot execute becomes
/// a `fail` instruction carrying an `InterpreterError` — `unsupported` for valid CLIF
/// Egret does not model, `invalidProgram` for malformed input — so one bad instruction
/// on a path that never runs does not stop the rest of the module from running.
struct FunctionDecoder {
    /// Why an instruction cannot be decoded.
    enum Failure: Error {
        case unsupported(String)
        case invalid(String)
    }

    let function: Function
    let functionIndex: Int
    let program: ProgramBuilder
    /// Where each block's code starts; -1 for blocks not in the layout.
    var blockStart: [Int32]
    /// Branch targets whose code index is patched once every block has been placed.
    var targetFixups: [(target: Int, block: Int)] = []
    /// Scratch registers needed past the last value number.
    var scratchCount = 0
    /// Index of this function's first slot in `program.stackSlots`.
    let stackSlotBase: Int
    /// The instruction being decoded, for error locations.
    var currentInst: Inst?
    /// Whether each block is in the layout (only placed blocks can be branched to).
    let placedBlocks: [Bool]

    init(function: Function, index: Int, program: ProgramBuilder) {
        self.function = function
        functionIndex = index
        self.program = program
        blockStart = Array(repeating: -1, count: function.blocks.count)
        stackSlotBase = program.stackSlots.count
        var placed = [Bool](repeating: false, count: function.blocks.count)
        for block in function.layout where block.position < placed.count { placed[block.position] = true }
        placedBlocks = placed
    }

    var name: String { function.name.plainName }

    // MARK: Driver

    mutating func decode() {
        layOutStackSlots()
        var placed = [Bool](repeating: false, count: function.blocks.count)
        for block in function.layout where block.position < function.blocks.count && !placed[block.position] {
            placed[block.position] = true
            decodeBlock(block)
        }
        for fixup in targetFixups {
            program.targets[fixup.target].codeIndex = blockStart[fixup.block]
        }
        finishEntry()
        program.frames[functionIndex].registerCount = Int32(max(function.values.count + scratchCount, 1))
    }

    private mutating func decodeBlock(_ block: Block) {
        blockStart[block.position] = Int32(program.code.count)
        let insts = function.blocks[block.position].insts
        var endsInTerminator = false
        for inst in insts {
            currentInst = inst
            guard inst.position < function.insts.count else {
                emitFailure(Failure.invalid("block\(block.index) lists \(inst), which does not exist"))
                endsInTerminator = true
                break
            }
            do {
                try decodeInstruction(inst)
            } catch {
                emitFailure(error)
            }
            endsInTerminator = OpcodeTable.flatProperties[Int(function.insts[inst.position].opcode.rawValue)].contains(.isTerminator)
        }
        if !endsInTerminator {
            currentInst = nil
            emitFailure(Failure.invalid("block\(block.index) does not end with a terminator"))
        }
    }

    /// Points the function's entry at its entry block, or at a failure.
    private mutating func finishEntry() {
        currentInst = nil
        for param in function.signature.params + function.signature.returns {
            if let problem = unsupportedTypeName(param.type) {
                program.functions[functionIndex].signatureFailure =
                    .unsupported(feature: problem, function: name, location: function.location)
                break
            }
        }
        var layout = program.frames[functionIndex]
        do {
            guard let entry = function.entryBlock, entry.position < blockStart.count, blockStart[entry.position] >= 0
            else { throw Failure.invalid("the function has no entry block") }
            let params = try poolValues(function.blocks[entry.position].params)
            let expected = function.signature.params.map(\.type)
            guard params.count == expected.count,
                  zip(params, expected).allSatisfy({ function.isDefined($0) && function.type(of: $0) == $1 })
            else {
                throw Failure.invalid("the entry block's parameters do not match the signature \(function.signature)")
            }
            layout.entryCodeIndex = blockStart[entry.position]
            layout.entryFuelCost = fuelCost(of: entry)
            layout.parameterStart = program.appendOperands(params.map(register))
            layout.parameterCount = Int32(params.count)
        } catch {
            layout.entryCodeIndex = Int32(program.code.count)
            emitFailure(error)
        }
        program.frames[functionIndex] = layout
    }

    // MARK: Emitting

    mutating func emit(_ instruction: MicroInstruction) {
        program.code.append(instruction)
    }

    /// Emits a `fail` instruction that throws the error for `failure`.
    mutating func emitFailure(_ failure: Error) {
        let location = currentInst.flatMap { function.location(of: $0) }.flatMap { $0.isKnown ? $0 : nil }
        let error: InterpreterError
        switch failure {
        case Failure.unsupported(let feature):
            error = .unsupported(feature: feature, function: name, location: location)
        case Failure.invalid(let message):
            error = .invalidProgram(message, function: name, location: location)
        default:
            error = .invalidProgram("\(failure)", function: name, location: location)
        }
        emit(MicroInstruction(.fail, a: program.appendFailure(error)))
    }

    // MARK: Values and types

    /// The register of a value: its number.
    func register(_ value: Value) -> UInt32 { value.index }

    func type(_ value: Value) -> IRType { function.type(of: value) }

    /// The name of the unsupported part of a type (`type f16`, `type i32x4`), or nil if
    /// the interpreter models the type.
    func unsupportedTypeName(_ type: IRType) -> String? {
        guard let kind = type.laneKind else { return nil }
        if type.isVector { return "type \(type)" }
        switch kind {
        case .i8, .i16, .i32, .i64, .i128, .f32, .f64: return nil
        case .f16, .f128: return "type \(type)"
        }
    }

    /// The values of a pool range, checked against the pool's size.
    func poolValues(_ range: PoolRange) throws(Failure) -> [Value] {
        guard Int(range.start) + Int(range.count) <= function.valuePool.count else {
            throw .invalid("operand list out of range")
        }
        return Array(function.valuePool[range.indices])
    }

    /// The number of IR instructions of a block, as fuel.
    func fuelCost(of block: Block) -> Int32 {
        Int32(clamping: max(function.blocks[block.position].insts.count, 1))
    }

    /// An instruction's operands and results after checking them against its opcode's
    /// row of the opcode table: counts, defined values, supported types, and the type
    /// constraints relative to the controlling type.
    func prepare(_ inst: Inst) throws(Failure) -> PreparedInstruction {
        let data = function.insts[inst.position]
        // The flat views of the opcode table: reading the row itself would copy it.
        let raw = Int(data.opcode.rawValue)
        let operands = OpcodeTable.flatOperands[Int(OpcodeTable.firstOperand[raw]) ..< Int(OpcodeTable.firstOperand[raw + 1])]
        let resultTypes = OpcodeTable.flatResults[Int(OpcodeTable.firstResult[raw]) ..< Int(OpcodeTable.firstResult[raw + 1])]
        let arguments = try poolValues(data.arguments)
        guard inst.position < function.instResults.count else { throw .invalid("\(inst) has no result list") }
        let results = try poolValues(function.instResults[inst.position])
        for value in arguments {
            guard function.isDefined(value) else { throw .invalid("\(data.opcode) uses \(value), which is not defined") }
            if let problem = unsupportedTypeName(type(value)) { throw .unsupported(problem) }
        }
        for value in results {
            guard function.isDefined(value) else { throw .invalid("\(data.opcode) uses \(value), which is not defined") }
            if let problem = unsupportedTypeName(type(value)) { throw .unsupported(problem) }
        }
        if OpcodeTable.flatVariableArguments[raw] {
            guard arguments.count >= operands.count else { throw .invalid("\(data.opcode) has too few operands") }
        } else {
            guard arguments.count == operands.count else {
                throw .invalid("\(data.opcode) takes \(operands.count) operands, not \(arguments.count)")
            }
        }
        if !OpcodeTable.flatProperties[raw].contains(.isCall) {
            guard results.count == resultTypes.count else {
                throw .invalid("\(data.opcode) has \(resultTypes.count) results, not \(results.count)")
            }
        }
        let controlling: IRType
        let typevar = Int(OpcodeTable.flatTypevarOperands[raw])
        if typevar >= 0 {
            controlling = type(arguments[typevar])
        } else if let result = resultTypes.firstIndex(of: .controlling) {
            controlling = type(results[result - resultTypes.startIndex])
        } else {
            controlling = data.type
        }
        if OpcodeTable.flatPolymorphic[raw],
           !OpcodeTable.accepts(OpcodeTable.controllingTypeBits, data.opcode, controlling: controlling) {
            throw .invalid("\(data.opcode) is not defined for type \(controlling)")
        }
        for (index, constraint) in operands.enumerated()
        where !constraint.accepts(type(arguments[index]), controlling: controlling) {
            throw .invalid("operand \(index) of \(data.opcode).\(controlling) cannot have type \(type(arguments[index]))")
        }
        for (index, constraint) in resultTypes.enumerated()
        where !constraint.accepts(type(results[index]), controlling: controlling) {
            throw .invalid("result \(index) of \(data.opcode).\(controlling) cannot have type \(type(results[index]))")
        }
        return PreparedInstruction(data: data, arguments: arguments, results: results, controllingType: controlling)
    }
}

/// An instruction whose operands passed `FunctionDecoder.prepare`.
struct PreparedInstruction {
    var data: InstructionData
    var arguments: [Value]
    var results: [Value]
    var controllingType: IRType

    /// The controlling type's width in bits.
    var bits: Int { controllingType.bits }

    /// The register of argument `index`.
    func argument(_ index: Int) -> UInt32 { arguments[index].index }

    /// The register of result `index`.
    func result(_ index: Int) -> UInt32 { results[index].index }
}
