/// An error reading, writing or checking a safetensors checkpoint.
///
/// `description` starts with the file name and names the tensor involved:
///
/// ```
/// model.safetensors: tensor 'hidden.0.weight' has shape [5, 6, 200], expected [5, 6, 100]
/// model.safetensors: tensor 'head.bias' has dtype F16; only F32 is supported
/// model.safetensors: truncated: the header says 4096 bytes of tensor data but the file holds 1000
/// ```
public struct SafeTensorsError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        /// No file at the path.
        case fileNotFound
        /// The file could not be read or written.
        case io(reason: String)
        /// The file ends before its header or its data does.
        case truncated(reason: String)
        /// The header length or JSON is not valid per the format.
        case invalidHeader(reason: String)
        /// A tensor whose dtype is not F32.
        case unsupportedDType(tensor: String, dtype: String)
        /// A tensor whose `data_offsets` are out of range, inconsistent with its shape, or overlapping.
        case invalidOffsets(tensor: String, reason: String)
        /// Tensors the caller expected but the file lacks.
        case missingTensors([String])
        /// Tensors in the file that the caller did not expect.
        case unexpectedTensors([String])
        /// A tensor whose shape differs from the expected one.
        case shapeMismatch(tensor: String, found: [Int], expected: [Int])
        /// A tensor to write whose value count does not match its shape (or whose name is reserved).
        case invalidTensor(tensor: String, reason: String)
    }

    /// The file (its path or a label such as `<data>`).
    public var file: String
    public var kind: Kind

    public init(_ kind: Kind, file: String) {
        self.kind = kind
        self.file = file
    }

    public var description: String {
        func names(_ list: [String]) -> String { list.map { "'\($0)'" }.joined(separator: ", ") }
        let message: String
        switch kind {
        case .fileNotFound:
            message = "checkpoint file not found"
        case .io(let reason):
            message = reason
        case .truncated(let reason):
            message = "truncated: \(reason)"
        case .invalidHeader(let reason):
            message = "invalid safetensors header: \(reason)"
        case .unsupportedDType(let tensor, let dtype):
            message = "tensor '\(tensor)' has dtype \(dtype); only F32 is supported"
        case .invalidOffsets(let tensor, let reason):
            message = "tensor '\(tensor)' has invalid data_offsets: \(reason)"
        case .missingTensors(let list):
            message = "missing tensor\(list.count == 1 ? "" : "s") \(names(list))"
        case .unexpectedTensors(let list):
            message = "unexpected tensor\(list.count == 1 ? "" : "s") \(names(list)) (not in the model)"
        case .shapeMismatch(let tensor, let found, let expected):
            message = "tensor '\(tensor)' has shape \(found), expected \(expected)"
        case .invalidTensor(let tensor, let reason):
            message = "cannot write tensor '\(tensor)': \(reason)"
        }
        return "\(file): \(message)"
    }
}
