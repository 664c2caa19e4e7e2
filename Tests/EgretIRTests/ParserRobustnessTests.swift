import Foundation
import EgretTestSupport
import Testing
@testable import EgretIR

/// Any input ends in a `Module` or a `Diagnostic`: never a crash, never a hang, never
/// unbounded memory. Thousands of mutated and truncated copies of the project's `.clif`
/// files (and of inline samples, so the test stands alone) are fed to the parser; what
/// parses must also print and parse again. Deterministic (fixed seed), a few seconds
/// in a debug build.
struct ParserRobustnessTests {
    /// SplitMix64: small, fast and good enough to drive mutations deterministically.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
    }

    /// Bytes a mutation likes to insert: CLIF's punctuation, digits, letters, spaces,
    /// control and non-ASCII bytes.
    static let interestingBytes: [UInt8] = Array("()[]{}<>,.:=!*@+-;%\"#_ \n\t0123456789vxabcdefNIsu".utf8)
        + [0, 0x7F, 0x80, 0xC3, 0xE2, 0xFF]

    /// Tokens a mutation likes to insert: huge numbers, entity names, keywords.
    static let interestingTokens: [String] = [
        "v4294967295", "v1048577", "block99999999", "ss65537", "0xffffffffffffffffffffffffffffffffff",
        "-9223372036854775809", "18446744073709551616", "v0", "block0", "i128", "i8x16", "f64x2", "i32x4xN",
        "NaN:0x", "sNaN:0x0", "-Inf", "0x1.p", "0x.8p-1075", "; run: %f(", "; run", "function", "}", "{",
        "trap", "user0", "user251", "ret0", "exn9", "dt0", "gv0", "const0", "fn0", "sig0", "->", "cold",
        "iconst.i64", "brif", "br_table v0, block0, [", "try_call fn0(", "vconst.i8x16 [", "@ffff", "<1,",
    ]

    /// The project's files when present (whole).
    static func projectFiles() -> [[UInt8]] {
        PackagePaths.projectFiletests().compactMap { FileManager.default.contents(atPath: $0).map(Array.init) }
    }

    /// The seed inputs: inline samples, and each function of the project's files with
    /// the run lines after it (small inputs keep thousands of parses fast in debug).
    static func seeds() -> [[UInt8]] {
        var seeds = RoundTripSamples.all.map { Array($0.utf8) }
        for file in projectFiles() {
            let text = String(decoding: file, as: UTF8.self)
            for piece in text.components(separatedBy: "\nfunction ").dropFirst() {
                seeds.append(Array(("function " + piece).utf8))
            }
        }
        return seeds
    }

    static func mutate(_ input: [UInt8], seeds: [[UInt8]], random: inout Random) -> [UInt8] {
        var bytes = input
        for _ in 0 ... random.below(3) {
            let position = random.below(bytes.count + 1)
            switch random.below(7) {
            case 0 where !bytes.isEmpty:  // flip a byte
                let index = min(position, bytes.count - 1)
                bytes[index] = interestingBytes[random.below(interestingBytes.count)]
            case 1:  // delete a range
                let length = min(1 + random.below(24), bytes.count - position)
                bytes.removeSubrange(position ..< position + length)
            case 2 where !bytes.isEmpty:  // duplicate a range elsewhere
                let start = random.below(bytes.count)
                let chunk = bytes[start ..< min(bytes.count, start + 1 + random.below(80))]
                bytes.insert(contentsOf: chunk, at: random.below(bytes.count + 1))
            case 3:  // splice in a piece of another seed
                let other = seeds[random.below(seeds.count)]
                guard !other.isEmpty else { break }
                let start = random.below(other.count)
                bytes.insert(contentsOf: other[start ..< min(other.count, start + 1 + random.below(200))], at: position)
            case 4:  // truncate
                bytes.removeSubrange(position...)
            case 5:  // insert an interesting token
                bytes.insert(contentsOf: Array(interestingTokens[random.below(interestingTokens.count)].utf8),
                             at: position)
            default:  // insert a random byte
                bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
            }
        }
        return bytes
    }

    enum Outcome: Equatable {
        case parsed, rejected
        case problem(String)
    }

    /// Parses `bytes` (decoded as the CLI decodes files); a parse must succeed or throw
    /// a located `Diagnostic`, and what parses must print and parse again. A single
    /// input taking over 30 seconds counts as a hang: each input is a few hundred lines,
    /// which parse in milliseconds, so only runaway (super-linear or looping) work
    /// reaches the bound, however loaded the machine is.
    static func check(_ bytes: [UInt8]) -> Outcome {
        let started = Date()
        let outcome = checkUntimed(bytes)
        let elapsed = Date().timeIntervalSince(started)
        if elapsed > 30 {
            return .problem(String(format: "took %.1f s:\n", elapsed) + String(decoding: bytes.prefix(2000), as: UTF8.self))
        }
        return outcome
    }

    private static func checkUntimed(_ bytes: [UInt8]) -> Outcome {
        let text = String(decoding: bytes, as: UTF8.self)
        let module: Module
        do {
            module = try CLIFParser.parse(text, fileName: "mutant.clif")
        } catch let diagnostic as Diagnostic {
            if diagnostic.file != "mutant.clif" { return .problem("diagnostic without the file name: \(diagnostic)") }
            if !diagnostic.location.isKnown && !diagnostic.message.contains("too large") {
                return .problem("diagnostic without a location: \(diagnostic)")
            }
            if diagnostic.description.utf8.count > 4 * (text.utf8.count + 200) {
                return .problem("diagnostic rendering out of proportion: \(diagnostic.message)")
            }
            return .rejected
        } catch {
            return .problem("a non-Diagnostic error: \(error)")
        }
        let printed = CLIFPrinter.print(module)
        do {
            let again = try CLIFParser.parse(printed, fileName: "printed.clif")
            if CLIFPrinter.print(again) != printed { return .problem("printing is not stable for:\n\(text)") }
        } catch {
            return .problem("printed text does not parse: \(error)\n--- input ---\n\(text)\n--- printed ---\n\(printed)")
        }
        return .parsed
    }

    /// Checks every input, recording the first problem; returns (parsed, rejected).
    static func checkAll(_ inputs: some Sequence<[UInt8]>) -> (parsed: Int, rejected: Int) {
        var parsed = 0, rejected = 0
        for input in inputs {
            switch check(input) {
            case .parsed: parsed += 1
            case .rejected: rejected += 1
            case .problem(let problem):
                Issue.record("\(problem)")
                return (parsed, rejected)
            }
        }
        return (parsed, rejected)
    }

    @Test func mutatedFilesGiveAModuleOrADiagnostic() {
        let seeds = Self.seeds()
        var random = Random(state: 0x5EED_C11F)
        let started = Date()
        var mutants: [[UInt8]] = []
        for _ in 0 ..< 6000 {
            mutants.append(Self.mutate(seeds[random.below(seeds.count)], seeds: seeds, random: &random))
        }
        // Some whole files too: several functions, run lines naming each other.
        let files = Self.projectFiles()
        for index in 0 ..< min(60, files.count) {
            mutants.append(Self.mutate(files[index], seeds: seeds, random: &random))
        }
        let (parsed, rejected) = Self.checkAll(mutants)
        print("ParserRobustnessTests: \(mutants.count) mutants of \(seeds.count) seeds: \(parsed) parsed, "
            + "\(rejected) rejected, " + String(format: "%.1f s", Date().timeIntervalSince(started)))
    }

    @Test func everyTruncationGivesAModuleOrADiagnostic() {
        var random = Random(state: 7)
        let seeds = Self.seeds()
        var truncations: [[UInt8]] = []
        for _ in 0 ..< 500 {
            let seed = seeds[random.below(seeds.count)]
            truncations.append(Array(seed.prefix(random.below(seed.count + 1))))
        }
        for sample in RoundTripSamples.all {
            let bytes = Array(sample.utf8)
            for length in stride(from: 0, to: bytes.count, by: 5) { truncations.append(Array(bytes.prefix(length))) }
        }
        _ = Self.checkAll(truncations)
    }

    @Test func randomBytesGiveADiagnostic() {
        var random = Random(state: 42)
        let inputs = (0 ..< 500).map { _ in (0 ..< random.below(400)).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
        _ = Self.checkAll(inputs)
    }

    @Test func pathologicalShapesStayBounded() {
        let shapes: [String] = [
            String(repeating: "[", count: 100_000),
            "function %f() {\nblock0:\n" + String(repeating: "    nop\n", count: 20_000) + "    return\n}\n",
            "function %f() {\nblock0:\n    v1048576 = iconst.i32 0\n    return\n}\n",
            "function %f() {\nblock1048576:\n    return\n}\n",
            "function %f() {\n    ss65536 = explicit_slot 4294967295, align = 2147483648\nblock0:\n    return\n}\n",
            "function %f(i32) {\nblock0(v0: i32):\n    v1 = iconst.i32 " + String(repeating: "9", count: 5000)
                + "\n    return\n}\n",
            "; run: %f(" + String(repeating: "1, ", count: 10_000) + ")\n",
            "function %f() {\n" + String(repeating: "; comment\n", count: 10_000) + "block0:\n    return\n}\n",
        ]
        _ = Self.checkAll(shapes.map { Array($0.utf8) })
    }
}
