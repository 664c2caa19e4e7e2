/// Rules the opcode table's type constraints cannot express: immediates in range for
/// their type, constants of the right size, memory flags that make sense for the
/// access, addresses of pointer width, `bitcast` widths, global-value types
/// (Cranelift's `immediate_constraints`, `iconst_bounds`, `verify_bitcast`,
/// `verify_constant_size`, `verify_is_address`, `typecheck_special`, and the settings
/// some instructions need).
///
/// Requires: a sound instruction (its operands, constant and global value exist).
extension FunctionVerifier {
    mutating func checkImmediates(ofInst inst: Int, data: InstructionData, row: VerifierOpcodeTable.Row,
                                  controlling: IRType, knowsControllingType: Bool) {
        switch row.format {
        case .unaryImm:
            if data.opcode == .iconst && knowsControllingType {
                checkIntegerConstant(ofInst: inst, immediate: data.immediate, type: controlling)
            }
        case .unaryIeee16:
            checkFloatBits(ofInst: inst, immediate: data.immediate, bits: 16)
        case .unaryIeee32:
            checkFloatBits(ofInst: inst, immediate: data.immediate, bits: 32)
        case .unaryIeee64:
            break
        case .binaryImm8, .ternaryImm8:
            checkLaneIndex(ofInst: inst, data: data, controlling: controlling, knowsControllingType: knowsControllingType)
        case .shuffle:
            checkShuffleMask(ofInst: inst, constant: data.constant)
        case .unaryConst:
            let expectedBytes = data.opcode == .f128const ? 16 : (knowsControllingType ? controlling.bytes : nil)
            if let expectedBytes {
                let actualBytes = function.constants[data.constant.position].count
                if actualBytes != expectedBytes {
                    report(inst: inst, "the instruction expects \(data.constant) to have a size of \(expectedBytes) bytes but it has \(actualBytes)")
                }
            }
        case .unaryGlobalValue:
            checkGlobalValueType(ofInst: inst, globalValue: data.globalValue)
        case .loadNoOffset:
            if data.opcode == .bitcast {
                checkBitcast(ofInst: inst, data: data, controlling: controlling, knowsControllingType: knowsControllingType)
            } else {
                checkAddress(argument: 0, of: data, ofInst: inst)
            }
        case .load, .atomicRmw, .atomicCas:
            checkAddress(argument: 0, of: data, ofInst: inst)
        case .store, .storeNoOffset:
            if data.flags.readonly {
                report(inst: inst, "a store instruction cannot have the `readonly` memory flag")
            }
            checkAddress(argument: 1, of: data, ofInst: inst)
        case .nullAry, .unary:
            checkRequiredSetting(ofInst: inst, opcode: data.opcode)
        case .binary, .ternary, .multiAry, .intCompare, .floatCompare, .jump, .brif,
             .branchTable, .call, .callIndirect, .tryCall, .tryCallIndirect, .funcAddr, .stackAddr,
             .dynamicStackAddr, .trap, .condTrap, .intAddTrap, .exceptionHandlerAddress:
            break
        }
    }

    /// The pinned register needs `enable_pinned_reg`; the frame pointer and return
    /// address need `preserve_frame_pointers` (Cranelift's verifier, which also refuses
    /// them without an ISA; Egret checks them only for functions read from a file,
    /// whose settings are known).
    private mutating func checkRequiredSetting(ofInst inst: Int, opcode: Opcode) {
        if opcode == .get_pinned_reg || opcode == .set_pinned_reg {
            if isEnabled("enable_pinned_reg") == false {
                report(inst: inst, "\(opcode.name) cannot be used without `set enable_pinned_reg`")
            }
        } else if opcode == .get_frame_pointer || opcode == .get_return_address {
            if isEnabled("preserve_frame_pointers") == false {
                report(inst: inst, "\(opcode.name) cannot be used without `set preserve_frame_pointers=true`")
            }
        }
    }

    /// `iconst`: the immediate is the type's bit pattern, zero-extended to 64 bits, as
    /// Cranelift stores it and its verifier (`iconst_bounds`) demands; the parser reads
    /// `iconst.i8 -1` and `iconst.i8 255` alike as 255. A sign-extended `-1` for an `i8`
    /// is rejected, so every later stage may rely on one representation.
    private mutating func checkIntegerConstant(ofInst inst: Int, immediate: Int64, type: IRType) {
        let bits = type.bits
        guard type.isInt, bits < 64 else { return }
        let pattern = UInt64(bitPattern: immediate)
        if pattern >> UInt64(bits) != 0 {
            report(inst: inst, "constant immediate \(immediate) is out of bounds for \(type) (an \(type) constant is stored as its \(bits)-bit pattern, zero-extended)")
        }
    }

