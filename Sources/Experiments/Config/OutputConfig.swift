/// Where a run writes its record.
///
/// A run directory `{dir}/{env}__{experiment}__{seed}__{timestamp}` holds the
/// resolved config (`config.yaml`, as rendered by `ConfigRenderer`), the
/// metrics, and, with `checkpoint: true`, the model's parameters in the
/// safetensors format.
public struct OutputConfig: ConfigSection {
    /// Parent directory of run directories.
    public var dir = "runs"
    /// Save what --resume needs (buffers, networks, generators): after each trial (pets), epoch (mbpo) or episode (dyna_q), and for dqn and sac at the first episode end after every checkpoint_every steps.
    public var checkpoint = true
    /// Environment steps between checkpoints of the dqn and sac loops.
    public var checkpointEvery = 5000

    public init() {}

    enum CodingKeys: String, CodingKey {
        case dir, checkpoint
        case checkpointEvery = "checkpoint_every"
    }

    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.update(&dir, .dir)
        try c.update(&checkpoint, .checkpoint)
        try c.update(&checkpointEvery, .checkpointEvery)
    }

    public func validate() throws {
        try require(!dir.isEmpty, "dir", expected: "a directory path", found: "an empty string")
        try requireAtLeast(checkpointEvery, 1, "checkpoint_every")
    }
}
