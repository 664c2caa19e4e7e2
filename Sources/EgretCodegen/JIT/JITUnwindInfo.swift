#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The DWARF call frame information of JIT code, registered with the process's
/// unwinders so that backtraces, C++ exceptions and Rust panics can walk through
/// Egret frames as through compiled ones.
///
/// Each region's table is an `.eh_frame` of its own (EHFrame, absolute addresses:
/// the table lives on the heap, perhaps far from the code), zero-terminated, and is
/// registered with every unwinder the process has, in the form each takes:
///
///     libgcc (the process's `__register_frame`)   the whole table, once
///     LLVM's libunwind, if loaded                 each FDE, one call per FDE (its
///       (`libunwind.so.1`)                        `__register_frame` reads one)
///
/// Each is deregistered the same way before the region is unmapped. Without any
/// unwinder in the process nothing is registered and `isAvailable` says so.
final class JITUnwindInfo {
    private typealias Registrar = @convention(c) (UnsafeRawPointer) -> Void

    private static let register: Registrar? = lookUp("__register_frame", in: nil)
    private static let deregister: Registrar? = lookUp("__deregister_frame", in: nil)

    private static func lookUp(_ name: String, in handle: UnsafeMutableRawPointer?) -> Registrar? {
        guard let symbol = dlsym(handle, name) else { return nil }  // nil handle: RTLD_DEFAULT
        return unsafeBitCast(symbol, to: Registrar.self)
    }

    /// LLVM's libunwind's registration pair, when the process has loaded it (by its
    /// soname; LLVM 19's package installs it as `libunwind.so.1`). Asked at each
    /// registration: a program may load it at any time.
    private static func llvmUnwinder() -> (register: Registrar, deregister: Registrar)? {
        guard let handle = dlopen("libunwind.so.1", RTLD_NOW | RTLD_NOLOAD) else { return nil }
        defer { dlclose(handle) }  // RTLD_NOLOAD took a reference
        guard let register = lookUp("__register_frame", in: handle),
              let deregister = lookUp("__deregister_frame", in: handle),
              dlsym(handle, "__unw_add_dynamic_fde") != nil else { return nil }  // LLVM's, not another library's
        return (register, deregister)
    }

    /// Whether the process has an unwinder to register with.
    static var isAvailable: Bool { (register != nil && deregister != nil) || llvmUnwinder() != nil }

    /// Registered tables, to deregister and free, with the FDEs given one by one to
    /// LLVM's libunwind (and its deregistration function).
    private var tables: [(table: UnsafeMutableRawPointer, wholeTable: Bool, fdes: [UnsafeRawPointer],
                          perFDE: Registrar?)] = []

    /// Registers the frames of functions at absolute addresses; returns how many.
    @discardableResult
    func register(_ functions: [(address: UInt, codeSize: Int, unwind: [UnwindRecord])]) -> Int {
        let whole = JITUnwindInfo.register.flatMap { register in JITUnwindInfo.deregister.map { _ in register } }
        let llvm = JITUnwindInfo.llvmUnwinder()
        guard whole != nil || llvm != nil else { return 0 }
        var frame = EHFrame(encoding: .absolute)
        var count = 0
        for function in functions where !function.unwind.isEmpty {
            frame.addFunction(textOffset: Int(function.address), length: function.codeSize, unwind: function.unwind)
            count += 1
        }
        guard count > 0 else { return 0 }
        let bytes = frame.terminated
        let table = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 8)
        bytes.withUnsafeBytes { table.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        whole?(UnsafeRawPointer(table))
        var fdes: [UnsafeRawPointer] = []
        if let llvm {
            fdes = frame.fdeOffsets.map { UnsafeRawPointer(table + $0) }
            for fde in fdes { llvm.register(fde) }
        }
        tables.append((table, whole != nil, fdes, llvm?.deregister))
        return count
    }

    deinit {
        for entry in tables {
            if let deregister = entry.perFDE { for fde in entry.fdes { deregister(fde) } }
            if entry.wholeTable { JITUnwindInfo.deregister?(UnsafeRawPointer(entry.table)) }
            entry.table.deallocate()
        }
    }
}
