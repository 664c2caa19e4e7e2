import EgretIR

/// A relocatable COFF x86-64 object (Microsoft's PE/COFF specification) holding
/// functions: what `egret compile -o OUT.obj --format coff` writes for Windows linkers
/// (MinGW's ld, lld-link, link.exe).
///
///     section   contents
///     .text     the functions, each at a multiple of 16 (ObjectLayout);
///               relocations: calls, jumps and other PC-relative fields (constants
///               among them) IMAGE_REL_AMD64_REL32 (the addend in the field), 8-byte
///               addresses IMAGE_REL_AMD64_ADDR64
///     .xdata    one UNWIND_INFO per function (WindowsUnwind.swift)
///     .pdata    one RUNTIME_FUNCTION per function: start, end and unwind
///               information, each IMAGE_REL_AMD64_ADDR32NB (image-relative)
///     .rdata    the functions' constants (if any)
///     symbols   the file, the sections, the functions (external, or static
///               for local ones), their aliases, then the undefined names the code
///               refers to; names longer than eight bytes in the string table
///
/// Requires: each function's code is what the emitter finished, and its unwind
/// records describe a prologue Windows can express (`WindowsUnwindInfo`).
/// Guarantees: every relocation of the code is a relocation of the object; every
/// function is covered by a `.pdata` entry, so Windows can unwind through it.
public struct COFFObject {
    public let functions: [ObjectFunction]
    /// The name of the `.file` symbol (the CLIF file's name).
    public let sourceFileName: String

    public init(functions: [ObjectFunction], sourceFileName: String) {
        self.functions = functions
        self.sourceFileName = sourceFileName
    }

    private enum RelocationType: UInt16 {
        case addr64 = 1, addr32NB = 3, rel32 = 4
    }

    private struct Relocation {
        var offset: Int
        var symbol: Int
        var type: RelocationType
    }

    // Section numbers (1-based): .rdata is the fourth, when there are constants.
    private static let textSection = 1, xdataSection = 2, pdataSection = 3, rdataSection = 4

