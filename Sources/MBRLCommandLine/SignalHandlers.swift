import Dispatch
import Experiments
import Foundation

/// SIGINT and SIGTERM delivered to a handler on a dispatch queue instead of
/// ending the process; the handlers live as long as this value (the default
/// dispositions come back when it goes).
final class SignalHandlers {
    private var sources: [DispatchSourceSignal] = []

    /// `handle` gets the signal's name (`SIGINT`, `SIGTERM`) each time one arrives.
    init(_ handle: @escaping @Sendable (String) -> Void) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handle(name) }
            source.resume()
            sources.append(source)
        }
    }

    /// For a run: the first signal asks it to stop between two steps (`RunInterruption`), so it
    /// finishes the file it is writing and prints how to resume; a second one ends the process at
    /// once (status 130).
    convenience init(interruption: RunInterruption) {
        self.init { name in
            if !interruption.request(name) { _exit(130) }
            FileHandle.standardError.write(Data("\n\(name): stopping after the current step (again to quit at once)\n".utf8))
        }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
