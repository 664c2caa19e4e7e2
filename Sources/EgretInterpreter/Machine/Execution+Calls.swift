import EgretIR

/// Calls, tail calls and returns between the module's functions.
///
/// Requires: call sites decoded with matching argument/result counts (the decoder checked
/// them against the callee's signature; indirect callees are checked here).
/// Guarantees: a call never uses host stack; the live frames' costs (`frameCost`) stay
/// within the stack budget, a call past it trapping with `stk_ovf`; a tail call
/// replaces the caller's frame (registers, stack slots and budget), so tail recursion
/// runs in constant space; a returning frame's stack slots stop being addressable.
extension Execution {
    /// Where execution goes after a call instruction.
    enum Transfer {
        case continueAt(Int)
        case trap(TrapCode)
    }

    /// Performs call site `siteIndex` of the current frame: `call`/`call_indirect`
    /// (`tail` false) or `return_call`/`return_call_indirect` (`tail` true).
    mutating func call(site siteIndex: Int, returnPC: Int, tail: Bool) throws -> Transfer {
        let site = program.callSites.base[siteIndex]
        var callee = Int(site.callee)
        if site.callee < 0 {
            var address = registerFile[current.registerBase + Int(site.calleeRegister)].low
            if site.calleeAddressBits == 32 { address = AddressMap.widen(address32: address) }
            // Calling something that is not a function faults like a wild load would.
            guard let resolved = functionIndex(at: address) else { return .trap(.heapOutOfBounds) }
            if resolved >= program.frames.count {
                return try callLibcall(FloatLibcall.allCases[resolved - program.frames.count], site,
                                       returnPC: returnPC, tail: tail)
            }
            guard program.frames.base[resolved].signatureID == site.signatureID else {
                let name = program.functions[current.function].name
                throw InterpreterError.invalidProgram(
                    "indirect call to %\(program.functions[resolved].name) through a signature it does not have",
                    function: name, location: nil)
            }
            callee = resolved
        }
        return tail ? try replaceFrame(site, callee: callee) : try pushFrame(site, siteIndex, callee: callee,
                                                                               returnPC: returnPC)
    }

    /// The function (or, past the module's functions, the float libcall) whose
    /// `func_addr` is `address`, if any.
    private func functionIndex(at address: UInt64) -> Int? {
        let offset = address &- AddressMap.functionBase
        guard offset % AddressMap.functionStride == 0 else { return nil }
        let index = offset / AddressMap.functionStride
        return index < UInt64(program.frames.count + FloatLibcall.allCases.count) ? Int(index) : nil
    }

    /// An indirect call to a float libcall: computed on the spot, no frame.
    private mutating func callLibcall(_ libcall: FloatLibcall, _ site: CallSite, returnPC: Int,
                                      tail: Bool) throws -> Transfer {
        let name = program.functions[current.function].name
        guard let ordinal = FloatLibcall.allCases.firstIndex(of: libcall),
              program.libcallSignatureIDs[ordinal] == site.signatureID, site.resultCount == 1
        else {
            throw InterpreterError.invalidProgram(
                "indirect call to %\(libcall.rawValue) through a signature it does not have",
                function: name, location: nil)
        }
        guard !tail else {
            throw InterpreterError.unsupported(feature: "tail call to %\(libcall.rawValue)", function: name,
                                               location: nil)
        }
        let registers = registerFile + current.registerBase
        let pool = program.operandPool.base
        var operands: [UInt64] = [0, 0, 0]
        for position in 0 ..< min(Int(site.argumentCount), 3) {
            operands[position] = registers[Int(pool[Int(site.argumentStart) + position])].low
        }
        let result = libcall.evaluate(operands[0], operands[1], operands[2])
        registers[Int(pool[Int(site.resultStart)])] = Register(low: result)
        return .continueAt(returnPC)
    }

