import Foundation
import Testing
@testable import EgretIR

/// Builds functions for the verifier's tests with the `Function` API, giving every
/// instruction the source location `line:5` so that tests can check where a problem is
/// reported. It builds exactly what it is told, malformed or not.
struct TestFunctionBuilder {
    var function: Function
    /// The block instructions are appended to.
    var current = Block(0)
    /// The line the next instruction is given.
    var line = 2

    init(_ name: String = "f", params: [IRType] = [], returns: [IRType] = [], callConv: CallConv = .systemV) {
        function = Function(name: .testCase(name),
                            signature: Signature(params: params.map { AbiParam($0) }, returns: returns.map { AbiParam($0) },
                                                 callConv: callConv))
        function.location = EgretIR.SourceLocation(line: 1, column: 1)
    }

    /// Declares and places `block` with parameters; instructions go there from now on.
    @discardableResult
    mutating func block(_ number: Int, _ parameterTypes: IRType...) -> [Value] {
        block(number, types: parameterTypes)
    }

    @discardableResult
    mutating func block(_ number: Int, types parameterTypes: [IRType]) -> [Value] {
        current = Block(number)
        let params = function.appendBlock(current, parameterTypes: parameterTypes)
        function.blocks[number].location = EgretIR.SourceLocation(line: line, column: 1)
        line += 1
        return params
    }

    /// Appends an instruction at line `line`, column 5; returns its results.
    @discardableResult
    mutating func add(_ opcode: Opcode, _ type: IRType = .invalid, _ arguments: [Value] = [],
                      results: [IRType] = [], targets: [(Int, [BlockArg])] = [],
                      _ configure: (inout InstructionData) -> Void = { _ in }) -> [Value] {
        var data = InstructionData(opcode: opcode, type: type)
        data.arguments = function.appendValues(arguments)
        var calls: [BlockCall] = []
        for (block, blockArguments) in targets {
            calls.append(BlockCall(block: Block(block), arguments: function.appendBlockArgs(blockArguments)))
        }
        data.blockCalls = function.appendBlockCalls(calls)
        configure(&data)
        let inst = function.appendInstruction(data, results: results, to: current,
                                              location: EgretIR.SourceLocation(line: line, column: 5))
        line += 1
        return Array(function.results(of: inst))
    }

    /// `vN = iconst.T imm`.
    mutating func iconst(_ type: IRType, _ value: Int64) -> Value {
        add(.iconst, type, results: [type]) { $0.immediate = value }[0]
    }

    /// A binary instruction whose result has the controlling type.
    mutating func binary(_ opcode: Opcode, _ x: Value, _ y: Value) -> Value {
        let type = function.type(of: x)
        return add(opcode, type, [x, y], results: [type])[0]
    }

    mutating func jump(_ block: Int, _ arguments: [Value] = []) {
        add(.jump, targets: [(block, arguments.map { .value($0) })])
    }

    mutating func brif(_ condition: Value, _ then: Int, _ thenArguments: [Value] = [], _ otherwise: Int,
                       _ otherwiseArguments: [Value] = []) {
        add(.brif, function.type(of: condition), [condition],
            targets: [(then, thenArguments.map { .value($0) }), (otherwise, otherwiseArguments.map { .value($0) })])
    }

    mutating func ret(_ values: Value...) {
        add(.return, .invalid, values)
    }

    /// Declares `sigN` and returns it.
    mutating func signature(_ params: [IRType], _ returns: [IRType], _ callConv: CallConv = .systemV) -> SigRef {
        function.signatures.append(Signature(params: params.map { AbiParam($0) }, returns: returns.map { AbiParam($0) },
                                             callConv: callConv))
        return SigRef(function.signatures.count - 1)
    }

    /// Declares `fnN = %name sig` and returns it.
    mutating func functionReference(_ name: String, _ signature: SigRef) -> FuncRef {
        function.functionRefs.append(ExternalFunction(name: .testCase(name), signature: signature))
        return FuncRef(function.functionRefs.count - 1)
    }
}

