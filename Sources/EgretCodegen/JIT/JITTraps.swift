import EgretIR
import EgretRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// From a hardware fault caught by a guarded call to a program trap, or to a bug.
///
///     fault (signal, pc, fault address)
///       pc outside this module's regions ............ faultOutsideModule     (thrown)
///       trap record at exactly pc's offset .......... its TrapCode           (a result)
///       SIGSEGV/SIGBUS in the calling thread's
///         stack guard window ........................ stk_ovf                (a result)
///       anything else ............................... faultWithoutTrapRecord (thrown)
///
/// The record wins over the guard window: an instruction with a trap code says what a
/// fault there means. Only instructions the program did not mark (a prologue's push,
/// a call pushing its return address, a spill) reach the stack check, and a fault
/// that is neither is a bug in Egret's code generation, never silently a trap code.

/// A hardware fault a guarded call caught in JIT code.
public struct JITFault: Hashable, Sendable, CustomStringConvertible {
    /// SIGFPE, SIGILL, SIGSEGV or SIGBUS.
    public var signal: Int32
    /// The faulting instruction.
    public var pc: UInt
    /// The data address of a SIGSEGV/SIGBUS (0 otherwise).
    public var faultAddress: UInt
    /// The function and offset of `pc`, when it lies in a function of the module
    /// that reported the fault.
    public var location: JITCodeLocation?
    /// The stack pointer at the fault.
    public var stackPointer: UInt = 0
    /// For a fault outside compiled code: the word on top of the stack at the fault.
    public var returnAddress: UInt = 0
    /// Whether `pc` lies outside all JIT code (a jump to a wild address).
    public var outsideCompiledCode = false
    /// For a fault outside compiled code: the call in compiled code whose return
    /// address is on top of the stack (a call to a wild address faults on its target
    /// before pushing anything else).
    public var calledFrom: JITCodeLocation?

    public init(signal: Int32, pc: UInt, faultAddress: UInt, location: JITCodeLocation? = nil) {
        self.signal = signal
        self.pc = pc
        self.faultAddress = faultAddress
        self.location = location
    }

    init(_ info: egret_trap_info) {
        self.init(signal: info.signal, pc: UInt(info.pc), faultAddress: UInt(info.fault_address))
        stackPointer = UInt(info.stack_pointer)
        outsideCompiledCode = info.outside_jit_code != 0
        returnAddress = UInt(info.return_address)
    }

    /// `SIGSEGV at 0x7f3a…10 (%load+0x4), fault address 0x0`; outside compiled code:
    /// `SIGSEGV at 0x1234 (outside compiled code, return address %f+0x1c), fault address 0x1234`.
    public var description: String {
        var text = "\(JITFault.signalName(signal)) at 0x\(String(pc, radix: 16))"
        if let location {
            text += " (\(location))"
        } else if outsideCompiledCode {
            text += " (outside compiled code" + (calledFrom.map { ", return address \($0)" } ?? "") + ")"
        }
        if signal == SIGSEGV || signal == SIGBUS { text += ", fault address 0x\(String(faultAddress, radix: 16))" }
        return text
    }

    /// `SIGSEGV`, or `signal N` for a signal without a name here.
    public static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGFPE: return "SIGFPE"
        case SIGILL: return "SIGILL"
        case SIGSEGV: return "SIGSEGV"
        case SIGBUS: return "SIGBUS"
        case SIGABRT: return "SIGABRT"
        case SIGTRAP: return "SIGTRAP"
        case SIGKILL: return "SIGKILL"
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }
}

/// An instruction address as a function and an offset into its code.
public struct JITCodeLocation: Hashable, Sendable, CustomStringConvertible {
    public var function: ExternalName
    public var offset: Int

    public init(function: ExternalName, offset: Int) {
        self.function = function
        self.offset = offset
    }

    /// `%f+0x1c`.
    public var description: String { "\(function)+0x\(String(offset, radix: 16))" }
}

extension JITModule {
    /// The function whose instructions contain `pc`, and the offset into it; `nil` for
    /// addresses outside every function's instructions (constants, veneers, padding,
    /// other code).
    public func location(of pc: UInt) -> JITCodeLocation? {
        guard let index = definitionIndex(containing: pc), let placement = definitions[index].placement else {
            return nil
        }
        return JITCodeLocation(function: definitions[index].name, offset: Int(pc - placement.address))
    }

    /// The trap code recorded for the instruction starting exactly at `pc`, if any.
    public func trapCode(at pc: UInt) -> TrapCode? {
        guard let index = definitionIndex(containing: pc), let placement = definitions[index].placement else {
            return nil
        }
        let offset = UInt32(pc - placement.address)
        let table = definitions[index].traps
        var low = 0, high = table.count
        while low < high {
            let middle = (low + high) / 2
            if table[middle].offset < offset { low = middle + 1 } else { high = middle }
        }
        return low < table.count && table[low].offset == offset ? table[low].code : nil
    }

