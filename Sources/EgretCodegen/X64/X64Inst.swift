import EgretIR

/// x86-64 machine instructions: one enum of instruction forms.
///
/// Each case is one form (an opcode family with fixed operand roles), its operands
/// typed: `Gpr` for a register read, `Writable<Gpr>` for a register written,
/// `OperandSize` for the width, `Amode`/`GprMem`/`GprMemImm` for operands that may be
/// memory or an immediate, `Xmm`/`Writable<Xmm>`/`XmmMem` and `FloatWidth` for the
/// scalar float forms (X64FloatArgs.swift), `CC` for a condition, `MachLabel` for a branch target and
/// `TrapCode` for forms that trap. The readers of the enum, each a file of its own and
/// each a `switch` with no `default:` so that a new form is a compile error everywhere
/// it must be handled:
///
///     X64Inst+Properties.swift  form name, supported sizes, operand size, trap code
///     X64Inst+Operands.swift    register operands for the allocator (use/def/reuse,
///                               fixed registers, clobbers) and register rewriting
///     X64Inst+Encode.swift      bytes, through X64Encoding.swift (REX/ModRM/SIB) and,
///                               for the float forms, X64Inst+FloatEncode.swift (VEX)
///     X64Inst+Print.swift       AT&T text as llvm-mc prints it
///     EgretSMT (later)          bit-vector semantics: `extension X64Inst` in that
///                               module with its own exhaustive switch; every case and
///                               operand is public so it can pattern-match them
///
/// **Two-address forms.** x86 ALU instructions overwrite their first source
/// (`addl %esi, %edi` computes edi = edi + esi). Forms model this as Cranelift does:
/// separate `src1` and `dst` operands plus a constraint that `dst` *reuses* the
/// register of `src1` (`OperandConstraint.reuse`). Before allocation they are
/// different virtual registers and the printer shows both (`addl %v2, %v1, %v3`);
/// the allocator gives them one physical register, inserting a move when `src1`
/// stays live. The encoder requires `src1 == dst` and says so if not.
///
/// **Fixed registers.** Forms whose operands are implicit in the encoding name them
/// as operands anyway, constrained to their physical register: div/idiv read rdx:rax
/// and write rax (quotient) and rdx (remainder); one-operand mul writes rdx:rax;
/// cqo reads rax and writes rdx; a shift by `%cl` reads rcx. The allocator sees each
/// as a fixed-register constraint, never as a hidden effect.
///
/// **Traps.** `ud2`, `trapIf`, division (#DE, on a zero divisor and on INT_MIN / -1:
/// lowering checks the latter first, so the recorded code is the divide-by-zero code)
/// and every memory operand whose `Amode` carries a trap code record
/// (offset → TrapCode) in the code buffer. One instruction has one trap code: a
/// divide whose divisor is in memory must not carry a different code on the memory
/// operand.
///
/// **Flags** are not operands: a flags producer (cmp, test, ALU ops) and its consumer
/// (setcc, cmove, jcc, trapIf, adc, sbb) must be adjacent in the lowered code, as in
/// Cranelift; the SMT semantics models the flags explicitly.
public enum X64Inst: Hashable, Sendable {
    // MARK: Integer arithmetic

