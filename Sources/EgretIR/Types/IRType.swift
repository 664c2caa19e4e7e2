/// The type of a CLIF value: a scalar (`i8`…`i128`, `f16`…`f128`) or a vector of such
/// lanes (`i32x4`, `f64x2`, `i8x8`, and Cranelift's dynamic `i32x4xN`).
///
/// Packed into 16 bits so that instructions and values stay small:
///
///     bit  15 .. 9   8         7 .. 4            3 .. 0
///          (zero)    dynamic   log2(lane count)  lane kind
///
/// The raw value 0 is `invalid`, used for "no controlling type".
public struct IRType: Hashable, Sendable {
    public let raw: UInt16

    @inlinable public init(raw: UInt16) { self.raw = raw }

    /// The kind of one lane.
    public enum LaneKind: UInt8, CaseIterable, Sendable {
        case i8 = 1, i16, i32, i64, i128, f16, f32, f64, f128

        public var bits: Int {
            switch self {
            case .i8: return 8
            case .i16, .f16: return 16
            case .i32, .f32: return 32
            case .i64, .f64: return 64
            case .i128, .f128: return 128
            }
        }

        public var isInteger: Bool {
            switch self {
            case .i8, .i16, .i32, .i64, .i128: return true
            case .f16, .f32, .f64, .f128: return false
            }
        }

        public var name: String {
            switch self {
            case .i8: return "i8"
            case .i16: return "i16"
            case .i32: return "i32"
            case .i64: return "i64"
            case .i128: return "i128"
            case .f16: return "f16"
            case .f32: return "f32"
            case .f64: return "f64"
            case .f128: return "f128"
            }
        }
    }

    public static let invalid = IRType(raw: 0)
    public static let i8 = IRType(lane: .i8)
    public static let i16 = IRType(lane: .i16)
    public static let i32 = IRType(lane: .i32)
    public static let i64 = IRType(lane: .i64)
    public static let i128 = IRType(lane: .i128)
    public static let f16 = IRType(lane: .f16)
    public static let f32 = IRType(lane: .f32)
    public static let f64 = IRType(lane: .f64)
    public static let f128 = IRType(lane: .f128)

    /// The largest lane count any type may have (Cranelift allows up to 256 lanes).
    public static let maxLaneCountLog2: Int = 8

    @inlinable public init(lane: LaneKind, laneCountLog2: Int = 0, dynamic: Bool = false) {
        raw = UInt16(lane.rawValue) | UInt16(laneCountLog2) << 4 | (dynamic ? 0x100 : 0)
    }

    @inlinable public var isValid: Bool { raw != 0 }

    /// A lane kind, a lane count Cranelift allows, and no stray bits: a type that can
    /// be written in CLIF. Every well-formed type has a raw value below 512.
    public var isWellFormed: Bool {
        laneKind != nil && raw & ~0x1FF == 0 && laneCountLog2 <= IRType.maxLaneCountLog2
    }

    /// The lane kind; `nil` only for `invalid`.
    @inlinable public var laneKind: LaneKind? { LaneKind(rawValue: UInt8(raw & 0xF)) }

    @inlinable public var laneCountLog2: Int { Int((raw >> 4) & 0xF) }
    @inlinable public var laneCount: Int { 1 << laneCountLog2 }
    @inlinable public var isDynamic: Bool { raw & 0x100 != 0 }
    @inlinable public var isVector: Bool { laneCountLog2 > 0 || isDynamic }
    @inlinable public var isScalar: Bool { isValid && !isVector }

    /// The scalar type of one lane (the type itself for scalars).
    @inlinable public var laneType: IRType { IRType(raw: raw & 0xF) }

    @inlinable public var laneBits: Int { laneKind?.bits ?? 0 }
    /// Total width in bits (for a dynamic vector: the width of its minimum size).
    @inlinable public var bits: Int { laneBits << laneCountLog2 }
    @inlinable public var bytes: Int { bits / 8 }

