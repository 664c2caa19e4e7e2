/// The instructions pass: for every sound instruction in layout order, SSA dominance of
/// its uses, then the type rules of the opcode table, then the rules of calls,
/// branches (Verifier+Calls.swift) and immediates (Verifier+Immediates.swift).
///
/// Requires: the references pass (`instIsSound`: every index of the instruction is in
/// range and names a usable value or placed block) and the dominators pass.
/// Guarantees: see `IRVerifier`; in particular every use in a reachable block is
/// dominated by its definition, and `InstructionData.type` of every polymorphic
/// instruction is its controlling type, in the opcode's type set.
///
/// This is the hot loop of the verifier: one pass over the layout, reading flat arrays;
/// nothing is allocated unless a problem is reported.
extension FunctionVerifier {
    mutating func checkInstructions() {
        for layoutIndex in 0 ..< layoutBlocks.count {
            let block = Int(layoutBlocks[layoutIndex])
            guard block >= 0 else { continue }
            let isReachable = reversePostorderNumber[layoutIndex] >= 0
            let insts = function.blocks[block].insts
            for position in 0 ..< insts.count {
                let inst = insts[position].position
                guard inst < instIsSound.count, instIsSound[inst], Int(instPosition[inst]) == position else { continue }
                checkUses(ofInst: inst, layoutIndex: layoutIndex, position: position, isReachable: isReachable)
                checkTypes(ofInst: inst)
            }
        }
    }

    // MARK: SSA

    /// Every value the instruction reads (operands, value block arguments, exception
    /// contexts) is defined by a placed instruction or block, and, when the instruction
    /// is reachable, the definition dominates it. As in Cranelift, uses in unreachable
    /// blocks are not checked for dominance: no execution can reach them.
    private mutating func checkUses(ofInst inst: Int, layoutIndex: Int, position: Int, isReachable: Bool) {
        let data = function.insts[inst]
        let argumentStart = Int(data.arguments.start)
        for index in argumentStart ..< argumentStart + Int(data.arguments.count) {
            checkUse(of: function.valuePool[index], inst: inst, layoutIndex: layoutIndex, position: position,
                     isReachable: isReachable)
        }
        guard data.blockCalls.count > 0 else { return }
        for callIndex in Int(data.blockCalls.start) ..< Int(data.blockCalls.start) + Int(data.blockCalls.count) {
            let arguments = function.blockCallPool[callIndex].arguments
            for index in Int(arguments.start) ..< Int(arguments.start) + Int(arguments.count) {
                if case .value(let value) = function.blockArgPool[index] {
                    checkUse(of: value, inst: inst, layoutIndex: layoutIndex, position: position,
                             isReachable: isReachable)
                }
            }
        }
        if data.format == .tryCall || data.format == .tryCallIndirect {
            let exceptionTable = function.exceptionTables[data.exceptionTable.position]
            for value in exceptionTable.contexts {
                checkUse(of: value, inst: inst, layoutIndex: layoutIndex, position: position, isReachable: isReachable)
            }
            for case .context(let value) in exceptionTable.handlerTags {
                checkUse(of: value, inst: inst, layoutIndex: layoutIndex, position: position, isReachable: isReachable)
            }
        }
    }

    @inline(__always)
    private mutating func checkUse(of value: Value, inst: Int, layoutIndex: Int, position: Int, isReachable: Bool) {
        let definition = function.values[value.position]
        switch definition.definition {
        case .result:
            let definingInst = Int(definition.owner)
            let definingLayout = Int(instBlock[definingInst])
            if definingLayout == layoutIndex {
                // The common case: defined earlier in the same block.
                guard isReachable, Int(instPosition[definingInst]) >= position else { return }
                report(inst: inst, definingInst == inst
                    ? "uses value \(value) from itself"
                    : "uses value \(value) before its definition (later in the same block)")
            } else if definingLayout < 0 {
                report(inst: inst, "uses value \(value), whose defining instruction is not in any block")
            } else if isReachable && !dominates(layout: definingLayout, layoutIndex) {
                report(inst: inst, "uses value \(value) from non-dominating block\(blockNumber(atLayout: Int32(definingLayout)))")
            }
        case .param:
            let definingLayout = Int(blockLayoutIndex[Int(definition.owner)])
            if definingLayout < 0 {
                report(inst: inst, "uses value \(value), a parameter of block\(definition.owner), which is not in the layout")
            } else if isReachable && !dominates(layout: definingLayout, layoutIndex) {
                report(inst: inst, "uses value \(value), a parameter of non-dominating block\(definition.owner)")
            }
        case .none:
            // Sound instructions only use usable values, which are defined.
            break
        }
    }

    // MARK: Types from the opcode table

