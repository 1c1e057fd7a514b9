import XCTest
@testable import Environments

final class JSONValueTests: XCTestCase {
    func testStrictTypes() throws {
        let value = try XCTUnwrap(JSONValue.parse(#"{"a": true, "b": 1, "c": 1.5, "d": null, "e": [1, "x\n"], "f": {"g": false}}"#))
        XCTAssertEqual(value["a"], .bool(true))
        XCTAssertNil(value["a"]?.double, "true is not a number")
        XCTAssertEqual(value["b"], .number(1))
        XCTAssertNil(value["b"]?.bool, "1 is not a boolean")
        XCTAssertEqual(value["b"]?.int, 1)
        XCTAssertNil(value["c"]?.int)
        XCTAssertEqual(value["d"], .null)
        XCTAssertEqual(value["e"], .array([.number(1), .string("x\n")]))
        XCTAssertEqual(value["f"]?["g"], .bool(false))
        XCTAssertEqual(value.description, #"{"a":true,"b":1,"c":1.5,"d":null,"e":[1,"x\n"],"f":{"g":false}}"#)
        XCTAssertNil(JSONValue.parse("not json"))
        XCTAssertNil(JSONValue.parse(#"{"a": 1"#))
    }
}
