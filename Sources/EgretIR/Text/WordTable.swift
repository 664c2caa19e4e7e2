/// A fixed table from short ASCII words to values, looked up by the bytes of a token so
/// that the parser never builds a `String` to recognise an opcode or a keyword.
///
/// Open addressing on a 32-bit FNV-1a hash; the table is at least four times larger than
/// its contents, so a lookup is one hash, usually one probe and one byte comparison.
/// Tables are built once (static lets) from the opcode table and the immediates' `allCases`.
struct WordTable<Value> {
    /// `slots[hash & mask]`: index into `entries` plus one; 0 marks an empty slot.
    private var slots: [Int32]
    private var entries: [Entry]
    /// All words, concatenated; entries point into it.
    private var spellings: [UInt8]
    private let mask: Int

    private struct Entry {
        var hash: UInt32
        var start: Int32
        var length: Int32
        var value: Value
    }

    init(_ words: [(String, Value)]) {
        var capacity = 16
        while capacity < words.count * 4 { capacity *= 2 }
        mask = capacity - 1
        slots = [Int32](repeating: 0, count: capacity)
        entries = []
        entries.reserveCapacity(words.count)
        spellings = []
        for (word, value) in words {
            let bytes = Array(word.utf8)
            let hash = WordTable.hash(bytes)
            var slot = Int(hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            entries.append(Entry(hash: hash, start: Int32(spellings.count), length: Int32(bytes.count), value: value))
            spellings.append(contentsOf: bytes)
            slots[slot] = Int32(entries.count)
        }
    }

    /// FNV-1a over the bytes.
    @inline(__always)
    static func hash<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return hash
    }

    /// The value of the word `text[start ..< end]`, if it is in the table.
    @inline(__always)
    func lookup(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Value? {
        let hash = WordTable.hash(UnsafeBufferPointer(rebasing: text[start ..< end]))
        let length = end - start
        var slot = Int(hash) & mask
        while true {
            let index = Int(slots[slot])
            if index == 0 { return nil }
            let entry = entries[index - 1]
            if entry.hash == hash && Int(entry.length) == length {
                var same = true
                var offset = 0
                let base = Int(entry.start)
                while offset < length {
                    if spellings[base + offset] != text[start + offset] {
                        same = false
                        break
                    }
                    offset += 1
                }
                if same { return entry.value }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Looks a `String` up (for tests and cold paths).
    func lookup(_ word: String) -> Value? {
        var word = word
        return word.withUTF8 { lookup($0, 0, $0.count) }
    }
}

/// The keyword tables the parser uses.
enum Keywords {
    static let opcodes = WordTable(Opcode.allCases.map { ($0.name, $0) })
    static let intConditions = WordTable(IntCC.allCases.map { ($0.description, $0) })
    static let floatConditions = WordTable(FloatCC.allCases.map { ($0.description, $0) })
    static let atomicOperations = WordTable(AtomicRmwOp.allCases.map { ($0.description, $0) })
    static let callConventions = WordTable(CallConv.allCases.map { ($0.name, $0) })

    /// The reserved trap codes by name; `userN` is decoded separately.
    static let reservedTrapCodes = WordTable<TrapCode>([
        ("stk_ovf", .stackOverflow), ("int_ovf", .integerOverflow), ("heap_oob", .heapOutOfBounds),
        ("int_divz", .integerDivisionByZero), ("bad_toint", .badConversionToInteger),
    ])

    /// Words of memory flags other than trap codes.
    enum MemoryFlagWord { case notrap, aligned, readonly, canMove, little, big }
    static let memoryFlagWords = WordTable<MemoryFlagWord>([
        ("notrap", .notrap), ("aligned", .aligned), ("readonly", .readonly), ("can_move", .canMove),
        ("little", .little), ("big", .big),
    ])

    /// The nearest opcode name to a misspelt one, for "did you mean" hints; `nil` when
    /// nothing is close (edit distance above a third of the word).
    static func closestOpcode(to word: String) -> String? {
        let target = Array(word.utf8)
        guard !target.isEmpty, target.count <= 40 else { return nil }
        var best: (name: String, distance: Int)?
        for opcode in Opcode.allCases {
            let distance = editDistance(target, Array(opcode.name.utf8))
            if distance < (best?.distance ?? Int.max) { best = (opcode.name, distance) }
        }
        guard let best, best.distance <= max(1, target.count / 3) else { return nil }
        return best.name
    }

    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var previous = Array(0 ... b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1 ... a.count {
            current[0] = i
            for j in 1 ... max(1, b.count) where j <= b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
