import Testing
import EgretIR
@testable import EgretCodegen

/// Encoder table, part: the atomic forms. Texts are llvm-mc 14's spelling (it prints
/// the lock prefix as a word of its own); the loop rows spell out the sequence the
/// pseudo-form stands for, the backward `jne` counted in bytes from the `movq` that
/// starts each retry. See X64EncoderTests for the checks.

func cmpxchg(_ size: OperandSize, _ replacement: Gpr, _ mem: Amode) -> X64Inst {
    .lockCmpxchg(size: size, replacement: replacement, expected: .rax, mem: mem, dstOld: Writable(.rax))
}

func xchg(_ size: OperandSize, _ operand: Gpr, _ mem: Amode) -> X64Inst {
    .exchange(.xchg, size: size, operand: operand, mem: mem, dst: Writable(operand))
}

func xadd(_ size: OperandSize, _ operand: Gpr, _ mem: Amode) -> X64Inst {
    .exchange(.xadd, size: size, operand: operand, mem: mem, dst: Writable(operand))
}

func rmwLoop(_ op: AtomicLoopOp, _ size: OperandSize, _ operand: Gpr, _ mem: Amode, temp: Gpr,
             swapped: Bool = false) -> X64Inst {
    .atomicRmwLoop(op: op, size: size, byteSwapped: swapped, operand: operand, mem: mem, temp: Writable(temp),
                   dstOld: Writable(.rax))
}

func cmpxchg16b(_ mem: Amode) -> X64Inst {
    .lockCmpxchg16b(replacement: GprPair(low: .rbx, high: .rcx), expected: GprPair(low: .rax, high: .rdx), mem: mem,
                    dstOld: WritableGprPair(low: Writable(.rax), high: Writable(.rdx)))
}

func rmwLoop128(_ op: AtomicLoopOp, _ low: Gpr, _ high: Gpr, _ mem: Amode, scratch: Gpr,
                swapped: Bool = false) -> X64Inst {
    .atomicRmwLoop128(op: op, byteSwapped: swapped, operand: GprPair(low: low, high: high), mem: mem, scratch: Writable(scratch),
                      temp: WritableGprPair(low: Writable(.rbx), high: Writable(.rcx)),
                      dstOld: WritableGprPair(low: Writable(.rax), high: Writable(.rdx)))
}

extension X64EncoderTable {
    static let atomics: [EncoderCase] = lockedForms + loops + sixteenByteForms

