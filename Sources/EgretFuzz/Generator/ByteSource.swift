/// Where the generator's choices come from.
///
/// Every decision the generator makes is one call to `next()`, so the same generator
/// code serves a seeded PRNG (the CLI: a case is fully determined by the campaign seed
/// and the case index) and libFuzzer's raw bytes (`EgretFuzzTarget`: mutating the
/// bytes mutates the choices).
///
/// Guarantees: `next()` never fails; an exhausted byte source keeps answering zeros,
/// which the generator reads as "the first, simplest choice", so every input of any
/// length yields a valid, small module.
public protocol ByteSource {
    /// The next 64 bits of choice.
    mutating func next() -> UInt64
}

extension ByteSource {
    /// A number in `0 ..< bound` (`bound` > 0).
    @inlinable public mutating func below(_ bound: Int) -> Int {
        bound <= 1 ? 0 : Int(next() % UInt64(bound))
    }

    /// A number in `range`.
    @inlinable public mutating func inRange(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True with probability `percent`/100.
    @inlinable public mutating func chance(_ percent: Int) -> Bool {
        below(100) < percent
    }

    /// One element of a non-empty array.
    @inlinable public mutating func pick<T>(_ items: [T]) -> T {
        items[below(items.count)]
    }

    /// An index chosen with the given weights (all ≥ 0, at least one > 0).
    public mutating func weighted(_ weights: [Int]) -> Int {
        let total = weights.reduce(0, +)
        guard total > 0 else { return 0 }
        var roll = below(total)
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }
}

/// The CLI's byte source: SplitMix64 seeded from (campaign seed, case index).
public struct SeededByteSource: ByteSource {
    private var random: SplitMix64

    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// The source of case `index` of the campaign with `seed`: cases are independent,
    /// so any case can be regenerated alone, in any order, on any shard.
    public init(campaignSeed: UInt64, caseIndex: UInt64) {
        var mixer = SplitMix64(seed: campaignSeed ^ 0x5EED_0F_E6AE7)
        let base = mixer.next()
        var caseMixer = SplitMix64(seed: base &+ caseIndex &* 0x9E37_79B9_7F4A_7C15)
        random = SplitMix64(seed: caseMixer.next())
    }

    public mutating func next() -> UInt64 { random.next() }
}

/// libFuzzer's byte source: eight bytes per choice, little-endian, then zeros.
public struct RawByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var isExhausted: Bool { position >= bytes.count }

    public mutating func next() -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while shift < 64 && position < bytes.count {
            value |= UInt64(bytes[position]) << shift
            position += 1
            shift += 8
        }
        return value
    }
}