    /// The object file's bytes.
    public func bytes() throws -> [UInt8] {
        let layout = try ObjectLayout(functions, sectionPerFunction: false)
        let hasReadOnly = !layout.readOnly.isEmpty
        var symbols = COFFSymbols(fileName: sourceFileName, readOnlyData: hasReadOnly)
        var text = layout.texts.first ?? []
        let offsets = layout.placements.map(\.offset)
        var xdata: [UInt8] = []
        var unwindOffsets: [Int] = []
        for function in functions {
            let name = ObjectSymbol.name(of: function.name)
            unwindOffsets.append(xdata.count)
            xdata.append(contentsOf: try WindowsUnwindInfo(function.unwind, function: name).bytes)
        }
        try symbols.addFunctions(functions, offsets: offsets)

        var textRelocations: [Relocation] = []
        for (function, start) in zip(functions, offsets) {
            for relocation in function.code.relocations {
                let place = start + Int(relocation.offset)
                let symbol = try symbols.index(of: relocation.target)
                switch relocation.kind {
                case .absolute64:
                    // The addend lives in the field: the linker adds the address to it.
                    text.replaceSubrange(place ..< place + 8, with: COFFObject.little64(UInt64(bitPattern: relocation.addend)))
                    textRelocations.append(Relocation(offset: place, symbol: symbol, type: .addr64))
                case .gotPCRel32:
                    throw CodegenError.unsupported("position-independent code (set is_pic) in a COFF object: "
                                                   + "Windows has no global offset table; compile without is_pic")
                case .pcRel32:
                    // REL32 computes S + field − (P + 4); ELF's addend counts from P.
                    guard let field = Int32(exactly: relocation.addend + 4) else {
                        throw ObjectError.tooLarge("a PC-relative addend of \(relocation.addend)")
                    }
                    text.put32(UInt32(bitPattern: field), at: place)
                    textRelocations.append(Relocation(offset: place, symbol: symbol, type: .rel32))
                }
            }
        }
        for field in layout.constantFields {
            guard let value = Int32(exactly: field.addend + 4) else {
                throw ObjectError.tooLarge("a constant \(field.addend) bytes into .rdata")
            }
            text.put32(UInt32(bitPattern: value), at: field.offset)
            textRelocations.append(Relocation(offset: field.offset, symbol: symbols.rdataSymbol, type: .rel32))
        }
        textRelocations.sort { $0.offset < $1.offset }
        var pdata: [UInt8] = []
        var pdataRelocations: [Relocation] = []
        for (index, function) in functions.enumerated() {
            for (value, symbol) in [(offsets[index], symbols.textSymbol),
                                    (offsets[index] + function.code.codeSize, symbols.textSymbol),
                                    (unwindOffsets[index], symbols.xdataSymbol)] {
                pdataRelocations.append(Relocation(offset: pdata.count, symbol: symbol, type: .addr32NB))
                pdata.append32(UInt32(value))
            }
        }

        // Layout: header, section headers, each section's data and relocations, the
        // symbol table, the string table.
        var body: [UInt8] = []
        var headers: [[UInt8]] = []
        let textAlignment = layout.textAlignments.first ?? 16
        var sections: [(name: String, data: [UInt8], relocations: [Relocation], flags: UInt32)] = [
            (".text", text, textRelocations, 0x6000_0020 | COFFObject.alignmentFlag(textAlignment)),
            (".xdata", xdata, [], 0x4000_0040 | COFFObject.alignmentFlag(4)),
            (".pdata", pdata, pdataRelocations, 0x4000_0040 | COFFObject.alignmentFlag(4)),
        ]
        if hasReadOnly {
            sections.append((".rdata", layout.readOnly, [], 0x4000_0040 | COFFObject.alignmentFlag(layout.readOnlyAlignment)))
        }
        let headerSize = 20 + sections.count * 40
        for section in sections {
            while body.count % 4 != 0 { body.append(0) }
            let dataOffset = headerSize + body.count
            body.append(contentsOf: section.data)
            var relocationOffset = 0
            var flags = section.flags
            var count = section.relocations.count
            if !section.relocations.isEmpty {
                while body.count % 2 != 0 { body.append(0) }
                relocationOffset = headerSize + body.count
                if count > 0xFFFF {
                    // IMAGE_SCN_LNK_NRELOC_OVFL: the real count (with this entry) in the first entry.
                    flags |= 0x0100_0000
                    COFFObject.appendRelocation(&body, Relocation(offset: count + 1, symbol: 0, type: .addr64))
                    count = 0xFFFF
                }
                for relocation in section.relocations { COFFObject.appendRelocation(&body, relocation) }
            }
            var header = COFFObject.shortName(section.name)
            header.append32(0)                                  // VirtualSize
            header.append32(0)                                  // VirtualAddress
            header.append32(UInt32(section.data.count))
            header.append32(section.data.isEmpty ? 0 : UInt32(dataOffset))
            header.append32(UInt32(relocationOffset))
            header.append32(0)                                  // line numbers
            header.append16(UInt16(count))
            header.append16(0)
            header.append32(flags)
            headers.append(header)
        }
        symbols.setSectionAuxiliary(section: COFFObject.textSection, length: text.count,
                                    relocations: textRelocations.count)
        symbols.setSectionAuxiliary(section: COFFObject.xdataSection, length: xdata.count, relocations: 0)
        symbols.setSectionAuxiliary(section: COFFObject.pdataSection, length: pdata.count,
                                    relocations: pdataRelocations.count)
        if hasReadOnly {
            symbols.setSectionAuxiliary(section: COFFObject.rdataSection, length: layout.readOnly.count, relocations: 0)
        }
        while body.count % 4 != 0 { body.append(0) }
        let symbolTableOffset = headerSize + body.count
        let (table, count, strings) = symbols.encoded()
        guard symbolTableOffset + table.count + strings.count < Int(UInt32.max) else {
            throw ObjectError.tooLarge("an object of \(symbolTableOffset + table.count + strings.count) bytes")
        }

        var file: [UInt8] = []
        file.append16(0x8664)                                   // IMAGE_FILE_MACHINE_AMD64
        file.append16(UInt16(sections.count))
        file.append32(0)                                        // time stamp: reproducible output
        file.append32(UInt32(symbolTableOffset))
        file.append32(UInt32(count))
        file.append16(0)                                        // no optional header
        file.append16(0)                                        // characteristics
        for header in headers { file.append(contentsOf: header) }
        file.append(contentsOf: body)
        file.append(contentsOf: table)
        file.append(contentsOf: strings)
        return file
    }

    private static func appendRelocation(_ bytes: inout [UInt8], _ relocation: Relocation) {
        bytes.append32(UInt32(relocation.offset))
        bytes.append32(UInt32(relocation.symbol))
        bytes.append16(relocation.type.rawValue)
    }

    /// IMAGE_SCN_ALIGN_nBYTES: log2(n) + 1 in bits 20–23 (n up to 8192).
    private static func alignmentFlag(_ alignment: Int) -> UInt32 {
        UInt32(min(alignment, 8192).trailingZeroBitCount + 1) << 20
    }

    static func shortName(_ name: String) -> [UInt8] {
        let bytes = Array(name.utf8.prefix(8))
        return bytes + [UInt8](repeating: 0, count: 8 - bytes.count)
    }

    private static func little64(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append64(value)
        return bytes
    }
}

/// The symbol table of a COFF object and its string table. Indices count auxiliary
/// records, as relocations do.
private struct COFFSymbols {
    private struct Symbol {
        var name: String
        var value: UInt32
        var section: Int16
        var type: UInt16
        var storageClass: UInt8
        var auxiliary: [[UInt8]]
    }

    private var symbols: [Symbol] = []
    private var defined: [String: Int] = [:]
    private var aliasNames: Set<String> = []
    private(set) var textSymbol = 0, xdataSymbol = 0, rdataSymbol = 0
    /// The index the next symbol would have.
    private var nextIndex = 0

