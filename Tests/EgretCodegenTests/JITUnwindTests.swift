import EgretIR
import Foundation
import Testing
@testable import EgretCodegen
#if canImport(Glibc)
import Glibc
#endif

/// JIT code's frames are registered with the process's unwinders (libgcc's, and LLVM's
/// libunwind when the process has loaded it), so a backtrace taken inside a function
/// Egret's code called walks out through Egret's frames: from the callee, through the
/// Egret function (its return address found by the FDE's rules), into the trampoline
/// that called it.
struct JITUnwindTests {
    /// `_Unwind_Backtrace` and `_Unwind_GetIP` of the unwinder the callee walks with:
    /// the process's (libgcc_s), or LLVM's libunwind loaded with `dlopen`.
    enum Unwinder {
        typealias Trace = @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32
        typealias Backtrace = @convention(c) (Trace, UnsafeMutableRawPointer?) -> Int32
        typealias GetIP = @convention(c) (OpaquePointer?) -> UInt

        static let processBacktrace: Backtrace? = dlsym(nil, "_Unwind_Backtrace").map { unsafeBitCast($0, to: Backtrace.self) }
        static let processGetIP: GetIP? = dlsym(nil, "_Unwind_GetIP").map { unsafeBitCast($0, to: GetIP.self) }
        /// The pair in use (set under `lock`).
        static var backtrace: Backtrace? = processBacktrace
        static var getIP: GetIP? = processGetIP

        /// LLVM 19's libunwind (Debian's libunwind-19), loaded once and never closed:
        /// JIT code registers its FDEs with it while it is loaded.
        static let llvm: UnsafeMutableRawPointer? = dlopen("/usr/lib/llvm-19/lib/libunwind.so.1", RTLD_NOW | RTLD_LOCAL)
        /// The instruction pointers of the last backtrace (tests run one at a time
        /// through `lock`).
        static var addresses: [UInt] = []
        static let lock = NSLock()
    }

    /// What Egret's code calls: records a backtrace, returns twice its argument.
    static let callee: @convention(c) (Int64) -> Int64 = { value in
        Unwinder.addresses = []
        _ = Unwinder.backtrace? ({ context, _ in
            guard let ip = Unwinder.getIP?(context) else { return 4 }
            Unwinder.addresses.append(ip)
            return Unwinder.addresses.count < 64 ? 0 : 4  // _URC_NO_REASON, else _URC_NORMAL_STOP
        }, nil)
        return value &* 2
    }

    /// The argument is live across the call, so the prologue also saves a register.
    static let text = """
        function %egret_frame(i64) -> i64 system_v {
            fn0 = %callee(i64) -> i64
        block0(v0: i64):
            v1 = call fn0(v0)
            v2 = iadd v1, v0
            return v2
        }
        """

    /// Runs `%egret_frame(7)` and returns the backtrace taken in the callee, with the
    /// code ranges of the function and of its trampoline.
    static func backtrace(registersFrames: Bool) throws
        -> (addresses: [UInt], function: Range<UInt>, trampoline: Range<UInt>, registered: Int) {
        let function = try #require(try CLIFParser.parse(text, fileName: "unwind.clif").functions.first)
        let compiled = try Compiler.compile(function)
        #expect(compiled.emitted.unwind.contains { if case .saveRegister = $0 { true } else { false } })
        let jit = JITModule(registersFrames: registersFrames)
        try jit.defineSymbol(.testCase("callee"), address: unsafeBitCast(callee, to: UnsafeRawPointer.self))
        let handle = try jit.define(compiled.name, signature: compiled.signature, code: compiled.code,
                                    unwind: compiled.emitted.unwind)
        var timings = PhaseTimings()
        let trampolineCode = try Trampoline.code(for: compiled.signature, options: Compiler.Options(), timings: &timings)
        let trampoline = try jit.define(.testCase("trampoline"), signature: JITModule.trampolineSignature,
                                        code: trampolineCode.code, unwind: trampolineCode.unwind)
        try jit.finalize()
        let stack = try JITStack(size: 1 << 20)
        #expect(try jit.call(handle, through: trampoline, arguments: [.int(7, .i64)], on: stack)
                == .returned([.int(21, .i64)]))
        func range(_ name: String) -> Range<UInt> {
            guard let entry = jit.layout.first(where: { $0.name == .testCase(name) }) else { return 0 ..< 0 }
            return entry.address ..< entry.address + UInt(entry.codeSize)
        }
        return (Unwinder.addresses, range("egret_frame"), range("trampoline"), jit.registeredFrames)
    }

    @Test(arguments: ["libgcc", "LLVM libunwind"])
    func aBacktraceInACalleeWalksThroughEgretFramesIntoTheTrampoline(unwinder: String) throws {
        Unwinder.lock.lock()
        defer {
            Unwinder.backtrace = Unwinder.processBacktrace
            Unwinder.getIP = Unwinder.processGetIP
            Unwinder.lock.unlock()
        }
        if unwinder == "LLVM libunwind" {
            // LLVM's __register_frame takes one FDE at a time: each is registered alone.
            let handle = try #require(Unwinder.llvm, "no /usr/lib/llvm-19/lib/libunwind.so.1 (package libunwind-19)")
            Unwinder.backtrace = dlsym(handle, "_Unwind_Backtrace").map { unsafeBitCast($0, to: Unwinder.Backtrace.self) }
            Unwinder.getIP = dlsym(handle, "_Unwind_GetIP").map { unsafeBitCast($0, to: Unwinder.GetIP.self) }
        }
        try #require(Unwinder.backtrace != nil && Unwinder.getIP != nil && JITUnwindInfo.isAvailable,
                     "the process has no \(unwinder) unwinder")
        let trace = try Self.backtrace(registersFrames: true)
        #expect(trace.registered == 2)
        // The callee's caller is the Egret function, and the Egret function's caller,
        // found through its FDE, the trampoline.
        let inFunction = trace.addresses.firstIndex { trace.function.contains($0) }
        let inTrampoline = trace.addresses.firstIndex { trace.trampoline.contains($0) }
        #expect(inFunction != nil, "\(trace.addresses.map { String($0, radix: 16) }) \(trace.function)")
        #expect(inTrampoline != nil && inTrampoline! > (inFunction ?? .max) - 1,
                "\(trace.addresses.map { String($0, radix: 16) }) \(trace.trampoline)")
    }

    /// The control: without the registration, the walk cannot leave the Egret function.
    @Test func withoutRegisteredFramesTheBacktraceStopsAtEgretCode() throws {
        try #require(Unwinder.backtrace != nil && Unwinder.getIP != nil)
        Unwinder.lock.lock()
        defer { Unwinder.lock.unlock() }
        let trace = try Self.backtrace(registersFrames: false)
        #expect(trace.registered == 0)
        #expect(!trace.addresses.contains { trace.trampoline.contains($0) },
                "\(trace.addresses.map { String($0, radix: 16) })")
    }
}
