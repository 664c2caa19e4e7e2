import EgretCodegen
import EgretIR
import Foundation

extension CampaignReport {
    /// `index.html`: self-contained (inline CSS and SVG, no scripts).
    func html() -> String {
        var page = """
            <!doctype html><html><head><meta charset="utf-8"><title>egret fuzz seed \(result.options.seed)</title>
            <style>body{font:14px sans-serif;margin:2em}table.map td{width:3.2em;text-align:center;font-size:11px}
            td.zero{background:#f4cccc}pre{background:#f6f6f6;padding:.6em;overflow:auto;font-size:12px}
            h2{margin-top:1.6em}</style></head><body>
            <h1>egret fuzz: seed \(result.options.seed), shard \(result.options.shardIndex)/\(result.options.shardCount)</h1>
            <p>\(result.cases) cases in \(String(format: "%.1f", result.elapsed)) s
            (\(String(format: "%.0f", result.casesPerSecond)) cases/s on \(result.options.jobs) worker(s));
            \(String(format: "%.1f", averageInstructions)) instructions and \(String(format: "%.1f", averageInputs))
            inputs per case; \(result.findings.count) findings (\(result.newFindings.count) new);
            coverage \(coveredCount) of \(universe.count) opcode×type pairs.</p>

            """
        page += "<h2>Coverage: opcode × type</h2>\n" + heatMap()
        page += "<h2>Throughput</h2>\n" + throughputChart()
        page += "<h2>Control flow, calls and frames</h2>\n<p>Cases with each shape.</p>\n<table class=\"map\">"
        for (key, count) in shapeCounts.sorted(by: { $0.key < $1.key }) {
            page += "<tr><th style=\"text-align:left\">\(Self.escape(key))</th>"
                + (count == 0 ? "<td class=\"zero\">0</td>" : "<td>\(count)</td>") + "</tr>"
        }
        page += "</table>\n<h2>How the interpreter's runs ended (values, traps by code)</h2>\n<table>"
        for (key, count) in result.statistics.outcomes.sorted(by: { $0.key < $1.key }) {
            page += "<tr><td>\(Self.escape(key))</td><td>\(count)</td></tr>"
        }
        page += "</table>\n<h2>Findings</h2>\n"
        if result.findings.isEmpty {
            page += "<p>None.</p>\n"
        } else {
            page += "<table><tr><th>case</th><th>kind</th><th>opcode / rule</th><th>where</th></tr>"
            for item in result.findings {
                let signature = item.finding.signature
                page += "<tr><td>\(item.caseIndex)</td><td>\(signature.kind.rawValue)</td>"
                    + "<td>\(Self.escape(signature.culprit ?? "-"))</td><td>\(Self.escape(signature.location))"
                    + (item.isDuplicate ? " (duplicate)" : "") + "</td></tr>"
            }
            page += "</table>\n"
        }
        for item in result.findings {
            page += "<h3>case \(item.caseIndex): \(Self.escape(item.finding.signature.description))"
                + (item.isDuplicate ? " (duplicate)" : "") + "</h3>\n"
            page += "<p>\(Self.escape(item.finding.detail))</p>\n"
            let text = item.reducedText ?? item.originalText
            page += "<pre>\(Self.escape(text))</pre>\n"
            if !item.isDuplicate { page += "<pre>\(Self.escape(Self.machineCode(of: text)))</pre>\n" }
        }
        return page + "</body></html>\n"
    }

    /// Rows: opcodes; columns: types; cells: instructions generated.
    func heatMap() -> String {
        var rows: [String: [String: Int]] = [:]
        var order: [String] = []
        for key in universe {
            let parts = key.split(separator: ".", maxSplits: 1)
            let opcode = String(parts[0]), type = parts.count > 1 ? String(parts[1]) : "-"
            if rows[opcode] == nil { order.append(opcode) }
            rows[opcode, default: [:]][type] = result.statistics.coverage[key] ?? 0
        }
        // Columns: the supported types, then anything else keys name (call conventions).
        var types = configuration.supportedTypes.map(\.description)
        for row in order {
            for type in (rows[row] ?? [:]).keys.sorted() where !types.contains(type) && type != "-" { types.append(type) }
        }
        types.append("-")
        let maximum = max(1, result.statistics.coverage.values.max() ?? 1)
        var table = "<table class=\"map\"><tr><th></th>" + types.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for opcode in order {
            table += "<tr><th>\(opcode)</th>"
            for type in types {
                guard let count = rows[opcode]?[type] else {
                    table += "<td></td>"
                    continue
                }
                if count == 0 {
                    table += "<td class=\"zero\">0</td>"
                } else {
                    let shade = Int(255 - 155 * log(Double(count) + 1) / log(Double(maximum) + 1))
                    table += "<td style=\"background:rgb(\(shade),\(min(255, shade + 60)),255)\">\(count)</td>"
                }
            }
            table += "</tr>\n"
        }
        return table + "</table>\n"
    }

    /// Cases per second over time, as an SVG polyline.
    func throughputChart() -> String {
        var rates: [(Double, Double)] = []
        var previous: (Double, UInt64) = (0, 0)
        for sample in result.throughput where sample.0 > previous.0 {
            rates.append((sample.0, Double(sample.1 - previous.1) / (sample.0 - previous.0)))
            previous = sample
        }
        guard let lastTime = rates.last?.0, lastTime > 0 else { return "<p>Too short to chart.</p>\n" }
        let peak = max(1, rates.map(\.1).max() ?? 1)
        let points = rates.map { String(format: "%.1f,%.1f", 40 + $0.0 / lastTime * 560, 190 - $0.1 / peak * 170) }
        return """
            <svg width="620" height="210" style="border:1px solid #ccc">
            <polyline fill="none" stroke="#36c" stroke-width="2" points="\(points.joined(separator: " "))"/>
            <text x="4" y="20" font-size="11">\(Int(peak))/s</text><text x="4" y="190" font-size="11">0</text>
            <text x="560" y="205" font-size="11">\(Int(lastTime)) s</text></svg>

            """
    }

    /// VCode and disassembly of every function of a case, under its declared conventions.
    static func machineCode(of text: String) -> String {
        guard let module = try? CLIFParser.parse(text), IRVerifier.verify(module).isEmpty else {
            return "(the case does not parse or verify)"
        }
        var options = Compiler.Options()
        options.keepVCode = true
        let disassembler = try? Disassembler()
        var output = ""
        for function in module.functions {
            do {
                let compiled = try Compiler.compile(function, options: options)
                output += "function \(function.name):\n"
                if let lowered = compiled.lowered { output += "VCode:\n" + lowered.text + "\n" }
                if let disassembler {
                    output += "disassembly:\n"
                    for instruction in disassembler.disassemble(compiled.code.bytes) { output += "  \(instruction)\n" }
                }
            } catch {
                output += "function \(function.name): \(error)\n"
            }
        }
        return output
    }
}
