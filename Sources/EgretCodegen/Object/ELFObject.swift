import EgretIR

/// A relocatable ELF64 x86-64 object (System V gABI and the x86-64 psABI) holding
/// functions: what the system linker takes from `egret compile -o`.
///
///     section          contents
///     .text            the functions, each at a multiple of 16 (ObjectLayout); with
///                      `sectionPerFunction`, one `.text.NAME` each instead
///     .rela.text       calls and jumps to other symbols: R_X86_64_PLT32; other
///                      PC-relative fields (constants among them): R_X86_64_PC32;
///                      8-byte addresses: R_X86_64_64; position-independent code's
///                      address loads: R_X86_64_REX_GOTPCRELX (one per text section)
///     .rodata          the functions' constants (those that cannot move stay after
///                      their code, in .text)
///     .eh_frame        one CIE, one FDE per function (EHFrame.swift)
///     .rela.eh_frame   each FDE's pc_begin: R_X86_64_PC32 to its text section
///     .note.GNU-stack  empty: the code needs no executable stack
///     .symtab .strtab  a file symbol, the section symbols, the local functions,
///                      then the global ones and the undefined symbols the code
///                      refers to
///     .shstrtab        section names
///
/// Requires: each function's code is what the emitter finished (its relocations lie
/// inside its bytes).
/// Guarantees: every relocation of the code is a relocation of the object; a call to
/// a function of the same object goes through its symbol, so the linker may still
/// interpose it (as a C compiler's `-fPIC` call would).
public struct ELFObject {
    public let functions: [ObjectFunction]
    /// The name of the STT_FILE symbol (the CLIF file's name).
    public let sourceFileName: String
    /// One `.text.NAME` section per function (as `-ffunction-sections` makes), so
    /// the linker can drop those nothing refers to (`--gc-sections`).
    public var sectionPerFunction: Bool

    public init(functions: [ObjectFunction], sourceFileName: String, sectionPerFunction: Bool = false) {
        self.functions = functions
        self.sourceFileName = sourceFileName
        self.sectionPerFunction = sectionPerFunction
    }

    private enum RelocationType: UInt32 {
        case r64 = 1, pc32 = 2, plt32 = 4, rexGOTPCRelX = 42
    }

    /// One section: its name, contents and header fields; `link` and `info` name
    /// other sections by their position in the list.
    private struct Section {
        var name: String
        var data: [UInt8]
        var type: UInt32
        var flags: UInt64 = 0
        var alignment: UInt64
        var link = 0
        var info = 0
        var entrySize: UInt64 = 0
    }

