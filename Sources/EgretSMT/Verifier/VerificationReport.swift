import EgretCodegen
import EgretIR
import Foundation

/// What `egret verify` prints: the rule × type table, the summary figures, the
/// counterexamples, JSON for machines, and the coverage list (`--list`).
public struct VerificationReport {
    public var results: [VerificationResult]
    /// Wall-clock seconds of the whole run.
    public var totalSeconds: Double

    public init(results: [VerificationResult], totalSeconds: Double) {
        self.results = results
        self.totalSeconds = totalSeconds
    }

    /// Whether every tier-1 rule × type was proven (the exit status of `egret verify`).
    /// Rules of later tiers (calls) are listed as not modelled and do not count.
    public var allProven: Bool { results.allSatisfy { $0.status == .proven || !$0.isTierOne } }

    public func count(_ label: String) -> Int { results.filter { $0.status.label == label }.count }

    /// Tier-1 checks the verifier could not model (must be zero).
    public var tierOneNotModelled: Int { results.filter { $0.isTierOne && $0.status.label == "not modelled" }.count }

    public var queries: Int { results.reduce(0) { $0 + $1.queries } }

    /// The median time of the checks that ran a solver (not-modelled entries take no
    /// time and would pull the median to zero).
    public var medianSeconds: Double {
        let times = results.filter { $0.status.label != "not modelled" }.map(\.seconds).sorted()
        guard !times.isEmpty else { return 0 }
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }

    public var slowest: [VerificationResult] { Array(results.sorted { $0.seconds > $1.seconds }.prefix(5)) }

    /// One line per rule × type.
    public var table: String {
        var lines: [String] = []
        let nameWidth = max(4, results.map(\.rule.count).max() ?? 4)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        lines.append(pad("rule", nameWidth) + "  type  " + pad("status", 15) + "   time  queries  instances  constants")
        for result in results {
            var detail = ""
            switch result.status {
            case .notModelled(let reason): detail = "  (\(reason))"
            case .unknown(let reason): detail = "  (\(reason))"
            case .proven, .counterexample: break
            }
            lines.append(pad(result.rule, nameWidth) + "  " + pad(result.typeText, 4) + "  " + pad(result.status.label, 15)
                         + String(format: "%6.3fs", result.seconds) + String(format: "  %7d", result.queries)
                         + String(format: "  %9d", result.instances) + "  " + result.constantHandling + detail)
        }
        return lines.joined(separator: "\n")
    }

