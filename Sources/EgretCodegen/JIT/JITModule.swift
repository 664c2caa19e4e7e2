import EgretIR
import EgretRuntime

/// Compiled functions in executable memory: defined, linked, made executable, called.
///
///     define(name, signature, code) ...      FinishedCode from the emitter; a
///                                           trampoline is defined like any function
///     finalize()                             lays the new functions out in one region,
///       map RW -> copy + relocate ->         resolves relocations (module functions,
///       mprotect RX -> register range        then the symbol table), never W and X
///     call(f, through: t, arguments:)        guarded call; traps come back as results
///     deinit                                 unregister the ranges, unmap
///
/// `finalize()` may be called again after more definitions: each call places the
/// functions defined since the previous one in a new region, and their code may call
/// (through a veneer if far) or take the address of functions of earlier regions.
///
/// The module owns its code memory, so it is a class (its identity is the memory's).
/// It is not thread-safe: define, finalize and call from one thread at a time. Code it
/// placed must not be running when the module is released.
///
/// **Unwind info.** A function defined with its unwind records gets a DWARF FDE,
/// registered with the process's unwinder once its region is executable and
/// deregistered before the memory is unmapped (JITUnwindInfo): backtraces and
/// exceptions walk through it. `registeredFrames` counts them.
public final class JITModule {
    /// One defined function. `code` is dropped once the function is placed; the trap
    /// table stays for trap lookup.
    struct Definition {
        var name: ExternalName
        var signature: Signature
        var code: FinishedCode?
        /// The function's unwind records, until it is placed.
        var unwind: [UnwindRecord]
        /// Trap records sorted by offset, one per offset.
        var traps: [TrapRecord]
        var codeSize: Int
        var size: Int
        /// Set by `finalize()`.
        var placement: Placement?
    }

    struct Placement {
        var address: UInt
        var region: Int
    }

    private(set) var definitions: [Definition] = []
    private var indexByName: [ExternalName: Int] = [:]
    /// Definitions not yet placed, in definition order.
    private var pending: [Int] = []
    private var symbols: JITSymbolTable
    /// Code memory this module mapped, in finalize order.
    public private(set) var regions: [JITRegion] = []
    /// Placed definitions sorted by address, for PC lookup.
    private(set) var byAddress: [Int] = []

    private let pageSize = egret_page_size()
    /// The frames registered with the process's unwinder (released first in `deinit`,
    /// before the memory is unmapped).
    private var unwindInfo: JITUnwindInfo?
    /// Functions whose frames the process's unwinder knows.
    public private(set) var registeredFrames = 0
    /// Stamped into every handle this module returns. Random rather than the object's
    /// address, which a later module may reuse, so a stale handle is never taken for
    /// a live one.
    private let identity = UInt64.random(in: UInt64.min ... UInt64.max)

    /// A module whose code may refer to its own functions and to `symbols`. Without
    /// `registersFrames`, the unwinder is not told of its frames (for tests that show
    /// what that costs a backtrace).
    public init(symbols: JITSymbolTable = JITSymbolTable(), registersFrames: Bool = true) {
        self.symbols = symbols
        unwindInfo = registersFrames ? JITUnwindInfo() : nil
    }

    deinit {
        unwindInfo = nil
        for region in regions {
            guard let start = UnsafeMutableRawPointer(bitPattern: region.start) else { continue }
            egret_unregister_code_range(start)
            egret_code_free(start, region.size)
        }
    }

    // MARK: Defining

    /// Adds a compiled function. It becomes callable after the next `finalize()`; with
    /// its prologue's `unwind` records, the process's unwinder can walk its frames.
    /// Throws `duplicateDefinition` if the name is taken (by a function or a symbol)
    /// and `invalidCode` if the code contradicts itself.
    @discardableResult
    public func define(_ name: ExternalName, signature: Signature, code: FinishedCode,
                       unwind: [UnwindRecord] = []) throws -> JITFunction {
        guard indexByName[name] == nil, symbols.address(of: name) == nil else {
            throw JITError.duplicateDefinition(name)
        }
        try JITLinker.validate(code, name: name, pageSize: pageSize)
        let index = definitions.count
        definitions.append(Definition(name: name, signature: signature, code: code, unwind: unwind,
                                      traps: code.trapTable, codeSize: code.codeSize,
                                      size: code.bytes.count, placement: nil))
        indexByName[name] = index
        pending.append(index)
        return JITFunction(owner: identity, index: index)
    }

