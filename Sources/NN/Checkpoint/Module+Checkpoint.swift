import TensorCore

/// Checkpoint tensors of any `Module`: its parameters under their
/// `namedParameters()` names (PyTorch style, e.g. `cells.0.weight_ih`) with an
/// optional prefix, as `SafeTensorsFile` entries.
extension Module {
    /// Every parameter as `prefix + name` → its shape and values.
    public func checkpointTensors(prefix: String = "") -> [String: CheckpointArray] {
        var tensors: [String: CheckpointArray] = [:]
        for (name, parameter) in namedParameters() {
            tensors[prefix + name] = CheckpointArray(shape: parameter.shape, values: parameter.value.scalars)
        }
        return tensors
    }

    /// `prefix + name` → shape of every parameter (what `SafeTensorsFile.load(from:expecting:)` checks).
    public func checkpointShapes(prefix: String = "") -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for (name, parameter) in namedParameters() { shapes[prefix + name] = parameter.shape }
        return shapes
    }

    /// Sets every parameter from `tensors[prefix + name]`. The tensors must have been checked
    /// against `checkpointShapes(prefix:)` (`SafeTensorsFile.load(from:expecting:)` does).
    public func loadCheckpointTensors(_ tensors: [String: CheckpointArray], prefix: String = "") {
        for (name, parameter) in namedParameters() {
            guard let array = tensors[prefix + name] else {
                preconditionFailure("Module.loadCheckpointTensors: '\(prefix + name)' is missing; check the file against checkpointShapes first")
            }
            precondition(array.shape == parameter.shape,
                         "Module.loadCheckpointTensors: '\(prefix + name)' has shape \(array.shape), expected \(parameter.shape)")
            parameter.value = Tensor(shape: array.shape, scalars: array.values)
        }
    }
}
