import EgretIR

/// Lays out the functions of one code region and links them: places each function at
/// an aligned offset, reserves veneers for far calls, and, once the region's address
/// is known, copies the bytes and fills every relocated field.
///
///     plan (no memory yet)                 write (region mapped writable)
///     ------------------------------       ----------------------------------------
///     offsets of functions, veneers        fill with int3, copy each function
///     every symbol resolvable? else        pcRel32:    S + A - P, or via a veneer
///       unresolvedSymbol, nothing mapped   absolute64: S + A
///     a GOT slot per symbol that           gotPCRel32: G + A - P (G: the slot,
///       position-independent code reads                 holding S)
///
/// Symbols resolve, in order, to a function of this region (by its planned offset),
/// then through `resolveOutside`: a function of an earlier region or an entry of the
/// module's symbol table.
///
/// **Veneers.** A direct call (`E8 rel32`, or a `E9 rel32` tail jump, with addend -4:
/// what `X64Inst.callKnown` emits) to a target outside the region may be farther than
/// ±2 GiB: a C helper in the executable is, as a rule, since mmap places code near the
/// shared libraries. Such a call goes through a 16-byte veneer in the region,
/// `jmpq *0(%rip); .quad target`, which clobbers no register. Any other out-of-range
/// PC-relative field (a RIP-relative data reference) cannot be redirected and is
/// `JITError.relocationOutOfRange`. The opcode test is sound because a RIP-relative
/// displacement always follows a ModRM byte with mod = 00, never E8 or E9.
///
/// Requires: each function's code passed `JITLinker.validate`.
/// Guarantees: `write` leaves no relocated field unfilled, or throws.
struct RegionLinker {
    /// One function to place.
    struct Input {
        var name: ExternalName
        var code: FinishedCode
    }

    /// Functions start at multiples of this (or of their constants' alignment, if
    /// larger): the alignment Cranelift and the system compilers give x86-64 functions
    /// for the instruction fetcher.
    static let functionAlignment = 16
    /// `jmpq *0(%rip)` (6 bytes) and the 8-byte target, padded to 16.
    static let veneerSize = 16
    /// Regions stay far below 2 GiB so every displacement inside one fits 32 bits.
    static let maximumRegionSize = 1 << 30

    let inputs: [Input]
    /// Offset of each input's first byte, in input order.
    private(set) var functionOffsets: [Int] = []
    /// Offset of the veneer of each far call target.
    private(set) var veneerOffsets: [ExternalName: Int] = [:]
    /// Offset of the 8-byte slot holding each address position-independent code
    /// reads (`gotPCRel32`): the region's own global offset table.
    private(set) var slotOffsets: [ExternalName: Int] = [:]
    /// Bytes used, before rounding up to pages.
    private(set) var usedSize = 0
    /// Address of every symbol outside the region the inputs refer to.
    private var outsideAddresses: [ExternalName: UInt] = [:]
    private var offsetByName: [ExternalName: Int] = [:]

    /// Plans the region. Throws `unresolvedSymbol` for a name that resolves nowhere.
    init(inputs: [Input], resolveOutside: (ExternalName) -> UInt?) throws {
        self.inputs = inputs
        var offset = 0
        for input in inputs {
            offset = RegionLinker.align(offset, to: max(RegionLinker.functionAlignment, input.code.requiredAlignment))
            functionOffsets.append(offset)
            offsetByName[input.name] = offset
            offset += input.code.bytes.count
        }
        for input in inputs {
            for relocation in input.code.relocations where offsetByName[relocation.target] == nil {
                if outsideAddresses[relocation.target] == nil {
                    guard let address = resolveOutside(relocation.target) else {
                        throw JITError.unresolvedSymbol(relocation.target, referencedBy: input.name,
                                                        offset: Int(relocation.offset))
                    }
                    outsideAddresses[relocation.target] = address
                }
                if RegionLinker.isDirectBranch(relocation, in: input.code), veneerOffsets[relocation.target] == nil {
                    offset = RegionLinker.align(offset, to: RegionLinker.veneerSize)
                    veneerOffsets[relocation.target] = offset
                    offset += RegionLinker.veneerSize
                }
            }
        }
        for input in inputs {
            for relocation in input.code.relocations where relocation.kind == .gotPCRel32 {
                guard slotOffsets[relocation.target] == nil else { continue }
                offset = RegionLinker.align(offset, to: 8)
                slotOffsets[relocation.target] = offset
                offset += 8
            }
        }
        usedSize = offset
        guard usedSize <= RegionLinker.maximumRegionSize else { throw JITError.regionTooLarge(size: usedSize) }
    }

