import Environments
import Foundation
import Replay

/// The text `mbrl dataset info FILE` prints: file size, transitions, every
/// array's key, dtype (as read: float64 files show float32) and shape, the
/// episodes and their returns (split at `terminals` / `timeouts`, D4RL's
/// convention), and the metadata as indented JSON; with an environment, the
/// line saying the rows fit its spaces (`OfflineDataset.validate`).
public enum DatasetSummary {
    /// Reads and checks `url` (dtypes, shapes, finite values, metadata) and describes it.
    /// - Parameters:
    ///   - environment: an environment id whose spaces the dataset must fit, or nil.
    ///   - settings: that environment's `k=v` settings.
    /// - Throws: `DatasetError` naming the file and array (and, for an
    ///   environment the rows do not fit, both shapes), or the registry's error.
    public static func describe(_ url: URL, environment: String? = nil, settings: [String] = [],
                                registry: EnvironmentRegistry = .builtin) throws -> String {
        let archive = try NPZArchive.read(from: url)
        let dataset = try OfflineDataset(archive: archive)
        try dataset.checkFinite(file: url.path)
        var fit: String?
        if let environment {
            let env = try registry.make(environment, settings: try DatasetSettings.parse(settings).values)
            try dataset.validate(observationSpace: env.observationSpace, actionSpace: env.actionSpace,
                                 environment: environment, file: url.path)
            fit = "fits \(environment): observation space \(env.observationSpace), action space \(env.actionSpace)"
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        var lines = ["file: \(url.path)",
                     "size: \(bytes) bytes; \(dataset.count) transitions, observation size \(dataset.observationSize), "
                        + "action size \(dataset.actionSize)",
                     "arrays:"]
        let width = archive.keys.map(\.count).max() ?? 0
        for key in archive.keys {
            let a = archive[key]!
            let dtype: String
            if case .unicode(let texts) = a.elements {
                dtype = "<U\(texts.map(\.unicodeScalars.count).max() ?? 0)"
            } else {
                dtype = a.dtypeName
            }
            lines.append("  " + key.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                         + dtype.padding(toLength: 9, withPad: " ", startingAt: 0) + "\(a.shape)")
        }
        let episodes = dataset.episodeReturns
        lines.append("episodes: " + episodes.episodesDescription)
        lines.append("returns: " + episodes.returnsDescription)
        if let fit { lines.append(fit) }
        if let metadata = dataset.metadata {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let json = String(decoding: try encoder.encode(metadata), as: UTF8.self)
            lines.append("metadata:")
            lines.append(contentsOf: json.split(separator: "\n").map { "  " + $0 })
        } else {
            lines.append("metadata: none (no 'metadata' array)")
        }
        return lines.joined(separator: "\n")
    }
}