    static let lockedForms: [EncoderCase] = [
        // MARK: lock cmpxchg
        EncoderCase(cmpxchg(.size8, .rsi, m(.rdi)), "lock cmpxchgb %sil, (%rdi)"),
        EncoderCase(cmpxchg(.size8, .r9, m(.rsp, .r13, .eight, 8)), "lock cmpxchgb %r9b, 8(%rsp,%r13,8)"),
        EncoderCase(cmpxchg(.size8, .rcx, .rip(label(3))), "lock cmpxchgb %cl, .L3(%rip)"),
        EncoderCase(cmpxchg(.size16, .r15, m(.r12)), "lock cmpxchgw %r15w, (%r12)"),
        EncoderCase(cmpxchg(.size16, .rdx, m(.rbp, .r12, .two, -128)), "lock cmpxchgw %dx, -128(%rbp,%r12,2)"),
        EncoderCase(cmpxchg(.size16, .rbx, .rip(label(4))), "lock cmpxchgw %bx, .L4(%rip)"),
        EncoderCase(cmpxchg(.size32, .rcx, m(.rdi)), "lock cmpxchgl %ecx, (%rdi)"),
        EncoderCase(cmpxchg(.size32, .r8, m(.r13, 127)), "lock cmpxchgl %r8d, 127(%r13)"),
        EncoderCase(cmpxchg(.size32, .rsp, m(.rax, .rbx, .four, 128)), "lock cmpxchgl %esp, 128(%rax,%rbx,4)"),
        EncoderCase(cmpxchg(.size32, .rdi, .rip(label(5))), "lock cmpxchgl %edi, .L5(%rip)"),
        EncoderCase(cmpxchg(.size64, .rsi, m(.rsp)), "lock cmpxchgq %rsi, (%rsp)"),
        EncoderCase(cmpxchg(.size64, .r11, m(.rbp, -129)), "lock cmpxchgq %r11, -129(%rbp)"),
        EncoderCase(cmpxchg(.size64, .r14, m(.r10, .r9, .one, 2147483647)),
                    "lock cmpxchgq %r14, 2147483647(%r10,%r9)"),
        EncoderCase(cmpxchg(.size64, .rdx, .rip(label(6))), "lock cmpxchgq %rdx, .L6(%rip)"),
        // MARK: xchg with memory
        EncoderCase(xchg(.size8, .rax, m(.rdi)), "xchgb %al, (%rdi)"),
        EncoderCase(xchg(.size8, .rdi, m(.r8, .rsi, .two, 1)), "xchgb %dil, 1(%r8,%rsi,2)"),
        EncoderCase(xchg(.size8, .r10, .rip(label(1))), "xchgb %r10b, .L1(%rip)"),
        EncoderCase(xchg(.size16, .rcx, m(.rsp, 8)), "xchgw %cx, 8(%rsp)"),
        EncoderCase(xchg(.size16, .r9, m(.r12, .rax, .four, -1)), "xchgw %r9w, -1(%r12,%rax,4)"),
        EncoderCase(xchg(.size16, .rsi, .rip(label(2))), "xchgw %si, .L2(%rip)"),
        EncoderCase(xchg(.size32, .rdx, m(.rbp)), "xchgl %edx, (%rbp)"),
        EncoderCase(xchg(.size32, .r13, m(.rdi, .r13, .eight, -2147483648)), "xchgl %r13d, -2147483648(%rdi,%r13,8)"),
        EncoderCase(xchg(.size32, .rbx, .rip(label(3))), "xchgl %ebx, .L3(%rip)"),
        EncoderCase(xchg(.size64, .r15, m(.r13)), "xchgq %r15, (%r13)"),
        EncoderCase(xchg(.size64, .rax, m(.rsp, .rcx, .one, 0)), "xchgq %rax, (%rsp,%rcx)"),
        EncoderCase(xchg(.size64, .r8, .rip(label(4))), "xchgq %r8, .L4(%rip)"),
        // MARK: lock xadd
        EncoderCase(xadd(.size8, .rbx, m(.rsi)), "lock xaddb %bl, (%rsi)"),
        EncoderCase(xadd(.size8, .r12, m(.rax, .r12, .one, 16)), "lock xaddb %r12b, 16(%rax,%r12)"),
        EncoderCase(xadd(.size8, .rsp, .rip(label(9))), "lock xaddb %spl, .L9(%rip)"),
        EncoderCase(xadd(.size16, .rax, m(.r12)), "lock xaddw %ax, (%r12)"),
        EncoderCase(xadd(.size16, .r14, m(.rbx, .rdi, .eight, -300)), "lock xaddw %r14w, -300(%rbx,%rdi,8)"),
        EncoderCase(xadd(.size16, .rdx, .rip(label(10))), "lock xaddw %dx, .L10(%rip)"),
        EncoderCase(xadd(.size32, .rcx, m(.rdi)), "lock xaddl %ecx, (%rdi)"),
        EncoderCase(xadd(.size32, .rbp, m(.r11, .rdx, .two, 4)), "lock xaddl %ebp, 4(%r11,%rdx,2)"),
        EncoderCase(xadd(.size32, .r10, .rip(label(11))), "lock xaddl %r10d, .L11(%rip)"),
        EncoderCase(xadd(.size64, .r9, m(.rbp, 8)), "lock xaddq %r9, 8(%rbp)"),
        EncoderCase(xadd(.size64, .rsi, m(.rsp, .rax, .four, 0)), "lock xaddq %rsi, (%rsp,%rax,4)"),
        EncoderCase(xadd(.size64, .rdi, .rip(label(12))), "lock xaddq %rdi, .L12(%rip)"),
        // MARK: mfence
        EncoderCase(.fence(.mfence), "mfence"),
    ]

