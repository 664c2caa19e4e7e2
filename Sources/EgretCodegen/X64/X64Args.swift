import EgretIR

/// The operand types of x86-64 instruction shapes (`X64Inst`): widths, condition
/// codes, addressing modes and register/memory/immediate unions. Which operation an
/// instruction performs is its form (`FormID`, a row of Forms/X64Form.swift).

/// The width an instruction operates at: the `b`/`w`/`l`/`q` suffix of its mnemonic.
public enum OperandSize: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case size8 = 8
    case size16 = 16
    case size32 = 32
    case size64 = 64

    @inlinable public var bits: Int { Int(rawValue) }
    @inlinable public var bytes: Int { Int(rawValue) / 8 }

    /// The AT&T mnemonic suffix.
    public var suffix: String {
        switch self {
        case .size8: return "b"
        case .size16: return "w"
        case .size32: return "l"
        case .size64: return "q"
        }
    }

    public var description: String { "size\(rawValue)" }
}

/// An x86 condition code; the raw value is the low nibble of Jcc/SETcc/CMOVcc.
public enum CC: UInt8, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case o = 0, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g

    /// The condition that holds exactly when this one does not (flips bit 0).
    public var inverse: CC {
        switch self {
        case .o: return .no
        case .no: return .o
        case .b: return .ae
        case .ae: return .b
        case .e: return .ne
        case .ne: return .e
        case .be: return .a
        case .a: return .be
        case .s: return .ns
        case .ns: return .s
        case .p: return .np
        case .np: return .p
        case .l: return .ge
        case .ge: return .l
        case .le: return .g
        case .g: return .le
        }
    }

    /// The condition that tests `icmp cond x, y` after `cmp y, x` (flags of x - y).
    public init(_ condition: IntCC) {
        switch condition {
        case .eq: self = .e
        case .ne: self = .ne
        case .slt: self = .l
        case .sge: self = .ge
        case .sgt: self = .g
        case .sle: self = .le
        case .ult: self = .b
        case .uge: self = .ae
        case .ugt: self = .a
        case .ule: self = .be
        }
    }

    /// The mnemonic infix as llvm-mc prints it: `jne`, `setae`, `cmovgq`.
    public var description: String {
        switch self {
        case .o: return "o"
        case .no: return "no"
        case .b: return "b"
        case .ae: return "ae"
        case .e: return "e"
        case .ne: return "ne"
        case .be: return "be"
        case .a: return "a"
        case .s: return "s"
        case .ns: return "ns"
        case .p: return "p"
        case .np: return "np"
        case .l: return "l"
        case .ge: return "ge"
        case .le: return "le"
        case .g: return "g"
        }
    }
}

/// The index multiplier of an address; the raw value is the SIB scale field.
public enum Scale: UInt8, CaseIterable, Hashable, Sendable {
    case one = 0, two, four, eight

    public var factor: Int { 1 << Int(rawValue) }
}

/// Where a memory operand points.
public enum Address: Hashable, Sendable {
    /// `displacement(%base)`.
    case base(Gpr, displacement: Int32)
    /// `displacement(%base,%index,scale)`; the index cannot be rsp.
    case baseIndex(Gpr, index: Gpr, scale: Scale, displacement: Int32)
    /// `label(%rip)`: a constant or a jump table of this function.
    case ripRelative(MachLabel)
    /// A place in the function's frame (a stack slot, a spill slot, an argument area)
    /// whose displacement is known only once the frame is laid out. The frame-layout
    /// pass rewrites every one into `.base(%rsp, displacement)` before encoding.
    case frame(FrameAddress, displacement: Int32)
}

/// A frame-relative place, before the frame is laid out.
public enum FrameAddress: Hashable, Sendable, CustomStringConvertible {
    /// The CLIF stack slot with this index.
    case stackSlot(UInt32)
    /// A register allocator spill slot (8 bytes each; 16 for vector registers).
    case spillSlot(UInt32)
    /// The outgoing-argument area at the bottom of the frame (stack arguments of calls
    /// this function makes, and the Windows shadow space).
    case outgoingArguments
    /// The caller's argument area: this function's stack-passed parameters.
    case incomingArguments

    public var description: String {
        switch self {
        case .stackSlot(let index): return "ss\(index)"
        case .spillSlot(let index): return "spill\(index)"
        case .outgoingArguments: return "outargs"
        case .incomingArguments: return "inargs"
        }
    }
}

/// A memory operand: an address, and the trap code reported if accessing it faults
/// (`nil`: the access cannot fault, CLIF's `notrap`). `lea` ignores the trap code.
public struct Amode: Hashable, Sendable {
    public var address: Address
    public var trap: TrapCode?

