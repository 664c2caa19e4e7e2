import EgretCodegen
import EgretHarness
import EgretIR
import Foundation

/// Real CLIF as seed material (`egret fuzz --from DIR`): the functions of existing
/// `.clif` files, run tests or not, each given random inputs (and, for later rounds,
/// a small mutation) and judged like any generated case.
///
///     files ──parse, verify──▶ functions ──classify──▶ entries ──case k──▶ slice + inputs
///                                   │                            (mutation k / count)
///                                   └──▶ skipped, counted by reason
///
/// An entry is one function of a file, with the functions of the same file it calls
/// (its slice), under `target x86_64` unless the file is for 32-bit pointers only.
/// Case k runs entry k mod count; round k / count is 0 for the function as written and
/// otherwise one mutation of it (SeedCorpus+Mutations). Parameters the function uses
/// as memory addresses receive the heap buffer (`; heap:`, guard pages after it), so a
/// load through them reads the same bytes on both executors.
///
/// Functions the harness cannot judge are skipped with a reason, never run: they call
/// a function the file does not define, read global values or a VM context, are named
/// `u0:0` (run lines call `%names`), use types the backend does not lower, or let an
/// address (which the executors place differently) reach a result. Files that do not
/// parse or verify are counted the same way.
///
/// Requires: nothing of the files. Guarantees: deterministic (entries in sorted file
/// order, functions in file order); loading never crashes and never runs code.
public struct SeedCorpus: Sendable {
    /// One function that can be judged, with what it needs.
    public struct Entry: Sendable {
        /// The file it comes from.
        public var file: String
        /// The function and the same-file functions it calls; the function is first.
        public var slice: Module
        /// Positions of its parameters that receive the heap's address.
        public var pointerParameters: [Int]
    }

    public private(set) var entries: [Entry] = []
    /// Functions (or whole files, for file-level reasons) skipped, by reason.
    public private(set) var skipped: [String: Int] = [:]
    /// Files read.
    public private(set) var files = 0

