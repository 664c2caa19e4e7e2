import EgretIR

/// x86-64 machine instructions: one enum of operand *shapes*.
///
/// Each case is a shape: the operands of a family of forms with the same roles,
/// typed (`Gpr` for a register read, `Writable<Gpr>` for a register written,
/// `OperandSize` for the width, `Amode`/`GprMem`/`GprMemImm` for operands that may be
/// memory or an immediate, `Xmm`/`Writable<Xmm>`/`XmmMem` for the xmm forms, `CC`
/// for a condition, `MachLabel` for a branch target and `TrapCode` for forms that
/// trap). A shape with several forms carries the form's `FormID` first
/// (`.aluRmiR(.add, size: …)`); everything about the form itself (mnemonic,
/// opcodes, sizes, features, traps, semantics) is its row in the form table
/// (Forms/X64Form.swift, which explains the design). Shapes with one form (setcc,
/// cmove, the moves, push, pop, calls, jumps) name it implicitly (`form`).
///
/// The readers of the enum, each a file of its own and each a `switch` over the
/// shapes with no `default:`, so that a new shape is a compile error everywhere it
/// must be handled, and none switching over forms:
///
///     X64Inst+Properties.swift  form, operand size, memory operand, trap code, the
///                               rows used and the CPU features they need
///     X64Inst+Operands.swift    register operands for the allocator (use/def/reuse,
///                               fixed registers, clobbers) and register rewriting
///     X64Inst+Encode.swift      bytes, through X64Encoding.swift (prefixes, REX, VEX,
///                               ModRM, SIB)
///     X64Inst+Print.swift       AT&T text as llvm-mc prints it
///     EgretSMT                  bit-vector semantics: `extension X64Inst` in that
///                               module, an exhaustive switch over shapes that applies
///                               the meaning of the row's SemanticsKey
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
/// cqto reads rax and writes rdx; a shift by `%cl` reads rcx. The allocator sees each
/// as a fixed-register constraint, never as a hidden effect.
///
/// **Traps.** Whether a form traps is its row's `traps`: `ud2` always, division on
/// #DE (a zero divisor and INT_MIN / -1: lowering checks the latter first, so the
/// recorded code is the divide-by-zero code), and every form with a memory operand
/// whose `Amode` carries a trap code records (offset → TrapCode) in the code buffer
/// (`lea` never: it does not access its address). One instruction has one trap code:
/// a divide whose divisor is in memory must not carry a different code on the memory
/// operand.
///
/// **Flags** are not operands: a flags producer (cmp, test, ALU ops) and its consumer
/// (setcc, cmove, jcc, trapIf, adc, sbb) must be adjacent in the lowered code, as in
/// Cranelift; the SMT semantics models the flags explicitly.
public enum X64Inst: Hashable, Sendable {
    // MARK: Integer arithmetic

