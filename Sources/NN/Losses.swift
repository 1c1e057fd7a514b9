import TensorCore

// Loss functions. Each returns a scalar Variable; shapes are checked with a
// precondition naming both shapes.

/// Mean squared error `mean((prediction − target)²)` over all elements (PyTorch `mse_loss`, reduction "mean").
public func mseLoss(_ prediction: Variable, _ target: Variable) -> Variable {
    precondition(prediction.shape == target.shape, "mseLoss: prediction shape \(prediction.shape) != target shape \(target.shape)")
    return (prediction - target).squared().mean()
}

/// Gaussian negative log-likelihood without the constant ½·log 2π and the ½ factor, as mbrl-lib's
/// `GaussianMLP` training loss:
///
///     nll = (mean − target)² · exp(−logVariance) + logVariance
///
/// averaged over every axis but the leading member axis and summed over members when the inputs
/// are `[members, batch, dims]` (the ensemble form), averaged over everything for rank ≤ 2.
public func gaussianNLLLoss(mean: Variable, logVariance: Variable, target: Variable) -> Variable {
    precondition(mean.shape == target.shape && logVariance.shape == target.shape,
                 "gaussianNLLLoss: mean \(mean.shape), logVariance \(logVariance.shape) and target \(target.shape) must match")
    let terms = (mean - target).squared() * (-logVariance).exp() + logVariance
    if terms.rank == 3 {
        let perMember = terms.reshaped([terms.shape[0], -1]).mean(axis: 1)
        return perMember.sum()
    }
    return terms.mean()
}

/// Cross-entropy of `logits` `[n, classes]` against integer `labels` (PyTorch `cross_entropy`, mean
/// reduction): `mean_i(−logSoftmax(logits_i)[labels_i])`.
public func crossEntropyLoss(logits: Variable, labels: [Int]) -> Variable {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "crossEntropyLoss: logits shape \(logits.shape) for \(labels.count) labels, expected [\(labels.count), classes]")
    let classes = logits.shape[1]
    var oneHot = Tensor(zeros: logits.shape)
    for (i, label) in labels.enumerated() {
        precondition(label >= 0 && label < classes, "crossEntropyLoss: label \(label) out of range 0..<\(classes)")
        oneHot.scalars[i * classes + label] = 1
    }
    return -(logits.logSoftmax() * oneHot).sum() / Float(labels.count)
}