    /// `addl %esi, %edi`: dst = src1 op src2 (add adc sub sbb and or xor), sizes 8–64.
    /// The immediate is sign-extended; dst reuses src1.
    case aluRmiR(op: AluOp, size: OperandSize, src1: Gpr, src2: GprMemImm, dst: Writable<Gpr>)
    /// `cmpq %rsi, %rdi` / `testl $1, %eax`: flags of src1 - src2 or src1 & src2,
    /// sizes 8–64.
    case cmpRmiR(op: CmpOp, size: OperandSize, src1: Gpr, src2: GprMemImm)
    /// `imulq %rsi, %rdi`: dst = low half of src1 * src2, sizes 16–64; dst reuses src1.
    case imul(size: OperandSize, src1: Gpr, src2: GprMem, dst: Writable<Gpr>)
    /// `imulq $5, %rsi, %rdi`: dst = low half of src * imm, sizes 16–64.
    case imulImm(size: OperandSize, src: GprMem, imm: Int32, dst: Writable<Gpr>)
    /// `mulq %rcx` / `imulq %rcx`: rdx:rax = rax * src2 (full product), sizes 16–64.
    /// src1 is fixed to rax, dstLo to rax, dstHi to rdx.
    case mul(size: OperandSize, signedness: Signedness, src1: Gpr, src2: GprMem,
             dstLo: Writable<Gpr>, dstHi: Writable<Gpr>)
    /// `mulb %cl`: ax = al * src2. src1 and dst are fixed to rax.
    case mul8(signedness: Signedness, src1: Gpr, src2: GprMem, dst: Writable<Gpr>)
    /// `divq %rcx` / `idivq %rcx`: rax = rdx:rax / divisor, rdx = remainder, sizes 16–64.
    /// Traps (#DE) on a zero divisor or an overflowing quotient.
    case div(size: OperandSize, signedness: Signedness, dividendLo: Gpr, dividendHi: Gpr,
             divisor: GprMem, quotient: Writable<Gpr>, remainder: Writable<Gpr>, trap: TrapCode)
    /// `divb %cl`: al = ax / divisor, ah = remainder. dividend and dst fixed to rax.
    case div8(signedness: Signedness, dividend: Gpr, divisor: GprMem, dst: Writable<Gpr>, trap: TrapCode)
    /// `cbtw` / `cwtd` / `cltd` / `cqto`: sign-extends rax into rdx (into ax at size 8),
    /// preparing a signed division. src fixed to rax, dst to rdx (rax at size 8).
    case signExtendData(size: OperandSize, src: Gpr, dst: Writable<Gpr>)
    /// `shlq $3, %rax` / `sarl %cl, %edx`: shifts and rotates, sizes 8–64. A count in a
    /// register is fixed to rcx; the hardware masks the count to 5 (6 at size 64)
    /// bits. dst reuses src.
    case shiftR(kind: ShiftKind, size: OperandSize, src: Gpr, count: ShiftCount, dst: Writable<Gpr>)
    /// `negq %rax` / `notb %sil`, sizes 8–64; dst reuses src.
    case unary(op: UnaryOp, size: OperandSize, src: Gpr, dst: Writable<Gpr>)
    /// `lzcntq %rsi, %rdi` (bsr bsf lzcnt tzcnt popcnt), sizes 16–64.
    case bitCount(op: BitCountOp, size: OperandSize, src: GprMem, dst: Writable<Gpr>)
    /// `bswapq %rax`, sizes 32 and 64; dst reuses src.
    case bswap(size: OperandSize, src: Gpr, dst: Writable<Gpr>)

    // MARK: Flag consumers

    /// `setne %al`: the low byte of dst = cc ? 1 : 0 (the upper bits are kept).
    case setcc(cc: CC, dst: Writable<Gpr>)
    /// `cmovneq %rsi, %rdi`: dst = cc ? consequent : alternative, sizes 16–64; dst
    /// reuses alternative.
    case cmove(size: OperandSize, cc: CC, consequent: GprMem, alternative: Gpr, dst: Writable<Gpr>)

    // MARK: Moves, loads and stores

    /// `movq %rsi, %rdi`, sizes 32 and 64 (a 32-bit move zero-extends).
    case movRR(size: OperandSize, src: Gpr, dst: Writable<Gpr>)
    /// `movl $imm, %eax` (size 32); `movq $imm, %rax` if the constant is a
    /// sign-extended 32-bit immediate, else `movabsq` (size 64).
    case movImm(size: OperandSize, imm: UInt64, dst: Writable<Gpr>)
    /// `movzbl (%rdi), %eax` / `movzwq %si, %rax`; `lq` is a 32-bit `movl`.
    case movzx(ext: ExtMode, src: GprMem, dst: Writable<Gpr>)
    /// `movsbl (%rdi), %eax` / `movslq %esi, %rax`.
    case movsx(ext: ExtMode, src: GprMem, dst: Writable<Gpr>)
    /// `leaq 8(%rsi,%rcx,4), %rdi`, sizes 32 and 64.
    case lea(size: OperandSize, address: Amode, dst: Writable<Gpr>)
    /// `movl 8(%rsp), %eax`, sizes 8–64 (8 and 16 keep the upper bits of dst).
    case load(size: OperandSize, src: Amode, dst: Writable<Gpr>)
    /// `movw %si, (%rdi)`, sizes 8–64.
    case store(size: OperandSize, src: Gpr, dst: Amode)
    /// `movl $7, 8(%rsp)`, sizes 8–64 (sign-extended 32-bit immediate at size 64).
    case storeImm(size: OperandSize, imm: Int32, dst: Amode)
    /// `movabsq $symbol, %rax`: the absolute address of an external symbol
    /// (an `absolute64` relocation).
    case loadSymbol(name: ExternalName, dst: Writable<Gpr>)