    /// `addl %esi, %edi`: dst = src1 op src2 (add adc sub sbb and or xor at 8–64 bits;
    /// imul at 16–64, without an immediate). The immediate is sign-extended; dst
    /// reuses src1.
    case aluRmiR(FormID, size: OperandSize, src1: Gpr, src2: GprMemImm, dst: Writable<Gpr>)
    /// `cmpq %rsi, %rdi` / `testl $1, %eax`: the flags of src1 op src2 (cmp test),
    /// nothing written.
    case cmpRmiR(FormID, size: OperandSize, src1: Gpr, src2: GprMemImm)
    /// `imulq $5, %rsi, %rdi`: dst = src op imm (imulImm, sizes 16–64).
    case aluRmImmR(FormID, size: OperandSize, src: GprMem, imm: Int32, dst: Writable<Gpr>)
    /// `mulq %rcx` / `imulq %rcx`: rdx:rax = rax op src2, the full product
    /// (mulUnsigned mulSigned, sizes 16–64). src1 is fixed to rax, dstLo to rax,
    /// dstHi to rdx.
    case mul(FormID, size: OperandSize, src1: Gpr, src2: GprMem, dstLo: Writable<Gpr>, dstHi: Writable<Gpr>)
    /// `mulb %cl`: ax = al op src2 (mulUnsigned mulSigned at 8 bits). src1 and dst
    /// are fixed to rax.
    case mul8(FormID, src1: Gpr, src2: GprMem, dst: Writable<Gpr>)
    /// `divq %rcx` / `idivq %rcx`: rax = rdx:rax / divisor, rdx = remainder
    /// (divUnsigned divSigned, sizes 16–64). Traps (#DE) on a zero divisor or an
    /// overflowing quotient. (`indirect`: the widest shape otherwise, it would set the
    /// size of every `X64Inst`.)
    indirect case div(FormID, size: OperandSize, dividendLo: Gpr, dividendHi: Gpr, divisor: GprMem,
             quotient: Writable<Gpr>, remainder: Writable<Gpr>, trap: TrapCode)
    /// `divb %cl`: al = ax / divisor, ah = remainder. dividend and dst fixed to rax.
    case div8(FormID, dividend: Gpr, divisor: GprMem, dst: Writable<Gpr>, trap: TrapCode)
    /// `cbtw` / `cwtd` / `cltd` / `cqto`: sign-extends rax into rdx (al into ax for
    /// cbtw), preparing a signed division; the size is the row's. src fixed to rax,
    /// dst to rdx (rax for cbtw).
    case signExtendData(FormID, src: Gpr, dst: Writable<Gpr>)
    /// `shlq $3, %rax` / `sarl %cl, %edx`: shifts and rotates (rol ror shl shr sar),
    /// sizes 8–64. A count in a register is fixed to rcx; the hardware masks the
    /// count to 5 (6 at size 64) bits. dst reuses src.
    case shiftR(FormID, size: OperandSize, src: Gpr, count: ShiftCount, dst: Writable<Gpr>)
    /// `negq %rax` / `notb %sil` / `bswapq %rax`: dst = op src in place (neg not at
    /// 8–64 bits, bswap at 32 and 64); dst reuses src.
    case unary(FormID, size: OperandSize, src: Gpr, dst: Writable<Gpr>)
    /// `lzcntq %rsi, %rdi` / `movzbl (%rdi), %eax`: dst = op src, a register or memory
    /// (bsr bsf lzcnt tzcnt popcnt at 16–64 bits; the extending moves movzb movzw
    /// movsb movsw movsl, whose source width is the row's and whose size is the
    /// destination's, 32 or 64).
    case unaryRmR(FormID, size: OperandSize, src: GprMem, dst: Writable<Gpr>)

    // MARK: Flag consumers (one form each: set, cmov)

    /// `setne %al`: the low byte of dst = cc ? 1 : 0 (the upper bits are kept).
    case setcc(cc: CC, dst: Writable<Gpr>)
    /// `cmovneq %rsi, %rdi`: dst = cc ? consequent : alternative, sizes 16–64; dst
    /// reuses alternative.
    case cmove(size: OperandSize, cc: CC, consequent: GprMem, alternative: Gpr, dst: Writable<Gpr>)

    // MARK: Moves, loads and stores (the forms mov, movabs, lea)

