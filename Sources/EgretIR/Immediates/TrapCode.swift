/// Why a program trapped, as in Cranelift: five reserved codes and user codes
/// `user1` … `user250`. Stored in one byte exactly as Cranelift does (reserved codes
/// occupy 251…255), so the raw value round-trips through tables and trap records.
public struct TrapCode: Hashable, Sendable, CustomStringConvertible {
    public let raw: UInt8

    @inlinable public init(raw: UInt8) { self.raw = raw }

    static let reservedStart: UInt8 = 251

    /// The stack space was exhausted (`stk_ovf`).
    public static let stackOverflow = TrapCode(raw: 251)
    /// An integer arithmetic operation overflowed (`int_ovf`).
    public static let integerOverflow = TrapCode(raw: 252)
    /// A memory access was out of bounds (`heap_oob`); the default code of loads and
    /// stores.
    public static let heapOutOfBounds = TrapCode(raw: 253)
    /// An integer division by zero (`int_divz`).
    public static let integerDivisionByZero = TrapCode(raw: 254)
    /// A float-to-int conversion of NaN or an out-of-range value (`bad_toint`).
    public static let badConversionToInteger = TrapCode(raw: 255)

    /// A user trap code, `nil` unless 1 ≤ code ≤ 250.
    public static func user(_ code: Int) -> TrapCode? {
        guard code >= 1, code < Int(reservedStart) else { return nil }
        return TrapCode(raw: UInt8(code))
    }

    public var isUser: Bool { raw >= 1 && raw < TrapCode.reservedStart }

    public var description: String {
        switch raw {
        case 251: return "stk_ovf"
        case 252: return "int_ovf"
        case 253: return "heap_oob"
        case 254: return "int_divz"
        case 255: return "bad_toint"
        default: return "user\(raw)"
        }
    }

    /// Parses `int_divz`, `user7`, …; `nil` if the name is not a trap code.
    public init?(name: Substring) {
        switch name {
        case "stk_ovf": self = .stackOverflow
        case "int_ovf": self = .integerOverflow
        case "heap_oob": self = .heapOutOfBounds
        case "int_divz": self = .integerDivisionByZero
        case "bad_toint": self = .badConversionToInteger
        default:
            guard name.hasPrefix("user"), name.count > 4, name.count <= 7,
                  let number = Int(name.dropFirst(4)), let code = TrapCode.user(number)
            else { return nil }
            self = code
        }
    }
}
