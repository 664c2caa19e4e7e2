import EgretIR

/// x86-64 calling conventions as data: one struct, one instance per convention. The
/// signature layout (`ABISignature`), the lowering of entry, `return`, `call` and
/// `return_call`, the frame layout and the clobber sets of calls all read these rows;
/// nothing else in the backend knows a register of a convention by name.
///
/// | | system_v | windows_fastcall | tail (Cranelift's own) |
/// |---|---|---|---|
/// | integer arguments | rdi rsi rdx rcx r8 r9 | rcx rdx r8 r9 | rdi rsi rdx rcx r8 r9 |
/// | float arguments | xmm0–xmm7 | xmm0–xmm3 | xmm0–xmm7 |
/// | register slots counted | per class | by argument position | per class |
/// | integer returns | rax rdx | rax rdx | rax rcx rdx rsi rdi r8 r9 r10 |
/// | float returns | xmm0 xmm1 | xmm0 | xmm0–xmm7 |
/// | callee-saved | rbx rbp r12–r15 | rbx rbp rdi rsi r12–r15, xmm6–xmm15 | rbx rbp r12–r15 |
/// | i128 arguments | register pair or 16-aligned stack | two i64 | two i64 |
/// | i128 returns | two i64 (rax:rdx) | two i64 (rax:rdx) | two i64 |
/// | shadow space | 0 | 32 bytes, always | 0 |
/// | stack arguments popped by | caller | caller | callee (`ret $n`) |
/// | prologue order | rbp set first | rbp set after the pushes | rbp set first |
///
/// Common to all three: 8-byte stack-argument slots (a narrower value occupies the
/// low bytes of its slot), the stack pointer 16-byte aligned at every call, and no red
/// zone assumed (Egret never stores below rsp, so leaf functions and signal handlers
/// cannot collide). Values that do not fit the return registers go to a *return area*
/// whose address the caller passes as a hidden first integer argument (Cranelift's
/// `enable_multi_ret_implicit_sret`; see `ABISignature`).
///
/// Facts checked against Cranelift's `isa/x64/abi.rs` (cranelift-codegen 0.120):
/// - Windows returns a second integer value in rdx, as Cranelift does (Rust's i128 ABI
///   on Windows needs it); C never returns two values, so C interop is unaffected.
/// - `tail` passes arguments like System V, returns in eight registers of each class,
///   and its callees pop their stack arguments, so `return_call` can hand a larger
///   argument area to the next callee without growing the stack.
/// - `uext`/`sext`: the *producer* of a narrow value extends it to 64 bits (the caller
///   for arguments, the callee for returns) when the flag is set; the receiver may
///   rely on it, but Egret never does (its own values have unspecified upper bits),
///   so only the producing side matters for interoperation.
public struct CallingConvention: Hashable, Sendable, CustomStringConvertible {
    /// How argument registers are handed out.
    public enum RegisterAssignment: Hashable, Sendable {
        /// Each register class counts its own arguments: in `f(double, int)` the int
        /// takes the first integer register (System V).
        case perClass
        /// Argument position k takes register k of its class, and positions past the
        /// last register go to the stack: in `f(double, int)` the int takes the second
        /// integer register, rdx (Windows x64).
        case byPosition
    }

    /// The CLIF spelling of the convention this row describes.
    public let name: String
    public let integerArgumentRegisters: [PReg]
    public let floatArgumentRegisters: [PReg]
    public let registerAssignment: RegisterAssignment
    public let integerReturnRegisters: [PReg]
    public let floatReturnRegisters: [PReg]
    /// Registers a callee must preserve besides rsp (rbp included: the frame keeps it).
    public let calleeSaved: PRegSet
    /// Bytes the caller reserves at the bottom of every outgoing argument area for the
    /// callee to spill its register arguments into (before the first stack argument).
    public let shadowSpaceSize: Int
    /// Alignment of the stack pointer at a call instruction.
    public let stackAlignment: Int
    /// Bytes of one stack-argument (and return-area) slot.
    public let stackSlotSize: Int
    /// Bytes below rsp that code may use without moving rsp. Always 0: the System V
    /// red zone exists, but Egret does not rely on it.
    public let assumedRedZoneSize: Int
    /// Whether a callee pops its own stack arguments (`ret $n`).
    public let calleePopsStackArguments: Bool
    /// Whether `return_call` may target functions of this convention.
    public let supportsTailCalls: Bool
    /// How an i128 argument's two halves are placed (`ABISignature`); i128 returns are
    /// two i64 returns under every convention.
    public var wideIntegerArguments: WideIntegerPlacement = .twoIntegers
    /// The order of the prologue's steps (`X64Frame.emitPrologue`).
    public var prologueOrder: PrologueOrder = .framePointerFirst

    /// When the prologue sets the frame pointer. The frame is the same either way
    /// (rbp = CFA - 16, the pushes below it, the xmm saves below them); only the
    /// order of the steps differs, and with it what the unwind information can say.
    public enum PrologueOrder: Hashable, Sendable {
        /// `push rbp; mov rbp, rsp; push …; sub rsp, N` (what System V compilers do).
        case framePointerFirst
        /// `push rbp; push …; sub rsp, P; lea rbp, [rsp + P + pushes]; movups …; sub
        /// rsp, N - P`: Windows x64 unwind codes measure every save from the frame
        /// pointer minus its offset (`UWOP_SET_FPREG`, an unsigned multiple of 16 up
        /// to 240), so the frame pointer must be set where the xmm saves lie at or
        /// above that base, after the pushes and the allocation that holds them.
        case framePointerLast
    }

