/// The words of shell command lines made of simple commands: plain words, single and double
/// quotes, backslash escapes, and nothing else the shell would interpret.
package enum ShellWords {
    /// The words after quote removal, or nil when the line uses shell syntax (`| & ; < > ( ) $ \``
    /// globs, `~` at a word's start, `#` comments, newlines) or starts with `NAME=value`.
    package static func simple(_ line: String) -> [String]? {
        guard let commands = parse(line, lists: false), commands.count == 1 else { return nil }
        return commands[0]
    }

    /// The simple commands of a line that joins them with `|`, `||`, `&&`, `;` or newlines and
    /// uses no other shell syntax: each command's words after quote removal, in order. Nil when
    /// the line uses anything else (redirections, `$`, `&` alone, subshells, globs...), or an
    /// operator lacks a command on either side.
    package static func commandList(_ line: String) -> [[String]]? {
        parse(line, lists: true)
    }

    private static func parse(_ line: String, lists: Bool) -> [[String]]? {
        var commands: [[String]] = []
        var words: [String] = []
        var word = ""
        var inWord = false
        // The last separator needs a command after it (`|`, `||`, `&&`).
        var needsCommand = false
        var chars = Array(line.unicodeScalars)[...]
        func endWord() {
            if inWord { words.append(word); word = ""; inWord = false }
        }
        // Ends the command before a separator; false if an operator has no command before it.
        func endCommand(operator isOperator: Bool) -> Bool {
            endWord()
            if words.isEmpty { return !isOperator && !needsCommand }
            commands.append(words)
            words = []
            needsCommand = isOperator
            return true
        }
        while let c = chars.popFirst() {
            switch c {
            case " ", "\t":
                endWord()
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
            case "|" where lists, "&" where lists && chars.first == "&":
                if c == "&" || chars.first == "|" { chars.removeFirst() }
                guard endCommand(operator: true), chars.first != "|", chars.first != "&" else { return nil }
            case ";" where lists, "\n" where lists:
                if c == ";" && chars.first == ";" { return nil }
                guard endCommand(operator: false) else { return nil }
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
        endWord()
        if !words.isEmpty {
            commands.append(words)
        } else if needsCommand {
            return nil
        }
        return commands.isEmpty ? nil : commands
    }
}
