import EgretIR

/// x86-64 instruction forms as data: one row per form.
///
/// A row (`X64Form`) says everything about a form that does not depend on its
/// operands, in the spirit of Cranelift's assembler DSL (cranelift/assembler-x64/meta:
/// `inst("addl", fmt("RM", [rw(r32), r(rm32)]), rex(0x03).r(), _64b | compat)`):
///
///     id          the form's name (`FormID`), which lowering writes and shapes carry
///     mnemonic    the AT&T stem, and how a size suffix is spelled after it
///     format      the operand format: which shape of `X64Inst` carries the form,
///                 with its operand roles (`X64Format`)
///     sizes       the operand sizes the form is defined at (and a fixed source width
///                 for the extending moves)
///     encoding    mandatory prefix, lock, REX.W rule, byte forms, VEX fields, and one
///                 opcode per Intel operand encoding ("Op/En") the form has: RM, MR,
///                 MI, MI8, M, M1, MC, I, I8, O, OI, ZO, D, D8, RMI8, RVM — each with
///                 its opcode bytes (0F/0F38/0F3A escape included), /digit and
///                 immediate width (FormEncoding.swift)
///     requires    the CPU features it needs (X64Features.swift)
///     traps       whether and how it can trap: never, on a memory fault, on a divide
///                 error, always
///     semantics   the key of its bit-vector semantics in EgretSMT (SemanticsKey.swift)
///     reason      one line: what it computes and why Egret has it
///
/// The tables are Forms+Integer.swift, Forms+Control.swift, Forms+Float.swift and
/// Forms+Atomics.swift. Every consumer reads the row and switches only over the
/// small set of operand *shapes* (the cases of `X64Inst`), never over a mnemonic:
///
///     X64Inst+Encode.swift      the shape picks the Op/En its operands need (a
///                               register source → MR, memory → RM, an imm8 → MI8,
///                               the accumulator → I) and emits the row's bytes
///     X64Inst+Print.swift       the row's mnemonic and suffix, operands in the
///                               shape's order (and in the chosen Op/En's order)
///     X64Inst+Operands.swift    the shape's operand roles: use, def, reuse, fixed
///     X64Inst+Properties.swift  sizes, trap code, memory operand, features
///     EgretSMT                  one exhaustive switch over SemanticsKey
///                               (MachineSpecs+Semantics.swift); the shape applies
///                               the meaning to its operands
///
/// **Why rows and shapes, and not one enum case per form.** Forms of one shape differ
/// only in numbers and names (addl and subl: opcodes 01/29, semantics add/sub), which
/// is data; shapes differ in operands, which is what the register allocator and the
/// type system must see. So `X64Inst` stays a compact enum of shapes (a `FormID` is
/// one byte, the size of the operation enums it replaces), the numbers live in one
/// place per form, and a new form of an existing shape is one row here, its
/// SemanticsKey case in EgretSMT's switch (a compile error until given) and one row
/// of the encoder tests (a test fails until it is there).
///
/// **Why `FormID` is an enum rather than an index.** Lowering names forms (`.add`,
/// `.roundss`) and the compiler checks the names; CaseIterable lets the tests walk
/// every row. The price is that a form's name is written twice, as a `FormID` case
/// and in its row; `X64Form.table` checks at first use that they pair up one to
/// one, and FormTableTests does so in every test run.
///
/// **Why operand roles live with the shape.** Which operand is read, written or
/// tied is the same for every row of a shape (add and sub alike: dst reuses src1),
/// and the allocator must get it from the instruction anyway; the row carries what
/// varies: the Op/En (which operand goes into ModRM.reg and which into r/m), the
/// sizes and the implicit widths.
///
/// **Why a row may serve several shapes.** `mov` is one instruction whether it moves
/// a register (MR 89), loads (RM 8B), stores (MR 89) or stores an immediate (MI C7):
/// each shape takes the Op/En it needs from the same row, as the Intel manual lists
/// them under one mnemonic. A shape asking a row for an Op/En it lacks is a bug in
/// the caller (a precondition names both).
///
/// **Pseudo-instructions.** Shapes that stand for a short sequence (calls that
/// reclaim popped arguments, `trapIf`, `xmmCmove`, the atomic read-modify-write
/// loops, `movImm`'s choice between `mov` and `movabs`) carry no form of their own;
/// their parts are rows (`X64Inst.formsUsed`).
public struct X64Form: Sendable {
    public let id: FormID
    /// The AT&T mnemonic stem: `add` (printed `addl` at 32 bits), `addss`, `j` (+ cc).
    public let mnemonic: String
    /// How the operand size is spelled after the stem.
    public let suffix: MnemonicSuffix
    /// The shape (or shapes) of `X64Inst` that carry the form.
    public let format: X64Format
    /// The operand sizes the form is defined at; empty when the form fixes its width
    /// (the xmm forms, jumps, fences).
    public let sizes: OperandSizes
    /// The width of the source operand when it is not the operand size: the 8-bit
    /// source of `movzbl`, the 32-bit one of `movslq`.
    public let sourceSize: OperandSize?
    public let encoding: FormEncoding
    /// The CPU features the form needs beyond x86-64's baseline (SSE2 included).
    public let requires: X64Features
    public let traps: TrapKind
    public let semantics: SemanticsKey
    /// What the form computes and why Egret has it, in one line.
    public let reason: String