    static let loops: [EncoderCase] = [
        EncoderCase(rmwLoop(.add, .size32, .rdx, m(.rdi), temp: .rcx),
                    "movl (%rdi), %eax; movq %rax, %rcx; addl %edx, %ecx; lock cmpxchgl %ecx, (%rdi); jne .-9"),
        EncoderCase(rmwLoop(.sub, .size64, .rsi, m(.rsp, 8), temp: .r8),
                    "movq 8(%rsp), %rax; movq %rax, %r8; subq %rsi, %r8; lock cmpxchgq %r8, 8(%rsp); jne .-13"),
        EncoderCase(rmwLoop(.and, .size8, .rsi, m(.rdi), temp: .rcx),
                    "movzbl (%rdi), %eax; movq %rax, %rcx; andb %sil, %cl; lock cmpxchgb %cl, (%rdi); jne .-10"),
        EncoderCase(rmwLoop(.nand, .size16, .rdx, m(.r12, .rbx, .two, 0), temp: .r9),
                    "movzwl (%r12,%rbx,2), %eax; movq %rax, %r9; andw %dx, %r9w; notw %r9w; "
                        + "lock cmpxchgw %r9w, (%r12,%rbx,2); jne .-18"),
        EncoderCase(rmwLoop(.or, .size64, .r15, .rip(label(7)), temp: .rdx),
                    "movq .L7(%rip), %rax; movq %rax, %rdx; orq %r15, %rdx; lock cmpxchgq %rdx, .L7(%rip); jne .-15"),
        EncoderCase(rmwLoop(.xor, .size32, .rbx, m(.rbp, -128), temp: .r11),
                    "movl -128(%rbp), %eax; movq %rax, %r11; xorl %ebx, %r11d; lock cmpxchgl %r11d, -128(%rbp); "
                        + "jne .-12"),
        EncoderCase(rmwLoop(.umin, .size8, .rdx, m(.rsi), temp: .rcx),
                    "movzbl (%rsi), %eax; movq %rax, %rcx; cmpb %dl, %cl; cmoval %edx, %ecx; "
                        + "lock cmpxchgb %cl, (%rsi); jne .-12"),
        EncoderCase(rmwLoop(.umax, .size16, .r8, m(.rdi), temp: .r10),
                    "movzwl (%rdi), %eax; movq %rax, %r10; cmpw %r8w, %r10w; cmovbl %r8d, %r10d; "
                        + "lock cmpxchgw %r10w, (%rdi); jne .-17"),
        EncoderCase(rmwLoop(.smin, .size32, .rcx, m(.rdi, .rsi), temp: .rdx),
                    "movl (%rdi,%rsi), %eax; movq %rax, %rdx; cmpl %ecx, %edx; cmovgl %ecx, %edx; "
                        + "lock cmpxchgl %edx, (%rdi,%rsi); jne .-13"),
        EncoderCase(rmwLoop(.smax, .size64, .r13, m(.rbx, 16), temp: .r14),
                    "movq 16(%rbx), %rax; movq %rax, %r14; cmpq %r13, %r14; cmovlq %r13, %r14; "
                        + "lock cmpxchgq %r14, 16(%rbx); jne .-16"),
        EncoderCase(rmwLoop(.xchg, .size32, .rdx, m(.rdi), temp: .rcx),
                    "movl (%rdi), %eax; movq %rdx, %rcx; lock cmpxchgl %ecx, (%rdi); jne .-7"),
        // Byte-swapped (big-endian) loops: the swap surrounds the operation.
        EncoderCase(rmwLoop(.sub, .size8, .rbx, m(.rdi), temp: .rsi, swapped: true),
                    "movzbl (%rdi), %eax; movq %rax, %rsi; subb %bl, %sil; lock cmpxchgb %sil, (%rdi); jne .-11"),
        EncoderCase(rmwLoop(.add, .size16, .rsi, m(.rdi), temp: .rcx, swapped: true),
                    "movzwl (%rdi), %eax; movq %rax, %rcx; rolw $8, %cx; addw %si, %cx; rolw $8, %cx; "
                        + "lock cmpxchgw %cx, (%rdi); jne .-19"),
        EncoderCase(rmwLoop(.smax, .size32, .rdx, m(.rdi), temp: .rcx, swapped: true),
                    "movl (%rdi), %eax; movq %rax, %rcx; bswapl %ecx; cmpl %edx, %ecx; cmovll %edx, %ecx; "
                        + "bswapl %ecx; lock cmpxchgl %ecx, (%rdi); jne .-16"),
        EncoderCase(rmwLoop(.umin, .size64, .r8, m(.rsp), temp: .r9, swapped: true),
                    "movq (%rsp), %rax; movq %rax, %r9; bswapq %r9; cmpq %r8, %r9; cmovaq %r8, %r9; bswapq %r9; "
                        + "lock cmpxchgq %r9, (%rsp); jne .-22"),
    ]
}

