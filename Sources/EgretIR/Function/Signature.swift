/// A calling convention, spelled as in CLIF.
public enum CallConv: String, CaseIterable, Sendable {
    case fast
    case cold
    case tail
    case systemV = "system_v"
    case windowsFastcall = "windows_fastcall"
    case appleAarch64 = "apple_aarch64"
    case probestack
    case winch
    case preserveAll = "preserve_all"
    case patchable

    public var name: String { rawValue }
}

/// The extension applied to a narrow integer argument or return value.
public enum ArgumentExtension: UInt8, Sendable {
    case none, uext, sext
}

/// Special roles of a parameter (`i64 vmctx`, `i64 sret`).
public enum ArgumentPurpose: String, CaseIterable, Sendable {
    case normal = ""
    case structReturn = "sret"
    case vmctx
    case stackLimit = "stack_limit"
}

/// One parameter or return value of a signature.
public struct AbiParam: Hashable, Sendable, CustomStringConvertible {
    public var type: IRType
    public var extension_: ArgumentExtension
    public var purpose: ArgumentPurpose

    public init(_ type: IRType, extension_: ArgumentExtension = .none, purpose: ArgumentPurpose = .normal) {
        self.type = type
        self.extension_ = extension_
        self.purpose = purpose
    }

    public var description: String {
        var text = type.description
        switch extension_ {
        case .none: break
        case .uext: text += " uext"
        case .sext: text += " sext"
        }
        if purpose != .normal { text += " \(purpose.rawValue)" }
        return text
    }
}

/// A function signature: parameters, returns and calling convention.
public struct Signature: Hashable, Sendable, CustomStringConvertible {
    public var params: [AbiParam]
    public var returns: [AbiParam]
    public var callConv: CallConv

    public init(params: [AbiParam] = [], returns: [AbiParam] = [], callConv: CallConv = .systemV) {
        self.params = params
        self.returns = returns
        self.callConv = callConv
    }

    /// CLIF spelling: `(i32, i64 sext) -> i32 windows_fastcall`; the convention is
    /// omitted when it is `system_v`, the default on this target.
    public var description: String {
        var text = "(" + params.map(\.description).joined(separator: ", ") + ")"
        if !returns.isEmpty {
            text += " -> " + returns.map(\.description).joined(separator: ", ")
        }
        if callConv != .systemV { text += " \(callConv.name)" }
        return text
    }
}

/// The name of a function or external symbol: `%name` (a test-case name), `u1:2` (a
/// user name of namespace 1, index 2), or a libcall such as `%CeilF32`.
public enum ExternalName: Hashable, Sendable, CustomStringConvertible {
    case testCase(String)
    case user(namespace: UInt32, index: UInt32)

    public var description: String {
        switch self {
        case .testCase(let name): return "%\(name)"
        case .user(let namespace, let index): return "u\(namespace):\(index)"
        }
    }
}
