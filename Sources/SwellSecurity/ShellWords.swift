/// The words of a shell command line that is a simple command: plain words, single and double
/// quotes, backslash escapes, and nothing else the shell would interpret.
package enum ShellWords {
    /// The words after quote removal, or nil when the line uses shell syntax (`| & ; < > ( ) $ \``
    /// globs, `~` at a word's start, `#` comments, newlines) or starts with `NAME=value`.
    package static func simple(_ line: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var chars = Array(line.unicodeScalars)[...]
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t":
                if inWord { words.append(word); word = ""; inWord = false }
            case "'":
                inWord = true
                guard let close = chars.firstIndex(of: "'") else { return nil }
                word.unicodeScalars.append(contentsOf: chars[chars.startIndex..<close])
                chars = chars[chars.index(after: close)...]
            case "\"":
                inWord = true
                while true {
                    guard let d = chars.popFirst() else { return nil }
                    if d == "\"" { break }
                    if d == "$" || d == "`" { return nil }
                    if d == "\\" {
                        guard let e = chars.popFirst() else { return nil }
                        if !["\"", "\\", "$", "`"].contains(e) { word.unicodeScalars.append("\\") }
                        word.unicodeScalars.append(e)
                    } else {
                        word.unicodeScalars.append(d)
                    }
                }
            case "\\":
                inWord = true
                guard let e = chars.popFirst(), e != "\n" else { return nil }
                word.unicodeScalars.append(e)
            case "|", "&", ";", "<", ">", "(", ")", "$", "`", "*", "?", "[", "]", "\n", "\r", "{", "}":
                return nil
            case "#", "~":
                if !inWord { return nil }
                word.unicodeScalars.append(c)
            case "=":
                if words.isEmpty && !word.isEmpty && !word.contains("/") { return nil }
                inWord = true
                word.unicodeScalars.append(c)
            default:
                inWord = true
                word.unicodeScalars.append(c)
            }
        }
        if inWord { words.append(word) }
        return words.isEmpty ? nil : words
    }
}
