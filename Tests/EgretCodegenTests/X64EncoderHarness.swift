import Foundation
import Testing
import EgretIR
@testable import EgretCodegen

/// The machinery behind the encoder tests: encode one instruction on its own, run
/// llvm-mc on many texts at once, and compare Egret's bytes and text with llvm-mc's
/// (the independent assembler) and capstone's (the independent decoder).
///
/// Comparison rules:
/// - llvm-mc assembles Egret's printed text; its bytes must equal Egret's exactly,
///   except at fixup bytes (llvm-mc prints `A`), where Egret's byte must be 0 and
///   Egret must record a label use or relocation at the same offset with the same
///   addend; llvm-mc's re-printed text must equal Egret's.
/// - capstone decodes Egret's bytes into as many instructions as the text has
///   (`;`-separated), consuming every byte; its text must equal Egret's after
///   `CapstoneText.normalise` on both sides.

/// One table row: an instruction and the AT&T text it must print as.
struct EncoderCase: CustomTestStringConvertible, Sendable {
    var inst: X64Inst
    var text: String
    var sourceLocation: Testing.SourceLocation

    init(_ inst: X64Inst, _ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        self.inst = inst
        self.text = text
        self.sourceLocation = sourceLocation
    }

    var testDescription: String { text }
}

/// The result of encoding one instruction into a fresh buffer, before `finish()`.
struct EncodedInstruction {
    var bytes: [UInt8]
    var fixups: [LabelFixup]
    var relocations: [Relocation]
    var traps: [TrapRecord]

    init(_ inst: X64Inst) {
        var buffer = CodeBuffer()
        inst.encode(into: &buffer)
        bytes = buffer.bytes
        fixups = buffer.fixups
        relocations = buffer.relocations
        traps = buffer.traps
    }

    var hex: String { bytes.map { String(format: "%02x", $0) }.joined(separator: " ") }
}

// MARK: llvm-mc

/// One instruction as `llvm-mc -show-encoding` printed it.
struct AssembledInstruction {
    /// The re-printed text, whitespace collapsed, `{disp32}` removed.
    var text: String
    /// Encoded bytes; `nil` where llvm-mc left a fixup (`A`).
    var bytes: [UInt8?]
    /// Fixups: the byte offset in the instruction and the value expression
    /// (`.L3-4`, `foo`, `(.Ltmp0+4)-1`).
    var fixups: [(offset: Int, value: String)]
    /// Whether llvm-mc printed a `.LtmpN:` label right before the instruction.
    var labelledStart: String?
}

