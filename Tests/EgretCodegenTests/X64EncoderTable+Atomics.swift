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
    .xchg(size: size, operand: operand, mem: mem, dst: Writable(operand))
}

func xadd(_ size: OperandSize, _ operand: Gpr, _ mem: Amode) -> X64Inst {
    .lockXadd(size: size, operand: operand, mem: mem, dst: Writable(operand))
}

func rmwLoop(_ op: AtomicLoopOp, _ size: OperandSize, _ operand: Gpr, _ mem: Amode, temp: Gpr,
             swapped: Bool = false) -> X64Inst {
    .atomicRmwLoop(op: op, size: size, byteSwapped: swapped, operand: operand, mem: mem, temp: Writable(temp),
                   dstOld: Writable(.rax))
}

extension X64EncoderTable {
    static let atomics: [EncoderCase] = lockedForms + loops

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
        EncoderCase(.mfence, "mfence"),
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

extension EncoderSweep {
    /// Every register as the operand of each locked form at each size, over sampled
    /// addresses; the loop at every operation × size × swap with rotating registers.
    static func atomicInstructions(_ form: X64Inst.Form) -> [X64Inst] {
        var result: [X64Inst] = []
        switch form {
        case .lockCmpxchg:
            result += lockedSweep { cmpxchg($0, $1, $2) }
        case .xchg:
            result += lockedSweep { xchg($0, $1, $2) }
        case .lockXadd:
            result += lockedSweep { xadd($0, $1, $2) }
        case .mfence:
            result.append(.mfence)
        case .atomicRmwLoop:
            // Operand and temporary: two distinct registers other than rax.
            let others = registers.filter { $0 != .rax }
            var rotation = 0
            for size in form.supportedSizes {
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
        case .aluRmiR, .cmpRmiR, .imul, .imulImm, .mul, .mul8, .div, .div8, .signExtendData, .shiftR, .unary,
             .bitCount, .bswap, .setcc, .cmove, .movRR, .movImm, .movzx, .movsx, .lea, .load, .store, .storeImm,
             .loadSymbol, .push, .pop, .callKnown, .callUnknown, .ret, .jmp, .jcc, .jmpIndirect, .ud2, .trapIf,
             .returnCallKnown, .returnCallUnknown, .xmmLoad, .xmmStore, .xmmMove, .gprToXmm, .xmmToGpr, .xmmArith,
             .xmmSqrt, .xmmLogic, .xmmCompare, .xmmCompareMask, .intToFloat, .floatToInt, .floatConvert, .xmmRound,
             .fma, .xmmCmove:
            break
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
