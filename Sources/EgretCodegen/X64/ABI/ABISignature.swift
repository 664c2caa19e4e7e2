import EgretIR

/// Where each parameter and return value of a signature lives under a calling
/// convention, computed once per signature from the convention's data.
///
///     caller's frame (outgoing area)              callee's view (incoming area)
///     rsp + 0        shadow space (Windows: 32)   .incomingArguments + 0
///     rsp + 32       stack argument slots, 8 B    .incomingArguments + offset
///     rsp + S        return area (if needed)      -- (reached through the pointer)
///     S = stackArgumentsSize (16-byte aligned, shadow space included)
///
/// Layout, as Cranelift's `compute_arg_locs` does it:
/// - Returns are placed first: the first values of each class take the convention's
///   return registers; the rest get 8-byte slots in a return area (16-byte aligned in
///   total). If any value needs the return area, the caller passes its address as a
///   hidden first argument in the first integer argument register, before every
///   CLIF parameter (so on Windows the first CLIF parameter is at position 1).
/// - Parameters then take argument registers (per class on System V, by position on
///   Windows) and, when those run out, 8-byte stack slots in order after the shadow
///   space.
/// - A parameter with `sret` purpose is an ordinary pointer argument whose value the
///   callee also returns in rax (Cranelift's explicit struct return).
/// - An i128 is two 64-bit halves, low first (`location`, then `highLocation`).
///   Arguments follow the convention's `wideIntegerArguments` row: on System V a
///   register pair or a 16-byte aligned stack slot, never split; elsewhere each half
///   is placed as an i64 of its own, so the low half may take the last register and
///   the high half the first stack slot. Returns are always two i64 returns (rax:rdx
///   when both are free).
///
/// Requires: integer scalars up to 128 bits, f32 and f64 (floats are described for the
/// lowering that will come; vectors and f16/f128 are `unsupported`).
public struct ABISignature: Hashable, Sendable {
    /// Where one value is passed.
    public enum Location: Hashable, Sendable {
        case register(PReg)
        /// A byte offset: into the stack-argument area for parameters, into the return
        /// area for returns.
        case stack(offset: Int32)
    }

    /// One parameter or return value.
    public struct Value: Hashable, Sendable {
        public var type: IRType
        public var extension_: ArgumentExtension
        /// Where the value goes; for an i128, its low half.
        public var location: Location
        /// Where the high half of an i128 goes; nil for every other type.
        public var highLocation: Location? = nil

        /// Whether the producer widens the value to 64 bits before passing it.
        public var isExtended: Bool { extension_ != .none && type.bits < 64 }
    }

    public let convention: CallingConvention
    /// One entry per CLIF parameter, in order.
    public let parameters: [Value]
    /// One entry per CLIF return value, in order.
    public let returns: [Value]
    /// Bytes of stack arguments, shadow space included, rounded up to 16.
    public let stackArgumentsSize: Int
    /// Bytes of the return area, rounded up to 16 (0: no return area, no hidden
    /// argument).
    public let returnAreaSize: Int
    /// The index of the `sret` parameter, whose value is returned in rax.
    public let structReturnParameter: Int?

    /// Whether the caller passes a hidden return-area pointer.
    public var hasReturnArea: Bool { returnAreaSize > 0 }

    /// The register carrying the hidden return-area pointer, when there is one.
    public var returnAreaPointer: PReg? { hasReturnArea ? convention.returnAreaPointerRegister : nil }

    /// The register an explicit `sret` pointer comes back in.
    public static let structReturnRegister = PReg.rax

    /// Bytes a caller must reserve at the bottom of its outgoing-argument area for a
    /// call with this signature (stack arguments, then the return area).
    public var outgoingAreaSize: Int { stackArgumentsSize + returnAreaSize }

    /// Bytes the callee pops on return (`ret $n`), per the convention.
    public var calleePopSize: Int { convention.calleePopsStackArguments ? stackArgumentsSize : 0 }