    // MARK: Stack

    /// `pushq %rbx` / `pushq $1` / `pushq 8(%rsp)`.
    case push(src: GprMemImm)
    /// `popq %rbx`.
    case pop(dst: Writable<Gpr>)

    // MARK: Control flow

    /// `callq symbol`: a `pcRel32` relocation to an external function.
    case callKnown(name: ExternalName, info: CallInfo)
    /// `callq *%rax` / `callq *8(%rdi)`.
    case callUnknown(target: GprMem, info: CallInfo)
    /// `retq` / `retq $n`; `returns` are the return values, each in its fixed
    /// register; `popBytes` are the stack arguments a `tail`-convention function pops
    /// (added by lowering; the emission puts the epilogue before it).
    case ret(returns: [FixedUse], popBytes: UInt16 = 0)
    /// `jmp .L3` (always rel32; no branch shortening yet).
    case jmp(target: MachLabel)
    /// `jne .L3` (rel32).
    case jcc(cc: CC, target: MachLabel)
    /// `jmpq *%rax` / `jmpq *(%rdi,%rax,8)`: a jump-table dispatch.
    case jmpIndirect(target: GprMem)
    /// `jmp callee`: the last instruction of a tail call (`return_call`; `tail`
    /// convention only), a `pcRel32` relocation like `callKnown`. Lowering puts the
    /// register arguments in `info.uses` and stores `n = info.stackArgumentsSize` bytes
    /// of stack arguments at `.outgoingArguments + 0 ..< n`. The emission, after
    /// register allocation, puts the tail-call epilogue before the form's bytes:
    ///   1. restore the callee-saved registers other than rbp from their save slots,
    ///      leaving rsp where it is (the arguments are in caller-saved registers and
    ///      survive; rax, r10 and — for `returnCallKnown` — r11 are free scratch);
    ///   2. rax ← the return address [rbp + 8]; rbp ← the saved rbp [rbp + 0];
    ///   3. let T = the caller's rsp before it passed our stack arguments (rsp at
    ///      entry + 8 + our incoming-argument size); copy the n bytes from [rsp + 0…]
    ///      to [T - n …], highest 8-byte word first (the destination lies above the
    ///      source and may overlap it), through r10, addressing both rsp-relative;
    ///   4. rsp ← T - n - 8; [rsp] ← rax; then the `jmp`.
    /// The callee pops the n bytes with `ret $n` and returns to our caller with
    /// rsp = T, exactly as our own `ret $incoming` would have. The stack never grows.
    case returnCallKnown(name: ExternalName, info: ReturnCallInfo)
    /// `jmpq *%r11`: `returnCallKnown` through a function pointer, fixed to r11 (not an
    /// argument register, not callee-saved, untouched by the tail-call epilogue).
    case returnCallUnknown(target: Gpr, info: ReturnCallInfo)

    // MARK: Scalar floating point (SSE2, SSE4.1, FMA3)
    //
    // Float values live in the low lane of an xmm register; the bits above it are
    // unspecified, like the upper bits of a narrow integer. Forms that write only the
    // low lane (cvtsi2ss, sqrtss, roundss, cvtss2sd) model the destination as a plain
    // def: the lanes they keep are lanes nobody reads.

