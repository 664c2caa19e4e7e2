import EgretIR
import Foundation

/// How a reduction went.
public struct ReductionResult: Sendable, Codable {
    public var instructionsBefore: Int
    public var instructionsAfter: Int
    public var linesBefore: Int
    public var linesAfter: Int
    public var candidatesTried: Int
    public var seconds: Double
}

/// Delta debugging on CLIF text, to a fixpoint.
///
/// Each pass proposes smaller variants of the case, one edit at a time, and keeps an
/// edit only if the variant still fails with the same signature (the predicate):
/// drop run lines, functions, declarations and blocks; delete instructions or replace
/// an instruction's results by constants; drop block and function parameters and
/// return values; turn `brif`/`br_table` into `jump`; shrink
/// constants and input arguments to 0, 1 or half; drop the heap or shrink its contents. A variant the parser or verifier
/// rejects simply fails the predicate, so the passes need not understand dominance.
///
/// Requires: `stillFails(original)` is true. Guarantees: the result is a case for
/// which `stillFails` is true and no single edit of any pass applies.
public struct CaseReducer {
    public var stillFails: (String) -> Bool
    /// Candidates tried at most (a safety net; reductions normally converge far earlier).
    public var maxCandidates: Int = 20_000
    /// Wall-clock budget in seconds: a case whose candidates keep hanging a worker
    /// would otherwise take minutes; what is reduced by then is kept.
    public var maxSeconds: Double = 60

    public init(stillFails: @escaping (String) -> Bool) {
        self.stillFails = stillFails
    }

    public func reduce(_ text: String) -> (text: String, result: ReductionResult) {
        let started = Date()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var tried = 0
        let before = CaseText.instructionCount(lines)
        let beforeLines = lines.count
        var changed = true
        let deadline = started.addingTimeInterval(maxSeconds)
        while changed && tried < maxCandidates && Date() < deadline {
            changed = false
            for pass in CaseText.passes {
                var position = 0
                while position < lines.count && tried < maxCandidates && Date() < deadline {
                    var accepted = false
                    for candidate in pass(lines, position) {
                        tried += 1
                        if stillFails(candidate.joined(separator: "\n")) {
                            lines = candidate
                            accepted = true
                            changed = true
                            break
                        }
                    }
                    if !accepted { position += 1 }
                }
            }
        }
        let result = ReductionResult(instructionsBefore: before, instructionsAfter: CaseText.instructionCount(lines),
                                     linesBefore: beforeLines, linesAfter: lines.count, candidatesTried: tried,
                                     seconds: Date().timeIntervalSince(started))
        return (lines.joined(separator: "\n"), result)
    }
}

/// Line-level facts and edits of CLIF text, for the reducer.
enum CaseText {
    typealias Pass = ([String], Int) -> [[String]]

    /// Passes in order: the big cuts first.
    static let passes: [Pass] = [dropFunction, dropBlock, dropLine, branchToJump, retargetJump, mergeIntoPredecessor,
                                 dropBlockParameter, dropFunctionParameter, dropReturnValue, replaceByConstant,
                                 shrinkConstant, reuseEarlierValue, shrinkArguments, shrinkHeap]

    static func trimmed(_ line: String) -> Substring {
        line.drop { $0 == " " }
    }

    static func isRunLine(_ line: String) -> Bool {
        line.hasPrefix("; run:") || line.hasPrefix("; print:")
    }

    /// Instructions: indented lines inside a function after its first block header.
    static func instructionCount(_ lines: [String]) -> Int {
        var count = 0
        var inBody = false
        for line in lines {
            if line.hasPrefix("function ") { inBody = false } else if line.hasPrefix("block") { inBody = true } else if line == "}" {
                inBody = false
            } else if inBody && line.hasPrefix("    ") && !trimmed(line).isEmpty { count += 1 }
        }
        return count
    }

    /// Remove the function starting at `position` (through its `}` and its run lines).
    static func dropFunction(_ lines: [String], _ position: Int) -> [[String]] {
        guard lines[position].hasPrefix("function ") else { return [] }
        var end = position
        while end < lines.count && lines[end] != "}" { end += 1 }
        end += 1
        while end < lines.count && (isRunLine(lines[end]) || lines[end].isEmpty) { end += 1 }
        var candidate = lines
        candidate.removeSubrange(position ..< min(end, lines.count))
        return candidate.contains(where: isRunLine) ? [candidate] : []
    }