    public init(_ address: Address, trap: TrapCode? = nil) {
        self.address = address
        self.trap = trap
    }

    public static func base(_ base: Gpr, _ displacement: Int32 = 0, trap: TrapCode? = nil) -> Amode {
        Amode(.base(base, displacement: displacement), trap: trap)
    }

    public static func baseIndex(_ base: Gpr, _ index: Gpr, _ scale: Scale = .one, _ displacement: Int32 = 0,
                                 trap: TrapCode? = nil) -> Amode {
        Amode(.baseIndex(base, index: index, scale: scale, displacement: displacement), trap: trap)
    }

    public static func rip(_ label: MachLabel, trap: TrapCode? = nil) -> Amode {
        Amode(.ripRelative(label), trap: trap)
    }
}

/// A register or memory operand (the ModRM r/m field).
public enum GprMem: Hashable, Sendable {
    case reg(Gpr)
    case mem(Amode)
}

/// A register, memory or immediate operand. The immediate is sign-extended to the
/// operand size; at size 8 and 16 it must fit the width (signed or unsigned).
public enum GprMemImm: Hashable, Sendable {
    case reg(Gpr)
    case mem(Amode)
    case imm(Int32)
}

/// A shift count: an immediate, or the `cl` register (a register fixed to rcx).
public enum ShiftCount: Hashable, Sendable {
    case imm(UInt8)
    case cl(Gpr)
}

/// Whether a multiply or divide treats its operands as signed (lowering's choice
/// between `mul` and `imul`, `div` and `idiv`: `FormID.multiplyWide`, `.divide`).
public enum Signedness: Hashable, Sendable {
    case unsigned
    case signed
}

/// The operation computed inside an atomic read-modify-write loop (`atomicRmwLoop`):
/// temp = temp op operand, where temp starts as the memory's old value (xchg: temp =
/// operand).
public enum AtomicLoopOp: CaseIterable, Hashable, Sendable {
    case add, sub, and, nand, or, xor, xchg, umin, umax, smin, smax

    /// For min/max: the condition, after `cmp operand, temp` (flags of temp -
    /// operand), under which `operand` replaces temp. nil for the ALU operations.
    public var replaceCondition: CC? {
        switch self {
        case .umin: return .a
        case .umax: return .b
        case .smin: return .g
        case .smax: return .l
        case .add, .sub, .and, .nand, .or, .xor, .xchg: return nil
        }
    }

    /// The ALU form of add/sub/and/nand/or/xor (nand: `and`, then `not`).
    public var aluForm: FormID? {
        switch self {
        case .add: return .add
        case .sub: return .sub
        case .and, .nand: return .and
        case .or: return .or
        case .xor: return .xor
        case .xchg, .umin, .umax, .smin, .smax: return nil
        }
    }
}

/// The source and destination widths of a zero/sign extension: `bl` is byte to long
/// (8 → 32), `lq` long to quad (32 → 64). As in Cranelift, the destination is 32 or
/// 64 bits; a 32-bit result zero-extends to 64 in the register. Lowering's
/// vocabulary: `X64Inst.movzx`/`.movsx` turn it into the form.
public enum ExtMode: CaseIterable, Hashable, Sendable {
    case bl, bq, wl, wq, lq

    public var from: OperandSize {
        switch self {
        case .bl, .bq: return .size8
        case .wl, .wq: return .size16
        case .lq: return .size32
        }
    }

    public var to: OperandSize {
        switch self {
        case .bl, .wl: return .size32
        case .bq, .wq, .lq: return .size64
        }
    }

    /// `bl` → "bl": the letters in `movzbl`, `movswq`.
    public var letters: String { from.suffix + to.suffix }
}

extension X64Inst {
    /// `src` zero-extended from `ext.from` to `ext.to`: movzb or movzw, and for a
    /// 32-bit source a 32-bit `movl` (writing a 32-bit register clears the upper half).
    public static func movzx(_ ext: ExtMode, src: GprMem, dst: Writable<Gpr>) -> X64Inst {
        switch (ext.from, src) {
        case (.size32, .reg(let source)): return .movRR(size: .size32, src: source, dst: dst)
        case (.size32, .mem(let amode)): return .load(size: .size32, src: amode, dst: dst)
        case (.size8, _), (.size64, _): return .unaryRmR(.movzb, size: ext.to, src: src, dst: dst)
        case (.size16, _): return .unaryRmR(.movzw, size: ext.to, src: src, dst: dst)
        }
    }