    private mutating func checkTypes(ofInst inst: Int) {
        let data = function.insts[inst]
        let row = table.row(data.opcode)
        var controlling = IRType.invalid
        if row.isPolymorphic {
            controlling = data.type
            if !table.allows(data.opcode, controlling: controlling) {
                let allowed = data.opcode.info.controllingTypes?.verifierDescription ?? "no type"
                if !controlling.isValid {
                    report(inst: inst, "has no controlling type (\(data.opcode.name) is polymorphic over \(allowed))")
                } else {
                    // Keep checking against it: the operands may well agree with each other.
                    report(inst: inst, "has an invalid controlling type \(controlling) (allowed: \(allowed))")
                }
            }
        }
        let knowsControllingType = !row.isPolymorphic || controlling.isValid
        checkFixedOperands(ofInst: inst, data: data, row: row, controlling: controlling,
                           knowsControllingType: knowsControllingType)
        let isCallWithResults = (row.format == .call || row.format == .callIndirect) && !row.isTerminator
        if !isCallWithResults {
            checkFixedResults(ofInst: inst, row: row, controlling: controlling, knowsControllingType: knowsControllingType)
        }
        checkControlFlowAndCalls(ofInst: inst, data: data, row: row)
        checkImmediates(ofInst: inst, data: data, row: row, controlling: controlling,
                        knowsControllingType: knowsControllingType)
    }

    @inline(__always)
    private mutating func checkFixedOperands(ofInst inst: Int, data: InstructionData, row: VerifierOpcodeTable.Row,
                                             controlling: IRType, knowsControllingType: Bool) {
        let first = Int(data.arguments.start)
        for index in 0 ..< Int(row.operandCount) {
            let constraintIndex = Int(row.operandStart) + index
            let constraint = table.operands[constraintIndex]
            guard knowsControllingType || constraint.kind == .fixed || constraint.kind == .free else { continue }
            let value = function.valuePool[first + index]
            let actual = type(of: value)
            if !VerifierOpcodeTable.satisfies(actual, constraint, full: table.operandTypes[constraintIndex],
                                              controlling: controlling) {
                let expected = table.operandTypes[constraintIndex].expectation(controlling: controlling)
                report(inst: inst, "arg \(index) (\(value)) has type \(actual), expected \(expected)")
            }
        }
    }

    @inline(__always)
    private mutating func checkFixedResults(ofInst inst: Int, row: VerifierOpcodeTable.Row, controlling: IRType,
                                            knowsControllingType: Bool) {
        let results = function.instResults[inst]
        guard Int(results.count) == Int(row.resultCount) else {
            report(inst: inst, "has \(results.count) result values, expected \(row.resultCount)")
            return
        }
        for index in 0 ..< Int(row.resultCount) {
            let constraintIndex = Int(row.resultStart) + index
            let constraint = table.results[constraintIndex]
            guard knowsControllingType || constraint.kind == .fixed || constraint.kind == .free else { continue }
            let value = function.valuePool[Int(results.start) + index]
            let actual = type(of: value)
            if !VerifierOpcodeTable.satisfies(actual, constraint, full: table.resultTypes[constraintIndex],
                                              controlling: controlling) {
                let expected = table.resultTypes[constraintIndex].expectation(controlling: controlling)
                report(inst: inst, "result \(index) (\(value)) has type \(actual), expected \(expected)")
            }
        }
    }
}

// MARK: - Describing type constraints in messages

extension OperandType {
    /// "i32", "an integer scalar narrower than i64", for "expected …".
    func expectation(controlling: IRType) -> String {
        switch self {
        case .free(let set):
            return set.verifierDescription
        case .narrower(let set):
            return "\(set.verifierDescription), narrower than \(controlling)"
        case .wider(let set):
            return "\(set.verifierDescription), wider than \(controlling)"
        case .controlling, .fixed, .laneOf, .asTruthy, .halfWidth, .doubleWidth, .splitLanes, .mergeLanes,
             .dynamicToVector:
            if let type = resolve(controlling: controlling) { return type.description }
            return "a type derived from \(controlling), which has none"
        }
    }
}

extension TypeSet {
    /// "i32 or i64", "i8, i16, i32 or i64, or a vector of such lanes", "a vector of
    /// i8 lanes", for messages.
    var verifierDescription: String {
        var lanes: [String] = []
        for kind in IRType.LaneKind.allCases {
            let widthBit: UInt8 = 1 << UInt8((kind.bits / 8).trailingZeroBitCount)
            if (kind.isInteger ? integerWidths : floatWidths) & widthBit != 0 { lanes.append(kind.name) }
        }
        let list: String
        switch lanes.count {
        case 0: return "no type"
        case 1: list = lanes[0]
        default: list = lanes.dropLast().joined(separator: ", ") + " or " + (lanes.last ?? "")
        }
        let hasVectors = vectorLanesLog2 != nil || dynamicLanesLog2 != nil
        switch (includesScalars, hasVectors) {
        case (true, false): return list
        case (true, true): return list + ", or a vector of such lanes"
        case (false, true): return "a vector of \(list) lanes"
        case (false, false): return "no type"
        }
    }
}