    /// Adds an external symbol the code of later `finalize()` calls may refer to.
    public func defineSymbol(_ name: ExternalName, address: UnsafeRawPointer) throws {
        guard indexByName[name] == nil, symbols.address(of: name) == nil else {
            throw JITError.duplicateDefinition(name)
        }
        symbols.define(name, address: address)
    }

    // MARK: Finalizing

    /// Places every function defined since the last `finalize()` in a new region,
    /// links it and makes it executable. Nothing is mapped if a symbol is unresolved;
    /// on any error the new functions stay unplaced and the region is released.
    public func finalize() throws {
        guard !pending.isEmpty else { return }
        let inputs = pending.compactMap { index -> RegionLinker.Input? in
            guard let code = definitions[index].code else { return nil }
            return RegionLinker.Input(name: definitions[index].name, code: code)
        }
        let linker = try RegionLinker(inputs: inputs, resolveOutside: addressOutsidePending)
        let mappedSize = RegionLinker.align(max(linker.usedSize, 1), to: pageSize)
        guard let memory = egret_code_alloc(mappedSize) else {
            throw JITError.codeAllocationFailed(size: mappedSize)
        }
        do {
            try linker.write(to: memory, mappedSize: mappedSize)
            let status = egret_code_make_executable(memory, mappedSize)
            guard status == 0 else { throw JITError.protectionFailed(errno: status) }
            guard egret_register_code_range(memory, mappedSize) == 0 else {
                throw JITError.codeRangeRegistrationFailed
            }
        } catch {
            egret_code_free(memory, mappedSize)
            throw error
        }
        let region = JITRegion(start: UInt(bitPattern: memory), size: mappedSize)
        regions.append(region)
        var frames: [(address: UInt, codeSize: Int, unwind: [UnwindRecord])] = []
        for (index, offset) in zip(pending, linker.functionOffsets) {
            let address = region.start + UInt(offset)
            definitions[index].placement = Placement(address: address, region: regions.count - 1)
            definitions[index].code = nil
            frames.append((address, definitions[index].codeSize, definitions[index].unwind))
            definitions[index].unwind = []
        }
        registeredFrames += unwindInfo?.register(frames) ?? 0
        pending.removeAll()
        byAddress = definitions.indices.filter { definitions[$0].placement != nil }
            .sorted { (definitions[$0].placement?.address ?? 0) < (definitions[$1].placement?.address ?? 0) }
    }

    /// A function placed by an earlier `finalize()`, else a symbol-table entry.
    private func addressOutsidePending(_ name: ExternalName) -> UInt? {
        if let index = indexByName[name] { return definitions[index].placement?.address }
        return symbols.address(of: name)
    }

    // MARK: Queries

    /// The function defined under `name`.
    public func function(named name: ExternalName) -> JITFunction? {
        indexByName[name].map { JITFunction(owner: identity, index: $0) }
    }

    public func name(of function: JITFunction) throws -> ExternalName {
        try definition(function).name
    }

    public func signature(of function: JITFunction) throws -> Signature {
        try definition(function).signature
    }

    /// The entry point of a finalized function.
    public func address(of function: JITFunction) throws -> UnsafeRawPointer {
        let definition = try definition(function)
        guard let placement = definition.placement, let pointer = UnsafeRawPointer(bitPattern: placement.address)
        else { throw JITError.notFinalized(definition.name) }
        return pointer
    }

