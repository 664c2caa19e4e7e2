import EgretIR

/// Reducer passes that change a function's signature: drop one parameter or one
/// return value, and keep everything that depends on it consistent (the entry block,
/// every `return`, every caller's declaration and call, and the run lines).
extension CaseText {
    /// A signature as the generator and the printer write it: `(i32, i64) -> i8 system_v`.
    struct SignatureText: Equatable {
        var parameters: [String]
        var returns: [String]
        /// What follows the types: ` system_v`, or nothing.
        var suffix: String

        /// Parses `text`, which starts at the opening parenthesis.
        init?(_ text: Substring) {
            guard text.first == "(", let close = text.firstIndex(of: ")") else { return nil }
            let inside = String(text[text.index(after: text.startIndex) ..< close])
            parameters = inside.isEmpty ? [] : splitTopLevel(inside)
            var rest = text[text.index(after: close)...]
            returns = []
            suffix = ""
            if rest.hasPrefix(" -> ") {
                rest = rest.dropFirst(4)
                var types = splitTopLevel(String(rest))
                // The convention follows the last type after a space.
                if let last = types.last, let space = last.lastIndex(of: " "),
                   CallConv(rawValue: String(last[last.index(after: space)...])) != nil {
                    suffix = String(last[space...])
                    types[types.count - 1] = String(last[..<space])
                }
                returns = types
            } else {
                suffix = String(rest)
            }
        }

        var text: String {
            "(" + parameters.joined(separator: ", ") + ")"
                + (returns.isEmpty ? "" : " -> " + returns.joined(separator: ", ")) + suffix
        }
    }

    /// The function header at `position`: its name (`%f`) and signature.
    static func functionHeader(_ line: String) -> (name: String, signature: SignatureText)? {
        guard line.hasPrefix("function "), line.hasSuffix(" {"), let open = line.firstIndex(of: "(") else { return nil }
        let name = String(line.dropFirst(9)[..<open])
        guard let signature = SignatureText(line[open ..< line.index(line.endIndex, offsetBy: -2)]) else { return nil }
        return (name, signature)
    }

    static func functionHeaderText(_ name: String, _ signature: SignatureText) -> String {
        "function \(name)\(signature.text) {"
    }

    /// The index of the closing brace of the function that starts at or before `position`.
    static func functionEnd(_ lines: [String], from position: Int) -> Int {
        var end = position
        while end < lines.count && lines[end] != "}" { end += 1 }
        return end
    }

    /// A definition of `value` as zero of `type`.
    static func zeroDefinition(_ value: String, type: String) -> String {
        switch type {
        case "f32": return "    \(value) = f32const 0.0"
        case "f64": return "    \(value) = f64const 0.0"
        default: return "    \(value) = iconst.\(type) 0"
        }
    }

    /// In each caller of `name`: the declaration `fnK = name(…)` edited by `edit`, and
    /// each line of that caller rewritten by `rewrite(line, "fnK")`. Returns the
    /// positions where the rewrite asked for a line to follow (and what).
    static func editCallers(_ lines: inout [String], of name: String, _ edit: (inout SignatureText) -> Void,
                            _ rewrite: (String, String) -> (line: String, following: String?)) {
        var insertions: [(position: Int, line: String)] = []
        var start = 0
        while start < lines.count {
            guard lines[start].hasPrefix("function ") else {
                start += 1
                continue
            }
            let end = functionEnd(lines, from: start)
            for declaration in start ..< end {
                let body = trimmed(lines[declaration])
                guard body.hasPrefix("fn"), let equals = body.range(of: " = "),
                      body[equals.upperBound...].hasPrefix(name + "("),
                      var signature = SignatureText(body[body.index(equals.upperBound, offsetBy: name.count)...])
                else { continue }
                let reference = String(body[..<equals.lowerBound])
                edit(&signature)
                lines[declaration] = "    \(reference) = \(name)\(signature.text)"
                for index in declaration + 1 ..< end {
                    let rewritten = rewrite(lines[index], reference)
                    lines[index] = rewritten.line
                    if let following = rewritten.following { insertions.append((index + 1, following)) }
                }
            }
            start = end + 1
        }
        for insertion in insertions.sorted(by: { $0.position > $1.position }) {
            lines.insert(insertion.line, at: insertion.position)
        }
    }

