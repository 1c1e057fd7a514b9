/// Where a run writes its record.
///
/// A run directory `{dir}/{env}__{experiment}__{seed}__{timestamp}` holds the
/// resolved config (`config.yaml`, as rendered by `ConfigRenderer`), the
/// metrics, and, with `checkpoint: true`, the model's parameters in the
/// safetensors format.
public struct OutputConfig: ConfigSection {
    /// Parent directory of run directories.
    public var dir = "runs"
    /// Save the model's parameters after each trial.
    public var checkpoint = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case dir, checkpoint
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&dir, .dir)
        try c.update(&checkpoint, .checkpoint)
    }

    public func validate() throws {
        try require(!dir.isEmpty, "dir", expected: "a directory path", found: "an empty string")
    }
}