    /// Every finalized function, in address order: the code layout an unwind-info
    /// registrar needs.
    public var layout: [JITFunctionLayout] {
        byAddress.compactMap { index in
            let definition = definitions[index]
            guard let placement = definition.placement else { return nil }
            return JITFunctionLayout(function: JITFunction(owner: identity, index: index),
                                     name: definition.name, signature: definition.signature,
                                     address: placement.address, codeSize: definition.codeSize,
                                     size: definition.size, region: placement.region)
        }
    }

    /// The definition behind a handle of this module.
    func definition(_ function: JITFunction) throws -> Definition {
        guard function.owner == identity, definitions.indices.contains(function.index) else {
            throw JITError.foreignFunction(function)
        }
        return definitions[function.index]
    }

    /// The handle for `name`, or `unknownFunction`.
    func requireFunction(named name: ExternalName) throws -> JITFunction {
        guard let function = function(named: name) else { throw JITError.unknownFunction(name) }
        return function
    }
}

// MARK: - The module's values: symbols, handles, layout

/// Addresses of external symbols a module's relocations may resolve to: libcalls, C
/// helpers, data the generated code reads. Only names listed here (or defined as
/// functions of the module) link; anything else is `JITError.unresolvedSymbol`.
///
/// Addresses are stored as integers so the table is a plain value; the caller keeps
/// whatever they point to alive for as long as the module's code may run.
public struct JITSymbolTable: Hashable, Sendable {
    private var addresses: [ExternalName: UInt] = [:]

    public init() {}

    public init(_ symbols: [ExternalName: UnsafeRawPointer]) {
        for (name, address) in symbols { addresses[name] = UInt(bitPattern: address) }
    }

    /// Adds or replaces `name`.
    public mutating func define(_ name: ExternalName, address: UnsafeRawPointer) {
        addresses[name] = UInt(bitPattern: address)
    }

    /// The address of `name`, `nil` if the table does not list it.
    public func address(of name: ExternalName) -> UInt? { addresses[name] }

    public var names: Dictionary<ExternalName, UInt>.Keys { addresses.keys }

    public var isEmpty: Bool { addresses.isEmpty }
}

/// A function defined in a `JITModule`: a handle valid only with the module that
/// returned it (using it with another module is `JITError.foreignFunction`).
public struct JITFunction: Hashable, Sendable, CustomStringConvertible {
    /// The identity of the module that defined the function.
    let owner: UInt64
    /// Definition order within the module.
    public let index: Int

    public var description: String { "function #\(index)" }
}

/// Where a finalized function lives in executable memory.
///
/// This is the code layout an unwind-info registrar needs (DESIGN.md §4: one DWARF
/// FDE per function, registered with `__register_frame` after the code is final and
/// deregistered before it is freed). The FDE covers `[address, address + codeSize)`;
/// the constants after the code are not instructions and need no unwind info.
public struct JITFunctionLayout: Hashable, Sendable {
    public var function: JITFunction
    public var name: ExternalName
    public var signature: Signature
    /// The entry point: the first instruction.
    public var address: UInt
    /// Bytes of instructions, starting at `address`.
    public var codeSize: Int
    /// Bytes of instructions and constants.
    public var size: Int
    /// The index of the region (`JITModule.regions`) holding the function.
    public var region: Int

    /// Whether `pc` points into the function's instructions.
    public func containsInstruction(at pc: UInt) -> Bool {
        pc >= address && pc - address < UInt(codeSize)
    }
}

/// One contiguous block of code memory, mapped writable, filled, then made executable
/// (never both) and registered with the runtime as JIT code.
///
///     start                                                                  start + size
///     | f0 code | f0 constants | pad | f1 code | f1 constants | pad | veneers | page pad |
///
/// A veneer (`jmpq *0(%rip); .quad target`) lets a direct `call rel32` reach a target
/// more than ±2 GiB away (a C helper in the executable, a function of an earlier region).
public struct JITRegion: Hashable, Sendable {
    public var start: UInt
    /// Bytes mapped (a whole number of pages).
    public var size: Int

    public func contains(_ address: UInt) -> Bool {
        address >= start && address - start < UInt(size)
    }
}