enum LLVMMC {
    /// The assembler: `$LLVM_MC`, else the first llvm-mc found on the usual paths.
    static let path: String? = {
        if let override = ProcessInfo.processInfo.environment["LLVM_MC"] { return override }
        let candidates = ["/usr/bin/llvm-mc", "/usr/local/bin/llvm-mc", "/opt/homebrew/opt/llvm/bin/llvm-mc",
                          "/usr/local/opt/llvm/bin/llvm-mc"]
            + (10 ... 20).reversed().map { "/usr/bin/llvm-mc-\($0)" }
            + (10 ... 20).reversed().map { "/usr/lib/llvm-\($0)/bin/llvm-mc" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Assembles `lines` (one statement each; `;` may join several) in one llvm-mc run.
    static func assemble(_ lines: [String]) throws -> [AssembledInstruction] {
        guard let path else {
            throw Failure(description: "llvm-mc not found (install the llvm package; ci/install-deps does)")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("egret-llvm-mc-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("input.s")
        let output = directory.appendingPathComponent("output.s")
        let errors = directory.appendingPathComponent("errors.txt")
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-triple=x86_64-unknown-linux-gnu", "-show-encoding", input.path]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        process.waitUntilExit()
        let errorText = try String(contentsOf: errors, encoding: .utf8)
        guard process.terminationStatus == 0, errorText.isEmpty else {
            throw Failure(description: "llvm-mc failed:\n" + errorText.split(separator: "\n").prefix(40)
                .joined(separator: "\n"))
        }
        return parse(try String(contentsOf: output, encoding: .utf8))
    }

    static func parse(_ output: String) -> [AssembledInstruction] {
        var result: [AssembledInstruction] = []
        var pendingLabel: String?
        for rawLine in output.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix(".Ltmp"), line.hasSuffix(":") {
                pendingLabel = String(line.dropLast())
                continue
            }
            if line.hasPrefix("#"), let fixupRange = line.range(of: "fixup A - offset: ") {
                let rest = line[fixupRange.upperBound...]
                let parts = rest.components(separatedBy: ", value: ")
                guard parts.count == 2, let offset = Int(parts[0]), let last = result.indices.last else { continue }
                let value = parts[1].components(separatedBy: ", kind:")[0]
                result[last].fixups.append((offset, value))
                continue
            }
            guard let encodingRange = line.range(of: "# encoding: [") else { continue }
            var text = String(line[..<encodingRange.lowerBound])
            text = text.replacingOccurrences(of: "{disp32}", with: "")
            text = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            let list = line[encodingRange.upperBound...].prefix { $0 != "]" }
            let bytes: [UInt8?] = list.split(separator: ",").map { item in
                item.hasPrefix("0x") ? UInt8(item.dropFirst(2), radix: 16) : nil
            }
            result.append(AssembledInstruction(text: text, bytes: bytes, fixups: [], labelledStart: pendingLabel))
            pendingLabel = nil
        }
        return result
    }

    /// The llvm-mc input for one printed instruction: label branches and jumps to a
    /// symbol (a tail call) get `{disp32}` so llvm-mc shows the rel32 form Egret emits
    /// (it would show rel8 and relax later).
    static func input(for text: String) -> String {
        text.split(separator: ";").map { part -> String in
            let statement = part.trimmingCharacters(in: .whitespaces)
            let words = statement.split(separator: " ")
            if words.count == 2, words[0].hasPrefix("j"), words[1].hasPrefix(".L") { return "{disp32} " + statement }
            if words.count == 2, words[0] == "jmp", !words[1].hasPrefix("*"), !words[1].hasPrefix(".") {
                return "{disp32} " + statement
            }
            return statement
        }.joined(separator: "; ")
    }
}

// MARK: Comparisons

/// Problems found comparing one instruction with llvm-mc and capstone; empty if none.
struct EncodingCheck {
    var problems: [String] = []

    /// Egret's bytes and text against llvm-mc's output for the same text.
    mutating func compare(_ encoded: EncodedInstruction, text: String, with assembled: [AssembledInstruction]) {
        let llvmText = assembled.map { part in
            // `.Ltmp0+4` where .Ltmp0 labels this instruction is `.+4`.
            guard let label = part.labelledStart else { return part.text }
            return part.text.replacingOccurrences(of: label + "+", with: ".+")
                .replacingOccurrences(of: label + "-", with: ".-")
        }.joined(separator: "; ")
        if llvmText != text { problems.append("llvm-mc prints `\(llvmText)`, Egret `\(text)`") }

        var expected: [UInt8?] = []
        var fixups: [(offset: Int, value: String)] = []
        var partStarts: [Int] = []
        for part in assembled {
            partStarts.append(expected.count)
            fixups += part.fixups.map { (expected.count + $0.offset, $0.value) }
            expected += part.bytes
        }
        let llvmHex = expected.map { $0.map { String(format: "%02x", $0) } ?? "A" }.joined(separator: " ")
        guard expected.count == encoded.bytes.count else {
            problems.append("length: llvm-mc [\(llvmHex)], Egret [\(encoded.hex)]")
            return
        }
        for (index, byte) in expected.enumerated() where byte != nil && byte != encoded.bytes[index] {
            problems.append("bytes: llvm-mc [\(llvmHex)], Egret [\(encoded.hex)]")
            break
        }
        for fixup in fixups { checkFixup(fixup, encoded: encoded, assembled: assembled, partStarts: partStarts) }
        let egretFields = encoded.fixups.map { Int($0.offset) } + encoded.relocations.map { Int($0.offset) }
        for offset in egretFields where !fixups.contains(where: { $0.offset == offset }) {
            problems.append("Egret records a label use or relocation at \(offset) that llvm-mc does not")
        }
    }

    /// A byte range llvm-mc left to a fixup must be a label use or relocation of Egret's.
    private mutating func checkFixup(_ fixup: (offset: Int, value: String), encoded: EncodedInstruction,
                                     assembled: [AssembledInstruction], partStarts: [Int]) {
        let value = fixup.value
        // `(.LtmpN+K)-D` or `(.LtmpN-K)-D`: a short branch within the instruction (forward
        // over an inline trap, or back to the start of an atomic loop), resolved by Egret.
        if value.hasPrefix("(.Ltmp"), let close = value.firstIndex(of: ")"),
           let sign = value[..<close].firstIndex(where: { $0 == "+" || $0 == "-" }),
           let k = Int(value[sign ..< close].replacingOccurrences(of: "+", with: "")),
           let d = Int(value[value.index(after: close)...]),
           let partIndex = assembled.firstIndex(where: { $0.labelledStart != nil }) {
            let expectedByte = partStarts[partIndex] + k + d - fixup.offset
            if Int(Int8(bitPattern: encoded.bytes[fixup.offset])) != expectedByte {
                problems.append("short branch at \(fixup.offset): llvm-mc \(expectedByte), Egret \(encoded.bytes[fixup.offset])")
            }
            return
        }
        let (symbol, addend) = EncodingCheck.splitAddend(value)
        if symbol.hasPrefix(".L") {
            let label = UInt32(symbol.dropFirst(2))
            let match = encoded.fixups.contains {
                Int($0.offset) == fixup.offset && $0.label.index == label && Int64($0.addend) == addend
            }
            if !match { problems.append("llvm-mc fixup \(value) at \(fixup.offset); Egret \(encoded.fixups)") }
        } else {
            let match = encoded.relocations.contains {
                Int($0.offset) == fixup.offset && X64Inst.symbolText($0.target) == symbol && $0.addend == addend
            }
            if !match { problems.append("llvm-mc relocation \(value) at \(fixup.offset); Egret \(encoded.relocations)") }
        }
        let width = encoded.relocations.first { Int($0.offset) == fixup.offset }?.kind == .absolute64 ? 8 : 4
        let field = encoded.bytes.dropFirst(fixup.offset).prefix(width)
        if field.contains(where: { $0 != 0 }) { problems.append("fixup field at \(fixup.offset) is not zero") }
    }

    /// `.L3-4` → (".L3", -4); `foo` → ("foo", 0).
    static func splitAddend(_ value: String) -> (String, Int64) {
        if let minus = value.lastIndex(of: "-"), let addend = Int64(value[minus...]) {
            return (String(value[..<minus]), addend)
        }
        if let plus = value.lastIndex(of: "+"), let addend = Int64(value[value.index(after: plus)...]) {
            return (String(value[..<plus]), addend)
        }
        return (value, 0)
    }

    /// Egret's bytes decoded by capstone against Egret's text.
    mutating func compare(_ encoded: EncodedInstruction, text: String, immediateBits: Int,
                          with disassembler: Disassembler) {
        let decoded = disassembler.disassemble(encoded.bytes)
        let consumed = decoded.reduce(0) { $0 + $1.bytes.count }
        if consumed != encoded.bytes.count {
            problems.append("capstone decoded \(consumed) of \(encoded.bytes.count) bytes [\(encoded.hex)]: \(decoded)")
            return
        }
        let ours = text.split(separator: ";").map { CapstoneText.normalise(String($0), immediateBits: immediateBits) }
        let theirs = decoded.map { CapstoneText.normalise($0.text, immediateBits: immediateBits) }
        let same = ours.count == theirs.count && zip(ours, theirs).allSatisfy(CapstoneText.sameInstruction)
        if !same {
            problems.append("capstone reads [\(encoded.hex)] as `\(decoded.map(\.text).joined(separator: "; "))`"
                + " (normalised \(theirs), Egret's \(ours))")
        }
    }
}

/// Puts capstone's and llvm-mc's AT&T spellings into one form. Test-only by design:
/// the product prints what llvm-mc prints and reports capstone's text unchanged.
enum CapstoneText {
    /// - whitespace collapsed, no spaces inside parentheses;
    /// - direct branch/call targets → `<target>`, RIP displacements → `<label>(%rip)`;
    /// - immediates → unsigned decimal modulo 2^immediateBits, displacements → signed
    ///   decimal, symbols in immediates → `$0` (an unrelocated field);
    /// - a shift or rotate with one operand gets its implicit `$1`.
    static func normalise(_ text: String, immediateBits: Int) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let words = trimmed.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let mnemonic = words.first.map(String.init) else { return "" }
        var operandText = words.count > 1 ? String(words[1]) : ""
        operandText = operandText.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\t", with: "")
        var operands = splitOperands(operandText)

        let isDirectBranch = (mnemonic.hasPrefix("j") || mnemonic.hasPrefix("call"))
            && operands.count == 1 && !operands[0].hasPrefix("*")
        if isDirectBranch { operands = ["<target>"] }
        operands = operands.map { operand in
            if let rip = operand.range(of: "(%rip)") { return "<label>" + operand[rip.lowerBound...] }
            if operand.hasPrefix("$") { return "$" + immediate(String(operand.dropFirst()), bits: immediateBits) }
            if let paren = operand.firstIndex(of: "("), paren != operand.startIndex {
                return "\(parseNumber(String(operand[..<paren])) ?? 0)" + operand[paren...]
            }
            return operand
        }
        let shifts = ["rol", "ror", "shl", "shr", "sar"]
        if operands.count == 1, shifts.contains(where: { mnemonic.hasPrefix($0) }) { operands.insert("$1", at: 0) }
        return operands.isEmpty ? mnemonic : mnemonic + " " + operands.joined(separator: ",")
    }

    /// Equal normalised texts, or capstone's mnemonic without the size suffix llvm-mc
    /// prints (capstone 4 writes `rol $1, %esp` for D1 C4, llvm-mc `roll %esp`), or
    /// capstone's `movd` for the REX.W form of 66 0F 6E/7E that llvm-mc calls `movq`
    /// (its 64-bit register operand says the width either way).
    static func sameInstruction(_ ours: String, _ theirs: String) -> Bool {
        if ours == theirs { return true }
        let ourWords = ours.split(separator: " ", maxSplits: 1)
        let theirWords = theirs.split(separator: " ", maxSplits: 1)
        guard let ourMnemonic = ourWords.first, let theirMnemonic = theirWords.first,
              ourWords.dropFirst().first == theirWords.dropFirst().first else { return false }
        if ourMnemonic == "movq" && theirMnemonic == "movd" && ours.contains("%xmm") && ours.contains("%r") {
            return true
        }
        // capstone 4 also adds the suffix llvm-mc leaves out: `cvtsi2ssl %eax, %xmm0`.
        if let suffix = theirMnemonic.last, "lq".contains(suffix), theirMnemonic.dropLast() == ourMnemonic,
           ourMnemonic.hasPrefix("cvtsi2") {
            return true
        }
        guard let suffix = ourMnemonic.last, "bwlq".contains(suffix) else { return false }
        return ourMnemonic.dropLast() == theirMnemonic
    }

    /// Splits at commas outside parentheses.
    static func splitOperands(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(": depth += 1; current.append(character)
            case ")": depth -= 1; current.append(character)
            case "," where depth == 0: result.append(current); current = ""
            default: current.append(character)
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    static func immediate(_ text: String, bits: Int) -> String {
        guard let value = parseNumber(text) else { return "0" }   // a symbol: an unrelocated zero field
        let pattern = UInt64(bitPattern: value)
        return "\(bits >= 64 ? pattern : pattern & ((1 << UInt64(bits)) - 1))"
    }

    /// Decimal or 0x-hex, optionally negative; hex above Int64.max wraps.
    static func parseNumber(_ text: String) -> Int64? {
        var body = Substring(text)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let magnitude: UInt64?
        if body.hasPrefix("0x") { magnitude = UInt64(body.dropFirst(2), radix: 16) } else { magnitude = UInt64(body) }
        guard let magnitude else { return nil }
        let value = Int64(bitPattern: magnitude)
        return negative ? 0 &- value : value
    }
}

/// The width capstone's immediates are compared at: the instruction's size, or 64
/// for forms without one (push, movabs).
func immediateBits(of inst: X64Inst) -> Int {
    inst.operandSize?.bits ?? 64
}

/// Checks a whole list of (instruction, text) pairs against llvm-mc (one run) and
/// capstone; returns one message per failing entry, with the entry's index.
func checkAgainstIndependentTools(_ entries: [(inst: X64Inst, text: String)]) throws -> [(index: Int, message: String)] {
    let assembled = try LLVMMC.assemble(entries.map { LLVMMC.input(for: $0.text) })
    let disassembler = try Disassembler()
    var failures: [(index: Int, message: String)] = []
    var cursor = 0
    for (index, entry) in entries.enumerated() {
        let partCount = entry.text.split(separator: ";").count
        guard cursor + partCount <= assembled.count else {
            failures.append((index, "`\(entry.text)`: llvm-mc produced too few instructions"))
            break
        }
        let parts = Array(assembled[cursor ..< cursor + partCount])
        cursor += partCount
        let encoded = EncodedInstruction(entry.inst)
        var check = EncodingCheck()
        check.compare(encoded, text: entry.text, with: parts)
        check.compare(encoded, text: entry.text, immediateBits: immediateBits(of: entry.inst), with: disassembler)
        if !check.problems.isEmpty {
            failures.append((index, "`\(entry.text)`: " + check.problems.joined(separator: "; ")))
        }
    }
    if cursor != assembled.count {
        failures.append((entries.count, "llvm-mc produced \(assembled.count - cursor) extra instructions"))
    }
    return failures
}