    /// `src` sign-extended from `ext.from` to `ext.to`: movsb, movsw or movsl.
    public static func movsx(_ ext: ExtMode, src: GprMem, dst: Writable<Gpr>) -> X64Inst {
        switch ext.from {
        case .size8, .size64: return .unaryRmR(.movsb, size: ext.to, src: src, dst: dst)
        case .size16: return .unaryRmR(.movsw, size: ext.to, src: src, dst: dst)
        case .size32: return .unaryRmR(.movsl, size: ext.to, src: src, dst: dst)
        }
    }
}

/// The registers a call passes and returns in, and what it destroys. The ABI layer
/// fills it in; the register allocator reads it through the call's operands.
public struct CallInfo: Hashable, Sendable {
    /// Arguments, each in the register the callee expects it in.
    public var uses: [FixedUse]
    /// Results, each in the register the callee leaves it in.
    public var defs: [FixedDef]
    /// Registers the callee may change that are not results.
    public var clobbers: PRegSet
    /// Bytes of stack arguments the callee pops on return (a `tail`-convention callee
    /// does `ret $n`). The call form restores them right after the call
    /// (`callq f; subq $n, %rsp`), so rsp is the same before and after the form and
    /// the outgoing-argument area stays where the frame put it. Added by lowering.
    public var calleePopSize: Int32

    public init(uses: [FixedUse] = [], defs: [FixedDef] = [], clobbers: PRegSet = PRegSet(), calleePopSize: Int32 = 0) {
        self.uses = uses
        self.defs = defs
        self.clobbers = clobbers
        self.calleePopSize = calleePopSize
    }
}

/// The arguments of a tail call (`returnCallKnown` / `returnCallUnknown`). Added by
/// lowering, with the forms.
public struct ReturnCallInfo: Hashable, Sendable {
    /// Register arguments, each in the register the callee expects it in.
    public var uses: [FixedUse]
    /// Bytes of stack arguments (a multiple of 16) that lowering stored at
    /// `.outgoingArguments + 0 ..< stackArgumentsSize`; the tail-call sequence moves
    /// them to the top of this function's incoming-argument area.
    public var stackArgumentsSize: Int32

    public init(uses: [FixedUse] = [], stackArgumentsSize: Int32 = 0) {
        self.uses = uses
        self.stackArgumentsSize = stackArgumentsSize
    }
}

// MARK: The xmm shapes

/// The operand types of the xmm shapes of `X64Inst`: the width of a scalar (which
/// lowering turns into a form: `width.choose(.addss, .addsd)`), register-or-memory
/// xmm operands, and the immediates of cmpss and roundss.

/// The width of a scalar float operation: the `ss` or `sd` form.
public enum FloatWidth: CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case f32
    case f64

    /// `ss` or `sd`: the mnemonic suffix of scalar forms.
    public var scalarSuffix: String { self == .f32 ? "ss" : "sd" }

    /// Bytes of one scalar.
    public var bytes: Int { self == .f32 ? 4 : 8 }

    /// The float width of an f32/f64 type (f64 for anything else).
    public init(_ type: IRType) { self = type == .f32 ? .f32 : .f64 }

    /// The other width (what `cvtss2sd` / `cvtsd2ss` convert to).
    public var other: FloatWidth { self == .f32 ? .f64 : .f32 }

    public var description: String { self == .f32 ? "f32" : "f64" }
}

/// An xmm register or a memory operand (the ModRM r/m field of an SSE form).
public enum XmmMem: Hashable, Sendable {
    case reg(Xmm)
    case mem(Amode)
}

/// The predicate of `cmpss`/`cmpsd` (its imm8). Only the predicates lowering uses.
public enum FloatComparePredicate: UInt8, CaseIterable, Hashable, Sendable {
    /// True when either operand is NaN.
    case unordered = 3

    public var mnemonicInfix: String {
        switch self {
        case .unordered: return "unord"
        }
    }

    /// The mnemonic llvm-mc prints for `form` (`cmpss`) with this predicate:
    /// `cmpunordss`.
    public func spelling(of form: X64Form) -> String {
        "cmp" + mnemonicInfix + form.mnemonic.dropFirst("cmp".count)
    }
}

/// The rounding of `roundss`/`roundsd` (SSE4.1); the imm8 also sets bit 3, which
/// suppresses the precision exception, as CLIF's ceil/floor/trunc/nearest never raise.
public enum RoundingMode: UInt8, CaseIterable, Hashable, Sendable {
    case nearest = 0
    case floor = 1
    case ceil = 2
    case trunc = 3

    /// The instruction's immediate.
    public var immediate: UInt8 { rawValue | 8 }
}
