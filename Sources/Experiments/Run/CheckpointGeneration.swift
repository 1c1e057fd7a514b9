import Foundation

/// Makes a checkpoint a transaction. A loop writes several files into
/// `checkpoints/` (each atomically: temporary file + rename), then the
/// session writes `state.json` with their checksums. A run killed between
/// the first file and `state.json` would leave new files beside the old
/// state, which `--resume` rightly refuses. So before a checkpoint's first
/// write, `preserve` hard-links the complete generation (every file and its
/// `state.json`) into `checkpoints/previous/` — no copy: a rename gives the
/// new file a new inode and the link keeps the old one — and `discard`
/// removes it once the new `state.json` is in place. On resume, `recover`
/// finds a `previous/` left by a kill: if the new state matches its files
/// the kill came after the commit and `previous/` goes; otherwise the old
/// generation is moved back and the run resumes from it.
struct CheckpointGeneration {
    let folder: URL
    var previous: URL { folder.appendingPathComponent("previous") }

    init(directory: RunDirectory) { folder = directory.file("checkpoints") }

    /// Whether a name in `checkpoints/` is a checkpoint file (not the preserved generation nor a temporary file).
    static func isCheckpointFile(_ name: String) -> Bool { name != "previous" && !name.contains(".tmp-") }

    /// Hard-links the current complete generation into `previous/` (nothing to keep before the first checkpoint).
    func preserve() throws {
        let manager = FileManager.default
        try? manager.removeItem(at: previous)
        guard manager.fileExists(atPath: folder.appendingPathComponent("state.json").path) else { return }
        do {
            try manager.createDirectory(at: previous, withIntermediateDirectories: true)
            for name in try manager.contentsOfDirectory(atPath: folder.path) where Self.isCheckpointFile(name) {
                try manager.linkItem(at: folder.appendingPathComponent(name), to: previous.appendingPathComponent(name))
            }
        } catch {
            throw ExperimentError.io(path: previous.path, reason: "could not keep the last checkpoint while writing the next: \(error.localizedDescription)")
        }
    }

    /// Drops the preserved generation (the new `state.json` is written).
    func discard() { try? FileManager.default.removeItem(at: previous) }

    /// After a kill during a checkpoint: keeps the new generation when `isComplete()` says its files match its
    /// state, otherwise moves the preserved one back (and removes files the interrupted checkpoint added).
    func recover(isComplete: () -> Bool) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: previous.appendingPathComponent("state.json").path) else {
            discard()
            return
        }
        if isComplete() { return discard() }
        do {
            let kept = Set(try manager.contentsOfDirectory(atPath: previous.path))
            for name in try manager.contentsOfDirectory(atPath: folder.path) where Self.isCheckpointFile(name) && !kept.contains(name) {
                try manager.removeItem(at: folder.appendingPathComponent(name))
            }
            // rename(2) replaces each file atomically; state.json last, so a kill here leaves `previous/` to retry.
            for name in kept.sorted(by: { a, _ in a != "state.json" }) {
                let from = previous.appendingPathComponent(name).path, to = folder.appendingPathComponent(name).path
                guard rename(from, to) == 0 else {
                    throw ExperimentError.io(path: to, reason: "could not restore it from \(from): \(String(cString: strerror(errno)))")
                }
            }
            discard()
        } catch let error as ExperimentError {
            throw error
        } catch {
            throw ExperimentError.io(path: previous.path, reason: "could not restore the last complete checkpoint after an interrupted one: \(error.localizedDescription)")
        }
    }
}