    init(_ id: FormID, _ mnemonic: String, _ suffix: MnemonicSuffix, _ format: X64Format, sizes: OperandSizes,
         sourceSize: OperandSize? = nil, _ encoding: FormEncoding, requires: X64Features = .baseline,
         traps: TrapKind, semantics: SemanticsKey, _ reason: String) {
        self.id = id
        self.mnemonic = mnemonic
        self.suffix = suffix
        self.format = format
        self.sizes = sizes
        self.sourceSize = sourceSize
        self.encoding = encoding
        self.requires = requires
        self.traps = traps
        self.semantics = semantics
        self.reason = reason
    }

    /// Every row, indexed by `FormID.rawValue`.
    public static let table: [X64Form] = assemble(integerRows + controlRows + floatRows + atomicRows)

    /// The rows in `FormID` order. A `FormID` without a row, or with two, stops the
    /// program at the first use of the table (a bug in the tables, not in the input).
    private static func assemble(_ rows: [X64Form]) -> [X64Form] {
        var byID: [X64Form?] = Array(repeating: nil, count: FormID.allCases.count)
        for row in rows {
            precondition(byID[Int(row.id.rawValue)] == nil, "x64 form table: two rows for \(row.id)")
            byID[Int(row.id.rawValue)] = row
        }
        return FormID.allCases.map { (id: FormID) -> X64Form in
            guard let row = byID[Int(id.rawValue)] else { preconditionFailure("x64 form table: no row for \(id)") }
            return row
        }
    }

    /// The only size of a form defined at one size (`cqto`: 64), else nil.
    public var singleSize: OperandSize? {
        let all = OperandSize.allCases.filter { sizes.contains(OperandSizes($0)) }
        return all.count == 1 ? all[0] : nil
    }

    /// The mnemonic at `size`, with `infix` (a condition code) after the stem and the
    /// `lock` prefix the row asks for. `memory`: whether an operand is in memory
    /// (`cvtsi2ssl` names the integer width only then).
    public func spelled(at size: OperandSize?, infix: String = "", memory: Bool = false) -> String {
        let lock = encoding.lock ? "lock " : ""
        let suffixText: String
        switch suffix {
        case .none:
            suffixText = ""
        case .size:
            suffixText = size?.suffix ?? ""
        case .sizeOnMemory:
            suffixText = memory ? size?.suffix ?? "" : ""
        case .doublewordOrQuadword:
            suffixText = size == .size64 ? "q" : "d"
        }
        return lock + mnemonic + infix + suffixText
    }
}