    /// Removes one parameter of the function whose header is at `position`: the entry
    /// block defines it as a constant 0 instead, and every call and run line loses the
    /// matching argument.
    static func dropFunctionParameter(_ lines: [String], _ position: Int) -> [[String]] {
        guard let (name, signature) = functionHeader(lines[position]), !signature.parameters.isEmpty else { return [] }
        let end = functionEnd(lines, from: position)
        guard let entry = (position ..< end).first(where: { lines[$0].hasPrefix("block") }),
              let open = lines[entry].firstIndex(of: "("), let close = lines[entry].lastIndex(of: ")") else { return [] }
        let header = lines[entry]
        let blockName = String(header[..<open])
        let parameters = splitTopLevel(String(header[header.index(after: open) ..< close]))
        guard parameters.count == signature.parameters.count else { return [] }
        var candidates: [[String]] = []
        for index in parameters.indices {
            let parts = parameters[index].split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            var candidate = lines
            var changed = signature
            changed.parameters.remove(at: index)
            candidate[position] = functionHeaderText(name, changed)
            var remaining = parameters
            remaining.remove(at: index)
            candidate[entry] = remaining.isEmpty ? "\(blockName):" : "\(blockName)(\(remaining.joined(separator: ", "))):"
            candidate.insert(zeroDefinition(parts[0], type: parts[1]), at: entry + 1)
            for line in candidate.indices where isRunLine(candidate[line]) {
                candidate[line] = removingArgument(index, ofCallsTo: name, in: candidate[line], keepingParentheses: true)
            }
            editCallers(&candidate, of: name, { $0.parameters.remove(at: index) }) { line, reference in
                (removingArgument(index, ofCallsTo: reference, in: line, keepingParentheses: true), nil)
            }
            candidates.append(candidate)
        }
        return candidates
    }

    /// Removes one return value of the function whose header is at `position`: every
    /// `return` in it loses that operand, callers define the result they received as a
    /// constant 0, and run lines drop the expected value.
    static func dropReturnValue(_ lines: [String], _ position: Int) -> [[String]] {
        guard let (name, signature) = functionHeader(lines[position]), !signature.returns.isEmpty else { return [] }
        let end = functionEnd(lines, from: position)
        var candidates: [[String]] = []
        for index in signature.returns.indices {
            var candidate = lines
            var changed = signature
            let type = changed.returns.remove(at: index)
            candidate[position] = functionHeaderText(name, changed)
            for line in position + 1 ..< end where trimmed(candidate[line]).hasPrefix("return ") {
                var operands = splitTopLevel(String(trimmed(candidate[line]).dropFirst(7)))
                guard index < operands.count else { continue }
                operands.remove(at: index)
                candidate[line] = operands.isEmpty ? "    return" : "    return " + operands.joined(separator: ", ")
            }
            for line in candidate.indices where isRunLine(candidate[line]) && candidate[line].contains(" \(name)(") {
                candidate[line] = removingExpectedValue(index, count: signature.returns.count, in: candidate[line])
            }
            editCallers(&candidate, of: name, { $0.returns.remove(at: index) }) { line, reference in
                let body = trimmed(line)
                guard let equals = body.range(of: " = "), body[equals.upperBound...].hasPrefix("call \(reference)(")
                else { return (line, nil) }
                var results = body[..<equals.lowerBound].split(separator: ",")
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                guard index < results.count else { return (line, nil) }
                let dropped = results.remove(at: index)
                let call = body[equals.upperBound...]
                let rewritten = results.isEmpty ? "    \(call)" : "    \(results.joined(separator: ", ")) = \(call)"
                return (rewritten, zeroDefinition(dropped, type: type))
            }
            candidates.append(candidate)
        }
        return candidates
    }

    /// A run line with expected value `index` of `count` removed: `== [a, b]` loses
    /// one element, and a line left expecting nothing becomes a `; print:` line.
    static func removingExpectedValue(_ index: Int, count: Int, in line: String) -> String {
        guard let comparison = line.range(of: " == ") ?? line.range(of: " != ") else { return line }
        let expected = line[comparison.upperBound...].trimmingCharacters(in: .whitespaces)
        if expected.hasPrefix("trap") { return line }
        var values = expected.hasPrefix("[") ? splitTopLevel(String(expected.dropFirst().dropLast())) : [expected]
        guard values.count == count, index < values.count else { return line }
        values.remove(at: index)
        if values.isEmpty {
            let call = line[..<comparison.lowerBound].drop { $0 != "%" }
            return "; print: \(call)"
        }
        let rendered = values.count == 1 ? values[0] : "[" + values.joined(separator: ", ") + "]"
        return line[..<comparison.upperBound] + rendered
    }
}