    /// Remove the block whose header is at `position` (through the line before the next
    /// block header or the closing brace).
    static func dropBlock(_ lines: [String], _ position: Int) -> [[String]] {
        guard lines[position].hasPrefix("block"), !lines[position].hasPrefix("block0") else { return [] }
        var end = position + 1
        while end < lines.count && !lines[end].hasPrefix("block") && lines[end] != "}" { end += 1 }
        var candidate = lines
        candidate.removeSubrange(position ..< end)
        return [candidate]
    }

    /// Delete one instruction, declaration or run line (the verifier rejects the
    /// candidate if what it defined is still used).
    static func dropLine(_ lines: [String], _ position: Int) -> [[String]] {
        let line = lines[position]
        let body = trimmed(line)
        if isRunLine(line) {
            return lines.filter(isRunLine).count > 1 ? [removing(lines, position)] : []
        }
        guard line.hasPrefix("    "), !body.isEmpty, !isTerminator(body) else { return [] }
        return [removing(lines, position)]
    }

    static func removing(_ lines: [String], _ position: Int) -> [String] {
        var candidate = lines
        candidate.remove(at: position)
        return candidate
    }

    static func isTerminator(_ body: Substring) -> Bool {
        ["return", "jump ", "brif ", "br_table ", "trap "].contains { body.hasPrefix($0) } || body == "return"
    }

    /// `brif c, A, B` → `jump A`, `jump B`; `br_table x, D, [T…]` → `jump D`, `jump T`.
    static func branchToJump(_ lines: [String], _ position: Int) -> [[String]] {
        let body = trimmed(lines[position])
        let targets: [String]
        if body.hasPrefix("brif ") {
            targets = splitTopLevel(String(body.dropFirst(5))).dropFirst().map { $0 }
        } else if body.hasPrefix("br_table ") {
            let parts = splitTopLevel(String(body.dropFirst(9)))
            var list = Array(parts.dropFirst().prefix(1))
            if let table = parts.dropFirst(2).first {
                list += splitTopLevel(String(table.dropFirst().dropLast()))
            }
            targets = list
        } else {
            return []
        }
        return targets.filter { !$0.isEmpty }.map { target in
            var candidate = lines
            candidate[position] = "    jump \(target)"
            return candidate
        }
    }

    /// A block whose only predecessor is the `jump` just before it is merged into that
    /// predecessor: the jump and the header go, its parameters are renamed to the
    /// jump's arguments.
    static func mergeIntoPredecessor(_ lines: [String], _ position: Int) -> [[String]] {
        let header = lines[position]
        guard header.hasPrefix("block"), !header.hasPrefix("block0"),
              let jumpIndex = lines[..<position].lastIndex(where: { !trimmed($0).isEmpty }) else { return [] }
        let name = String(header.prefix { $0 != "(" && $0 != ":" })
        let jump = trimmed(lines[jumpIndex])
        guard jump == "jump \(name)" || jump.hasPrefix("jump \(name)(") else { return [] }
        var start = position
        while start > 0 && !lines[start].hasPrefix("function ") { start -= 1 }
        var end = position
        while end < lines.count && lines[end] != "}" { end += 1 }
        let references = lines[start ..< end].reduce(0) { count, line in
            count + line.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
                .filter { $0 == name }.count
        }
        guard references == 2 else { return [] }
        var parameters: [String] = []
        if let open = header.firstIndex(of: "("), let close = header.lastIndex(of: ")") {
            parameters = splitTopLevel(String(header[header.index(after: open) ..< close]))
                .map { String($0.prefix { $0 != ":" }) }
        }
        var arguments: [String] = []
        if let open = jump.firstIndex(of: "("), let close = jump.lastIndex(of: ")") {
            arguments = splitTopLevel(String(jump[jump.index(after: open) ..< close]))
        }
        guard parameters.count == arguments.count else { return [] }
        var candidate = lines
        for index in position + 1 ..< end {
            candidate[index] = renaming(candidate[index], Dictionary(zip(parameters, arguments)) { first, _ in first })
        }
        candidate.removeSubrange(jumpIndex ... position)
        return [candidate]
    }

