/// Where each function's code and constants go in an object, for both formats: the
/// code in a text section (one for all, or one per function), each function at a
/// multiple of 16, and its constants in the read-only data section, at an offset
/// congruent to where they followed the code, so each keeps its alignment. A
/// function whose constants cannot move (`FinishedCode.constantReferences` is nil)
/// keeps them after its code, as the JIT places them.
struct ObjectLayout {
    struct Placement {
        /// Its text section (an index into `texts`).
        var section: Int
        var offset: Int
        /// Bytes placed in the text section: the code, or code and constants.
        var length: Int
        /// Where its constants start in the read-only data, if they moved there.
        var constantsOffset: Int?
    }

    /// A PC-relative field that reads a constant: at `offset` in text section
    /// `section`, to be relocated to the read-only data plus `addend` (S + A − P).
    struct ConstantField {
        var section: Int
        var offset: Int
        var addend: Int64
    }

    private(set) var texts: [[UInt8]] = []
    private(set) var textAlignments: [Int] = []
    private(set) var readOnly: [UInt8] = []
    private(set) var readOnlyAlignment = 1
    private(set) var placements: [Placement] = []
    private(set) var constantFields: [ConstantField] = []

    init(_ functions: [ObjectFunction], sectionPerFunction: Bool) throws {
        for (index, function) in functions.enumerated() {
            let code = function.code
            let hasConstants = code.bytes.count > code.codeSize
            let moves = hasConstants && code.constantReferences != nil
            let section = sectionPerFunction ? index : 0
            if section == texts.count {
                texts.append([])
                textAlignments.append(16)
            }
            let alignment = moves ? 16 : max(16, code.requiredAlignment)
            textAlignments[section] = max(textAlignments[section], alignment)
            while texts[section].count % alignment != 0 { texts[section].append(0xCC) }
            let offset = texts[section].count
            let length = moves ? code.codeSize : code.bytes.count
            texts[section].append(contentsOf: code.bytes[0 ..< length])
            var constantsOffset: Int?
            if moves {
                let constantAlignment = max(1, code.requiredAlignment)
                readOnlyAlignment = max(readOnlyAlignment, constantAlignment)
                while readOnly.count % constantAlignment != code.codeSize % constantAlignment { readOnly.append(0) }
                let start = readOnly.count
                constantsOffset = start
                readOnly.append(contentsOf: code.bytes[code.codeSize...])
                for reference in code.constantReferences ?? [] {
                    let addend = Int64(start) + Int64(reference.target) - Int64(code.codeSize) + Int64(reference.addend)
                    constantFields.append(ConstantField(section: section, offset: offset + Int(reference.offset),
                                                        addend: addend))
                }
            }
            placements.append(Placement(section: section, offset: offset, length: length,
                                        constantsOffset: constantsOffset))
        }
        for text in texts where text.count >= Int(UInt32.max) {
            throw ObjectError.tooLarge("a text section of \(text.count) bytes")
        }
        guard readOnly.count < Int(UInt32.max) else {
            throw ObjectError.tooLarge("read-only data of \(readOnly.count) bytes")
        }
    }
}