extension X64EncoderTable {
    /// The 16-byte forms: rows for each operation of the loop (the old value in
    /// rdx:rax, the new one built in rcx:rbx).
    static let sixteenByteForms: [EncoderCase] = [
        EncoderCase(cmpxchg16b(m(.rdi)), "lock cmpxchg16b (%rdi)"),
        EncoderCase(cmpxchg16b(m(.r12)), "lock cmpxchg16b (%r12)"),
        EncoderCase(cmpxchg16b(m(.rsp, .r13, .eight, 8)), "lock cmpxchg16b 8(%rsp,%r13,8)"),
        EncoderCase(cmpxchg16b(.rip(label(5))), "lock cmpxchg16b .L5(%rip)"),
        EncoderCase(rmwLoop128(.add, .r8, .r9, m(.rdi), scratch: .r10),
                    "movq (%rdi), %rax; movq 8(%rdi), %rdx; movq %rax, %rbx; movq %rdx, %rcx; addq %r8, %rbx; "
                        + "adcq %r9, %rcx; lock cmpxchg16b (%rdi); jne .-17"),
        EncoderCase(rmwLoop128(.sub, .r8, .r9, m(.rdi), scratch: .r10),
                    "movq (%rdi), %rax; movq 8(%rdi), %rdx; movq %rax, %rbx; movq %rdx, %rcx; subq %r8, %rbx; "
                        + "sbbq %r9, %rcx; lock cmpxchg16b (%rdi); jne .-17"),
        EncoderCase(rmwLoop128(.and, .r8, .r9, m(.rdi), scratch: .r10),
                    "movq (%rdi), %rax; movq 8(%rdi), %rdx; movq %rax, %rbx; movq %rdx, %rcx; andq %r8, %rbx; "
                        + "andq %r9, %rcx; lock cmpxchg16b (%rdi); jne .-17"),
        EncoderCase(rmwLoop128(.nand, .r8, .r9, m(.rdi), scratch: .r10),
                    "movq (%rdi), %rax; movq 8(%rdi), %rdx; movq %rax, %rbx; movq %rdx, %rcx; andq %r8, %rbx; "
                        + "andq %r9, %rcx; notq %rbx; notq %rcx; lock cmpxchg16b (%rdi); jne .-23"),
        EncoderCase(rmwLoop128(.or, .r8, .r9, m(.rdi), scratch: .r10),
                    "movq (%rdi), %rax; movq 8(%rdi), %rdx; movq %rax, %rbx; movq %rdx, %rcx; orq %r8, %rbx; "
                        + "orq %r9, %rcx; lock cmpxchg16b (%rdi); jne .-17"),
        EncoderCase(rmwLoop128(.xor, .r8, .r9, m(.rdi), scratch: .r10),
                    "movq (%rdi), %rax; movq 8(%rdi), %rdx; movq %rax, %rbx; movq %rdx, %rcx; xorq %r8, %rbx; "
                        + "xorq %r9, %rcx; lock cmpxchg16b (%rdi); jne .-17"),
        EncoderCase(rmwLoop128(.xchg, .r8, .r9, m(.rsp, 16), scratch: .r11),
                    "movq 16(%rsp), %rax; movq 24(%rsp), %rdx; movq %r8, %rbx; movq %r9, %rcx; "
                        + "lock cmpxchg16b 16(%rsp); jne .-13"),
        EncoderCase(rmwLoop128(.smin, .rsi, .rdi, m(.r12), scratch: .r8),
                    "movq (%r12), %rax; movq 8(%r12), %rdx; movq %rax, %rbx; movq %rdx, %rcx; movq %rdi, %r8; "
                        + "cmpq %rbx, %rsi; sbbq %rcx, %r8; cmovlq %rsi, %rbx; cmovlq %rdi, %rcx; "
                        + "lock cmpxchg16b (%r12); jne .-29"),
        EncoderCase(rmwLoop128(.umin, .rsi, .rdi, m(.r12), scratch: .r8),
                    "movq (%r12), %rax; movq 8(%r12), %rdx; movq %rax, %rbx; movq %rdx, %rcx; movq %rdi, %r8; "
                        + "cmpq %rbx, %rsi; sbbq %rcx, %r8; cmovbq %rsi, %rbx; cmovbq %rdi, %rcx; "
                        + "lock cmpxchg16b (%r12); jne .-29"),
        EncoderCase(rmwLoop128(.umax, .r14, .r15, m(.rbp, .rsi, .four, 0), scratch: .r10),
                    "movq (%rbp,%rsi,4), %rax; movq 8(%rbp,%rsi,4), %rdx; movq %rax, %rbx; movq %rdx, %rcx; "
                        + "movq %rcx, %r10; cmpq %r14, %rbx; sbbq %r15, %r10; cmovbq %r14, %rbx; cmovbq %r15, %rcx; "
                        + "lock cmpxchg16b (%rbp,%rsi,4); jne .-30"),
        EncoderCase(rmwLoop128(.smax, .r14, .r15, m(.rbp, .rsi, .four, 0), scratch: .r10),
                    "movq (%rbp,%rsi,4), %rax; movq 8(%rbp,%rsi,4), %rdx; movq %rax, %rbx; movq %rdx, %rcx; "
                        + "movq %rcx, %r10; cmpq %r14, %rbx; sbbq %r15, %r10; cmovlq %r14, %rbx; cmovlq %r15, %rcx; "
                        + "lock cmpxchg16b (%rbp,%rsi,4); jne .-30"),
        EncoderCase(rmwLoop128(.add, .r8, .r9, m(.rdi), scratch: .r10, swapped: true),
                    "movq (%rdi), %rax; movq 8(%rdi), %rdx; movq %rax, %rbx; movq %rdx, %rcx; bswapq %rbx; "
                        + "bswapq %rcx; movq %rbx, %r10; movq %rcx, %rbx; movq %r10, %rcx; addq %r8, %rbx; "
                        + "adcq %r9, %rcx; bswapq %rbx; bswapq %rcx; movq %rbx, %r10; movq %rcx, %rbx; "
                        + "movq %r10, %rcx; lock cmpxchg16b (%rdi); jne .-47"),
    ]
}