    /// Copies the code to `base` (mapped writable, at least `usedSize` bytes), writes
    /// the veneers and fills every relocated field.
    func write(to base: UnsafeMutableRawPointer, mappedSize: Int) throws {
        base.initializeMemory(as: UInt8.self, repeating: 0xCC, count: mappedSize)  // int3
        let start = UInt(bitPattern: base)
        for (input, offset) in zip(inputs, functionOffsets) {
            input.code.bytes.withUnsafeBytes { bytes in
                guard let source = bytes.baseAddress else { return }
                (base + offset).copyMemory(from: source, byteCount: bytes.count)
            }
        }
        for (target, offset) in veneerOffsets {
            guard let address = outsideAddresses[target] else { continue }
            let veneer: [UInt8] = [0xFF, 0x25, 0, 0, 0, 0]  // jmpq *0(%rip): the quad that follows
            for (index, byte) in veneer.enumerated() { base.storeBytes(of: byte, toByteOffset: offset + index, as: UInt8.self) }
            RegionLinker.store(UInt64(address), to: base + offset + veneer.count)
        }
        for (target, offset) in slotOffsets {
            RegionLinker.store(UInt64(address(of: target, regionStart: start)), to: base + offset)
        }
        for (input, functionOffset) in zip(inputs, functionOffsets) {
            for relocation in input.code.relocations {
                let fieldOffset = functionOffset + Int(relocation.offset)
                let fieldAddress = start + UInt(fieldOffset)
                let symbol = address(of: relocation.target, regionStart: start)
                switch relocation.kind {
                case .absolute64:
                    RegionLinker.store(UInt64(symbol) &+ UInt64(bitPattern: relocation.addend), to: base + fieldOffset)
                case .gotPCRel32:
                    // The slot is in this region: the distance always fits.
                    let slot = Int64(start) + Int64(slotOffsets[relocation.target] ?? 0)
                    let value = Int32(truncatingIfNeeded: slot + relocation.addend - Int64(fieldAddress))
                    RegionLinker.store(UInt32(bitPattern: value), to: base + fieldOffset)
                case .pcRel32:
                    let value = try pcRelative(relocation, of: input, symbol: symbol, fieldAddress: fieldAddress,
                                               regionStart: start)
                    RegionLinker.store(UInt32(bitPattern: value), to: base + fieldOffset)
                }
            }
        }
    }

    /// The address a symbol resolves to once the region starts at `regionStart`.
    private func address(of name: ExternalName, regionStart: UInt) -> UInt {
        if let offset = offsetByName[name] { return regionStart + UInt(offset) }
        return outsideAddresses[name] ?? 0  // every outside name was resolved by init
    }

    /// S + A - P, directly or through the target's veneer.
    private func pcRelative(_ relocation: Relocation, of input: Input, symbol: UInt, fieldAddress: UInt,
                            regionStart: UInt) throws -> Int32 {
        let direct = Int64(bitPattern: UInt64(symbol)) &+ relocation.addend &- Int64(bitPattern: UInt64(fieldAddress))
        if let value = Int32(exactly: direct) { return value }
        if RegionLinker.isDirectBranch(relocation, in: input.code), let veneer = veneerOffsets[relocation.target] {
            let viaVeneer = Int64(regionStart) + Int64(veneer) + relocation.addend - Int64(fieldAddress)
            if let value = Int32(exactly: viaVeneer) { return value }
        }
        throw JITError.relocationOutOfRange(relocation.target, referencedBy: input.name,
                                            offset: Int(relocation.offset), distance: direct)
    }

    // MARK: Helpers

    /// Whether the relocated field is the displacement of `call rel32` or `jmp rel32`.
    static func isDirectBranch(_ relocation: Relocation, in code: FinishedCode) -> Bool {
        guard relocation.kind == .pcRel32, relocation.addend == -4, relocation.offset >= 1 else { return false }
        let opcode = code.bytes[Int(relocation.offset) - 1]
        return opcode == 0xE8 || opcode == 0xE9
    }

    static func align(_ offset: Int, to alignment: Int) -> Int {
        (offset + alignment - 1) & ~(alignment - 1)
    }

    private static func store(_ value: UInt64, to address: UnsafeMutableRawPointer) {
        address.storeBytes(of: value.littleEndian, as: UInt64.self)
    }

    private static func store(_ value: UInt32, to address: UnsafeMutableRawPointer) {
        address.storeBytes(of: value.littleEndian, as: UInt32.self)
    }
}

/// Checks of one function's finished code before the JIT accepts it.
enum JITLinker {
    /// Throws `invalidCode` unless every relocation lies inside the bytes, every trap
    /// record inside the instructions (at most one per offset), and the constants'
    /// alignment is a power of two no larger than a page.
    static func validate(_ code: FinishedCode, name: ExternalName, pageSize: Int) throws {
        func invalid(_ reason: String) -> JITError { .invalidCode(name, reason: reason) }
        guard code.codeSize >= 0, code.codeSize <= code.bytes.count else {
            throw invalid("code size \(code.codeSize) exceeds the \(code.bytes.count) bytes")
        }
        let alignment = code.requiredAlignment
        guard alignment > 0, alignment & (alignment - 1) == 0, alignment <= pageSize else {
            throw invalid("constant alignment \(alignment) is not a power of two up to the page size")
        }
        for relocation in code.relocations {
            let width = relocation.kind == .absolute64 ? 8 : 4
            guard Int(relocation.offset) + width <= code.bytes.count else {
                throw invalid("relocation to \(relocation.target) at offset \(relocation.offset) ends past the code")
            }
        }
        var previous: TrapRecord?
        for record in code.traps.sorted(by: { $0.offset < $1.offset }) {
            guard Int(record.offset) < code.codeSize else {
                throw invalid("trap record at offset \(record.offset) is outside the \(code.codeSize) bytes of code")
            }
            if let previous, previous.offset == record.offset, previous.code != record.code {
                throw invalid("offset \(record.offset) has two trap codes, \(previous.code) and \(record.code)")
            }
            previous = record
        }
    }
}