    /// The object file's bytes.
    public func bytes() throws -> [UInt8] {
        let layout = try ObjectLayout(functions, sectionPerFunction: sectionPerFunction)
        // Section indices: null, the text sections, their relocations, then the rest.
        let textCount = layout.texts.count
        let firstText = 1, firstRela = 1 + textCount
        let hasReadOnly = !layout.readOnly.isEmpty
        let readOnlyIndex = firstRela + textCount
        let ehFrameIndex = readOnlyIndex + (hasReadOnly ? 1 : 0)
        let symtabIndex = ehFrameIndex + 3  // after .eh_frame, .rela.eh_frame, .note.GNU-stack
        let names = (0 ..< textCount).map { index -> String in
            sectionPerFunction ? ".text." + ObjectSymbol.name(of: functions[index].name) : ".text"
        }

        var ehFrame = EHFrame()
        for (function, placement) in zip(functions, layout.placements) {
            ehFrame.addFunction(textOffset: placement.offset, length: function.code.codeSize, unwind: function.unwind)
        }
        var symbols = SymbolTable(fileName: sourceFileName,
                                  sections: (0 ..< textCount).map { UInt16(firstText + $0) }
                                      + (hasReadOnly ? [UInt16(readOnlyIndex)] : []))
        try symbols.addFunctions(functions, placements: layout.placements.map {
            (section: UInt16(firstText + $0.section), offset: $0.offset)
        })
        var relas = [[UInt8]](repeating: [], count: textCount)
        for (function, placement) in zip(functions, layout.placements) {
            let text = layout.texts[placement.section]
            for relocation in function.code.relocations {
                let place = placement.offset + Int(relocation.offset)
                let symbol = try symbols.index(of: relocation.target)
                let type: RelocationType
                switch relocation.kind {
                case .absolute64:
                    type = .r64
                case .gotPCRel32:
                    // Always a REX.W mov: the linker may relax it to a lea.
                    type = .rexGOTPCRelX
                case .pcRel32:
                    // A call or jump: E8/E9 with the field right after the opcode.
                    let opcode = place > 0 ? text[place - 1] : 0
                    type = opcode == 0xE8 || opcode == 0xE9 ? .plt32 : .pc32
                }
                ELFObject.appendRela(&relas[placement.section], offset: place, symbol: symbol, type: type,
                                     addend: relocation.addend)
            }
        }
        for field in layout.constantFields {
            ELFObject.appendRela(&relas[field.section], offset: field.offset,
                                 symbol: symbols.sectionSymbol(textCount), type: .pc32, addend: field.addend)
        }
        var relaEHFrame: [UInt8] = []
        for (relocation, placement) in zip(ehFrame.relocations, layout.placements) {
            ELFObject.appendRela(&relaEHFrame, offset: relocation.offset,
                                 symbol: symbols.sectionSymbol(placement.section), type: .pc32,
                                 addend: Int64(relocation.textOffset))
        }
        let (symtab, strtab) = symbols.encoded()

        let alloc: UInt64 = 0x2, execute: UInt64 = 0x4, infoLink: UInt64 = 0x40
        var sections: [Section] = [Section(name: "", data: [], type: 0, alignment: 0)]
        for index in 0 ..< textCount {
            sections.append(Section(name: names[index], data: layout.texts[index], type: 1, flags: alloc | execute,
                                    alignment: UInt64(layout.textAlignments[index])))
        }
        for index in 0 ..< textCount {
            sections.append(Section(name: ".rela" + names[index], data: relas[index], type: 4, flags: infoLink,
                                    alignment: 8, link: symtabIndex, info: firstText + index, entrySize: 24))
        }
        if hasReadOnly {
            sections.append(Section(name: ".rodata", data: layout.readOnly, type: 1, flags: alloc,
                                    alignment: UInt64(layout.readOnlyAlignment)))
        }
        sections.append(Section(name: ".eh_frame", data: ehFrame.bytes, type: 0x7000_0001, flags: alloc, alignment: 8))
        sections.append(Section(name: ".rela.eh_frame", data: relaEHFrame, type: 4, flags: infoLink, alignment: 8,
                                link: symtabIndex, info: ehFrameIndex, entrySize: 24))
        sections.append(Section(name: ".note.GNU-stack", data: [], type: 1, alignment: 1))
        precondition(sections.count == symtabIndex && sections[ehFrameIndex].name == ".eh_frame",
                     "ELF section indices out of step with their order")
        sections.append(Section(name: ".symtab", data: symtab, type: 2, alignment: 8, link: symtabIndex + 1,
                                info: symbols.firstGlobal, entrySize: 24))
        sections.append(Section(name: ".strtab", data: strtab, type: 3, alignment: 1))
        sections.append(Section(name: ".shstrtab", data: [], type: 3, alignment: 1))
        var shstrtab: [UInt8] = [0]
        var nameOffsets: [UInt32] = []
        for section in sections {
            if section.name.isEmpty {
                nameOffsets.append(0)
            } else {
                nameOffsets.append(UInt32(shstrtab.count))
                shstrtab.append(contentsOf: Array(section.name.utf8) + [0])
            }
        }
        sections[sections.count - 1].data = shstrtab

        // Layout: header, each section's data aligned, then the section headers.
        var file = [UInt8](repeating: 0, count: 64)
        var headers: [SectionHeader] = [SectionHeader()]
        for (index, section) in sections.enumerated() where index > 0 {
            while UInt64(file.count) % section.alignment != 0 { file.append(0) }
            headers.append(SectionHeader(name: nameOffsets[index], type: section.type, flags: section.flags,
                                         offset: UInt64(file.count), size: UInt64(section.data.count),
                                         link: UInt32(section.link), info: UInt32(section.info),
                                         alignment: section.alignment, entrySize: section.entrySize))
            file.append(contentsOf: section.data)
        }
        while file.count % 8 != 0 { file.append(0) }
        let sectionHeaderOffset = file.count
        for header in headers { header.append(to: &file) }

        var header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        header.append16(1)                                  // ET_REL
        header.append16(62)                                 // EM_X86_64
        header.append32(1)                                  // EV_CURRENT
        header.append64(0)                                  // entry
        header.append64(0)                                  // program headers
        header.append64(UInt64(sectionHeaderOffset))
        header.append32(0)                                  // flags
        header.append16(64)                                 // header size
        header.append16(0)                                  // program header entry size
        header.append16(0)                                  // program headers
        header.append16(64)                                 // section header entry size
        header.append16(UInt16(headers.count))
        header.append16(UInt16(sections.count - 1))         // .shstrtab
        file.replaceSubrange(0 ..< 64, with: header)
        return file
    }

    private static func appendRela(_ table: inout [UInt8], offset: Int, symbol: Int, type: RelocationType,
                                   addend: Int64) {
        table.append64(UInt64(offset))
        table.append64(UInt64(symbol) << 32 | UInt64(type.rawValue))
        table.append64(UInt64(bitPattern: addend))
    }
}

/// An Elf64_Shdr.
private struct SectionHeader {
    var name: UInt32 = 0
    var type: UInt32 = 0
    var flags: UInt64 = 0
    var offset: UInt64 = 0
    var size: UInt64 = 0
    var link: UInt32 = 0
    var info: UInt32 = 0
    var alignment: UInt64 = 0
    var entrySize: UInt64 = 0

