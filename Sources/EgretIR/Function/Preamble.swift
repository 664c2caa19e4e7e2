/// Declarations of a function's preamble: the entities its instructions refer to.

/// `ss0 = explicit_slot 16, align = 8` (also `sized_slot`, and `explicit_slot 8, key = …`).
public struct StackSlotData: Hashable, Sendable {
    public enum Kind: String, Sendable {
        case explicit = "explicit_slot"
        case explicitDynamic = "explicit_dynamic_slot"
    }

    public var kind: Kind
    public var size: UInt32
    /// The alignment as a power of two exponent (0 → 1 byte … 12 → 4096).
    public var alignmentLog2: UInt8
    /// Whether `align = N` was written (the printer reproduces what was asked for).
    public var hasExplicitAlignment: Bool

    public init(kind: Kind = .explicit, size: UInt32, alignmentLog2: UInt8 = 0, hasExplicitAlignment: Bool = false) {
        self.kind = kind
        self.size = size
        self.alignmentLog2 = alignmentLog2
        self.hasExplicitAlignment = hasExplicitAlignment
    }

    public var alignment: UInt32 { 1 << UInt32(alignmentLog2) }
}

/// `fn0 = colocated %callee sig0` or `fn0 = %callee(i32) -> i32`.
public struct ExternalFunction: Hashable, Sendable {
    public var name: ExternalName
    public var signature: SigRef
    public var colocated: Bool
    /// Whether the signature was written inline (`%f(i32) -> i32`) rather than as `sigN`.
    public var inlineSignature: Bool

    public init(name: ExternalName, signature: SigRef, colocated: Bool = false, inlineSignature: Bool = false) {
        self.name = name
        self.signature = signature
        self.colocated = colocated
        self.inlineSignature = inlineSignature
    }
}

/// A global value declaration (`gv0 = vmctx`, `gv1 = load.i64 notrap aligned gv0+8`,
/// `gv2 = iadd_imm.i64 gv1, 16`, `gv3 = symbol colocated %foo+8`).
public enum GlobalValueData: Hashable, Sendable {
    case vmContext
    case load(base: GlobalValue, offset: Int32, type: IRType, flags: MemFlags)
    case addImmediate(base: GlobalValue, offset: Int64, type: IRType)
    case symbol(name: ExternalName, offset: Int64, colocated: Bool, threadLocal: Bool)
    case dynamicScaleTargetConstant(vectorType: IRType)
}

/// `dt0 = i32x4*gv0`: a dynamic vector type, its base type scaled by a global value.
public struct DynamicTypeData: Hashable, Sendable {
    public var baseVectorType: IRType
    public var scale: GlobalValue

    public init(baseVectorType: IRType, scale: GlobalValue) {
        self.baseVectorType = baseVectorType
        self.scale = scale
    }
}

/// `dss0 = explicit_dynamic_slot dt0`.
public struct DynamicStackSlotData: Hashable, Sendable {
    public var dynamicType: DynamicTypeRef

    public init(dynamicType: DynamicTypeRef) { self.dynamicType = dynamicType }
}

/// An exception table of a `try_call`: the callee's signature, the normal-return
/// target and the handlers (tag or default, each a block call) are stored as
/// `blockCalls` of the instruction; this holds the signature and the handler tags.
public struct ExceptionTableData: Hashable, Sendable {
    public enum Tag: Hashable, Sendable {
        /// `tagN: blockM(...)`.
        case tag(UInt32)
        /// `default: blockM(...)`.
        case catchAll
        /// `context vN`: the exception context value (not a handler).
        case context(Value)
    }

    public var signature: SigRef
    /// One tag per handler, matching `blockCalls[1...]` of the instruction in order.
    public var handlerTags: [Tag]
    /// `context vN` items written before the handlers, in order.
    public var contexts: [Value]

    public init(signature: SigRef, handlerTags: [Tag] = [], contexts: [Value] = []) {
        self.signature = signature
        self.handlerTags = handlerTags
        self.contexts = contexts
    }
}
