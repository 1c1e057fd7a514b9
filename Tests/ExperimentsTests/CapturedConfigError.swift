import Experiments
import XCTest

/// The `ConfigError` that `body` throws; a test failure (at the caller's line) when it
/// throws nothing or another error. Shared by the tests that pin config error messages.
func capturedConfigError(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> ConfigError? {
    do {
        try body()
        XCTFail("expected a ConfigError", file: file, line: line)
    } catch let error as ConfigError {
        return error
    } catch {
        XCTFail("expected a ConfigError, got \(error)", file: file, line: line)
    }
    return nil
}
