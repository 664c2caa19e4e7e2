/// Rules of control transfer: block arguments against block parameters, call arguments
/// and results against signatures, `return` against the function's signature, the
/// extra rules of tail calls and of `try_call` (Cranelift's `typecheck_variable_args`,
/// `typecheck_return`, `typecheck_tail_call`, `block_call_arg_ty`).
///
/// Requires: a sound instruction (its signatures, targets and values exist).
extension FunctionVerifier {
    /// Which edge a block call is, for where `retN` and `exnN` may appear.
    enum BlockCallRole {
        case plain
        /// The normal-return target of a `try_call`: may pass `retN`.
        case normalReturn(Signature)
        /// A handler of a `try_call`: may pass `exnN`.
        case handler(Signature)
    }

    mutating func checkControlFlowAndCalls(ofInst inst: Int, data: InstructionData, row: VerifierOpcodeTable.Row) {
        switch row.format {
        case .jump, .brif, .branchTable:
            for call in function.blockCallPool[data.blockCalls.indices] {
                checkBlockCall(call, ofInst: inst, role: .plain)
            }
        case .multiAry:
            if data.opcode == .return {
                checkReturnValues(function.valuePool[data.arguments.indices], ofInst: inst)
            }
        case .call:
            guard let callee = signature(of: data.funcRef) else { return }
            checkCallArguments(function.valuePool[data.arguments.indices], against: callee,
                               calleeName: data.funcRef.description, ofInst: inst)
            checkCall(ofInst: inst, callee: callee, row: row)
        case .callIndirect:
            guard let callee = signature(data.sigRef) else { return }
            checkCallArguments(function.valuePool[data.arguments.indices].dropFirst(), against: callee,
                               calleeName: data.sigRef.description, ofInst: inst)
            checkCall(ofInst: inst, callee: callee, row: row)
        case .tryCall, .tryCallIndirect:
            checkTryCall(ofInst: inst, data: data, arguments: function.valuePool[data.arguments.indices])
        case .exceptionHandlerAddress:
            checkHandlerIndex(ofInst: inst, data: data)
        case .unary, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .unaryConst, .unaryGlobalValue, .binary,
             .binaryImm8, .ternary, .ternaryImm8, .nullAry, .shuffle, .intCompare, .floatCompare, .funcAddr,
             .atomicRmw, .atomicCas, .load, .loadNoOffset, .store, .storeNoOffset, .stackAddr, .dynamicStackAddr,
             .trap, .condTrap, .intAddTrap:
            break
        }
    }

    // MARK: Calls

    /// A call's results come from the callee's signature; a tail call has none, and
    /// must be compatible with the caller instead.
    private mutating func checkCall(ofInst inst: Int, callee: Signature, row: VerifierOpcodeTable.Row) {
        if row.isTerminator {
            checkTailCall(ofInst: inst, callee: callee)
            if function.instResults[inst].count != 0 {
                report(inst: inst, "has \(function.instResults[inst].count) result values, expected 0")
            }
            return
        }
        let results = function.valuePool[function.instResults[inst].indices]
        guard results.count == callee.returns.count else {
            report(inst: inst, "has \(results.count) result values, but the callee's signature \(callee) returns \(callee.returns.count)")
            return
        }
        for (index, value) in results.enumerated() where type(of: value) != callee.returns[index].type {
            report(inst: inst, "result \(index) (\(value)) has type \(type(of: value)), expected \(callee.returns[index].type)")
        }
    }

    private mutating func checkCallArguments(_ arguments: ArraySlice<Value>, against callee: Signature,
                                             calleeName: String, ofInst inst: Int) {
        guard arguments.count == callee.params.count else {
            report(inst: inst, "mismatched argument count: got \(arguments.count), expected \(callee.params.count) (\(calleeName) has signature \(callee))")
            return
        }
        for (index, value) in arguments.enumerated() where type(of: value) != callee.params[index].type {
            report(inst: inst, "arg \(index) (\(value)) has type \(type(of: value)), expected \(callee.params[index].type)")
        }
    }

    /// `return_call`: the callee uses `tail`, as the caller does, and returns what the
    /// caller returns.
    private mutating func checkTailCall(ofInst inst: Int, callee: Signature) {
        if !callee.callConv.supportsTailCalls {
            report(inst: inst, "calling convention `\(callee.callConv.name)` does not support tail calls")
        }
        if callee.callConv != function.signature.callConv {
            report(inst: inst, "callee's calling convention (`\(callee.callConv.name)`) must match caller's (`\(function.signature.callConv.name)`)")
        }
        let expected = function.signature.returns
        guard callee.returns.count == expected.count else {
            report(inst: inst, "results of callee must match caller: the callee returns \(callee.returns.count) values, the caller \(expected.count)")
            return
        }
        for (index, result) in callee.returns.enumerated() where result.type != expected[index].type {
            report(inst: inst, "result \(index) has type \(result.type), must match function signature of \(expected[index].type)")
        }
    }

