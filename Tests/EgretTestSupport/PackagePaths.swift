import Foundation

/// Where the package's files are, for every test target: the one copy of the
/// "find the package root from this file" helper.
public enum PackagePaths {
    /// The package's root directory (this file is Tests/EgretTestSupport/PackagePaths.swift).
    public static let root: String = {
        let resolved = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().path
        var components = resolved.split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return components.joined(separator: "/")
    }()

    /// The `egret` executable of this build, for tests that run it or start its workers:
    /// next to the test bundle (`swift build` puts it there; ci/test builds it first).
    public static var egretExecutable: String {
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test bundle may sit a few levels below the build directory.
        for _ in 0 ..< 4 {
            let path = candidate.appendingPathComponent("egret").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
            candidate = candidate.deletingLastPathComponent()
        }
        return root + "/.build/debug/egret"
    }

    /// The project's own `.clif` run tests.
    public static var filetests: String { root + "/Tests/Filetests" }

    /// The project's regression corpus.
    public static var corpus: String { root + "/Corpus" }

    /// Every `.clif` file under `directory` (recursively), sorted; empty if absent.
    public static func clifFiles(under directory: String) -> [String] {
        let directory = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".clif") { files.append(directory + "/" + relative) }
        }
        return files.sorted()
    }

    /// The project's own `.clif` run tests, sorted.
    public static func projectFiletests() -> [String] {
        clifFiles(under: filetests)
    }
}

/// A local export of Cranelift's filetests (wasmtime's `cranelift/filetests/filetests/`,
/// never copied into the project), named by the environment variable
/// `EGRET_CRANELIFT_FILETESTS`. Tests that read it are enabled only when it is set and
/// say so otherwise (`.enabled(if: CraneliftFiletests.isAvailable, …)`).
public enum CraneliftFiletests {
    public static let variable = "EGRET_CRANELIFT_FILETESTS"

    /// The export's directory, when the variable names one that exists.
    public static let directory: String? = {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return nil
        }
        return path
    }()

    public static var isAvailable: Bool { directory != nil }

    /// Why tests of the export are disabled.
    public static let unavailableReason = "set \(variable) to an export of Cranelift's filetests to run this test"

    /// The export's run tests (`runtests/`), sorted.
    public static func runtests() -> [String] {
        directory.map { PackagePaths.clifFiles(under: $0 + "/runtests") } ?? []
    }
}
