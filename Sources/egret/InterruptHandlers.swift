import Foundation

/// SIGINT, SIGTERM and SIGHUP while a campaign runs: the first calls `handler` (on a
/// queue of its own, not in signal context); a second one of them ends the process at
/// once with 128 + the signal, as the findings are journalled already.
final class InterruptHandlers {
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "egret.interrupts")
    private var seen = false

    init(_ handler: @escaping (Int32) -> Void) {
        for signalNumber in Self.signals {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { [unowned self] in
                if seen { _exit(128 + signalNumber) }
                seen = true
                handler(signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Puts back the default actions.
    func restore() {
        for source in sources { source.cancel() }
        sources = []
        for signalNumber in Self.signals { signal(signalNumber, SIG_DFL) }
    }
}
