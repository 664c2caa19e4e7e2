import EgretCodegen
import Foundation

/// Where `egret run --aot` links and runs its programs.
///
/// | | linux | windows |
/// |---|---|---|
/// | object | ELF (`ELFObject`) | COFF (`COFFObject`) |
/// | C compiler | `gcc -no-pie` (package gcc) | `x86_64-w64-mingw32-gcc` (package mingw-w64) |
/// | runs under | the host | `wine` (package wine64), `WINEDEBUG=-all` |
/// | faults | signals, a `sigaltstack` handler | a vectored exception handler |
///
/// Wine's first start creates its prefix (`WINEPREFIX`, default
/// `~/.cache/egret/wine`), and each start costs about three seconds, so a module's
/// lines run in one program.
public enum AheadOfTimeTarget: String, CaseIterable, Sendable {
    case linux
    case windows

    /// How findings name the variants of this target: `aot[declared]`, `wine[declared]`.
    var variantPrefix: String { self == .linux ? "aot" : "wine" }

    var objectFormat: ObjectFormat { self == .linux ? .elf : .coff }

    /// The C compiler and its Debian package.
    var compiler: (command: String, package: String) {
        switch self {
        case .linux: return (AOTExecutor.compiler, "gcc")
        case .windows: return ("x86_64-w64-mingw32-gcc", "mingw-w64")
        }
    }

    var linkFlags: [String] { self == .linux ? ["-no-pie", "-O0", "-w"] : ["-O0", "-w"] }

    var programName: String { self == .linux ? "prog" : "prog.exe" }

    /// The wine prefix Egret uses, created if it is not yet: its directories, then
    /// wine's own files (`wineboot --init`, some seconds), by one process at a time
    /// (workers and tests start wine in parallel; each waits on a lock file beside
    /// the prefix while another creates it).
    public static func preparedWinePrefix() -> String {
        let prefix = winePrefix
        let manager = FileManager.default
        guard !manager.fileExists(atPath: prefix + "/system.reg") else { return prefix }
        try? manager.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        let lock = open(prefix + ".lock", O_CREAT | O_RDWR, 0o644)
        guard lock >= 0 else { return prefix }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        defer { flock(lock, LOCK_UN) }
        if !manager.fileExists(atPath: prefix + "/system.reg") {
            _ = ToolRun("/usr/bin/env", ["WINEDEBUG=-all", "WINEPREFIX=\(prefix)", "wine", "wineboot", "--init"],
                        timeout: 300)
        }
        return prefix
    }

    /// The wine prefix Egret uses: `WINEPREFIX` when set, else its own under the
    /// user's cache directory.
    static var winePrefix: String {
        let environment = ProcessInfo.processInfo.environment
        if let prefix = environment["WINEPREFIX"], !prefix.isEmpty { return prefix }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? NSHomeDirectory() + "/.cache"
        return cache + "/egret/wine"
    }

    /// Runs the linked `program` from line `first`.
    func run(_ program: String, first: Int, timeout: Double) -> ToolRun {
        switch self {
        case .linux:
            return ToolRun(program, [String(first)], timeout: timeout)
        case .windows:
            return ToolRun("/usr/bin/env", ["WINEDEBUG=-all", "WINEPREFIX=\(AheadOfTimeTarget.preparedWinePrefix())",
                                            "wine", program, String(first)], timeout: timeout)
        }
    }

    /// Throws `.toolchain` naming the package when a tool this target runs
    /// programs with is missing (the compiler is checked when it links).
    func checkRunner() throws {
        guard self == .windows, !AheadOfTimeTarget.wineIsInstalled else { return }
        throw AOTExecutor.Failure.toolchain("--target windows needs wine to run its programs (Debian package wine64)")
    }

    /// Whether `wine` runs, asked once per process (every module's program needs it).
    private static let wineIsInstalled: Bool = ToolRun("/usr/bin/env", ["wine", "--version"], timeout: 60).status == 0
}
