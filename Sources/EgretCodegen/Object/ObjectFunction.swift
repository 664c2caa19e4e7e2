import EgretIR

/// One function to place in an object file: the same code buffer, relocations and
/// unwind records the JIT links, and how the linker sees its symbol.
public struct ObjectFunction: Sendable {
    public var name: ExternalName
    public var code: FinishedCode
    public var unwind: [UnwindRecord]
    /// Global functions are visible to other objects; local ones (Egret's own helpers,
    /// such as the float libcalls) only inside this one.
    public var isGlobal: Bool
    /// More global symbols for the function, besides its name: how a generated driver
    /// reaches functions it keeps local (`egret run --aot`), so that no CLIF name can
    /// collide with a C library's.
    public var aliases: [String]

    public init(name: ExternalName, code: FinishedCode, unwind: [UnwindRecord], isGlobal: Bool = true,
                aliases: [String] = []) {
        self.name = name
        self.code = code
        self.unwind = unwind
        self.isGlobal = isGlobal
        self.aliases = aliases
    }

    public init(_ compiled: CompiledFunction, isGlobal: Bool = true, aliases: [String] = []) {
        self.init(name: compiled.name, code: compiled.code, unwind: compiled.emitted.unwind, isGlobal: isGlobal,
                  aliases: aliases)
    }
}

/// The symbol a CLIF name has in an object: a test-case name `%add` is `add`, as C
/// writes it; a user name `u0:1` keeps its CLIF spelling (the linker accepts any
/// bytes but NUL, and no C identifier looks like it).
public enum ObjectSymbol {
    public static func name(of name: ExternalName) -> String {
        switch name {
        case .testCase(let text): return text
        case .user: return name.description
        }
    }
}

/// Why an object could not be written.
public enum ObjectError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Two functions with one symbol name.
    case duplicateSymbol(String)
    /// A symbol name an object cannot hold (empty, or with a NUL byte).
    case invalidSymbolName(String)
    /// The object would pass a limit of the format (4 GiB sections).
    case tooLarge(String)

    public var description: String {
        switch self {
        case .duplicateSymbol(let name): return "two functions define the symbol '\(name)'"
        case .invalidSymbolName(let name): return "'\(name)' cannot be a symbol name in an object file"
        case .tooLarge(let what): return "the object is too large: \(what)"
        }
    }
}

/// The object formats Egret writes.
public enum ObjectFormat: String, CaseIterable, Sendable {
    /// ELF64 x86-64, for Linux linkers (`ELFObject`).
    case elf
    /// COFF x86-64, for Windows linkers (`COFFObject`).
    case coff

    /// The object holding `functions`.
    /// - Throws: `ObjectError`, or `CodegenError.unsupported` when a function's
    ///   prologue cannot be described in the format's unwind information.
    /// - Parameter sectionPerFunction: ELF: a `.text.NAME` section per function.
    public func bytes(of functions: [ObjectFunction], sourceFileName: String,
                      sectionPerFunction: Bool = false) throws -> [UInt8] {
        switch self {
        case .elf:
            return try ELFObject(functions: functions, sourceFileName: sourceFileName,
                                 sectionPerFunction: sectionPerFunction).bytes()
        case .coff: return try COFFObject(functions: functions, sourceFileName: sourceFileName).bytes()
        }
    }
}
