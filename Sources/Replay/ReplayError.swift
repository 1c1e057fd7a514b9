/// A sampling request the buffer's contents cannot satisfy (e.g. sampling
/// before any data was collected, or windows longer than every stored
/// episode). The message says what was asked and what is stored.
public struct ReplayError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