extension EncoderSweep {
    /// Every register as the operand of each locked form at each size, over sampled
    /// addresses.
    static func atomicInstructions(_ format: X64Format, _ form: FormID) -> [X64Inst] {
        switch format {
        case .exchange:
            return lockedSweep { .exchange(form, size: $0, operand: $1, mem: $2, dst: Writable($1)) }
        case .fence:
            return [.fence(form)]
        case .aluRmiR, .cmpRmiR, .aluRmImmR, .multiply, .divide, .signExtendData, .shiftR, .unary, .unaryRmR,
             .xmmLoadStore, .gprToXmm, .xmmToGpr, .xmmRmR, .xmmUnaryRmR, .xmmUnaryRmRImm, .xmmCompare, .xmmCompareMask,
             .xmmVexTernary, .dedicated:
            return []
        }
    }

    /// The atomic shapes without a FormID: cmpxchg and cmpxchg16b at every size over
    /// sampled addresses; the loops at every operation × size × swap with rotating
    /// registers.
    static var atomicDedicatedInstructions: [X64Inst] {
        var result: [X64Inst] = lockedSweep { cmpxchg($0, $1, $2) }
        result += sampledAddresses(3).map(cmpxchg16b)
        // Operand halves and scratch: three distinct registers the loop does not
        // write; the address reads none of the registers written; no rip (the loop
        // loads the second half 8 bytes further).
        let written128: [Gpr] = [.rax, .rbx, .rcx, .rdx]
        let free = registers.filter { !written128.contains($0) && $0 != .rsp }
        var rotation = 0
        for op in AtomicLoopOp.allCases {
            for _ in 0 ..< 6 {
                let low = free[rotation % free.count], high = free[(rotation + 3) % free.count]
                let scratch = free[(rotation + 7) % free.count]
                let amode = addresses[(rotation * 53) % (addresses.count - 1)]
                rotation += 1
                let read = X64Inst.registers(of: amode.address)
                guard !read.contains(where: (written128 + [scratch]).contains) else { continue }
                result.append(rmwLoop128(op, low, high, amode, scratch: scratch, swapped: rotation % 2 == 0))
            }
        }
        // Operand and temporary: two distinct registers other than rax.
        let others = registers.filter { $0 != .rax }
        rotation = 0
        for size in OperandSize.allCases {
            for op in AtomicLoopOp.allCases {
                for swapped in [false, true] {
                    let operand = others[rotation % others.count]
                    let temp = others[(rotation * 7 + 3) % others.count]
                    let amode = addresses[(rotation * 37) % addresses.count]
                    rotation += 1
                    // The loop writes temp and rax: the address must not read them.
                    let read = X64Inst.registers(of: amode.address)
                    guard operand != temp, !read.contains(temp), !read.contains(.rax) else { continue }
                    result.append(rmwLoop(op, size, operand, amode, temp: temp, swapped: swapped))
                }
            }
        }
        return result
    }

    /// A locked form at every size, each register as its operand, over sampled addresses.
    static func lockedSweep(_ make: (OperandSize, Gpr, Amode) -> X64Inst) -> [X64Inst] {
        var result: [X64Inst] = []
        for size in OperandSize.allCases {
            for (index, amode) in sampledAddresses(5, offset: size.bytes).enumerated() {
                result.append(make(size, registers[index % 16], amode))
            }
        }
        return result
    }
}
