import EgretIR

/// One generated test case: a CLIF module with `; print:` run lines (its inputs), as
/// text, so that what runs is exactly what is written to disk and reproduced.
public struct GeneratedCase: Sendable {
    public var text: String
    public var functionCount: Int
    public var instructionCount: Int
    public var inputCount: Int
    /// `opcode.type` keys of everything generated, with repetitions.
    public var coverage: [String]
    /// Control-flow and call shapes generated (`branch: br_table`, `call: tail →
    /// system_v`, `call: stack arguments`), with repetitions.
    public var shapes: [String]
}

/// Generates random valid CLIF modules from a byte source.
///
/// A module is 1–8 functions `%f0 … %fN`; function i may call only functions after it
/// (a call DAG, so every case terminates), each function picks its convention among
/// those the backend compiles (system_v, windows_fastcall, tail) independently, so
/// calls cross conventions and `tail` functions may end in tail calls. Each function is
/// followed by its inputs, biased to edge values. About half the modules have a heap
/// buffer (`; heap:`) that every function receives as a parameter and every input
/// starts from.
///
/// Requires: a configuration whose supported types include i32 and i64 (loop counters
/// and addresses). Guarantees: the module passes the IR verifier.
public struct ModuleGenerator: CaseSource {
    public let configuration: GeneratorConfiguration
    public let signatures: OpcodeSignatures
    /// Generated cases never end.
    public var caseCount: UInt64? { nil }
    /// Generated cases use only what the backend supports: anything else is a finding.
    public var skipsUnjudgeableCases: Bool { false }

    public init(configuration: GeneratorConfiguration = GeneratorConfiguration()) {
        self.configuration = configuration
        signatures = OpcodeSignatures(configuration: configuration)
    }

    /// Case `index` of the campaign with `seed`.
    public func generate(seed: UInt64, index: UInt64) -> GeneratedCase {
        var source = SeededByteSource(campaignSeed: seed, caseIndex: index)
        return generate(&source, header: "; egret fuzz case: seed \(seed), case \(index)\n")
    }

    public func generate<Source: ByteSource>(_ source: inout Source, header: String = "") -> GeneratedCase {
        let functionCount = source.inRange(configuration.functionCount)
        let heapSize = source.chance(configuration.heapPercent) ? source.inRange(configuration.heapSize) : 0
        var plans: [FunctionPlan] = []
        for index in 0 ..< functionCount {
            var parameters: [IRType] = []
            for _ in 0 ..< source.inRange(configuration.parameterCount) {
                parameters.append(source.pick(configuration.supportedTypes))
            }
            var returns: [IRType] = []
            for _ in 0 ..< source.inRange(configuration.returnCount) {
                returns.append(source.pick(configuration.supportedTypes))
            }
            let convention = configuration.pickConvention(&source)
            var plan = FunctionPlan(name: "f\(index)", parameters: parameters, returns: returns, callConv: convention)
            if heapSize > 0 {
                // Anywhere among the parameters: in a register or on the stack.
                let position = source.inRange(0 ... parameters.count)
                plan.parameters.insert(.i64, at: position)
                plan.heapParameter = position
                plan.heapSize = heapSize
            }
            plans.append(plan)
        }
        // Tail functions that return what a later tail function returns can end in a
        // tail call to it (FunctionEmitter.emitReturn); from the last plan backwards, so
        // chains of tail calls form.
        for index in plans.indices.reversed() where plans[index].callConv == .tail {
            let later = plans[(index + 1)...].filter { $0.callConv == .tail }
            guard !later.isEmpty, source.chance(configuration.returnCallPercent) else { continue }
            plans[index].returns = source.pick(later).returns
        }
        for index in plans.indices { plans[index].callShapes = plans[index].layoutShapes }
        var text = header + "test run\ntarget x86_64\n"
        if heapSize > 0 {
            var contents: [UInt8] = []
            for _ in 0 ..< heapSize {
                contents.append(UInt8(truncatingIfNeeded: EdgeValues.draw(.i8, edgePercent: configuration.edgeInputPercent,
                                                                         &source)))
            }
            text += "; heap: \(heapSize) = \(HeapImage.hexText(contents))\n"
        }
        var instructions = 0
        var inputs = 0
        var coverage: [String] = []
        var shapes: [String] = []
        for (index, plan) in plans.enumerated() {
            var emitter = FunctionEmitter<Source>(configuration: configuration, signatures: signatures.signatures,
                                                  plan: plan, callees: Array(plans[(index + 1)...]))
            text += "\n" + emitter.emit(&source)
            instructions += emitter.instructionCount
            coverage.append(contentsOf: emitter.coverage)
            shapes.append(contentsOf: emitter.shapes)
            for _ in 0 ..< configuration.inputsPerFunction {
                let arguments = plan.parameters.indices.map { position in
                    position == plan.heapParameter ? "heap"
                        : EdgeValues.drawText(plan.parameters[position], edgePercent: configuration.edgeInputPercent,
                                              &source)
                }
                text += "; print: %\(plan.name)(\(arguments.joined(separator: ", ")))\n"
                inputs += 1
            }
        }
        if heapSize > 0 { shapes.append("heap") }
        return GeneratedCase(text: text, functionCount: functionCount, instructionCount: instructions,
                             inputCount: inputs, coverage: coverage, shapes: shapes)
    }
}
