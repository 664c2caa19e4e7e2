/// Instruction lines: results, opcode, type suffix and the operands of every format.
extension FunctionPrinter {
    mutating func printInstruction(_ inst: Inst) {
        guard inst.position < function.insts.count else {
            output += "    ; \(inst) is out of range\n"
            return
        }
        let data = function.insts[inst.position]
        let info = data.opcode.info
        output += "    "
        let results = inst.position < function.instResults.count ? values(in: function.instResults[inst.position]) : []
        if !results.isEmpty {
            output += results.map { "v\($0.index)" }.joined(separator: ", ")
            output += " = "
        }
        output += info.name
        if needsTypeSuffix(data, info: info) { output += ".\(data.type)" }
        printOperands(data, info: info)
        output += "\n"
        for value in results { markPrinted(value) }
    }

    /// See `CLIFPrinter`: required suffixes, and those Cranelift's reader needs because
    /// the typevar operand is not defined earlier in the text or has another type.
    private func needsTypeSuffix(_ data: InstructionData, info: OpcodeInfo) -> Bool {
        guard info.isPolymorphic, data.type.isValid else { return false }
        guard let operandIndex = info.typevarOperand else { return true }
        let arguments = values(in: data.arguments)
        guard operandIndex < arguments.count else { return true }
        let operand = arguments[arguments.startIndex + operandIndex]
        let definedEarlier = operand.position < printedValues.count && printedValues[operand.position]
        return !definedEarlier || type(of: operand) != data.type
    }

    private mutating func printOperands(_ data: InstructionData, info: OpcodeInfo) {
        let arguments = values(in: data.arguments)
        let calls = blockCalls(in: data.blockCalls)
        switch info.format {
        case .unary, .binary, .ternary, .multiAry:
            if !arguments.isEmpty { output += " " + list(arguments) }
        case .unaryImm:
            output += " " + Self.imm64Text(data.immediate)
        case .unaryIeee16:
            output += " " + FloatText.format(bits: UInt64(bitPattern: data.immediate), exponentBits: 5, fractionBits: 10)
        case .unaryIeee32:
            output += " " + FloatText.format(bits: UInt64(bitPattern: data.immediate), exponentBits: 8, fractionBits: 23)
        case .unaryIeee64:
            output += " " + FloatText.format(bits: UInt64(bitPattern: data.immediate), exponentBits: 11, fractionBits: 52)
        case .unaryConst:
            output += " const\(data.entity)"
        case .unaryGlobalValue:
            output += " gv\(data.entity)"
        case .binaryImm8, .ternaryImm8:
            output += " " + list(arguments) + ", \(UInt8(truncatingIfNeeded: data.immediate))"
        case .nullAry:
            break
        case .shuffle:
            let mask = data.constant.position < function.constants.count ? function.constants[data.constant.position] : []
            output += " " + list(arguments) + ", " + Self.hexText(of: mask)
        case .intCompare:
            output += " \(data.intCC) " + list(arguments)
        case .floatCompare:
            output += " \(data.floatCC) " + list(arguments)
        case .jump:
            output += " " + blockCallList(calls)
        case .brif:
            output += " " + list(arguments) + ", " + blockCallList(calls)
        case .branchTable:
            output += " " + list(arguments)
            if let defaultCall = calls.first {
                output += ", " + text(of: defaultCall) + ", [" + blockCallList(calls.dropFirst()) + "]"
            }
        case .call:
            output += " fn\(data.entity)(" + list(arguments) + ")"
        case .callIndirect:
            output += " sig\(data.entity), " + callee(arguments)
        case .tryCall:
            output += " fn\(UInt32(truncatingIfNeeded: data.immediate))(" + list(arguments) + "), "
                + exceptionTableText(data, calls: calls)
        case .tryCallIndirect:
            output += " " + callee(arguments) + ", " + exceptionTableText(data, calls: calls)
        case .funcAddr:
            output += " fn\(data.entity)"
        case .atomicRmw:
            output += Self.flagsText(data.flags) + " \(data.atomicOp) " + list(arguments)
        case .atomicCas, .loadNoOffset, .storeNoOffset:
            output += Self.flagsText(data.flags) + " " + list(arguments)
        case .load, .store:
            output += Self.flagsText(data.flags) + " " + list(arguments) + Self.offset32Text(data.offset)
        case .stackAddr:
            output += " ss\(data.entity)" + Self.offset32Text(data.offset)
        case .dynamicStackAddr:
            output += " dss\(data.entity)"
        case .trap:
            output += " \(data.trapCode)"
        case .condTrap, .intAddTrap:
            output += " " + list(arguments) + ", \(data.trapCode)"
        case .exceptionHandlerAddress:
            output += " block\(data.entity), " + Self.imm64Text(data.immediate)
        }
    }

    private func list(_ values: ArraySlice<Value>) -> String {
        values.map { "v\($0.index)" }.joined(separator: ", ")
    }

    /// `v1(v2, v3)`: an indirect callee and its arguments.
    private func callee(_ arguments: ArraySlice<Value>) -> String {
        guard let first = arguments.first else { return "?()" }
        return "v\(first.index)(" + list(arguments.dropFirst()) + ")"
    }

    private func blockCallList(_ calls: ArraySlice<BlockCall>) -> String {
        calls.map { text(of: $0) }.joined(separator: ", ")
    }

    /// `block3(v1, ret0, exn0)`, or `block3` without arguments.
    func text(of call: BlockCall) -> String {
        let arguments = blockArgs(in: call.arguments)
        guard !arguments.isEmpty else { return "block\(call.block.index)" }
        let spelled = arguments.map { argument -> String in
            switch argument {
            case .value(let value): return "v\(value.index)"
            case .tryCallReturn(let index): return "ret\(index)"
            case .tryCallException(let index): return "exn\(index)"
            }
        }
        return "block\(call.block.index)(" + spelled.joined(separator: ", ") + ")"
    }

    /// `sig0, block1(ret0), [ context v5, tag1: block2(exn0), default: block3 ]`.
    private func exceptionTableText(_ data: InstructionData, calls: ArraySlice<BlockCall>) -> String {
        guard data.exceptionTable.position < function.exceptionTables.count, let normalReturn = calls.first else {
            return "?"
        }
        let table = function.exceptionTables[data.exceptionTable.position]
        var items = table.contexts.map { "context v\($0.index)" }
        var handlerCalls = calls.dropFirst().makeIterator()
        for tag in table.handlerTags {
            switch tag {
            case .tag(let number):
                guard let call = handlerCalls.next() else { break }
                items.append("tag\(number): " + text(of: call))
            case .catchAll:
                guard let call = handlerCalls.next() else { break }
                items.append("default: " + text(of: call))
            case .context(let value):
                items.append("context v\(value.index)")
            }
        }
        let handlers = items.isEmpty ? "[]" : "[ " + items.joined(separator: ", ") + " ]"
        return "sig\(table.signature.index), " + text(of: normalReturn) + ", " + handlers
    }
}