    /// `movss 8(%rsp), %xmm0` / `movsd` / `movups`: an f32, f64 or 128-bit load.
    case xmmLoad(width: XmmWidth, src: Amode, dst: Writable<Xmm>)
    /// `movss %xmm0, (%rdi)` / `movsd` / `movups`: an f32, f64 or 128-bit store.
    case xmmStore(width: XmmWidth, src: Xmm, dst: Amode)
    /// `movaps %xmm1, %xmm0`: a whole-register copy.
    case xmmMove(src: Xmm, dst: Writable<Xmm>)
    /// `movd %eax, %xmm0` / `movq %rax, %xmm0`, sizes 32 and 64 (the rest of dst is
    /// zeroed).
    case gprToXmm(size: OperandSize, src: Gpr, dst: Writable<Xmm>)
    /// `movd %xmm0, %eax` / `movq %xmm0, %rax`, sizes 32 and 64.
    case xmmToGpr(size: OperandSize, src: Xmm, dst: Writable<Gpr>)
    /// `addss %xmm1, %xmm0`: dst = src1 op src2 (add sub mul div min max); dst reuses
    /// src1.
    case xmmArith(op: FloatArithOp, width: FloatWidth, src1: Xmm, src2: XmmMem, dst: Writable<Xmm>)
    /// `sqrtsd %xmm1, %xmm0`.
    case xmmSqrt(width: FloatWidth, src: XmmMem, dst: Writable<Xmm>)
    /// `andps %xmm1, %xmm0` (and andn or xor) on all 128 bits; dst reuses src1.
    case xmmLogic(op: FloatLogicOp, src1: Xmm, src2: XmmMem, dst: Writable<Xmm>)
    /// `ucomiss %xmm1, %xmm0`: flags of src1 compared with src2 (ZF PF CF all set when
    /// unordered; CF when src1 < src2; ZF when equal).
    case xmmCompare(width: FloatWidth, src1: Xmm, src2: XmmMem)
    /// `cmpunordss %xmm1, %xmm0`: the low lane of dst = all ones if the predicate holds
    /// for (src1, src2), else zeros; dst reuses src1.
    case xmmCompareMask(predicate: FloatComparePredicate, width: FloatWidth, src1: Xmm, src2: XmmMem,
                        dst: Writable<Xmm>)
    /// `cvtsi2ss %eax, %xmm0` / `cvtsi2sdq (%rdi), %xmm0`: a signed integer of
    /// `intSize` (32 or 64) bits to a float, rounded to nearest even.
    case intToFloat(intSize: OperandSize, width: FloatWidth, src: GprMem, dst: Writable<Xmm>)
    /// `cvttss2si %xmm0, %eax`: a float truncated to a signed integer of `intSize` (32
    /// or 64) bits; NaN and out-of-range values give the "integer indefinite" value
    /// (the minimum signed integer).
    case floatToInt(width: FloatWidth, intSize: OperandSize, src: XmmMem, dst: Writable<Gpr>)
    /// `cvtss2sd %xmm1, %xmm0` (from f32) / `cvtsd2ss` (from f64).
    case floatConvert(from: FloatWidth, src: XmmMem, dst: Writable<Xmm>)
    /// `roundss $9, %xmm1, %xmm0` (SSE4.1): src rounded to an integral value.
    case xmmRound(width: FloatWidth, mode: RoundingMode, src: XmmMem, dst: Writable<Xmm>)
    /// `vfmadd213ss %xmm2, %xmm1, %xmm0` (FMA3): dst = src1 · src2 + src3 with one
    /// rounding; dst reuses src1 (src2 is VEX.vvvv, src3 the r/m operand).
    case fma(width: FloatWidth, src1: Xmm, src2: Xmm, src3: XmmMem, dst: Writable<Xmm>)
    /// `jne .+5; movaps %xmm1, %xmm0` (a short jump on the inverse condition over the
    /// copy): dst = cc ? consequent : alternative; dst reuses alternative. A flags
    /// consumer like cmove.
    case xmmCmove(cc: CC, consequent: Xmm, alternative: Xmm, dst: Writable<Xmm>)

    // MARK: Atomics
    //
    // x86 is TSO: an aligned plain load is an atomic load and needs no fence; a
    // sequentially consistent store is an `xchg`. The locked forms below are full
    // barriers. Their memory operand carries a trap code like a load's.

