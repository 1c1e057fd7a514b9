import Dispatch
import Experiments
import Foundation

/// SIGINT and SIGTERM handlers for a run: the first signal asks the run to
/// stop between two steps (`RunInterruption`), so it finishes the file it is
/// writing and prints how to resume; a second one ends the process at once
/// (status 130). The handlers live as long as this value.
final class SignalHandlers {
    private var sources: [DispatchSourceSignal] = []

    init(interruption: RunInterruption) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if !interruption.request(name) { _exit(130) }
                FileHandle.standardError.write(Data("\n\(name): stopping after the current step (again to quit at once)\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