extension FormID {
    /// The form's row.
    @inlinable public var row: X64Form { X64Form.table[Int(rawValue)] }
}

/// The operand format of a form: the shape of `X64Inst` that carries it, whose
/// operand roles (which operand is read, written, tied or fixed) it has. Each case is
/// documented at its shape in X64Inst.swift.
public enum X64Format: CaseIterable, Hashable, Sendable {
    // The integer shapes.
    case aluRmiR, cmpRmiR, aluRmImmR
    /// `mul` and, at 8 bits, `mul8`.
    case multiply
    /// `div` and, at 8 bits, `div8`.
    case divide
    case signExtendData, shiftR, unary, unaryRmR
    // The xmm shapes.
    /// `xmmLoad` (the form's RM) and `xmmStore` (its MR).
    case xmmLoadStore
    case gprToXmm, xmmToGpr, xmmRmR, xmmUnaryRmR, xmmUnaryRmRImm, xmmCompare, xmmCompareMask, xmmVexTernary
    // The atomic shapes.
    case exchange, fence
    /// A form with shapes of its own that carry no FormID: `mov` (movRR, load, store,
    /// storeImm, movImm), `movabs` (movImm, loadSymbol), `set`, `cmov`, `lea`, `push`,
    /// `pop`, `call`, `jmp`, `jcc`, `ret`, `ud2`, `movaps` (xmmMove), `cmpxchg`,
    /// `cmpxchg16b`; and the parts of the pseudo-instructions.
    case dedicated
}

/// How an operand size is spelled after a mnemonic stem.
public enum MnemonicSuffix: Hashable, Sendable {
    /// `addss`, `cqto`, `ud2`: the stem says everything.
    case none
    /// `b`/`w`/`l`/`q`: `addl`, `movzbq`, `pushq`.
    case size
    /// `l`/`q` only when the width is not visible from a register (`cvtsi2ssl (%rdi)`).
    case sizeOnMemory
    /// `d` at 32 bits, `q` at 64: `movd`, `movq`.
    case doublewordOrQuadword
}

/// Whether and how a form can trap. The trap code itself is an operand: the memory
/// operand's (`Amode.trap`) or the shape's own (`div`, `ud2`, `trapIf`).
public enum TrapKind: Hashable, Sendable {
    /// Never: no memory access, or (lea) an address computed but not accessed.
    case never
    /// When its memory operand faults.
    case onMemoryFault
    /// #DE on a zero divisor or an overflowing quotient, and on a memory fault, both
    /// reported with the divide's code.
    case onDivideError
    /// Always (ud2).
    case always
}

/// A set of operand sizes.
public struct OperandSizes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ size: OperandSize) {
        switch size {
        case .size8: self = .size8
        case .size16: self = .size16
        case .size32: self = .size32
        case .size64: self = .size64
        }
    }

    public static let size8 = OperandSizes(rawValue: 1)
    public static let size16 = OperandSizes(rawValue: 2)
    public static let size32 = OperandSizes(rawValue: 4)
    public static let size64 = OperandSizes(rawValue: 8)
    /// 8, 16, 32 and 64 bits.
    public static let all: OperandSizes = [.size8, .size16, .size32, .size64]
    /// 16, 32 and 64 bits (forms without a byte encoding).
    public static let from16: OperandSizes = [.size16, .size32, .size64]
    /// 32 and 64 bits.
    public static let wide: OperandSizes = [.size32, .size64]
    /// Fixed by the form.
    public static let fixed: OperandSizes = []

    public func contains(_ size: OperandSize) -> Bool { contains(OperandSizes(size)) }

    /// The sizes in increasing order.
    public var list: [OperandSize] { OperandSize.allCases.filter { contains($0) } }
}