    /// The bits of an `f16const`/`f32const` fit the type.
    private mutating func checkFloatBits(ofInst inst: Int, immediate: Int64, bits: Int) {
        if UInt64(bitPattern: immediate) >> UInt64(bits) != 0 {
            report(inst: inst, "the constant's bit pattern 0x\(String(UInt64(bitPattern: immediate), radix: 16)) is wider than \(bits) bits")
        }
    }

    /// `extractlane`/`insertlane` index a lane of their vector; every 8-bit lane index
    /// immediate is in 0 … 255.
    private mutating func checkLaneIndex(ofInst inst: Int, data: InstructionData, controlling: IRType,
                                         knowsControllingType: Bool) {
        let lane = data.immediate
        guard lane >= 0 && lane <= 255 else {
            report(inst: inst, "the lane index \(lane) is not an 8-bit unsigned immediate")
            return
        }
        guard data.opcode == .extractlane || data.opcode == .insertlane, knowsControllingType else { return }
        if lane >= Int64(controlling.laneCount) {
            report(inst: inst, "the lane \(lane) does not index into the type \(controlling)")
        }
    }

    /// A shuffle mask has 16 byte indices into the 32 bytes of its two operands.
    private mutating func checkShuffleMask(ofInst inst: Int, constant: Constant) {
        let mask = function.constants[constant.position]
        if mask.count != 16 {
            report(inst: inst, "the shuffle immediate \(constant) is \(mask.count) bytes long, not 16")
        } else if let index = mask.first(where: { $0 >= 32 }) {
            report(inst: inst, "shuffle immediate index \(index) is larger than the maximum 31")
        }
    }

    /// `bitcast` keeps the width; its only flags are a byte order, which it needs when
    /// it changes the lane count.
    private mutating func checkBitcast(ofInst inst: Int, data: InstructionData, controlling: IRType,
                                       knowsControllingType: Bool) {
        guard knowsControllingType, let operand = function.valuePool[data.arguments.indices].first else { return }
        let operandType = type(of: operand)
        var byteOrderOnly = data.flags
        byteOrderOnly.endianness = .native
        if operandType.bits != controlling.bits {
            report(inst: inst, "the bitcast argument \(operand) has a type of \(operandType.bits) bits, which doesn't match an expected type of \(controlling.bits) bits")
        } else if byteOrderOnly != MemFlags() {
            report(inst: inst, "the bitcast instruction only accepts the `big` or `little` memory flags")
        } else if data.flags.endianness == .native && operandType.laneCount != controlling.laneCount {
            report(inst: inst, "byte order specifier (`big` or `little`) required for bitcast instruction changing lane count")
        }
    }

    /// Memory is addressed with pointer-sized integers.
    @inline(__always)
    private mutating func checkAddress(argument index: Int, of data: InstructionData, ofInst inst: Int) {
        guard index < Int(data.arguments.count) else { return }
        let address = function.valuePool[Int(data.arguments.start) + index]
        let addressType = type(of: address)
        if let pointerType, addressType != pointerType {
            report(inst: inst, "invalid pointer width (got \(addressType.bits), expected \(pointerType.bits)) encountered \(address)")
        }
    }

    /// `symbol_value`/`tls_value` produce a value of the global value's type.
    private mutating func checkGlobalValueType(ofInst inst: Int, globalValue: GlobalValue) {
        guard let globalType = globalValueType(globalValue),
              let result = function.valuePool[function.instResults[inst].indices].first
        else { return }
        if type(of: result) != globalType {
            report(inst: inst, "global_value instruction with type \(type(of: result)) references global value with type \(globalType)")
        }
    }

    /// The type of a global value: pointer-sized, except loads and offsets which say
    /// their type; `nil` when it is not declared or the pointer type is unknown.
    func globalValueType(_ globalValue: GlobalValue) -> IRType? {
        guard globalValue.position < function.globalValues.count,
              let data = function.globalValues[globalValue.position]
        else { return nil }
        switch data {
        case .vmContext, .symbol, .dynamicScaleTargetConstant: return pointerType
        case .load(_, _, let type, _), .addImmediate(_, _, let type): return type
        }
    }
}