    /// `movq %rsi, %rdi`, sizes 8–64 (a 32-bit move zero-extends; the allocator
    /// coalesces 64-bit ones).
    case movRR(size: OperandSize, src: Gpr, dst: Writable<Gpr>)
    /// `movl $imm, %eax` (size 32); `movq $imm, %rax` if the constant is a
    /// sign-extended 32-bit immediate, else `movabsq` (size 64): the form `mov` or
    /// `movabs`, chosen by the value.
    case movImm(size: OperandSize, imm: UInt64, dst: Writable<Gpr>)
    /// `leaq 8(%rsi,%rcx,4), %rdi`, sizes 32 and 64.
    case lea(size: OperandSize, address: Amode, dst: Writable<Gpr>)
    /// `movl 8(%rsp), %eax`, sizes 8–64 (8 and 16 keep the upper bits of dst).
    case load(size: OperandSize, src: Amode, dst: Writable<Gpr>)
    /// `movw %si, (%rdi)`, sizes 8–64.
    case store(size: OperandSize, src: Gpr, dst: Amode)
    /// `movl $7, 8(%rsp)`, sizes 8–64 (sign-extended 32-bit immediate at size 64).
    case storeImm(size: OperandSize, imm: Int32, dst: Amode)
    /// `movabsq $symbol, %rax`: the absolute address of an external symbol (an
    /// `absolute64` relocation); with `throughGOT`, position-independent code's
    /// `movq symbol@GOTPCREL(%rip), %rax` (a `gotPCRel32` relocation).
    case loadSymbol(name: ExternalName, dst: Writable<Gpr>, throughGOT: Bool = false)

    // MARK: Stack (push, pop)

    /// `pushq %rbx` / `pushq $1` / `pushq 8(%rsp)`.
    case push(src: GprMemImm)
    /// `popq %rbx`.
    case pop(dst: Writable<Gpr>)

    // MARK: Control flow (call, jmp, jcc, ret)

    /// `callq symbol`: a `pcRel32` relocation to an external function. (`indirect`, like
    /// `callUnknown`: a name and a call's operand lists would make every `X64Inst`
    /// value half as large again, and a function of a million instructions keeps a
    /// million of them.)
    indirect case callKnown(name: ExternalName, info: CallInfo)
    /// `callq *%rax` / `callq *8(%rdi)`.
    indirect case callUnknown(target: GprMem, info: CallInfo)
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

    /// `movss 8(%rsp), %xmm0`: an f32, f64 or 128-bit load (movss movsd movups).
    case xmmLoad(FormID, src: Amode, dst: Writable<Xmm>)
    /// `movss %xmm0, (%rdi)`: an f32, f64 or 128-bit store (movss movsd movups).
    case xmmStore(FormID, src: Xmm, dst: Amode)
    /// `movaps %xmm1, %xmm0`: a whole-register copy (the form movaps).
    case xmmMove(src: Xmm, dst: Writable<Xmm>)
    /// `movd %eax, %xmm0` / `cvtsi2sdq (%rdi), %xmm0`: an integer of `size` (32 or 64)
    /// bits into an xmm register (movdToXmm: the bits, the rest zeroed; cvtsi2ss
    /// cvtsi2sd: converted, rounded to nearest even).
    case gprToXmm(FormID, size: OperandSize, src: GprMem, dst: Writable<Xmm>)
    /// `movd %xmm0, %eax` / `cvttss2si %xmm0, %eax`: an xmm register into an integer
    /// of `size` (32 or 64) bits (movdToGpr: the low bits, a register source only;
    /// cvttss2si cvttsd2si: truncated, NaN and out-of-range values giving the
    /// "integer indefinite" value, the minimum signed integer).
    case xmmToGpr(FormID, size: OperandSize, src: XmmMem, dst: Writable<Gpr>)
    /// `addss %xmm1, %xmm0`: dst = src1 op src2 (the scalar arithmetic, and andps
    /// andnps orps xorps on all 128 bits); dst reuses src1.
    case xmmRmR(FormID, src1: Xmm, src2: XmmMem, dst: Writable<Xmm>)
    /// `sqrtsd %xmm1, %xmm0`: dst = op src (sqrtss sqrtsd cvtss2sd cvtsd2ss).
    case xmmUnaryRmR(FormID, src: XmmMem, dst: Writable<Xmm>)
    /// `roundss $9, %xmm1, %xmm0`: dst = op src with an immediate (roundss roundsd:
    /// the rounding mode, `RoundingMode.immediate`).
    case xmmUnaryRmRImm(FormID, imm: UInt8, src: XmmMem, dst: Writable<Xmm>)
    /// `ucomiss %xmm1, %xmm0`: the flags of src1 compared with src2 (ucomiss ucomisd:
    /// ZF PF CF all set when unordered; CF when src1 < src2; ZF when equal).
    case xmmCompare(FormID, src1: Xmm, src2: XmmMem)
    /// `cmpunordss %xmm1, %xmm0`: the low lane of dst = all ones if the predicate
    /// holds for (src1, src2), else zeros (cmpss cmpsd); dst reuses src1.
    case xmmCompareMask(FormID, predicate: FloatComparePredicate, src1: Xmm, src2: XmmMem, dst: Writable<Xmm>)
    /// `vfmadd213ss %xmm2, %xmm1, %xmm0`: dst = src1 · src2 + src3 with one rounding
    /// (vfmadd213ss vfmadd213sd); dst reuses src1 (src2 is VEX.vvvv, src3 the r/m
    /// operand).
    case xmmVexTernary(FormID, src1: Xmm, src2: Xmm, src3: XmmMem, dst: Writable<Xmm>)
    /// `jne .+5; movaps %xmm1, %xmm0` (a short jump on the inverse condition over the
    /// copy): dst = cc ? consequent : alternative; dst reuses alternative. A flags
    /// consumer like cmove.
    case xmmCmove(cc: CC, consequent: Xmm, alternative: Xmm, dst: Writable<Xmm>)

