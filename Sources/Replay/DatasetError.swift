/// An error reading or writing a dataset or replay-buffer file (`.npz`, `.npy`).
///
/// Every error names the file and says what was wrong and what was expected,
/// e.g. `dataset.npz: array 'rewards' header says 1000 float32 values, file ends
/// after 512`. Bad files are errors, never traps. `description` is the full
/// message (`"<file>: <message>"`).
public struct DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem it is (for callers that branch on it).
    public enum Kind: String, Sendable {
        /// The file could not be read, written or renamed.
        case io
        /// The file ends before the data its headers announce.
        case truncated
        /// A header, checksum or structure is malformed.
        case corrupt
        /// A valid but unsupported feature (dtype, Fortran order, compression method, ...).
        case unsupported
        /// A required array is missing.
        case missingKey
        /// An array has the wrong dtype, rank, shape, length or values.
        case invalidArray
    }

    /// The file (path as given) the error is about.
    public var file: String
    public var kind: Kind
    /// What was wrong and what was expected, without the file name.
    public var message: String

    public init(file: String, kind: Kind, message: String) {
        self.file = file
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
