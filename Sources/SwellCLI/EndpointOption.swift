import ArgumentParser
import SwellCore

/// Endpoint options, checked as they are parsed (a mistyped one is a usage error, exit 2, at
/// once): `--coordinator` and `--join` connect, `--listen` binds.
enum EndpointOption {
    static func connecting(_ argument: String) throws -> String {
        try Endpoint.checked(argument, listening: false).mapError { ValidationError($0.description) }.get()
    }

    static func listening(_ argument: String) throws -> String {
        try Endpoint.checked(argument, listening: true).mapError { ValidationError($0.description) }.get()
    }
}
