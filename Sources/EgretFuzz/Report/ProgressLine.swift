import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The campaign's progress line on standard error: rewritten in place once a second on
/// a terminal, silent otherwise (pipes, files, CI logs).
struct ProgressLine {
    let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled && ProgressLine.isInteractive
    }

    /// A terminal, and not a CI job (which sets `CI`).
    static var isInteractive: Bool {
        isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["CI"] == nil
    }

    func show(cases: UInt64, elapsed: Double, findings: Int, coverage: Int, universe: Int) {
        guard enabled else { return }
        let rate = elapsed > 0 ? Double(cases) / elapsed : 0
        let line = String(format: "\r%llu cases  %.0f cases/s  %d findings  coverage %d/%d opcode×type   ",
                          cases, rate, findings, coverage, universe)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
