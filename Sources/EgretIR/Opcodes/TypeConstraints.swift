/// A set of value types, as in Cranelift's type variables: which integer and float lane
/// widths, and whether scalars, fixed vectors and dynamic vectors (by lane count) are in.
public struct TypeSet: Hashable, Sendable {
    /// Bit k set: integer lanes of 8 << k bits are in (k = 0 … 4, i8 … i128).
    public var integerWidths: UInt8
    /// Bit k set: float lanes of 8 << k bits are in (k = 1 … 4, f16 … f128).
    public var floatWidths: UInt8
    public var includesScalars: Bool
    /// log2 of the allowed lane counts of fixed-width vectors (1 = two lanes).
    public var vectorLanesLog2: ClosedRange<Int>?
    /// log2 of the allowed minimum lane counts of dynamic vectors.
    public var dynamicLanesLog2: ClosedRange<Int>?

    public init(integerWidths: UInt8 = 0, floatWidths: UInt8 = 0, includesScalars: Bool = true,
                vectorLanesLog2: ClosedRange<Int>? = nil, dynamicLanesLog2: ClosedRange<Int>? = nil) {
        self.integerWidths = integerWidths
        self.floatWidths = floatWidths
        self.includesScalars = includesScalars
        self.vectorLanesLog2 = vectorLanesLog2
        self.dynamicLanesLog2 = dynamicLanesLog2
    }

    /// The width mask for lane widths `bits` (8…128), e.g. `widths(8, 64)` for i8…i64.
    public static func widths(_ low: Int, _ high: Int) -> UInt8 {
        var mask: UInt8 = 0
        var bits = low
        while bits <= high {
            mask |= 1 << UInt8((bits / 8).trailingZeroBitCount)
            bits *= 2
        }
        return mask
    }

    public func contains(_ type: IRType) -> Bool {
        guard let kind = type.laneKind else { return false }
        let widthBit: UInt8 = 1 << UInt8((kind.bits / 8).trailingZeroBitCount)
        let mask = kind.isInteger ? integerWidths : floatWidths
        guard mask & widthBit != 0 else { return false }
        if type.isDynamic {
            return dynamicLanesLog2?.contains(type.laneCountLog2) ?? false
        }
        if type.laneCountLog2 == 0 { return includesScalars }
        return vectorLanesLog2?.contains(type.laneCountLog2) ?? false
    }

    /// Every fixed-width type in the set (scalars and vectors up to 128 bits), in a
    /// stable order; used by the generator and the coverage report.
    public var members: [IRType] {
        var types: [IRType] = []
        for kind in IRType.LaneKind.allCases {
            for log2 in 0 ... 4 {
                let type = IRType(lane: kind, laneCountLog2: log2)
                if contains(type) && (log2 == 0 || type.bits <= 128) { types.append(type) }
            }
        }
        return types
    }

    private static let allLanes: ClosedRange<Int> = 1 ... 8
    private static let allWidths: UInt8 = 0b1_1111
    private static let allFloats: UInt8 = 0b1_1110

