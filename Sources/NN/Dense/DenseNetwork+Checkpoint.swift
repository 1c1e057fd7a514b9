/// Checkpoint tensors of a ``DenseNetwork``: the parameters under their PyTorch
/// names (`layers.0.weight` `[out, in]`, `layers.0.bias` `[out]`, …) and Adam's
/// moments under `<name>.exp_avg` / `<name>.exp_avg_sq` (torch's state keys),
/// each with an optional prefix. The step count is an integer the owner stores
/// (e.g. in the file's metadata), so it stays exact past 2²⁴.
///
/// Loading expects tensors checked first against the matching `…Shapes`
/// dictionary (``SafeTensorsFile/check(expecting:label:)`` throws an error
/// naming a missing or mis-shaped tensor); an unchecked mismatch is a
/// precondition failure naming it.
extension DenseNetwork {
    /// Every parameter as `prefix + name` → shape and values.
    public func checkpointTensors(prefix: String = "") -> [String: CheckpointArray] {
        var tensors: [String: CheckpointArray] = [:]
        for slice in namedSlices {
            tensors[prefix + slice.name] = CheckpointArray(shape: slice.shape, values: Array(parameters[slice.range]))
        }
        return tensors
    }

    /// `prefix + name` → shape of every parameter.
    public func checkpointShapes(prefix: String = "") -> [String: [Int]] {
        Dictionary(uniqueKeysWithValues: namedSlices.map { (prefix + $0.name, $0.shape) })
    }

    /// Sets every parameter from `tensors[prefix + name]`.
    public func loadCheckpointTensors(_ tensors: [String: CheckpointArray], prefix: String = "") {
        for slice in namedSlices {
            let values = Self.checkedValues(tensors, prefix + slice.name, slice.shape)
            _ = UnsafeMutableBufferPointer(rebasing: parameters[slice.range]).update(fromContentsOf: values)
        }
    }

    /// Adam's moments as `prefix + name + ".exp_avg"` / `".exp_avg_sq"` (zeros before the first step).
    public func optimizerCheckpointTensors(prefix: String = "") -> [String: CheckpointArray] {
        let (m, v) = adamMoments
        var tensors: [String: CheckpointArray] = [:]
        for slice in namedSlices {
            tensors[prefix + slice.name + ".exp_avg"] = CheckpointArray(shape: slice.shape, values: Array(m[slice.range]))
            tensors[prefix + slice.name + ".exp_avg_sq"] = CheckpointArray(shape: slice.shape, values: Array(v[slice.range]))
        }
        return tensors
    }

    /// Names and shapes of ``optimizerCheckpointTensors(prefix:)``.
    public func optimizerCheckpointShapes(prefix: String = "") -> [String: [Int]] {
        var shapes: [String: [Int]] = [:]
        for slice in namedSlices {
            shapes[prefix + slice.name + ".exp_avg"] = slice.shape
            shapes[prefix + slice.name + ".exp_avg_sq"] = slice.shape
        }
        return shapes
    }

    /// Restores Adam's moments from ``optimizerCheckpointTensors(prefix:)`` and its step count.
    public func loadOptimizerCheckpointTensors(_ tensors: [String: CheckpointArray], prefix: String = "", step: Int) {
        precondition(step >= 0, "DenseNetwork: optimizer step \(step) is negative")
        allocateMoments()
        for slice in namedSlices {
            let m = Self.checkedValues(tensors, prefix + slice.name + ".exp_avg", slice.shape)
            let v = Self.checkedValues(tensors, prefix + slice.name + ".exp_avg_sq", slice.shape)
            (firstMoment! + slice.range.lowerBound).update(from: m, count: m.count)
            (secondMoment! + slice.range.lowerBound).update(from: v, count: v.count)
        }
        optimizerStep = step
    }

    private static func checkedValues(_ tensors: [String: CheckpointArray], _ name: String, _ shape: [Int]) -> [Float] {
        guard let array = tensors[name] else {
            preconditionFailure("DenseNetwork: checkpoint tensor '\(name)' is missing; check the file against the expected shapes first")
        }
        precondition(array.shape == shape && array.values.count == shape.reduce(1, *),
                     "DenseNetwork: checkpoint tensor '\(name)' has shape \(array.shape), expected \(shape)")
        return array.values
    }
}