    /// `vA = …` goes, and vA's uses read an earlier value of the same type instead: an
    /// identical constant first, then the function's earlier values of that type.
    static func reuseEarlierValue(_ lines: [String], _ position: Int) -> [[String]] {
        let body = trimmed(lines[position])
        guard lines[position].hasPrefix("    "), let equals = body.range(of: " = "),
              !body[..<equals.lowerBound].contains(",") else { return [] }
        let value = String(body[..<equals.lowerBound])
        let definition = body[equals.upperBound...]
        var start = position
        while start > 0 && !lines[start].hasPrefix("function ") { start -= 1 }
        var end = position
        while end < lines.count && lines[end] != "}" { end += 1 }
        guard let function = function(lines, around: position),
              let type = valueTypes(function, values: [value])?.first else { return [] }
        // Earlier definitions: identical ones first, then any of the same type (the
        // verifier rejects those that do not dominate the uses).
        var identical: [String] = []
        var sameType: [String] = []
        for index in start ..< position {
            let earlier = trimmed(lines[index])
            guard let earlierEquals = earlier.range(of: " = "), !earlier[..<earlierEquals.lowerBound].contains(",")
            else { continue }
            let name = String(earlier[..<earlierEquals.lowerBound])
            if earlier[earlierEquals.upperBound...] == definition {
                identical.append(name)
            } else if valueTypes(function, values: [name])?.first == type {
                sameType.append(name)
            }
        }
        return (identical + sameType.suffix(2)).map { replacement in
            var candidate = lines
            for index in position + 1 ..< end { candidate[index] = renaming(candidate[index], [value: replacement]) }
            candidate.remove(at: position)
            return candidate
        }
    }

    /// Removes one parameter of the block whose header is at `position`: the matching
    /// argument goes from every branch to it, and the parameter becomes a constant 0
    /// at the top of the block.
    static func dropBlockParameter(_ lines: [String], _ position: Int) -> [[String]] {
        let header = lines[position]
        guard header.hasPrefix("block"), !header.hasPrefix("block0"), let open = header.firstIndex(of: "("),
              let close = header.lastIndex(of: ")") else { return [] }
        let name = String(header[..<open])
        let parameters = splitTopLevel(String(header[header.index(after: open) ..< close]))
        var start = position
        while start > 0 && !lines[start].hasPrefix("function ") { start -= 1 }
        var end = position
        while end < lines.count && lines[end] != "}" { end += 1 }
        var candidates: [[String]] = []
        for (index, parameter) in parameters.enumerated() {
            let parts = parameter.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            var candidate = lines
            for line in start ..< end where line != position {
                candidate[line] = removingArgument(index, ofCallsTo: name, in: candidate[line])
            }
            var remaining = parameters
            remaining.remove(at: index)
            candidate[position] = remaining.isEmpty ? "\(name):" : "\(name)(\(remaining.joined(separator: ", "))):"
            candidate.insert("    \(parts[0]) = iconst.\(parts[1]) 0", at: position + 1)
            candidates.append(candidate)
        }
        return candidates
    }

    /// `line` with argument `index` removed from each `name(…)` in it.
    /// A list left empty loses its parentheses (a block call) unless `keepingParentheses`
    /// (a function call or run line).
    static func removingArgument(_ index: Int, ofCallsTo name: String, in line: String,
                                 keepingParentheses: Bool = false) -> String {
        var output = ""
        var rest = Substring(line)
        while let found = rest.range(of: name + "(") {
            let before = rest[..<found.lowerBound]
            let precededByWord = before.last.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false
            output += before + name + "("
            rest = rest[found.upperBound...]
            guard !precededByWord, let close = rest.firstIndex(of: ")") else { continue }
            var arguments = splitTopLevel(String(rest[..<close]))
            if index < arguments.count { arguments.remove(at: index) }
            if arguments.isEmpty {
                if keepingParentheses { output += ")" } else { output.removeLast() }
            } else {
                output += arguments.joined(separator: ", ") + ")"
            }
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }

    /// `line` with whole-word value names replaced.
    static func renaming(_ line: String, _ names: [String: String]) -> String {
        guard !names.isEmpty else { return line }
        var output = ""
        var word = ""
        for character in line + " " {
            if character.isLetter || character.isNumber || character == "_" {
                word.append(character)
            } else {
                output += names[word] ?? word
                word = ""
                output.append(character)
            }
        }
        return String(output.dropLast())
    }

    /// `jump blockA(…)` → `jump blockB` for each later parameterless block B: skips
    /// over code (loops included) so that it becomes unreachable and can go.
    static func retargetJump(_ lines: [String], _ position: Int) -> [[String]] {
        let body = trimmed(lines[position])
        guard body.hasPrefix("jump block") else { return [] }
        // Only blocks after the current target, so that retargeting always makes
        // progress and the fixpoint loop ends.
        let target = String(body.dropFirst(5).prefix { $0 != "(" })
        var candidates: [[String]] = []
        var index = position + 1
        while index < lines.count && lines[index] != "}" && !lines[index].hasPrefix(target + "(")
            && lines[index] != target + ":" {
            index += 1
        }
        index += 1
        while index < lines.count && lines[index] != "}" {
            let line = lines[index]
            if line.hasPrefix("block"), line.hasSuffix(":"), !line.contains("(") {
                var candidate = lines
                candidate[position] = "    jump \(line.dropLast())"
                candidates.append(candidate)
            }
            index += 1
        }
        return candidates
    }

    /// Splits at commas outside parentheses and brackets.
    static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            switch character {
            case "(", "[": depth += 1
            case ")", "]": depth -= 1
            default: break
            }
            if character == "," && depth == 0 {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current.trimmingCharacters(in: .whitespaces))
        return parts
    }

