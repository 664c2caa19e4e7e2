import EgretIR

/// The interpreter's hot loop: fetch a `MicroInstruction`, dispatch on its operation,
/// read and write registers of the current frame through a raw pointer.
///
/// Performance-sensitive: everything the loop touches per instruction is a local
/// (program counter, register pointer, code pointer, remaining fuel), the tables are
/// read through pointers the `DecodedProgram` owns (no bounds checks, no reference
/// counting), and nothing allocates. Fuel is charged per block entered, with the
/// block's instruction count, so straight-line code pays no per-instruction check.
/// Calls, returns and memory accesses leave the fast path for helpers.
///
/// Requires: a program from `FunctionDecoder` (register numbers below the frame's
/// register count, targets and pool ranges in bounds).
/// Guarantees: returns the call's values or its trap; throws `InterpreterError` for
/// unsupported features, invalid instructions and exhausted fuel (a frame past the
/// stack budget is the trap `stk_ovf`).
extension Execution {
    mutating func run(function index: Int, arguments: [DataValue]) throws -> CallOutcome {
        guard var pc = try enter(function: index, arguments: arguments) else { return .trap(.stackOverflow) }
        let code = program.code.base
        let targets = program.targets.base
        let moves = program.moves.base
        var registers = registerFile + current.registerBase
        var fuelLeft = fuel

        while true {
            let instruction = code[pc]
            pc &+= 1
            // The result register and the operand registers, in CLIF operand order
            // (see `MicroOp` for the operations that use them otherwise).
            let bits = instruction.bits
            let d = Int(instruction.destination), a = Int(instruction.a), b = Int(instruction.b)
            let c = Int(instruction.c)

            switch instruction.op {
            case .fail:
                throw program.failures[a]

            // MARK: Constants and moves
            case .constant: registers[d] = Register(low: instruction.immediate)
            case .copy: registers[d] = registers[a]
            case .truncate: registers[d] = Register(low: registers[a].low & NarrowInteger.mask(bits))
            case .signExtend:
                let value = NarrowInteger.signed(registers[a].low, instruction.otherBits)
                registers[d] = bits == 128 ? Register(UInt128(bitPattern: Int128(value)))
                    : Register(low: NarrowInteger.truncate(value, bits))
            case .concat:
                let half = UInt64(instruction.otherBits)
                registers[d] = half == 64 ? Register(low: registers[a].low, high: registers[b].low)
                    : Register(low: registers[a].low | registers[b].low &<< half)
            case .split:
                let whole = registers[a]
                if bits == 64 {
                    registers[d] = Register(low: whole.low)
                    registers[b] = Register(low: whole.high)
                } else {
                    registers[d] = Register(low: whole.low & NarrowInteger.mask(bits))
                    registers[b] = Register(low: whole.low &>> UInt64(bits))
                }

            // MARK: Whole registers
            case .band:
                registers[d] = Register(low: registers[a].low & registers[b].low,
                                        high: registers[a].high & registers[b].high)
            case .bor:
                registers[d] = Register(low: registers[a].low | registers[b].low,
                                        high: registers[a].high | registers[b].high)
            case .bxor:
                registers[d] = Register(low: registers[a].low ^ registers[b].low,
                                        high: registers[a].high ^ registers[b].high)
            case .bitselect:
                let mask = registers[a], x = registers[b], y = registers[c]
                registers[d] = Register(low: x.low & mask.low | y.low & ~mask.low,
                                        high: x.high & mask.high | y.high & ~mask.high)
            case .select:
                registers[d] = registers[a].isZero ? registers[c] : registers[b]
            case .bmask:
                registers[d] = registers[a].isZero ? .zero
                    : bits == 128 ? Register(low: .max, high: .max) : Register(low: NarrowInteger.mask(bits))

            // MARK: Narrow integers
            case .iadd: registers[d] = Register(low: (registers[a].low &+ registers[b].low) & NarrowInteger.mask(bits))
            case .isub: registers[d] = Register(low: (registers[a].low &- registers[b].low) & NarrowInteger.mask(bits))
            case .imul: registers[d] = Register(low: (registers[a].low &* registers[b].low) & NarrowInteger.mask(bits))
            case .ineg: registers[d] = Register(low: (0 &- registers[a].low) & NarrowInteger.mask(bits))
            case .iabs: registers[d] = Register(low: NarrowInteger.absoluteValue(registers[a].low, bits))
            case .umulhi:
                registers[d] = Register(low: NarrowInteger.unsignedMultiplyHigh(registers[a].low, registers[b].low, bits))
            case .smulhi:
                registers[d] = Register(low: NarrowInteger.signedMultiplyHigh(registers[a].low, registers[b].low, bits))
            case .udiv:
                let divisor = registers[b].low
                if divisor == 0 { return .trap(.integerDivisionByZero) }
                registers[d] = Register(low: registers[a].low / divisor)
            case .urem:
                let divisor = registers[b].low
                if divisor == 0 { return .trap(.integerDivisionByZero) }
                registers[d] = Register(low: registers[a].low % divisor)
            case .sdiv:
                let divisor = registers[b].low
                if divisor == 0 { return .trap(.integerDivisionByZero) }
                guard let quotient = NarrowInteger.signedDivide(registers[a].low, divisor, bits) else {
                    return .trap(.integerOverflow)
                }
                registers[d] = Register(low: quotient)
            case .srem:
                let divisor = registers[b].low
                if divisor == 0 { return .trap(.integerDivisionByZero) }
                registers[d] = Register(low: NarrowInteger.signedRemainder(registers[a].low, divisor, bits))
            case .smin:
                let x = registers[a].low, y = registers[b].low
                registers[d] = Register(low: NarrowInteger.signed(x, bits) < NarrowInteger.signed(y, bits) ? x : y)
            case .smax:
                let x = registers[a].low, y = registers[b].low
                registers[d] = Register(low: NarrowInteger.signed(x, bits) > NarrowInteger.signed(y, bits) ? x : y)
            case .umin: registers[d] = Register(low: min(registers[a].low, registers[b].low))
            case .umax: registers[d] = Register(low: max(registers[a].low, registers[b].low))
            case .icmp:
                let holds = NarrowInteger.compare(instruction.code, registers[a].low, registers[b].low, bits)
                registers[d] = Register(low: holds ? 1 : 0)
            case .uaddOverflow:
                Self.write(NarrowInteger.unsignedAdd(registers[a].low, registers[b].low, carry: 0, bits), registers, d, c)
            case .saddOverflow:
                Self.write(NarrowInteger.signedAdd(registers[a].low, registers[b].low, carry: 0, bits), registers, d, c)
            case .usubOverflow:
                Self.write(NarrowInteger.unsignedSubtract(registers[a].low, registers[b].low, borrow: 0, bits),
                           registers, d, c)
            case .ssubOverflow:
                Self.write(NarrowInteger.signedSubtract(registers[a].low, registers[b].low, borrow: 0, bits),
                           registers, d, c)
            case .umulOverflow:
                Self.write(NarrowInteger.unsignedMultiply(registers[a].low, registers[b].low, bits), registers, d, c)
            case .smulOverflow:
                Self.write(NarrowInteger.signedMultiply(registers[a].low, registers[b].low, bits), registers, d, c)
            case .uaddOverflowCin:
                let carry: UInt64 = registers[c].isZero ? 0 : 1
                Self.write(NarrowInteger.unsignedAdd(registers[a].low, registers[b].low, carry: carry, bits),
                           registers, d, Int(instruction.immediate))
            case .saddOverflowCin:
                let carry: UInt64 = registers[c].isZero ? 0 : 1
                Self.write(NarrowInteger.signedAdd(registers[a].low, registers[b].low, carry: carry, bits),
                           registers, d, Int(instruction.immediate))
            case .usubOverflowBin:
                let borrow: UInt64 = registers[c].isZero ? 0 : 1
                Self.write(NarrowInteger.unsignedSubtract(registers[a].low, registers[b].low, borrow: borrow, bits),
                           registers, d, Int(instruction.immediate))
            case .ssubOverflowBin:
                let borrow: UInt64 = registers[c].isZero ? 0 : 1
                Self.write(NarrowInteger.signedSubtract(registers[a].low, registers[b].low, borrow: borrow, bits),
                           registers, d, Int(instruction.immediate))
            case .uaddOverflowTrap:
                let (value, overflow) = NarrowInteger.unsignedAdd(registers[a].low, registers[b].low, carry: 0, bits)
                if overflow { return .trap(TrapCode(raw: instruction.code)) }
                registers[d] = Register(low: value)
            case .ishl: registers[d] = Register(low: NarrowInteger.shiftLeft(registers[a].low, registers[b].low, bits))
            case .ushr:
                registers[d] = Register(low: NarrowInteger.shiftRightLogical(registers[a].low, registers[b].low, bits))
            case .sshr:
                registers[d] = Register(low: NarrowInteger.shiftRightArithmetic(registers[a].low, registers[b].low, bits))
            case .rotl: registers[d] = Register(low: NarrowInteger.rotateLeft(registers[a].low, registers[b].low, bits))
            case .rotr: registers[d] = Register(low: NarrowInteger.rotateRight(registers[a].low, registers[b].low, bits))
            case .bnot: registers[d] = Register(low: ~registers[a].low & NarrowInteger.mask(bits))
            case .bitrev: registers[d] = Register(low: NarrowInteger.reverseBits(registers[a].low, bits))
            case .bswap: registers[d] = Register(low: NarrowInteger.swapBytes(registers[a].low, bits))
            case .clz: registers[d] = Register(low: NarrowInteger.countLeadingZeros(registers[a].low, bits))
            case .ctz: registers[d] = Register(low: NarrowInteger.countTrailingZeros(registers[a].low, bits))
            case .cls: registers[d] = Register(low: NarrowInteger.countLeadingSignBits(registers[a].low, bits))
            case .popcnt: registers[d] = Register(low: UInt64(registers[a].low.nonzeroBitCount))

            // MARK: Wide integers
            case .iaddWide: registers[d] = Register(registers[a].wide &+ registers[b].wide)
            case .isubWide: registers[d] = Register(registers[a].wide &- registers[b].wide)
            case .imulWide: registers[d] = Register(registers[a].wide &* registers[b].wide)
            case .inegWide: registers[d] = Register(0 &- registers[a].wide)
            case .iabsWide: registers[d] = Register(WideInteger.absoluteValue(registers[a].wide))
            case .umulhiWide: registers[d] = Register(WideInteger.unsignedMultiplyHigh(registers[a].wide, registers[b].wide))
            case .smulhiWide: registers[d] = Register(WideInteger.signedMultiplyHigh(registers[a].wide, registers[b].wide))
            case .udivWide, .uremWide:
                let divisor = registers[b].wide
                if divisor == 0 { return .trap(.integerDivisionByZero) }
                let dividend = registers[a].wide
                registers[d] = Register(instruction.op == .udivWide ? dividend / divisor : dividend % divisor)
            case .sdivWide:
                let divisor = registers[b].wide
                if divisor == 0 { return .trap(.integerDivisionByZero) }
                guard let quotient = WideInteger.signedDivide(registers[a].wide, divisor) else {
                    return .trap(.integerOverflow)
                }
                registers[d] = Register(quotient)
            case .sremWide:
                let divisor = registers[b].wide
                if divisor == 0 { return .trap(.integerDivisionByZero) }
                registers[d] = Register(WideInteger.signedRemainder(registers[a].wide, divisor))
            case .sminWide: registers[d] = Register(WideInteger.signedMinimum(registers[a].wide, registers[b].wide))
            case .smaxWide: registers[d] = Register(WideInteger.signedMaximum(registers[a].wide, registers[b].wide))
            case .uminWide: registers[d] = Register(min(registers[a].wide, registers[b].wide))
            case .umaxWide: registers[d] = Register(max(registers[a].wide, registers[b].wide))
            case .icmpWide:
                let holds = WideInteger.compare(instruction.code, registers[a].wide, registers[b].wide)
                registers[d] = Register(low: holds ? 1 : 0)
            case .uaddOverflowWide:
                Self.write(WideInteger.unsignedAdd(registers[a].wide, registers[b].wide, carry: 0), registers, d, c)
            case .saddOverflowWide:
                Self.write(WideInteger.signedAdd(registers[a].wide, registers[b].wide, carry: 0), registers, d, c)
            case .usubOverflowWide:
                Self.write(WideInteger.unsignedSubtract(registers[a].wide, registers[b].wide, borrow: 0), registers, d, c)
            case .ssubOverflowWide:
                Self.write(WideInteger.signedSubtract(registers[a].wide, registers[b].wide, borrow: 0), registers, d, c)
            case .uaddOverflowCinWide:
                let carry: UInt128 = registers[c].isZero ? 0 : 1
                Self.write(WideInteger.unsignedAdd(registers[a].wide, registers[b].wide, carry: carry),
                           registers, d, Int(instruction.immediate))
            case .saddOverflowCinWide:
                let carry: UInt128 = registers[c].isZero ? 0 : 1
                Self.write(WideInteger.signedAdd(registers[a].wide, registers[b].wide, carry: carry),
                           registers, d, Int(instruction.immediate))
            case .usubOverflowBinWide:
                let borrow: UInt128 = registers[c].isZero ? 0 : 1
                Self.write(WideInteger.unsignedSubtract(registers[a].wide, registers[b].wide, borrow: borrow),
                           registers, d, Int(instruction.immediate))
            case .ssubOverflowBinWide:
                let borrow: UInt128 = registers[c].isZero ? 0 : 1
                Self.write(WideInteger.signedSubtract(registers[a].wide, registers[b].wide, borrow: borrow),
                           registers, d, Int(instruction.immediate))
            case .ishlWide: registers[d] = Register(registers[a].wide &<< UInt128(registers[b].low & 127))
            case .ushrWide: registers[d] = Register(registers[a].wide &>> UInt128(registers[b].low & 127))
            case .sshrWide: registers[d] = Register(WideInteger.shiftRightArithmetic(registers[a].wide, registers[b].low))
            case .rotlWide: registers[d] = Register(WideInteger.rotateLeft(registers[a].wide, registers[b].low))
            case .rotrWide: registers[d] = Register(WideInteger.rotateRight(registers[a].wide, registers[b].low))
            case .bnotWide: registers[d] = Register(low: ~registers[a].low, high: ~registers[a].high)
            case .bitrevWide: registers[d] = Register(WideInteger.reverseBits(registers[a].wide))
            case .bswapWide: registers[d] = Register(registers[a].wide.byteSwapped)
            case .clzWide: registers[d] = Register(low: UInt64(registers[a].wide.leadingZeroBitCount))
            case .ctzWide: registers[d] = Register(low: UInt64(registers[a].wide.trailingZeroBitCount))
            case .clsWide: registers[d] = Register(WideInteger.countLeadingSignBits(registers[a].wide))
            case .popcntWide: registers[d] = Register(low: UInt64(registers[a].wide.nonzeroBitCount))

            // MARK: Floats
            case .fadd: registers[d] = Register(low: FloatSemantics.binary(bits, registers[a].low, registers[b].low, +, +))
            case .fsub: registers[d] = Register(low: FloatSemantics.binary(bits, registers[a].low, registers[b].low, -, -))
            case .fmul: registers[d] = Register(low: FloatSemantics.binary(bits, registers[a].low, registers[b].low, *, *))
            case .fdiv: registers[d] = Register(low: FloatSemantics.binary(bits, registers[a].low, registers[b].low, /, /))
            case .fmin:
                registers[d] = Register(low: FloatSemantics.binary(bits, registers[a].low, registers[b].low,
                                                                   FloatSemantics.minimum, FloatSemantics.minimum))
            case .fmax:
                registers[d] = Register(low: FloatSemantics.binary(bits, registers[a].low, registers[b].low,
                                                                   FloatSemantics.maximum, FloatSemantics.maximum))
            case .fma:
                registers[d] = Register(low: FloatSemantics.fusedMultiplyAdd(bits, registers[a].low, registers[b].low,
                                                                             registers[c].low))
            case .sqrt:
                registers[d] = Register(low: FloatSemantics.unary(bits, registers[a].low, { $0.squareRoot() },
                                                                  { $0.squareRoot() }))
            case .ceil:
                registers[d] = Register(low: FloatSemantics.unary(bits, registers[a].low, { $0.rounded(.up) },
                                                                  { $0.rounded(.up) }))
            case .floor:
                registers[d] = Register(low: FloatSemantics.unary(bits, registers[a].low, { $0.rounded(.down) },
                                                                  { $0.rounded(.down) }))
            case .trunc:
                registers[d] = Register(low: FloatSemantics.unary(bits, registers[a].low, { $0.rounded(.towardZero) },
                                                                  { $0.rounded(.towardZero) }))
            case .nearest:
                registers[d] = Register(low: FloatSemantics.unary(bits, registers[a].low, { $0.rounded(.toNearestOrEven) },
                                                                  { $0.rounded(.toNearestOrEven) }))
            case .fneg: registers[d] = Register(low: registers[a].low ^ FloatSemantics.signBit(bits))
            case .fabs: registers[d] = Register(low: registers[a].low & ~FloatSemantics.signBit(bits))
            case .fcopysign:
                let sign = FloatSemantics.signBit(bits)
                registers[d] = Register(low: registers[a].low & ~sign | registers[b].low & sign)
            case .fcmp:
                let holds = FloatSemantics.compare(instruction.code, bits, registers[a].low, registers[b].low)
                registers[d] = Register(low: holds ? 1 : 0)
            case .fpromote: registers[d] = Register(low: FloatSemantics.promote(registers[a].low))
            case .fdemote: registers[d] = Register(low: FloatSemantics.demote(registers[a].low))
            case .fcvtToSint, .fcvtToUint:
                switch FloatSemantics.toInteger(registers[a].low, floatWidth: instruction.otherBits, intBits: bits,
                                                signed: instruction.op == .fcvtToSint) {
                case .value(let value): registers[d] = Register(value)
                case .trap(let code): return .trap(code)
                }
            case .fcvtToSintSat, .fcvtToUintSat:
                registers[d] = Register(FloatSemantics.toIntegerSaturating(
                    registers[a].low, floatWidth: instruction.otherBits, intBits: bits,
                    signed: instruction.op == .fcvtToSintSat))
            case .fcvtFromSint, .fcvtFromUint:
                registers[d] = Register(low: FloatSemantics.fromInteger(
                    registers[a].wide, intBits: instruction.otherBits, signed: instruction.op == .fcvtFromSint,
                    floatWidth: bits))

            // MARK: Memory
            case .load, .sload:
                let accessBits = instruction.otherBits
                guard let pointer = memory.bytes(at: Self.effectiveAddress(registers[a].low, instruction),
                                                 count: Int(accessBits &>> 3))
                else { return .trap(TrapCode(raw: instruction.code)) }
                let value = AddressSpace.read(pointer, bits: accessBits,
                                              bigEndian: instruction.flags & MemoryAccessFlags.bigEndian != 0)
                registers[d] = instruction.op == .load ? value
                    : Register(low: NarrowInteger.truncate(NarrowInteger.signed(value.low, accessBits), bits))
            case .store:
                let accessBits = instruction.otherBits
                guard let pointer = memory.bytes(at: Self.effectiveAddress(registers[a].low, instruction),
                                                 count: Int(accessBits &>> 3))
                else { return .trap(TrapCode(raw: instruction.code)) }
                AddressSpace.write(registers[b], to: pointer, bits: accessBits,
                                   bigEndian: instruction.flags & MemoryAccessFlags.bigEndian != 0)
            case .stackAddr:
                let base = bits == 32 ? AddressMap.stackBase32 : AddressMap.stackBase
                let address = base &+ UInt64(current.stackAreaStart) &+ instruction.immediate
                registers[d] = Register(low: address & NarrowInteger.mask(bits))
            case .atomicRmw, .atomicCas:
                if let code = atomic(instruction, registers) { return .trap(code) }

            // MARK: Control
            case .jump, .brif, .brTable:
                var targetIndex = b
                if instruction.op == .brif {
                    if registers[a].isZero { targetIndex = c }
                } else if instruction.op == .brTable {
                    let entry = registers[a].low
                    if entry < instruction.immediate { targetIndex = b &+ 1 &+ Int(entry) }
                }
                let target = targets[targetIndex]
                var move = Int(target.moveStart)
                let end = move &+ Int(target.moveCount)
                while move < end {
                    registers[Int(moves[move].to)] = registers[Int(moves[move].from)]
                    move &+= 1
                }
                fuelLeft &-= Int(target.fuelCost)
                if fuelLeft < 0 { throw InterpreterError.outOfFuel(steps: initialFuel) }
                pc = Int(target.codeIndex)
            case .trap:
                return .trap(TrapCode(raw: instruction.code))
            case .trapz:
                if registers[a].isZero { return .trap(TrapCode(raw: instruction.code)) }
            case .trapnz:
                if !registers[a].isZero { return .trap(TrapCode(raw: instruction.code)) }
            case .return:
                guard let resume = returnToCaller(values: a, count: b) else {
                    return outcome(returning: a, count: b)
                }
                pc = resume
                registers = registerFile + current.registerBase
            case .call, .callIndirect, .returnCall, .returnCallIndirect:
                fuel = fuelLeft
                let tail = instruction.op == .returnCall || instruction.op == .returnCallIndirect
                switch try call(site: a, returnPC: pc, tail: tail) {
                case .continueAt(let entry): pc = entry
                case .trap(let code): return .trap(code)
                }
                fuelLeft = fuel
                registers = registerFile + current.registerBase
            case .funcAddr:
                let address = AddressMap.functionAddress(Int(instruction.immediate), bits: Int(bits))
                registers[d] = Register(low: address & NarrowInteger.mask(bits))
            }
        }
    }

    /// Writes a value and its overflow flag (as an i8 0 or 1) to two registers.
    @inline(__always) static func write(_ result: (UInt64, Bool), _ registers: UnsafeMutablePointer<Register>,
                                        _ value: Int, _ flag: Int) {
        registers[value] = Register(low: result.0)
        registers[flag] = Register(low: result.1 ? 1 : 0)
    }

    @inline(__always) static func write(_ result: (UInt128, Bool), _ registers: UnsafeMutablePointer<Register>,
                                        _ value: Int, _ flag: Int) {
        registers[value] = Register(result.0)
        registers[flag] = Register(low: result.1 ? 1 : 0)
    }

    /// The address a load or store accesses: base plus offset, in the 32-bit view for an
    /// i32 address (wrapping at 32 bits).
    @inline(__always) static func effectiveAddress(_ base: UInt64, _ instruction: MicroInstruction) -> UInt64 {
        let address = base &+ instruction.immediate
        if instruction.flags & MemoryAccessFlags.address32 == 0 { return address }
        return AddressMap.widen(address32: address)
    }
}
