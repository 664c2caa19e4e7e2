import EgretIR
import EgretRuntime

/// Calling compiled code from Swift (DESIGN.md §4).
///
/// Every call goes through a trampoline Egret compiles with its own backend for the
/// target's signature, so one Swift signature runs every function:
///
///     Swift: call(f, through: t, arguments)
///       write arguments to slots          slot i = bytes [16 i, 16 i + 16)
///       egret_guarded_call(t, slots, f)   C: sigsetjmp, then t(slots, f)
///         t (JIT): load the arguments from the slots into f's argument locations,
///                  call f with f's convention, store f's results into the slots
///       returned: read the result slots, typed by f's returns
///       trapped:  fault -> JITModule.trapCode(for:stack:) -> .trapped(code), or a
///                 thrown error when the fault is a bug
///
/// Slot layout (`ArgumentSlots`): little-endian, a narrow integer zero-extended into
/// its slot, a float as its bits, i128/f128/128-bit vectors using all 16 bytes. The
/// array has max(parameters, returns) slots (at least one) and is 16-byte aligned, so
/// a trampoline may move a whole slot with an aligned vector load. Results are read
/// keeping only the bits of their type: the trampoline may store a whole register
/// whose upper bits the convention leaves unspecified.
///
/// A trampoline is itself a function of the module, with the signature
/// `(i64 slots, i64 target) system_v` and no returns; the runtime's
/// `egret_trampoline` type is that shape. That it was compiled for the target's
/// signature is the caller's word (the module cannot see what a trampoline loads).

/// What a call into compiled code did.
public enum CallResult: Hashable, Sendable, CustomStringConvertible {
    /// It returned these values, typed by the signature's returns.
    case returned([DataValue])
    /// It trapped with this code.
    case trapped(TrapCode)

    public var description: String {
        switch self {
        case .returned(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .trapped(let code): return "trap \(code)"
        }
    }
}

/// The 16-byte argument/result slots a trampoline reads and writes.
public enum ArgumentSlots {
    /// Bytes per slot: the widest value (i128, f128, a 128-bit vector).
    public static let slotSize = 16
    /// The alignment of the slot array.
    public static let alignment = 16

    /// Slots a call of `signature` needs: max(parameters, returns), at least one.
    public static func count(for signature: Signature) -> Int {
        max(signature.params.count, signature.returns.count, 1)
    }

    /// Writes `values` to slots 0, 1, …, each as its 128 bits, little-endian.
    /// Requires: room for `values.count` slots at `slots`.
    public static func store(_ values: [DataValue], to slots: UnsafeMutableRawPointer) {
        for (index, value) in values.enumerated() {
            slots.storeBytes(of: value.low.littleEndian, toByteOffset: index * slotSize, as: UInt64.self)
            slots.storeBytes(of: value.high.littleEndian, toByteOffset: index * slotSize + 8, as: UInt64.self)
        }
    }

    /// Reads slots 0, 1, … as values of `types`, keeping only each type's bits.
    /// Requires: room for `types.count` slots at `slots`.
    public static func load(_ types: [IRType], from slots: UnsafeRawPointer) -> [DataValue] {
        types.enumerated().map { index, type in
            let low = UInt64(littleEndian: slots.loadUnaligned(fromByteOffset: index * slotSize, as: UInt64.self))
            let high = UInt64(littleEndian: slots.loadUnaligned(fromByteOffset: index * slotSize + 8, as: UInt64.self))
            return DataValue(type: type, low: low, high: high)
        }
    }
}

extension JITModule {
    /// Calls `function` with `arguments` through `trampoline`, a trampoline compiled
    /// for `function`'s signature. Both must be finalized functions of this module.
    ///
    /// Returns the results or the trap. Throws when the call is malformed (argument
    /// count or types, not a trampoline, not finalized) or when the code faulted
    /// where no trap was recorded: a bug in Egret, never a trap code. With `stack`,
    /// the trampoline and everything it calls run on that stack rather than the
    /// thread's own (`JITStack`: the stack budget every `CompiledModule` call gets, or a
    /// stack below 4 GiB for code written for 32-bit pointers).
    public func call(_ function: JITFunction, through trampoline: JITFunction,
                     arguments: [DataValue], on stack: JITStack? = nil) throws -> CallResult {
        let target = try definition(function)
        let thunk = try definition(trampoline)
        try JITModule.checkTrampoline(thunk)
        try JITModule.check(arguments, against: target)
        let targetAddress = try address(of: function)
        let trampolineAddress = try address(of: trampoline)
        let entry = unsafeBitCast(trampolineAddress, to: egret_trampoline.self)
        let signature = target.signature
        let slotBytes = ArgumentSlots.count(for: signature) * ArgumentSlots.slotSize

        var info = egret_trap_info()
        let (status, results) = withUnsafeTemporaryAllocation(byteCount: slotBytes,
                                                              alignment: ArgumentSlots.alignment) { buffer in
            guard let slots = buffer.baseAddress else { return (Int32(-1), [DataValue]()) }
            slots.initializeMemory(as: UInt8.self, repeating: 0, count: slotBytes)
            ArgumentSlots.store(arguments, to: slots)
            let status = egret_guarded_call_on_stack(entry, slots, targetAddress, stack?.top, &info)
            guard status == 0 else { return (status, []) }
            return (status, ArgumentSlots.load(signature.returns.map(\.type), from: UnsafeRawPointer(slots)))
        }
        switch status {
        case 0:
            return .returned(results)
        case 1:
            // Still on the thread whose stack the code ran on (unless it ran on `stack`).
            return .trapped(try trapCode(for: JITFault(info), stack: stack?.bounds ?? ThreadStackBounds.current()))
        default:
            throw JITError.guardedCallUnavailable
        }
    }

    /// `call` by name.
    public func call(_ function: ExternalName, through trampoline: ExternalName,
                     arguments: [DataValue]) throws -> CallResult {
        try call(requireFunction(named: function), through: requireFunction(named: trampoline), arguments: arguments)
    }

    /// The signature every trampoline has: `(i64, i64) system_v`, no returns.
    public static let trampolineSignature = Signature(params: [AbiParam(.i64), AbiParam(.i64)], returns: [],
                                                      callConv: .systemV)

    private static func checkTrampoline(_ trampoline: Definition) throws {
        let signature = trampoline.signature
        guard signature.params.map(\.type) == [.i64, .i64], signature.returns.isEmpty,
              signature.callConv == .systemV else {
            throw JITError.notATrampoline(trampoline.name, signature)
        }
    }

    private static func check(_ arguments: [DataValue], against target: Definition) throws {
        let params = target.signature.params
        guard arguments.count == params.count else {
            throw JITError.argumentCountMismatch(target.name, expected: params.count, given: arguments.count)
        }
        for (index, (argument, param)) in zip(arguments, params).enumerated() where argument.type != param.type {
            throw JITError.argumentTypeMismatch(target.name, index: index, expected: param.type, given: argument.type)
        }
    }
}
