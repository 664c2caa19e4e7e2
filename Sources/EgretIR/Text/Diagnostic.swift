/// A position in a source file: 1-based line and column (columns count bytes).
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var line: UInt32
    public var column: UInt32

    public init(line: Int, column: Int) {
        self.line = UInt32(truncatingIfNeeded: line)
        self.column = UInt32(truncatingIfNeeded: column)
    }

    /// For instructions built by code rather than parsed.
    public static let unknown = SourceLocation(line: 0, column: 0)

    public var isKnown: Bool { line != 0 }
    public var description: String { "\(line):\(column)" }
}

/// What went wrong with an input, and where. `kind` decides the exit status: bad input
/// is 2, a feature Egret does not support yet is 3.
public struct Diagnostic: Error, Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable, Codable {
        /// Malformed or invalid input (syntax, types, SSA): exit status 2.
        case error
        /// Valid CLIF that uses a feature Egret does not support yet: exit status 3.
        case unsupported(feature: String)
    }

    public var kind: Kind
    public var message: String
    /// The file's name as the user gave it.
    public var file: String
    public var location: SourceLocation
    /// The text of the offending line, shown under the message with a caret.
    public var sourceLine: String?

    public init(_ kind: Kind = .error, _ message: String, file: String = "<input>",
                at location: SourceLocation = .unknown, sourceLine: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.location = location
        self.sourceLine = sourceLine
    }

    public var isUnsupported: Bool {
        if case .unsupported = kind { return true }
        return false
    }

    /// `file:line:col: error: message`, then the line and a caret under the column.
    public var description: String {
        var text = location.isKnown ? "\(file):\(location.line):\(location.column): " : "\(file): "
        switch kind {
        case .error: text += "error: \(message)"
        case .unsupported(let feature): text += "unsupported: \(message) [\(feature)]"
        }
        if let line = sourceLine, location.isKnown {
            let (shown, caret) = Diagnostic.window(of: line, column: Int(location.column))
            let printable = String(shown.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
            text += "\n" + printable + "\n" + String(repeating: " ", count: caret) + "^"
        }
        return text
    }

    /// The most bytes of a source line shown under a message.
    static let lineWindow = 120

    /// The part of `line` shown under a message, and the caret's offset in it: the
    /// whole line when short, else `lineWindow` bytes around the column with `…` where
    /// it was cut, so a line of megabytes is not printed whole. The caret never goes
    /// past the end of the line, whatever the column says.
    static func window(of line: String, column: Int) -> (text: String, caret: Int) {
        let bytes = Array(line.utf8)
        let offset = min(max(0, column - 1), bytes.count)
        guard bytes.count > lineWindow else { return (line, offset) }
        let start = max(0, min(offset - lineWindow / 3, bytes.count - lineWindow))
        let end = min(bytes.count, start + lineWindow)
        var text = String(decoding: bytes[start ..< end], as: UTF8.self)
        var caret = offset - start
        if start > 0 {
            text = "…" + text
            caret += 1
        }
        if end < bytes.count { text += "…" }
        return (text, caret)
    }
}

extension Diagnostic {
    /// The most characters of a user's input a message repeats.
    public static let echoLimit = 40

    /// `text` as a message repeats it: whole when short (up to twice `echoLimit`
    /// bytes), else its first `echoLimit` characters, `…` and its length, so a
    /// five-million-digit number given as an option or a literal makes a message of
    /// one line, not of megabytes.
    public static func echo(_ text: some StringProtocol) -> String {
        if text.utf8.count <= 2 * echoLimit { return String(text) }
        var prefixEnd = text.startIndex
        var characters = 0
        while prefixEnd < text.endIndex && characters < echoLimit {
            prefixEnd = text.index(after: prefixEnd)
            characters += 1
        }
        if prefixEnd == text.endIndex { return String(text) }
        return String(text[..<prefixEnd]) + "… (\(text.utf8.count) bytes)"
    }
}