    /// Loads every `.clif` file under `directory` (sorted, recursively).
    public static func load(directory: String) -> SeedCorpus {
        var corpus = SeedCorpus()
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return corpus }
        var paths: [String] = []
        for case let relative as String in walker where relative.hasSuffix(".clif") {
            paths.append(directory.hasSuffix("/") ? directory + relative : directory + "/" + relative)
        }
        for path in paths.sorted() {
            corpus.files += 1
            guard let text = try? InputFile.read(path) else {
                corpus.skip("file cannot be read")
                continue
            }
            corpus.add(file: path, text: text)
        }
        return corpus
    }

    /// Adds the functions of one file.
    mutating func add(file: String, text: String) {
        let module: Module
        do {
            module = try CLIFParser.parse(text, fileName: file)
        } catch let diagnostic as Diagnostic {
            if case .unsupported(let feature) = diagnostic.kind {
                skip("file does not parse: unsupported \(feature)")
            } else {
                skip("file does not parse (a parser test, or CLIF Egret does not read)")
            }
            return
        } catch {
            skip("file does not parse (a parser test, or CLIF Egret does not read)")
            return
        }
        guard IRVerifier.verify(module).isEmpty else {
            skip("file fails the IR verifier (a verifier test)")
            return
        }
        for index in module.functions.indices {
            switch Self.entry(module, function: index, file: file) {
            case .success(let entry): entries.append(entry)
            case .failure(let reason): skip(reason.text)
            }
        }
    }

    private mutating func skip(_ reason: String) {
        skipped[reason, default: 0] += 1
    }

    /// Why a function is skipped.
    struct SkipReason: Error {
        var text: String
    }

    /// The entry for function `index` of `module`, or why there is none.
    static func entry(_ module: Module, function index: Int, file: String) -> Result<Entry, SkipReason> {
        let function = module.functions[index]
        guard case .testCase = function.name else {
            return .failure(SkipReason(text: "named like u0:0 (run lines call %names)"))
        }
        guard module.functions.filter({ $0.name == function.name }).count == 1 else {
            return .failure(SkipReason(text: "its name is defined more than once in the file"))
        }
        var needed = [index]
        var position = 0
        while position < needed.count {
            let current = module.functions[needed[position]]
            position += 1
            for case let reference? in current.functionRefs {
                if let callee = module.functionIndex(named: reference.name) {
                    if !needed.contains(callee) { needed.append(callee) }
                } else if reference.signature.position >= current.signatures.count
                    || FloatLibcalls.function(named: reference.name,
                                              signature: current.signatures[reference.signature.position]) == nil {
                    return .failure(SkipReason(text: "calls a function the file does not define"))
                }
            }
        }
        for callee in needed {
            if let reason = unjudgeable(module.functions[callee]) { return .failure(SkipReason(text: reason)) }
        }
        let pointers = AddressFlow.pointerParameters(function)
        if let reason = AddressFlow.addressReachesData(function, pointerParameters: pointers) {
            return .failure(SkipReason(text: reason))
        }
        let pointerBits = IRVerifier.pointerType(for: module)?.bits ?? 64
        if pointerBits != 64 && !pointers.isEmpty {
            return .failure(SkipReason(text: "takes 32-bit pointers (the heap lives above 4 GiB)"))
        }
        if let reason = AddressFlow.unboundedAccess(function, pointers: pointers, heapSize: SeedCaseSource.heapSize) {
            return .failure(SkipReason(text: reason))
        }
        for callee in needed.dropFirst() {
            if let reason = AddressFlow.addressReachesData(module.functions[callee], pointerParameters: [])
                ?? AddressFlow.unboundedAccess(module.functions[callee], pointers: [], heapSize: 0) {
                return .failure(SkipReason(text: "a callee " + reason))
            }
        }
        if let large = needed.flatMap({ module.functions[$0].stackSlots }).first(where: { $0.size > maximumZeroedSlot }) {
            return .failure(SkipReason(text: "has a stack slot of over \(maximumZeroedSlot) bytes (\(large.size)), "
                                          + "too large to zero first"))
        }
        var slice = Module()
        slice.fileName = file
        slice.testCommands = ["run"]
        slice.settings = module.settings
        slice.targets = pointerBits == 32 ? module.targets
            : [Module.Target(isa: "x86_64", flags: [], location: .unknown)]
        let pointerType: IRType = pointerBits == 32 ? .i32 : .i64
        slice.functions = needed.map { zeroingStackSlots(module.functions[$0], pointerType: pointerType) }
        // A file's functions are verified one by one; a slice that is run also checks
        // that each call declares its callee as the file defines it.
        var checked = slice
        checked.runDirectives = [RunDirective(function: function.name, functionIndex: 0,
                                              arguments: function.signature.params.map { DataValue(type: $0.type, low: 0) },
                                              expectation: .none, location: .unknown, text: "")]
        guard IRVerifier.verify(checked).isEmpty else {
            return .failure(SkipReason(text: "declares a callee with another signature than the file gives it"))
        }
        return .success(Entry(file: file, slice: slice, pointerParameters: pointers))
    }

    /// The largest stack slot zeroed before use: a function with a larger one is
    /// skipped rather than given thousands of stores.
    static let maximumZeroedSlot: UInt32 = 1024

    /// `function` with every stack slot set to zero at the top of the entry block. CLIF
    /// leaves a slot's contents undefined until stored to: the interpreter reads zeros,
    /// compiled code whatever the frame held, and a function of a file may read before
    /// it writes (a test of the load alone).
    static func zeroingStackSlots(_ function: Function, pointerType: IRType) -> Function {
        guard let entry = function.entryBlock, !function.stackSlots.isEmpty else { return function }
        var zeroed = function
        let original = zeroed.blocks[entry.position].insts
        zeroed.blocks[entry.position].insts = []
        var zero = InstructionData(opcode: .iconst, type: .i64)
        zero.immediate = 0
        let zeroInst = zeroed.appendInstruction(zero, results: [.i64], to: entry)
        let zeroValue = zeroed.results(of: zeroInst)[zeroed.results(of: zeroInst).startIndex]
        for (slot, data) in function.stackSlots.enumerated() where data.kind == .explicit {
            var address = InstructionData(opcode: .stack_addr, type: pointerType)
            address.entity = UInt32(slot)
            let addressInst = zeroed.appendInstruction(address, results: [pointerType], to: entry)
            let addressValue = zeroed.results(of: addressInst)[zeroed.results(of: addressInst).startIndex]
            var offset = 0
            while offset < Int(data.size) {
                let width = Int(data.size) - offset >= 8 ? 8 : 1
                var store = InstructionData(opcode: width == 8 ? .store : .istore8)
                store.flags = MemFlags.trusted
                store.offset = Int32(offset)
                store.arguments = zeroed.appendValues([zeroValue, addressValue])
                zeroed.appendInstruction(store, results: [], to: entry)
                offset += width
            }
        }
        zeroed.blocks[entry.position].insts += original
        return zeroed
    }

    /// Why a function cannot be judged by its own text, if it cannot.
    static func unjudgeable(_ function: Function) -> String? {
        if !function.globalValues.isEmpty { return "reads global values (a VM context, symbols)" }
        let types = Set(BackendSupport.types)
        let signature = function.signature
        for parameter in signature.params + signature.returns where !types.contains(parameter.type) {
            return "takes or returns \(parameter.type), a type the backend does not lower"
        }
        for parameter in signature.params where parameter.purpose != .normal {
            return "has a special parameter (\(parameter.purpose))"
        }
        return nil
    }
}
