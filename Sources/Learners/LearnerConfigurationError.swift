/// An invalid learner configuration, naming the learner and the field.
public struct LearnerConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    public var learner: String
    public var message: String

    public init(learner: String, message: String) {
        self.learner = learner
        self.message = message
    }

    public var description: String { "\(learner) configuration: \(message)" }
}
