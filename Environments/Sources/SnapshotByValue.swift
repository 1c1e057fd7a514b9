/// A built-in simulator whose whole state is its value (a struct of plain
/// fields: simulator state, episode phase, generator, constants), so a
/// snapshot is a copy of the value and restoring assigns it back.
///
/// Conforming types get `snapshot()` and `restore(_:)`; a snapshot of another
/// environment type is an error naming `id`.
public protocol SnapshotByValue: Environment {
    /// The registry id, used in error messages.
    static var id: String { get }
}

extension SnapshotByValue {
    /// A copy of the whole environment value.
    public func snapshot() -> EnvironmentSnapshot? { EnvironmentSnapshot(self) }

    public mutating func restore(_ snapshot: EnvironmentSnapshot) throws {
        self = try snapshot.value(as: Self.self, environment: Self.id)
    }
}
