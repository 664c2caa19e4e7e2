/// Flags of a memory access (`notrap aligned readonly little big can_move` and a trap
/// code). A load or store without `notrap` traps with `heap_oob` unless it names
/// another trap code.
public struct MemFlags: Hashable, Sendable, CustomStringConvertible {
    public enum Endianness: UInt8, Sendable { case native, little, big }

    /// `nil` means `notrap`: the access is known not to fault.
    public var trapCode: TrapCode? = .heapOutOfBounds
    public var aligned = false
    public var readonly = false
    public var canMove = false
    public var endianness: Endianness = .native

    public init() {}

    /// Flags for an access known to be in bounds and aligned.
    public static var trusted: MemFlags {
        var flags = MemFlags()
        flags.trapCode = nil
        flags.aligned = true
        return flags
    }

    public var isEmpty: Bool { self == MemFlags() }

    /// Applies one flag word; returns `false` if the word is not a memory flag.
    /// Conflicting endianness is reported through `conflict`.
    public mutating func apply(_ word: Substring, conflict: inout String?) -> Bool {
        switch word {
        case "notrap": trapCode = nil
        case "aligned": aligned = true
        case "readonly": readonly = true
        case "can_move": canMove = true
        case "little":
            if endianness == .big { conflict = "cannot set both big and little endian bits" }
            endianness = .little
        case "big":
            if endianness == .little { conflict = "cannot set both big and little endian bits" }
            endianness = .big
        default:
            guard let code = TrapCode(name: word) else { return false }
            trapCode = code
        }
        return true
    }

    /// Canonical CLIF spelling, words separated by spaces (empty for default flags).
    public var description: String {
        var words: [String] = []
        if let code = trapCode {
            if code != .heapOutOfBounds { words.append(code.description) }
        } else {
            words.append("notrap")
        }
        if aligned { words.append("aligned") }
        if readonly { words.append("readonly") }
        switch endianness {
        case .native: break
        case .little: words.append("little")
        case .big: words.append("big")
        }
        if canMove { words.append("can_move") }
        return words.joined(separator: " ")
    }
}