    /// Where the halves of a 128-bit integer argument go.
    public enum WideIntegerPlacement: Hashable, Sendable {
        /// Each half is placed as an i64 argument of its own, low half first: the low
        /// half may take the last register and the high half the first stack slot
        /// (Cranelift's windows_fastcall and tail).
        case twoIntegers
        /// The next two integer registers, low half first; when fewer than two are
        /// left, a 16-byte aligned stack slot, and the remaining registers stay unused
        /// for later integer arguments (Cranelift's System V; gcc would still give a
        /// later i64 the register left over).
        case registerPairOrAlignedStack
    }

    public var description: String { name }

    /// Registers a call to a function of this convention may destroy: every
    /// allocatable register that is not callee-saved.
    public var callerSaved: PRegSet {
        PRegSet(bits: CallingConvention.allRegisters.bits & ~calleeSaved.bits)
    }

    /// The register that carries the hidden return-area pointer: the first integer
    /// argument register (Cranelift places it first for every x64 convention).
    public var returnAreaPointerRegister: PReg { integerArgumentRegisters[0] }

    /// All sixteen general-purpose and sixteen xmm registers except rsp and rbp, which
    /// the frame owns.
    static let allRegisters: PRegSet = {
        var set = PRegSet((0 ..< 32).map { PReg(denseIndex: $0) })
        set.remove(.rsp)
        set.remove(.rbp)
        return set
    }()

    private static let xmm0to7: [PReg] = [.xmm0, .xmm1, .xmm2, .xmm3, .xmm4, .xmm5, .xmm6, .xmm7]

    /// The System V AMD64 ABI (Linux, macOS, BSD).
    public static let systemV = CallingConvention(
        name: "system_v",
        integerArgumentRegisters: [.rdi, .rsi, .rdx, .rcx, .r8, .r9],
        floatArgumentRegisters: xmm0to7,
        registerAssignment: .perClass,
        integerReturnRegisters: [.rax, .rdx],
        floatReturnRegisters: [.xmm0, .xmm1],
        calleeSaved: PRegSet([.rbx, .rbp, .r12, .r13, .r14, .r15]),
        shadowSpaceSize: 0, stackAlignment: 16, stackSlotSize: 8, assumedRedZoneSize: 0,
        calleePopsStackArguments: false, supportsTailCalls: false,
        wideIntegerArguments: .registerPairOrAlignedStack)

    /// The Microsoft x64 convention (`__attribute__((ms_abi))` on Linux).
    public static let windowsFastcall = CallingConvention(
        name: "windows_fastcall",
        integerArgumentRegisters: [.rcx, .rdx, .r8, .r9],
        floatArgumentRegisters: [.xmm0, .xmm1, .xmm2, .xmm3],
        registerAssignment: .byPosition,
        integerReturnRegisters: [.rax, .rdx],
        floatReturnRegisters: [.xmm0],
        calleeSaved: PRegSet([.rbx, .rbp, .rsi, .rdi, .r12, .r13, .r14, .r15,
                              .xmm6, .xmm7, .xmm8, .xmm9, .xmm10, .xmm11, .xmm12, .xmm13, .xmm14, .xmm15]),
        shadowSpaceSize: 32, stackAlignment: 16, stackSlotSize: 8, assumedRedZoneSize: 0,
        calleePopsStackArguments: false, supportsTailCalls: false, prologueOrder: .framePointerLast)

    /// Cranelift's `tail` convention on x64: System V arguments and callee-saved
    /// registers, eight return registers per class (r11 stays free as a scratch
    /// register of call sequences), callee-popped stack arguments.
    public static let tail = CallingConvention(
        name: "tail",
        integerArgumentRegisters: [.rdi, .rsi, .rdx, .rcx, .r8, .r9],
        floatArgumentRegisters: xmm0to7,
        registerAssignment: .perClass,
        integerReturnRegisters: [.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .r10],
        floatReturnRegisters: xmm0to7,
        calleeSaved: PRegSet([.rbx, .rbp, .r12, .r13, .r14, .r15]),
        shadowSpaceSize: 0, stackAlignment: 16, stackSlotSize: 8, assumedRedZoneSize: 0,
        calleePopsStackArguments: true, supportsTailCalls: true)

    /// The conventions Egret implements, for tables and tests.
    public static let all: [CallingConvention] = [.systemV, .windowsFastcall, .tail]

    /// The row that implements a CLIF calling convention on x86-64, or an
    /// `unsupported` error naming the convention.
    public static func forCallConv(_ callConv: CallConv) throws -> CallingConvention {
        switch callConv {
        case .systemV:
            return .systemV
        case .windowsFastcall:
            return .windowsFastcall
        case .tail:
            return .tail
        case .fast:
            // Cranelift's x64 backend gives `fast` exactly the System V registers,
            // returns and callee-saved set (abi.rs matches `Fast | SystemV`). One
            // difference is not modelled: Cranelift's register-pair rule for i128
            // arguments tests for `SystemV` alone, so its `fast` places the halves as
            // two integers; Egret's `fast` uses the System V row throughout.
            return .systemV
        case .cold:
            // Cranelift dropped `cold`; while it existed, x64 lowered it as System V.
            return .systemV
        case .appleAarch64, .probestack, .winch, .preserveAll, .patchable:
            throw CodegenError.unsupported("calling convention \(callConv.name)")
        }
    }
}