    /// Whether `address` lies in code memory of this module.
    public func ownsCode(at address: UInt) -> Bool {
        regions.contains { $0.contains(address) }
    }

    /// The program trap `fault` stands for, or a thrown error if it stands for a bug.
    /// `stack` is the stack of the thread the fault happened on (the thread that made
    /// the guarded call); without it a stack overflow is reported as a bug.
    public func trapCode(for fault: JITFault, stack: ThreadStackBounds?) throws -> TrapCode {
        var fault = fault
        fault.location = location(of: fault.pc)
        guard ownsCode(at: fault.pc) else {
            fault.calledFrom = fault.returnAddress == 0 ? nil : location(of: fault.returnAddress)
            egret_runtime_taint()
            throw JITError.faultOutsideModule(fault)
        }
        if let code = trapCode(at: fault.pc) { return code }
        if fault.signal == SIGSEGV || fault.signal == SIGBUS, let stack, stack.isGuardFault(fault.faultAddress) {
            return .stackOverflow
        }
        // Code that faults where nothing says it may (a jump into the middle of a
        // function, say) may have written anywhere first.
        egret_runtime_taint()
        throw JITError.faultWithoutTrapRecord(fault)
    }

    /// Whether a guarded call in this process faulted where no trap record explains it
    /// (outside compiled code, or at an unmarked instruction): the code may have
    /// written anywhere, and a harness must not trust this process with more runs.
    public static var processTainted: Bool { egret_runtime_tainted() != 0 }

    /// Binary search of the placed definitions by address.
    private func definitionIndex(containing pc: UInt) -> Int? {
        var low = 0, high = byAddress.count
        while low < high {
            let middle = (low + high) / 2
            if (definitions[byAddress[middle]].placement?.address ?? 0) <= pc { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let index = byAddress[low - 1]
        guard let placement = definitions[index].placement,
              pc - placement.address < UInt(definitions[index].codeSize) else { return nil }
        return index
    }
}

/// The stack of one thread, to recognise a fault in its guard region as a stack
/// overflow.
///
///     high  +-----------------+
///           | stack (grows v) |
///     low   +-----------------+  <- lowest usable address
///           | guard window    |  max(guard size, 1 page) + `slackPages` pages:
///           +-----------------+     a fault here is a stack overflow
///
/// A push or call faults at rsp - 8, just below `low`. A prologue that drops rsp by a
/// frame of N bytes and then stores into the frame faults up to N bytes lower, so the
/// window has slack; frames larger than it must be probed (Cranelift's probestack),
/// which is the ABI's job. The window is sound because nothing accessible is mapped
/// directly below a thread's usable stack: glibc puts a PROT_NONE guard there, the
/// kernel keeps a gap below the main thread's stack, and memory that is mapped and
/// accessible does not fault in the first place.
public struct ThreadStackBounds: Hashable, Sendable {
    /// The lowest usable address of the stack.
    public var low: UInt
    /// One past the highest address of the stack.
    public var high: UInt
    /// The size of the guard region below `low` (0 when the system reports none, as
    /// for the main thread, whose guard is the kernel's gap).
    public var guardSize: Int

    /// Extra pages beyond the guard that still count: room for the frame of a
    /// prologue that stores before it probes (16 pages = 64 KiB with 4 KiB pages).
    public static let slackPages = 16

    public init(low: UInt, high: UInt, guardSize: Int) {
        self.low = low
        self.high = high
        self.guardSize = guardSize
    }

    /// Whether a fault at `address` is this stack overflowing.
    public func isGuardFault(_ address: UInt) -> Bool {
        let page = egret_page_size()
        let window = UInt(max(guardSize, page) + ThreadStackBounds.slackPages * page)
        return address < low && low - address <= window
    }

    /// The bounds of the calling thread's stack, `nil` where the system cannot tell
    /// (then stack overflows are reported as bugs, not as `stk_ovf`).
    public static func current() -> ThreadStackBounds? {
        #if os(Linux)
        guard let getAttributes = ThreadStackBounds.getAttributes else { return nil }
        var attributes = pthread_attr_t()
        guard getAttributes(pthread_self(), &attributes) == 0 else { return nil }
        defer { pthread_attr_destroy(&attributes) }
        var start: UnsafeMutableRawPointer?
        var size = 0
        var guardSize = 0
        guard pthread_attr_getstack(&attributes, &start, &size) == 0, let start,
              pthread_attr_getguardsize(&attributes, &guardSize) == 0 else { return nil }
        let low = UInt(bitPattern: start)
        return ThreadStackBounds(low: low, high: low + UInt(size), guardSize: guardSize)
        #else
        return nil
        #endif
    }

    #if os(Linux)
    private typealias GetAttributes = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32

    /// glibc's `pthread_getattr_np`, a GNU extension the Glibc module does not import;
    /// looked up once (RTLD_DEFAULT is the null handle).
    private static let getAttributes: GetAttributes? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pthread_getattr_np") else { return nil }
        return unsafeBitCast(symbol, to: GetAttributes.self)
    }()
    #endif
}
