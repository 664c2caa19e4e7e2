import EgretIR

/// Values that need two registers: an i128 lives in a pair of 64-bit virtual registers,
/// bits 0–63 in the value's ordinary register (`values[v].register`) and bits 64–127
/// in a second one (`values[v].highRegister`), made on first request like the first.
///
///     i64 v3          values[3].register = r+1                  -> %vr
///     i128 v4         values[4].register = a+1, highRegister = b+1  -> %va:%vb
///
/// Everything that moves whole values goes through `valueRegs(of:)`: entry
/// parameters, block-argument moves and the call and return rules (one location per
/// half, `ABISignature.Value.highLocation`). Rules read an i128 operand with
/// `gprPair` and write an i128 result with `resultPair`; `gpr`/`result` of an i128
/// are its low half, which is what shift counts and `ireduce` want.
extension X64LoweringContext {
    /// The registers of `value`: one (of its class) for integers up to 64 bits and
    /// floats, low and high for i128. Does not mark the value used (for definitions).
    func valueRegs(of value: Value) -> (low: Reg, high: Gpr?) {
        let low = anyRegister(of: value)
        guard function.type(of: value) == .i128 else { return (low, nil) }
        return (low, highRegister(of: value))
    }

    /// The virtual register of the high half of the i128 `value`, created on first
    /// request.
    func highRegister(of value: Value) -> Gpr {
        let existing = values[value.position].highRegister
        if existing != 0 { return Gpr(virtual: existing - 1) }
        let index = UInt32(vregClasses.count)
        vregClasses.append(.int)
        values[value.position].highRegister = index + 1
        return Gpr(virtual: index)
    }

    /// Both registers of the i128 `value`, marking it used.
    func usePair(_ value: Value) -> GprPair {
        values[value.position].isUsed = true
        return GprPair(low: register(of: value), high: highRegister(of: value))
    }

    // MARK: LoweringBuilder

    func gprPair(_ operand: Int) -> GprPair { usePair(operandValue(operand)) }

    func resultPair(_ result: Int) -> WritableGprPair {
        let value = function.valuePool[Int(function.instResults[currentInst.position].start) + result]
        return WritableGprPair(low: Writable(register(of: value)), high: Writable(highRegister(of: value)))
    }

    func wideComparison(_ operand: Int) -> FusedWideComparison {
        let icmp = definition(of: operandValue(operand))
        let start = Int(icmp.arguments.start)
        return FusedWideComparison(condition: icmp.intCC, lhs: usePair(function.valuePool[start]),
                                   rhs: usePair(function.valuePool[start + 1]))
    }
}
