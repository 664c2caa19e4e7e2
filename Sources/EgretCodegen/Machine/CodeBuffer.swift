import EgretIR

/// The bytes of one function as the emitter produces them, with everything that
/// cannot be known while the bytes are written:
///
///     offset 0                                     codeSize
///     | instructions ...  jmp .L3 ... .L3: ...      | pad | constant .L7 | pad | constant .L8 |
///                         ^ fixup: rel32 to .L3           ^ bound by finish()
///
/// - **Labels** (`MachLabel`) name code offsets: block starts, constants, anything a
///   branch or RIP-relative operand refers to. A label may be used before it is bound
///   (a forward branch); `finish()` patches every use.
/// - **Label fixups** are 32-bit PC-relative fields: the patched value is
///   `target - fieldOffset + addend`. A branch uses addend -4 (relative to the end of
///   the 4-byte field, which ends the instruction); a RIP-relative operand followed by
///   an n-byte immediate uses -4 - n; a jump-table entry at table + 4i uses 4i to be
///   relative to the table start.
/// - **Traps** map the offset of an instruction that may fault (ud2, div, a load or
///   store carrying a trap code) to the `TrapCode` reported when it does.
/// - **Relocations** name external symbols (a call to a function, the absolute
///   address of a symbol); the JIT linker resolves them.
/// - **Constants** are placed after the code, aligned relative to the start of the
///   buffer (the JIT places the buffer at an address aligned to at least the largest
///   constant alignment), and read RIP-relatively through their label.
///
/// Requires: every label used is bound exactly once before `finish()`.
/// Guarantees: `finish()` returns bytes with every fixup applied or throws
/// `CodeBufferError` (a bug in Egret, never a property of the input program).
public struct CodeBuffer: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Offset of each label, `unbound` until bound.
    private var labelOffsets: [UInt32] = []
    public private(set) var fixups: [LabelFixup] = []
    public private(set) var traps: [TrapRecord] = []
    public private(set) var relocations: [Relocation] = []
    private var constants: [PendingConstant] = []
    /// Misuse noticed while emitting, reported by `finish()` (the emitter's hot path
    /// does not throw).
    private var problems: [CodeBufferError] = []
    private var isFinished = false

    private static let unbound = UInt32.max

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// The offset at which the next byte goes.
    @inlinable public var offset: Int { bytes.count }

    // MARK: Bytes

    public mutating func put1(_ byte: UInt8) { bytes.append(byte) }

    public mutating func put2(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    public mutating func put4(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    public mutating func put8(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    public mutating func put(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    // MARK: Labels

    /// A new, unbound label.
    public mutating func makeLabel() -> MachLabel {
        labelOffsets.append(CodeBuffer.unbound)
        return MachLabel(UInt32(labelOffsets.count - 1))
    }

    /// Makes sure labels `0 ..< count` exist (a VCode numbers its block labels first).
    public mutating func reserveLabels(_ count: Int) {
        while labelOffsets.count < count { labelOffsets.append(CodeBuffer.unbound) }
    }

    /// Binds `label` to the current offset.
    public mutating func bind(_ label: MachLabel) {
        reserveLabels(Int(label.index) + 1)
        guard labelOffsets[Int(label.index)] == CodeBuffer.unbound else {
            problems.append(.labelBoundTwice(label))
            return
        }
        labelOffsets[Int(label.index)] = UInt32(offset)
    }

    /// The offset `label` is bound to, `nil` while unbound.
    public func offset(of label: MachLabel) -> Int? {
        guard Int(label.index) < labelOffsets.count, labelOffsets[Int(label.index)] != CodeBuffer.unbound
        else { return nil }
        return Int(labelOffsets[Int(label.index)])
    }

    /// Emits a 4-byte PC-relative field referring to `label`, patched by `finish()` to
    /// `target - fieldOffset + addend`.
    public mutating func putLabelUse32(_ label: MachLabel, addend: Int32) {
        reserveLabels(Int(label.index) + 1)
        fixups.append(LabelFixup(offset: UInt32(offset), label: label, addend: addend))
        put4(0)
    }

    // MARK: Traps and relocations

    /// Records that the instruction starting at the current offset traps with `code`.
    public mutating func addTrap(_ code: TrapCode) {
        traps.append(TrapRecord(offset: UInt32(offset), code: code))
    }

    /// Emits a relocated field at the current offset (4 bytes for `.pcRel32`, 8 for
    /// `.absolute64`), zero until the linker resolves it.
    public mutating func putRelocation(_ kind: RelocationKind, to target: ExternalName, addend: Int64) {
        relocations.append(Relocation(offset: UInt32(offset), kind: kind, target: target, addend: addend))
        switch kind {
        case .pcRel32, .gotPCRel32: put4(0)
        case .absolute64: put8(0)
        }
    }

    // MARK: Constants

    /// Schedules `data` to be placed after the code at an offset aligned to
    /// `alignment` (a power of two); returns the label to address it with.
    public mutating func addConstant(_ data: [UInt8], alignment: Int) -> MachLabel {
        let label = makeLabel()
        defineConstant(label, data, alignment: alignment)
        return label
    }

    /// Like `addConstant`, for a label made earlier (by whoever built the VCode).
    public mutating func defineConstant(_ label: MachLabel, _ data: [UInt8], alignment: Int) {
        guard alignment > 0, alignment & (alignment - 1) == 0 else {
            problems.append(.badAlignment(alignment))
            return
        }
        reserveLabels(Int(label.index) + 1)
        constants.append(PendingConstant(label: label, data: data, alignment: alignment))
    }

    // MARK: Finishing

    /// Places the constants, applies every fixup and returns the finished code. Call
    /// once: the buffer then holds the finished bytes.
    public mutating func finish() throws -> FinishedCode {
        guard !isFinished else { throw CodeBufferError.finishedTwice }
        isFinished = true
        if let problem = problems.first { throw problem }
        let codeSize = offset
        for constant in constants {
            while offset % constant.alignment != 0 { put1(0) }
            bind(constant.label)
            put(constant.data)
        }
        if let problem = problems.first { throw problem }
        var constantReferences: [ConstantReference] = []
        var constantsMovable = true
        for fixup in fixups {
            guard let target = offset(of: fixup.label) else { throw CodeBufferError.unboundLabel(fixup.label) }
            if target >= codeSize && !constants.isEmpty {
                constantReferences.append(ConstantReference(offset: fixup.offset, target: UInt32(target),
                                                            addend: fixup.addend))
            }
            if Int(fixup.offset) >= codeSize { constantsMovable = false }
            let value = Int64(target) - Int64(fixup.offset) + Int64(fixup.addend)
            guard let field = Int32(exactly: value) else {
                throw CodeBufferError.fixupOutOfRange(fixup.label, distance: value)
            }
            let start = Int(fixup.offset)
            let raw = UInt32(bitPattern: field)
            for index in 0 ..< 4 { bytes[start + index] = UInt8(truncatingIfNeeded: raw >> UInt32(8 * index)) }
        }
        return FinishedCode(bytes: bytes, codeSize: codeSize, traps: traps, relocations: relocations,
                            labelOffsets: labelOffsets.map { $0 == CodeBuffer.unbound ? nil : Int($0) },
                            requiredAlignment: constants.map(\.alignment).max() ?? 1,
                            constantReferences: constantsMovable ? constantReferences : nil)
    }
}

/// A code offset something refers to: a block start, a constant, a branch target.
public struct MachLabel: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let index: UInt32

    @inlinable public init(_ index: UInt32) { self.index = index }

    public static func < (lhs: MachLabel, rhs: MachLabel) -> Bool { lhs.index < rhs.index }

    /// `.L3`: the spelling in printed assembly (a local label for llvm-mc).
    public var description: String { ".L\(index)" }
}

/// A 4-byte field to patch with `target - offset + addend` once `label` is bound.
public struct LabelFixup: Hashable, Sendable {
    public var offset: UInt32
    public var label: MachLabel
    public var addend: Int32
}

/// A 4-byte PC-relative field at `offset` that reads the constant at `target` (an
/// offset into `FinishedCode.bytes`, at or past `codeSize`): it holds
/// `target - offset + addend`.
public struct ConstantReference: Hashable, Sendable {
    public var offset: UInt32
    public var target: UInt32
    public var addend: Int32
}

/// The instruction at `offset` may trap; if it does, the trap is `code`.
public struct TrapRecord: Hashable, Sendable {
    public var offset: UInt32
    public var code: TrapCode
}

/// How a relocated field is computed from the symbol's address S, the addend A and
/// the field's address P.
public enum RelocationKind: Hashable, Sendable {
    /// 4 bytes, S + A - P (a call or RIP-relative reference; x86-64 PLT32/PC32).
    case pcRel32
    /// 8 bytes, S + A (x86-64 R_X86_64_64).
    case absolute64
    /// 4 bytes, G + A - P, where G is the address of a slot holding S (a global
    /// offset table entry): what position-independent code reads a symbol's address
    /// through (x86-64 R_X86_64_REX_GOTPCRELX; the JIT makes the slot itself).
    case gotPCRel32
}

/// A field at `offset` the linker fills in from an external symbol.
public struct Relocation: Hashable, Sendable {
    public var offset: UInt32
    public var kind: RelocationKind
    public var target: ExternalName
    public var addend: Int64
}

/// The output of `CodeBuffer.finish()`.
public struct FinishedCode: Hashable, Sendable {
    /// Code followed by constants.
    public var bytes: [UInt8]
    /// Bytes before the first constant: the part that is instructions.
    public var codeSize: Int
    public var traps: [TrapRecord]
    public var relocations: [Relocation]
    /// The offset of each label (`nil` for labels never bound and never used).
    public var labelOffsets: [Int?]
    /// The alignment the first byte must be placed at so that every constant is
    /// aligned (the largest constant alignment; 1 without constants).
    public var requiredAlignment: Int = 1
    /// Every PC-relative field of the code that refers to a constant, so an object
    /// file can place the constants (`bytes[codeSize...]`) in a read-only section of
    /// their own and relocate these fields to it; nil when a field among the
    /// constants refers elsewhere (the constants must then stay after the code).
    public var constantReferences: [ConstantReference]? = []

    /// The trap records sorted by offset, one per offset (the first of several), for
    /// binary search: the JIT's and the ahead-of-time driver's trap lookup.
    public var trapTable: [TrapRecord] {
        var table: [TrapRecord] = []
        table.reserveCapacity(traps.count)
        for record in traps.sorted(by: { $0.offset < $1.offset }) where table.last?.offset != record.offset {
            table.append(record)
        }
        return table
    }
}

/// A bug in the emitter: code that uses the buffer wrongly.
public enum CodeBufferError: Error, Hashable, Sendable, CustomStringConvertible {
    case unboundLabel(MachLabel)
    case labelBoundTwice(MachLabel)
    case fixupOutOfRange(MachLabel, distance: Int64)
    case badAlignment(Int)
    case finishedTwice

    public var description: String {
        switch self {
        case .unboundLabel(let label): return "label \(label) is used but never bound"
        case .labelBoundTwice(let label): return "label \(label) is bound twice"
        case .fixupOutOfRange(let label, let distance): return "label \(label) is \(distance) bytes away, out of rel32 range"
        case .badAlignment(let alignment): return "constant alignment \(alignment) is not a power of two"
        case .finishedTwice: return "the code buffer was finished twice"
        }
    }
}

private struct PendingConstant: Sendable {
    var label: MachLabel
    var data: [UInt8]
    var alignment: Int
}
