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
///     requires    the CPU features it needs (`X64Features`, X64Form+Fields.swift)
///     traps       whether and how it can trap: never, on a memory fault, on a divide
///                 error, always
///     semantics   the key of its bit-vector semantics in EgretSMT (`SemanticsKey`,
///                 FormID.swift)
///     reason      one line: what it computes and why Egret has it
///
/// The tables are Forms+Integer.swift (general-purpose registers: arithmetic, moves,
/// control, atomics) and Forms+Float.swift (xmm registers). Every consumer reads the
/// row and switches only over the small set of operand *shapes* (the cases of
/// `X64Inst`), never over a mnemonic:
///
///     X64Inst+Encode.swift      the shape picks the Op/En its operands need (a
///                               register source → MR, memory → RM, an imm8 → MI8,
///                               the accumulator → I) and emits the row's bytes
///     X64Inst+Print.swift       the row's mnemonic and suffix, operands in the
///                               shape's order (and in the chosen Op/En's order)
///     X64Inst+Operands.swift    the shape's operand roles: use, def, reuse, fixed
///     X64Inst+Properties.swift  sizes, trap code, memory operand, features
///     X64Emitter.swift          refuses a form whose features are not enabled
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
/// **Why a row names its format.** A `FormID` fits any shape that carries one, so
/// the row says which (Cranelift's `fmt`): the encoder refuses `aluRmiR(.cvtsi2ss, …)`
/// instead of emitting bytes of the wrong instruction, and the tests walk the rows
/// of each format (the sweep encodes a new row like its siblings, without a line of
/// its own). The formats are the shapes' operand layouts — 21 for 92 rows — and grow
/// only with a new shape, never with a new form.
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
///
/// **Cost.** The encoder reads a row for every instruction it encodes, so the
/// fields it needs are read in place (`FormID.encoding`, `.sizes`, `.format`), never
/// through a copy of the row and its strings, and an opcode fits 8 bytes. The table
/// is built once, at its first use.
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

    /// Every feature some row requires: a compilation that enables them all cannot
    /// meet a form it must refuse.
    public static let everyRequirement: X64Features = table.reduce(X64Features.baseline) { $0.union($1.requires) }

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
    public var singleSize: OperandSize? { sizes.single }

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

    // The fields the encoder and the allocator read for every instruction, projected
    // from the table in place rather than through a copy of the row (whose strings
    // would cost reference counting per instruction).

    @inlinable public var encoding: FormEncoding { X64Form.table[Int(rawValue)].encoding }
    @inlinable public var format: X64Format { X64Form.table[Int(rawValue)].format }
    @inlinable public var sizes: OperandSizes { X64Form.table[Int(rawValue)].sizes }
    @inlinable public var traps: TrapKind { X64Form.table[Int(rawValue)].traps }
    @inlinable public var requires: X64Features { X64Form.table[Int(rawValue)].requires }
    @inlinable public var sourceSize: OperandSize? { X64Form.table[Int(rawValue)].sourceSize }
}