    /// Any integer scalar, vector or dynamic vector (Cranelift's `Int`).
    public static let int = TypeSet(integerWidths: allWidths, vectorLanesLog2: allLanes, dynamicLanesLog2: allLanes)
    /// Any integer scalar (`iB`, `ScalarTruthy`).
    public static let intScalar = TypeSet(integerWidths: allWidths)
    /// Integer scalars up to 64 bits (`NarrowInt`).
    public static let narrowInt = TypeSet(integerWidths: widths(8, 64))
    /// Integer scalars i16 … i128 (`iSwappable`, `WideInt`).
    public static let wideInt = TypeSet(integerWidths: widths(16, 128))
    /// Address types (`iAddr`).
    public static let address = TypeSet(integerWidths: widths(32, 64))
    /// i32 and i64 (`uadd_overflow_trap`).
    public static let int32Or64 = TypeSet(integerWidths: widths(32, 64))
    /// Any integer vector (`IxN`).
    public static let intVector = TypeSet(integerWidths: allWidths, includesScalars: false,
                                          vectorLanesLog2: allLanes, dynamicLanesLog2: allLanes)
    /// Any vector (`TxN`).
    public static let vector = TypeSet(integerWidths: allWidths, floatWidths: allFloats, includesScalars: false,
                                       vectorLanesLog2: allLanes, dynamicLanesLog2: allLanes)
    /// Vectors of 16 lanes (`Tx16`, shuffle).
    public static let vector16Lanes = TypeSet(integerWidths: widths(8, 8), includesScalars: false,
                                              vectorLanesLog2: 4 ... 4)
    /// Any scalar or vector of integers or floats (`Any`, `Mem`, `bits`).
    public static let any = TypeSet(integerWidths: allWidths, floatWidths: allFloats,
                                    vectorLanesLog2: allLanes, dynamicLanesLog2: allLanes)
    /// Any float scalar or vector (`Float`).
    public static let float = TypeSet(floatWidths: allFloats, vectorLanesLog2: allLanes, dynamicLanesLog2: allLanes)
    /// Any float scalar (`FloatScalar`).
    public static let floatScalar = TypeSet(floatWidths: allFloats)
    /// Integer types that atomics accept (`AtomicMem`).
    public static let atomic = TypeSet(integerWidths: widths(8, 128))
    /// Types of extending loads: results at least 16 bits (`iExt8`).
    public static let extend8 = TypeSet(integerWidths: widths(16, 64))
    /// Results of 16-bit extending loads (`iExt16`).
    public static let extend16 = TypeSet(integerWidths: widths(32, 64))
    /// Results of 32-bit extending loads (`iExt32`).
    public static let extend32 = TypeSet(integerWidths: widths(64, 64))
    /// i16/i32 lanes of fixed and dynamic vectors (`I16or32`, `sqmul_round_sat`).
    public static let int16Or32Vector = TypeSet(integerWidths: widths(16, 32), includesScalars: false,
                                                vectorLanesLog2: 2 ... 3)
    /// Vectors of i16…i64 lanes with 2…8 lanes (`snarrow` and friends).
    public static let narrowableVector = TypeSet(integerWidths: widths(16, 64), includesScalars: false,
                                                 vectorLanesLog2: 1 ... 3, dynamicLanesLog2: 1 ... 3)
    /// Vectors of i8…i32 lanes with 2…16 lanes (`swiden_low` and friends).
    public static let widenableVector = TypeSet(integerWidths: widths(8, 32), includesScalars: false,
                                                vectorLanesLog2: 1 ... 4, dynamicLanesLog2: 1 ... 4)
}

/// How the type of one operand or result relates to the instruction's controlling type
/// (Cranelift's type variables and derived types).
public enum OperandType: Hashable, Sendable {
    /// Exactly the controlling type.
    case controlling
    /// Any type of the set, independent of the controlling type.
    case free(TypeSet)
    /// Always this type.
    case fixed(IRType)
    /// The lane type of the controlling (vector) type.
    case laneOf
    /// The integer type of the comparison result: `i8` for scalars, integer lanes of
    /// the same width for vectors.
    case asTruthy
    /// Lanes half as wide (`isplit`).
    case halfWidth
    /// Lanes twice as wide (`iconcat`).
    case doubleWidth
    /// Lanes half as wide, twice as many (`snarrow`).
    case splitLanes
    /// Lanes twice as wide, half as many (`swiden_low`).
    case mergeLanes
    /// A type of the set strictly narrower than the controlling type (`uextend`).
    case narrower(TypeSet)
    /// A type of the set strictly wider than the controlling type (`ireduce`).
    case wider(TypeSet)
    /// The fixed vector type underlying a dynamic vector type (`extract_vector`).
    case dynamicToVector

    /// The concrete type for a given controlling type, or `nil` when it is free (the
    /// operand's own type decides) or not defined for that controlling type.
    public func resolve(controlling type: IRType) -> IRType? {
        switch self {
        case .controlling: return type
        case .free, .narrower, .wider: return nil
        case .fixed(let fixed): return fixed
        case .laneOf: return type.laneType
        case .asTruthy: return type.isVector ? type.asInteger : .i8
        case .halfWidth: return type.halfWidth
        case .doubleWidth: return type.doubleWidth
        case .splitLanes:
            return type.halfWidth.flatMap { $0.withLaneCountLog2(type.laneCountLog2 + 1) }
        case .mergeLanes:
            return type.doubleWidth.flatMap { $0.withLaneCountLog2(type.laneCountLog2 - 1) }
        case .dynamicToVector: return type.isDynamic ? type.staticVersion : nil
        }
    }

    /// Whether `actual` is acceptable for this operand given the controlling type.
    public func accepts(_ actual: IRType, controlling type: IRType) -> Bool {
        switch self {
        case .free(let set):
            return set.contains(actual)
        case .narrower(let set):
            return set.contains(actual) && actual.laneCount == type.laneCount && actual.laneBits < type.laneBits
        case .wider(let set):
            return set.contains(actual) && actual.laneCount == type.laneCount && actual.laneBits > type.laneBits
        case .controlling, .fixed, .laneOf, .asTruthy, .halfWidth, .doubleWidth, .splitLanes, .mergeLanes,
             .dynamicToVector:
            return resolve(controlling: type) == actual
        }
    }
}
