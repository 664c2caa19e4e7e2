import EgretIR

/// A choice of calling conventions a module is compiled under: the one list of them.
///
/// Every module runs with the conventions it declares (`jit[declared]`: calls between
/// its system_v and windows_fastcall functions cross conventions directly) and, when it
/// uses either of those two, once more with them exchanged everywhere: every function,
/// signature and callee (`jit[exchanged]`). So each run line exercises both ABIs on
/// every function, and a module that mixes them crosses conventions in both
/// directions. Other conventions (`tail`, `fast`, …) are compiled as declared in both.
public struct ConventionVariant: Hashable, Sendable, CustomStringConvertible {
    /// `jit[declared]`, `jit[exchanged]`: how findings and messages name the executor.
    public var name: String
    /// Conventions replaced when compiling (`Compiler.Options.callConvOverrides`).
    public var overrides: [CallConv: CallConv]
    /// Run through an object linked for this target (AOTExecutor) instead of the JIT.
    public var aheadOfTimeTarget: AheadOfTimeTarget?

    public var aheadOfTime: Bool { aheadOfTimeTarget != nil }

    public init(name: String, overrides: [CallConv: CallConv], aheadOfTimeTarget: AheadOfTimeTarget? = nil) {
        self.name = name
        self.overrides = overrides
        self.aheadOfTimeTarget = aheadOfTimeTarget
    }

    /// The same conventions through an object: `aot[declared]`, `aot[exchanged]`
    /// (Linux), `wine[declared]`, `wine[exchanged]` (Windows).
    public func throughObject(for target: AheadOfTimeTarget = .linux) -> ConventionVariant {
        ConventionVariant(name: target.variantPrefix + name.drop { $0 != "[" }, overrides: overrides,
                          aheadOfTimeTarget: target)
    }

    public static let declared = ConventionVariant(name: "jit[declared]", overrides: [:])
    public static let exchanged = ConventionVariant(name: "jit[exchanged]",
                                                    overrides: [.systemV: .windowsFastcall, .windowsFastcall: .systemV])

    /// The variants `module` runs under: declared, and exchanged when a function or
    /// signature of it uses system_v or windows_fastcall.
    public static func variants(of module: Module) -> [ConventionVariant] {
        let exchangeable: Set<CallConv> = [.systemV, .windowsFastcall]
        let usesExchangeable = module.functions.contains { function in
            exchangeable.contains(function.signature.callConv)
                || function.signatures.contains { exchangeable.contains($0.callConv) }
        }
        return usesExchangeable ? [.declared, .exchanged] : [.declared]
    }

    public var description: String { name }
}