    @inlinable public var isInteger: Bool { laneKind?.isInteger ?? false }
    @inlinable public var isFloat: Bool { isValid && !(laneKind?.isInteger ?? true) }
    @inlinable public var isInt: Bool { isScalar && isInteger }

    /// The same lane count with lanes of another kind.
    public func withLane(_ kind: LaneKind) -> IRType {
        IRType(lane: kind, laneCountLog2: laneCountLog2, dynamic: isDynamic)
    }

    /// The integer type with the same lane count and lane width (`as_truthy` for
    /// vectors, `as_int` for floats); `nil` when no such integer type exists.
    public var asInteger: IRType? {
        switch laneBits {
        case 8: return withLane(.i8)
        case 16: return withLane(.i16)
        case 32: return withLane(.i32)
        case 64: return withLane(.i64)
        case 128: return withLane(.i128)
        default: return nil
        }
    }

    /// The type whose lanes are twice as wide (`nil` past 128 bits).
    public var doubleWidth: IRType? {
        guard let kind = laneKind else { return nil }
        switch kind {
        case .i8: return withLane(.i16)
        case .i16: return withLane(.i32)
        case .i32: return withLane(.i64)
        case .i64: return withLane(.i128)
        case .f16: return withLane(.f32)
        case .f32: return withLane(.f64)
        case .f64: return withLane(.f128)
        case .i128, .f128: return nil
        }
    }

    /// The type whose lanes are half as wide (`nil` below 8 bits).
    public var halfWidth: IRType? {
        guard let kind = laneKind else { return nil }
        switch kind {
        case .i16: return withLane(.i8)
        case .i32: return withLane(.i16)
        case .i64: return withLane(.i32)
        case .i128: return withLane(.i64)
        case .f32: return withLane(.f16)
        case .f64: return withLane(.f32)
        case .f128: return withLane(.f64)
        case .i8, .f16: return nil
        }
    }

    /// `laneCount` scaled by 2^delta, keeping the lane kind (`nil` if out of range).
    public func withLaneCountLog2(_ log2: Int) -> IRType? {
        guard let kind = laneKind, log2 >= 0, log2 <= IRType.maxLaneCountLog2 else { return nil }
        return IRType(lane: kind, laneCountLog2: log2, dynamic: isDynamic)
    }

    /// The vector type with the same lanes but not dynamic.
    public var staticVersion: IRType {
        IRType(raw: raw & 0xFF)
    }
}

extension IRType: CustomStringConvertible {
    /// CLIF spelling: `i32`, `f64x2`, `i32x4xN`.
    public var description: String {
        guard let kind = laneKind else { return "invalid" }
        var text = kind.name
        if laneCountLog2 > 0 || isDynamic {
            text += "x\(laneCount)"
        }
        if isDynamic { text += "xN" }
        return text
    }

    /// Parses a CLIF type name; `nil` if it is not one.
    public init?(name: Substring) {
        var lane: LaneKind?
        var rest = name[...]
        for kind in LaneKind.allCases.reversed() where rest.hasPrefix(kind.name) {
            // Longest names first (i128 before i16 before i8) so prefixes don't mislead.
            lane = kind
            rest = rest.dropFirst(kind.name.count)
            break
        }
        guard let kind = lane else { return nil }
        if rest.isEmpty {
            self.init(lane: kind)
            return
        }
        guard rest.first == "x" else { return nil }
        rest = rest.dropFirst()
        var dynamic = false
        if rest.hasSuffix("xN") {
            dynamic = true
            rest = rest.dropLast(2)
        }
        guard let count = Int(rest), count >= 2, count & (count - 1) == 0 else { return nil }
        let log2 = count.trailingZeroBitCount
        guard log2 <= IRType.maxLaneCountLog2 else { return nil }
        self.init(lane: kind, laneCountLog2: log2, dynamic: dynamic)
    }
}
