import EgretIR

/// A relocatable ELF64 x86-64 object (System V gABI and the x86-64 psABI) holding
/// functions: what the system linker takes from `egret compile -o`.
///
///     section          contents
///     .text            the functions, each at a multiple of 16 (or of its constants'
///                      alignment), their constants after their code
///     .rela.text       calls and jumps to other symbols: R_X86_64_PLT32; other
///                      PC-relative fields: R_X86_64_PC32; 8-byte addresses:
///                      R_X86_64_64
///     .eh_frame        one CIE, one FDE per function (EHFrame.swift)
///     .rela.eh_frame   each FDE's pc_begin: R_X86_64_PC32 to .text
///     .note.GNU-stack  empty: the code needs no executable stack
///     .symtab .strtab  a file symbol, the section symbol of .text, the local
///                      functions, then the global ones and the undefined symbols
///                      the code refers to
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

    public init(functions: [ObjectFunction], sourceFileName: String) {
        self.functions = functions
        self.sourceFileName = sourceFileName
    }

    // Section indices, in header order.
    private enum Section: UInt16, CaseIterable {
        case null, text, relaText, ehFrame, relaEHFrame, noteGNUStack, symtab, strtab, shstrtab

        var name: String {
            switch self {
            case .null: return ""
            case .text: return ".text"
            case .relaText: return ".rela.text"
            case .ehFrame: return ".eh_frame"
            case .relaEHFrame: return ".rela.eh_frame"
            case .noteGNUStack: return ".note.GNU-stack"
            case .symtab: return ".symtab"
            case .strtab: return ".strtab"
            case .shstrtab: return ".shstrtab"
            }
        }
    }

    private enum RelocationType: UInt32 {
        case r64 = 1, pc32 = 2, plt32 = 4
    }

    /// The object file's bytes.
    public func bytes() throws -> [UInt8] {
        var text: [UInt8] = []
        var offsets: [Int] = []
        var ehFrame = EHFrame()
        for function in functions {
            let alignment = max(16, function.code.requiredAlignment)
            while text.count % alignment != 0 { text.append(0xCC) }
            offsets.append(text.count)
            ehFrame.addFunction(textOffset: text.count, length: function.code.codeSize, unwind: function.unwind)
            text.append(contentsOf: function.code.bytes)
        }
        guard text.count < Int(UInt32.max) else { throw ObjectError.tooLarge(".text of \(text.count) bytes") }

        var symbols = SymbolTable(fileName: sourceFileName, textSection: Section.text.rawValue)
        try symbols.addFunctions(functions, offsets: offsets)
        var relaText: [UInt8] = []
        for (function, offset) in zip(functions, offsets) {
            for relocation in function.code.relocations {
                let place = offset + Int(relocation.offset)
                let symbol = try symbols.index(of: relocation.target)
                let type: RelocationType
                switch relocation.kind {
                case .absolute64:
                    type = .r64
                case .pcRel32:
                    // A call or jump: E8/E9 with the field right after the opcode.
                    let opcode = place > 0 ? text[place - 1] : 0
                    type = opcode == 0xE8 || opcode == 0xE9 ? .plt32 : .pc32
                }
                ELFObject.appendRela(&relaText, offset: place, symbol: symbol, type: type, addend: relocation.addend)
            }
        }
        var relaEHFrame: [UInt8] = []
        for relocation in ehFrame.relocations {
            ELFObject.appendRela(&relaEHFrame, offset: relocation.offset, symbol: symbols.textSectionSymbol,
                                 type: .pc32, addend: Int64(relocation.textOffset))
        }
        let (symtab, strtab) = symbols.encoded()

        var shstrtab: [UInt8] = [0]
        var nameOffsets: [Section: UInt32] = [:]
        for section in Section.allCases where section != .null {
            nameOffsets[section] = UInt32(shstrtab.count)
            shstrtab.append(contentsOf: Array(section.name.utf8) + [0])
        }

        // Layout: header, each section's data aligned, then the section headers.
        var file = [UInt8](repeating: 0, count: 64)
        var headers: [SectionHeader] = [SectionHeader()]
        func place(_ section: Section, _ data: [UInt8], type: UInt32, flags: UInt64 = 0, alignment: UInt64,
                   link: Section = .null, info: UInt32 = 0, entrySize: UInt64 = 0) {
            while UInt64(file.count) % alignment != 0 { file.append(0) }
            headers.append(SectionHeader(name: nameOffsets[section] ?? 0, type: type, flags: flags,
                                         offset: UInt64(file.count), size: UInt64(data.count),
                                         link: UInt32(link.rawValue), info: info, alignment: alignment,
                                         entrySize: entrySize))
            file.append(contentsOf: data)
        }
        let alloc: UInt64 = 0x2, execute: UInt64 = 0x4, infoLink: UInt64 = 0x40
        let textAlignment = UInt64(functions.map { max(16, $0.code.requiredAlignment) }.max() ?? 16)
        place(.text, text, type: 1, flags: alloc | execute, alignment: textAlignment)
        place(.relaText, relaText, type: 4, flags: infoLink, alignment: 8, link: .symtab,
              info: UInt32(Section.text.rawValue), entrySize: 24)
        place(.ehFrame, ehFrame.bytes, type: 0x7000_0001, flags: alloc, alignment: 8)
        place(.relaEHFrame, relaEHFrame, type: 4, flags: infoLink, alignment: 8, link: .symtab,
              info: UInt32(Section.ehFrame.rawValue), entrySize: 24)
        place(.noteGNUStack, [], type: 1, alignment: 1)
        place(.symtab, symtab, type: 2, alignment: 8, link: .strtab, info: UInt32(symbols.firstGlobal),
              entrySize: 24)
        place(.strtab, strtab, type: 3, alignment: 1)
        place(.shstrtab, shstrtab, type: 3, alignment: 1)
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
        header.append16(Section.shstrtab.rawValue)
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
    private let textSection: UInt16

    // STB_LOCAL 0, STB_GLOBAL 1; STT_NOTYPE 0, STT_FUNC 2, STT_SECTION 3, STT_FILE 4.
    private static func info(binding: UInt8, type: UInt8) -> UInt8 { binding << 4 | type }

    init(fileName: String, textSection: UInt16) {
        self.textSection = textSection
        locals.append(Symbol(name: fileName, info: SymbolTable.info(binding: 0, type: 4), section: 0xFFF1,
                             value: 0, size: 0))
        locals.append(Symbol(name: "", info: SymbolTable.info(binding: 0, type: 3), section: textSection,
                             value: 0, size: 0))
    }

    /// The section symbol of `.text` (after the null symbol and the file symbol).
    var textSectionSymbol: Int { 2 }
    var firstGlobal: Int { 1 + locals.count }

    mutating func addFunctions(_ functions: [ObjectFunction], offsets: [Int]) throws {
        for (function, offset) in zip(functions, offsets) {
            let name = ObjectSymbol.name(of: function.name)
            guard !name.isEmpty, !name.utf8.contains(0) else { throw ObjectError.invalidSymbolName(name) }
            guard defined[name] == nil, !aliasNames.contains(name) else { throw ObjectError.duplicateSymbol(name) }
            let symbol = Symbol(name: name, info: SymbolTable.info(binding: function.isGlobal ? 1 : 0, type: 2),
                                section: textSection, value: UInt64(offset), size: UInt64(function.code.bytes.count))
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
