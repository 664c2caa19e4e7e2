import EgretIR

/// Which calling conventions a file's functions are run under.
///
/// A module is run with its own conventions and, unless it pins them, once more with
/// `system_v` and `windows_fastcall` exchanged everywhere (every function, signature and
/// callee), so each run line exercises both ABIs. A module pins its conventions when it
/// mixes them or uses any other (`tail`, `fast`, …): exchanging would change what its
/// cross-convention calls test.
public struct ConventionVariants {
    public var name: String
    public var overrides: [CallConv: CallConv]

    public static func of(_ module: Module) -> [ConventionVariants] {
        var used = Set<CallConv>()
        for function in module.functions {
            used.insert(function.signature.callConv)
            for signature in function.signatures { used.insert(signature.callConv) }
        }
        let native = ConventionVariants(name: "jit[\(used.count == 1 ? used.first?.name ?? "system_v" : "native")]",
                                        overrides: [:])
        if used == [.systemV] || used.isEmpty {
            return [native, ConventionVariants(name: "jit[windows_fastcall]", overrides: [.systemV: .windowsFastcall])]
        }
        if used == [.windowsFastcall] {
            return [native, ConventionVariants(name: "jit[system_v]", overrides: [.windowsFastcall: .systemV])]
        }
        return [native]
    }
}