/// Verifier results in the form tests check.
enum VerifierExpectations {
    static func problems(_ function: Function, in module: Module? = nil) -> [Diagnostic] {
        IRVerifier.verify(function, in: module, fileName: "test.clif")
    }

    /// The single problem whose message contains `fragment`; records an issue if there is
    /// not exactly one.
    static func problem(_ function: Function, containing fragment: String,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
        let all = problems(function)
        let matching = all.filter { $0.message.contains(fragment) }
        #expect(matching.count == 1, "expected one problem containing '\(fragment)', got: \(all.map(\.description))",
                sourceLocation: sourceLocation)
        return matching.first
    }

    /// Checks that the function has a problem containing `fragment`, reported at
    /// `line`:`column` with a message that starts with the instruction as written.
    static func expect(_ function: Function, _ fragment: String, instruction: String, line: Int, column: Int = 5,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        guard let problem = problem(function, containing: fragment, sourceLocation: sourceLocation) else { return }
        #expect(problem.message.hasPrefix("`\(instruction)`: "), "message: \(problem.message)",
                sourceLocation: sourceLocation)
        #expect(problem.location == EgretIR.SourceLocation(line: line, column: column), "at \(problem.location)",
                sourceLocation: sourceLocation)
        #expect(problem.file == "test.clif", sourceLocation: sourceLocation)
        #expect(problem.kind == .error, sourceLocation: sourceLocation)
    }

    /// Checks that the function verifies clean.
    static func expectValid(_ function: Function, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let all = problems(function)
        #expect(all.isEmpty, "unexpected problems: \(all.map(\.description))", sourceLocation: sourceLocation)
    }
}

/// Verifier checks on CLIF text: the parser builds the function, the verifier judges
/// it. Lines count from 1 at the first line of the text.
enum VerifierText {
    /// The problems of the parsed text; records an issue if it does not parse.
    static func problems(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Diagnostic] {
        do {
            return IRVerifier.verify(try CLIFParser.parse(text, fileName: "test.clif"))
        } catch {
            Issue.record("does not parse: \(error)", sourceLocation: sourceLocation)
            return []
        }
    }

    /// Checks that exactly one problem contains `fragment`, that its message starts with
    /// the instruction as written and that it is reported on `line` of test.clif.
    static func expect(_ text: String, _ fragment: String, instruction: String, line: Int,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let all = problems(text, sourceLocation: sourceLocation)
        let matching = all.filter { $0.message.contains(fragment) }
        #expect(matching.count == 1, "expected one problem containing '\(fragment)', got: \(all.map(\.description))",
                sourceLocation: sourceLocation)
        guard let problem = matching.first else { return }
        #expect(problem.message.hasPrefix("`\(instruction)`: "), "message: \(problem.message)",
                sourceLocation: sourceLocation)
        #expect(Int(problem.location.line) == line && problem.location.column > 0, "at \(problem.location)",
                sourceLocation: sourceLocation)
        #expect(problem.file == "test.clif" && problem.kind == .error, sourceLocation: sourceLocation)
    }

    /// Checks that exactly one problem contains `fragment` and that it is reported on
    /// `line` (for problems of blocks, signatures and declarations).
    static func expect(_ text: String, _ fragment: String, line: Int,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let all = problems(text, sourceLocation: sourceLocation)
        let matching = all.filter { $0.message.contains(fragment) }
        #expect(matching.count == 1, "expected one problem containing '\(fragment)', got: \(all.map(\.description))",
                sourceLocation: sourceLocation)
        guard let problem = matching.first else { return }
        #expect(Int(problem.location.line) == line, "at \(problem.location)", sourceLocation: sourceLocation)
    }

    static func expectValid(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let all = problems(text, sourceLocation: sourceLocation)
        #expect(all.isEmpty, "unexpected problems: \(all.map(\.description))", sourceLocation: sourceLocation)
    }
}