    // MARK: Atomics
    //
    // x86 is TSO: an aligned plain load is an atomic load and needs no fence; a
    // sequentially consistent store is an `xchg`. The locked forms below are full
    // barriers. Their memory operand carries a trap code like a load's.

    /// `lock cmpxchgl %ecx, (%rdi)` (the form cmpxchg), sizes 8–64: if the memory
    /// equals `expected` (fixed to rax), store `replacement`; either way `dstOld`
    /// (fixed to rax) receives the memory's old value and ZF tells whether the
    /// exchange happened.
    case lockCmpxchg(size: OperandSize, replacement: Gpr, expected: Gpr, mem: Amode, dstOld: Writable<Gpr>)
    /// `xchgl %ecx, (%rdi)` / `lock xaddl %ecx, (%rdi)`, sizes 8–64: the memory
    /// becomes `operand` (xchg, implicitly locked) or the memory plus `operand`
    /// (xadd); `dst`, which reuses `operand`, receives the memory's old value.
    case exchange(FormID, size: OperandSize, operand: Gpr, mem: Amode, dst: Writable<Gpr>)
    /// `mfence`: a barrier without operands (the form mfence).
    case fence(FormID)
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

    /// `lock cmpxchg16b (%rdi)` (the form cmpxchg16b): if the 16 bytes at `mem` equal
    /// `expected` (rdx:rax), store `replacement` (rcx:rbx); `dstOld` (rdx:rax)
    /// receives the old 16 bytes either way. The address must be 16-byte aligned (else #GP, reported as the
    /// memory operand's trap).
    /// (`indirect`, like `atomicRmwLoop128`: the two rare 16-byte forms would otherwise
    /// make every `X64Inst` value, and each copy of one, a third larger.)
    indirect case lockCmpxchg16b(replacement: GprPair, expected: GprPair, mem: Amode, dstOld: WritableGprPair)
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
    indirect case atomicRmwLoop128(op: AtomicLoopOp, byteSwapped: Bool, operand: GprPair, mem: Amode, scratch: Writable<Gpr>,
                          temp: WritableGprPair, dstOld: WritableGprPair)

    // MARK: Traps

    /// `ud2`, recorded as trapping with `trap`.
    case ud2(trap: TrapCode)
    /// `jno .+4; ud2`: traps with `trap` if `cc` holds (a short jump over an inline
    /// ud2 on the inverse condition).
    case trapIf(cc: CC, trap: TrapCode)
}