    public var summary: String {
        var lines: [String] = []
        lines.append("\(results.count) rule × type checks: \(count("proven")) proven, \(count("counterexample")) "
                     + "counterexample, \(count("timeout")) timeout, \(count("unknown")) unknown, "
                     + "\(count("not modelled")) not modelled (\(tierOneNotModelled) of them tier 1)")
        lines.append(String(format: "total %.2f s, median %.3f s per verified rule × type, %d queries (timeout %d ms each)",
                            totalSeconds, medianSeconds, queries, Int(Z3Solver.defaultTimeout)))
        lines.append("slowest: " + slowest.map { String(format: "%@.%@ %.3f s", $0.rule, $0.typeText, $0.seconds) }
            .joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// The report as JSON (an object with `results` and `summary`).
    public var json: String {
        var entries: [[String: Any]] = []
        for result in results {
            var entry: [String: Any] = ["rule": result.rule, "opcode": result.opcode.name, "type": result.typeText,
                                        "status": result.status.label, "seconds": result.seconds,
                                        "queries": result.queries, "instances": result.instances,
                                        "constants": result.constantHandling]
            switch result.status {
            case .notModelled(let reason), .unknown(let reason): entry["reason"] = reason
            case .proven, .counterexample: break
            }
            if let example = result.counterexample {
                entry["counterexample"] = [
                    "variant": example.variant,
                    "inputs": Dictionary(uniqueKeysWithValues: example.inputs.map { ($0.name, signedText($0.value, $0.type)) }),
                    "constants": Dictionary(uniqueKeysWithValues: example.constants.map { ($0.name, String($0.value)) }),
                    "ir": example.ir.description, "machine": example.machine.description,
                    "clif": example.clif ?? NSNull(), "clifUnavailable": example.clifUnavailable ?? NSNull(),
                ] as [String: Any]
            }
            entries.append(entry)
        }
        let summary: [String: Any] = [
            "checks": results.count, "proven": count("proven"), "counterexample": count("counterexample"),
            "timeout": count("timeout"), "unknown": count("unknown"), "notModelled": count("not modelled"),
            "tierOneNotModelled": tierOneNotModelled,
            "totalSeconds": totalSeconds, "medianSeconds": medianSeconds, "queries": queries,
            "slowest": slowest.map { ["rule": $0.rule, "type": $0.typeText, "seconds": $0.seconds] as [String: Any] },
        ]
        let object: [String: Any] = ["results": entries, "summary": summary]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// What the verifier covers: the rules, forms and opcodes of `egret verify --list`.
    public struct Coverage {
        /// Tier-1 rules, each verified at its integer types.
        public var verifiedRules: [String] = []
        /// Rule × type checks of the tier-1 rules.
        public var checks = 0
        /// Rules beyond tier 1, not modelled.
        public var rulesNotModelled: [String] = []
        public var formsModelled: [String] = []
        public var formsNotModelled: [String] = []
        /// Tier-1 opcodes with and without an IR specification.
        public var opcodesWithSpecs: [String] = []
        public var tierOneOpcodesWithoutSpecs: [String] = []
        /// Opcodes beyond tier 1 (none modelled).
        public var opcodesBeyondTierOne = 0
    }

    /// The verifier's coverage of `rules`.
    public static func coverageFacts(rules: [LoweringRule] = X64LoweringRules.all) -> Coverage {
        var coverage = Coverage()
        let integerTypes: [IRType] = [.i8, .i16, .i32, .i64]
        func isTierOne(_ rule: LoweringRule) -> Bool {
            let types: [IRType] = rule.types.isEmpty ? [.invalid] : rule.types
            return types.contains { RuleVerifier.isTierOne(rule, type: $0) }
        }
        let tierOne = rules.filter(isTierOne)
        coverage.verifiedRules = tierOne.map(\.name)
        coverage.checks = tierOne.reduce(0) { $0 + max($1.types.filter { integerTypes.contains($0) }.count, 1) }
        coverage.rulesNotModelled = rules.filter { !isTierOne($0) }.map(\.name)
        coverage.formsModelled = FormID.allCases.filter(MachineSpecs.isModelled).map { "\($0)" }
        coverage.formsNotModelled = FormID.allCases.filter { !MachineSpecs.isModelled($0) }.map { "\($0)" }
        let tierOneOpcodes = OpcodeTable.tier1
        coverage.opcodesWithSpecs = tierOneOpcodes.filter { IRSpecs.isModelled($0) }.map(\.name)
        coverage.tierOneOpcodesWithoutSpecs = tierOneOpcodes.filter { !IRSpecs.isModelled($0) }.map(\.name)
        coverage.opcodesBeyondTierOne = Opcode.allCases.count - tierOneOpcodes.count
        return coverage
    }

    /// `egret verify --list`: which rules, forms and opcodes the verifier covers.
    public static func coverage(rules: [LoweringRule] = X64LoweringRules.all) -> String {
        let coverage = coverageFacts(rules: rules)
        var lines: [String] = []
        lines.append("rules: \(coverage.verifiedRules.count) tier-1 rules verified (\(coverage.checks) rule × type checks; "
                     + "their i128 and float types are tier 2, not modelled)")
        lines.append("  " + coverage.verifiedRules.joined(separator: " "))
        lines.append("rules not modelled (beyond tier 1): "
                     + (coverage.rulesNotModelled.isEmpty ? "none" : coverage.rulesNotModelled.joined(separator: " ")))
        lines.append("forms modelled: " + coverage.formsModelled.joined(separator: " "))
        lines.append("forms not modelled: " + coverage.formsNotModelled.joined(separator: " "))
        lines.append("opcodes with IR specs: " + coverage.opcodesWithSpecs.joined(separator: " "))
        lines.append("tier-1 opcodes without IR specs: " + (coverage.tierOneOpcodesWithoutSpecs.isEmpty ? "none"
            : coverage.tierOneOpcodesWithoutSpecs.joined(separator: " ")))
        lines.append("opcodes beyond tier 1: not modelled (\(coverage.opcodesBeyondTierOne))")
        return lines.joined(separator: "\n")
    }

    /// `egret verify --list --json`: the coverage as a JSON object, keys as the
    /// fields of `Coverage`.
    public static func coverageJSON(rules: [LoweringRule] = X64LoweringRules.all) -> String {
        let coverage = coverageFacts(rules: rules)
        let object: [String: Any] = [
            "verifiedRules": coverage.verifiedRules, "checks": coverage.checks,
            "rulesNotModelled": coverage.rulesNotModelled, "formsModelled": coverage.formsModelled,
            "formsNotModelled": coverage.formsNotModelled, "opcodesWithSpecs": coverage.opcodesWithSpecs,
            "tierOneOpcodesWithoutSpecs": coverage.tierOneOpcodesWithoutSpecs,
            "opcodesBeyondTierOne": coverage.opcodesBeyondTierOne,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
