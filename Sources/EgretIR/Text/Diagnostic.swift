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
            let printable = String(line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
            // The caret never goes past the end of the line, whatever the column says.
            let padding = min(max(0, Int(location.column) - 1), line.utf8.count)
            text += "\n" + printable + "\n" + String(repeating: " ", count: padding) + "^"
        }
        return text
    }
}

extension Diagnostic {
    /// The most characters of a user's input a message repeats.
    public static let echoLimit = 40

    /// `text` as a message repeats it: whole when short, else its first `echoLimit`
    /// characters, `…` and its length, so a five-million-digit number given as an
    /// option or a literal makes a message of one line, not of megabytes.
    public static func echo(_ text: some StringProtocol) -> String {
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