    /// A call: the callee's frame goes right above the caller's.
    private mutating func pushFrame(_ site: CallSite, _ siteIndex: Int, callee: Int,
                                    returnPC: Int) throws -> Transfer {
        let layout = program.frames.base[callee]
        let base = current.registerBase + Int(program.frames.base[current.function].registerCount)
        let budgetMark = stackUsed
        guard reserveRegisters(base + Int(layout.registerCount)), chargeFrame(of: callee, above: budgetMark) else {
            return .trap(.stackOverflow)
        }
        let callerRegisters = registerFile + current.registerBase
        let calleeRegisters = registerFile + base
        calleeRegisters.update(repeating: .zero, count: Int(layout.registerCount))
        let pool = program.operandPool.base
        for position in 0 ..< min(Int(site.argumentCount), Int(layout.parameterCount)) {
            let parameter = Int(pool[Int(layout.parameterStart) + position])
            calleeRegisters[parameter] = callerRegisters[Int(pool[Int(site.argumentStart) + position])]
        }
        let stackMark = memory.stackTop, liveSlotMark = memory.liveSlots.count
        guard let area = memory.pushFrame(layout, slots: program.stackSlots.base, limit: stackBudget) else {
            stackUsed = budgetMark
            return .trap(.stackOverflow)
        }
        var caller = current
        caller.returnPC = returnPC
        caller.callSite = siteIndex
        callers.append(caller)
        current = Frame(function: callee, registerBase: base, stackAreaStart: area, stackMark: stackMark,
                        liveSlotMark: liveSlotMark, budgetMark: budgetMark)
        try charge(layout.entryFuelCost)
        return .continueAt(Int(layout.entryCodeIndex))
    }

    /// A tail call: the arguments are staged above both frames, the caller's frame is
    /// released, and the callee's frame takes its place.
    private mutating func replaceFrame(_ site: CallSite, callee: Int) throws -> Transfer {
        let layout = program.frames.base[callee]
        let base = current.registerBase
        let staging = base + max(Int(program.frames.base[current.function].registerCount), Int(layout.registerCount))
        let argumentCount = Int(site.argumentCount)
        guard reserveRegisters(staging + argumentCount) else { return .trap(.stackOverflow) }
        let registers = registerFile + base
        let pool = program.operandPool.base
        for position in 0 ..< argumentCount {
            registerFile[staging + position] = registers[Int(pool[Int(site.argumentStart) + position])]
        }
        registers.update(repeating: .zero, count: Int(layout.registerCount))
        for position in 0 ..< min(argumentCount, Int(layout.parameterCount)) {
            registers[Int(pool[Int(layout.parameterStart) + position])] = registerFile[staging + position]
        }
        memory.popFrames(toStackTop: current.stackMark, liveSlotCount: current.liveSlotMark)
        guard chargeFrame(of: callee, above: current.budgetMark),
              let area = memory.pushFrame(layout, slots: program.stackSlots.base, limit: stackBudget)
        else { return .trap(.stackOverflow) }
        current.function = callee
        current.stackAreaStart = area
        try charge(layout.entryFuelCost)
        return .continueAt(Int(layout.entryCodeIndex))
    }

    /// Returns the values in `operandPool[start ..< start + count]` of the current frame
    /// to its caller and continues there; nil when the outermost frame returns.
    mutating func returnToCaller(values start: Int, count: Int) -> Int? {
        guard let caller = callers.popLast() else { return nil }
        let site = program.callSites.base[caller.callSite]
        let pool = program.operandPool.base
        let calleeRegisters = registerFile + current.registerBase
        let callerRegisters = registerFile + caller.registerBase
        for position in 0 ..< min(count, Int(site.resultCount)) {
            callerRegisters[Int(pool[Int(site.resultStart) + position])] =
                calleeRegisters[Int(pool[start + position])]
        }
        memory.popFrames(toStackTop: current.stackMark, liveSlotCount: current.liveSlotMark)
        stackUsed = current.budgetMark
        current = caller
        return caller.returnPC
    }
}