    // IMAGE_SYM_CLASS_EXTERNAL 2, _STATIC 3, _FILE 103; IMAGE_SYM_DTYPE_FUNCTION 0x20.
    private static let external: UInt8 = 2, staticClass: UInt8 = 3, file: UInt8 = 103
    private static let function: UInt16 = 0x20

    init(fileName: String, readOnlyData: Bool) {
        var name = Array(fileName.utf8)
        let records = max(1, (name.count + 17) / 18)
        name += [UInt8](repeating: 0, count: 18 * records - name.count)
        let auxiliary = (0 ..< records).map { Array(name[18 * $0 ..< 18 * $0 + 18]) }
        append(Symbol(name: ".file", value: 0, section: -2, type: 0, storageClass: COFFSymbols.file,
                      auxiliary: auxiliary))
        textSymbol = append(COFFSymbols.sectionSymbol(".text", 1))
        xdataSymbol = append(COFFSymbols.sectionSymbol(".xdata", 2))
        append(COFFSymbols.sectionSymbol(".pdata", 3))
        if readOnlyData { rdataSymbol = append(COFFSymbols.sectionSymbol(".rdata", 4)) }
    }

    private static func sectionSymbol(_ name: String, _ section: Int16) -> Symbol {
        Symbol(name: name, value: 0, section: section, type: 0, storageClass: staticClass,
               auxiliary: [[UInt8](repeating: 0, count: 18)])
    }

    @discardableResult
    private mutating func append(_ symbol: Symbol) -> Int {
        let index = nextIndex
        symbols.append(symbol)
        nextIndex += 1 + symbol.auxiliary.count
        return index
    }

    /// Fills a section symbol's auxiliary record: its length and relocation count.
    mutating func setSectionAuxiliary(section: Int, length: Int, relocations: Int) {
        var record: [UInt8] = []
        record.append32(UInt32(length))
        record.append16(UInt16(min(relocations, 0xFFFF)))
        record.append16(0)                                      // line numbers
        record.append32(0)                                      // checksum (not COMDAT)
        record.append16(0)
        record.append(contentsOf: [0, 0, 0, 0])
        symbols[section].auxiliary = [record]
    }

    mutating func addFunctions(_ functions: [ObjectFunction], offsets: [Int]) throws {
        for (function, offset) in zip(functions, offsets) {
            let name = ObjectSymbol.name(of: function.name)
            guard !name.isEmpty, !name.utf8.contains(0) else { throw ObjectError.invalidSymbolName(name) }
            guard defined[name] == nil, !aliasNames.contains(name) else { throw ObjectError.duplicateSymbol(name) }
            let storage = function.isGlobal ? COFFSymbols.external : COFFSymbols.staticClass
            defined[name] = append(Symbol(name: name, value: UInt32(offset), section: 1, type: COFFSymbols.function,
                                          storageClass: storage, auxiliary: []))
            for alias in function.aliases {
                guard !alias.isEmpty, !alias.utf8.contains(0) else { throw ObjectError.invalidSymbolName(alias) }
                guard defined[alias] == nil, aliasNames.insert(alias).inserted else {
                    throw ObjectError.duplicateSymbol(alias)
                }
                append(Symbol(name: alias, value: UInt32(offset), section: 1, type: COFFSymbols.function,
                              storageClass: COFFSymbols.external, auxiliary: []))
            }
        }
    }

    /// The index of `target`'s symbol, adding an undefined external the first time a
    /// name no function defines is referred to.
    mutating func index(of target: ExternalName) throws -> Int {
        let name = ObjectSymbol.name(of: target)
        if let index = defined[name] { return index }
        guard !name.isEmpty, !name.utf8.contains(0) else { throw ObjectError.invalidSymbolName(name) }
        guard !aliasNames.contains(name) else { throw ObjectError.duplicateSymbol(name) }
        let index = append(Symbol(name: name, value: 0, section: 0, type: COFFSymbols.function,
                                  storageClass: COFFSymbols.external, auxiliary: []))
        defined[name] = index
        return index
    }

    /// The symbol table, its record count and the string table.
    func encoded() -> (table: [UInt8], count: Int, strings: [UInt8]) {
        var table: [UInt8] = []
        var strings: [UInt8] = [0, 0, 0, 0]
        for symbol in symbols {
            let name = Array(symbol.name.utf8)
            if name.count <= 8 {
                table.append(contentsOf: COFFObject.shortName(symbol.name))
            } else {
                table.append32(0)
                table.append32(UInt32(strings.count))
                strings.append(contentsOf: name + [0])
            }
            table.append32(symbol.value)
            table.append16(UInt16(bitPattern: symbol.section))
            table.append16(symbol.type)
            table.append(symbol.storageClass)
            table.append(UInt8(symbol.auxiliary.count))
            for record in symbol.auxiliary { table.append(contentsOf: record) }
        }
        strings.put32(UInt32(strings.count), at: 0)
        return (table, nextIndex, strings)
    }
}