    /// `lock cmpxchgl %ecx, (%rdi)`, sizes 8–64: if the memory equals `expected` (fixed
    /// to rax), store `replacement`; either way `dstOld` (fixed to rax) receives the
    /// memory's old value and ZF tells whether the exchange happened.
    case lockCmpxchg(size: OperandSize, replacement: Gpr, expected: Gpr, mem: Amode, dstOld: Writable<Gpr>)
    /// `xchgl %ecx, (%rdi)` (implicitly locked), sizes 8–64: stores `operand` and
    /// writes the memory's old value to `dst`, which reuses `operand`.
    case xchg(size: OperandSize, operand: Gpr, mem: Amode, dst: Writable<Gpr>)
    /// `lock xaddl %ecx, (%rdi)`, sizes 8–64: memory += `operand`; `dst` (reusing
    /// `operand`) receives the memory's old value.
    case lockXadd(size: OperandSize, operand: Gpr, mem: Amode, dst: Writable<Gpr>)
    /// `mfence`: orders every load and store before it against those after it.
    case mfence
    /// An atomic read-modify-write loop, sizes 8–64, for operations x86 has no single
    /// locked instruction for. Expanded at encoding into
    ///
    ///         movzbl (mem), %eax            (movzwl / movl / movq by size)
    ///     again:
    ///         movq %rax, %temp
    ///         [swap the bytes of temp]      (byteSwapped only)
    ///         <op> %operand, %temp          (nand: and + not; min/max: cmp + cmov)
    ///         [swap the bytes of temp]
    ///         lock cmpxchg %temp, (mem)
    ///         jne again
    ///
    /// `dstOld` (fixed to rax) receives the memory's old value (zero-extended from
    /// the size). `temp` and `dstOld` are *early* defs: written before `operand` and
    /// the address registers are last read, so the allocator keeps them apart.
    /// `byteSwapped` computes on the byte-reversed memory value (a big-endian access);
    /// `dstOld` is then the raw, unswapped old bytes.
    case atomicRmwLoop(op: AtomicLoopOp, size: OperandSize, byteSwapped: Bool, operand: Gpr, mem: Amode,
                       temp: Writable<Gpr>, dstOld: Writable<Gpr>)

    /// `lock cmpxchg16b (%rdi)`: if the 16 bytes at `mem` equal `expected` (rdx:rax),
    /// store `replacement` (rcx:rbx); `dstOld` (rdx:rax) receives the old 16 bytes
    /// either way. The address must be 16-byte aligned (else #GP, reported as the
    /// memory operand's trap).
    case lockCmpxchg16b(replacement: GprPair, expected: GprPair, mem: Amode, dstOld: WritableGprPair)
    /// `atomicRmwLoop` on 16 bytes, around `lock cmpxchg16b`:
    ///
    ///         movq (mem), %rax; movq 8(mem), %rdx
    ///     again:
    ///         movq %rax, %rbx; movq %rdx, %rcx    (xchg: the operand instead)
    ///         <op> %operand, %rcx:%rbx            (add/adc, sub/sbb, pairwise and/or/xor,
    ///                                             nand: and + not; min/max: a 128-bit
    ///                                             compare through `scratch`, two cmovs)
    ///         lock cmpxchg16b (mem)
    ///         jne again
    ///
    /// `temp` is fixed to rcx:rbx and `dstOld` to rdx:rax; they and `scratch` are
    /// early defs, like the narrow loop's. `byteSwapped` reverses the 16 bytes of
    /// rcx:rbx before the operation and after it (bswap both halves and exchange them
    /// through `scratch`), as the narrow loop's flag does.
    case atomicRmwLoop128(op: AtomicLoopOp, byteSwapped: Bool, operand: GprPair, mem: Amode, scratch: Writable<Gpr>,
                          temp: WritableGprPair, dstOld: WritableGprPair)

    // MARK: Traps

    /// `ud2`, recorded as trapping with `trap`.
    case ud2(trap: TrapCode)
    /// `jno .+4; ud2`: traps with `trap` if `cc` holds (a short jump over an inline
    /// ud2 on the inverse condition).
    case trapIf(cc: CC, trap: TrapCode)
}
