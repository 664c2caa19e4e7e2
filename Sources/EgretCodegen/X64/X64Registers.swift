/// x86-64's registers by name, and their AT&T spellings at each width.
///
/// Hardware encodings (the 4-bit number in ModRM/SIB/REX):
///
///     0 rax  1 rcx  2 rdx  3 rbx  4 rsp  5 rbp  6 rsi  7 rdi   8 … 15  r8 … r15
///
/// 8-bit names: encodings 4…7 name spl/bpl/sil/dil only when the instruction has a
/// REX prefix (without one they mean ah/ch/dh/bh, which Egret never uses), so the
/// encoder adds an empty REX (0x40) for them.

extension PReg {
    public static let rax = PReg(.int, 0)
    public static let rcx = PReg(.int, 1)
    public static let rdx = PReg(.int, 2)
    public static let rbx = PReg(.int, 3)
    public static let rsp = PReg(.int, 4)
    public static let rbp = PReg(.int, 5)
    public static let rsi = PReg(.int, 6)
    public static let rdi = PReg(.int, 7)
    public static let r8 = PReg(.int, 8)
    public static let r9 = PReg(.int, 9)
    public static let r10 = PReg(.int, 10)
    public static let r11 = PReg(.int, 11)
    public static let r12 = PReg(.int, 12)
    public static let r13 = PReg(.int, 13)
    public static let r14 = PReg(.int, 14)
    public static let r15 = PReg(.int, 15)

    public static let xmm0 = PReg(.float, 0)
    public static let xmm1 = PReg(.float, 1)
    public static let xmm2 = PReg(.float, 2)
    public static let xmm3 = PReg(.float, 3)
    public static let xmm4 = PReg(.float, 4)
    public static let xmm5 = PReg(.float, 5)
    public static let xmm6 = PReg(.float, 6)
    public static let xmm7 = PReg(.float, 7)
    public static let xmm8 = PReg(.float, 8)
    public static let xmm9 = PReg(.float, 9)
    public static let xmm10 = PReg(.float, 10)
    public static let xmm11 = PReg(.float, 11)
    public static let xmm12 = PReg(.float, 12)
    public static let xmm13 = PReg(.float, 13)
    public static let xmm14 = PReg(.float, 14)
    public static let xmm15 = PReg(.float, 15)
}

extension Gpr {
    public static let rax = Gpr(PReg.rax)
    public static let rcx = Gpr(PReg.rcx)
    public static let rdx = Gpr(PReg.rdx)
    public static let rbx = Gpr(PReg.rbx)
    public static let rsp = Gpr(PReg.rsp)
    public static let rbp = Gpr(PReg.rbp)
    public static let rsi = Gpr(PReg.rsi)
    public static let rdi = Gpr(PReg.rdi)
    public static let r8 = Gpr(PReg.r8)
    public static let r9 = Gpr(PReg.r9)
    public static let r10 = Gpr(PReg.r10)
    public static let r11 = Gpr(PReg.r11)
    public static let r12 = Gpr(PReg.r12)
    public static let r13 = Gpr(PReg.r13)
    public static let r14 = Gpr(PReg.r14)
    public static let r15 = Gpr(PReg.r15)

    /// All sixteen general-purpose registers in encoding order.
    public static let all: [Gpr] = (0 ..< 16).map { Gpr(PReg(.int, UInt8($0))) }
}

extension Xmm {
    /// All sixteen xmm registers in encoding order.
    public static let all: [Xmm] = (0 ..< 16).map { Xmm(PReg(.float, UInt8($0))) }
}

/// AT&T register names.
public enum X64Registers {
    private static let names64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
    private static let names32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                  "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"]
    private static let names16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                                  "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"]
    /// With a REX prefix, as Egret always emits for encodings 4…7.
    private static let names8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
                                 "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"]

    /// The name without `%`: `eax`, `r8b`, `xmm3`. Xmm registers have one name.
    public static func name(_ preg: PReg, size: OperandSize) -> String {
        let index = Int(preg.hardwareEncoding & 15)
        switch preg.regClass {
        case .float:
            return "xmm\(index)"
        case .int:
            switch size {
            case .size8: return names8[index]
            case .size16: return names16[index]
            case .size32: return names32[index]
            case .size64: return names64[index]
            }
        }
    }

    /// `%eax` for a physical register, `%v12` for a virtual one.
    public static func text(_ reg: Reg, size: OperandSize) -> String {
        guard let preg = reg.physical else { return reg.description }
        return "%" + name(preg, size: size)
    }
}