    private mutating func checkReturnValues(_ arguments: ArraySlice<Value>, ofInst inst: Int) {
        let expected = function.signature.returns
        guard arguments.count == expected.count else {
            report(inst: inst, "arguments of return must match function signature: got \(arguments.count) values, the function returns \(expected.count)")
            return
        }
        for (index, value) in arguments.enumerated() where type(of: value) != expected[index].type {
            report(inst: inst, "result \(index) (\(value)) has type \(type(of: value)), must match function signature of \(expected[index].type)")
        }
    }

    // MARK: try_call

    /// The exception table's signature types the call; for a direct `try_call` it must
    /// equal the callee's declared signature (by value, as Cranelift compares them).
    private mutating func checkTryCall(ofInst inst: Int, data: InstructionData, arguments: ArraySlice<Value>) {
        let exceptionTable = function.exceptionTables[data.exceptionTable.position]
        guard let signature = signature(exceptionTable.signature) else { return }
        if data.format == .tryCall {
            let callee = Self.tryCallCallee(of: data)
            if let declared = self.signature(of: callee), declared != signature {
                let declaredReference = function.functionRefs[callee.position]?.signature.description ?? "?"
                report(inst: inst, "exception table signature \(exceptionTable.signature) did not match function \(callee)'s signature \(declaredReference)")
            }
            checkCallArguments(arguments, against: signature, calleeName: callee.description, ofInst: inst)
        } else {
            checkCallArguments(arguments.dropFirst(), against: signature,
                               calleeName: exceptionTable.signature.description, ofInst: inst)
        }
        if !signature.callConv.supportsExceptions {
            report(inst: inst, "calling convention `\(signature.callConv.name)` of callee does not support exceptions")
        }
        if function.instResults[inst].count != 0 {
            report(inst: inst, "has \(function.instResults[inst].count) result values; a try_call passes its results to its normal-return block")
        }
        let calls = function.blockCallPool[data.blockCalls.indices]
        for (index, call) in calls.enumerated() {
            checkBlockCall(call, ofInst: inst, role: index == 0 ? .normalReturn(signature) : .handler(signature))
        }
    }

    /// `get_exception_handler_address`: the block ends in a `try_call` with at least
    /// `index + 1` handlers.
    private mutating func checkHandlerIndex(ofInst inst: Int, data: InstructionData) {
        let index = data.immediate
        if index < 0 {
            report(inst: inst, "exception handler index \(index) cannot be negative")
            return
        }
        let block = Block(data.entity)
        let terminator = Int(layoutTerminator[Int(blockLayoutIndex[block.position])])
        let terminatorFormat = terminator >= 0 ? function.insts[terminator].format : .nullAry
        guard terminator >= 0, instIsSound[terminator],
              terminatorFormat == .tryCall || terminatorFormat == .tryCallIndirect
        else {
            report(inst: inst, "referenced block \(block) does not end in a try_call")
            return
        }
        let handlers = Int(function.insts[terminator].blockCalls.count) - 1
        if index >= handlers {
            report(inst: inst, "exception handler index \(index) is out-of-range (\(block)'s try_call has \(handlers) handlers)")
        }
    }

    // MARK: Block arguments

    /// The arguments match the target's parameters in number and type; `retN` and
    /// `exnN` only where the role allows, typed by the callee's signature.
    private mutating func checkBlockCall(_ call: BlockCall, ofInst inst: Int, role: BlockCallRole) {
        let params = function.valuePool[function.blocks[call.block.position].params.indices]
        let arguments = function.blockArgPool[call.arguments.indices]
        guard arguments.count == params.count else {
            report(inst: inst, "mismatched argument count for \(call.block): got \(arguments.count), expected \(params.count)")
            return
        }
        for (argument, param) in zip(arguments, params) {
            guard let actual = blockArgumentType(argument, ofInst: inst, role: role) else { continue }
            let expected = type(of: param)
            if actual != expected {
                report(inst: inst, "arg \(Self.describeBlockArg(argument)) has type \(actual), expected \(expected) (the type of \(call.block)'s parameter \(param))")
            }
        }
    }

    /// The type of a block argument, or `nil` after reporting that it may not appear.
    private mutating func blockArgumentType(_ argument: BlockArg, ofInst inst: Int, role: BlockCallRole) -> IRType? {
        switch (argument, role) {
        case (.value(let value), _):
            return type(of: value)
        case (.tryCallReturn(let index), .normalReturn(let signature)):
            guard Int(index) < signature.returns.count else {
                report(inst: inst, "out-of-bounds `ret\(index)` block argument (the callee returns \(signature.returns.count) values)")
                return nil
            }
            return signature.returns[Int(index)].type
        case (.tryCallReturn(let index), _):
            report(inst: inst, "`ret\(index)` block argument used outside the normal-return target of a `try_call`")
            return nil
        case (.tryCallException(let index), .handler(let signature)):
            guard Int(index) < signature.callConv.exceptionPayloadCount else {
                report(inst: inst, "out-of-bounds `exn\(index)` block argument (calling convention `\(signature.callConv.name)` delivers \(signature.callConv.exceptionPayloadCount) payload values)")
                return nil
            }
            // Without a pointer type the payload's type is unknown (as in Cranelift
            // without an ISA): accept whatever the handler declares.
            return pointerType
        case (.tryCallException(let index), _):
            report(inst: inst, "`exn\(index)` block argument used outside the exception handlers of a `try_call`")
            return nil
        }
    }
}
