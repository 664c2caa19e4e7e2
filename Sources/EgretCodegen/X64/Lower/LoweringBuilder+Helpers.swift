import EgretIR

/// Small sequences many rules share, built from the builder's primitives only (so a
/// recording builder records them like any other instruction).
extension LoweringBuilder {
    /// The width of the controlling type as an x86 operand size (i8 → 8 bits).
    public var size: OperandSize { OperandSize(exactly: type) }

    /// The width ALU operations run at: 32 bits for i8, i16 and i32 (the upper bits of
    /// narrow values are unspecified, so the 32-bit forms compute the right low bits
    /// without partial-register writes), 64 for i64.
    public var aluSize: OperandSize { OperandSize(alu: type) }

    /// A `.constant` operand as a 32-bit immediate (guarded by `fits_simm32` or
    /// narrower than 64 bits).
    public func imm32(_ operand: Int) -> Int32 { Int32(truncatingIfNeeded: constant(operand)) }

    /// Operand `operand` zero- or sign-extended from its type to `size` (32 or 64) in
    /// a fresh register; the register itself when no extension is needed (a 32-bit
    /// value read at 32 bits, a 64-bit value).
    public func extended(_ operand: Int, signed: Bool, to size: OperandSize) -> Gpr {
        extend(gpr(operand), from: operandType(operand), signed: signed, to: size)
    }

    /// `source`, a value of `type`, extended to `size` (32 or 64 bits).
    public func extend(_ source: Gpr, from type: IRType, signed: Bool, to size: OperandSize) -> Gpr {
        let mode: ExtMode
        switch (type.bits, size) {
        case (8, .size64): mode = .bq
        case (8, _): mode = .bl
        case (16, .size64): mode = .wq
        case (16, _): mode = .wl
        case (32, .size64): mode = .lq
        default: return source
        }
        let destination = newGpr()
        emit(signed ? .movsx(mode, src: .reg(source), dst: destination)
                    : .movzx(mode, src: .reg(source), dst: destination))
        return destination.reg
    }

    /// A fresh register holding `value` (the low `size` bits are what matter).
    public func materialize(_ value: Int64, size: OperandSize) -> Gpr {
        let destination = newGpr()
        emitConstant(value, size: size, into: destination)
        return destination.reg
    }

    /// `mov $value, destination`: a 32-bit move for sizes up to 32 (which zeroes the
    /// upper half), `movq`/`movabsq` at 64.
    public func emitConstant(_ value: Int64, size: OperandSize, into destination: Writable<Gpr>) {
        switch size {
        case .size8, .size16, .size32:
            emit(.movImm(size: .size32, imm: UInt64(UInt32(truncatingIfNeeded: value)), dst: destination))
        case .size64:
            emit(.movImm(size: .size64, imm: UInt64(bitPattern: value), dst: destination))
        }
    }

    /// A 64-bit register copy into `destination` (the allocator coalesces these).
    public func emitCopy(_ source: Gpr, into destination: Writable<Gpr>) {
        emit(.movRR(size: .size64, src: source, dst: destination))
    }

    /// Sets flags for "operand is non-zero": `test x, x` at the operand's width.
    public func emitTestNonZero(_ operand: Int) {
        let source = gpr(operand)
        emit(.cmpRmiR(.test, size: OperandSize(exactly: operandType(operand)), src1: source, src2: .reg(source)))
    }
}

extension OperandSize {
    /// The size of an integer type up to 64 bits.
    @inlinable public init(exactly type: IRType) {
        switch type.bits {
        case 8: self = .size8
        case 16: self = .size16
        case 32: self = .size32
        default: self = .size64
        }
    }

    /// The size ALU operations on `type` run at: 32 below 64 bits, else 64.
    @inlinable public init(alu type: IRType) {
        self = type.bits == 64 ? .size64 : .size32
    }
}

extension IRType {
    /// All ones at this width, as a sign-extended 64-bit value (-1).
    var signedMinimum: Int64 { bits >= 64 ? .min : -(1 << Int64(bits - 1)) }
    var signedMaximum: Int64 { bits >= 64 ? .max : (1 << Int64(bits - 1)) - 1 }

    /// `value` sign-extended from this type's width.
    func signExtend(_ value: Int64) -> Int64 {
        let bits = self.bits
        guard bits > 0 && bits < 64 else { return value }
        let shift = Int64(64 - bits)
        return (value << shift) >> shift
    }
}
