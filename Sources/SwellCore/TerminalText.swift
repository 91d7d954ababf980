/// Text from tasks, nodes and plans made safe to print on a terminal: control characters that
/// would move the cursor, retitle the window, ring, or reorder the line (C0 and C1 controls,
/// DEL, direction controls) are shown instead of obeyed. Newlines and tabs stay.
package enum TerminalText {
    package static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsShowing) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsShowing(scalar) else {
                out.append(scalar)
                continue
            }
            // C0 and DEL as `^X` (ESC is `^[`, as `cat -v` shows it); the others by code point.
            let shown = scalar.value < 0x20 ? "^" + String(UnicodeScalar(UInt8(scalar.value + 0x40)))
                : scalar.value == 0x7F ? "^?"
                : "<U+" + String(scalar.value, radix: 16, uppercase: true) + ">"
            out.append(contentsOf: shown.unicodeScalars)
        }
        return String(out)
    }

    /// As ``visible(_:)``, for text that must stay on one line (a header, a file name in a
    /// message): a newline is shown as `\n` and, with `tabs`, a tab as `^I`.
    package static func oneLine(_ text: String, tabs: Bool = false) -> String {
        var line = text.replacingOccurrences(of: "\n", with: "\\n")
        if tabs { line = line.replacingOccurrences(of: "\t", with: "^I") }
        return visible(line)
    }

    static func needsShowing(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: false
        // The line and paragraph separators end a line on some terminals, as a newline would.
        case 0x00...0x1F, 0x7F, 0x80...0x9F, 0x2028, 0x2029: true
        default: isDirectionControl(scalar)
        }
    }

    /// The marks and embeddings, overrides and isolates of the bidirectional algorithm: each
    /// changes the order in which the text after it is shown.
    package static func isDirectionControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x61C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