    func append(to bytes: inout [UInt8]) {
        bytes.append32(name)
        bytes.append32(type)
        bytes.append64(flags)
        bytes.append64(0)                                   // address
        bytes.append64(offset)
        bytes.append64(size)
        bytes.append32(link)
        bytes.append32(info)
        bytes.append64(alignment)
        bytes.append64(entrySize)
    }
}

/// The symbols of an object, locals before globals as ELF requires.
private struct SymbolTable {
    struct Symbol {
        var name: String
        var info: UInt8
        var section: UInt16
        var value: UInt64
        var size: UInt64
    }

    private var locals: [Symbol] = []
    private var globals: [Symbol] = []
    private var undefined: [String] = []
    /// Index (in `globals` order, or negative for locals) of each defined name.
    private var defined: [String: Int] = [:]
    private var undefinedIndex: [String: Int] = [:]
    /// Global aliases (never relocation targets).
    private var aliasNames: Set<String> = []

    // STB_LOCAL 0, STB_GLOBAL 1; STT_NOTYPE 0, STT_FUNC 2, STT_SECTION 3, STT_FILE 4.
    private static func info(binding: UInt8, type: UInt8) -> UInt8 { binding << 4 | type }

    /// The file symbol, then a section symbol for each of `sections` (the text
    /// sections, then the read-only data if any), which relocations refer to.
    init(fileName: String, sections: [UInt16]) {
        locals.append(Symbol(name: fileName, info: SymbolTable.info(binding: 0, type: 4), section: 0xFFF1,
                             value: 0, size: 0))
        for section in sections {
            locals.append(Symbol(name: "", info: SymbolTable.info(binding: 0, type: 3), section: section,
                                 value: 0, size: 0))
        }
    }

    /// The symbol of the `index`th section given to `init` (after the null symbol
    /// and the file symbol).
    func sectionSymbol(_ index: Int) -> Int { 2 + index }
    var firstGlobal: Int { 1 + locals.count }

    mutating func addFunctions(_ functions: [ObjectFunction], placements: [(section: UInt16, offset: Int)]) throws {
        for (function, placement) in zip(functions, placements) {
            let name = ObjectSymbol.name(of: function.name)
            guard !name.isEmpty, !name.utf8.contains(0) else { throw ObjectError.invalidSymbolName(name) }
            guard defined[name] == nil, !aliasNames.contains(name) else { throw ObjectError.duplicateSymbol(name) }
            let symbol = Symbol(name: name, info: SymbolTable.info(binding: function.isGlobal ? 1 : 0, type: 2),
                                section: placement.section, value: UInt64(placement.offset),
                                size: UInt64(function.code.codeSize))
            if function.isGlobal {
                defined[name] = globals.count
                globals.append(symbol)
            } else {
                defined[name] = -1 - locals.count
                locals.append(symbol)
            }
            for alias in function.aliases {
                guard !alias.isEmpty, !alias.utf8.contains(0) else { throw ObjectError.invalidSymbolName(alias) }
                guard defined[alias] == nil, aliasNames.insert(alias).inserted else {
                    throw ObjectError.duplicateSymbol(alias)
                }
                var aliasSymbol = symbol
                aliasSymbol.name = alias
                aliasSymbol.info = SymbolTable.info(binding: 1, type: 2)
                globals.append(aliasSymbol)
            }
        }
    }

    /// The symbol table index of `name`, adding an undefined symbol the first time a
    /// name no function defines is referred to.
    mutating func index(of target: ExternalName) throws -> Int {
        let name = ObjectSymbol.name(of: target)
        if let position = defined[name] {
            return position < 0 ? 1 + (-1 - position) : firstGlobal + position
        }
        guard !name.isEmpty, !name.utf8.contains(0) else { throw ObjectError.invalidSymbolName(name) }
        guard !aliasNames.contains(name) else { throw ObjectError.duplicateSymbol(name) }
        if let position = undefinedIndex[name] { return firstGlobal + globals.count + position }
        undefinedIndex[name] = undefined.count
        undefined.append(name)
        return firstGlobal + globals.count + undefined.count - 1
    }

    /// `.symtab` and `.strtab`.
    func encoded() -> (symtab: [UInt8], strtab: [UInt8]) {
        var strtab: [UInt8] = [0]
        var symtab = [UInt8](repeating: 0, count: 24)
        func add(_ symbol: Symbol) {
            var nameOffset: UInt32 = 0
            if !symbol.name.isEmpty {
                nameOffset = UInt32(strtab.count)
                strtab.append(contentsOf: Array(symbol.name.utf8) + [0])
            }
            symtab.append32(nameOffset)
            symtab.append(symbol.info)
            symtab.append(0)                                // default visibility
            symtab.append16(symbol.section)
            symtab.append64(symbol.value)
            symtab.append64(symbol.size)
        }
        for symbol in locals { add(symbol) }
        for symbol in globals { add(symbol) }
        for name in undefined {
            add(Symbol(name: name, info: SymbolTable.info(binding: 1, type: 0), section: 0, value: 0, size: 0))
        }
        return (symtab, strtab)
    }
}