    /// `vA, vB = op …` → `vA = iconst.T 0` and `vB = iconst.T 0`, with the types the
    /// parser gives those values.
    static func replaceByConstant(_ lines: [String], _ position: Int) -> [[String]] {
        let body = trimmed(lines[position])
        guard lines[position].hasPrefix("    "), let equals = body.range(of: " = "),
              !body[equals.upperBound...].hasPrefix("iconst") else { return [] }
        let results = body[..<equals.lowerBound].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let types = valueTypes(lines, around: position, values: results) else { return [] }
        var candidate = lines
        candidate.remove(at: position)
        for (value, type) in zip(results, types).reversed() {
            candidate.insert("    \(value) = iconst.\(type) 0", at: position)
        }
        return [candidate]
    }

    /// The types of `values` in the function around `position`, read by parsing it.
    static func valueTypes(_ lines: [String], around position: Int, values: [String]) -> [IRType]? {
        guard let function = function(lines, around: position) else { return nil }
        return valueTypes(function, values: values)
    }

    /// The parsed function the line at `position` belongs to.
    static func function(_ lines: [String], around position: Int) -> Function? {
        guard let module = try? CLIFParser.parse(lines.joined(separator: "\n")) else { return nil }
        var functionIndex = -1
        for line in lines[0 ... position] where line.hasPrefix("function ") { functionIndex += 1 }
        guard module.functions.indices.contains(functionIndex) else { return nil }
        return module.functions[functionIndex]
    }

    static func valueTypes(_ function: Function, values: [String]) -> [IRType]? {
        var types: [IRType] = []
        for value in values {
            guard value.hasPrefix("v"), let number = Int(value.dropFirst()), number < function.values.count
            else { return nil }
            types.append(function.type(of: Value(UInt32(number))))
        }
        return types
    }

    /// `iconst.T K` → 0, 1, K/2.
    static func shrinkConstant(_ lines: [String], _ position: Int) -> [[String]] {
        let line = lines[position]
        guard let range = line.range(of: " = iconst."), let space = line[range.upperBound...].firstIndex(of: " "),
              let value = Int64(line[line.index(after: space)...]), value != 0 else { return [] }
        let prefix = line[..<line.index(after: space)]
        var options: [Int64] = [0]
        if value != 1 { options.append(1) }
        if value / 2 != 0 && value / 2 != 1 { options.append(value / 2) }
        return options.map { option in
            var candidate = lines
            candidate[position] = prefix + String(option)
            return candidate
        }
    }

    /// The `; heap:` line: dropped (when nothing passes `heap` any more), its contents
    /// dropped (all zero), or the second half of its contents zeroed.
    static func shrinkHeap(_ lines: [String], _ position: Int) -> [[String]] {
        let line = lines[position]
        guard line.hasPrefix("; heap:") else { return [] }
        var candidates: [[String]] = [removing(lines, position)]
        guard let equals = line.firstIndex(of: "="), let open = line.firstIndex(of: "\""),
              let close = line.lastIndex(of: "\""), open < close else { return candidates }
        var withoutContents = lines
        withoutContents[position] = String(line[..<equals]).trimmingCharacters(in: .whitespaces)
        candidates.append(withoutContents)
        let digits = line[line.index(after: open) ..< close]
        let pairs = digits.count / 2
        if pairs >= 2 {
            var halved = lines
            halved[position] = String(line[...open]) + String(digits.prefix(2 * (pairs / 2))) + String(line[close...])
            candidates.append(halved)
        }
        return candidates
    }

    /// Each argument of a run line → 0.
    static func shrinkArguments(_ lines: [String], _ position: Int) -> [[String]] {
        let line = lines[position]
        guard isRunLine(line), let open = line.firstIndex(of: "("), let close = line.lastIndex(of: ")") else { return [] }
        let arguments = splitTopLevel(String(line[line.index(after: open) ..< close]))
        var candidates: [[String]] = []
        for (index, argument) in arguments.enumerated() where argument != "0" && argument != "heap" && !argument.isEmpty {
            var changed = arguments
            changed[index] = "0"
            var candidate = lines
            candidate[position] = String(line[...open]) + changed.joined(separator: ", ") + String(line[close...])
            candidates.append(candidate)
        }
        return candidates
    }
}
