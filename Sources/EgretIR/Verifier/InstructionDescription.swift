/// The CLIF text of one instruction, for the verifier's messages:
/// `v3 = iadd v1, v2`, `brif v0, block1(v2), block2`, `v5 = load.i32 notrap v4+8`.
///
/// Unlike a printer it must cope with any malformed instruction (out-of-range pools,
/// entities that do not exist), so every read is bounds-checked and anything missing
/// prints as `?`. Long operand lists are cut short with `…`. It only runs when a
/// problem has been found, so it favours clarity over speed.
extension FunctionVerifier {
    /// How many operands or targets a description shows before `…`.
    static let describedItemLimit = 8

    func describeInstruction(_ inst: Int) -> String {
        guard inst < function.insts.count else { return "inst\(inst)" }
        let data = function.insts[inst]
        var text = ""
        if inst < function.instResults.count, let results = values(in: function.instResults[inst]), !results.isEmpty {
            text = describeList(results.map(\.description)) + " = "
        }
        text += data.opcode.name
        let info = data.opcode.info
        if info.requiresTypeSuffix || (info.isPolymorphic && data.format == .unaryImm) {
            text += data.type.isValid ? ".\(data.type)" : ""
        }
        let operands = describeOperands(data)
        if !operands.isEmpty { text += " " + operands }
        return text
    }

    private func describeOperands(_ data: InstructionData) -> String {
        let arguments = values(in: data.arguments).map { $0.map(\.description) } ?? ["?"]
        let flags = data.flags.description.isEmpty ? "" : data.flags.description + " "
        func argument(_ index: Int) -> String { index < arguments.count ? arguments[index] : "?" }
        func withOffset(_ base: String) -> String {
            data.offset == 0 ? base : data.offset > 0 ? "\(base)+\(data.offset)" : "\(base)\(data.offset)"
        }
        switch data.format {
        case .unary, .binary, .ternary, .multiAry:
            return describeList(arguments)
        case .unaryImm:
            return "\(data.immediate)"
        case .unaryIeee16, .unaryIeee32, .unaryIeee64:
            return "0x" + String(UInt64(bitPattern: data.immediate), radix: 16)
        case .unaryConst:
            return data.constant.description
        case .unaryGlobalValue:
            return data.globalValue.description
        case .binaryImm8, .ternaryImm8:
            return describeList(arguments) + ", \(data.immediate)"
        case .nullAry:
            return ""
        case .shuffle:
            return describeList(arguments) + ", \(data.constant)"
        case .intCompare:
            return (IntCC(rawValue: data.code).map(\.description) ?? "?") + " " + describeList(arguments)
        case .floatCompare:
            return (FloatCC(rawValue: data.code).map(\.description) ?? "?") + " " + describeList(arguments)
        case .jump:
            return describeBlockCalls(data.blockCalls, from: 0)
        case .brif:
            return argument(0) + ", " + describeBlockCalls(data.blockCalls, from: 0)
        case .branchTable:
            return argument(0) + ", " + describeBlockCalls(data.blockCalls, from: 0, limit: 1)
                + ", [" + describeBlockCalls(data.blockCalls, from: 1) + "]"
        case .call:
            return "\(data.funcRef)(" + describeList(arguments) + ")"
        case .callIndirect:
            return "\(data.sigRef), \(argument(0))(" + describeList(Array(arguments.dropFirst())) + ")"
        case .tryCall, .tryCallIndirect:
            let callee = data.format == .tryCall ? "\(Self.tryCallCallee(of: data))" : argument(0)
            let callArguments = data.format == .tryCall ? arguments : Array(arguments.dropFirst())
            var signature = "?"
            var tags: [String] = []
            if data.exceptionTable.position < function.exceptionTables.count {
                let exceptionTable = function.exceptionTables[data.exceptionTable.position]
                signature = exceptionTable.signature.description
                for tag in exceptionTable.handlerTags {
                    switch tag {
                    case .tag(let number): tags.append("tag\(number): ")
                    case .catchAll: tags.append("default: ")
                    case .context: break
                    }
                }
            }
            return "\(callee)(" + describeList(callArguments) + "), \(signature), "
                + describeBlockCalls(data.blockCalls, from: 0, limit: 1)
                + ", [" + describeBlockCalls(data.blockCalls, from: 1, prefixes: tags) + "]"
        case .funcAddr:
            return data.funcRef.description
        case .atomicRmw:
            let operation = AtomicRmwOp(rawValue: data.code).map(\.description) ?? "?"
            return flags + operation + " " + describeList(arguments)
        case .atomicCas, .loadNoOffset, .storeNoOffset:
            return flags + describeList(arguments)
        case .load:
            return flags + withOffset(argument(0))
        case .store:
            return flags + argument(0) + ", " + withOffset(argument(1))
        case .stackAddr:
            return withOffset(data.stackSlot.description)
        case .dynamicStackAddr:
            return DynamicStackSlot(data.entity).description
        case .trap:
            return data.trapCode.description
        case .condTrap, .intAddTrap:
            return describeList(arguments) + ", \(data.trapCode)"
        case .exceptionHandlerAddress:
            return "\(Block(data.entity)), \(data.immediate)"
        }
    }

    /// `a, b, c` cut short after `describedItemLimit` items.
    private func describeList(_ items: [String]) -> String {
        guard items.count > Self.describedItemLimit else { return items.joined(separator: ", ") }
        return items.prefix(Self.describedItemLimit).joined(separator: ", ") + ", …"
    }

    /// `block1(v0, ret0), block2` for block calls `from` onwards (at most `limit`), each
    /// after its prefix (`tag1: `) when there is one.
    private func describeBlockCalls(_ range: PoolRange, from first: Int, limit: Int = .max,
                                    prefixes: [String] = []) -> String {
        guard let calls = blockCalls(in: range) else { return "?" }
        let selected = calls.dropFirst(first).prefix(limit)
        return describeList(selected.enumerated().map { index, call in
            let prefix = index < prefixes.count ? prefixes[index] : ""
            guard let arguments = blockArgs(in: call.arguments) else { return "\(prefix)\(call.block)(?)" }
            guard !arguments.isEmpty else { return prefix + call.block.description }
            return "\(prefix)\(call.block)(" + describeList(arguments.map(Self.describeBlockArg)) + ")"
        })
    }

    static func describeBlockArg(_ argument: BlockArg) -> String {
        switch argument {
        case .value(let value): return value.description
        case .tryCallReturn(let index): return "ret\(index)"
        case .tryCallException(let index): return "exn\(index)"
        }
    }
}
