import Yams

/// The fields of a YAML mapping, by name.
struct YAMLFields {
    let mapping: Node.Mapping

    subscript(name: String) -> (key: Node?, value: Node?) {
        for (key, value) in mapping where key.scalar?.string == name { return (key, value) }
        return (nil, nil)
    }
}
