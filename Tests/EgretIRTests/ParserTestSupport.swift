import Foundation
import EgretTestSupport
import Testing
@testable import EgretIR

/// Helpers shared by the parser, printer and round-trip tests.
enum ParserTestSupport {

    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses one function (the first of the text).
    static func parseFunction(_ text: String) throws -> Function {
        let module = try CLIFParser.parse(text)
        guard let function = module.functions.first else {
            throw Diagnostic(.error, "no function in the text")
        }
        return function
    }

    /// The diagnostic a text produces, or `nil` if it parses.
    static func diagnostic(_ text: String) -> Diagnostic? {
        do {
            _ = try CLIFParser.parse(text, fileName: "test.clif")
            return nil
        } catch let diagnostic as Diagnostic {
            return diagnostic
        } catch {
            return Diagnostic(.error, "non-Diagnostic error: \(error)")
        }
    }

    /// The first structural difference between two functions, ignoring source
    /// locations; `nil` when they are identical.
    static func difference(_ a: Function, _ b: Function) -> String? {
        var problems: [String] = []
        func check<T: Equatable>(_ name: String, _ x: T, _ y: T) {
            if problems.isEmpty && x != y { problems.append("\(name) differ:\n  \(x)\n  \(y)") }
        }
        check("names", a.name, b.name)
        check("signatures", a.signature, b.signature)
        check("stack slots", a.stackSlots, b.stackSlots)
        check("dynamic stack slots", a.dynamicStackSlots, b.dynamicStackSlots)
        check("dynamic types", a.dynamicTypes, b.dynamicTypes)
        check("global values", a.globalValues, b.globalValues)
        check("signature declarations", a.signatures, b.signatures)
        check("function declarations", a.functionRefs, b.functionRefs)
        check("constants", a.constants, b.constants)
        check("exception tables", a.exceptionTables, b.exceptionTables)
        check("instructions", a.insts, b.insts)
        check("instruction results", a.instResults, b.instResults)
        check("values", a.values, b.values)
        check("blocks", a.blocks.map { stripped($0) }, b.blocks.map { stripped($0) })
        check("value pool", a.valuePool, b.valuePool)
        check("block call pool", a.blockCallPool, b.blockCallPool)
        check("block argument pool", a.blockArgPool, b.blockArgPool)
        check("layout", a.layout, b.layout)
        return problems.first
    }

    private static func stripped(_ block: BlockData) -> BlockData {
        var copy = block
        copy.location = nil
        return copy
    }

    /// Parse → print → parse: the first structural difference of any function, or a
    /// printed text that is not stable; `nil` when the module round-trips.
    static func roundTripProblem(_ module: Module) -> String? {
        let printed = CLIFPrinter.print(module)
        let reparsed: Module
        do {
            reparsed = try CLIFParser.parse(printed, fileName: "printed.clif")
        } catch {
            return "printed text does not parse: \(error)\n--- printed ---\n\(printed)"
        }
        guard reparsed.functions.count == module.functions.count else {
            return "function count changed: \(module.functions.count) -> \(reparsed.functions.count)"
        }
        for (original, again) in zip(module.functions, reparsed.functions) {
            if let difference = difference(original, again) {
                return "\(original.name): \(difference)\n--- printed ---\n\(CLIFPrinter.print(original))"
            }
        }
        // The printer puts each directive after the function it calls.
        let inPrintedOrder = module.runDirectives.enumerated().sorted {
            ($0.element.functionIndex, $0.offset) < ($1.element.functionIndex, $1.offset)
        }.map(\.element)
        let directivesA = inPrintedOrder.map { [$0.function.description, "\($0.arguments)", "\($0.expectation)"] }
        let directivesB = reparsed.runDirectives.map { [$0.function.description, "\($0.arguments)", "\($0.expectation)"] }
        if directivesA != directivesB { return "run directives differ after printing" }
        let printedAgain = CLIFPrinter.print(reparsed)
        if printedAgain != printed {
            return "printing is not stable:\n--- first ---\n\(printed)\n--- second ---\n\(printedAgain)"
        }
        return nil
    }
}
