import EgretHarness
import Foundation

/// A run of the `egret` executable of this build (or of a system tool), for tests of
/// the command line: its exit status and output.
public typealias EgretCommand = ToolRun

extension ToolRun {
    /// Runs `egret arguments…` in `directory` (default: the current one), killing it
    /// after `timeout` seconds. Output goes through files, so a large one cannot block
    /// the child.
    public static func run(_ arguments: [String], in directory: String? = nil, timeout: Double = 120) throws -> EgretCommand {
        try run(executable: PackagePaths.egretExecutable, arguments, in: directory, timeout: timeout)
    }

    /// Runs a system tool (`gcc`, `readelf`…), found on the PATH, as `run` runs egret.
    public static func tool(_ name: String, _ arguments: [String], in directory: String? = nil,
                            timeout: Double = 120) throws -> EgretCommand {
        try run(executable: "/usr/bin/env", [name] + arguments, in: directory, timeout: timeout)
    }

    /// Runs a Windows program under wine, in the prefix `egret run --aot --target
    /// windows` uses.
    public static func wine(_ program: String, _ arguments: [String] = [], in directory: String? = nil,
                            timeout: Double = 300) throws -> EgretCommand {
        try run(executable: "/usr/bin/env",
                ["WINEDEBUG=-all", "WINEPREFIX=\(AheadOfTimeTarget.preparedWinePrefix())", "wine", program] + arguments,
                in: directory, timeout: timeout)
    }

    /// Runs `executable arguments…`.
    public static func run(executable: String, _ arguments: [String], in directory: String? = nil,
                           timeout: Double = 120) throws -> EgretCommand {
        ToolRun(executable, arguments, in: directory, timeout: timeout)
    }

    /// A fresh, empty scratch directory for one test (unique: the cases of a
    /// parameterised test run in parallel).
    public static func scratch(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "egret-tests-\(getpid())-\(name)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
