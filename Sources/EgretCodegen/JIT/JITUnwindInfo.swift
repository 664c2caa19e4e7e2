#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The DWARF call frame information of JIT code, registered with the process's
/// unwinder so that backtraces, C++ exceptions and Rust panics can walk through
/// Egret frames as through compiled ones.
///
/// Each region's table is an `.eh_frame` of its own (EHFrame, absolute addresses:
/// the table lives on the heap, perhaps far from the code), zero-terminated, handed
/// whole to `__register_frame` as libgcc takes it, and deregistered before the region
/// is unmapped. (LLVM's libunwind takes one FDE per call instead; a process that
/// unwinds with it is not served yet.) Without `__register_frame` in the process,
/// nothing is registered and `isAvailable` says so.
final class JITUnwindInfo {
    private typealias Registrar = @convention(c) (UnsafeRawPointer) -> Void

    private static let register: Registrar? = lookUp("__register_frame")
    private static let deregister: Registrar? = lookUp("__deregister_frame")

    private static func lookUp(_ name: String) -> Registrar? {
        guard let symbol = dlsym(nil, name) else { return nil }  // RTLD_DEFAULT
        return unsafeBitCast(symbol, to: Registrar.self)
    }

    /// Whether the process has an unwinder to register with.
    static var isAvailable: Bool { register != nil && deregister != nil }

    /// Registered tables, to deregister and free.
    private var tables: [UnsafeMutableRawPointer] = []

    /// Registers the frames of functions at absolute addresses; returns how many.
    @discardableResult
    func register(_ functions: [(address: UInt, codeSize: Int, unwind: [UnwindRecord])]) -> Int {
        guard let register = JITUnwindInfo.register, JITUnwindInfo.deregister != nil else { return 0 }
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
        register(UnsafeRawPointer(table))
        tables.append(table)
        return count
    }

    deinit {
        for table in tables {
            JITUnwindInfo.deregister?(UnsafeRawPointer(table))
            table.deallocate()
        }
    }
}