    public init(_ signature: Signature, convention: CallingConvention) throws {
        self.convention = convention
        var returnSlots = ClassCursor(convention: convention, integer: convention.integerReturnRegisters,
                                      float: convention.floatReturnRegisters, byPosition: false)
        var returnAreaOffset = 0
        var returns: [Value] = []
        returns.reserveCapacity(signature.returns.count)
        func nextReturnLocation(isFloat: Bool) throws -> Location {
            if let register = returnSlots.next(isFloat: isFloat) { return .register(register) }
            let offset = try ABISignature.areaOffset(returnAreaOffset, what: "return area")
            returnAreaOffset += convention.stackSlotSize
            return .stack(offset: offset)
        }
        for (index, param) in signature.returns.enumerated() {
            let isFloat = try ABISignature.classify(param.type, what: "return value \(index)")
            var value = Value(type: param.type, extension_: param.extension_,
                              location: try nextReturnLocation(isFloat: isFloat))
            // An i128 return is two i64 returns under every convention.
            if param.type == .i128 { value.highLocation = try nextReturnLocation(isFloat: false) }
            returns.append(value)
        }
        returnAreaSize = ABISignature.alignTo16(returnAreaOffset)

        var argumentSlots = ClassCursor(convention: convention, integer: convention.integerArgumentRegisters,
                                        float: convention.floatArgumentRegisters,
                                        byPosition: convention.registerAssignment == .byPosition)
        if returnAreaSize > 0 {
            // The hidden pointer takes the first integer register (and position 0).
            _ = argumentSlots.next(isFloat: false)
        }
        var stackOffset = convention.shadowSpaceSize
        var parameters: [Value] = []
        parameters.reserveCapacity(signature.params.count)
        var structReturn: Int?
        func nextArgumentLocation(isFloat: Bool) throws -> Location {
            if let register = argumentSlots.next(isFloat: isFloat) { return .register(register) }
            let offset = try ABISignature.areaOffset(stackOffset, what: "stack arguments")
            stackOffset += convention.stackSlotSize
            return .stack(offset: offset)
        }
        for (index, param) in signature.params.enumerated() {
            let isFloat = try ABISignature.classify(param.type, what: "parameter \(index)")
            if param.purpose == .structReturn { structReturn = index }
            guard param.type == .i128 else {
                parameters.append(Value(type: param.type, extension_: param.extension_,
                                        location: try nextArgumentLocation(isFloat: isFloat)))
                continue
            }
            var value: Value
            switch convention.wideIntegerArguments {
            case .twoIntegers:
                value = Value(type: param.type, extension_: param.extension_,
                              location: try nextArgumentLocation(isFloat: false))
                value.highLocation = try nextArgumentLocation(isFloat: false)
            case .registerPairOrAlignedStack:
                if let (low, high) = argumentSlots.nextPair() {
                    value = Value(type: param.type, extension_: param.extension_, location: .register(low))
                    value.highLocation = .register(high)
                } else {
                    stackOffset = (stackOffset + 15) & ~15
                    let offset = try ABISignature.areaOffset(stackOffset, what: "stack arguments")
                    value = Value(type: param.type, extension_: param.extension_, location: .stack(offset: offset))
                    value.highLocation = .stack(offset: offset + 8)
                    stackOffset += 16
                }
            }
            parameters.append(value)
        }
        self.parameters = parameters
        self.returns = returns
        stackArgumentsSize = ABISignature.alignTo16(stackOffset)
        structReturnParameter = structReturn
        guard stackArgumentsSize + returnAreaSize <= ABISignature.sizeLimit else {
            throw CodegenError.unsupported("implementation limit exceeded: a call with "
                                           + "\(stackArgumentsSize + returnAreaSize) bytes of stack arguments and "
                                           + "return area (at most \(ABISignature.sizeLimit))")
        }
    }

    /// The layout of `() -> ()`.
    public init(emptyFor convention: CallingConvention) {
        self.convention = convention
        parameters = []
        returns = []
        stackArgumentsSize = ABISignature.alignTo16(convention.shadowSpaceSize)
        returnAreaSize = 0
        structReturnParameter = nil
    }

    /// Cranelift's limit on argument and return areas (128 MiB), which keeps every
    /// offset comfortably inside a 32-bit displacement.
    static let sizeLimit = 128 << 20

    static func alignTo16(_ size: Int) -> Int { (size + 15) & ~15 }

    /// `offset` as the 32-bit offset of a slot in an argument or return area, or the
    /// `unsupported` error of an area past `sizeLimit` (so a signature of absurdly
    /// many parameters is refused before any offset could overflow).
    static func areaOffset(_ offset: Int, what: String) throws -> Int32 {
        guard offset <= sizeLimit else {
            throw CodegenError.unsupported("implementation limit exceeded: \(what) of more than \(sizeLimit) bytes "
                                           + "in a signature")
        }
        return Int32(offset)
    }

    /// Whether a value of `type` travels in the float class; throws for types no
    /// convention row describes yet.
    static func classify(_ type: IRType, what: String) throws -> Bool {
        if type == .i8 || type == .i16 || type == .i32 || type == .i64 || type == .i128 { return false }
        if type == .f32 || type == .f64 { return true }
        throw CodegenError.unsupported("\(type) \(what) in a signature")
    }
}

/// Hands out registers of two classes, per class or by overall position.
private struct ClassCursor {
    let integer: [PReg]
    let float: [PReg]
    let byPosition: Bool
    var integerUsed = 0
    var floatUsed = 0
    var position = 0

    init(convention: CallingConvention, integer: [PReg], float: [PReg], byPosition: Bool) {
        self.integer = integer
        self.float = float
        self.byPosition = byPosition
    }

    /// The next two integer registers, or nil when fewer than two are left; the two
    /// register slots count as used either way (`registerPairOrAlignedStack`).
    mutating func nextPair() -> (PReg, PReg)? {
        let slot = byPosition ? position : integerUsed
        defer {
            position += 2
            integerUsed += 2
        }
        guard slot + 1 < integer.count else { return nil }
        return (integer[slot], integer[slot + 1])
    }

    /// The next register of the class, or nil when the value goes to the stack.
    mutating func next(isFloat: Bool) -> PReg? {
        defer { position += 1 }
        let registers = isFloat ? float : integer
        let slot = byPosition ? position : (isFloat ? floatUsed : integerUsed)
        guard slot < registers.count else { return nil }
        if isFloat { floatUsed += 1 } else { integerUsed += 1 }
        return registers[slot]
    }
}
