import EgretCodegen
import EgretIR

/// The plan of one generated function, fixed before any body is written so that
/// callers know their callees' signatures.
struct FunctionPlan {
    var name: String
    var parameters: [IRType]
    var returns: [IRType]
    var callConv: CallConv
    /// The position among `parameters` of the heap's address (an i64), when the
    /// module has a heap.
    var heapParameter: Int?
    /// The heap's size in bytes (0 without a heap).
    var heapSize: Int = 0

    var signatureText: String {
        let results = returns.isEmpty ? "" : " -> " + returns.map(\.description).joined(separator: ", ")
        return "(" + parameters.map(\.description).joined(separator: ", ") + ")" + results + " " + callConv.name
    }

    /// The shapes a call to this function has (`layoutShapes`, computed once the plan
    /// is final).
    var callShapes: [String] = []

    /// The shapes a call to this function has by its signature's layout: arguments on
    /// the stack, results through a return area (labels for the coverage report; the
    /// layout is the backend's own, which the harness judges by execution).
    var layoutShapes: [String] {
        guard let convention = try? CallingConvention.forCallConv(callConv),
              let layout = try? ABISignature(Signature(params: parameters.map { AbiParam($0) },
                                                       returns: returns.map { AbiParam($0) }, callConv: callConv),
                                             convention: convention) else { return [] }
        var shapes: [String] = []
        if layout.stackArgumentsSize > convention.shadowSpaceSize { shapes.append("call: stack arguments") }
        if layout.hasReturnArea { shapes.append("call: return area") }
        return shapes
    }
}

/// Writes the CLIF text of one function body, choosing every instruction from the byte
/// source.
///
/// Shape: an entry block, then blocks that only branch forward (and loop to
/// themselves), so that every value a block uses is defined in the entry block (which
/// dominates everything), in its own parameters, or earlier in the block. Loops count
/// in their first (i32) parameter and leave after at most `loopBound + 1` iterations,
/// calls only go to later functions: every case terminates.
///
/// Guarantees: the text is a function the IR verifier accepts.
struct FunctionEmitter<Source: ByteSource> {
    let configuration: GeneratorConfiguration
    let signatures: [OpcodeSignature]
    let plan: FunctionPlan
    /// Functions this one may call (later in the module).
    let callees: [FunctionPlan]

    var body: String = ""
    var preamble: String = ""
    var nextValue: Int = 0
    /// Values usable at the current point: (number, type).
    var available: [(value: Int, type: IRType)] = []
    /// Values of the entry block, usable in every block.
    var entryValues: [(value: Int, type: IRType)] = []
    var slotSizes: [Int] = []
    /// The heap's address (an entry block parameter): only ever an address operand,
    /// never in `available`, so no result or stored value can depend on where the
    /// executors placed the heap.
    var heapPointer: Int?
    /// Values some instruction or branch already reads.
    var used = ValueFlags()
    var declaredCallees: [String: Int] = [:]
    /// Signature references declared for indirect calls, by callee name.
    var declaredSignatures: [String: Int] = [:]
    var instructionCount: Int = 0
    var coverage: [String] = []
    /// Control-flow and call shapes (ModuleGenerator's `GeneratedCase.shapes`).
    var shapes: [String] = []

    init(configuration: GeneratorConfiguration, signatures: [OpcodeSignature], plan: FunctionPlan,
         callees: [FunctionPlan]) {
        self.configuration = configuration
        self.signatures = signatures
        self.plan = plan
        self.callees = callees
    }

    // MARK: The function

    mutating func emit(_ source: inout Source) -> String {
        let extraBlocks = source.inRange(configuration.extraBlockCount)
        // Block parameter types and which blocks loop, decided up front so branches
        // know their targets.
        var blockParameters: [[IRType]] = [plan.parameters]
        var loops: [Bool] = [false]
        for block in 1 ... max(1, extraBlocks) where block <= extraBlocks {
            // The last block returns, so it never loops.
            let isLoop = block < extraBlocks && source.chance(configuration.loopPercent)
            var types: [IRType] = isLoop ? [.i32] : []
            for _ in 0 ..< source.inRange(configuration.blockParameterCount) {
                types.append(source.pick(configuration.supportedTypes))
            }
            blockParameters.append(types)
            loops.append(isLoop)
        }
        for _ in 0 ..< source.inRange(configuration.stackSlotCount) {
            let size = 8 * source.inRange(1 ... 4)
            // Aligned so that atomics at offsets that are multiples of their size are
            // naturally aligned (FunctionEmitter+Atomics).
            preamble += "    ss\(slotSizes.count) = explicit_slot \(size), align = \(size >= 16 ? 16 : 8)\n"
            slotSizes.append(size)
        }
        for block in 0 ... extraBlocks {
            let params = blockParameters[block].map { type -> (value: Int, type: IRType) in
                defer { nextValue += 1 }
                return (nextValue, type)
            }
            let header = params.map { "v\($0.value): \($0.type)" }.joined(separator: ", ")
            body += "\nblock\(block)" + (params.isEmpty ? "" : "(\(header))") + ":\n"
            available = block == 0 ? params : entryValues + params
            if block == 0, let position = plan.heapParameter {
                heapPointer = params[position].value
                available.remove(at: position)
            }
            if block == 0 { initialiseStackSlots(&source) }
            for _ in 0 ..< source.inRange(configuration.instructionsPerBlock) {
                emitInstruction(&source)
            }
            if block == 0 { entryValues = available }
            emitTerminator(&source, block: block, lastBlock: extraBlocks, parameters: blockParameters,
                           isLoop: loops[block], loopCounter: params.first?.value ?? 0)
        }
        return "function %\(plan.name)\(plan.signatureText) {\n" + preamble + body + "}\n"
    }

    // MARK: Values

    /// A fresh value number.
    mutating func fresh() -> Int {
        defer { nextValue += 1 }
        return nextValue
    }

    mutating func line(_ text: String) {
        body.append("    ")
        body.append(text)
        body.append("\n")
        instructionCount += 1
    }

    /// A value of `type`: most often one not used yet (so that few results are dead and
    /// skipped by the backend), otherwise a recent one (longer dependency chains); a
    /// new constant when there is none.
    mutating func use(_ type: IRType, _ source: inout Source) -> Int {
        if source.chance(configuration.unusedValuePercent),
           let unused = available.last(where: { $0.type == type && !used.contains($0.value) }) {
            used.insert(unused.value)
            return unused.value
        }
        var candidates: [Int] = []
        for entry in available.reversed() where entry.type == type {
            candidates.append(entry.value)
            if candidates.count == 6 { break }
        }
        if candidates.isEmpty || source.chance(8) { return constant(type, &source) }
        let value = source.pick(candidates)
        used.insert(value)
        return value
    }

    /// Defines a constant of `type` with a value biased to its edges: `iconst` for
    /// integers up to i64, `f32const`/`f64const` for floats, and two i64 constants
    /// joined by `iconcat` for i128 (`iconst` stops at 64 bits).
    mutating func constant(_ type: IRType, _ source: inout Source) -> Int {
        let edge = configuration.edgeConstantPercent
        if type == .f32 || type == .f64 {
            let result = fresh()
            let opcode = type == .f32 ? "f32const" : "f64const"
            line("v\(result) = \(opcode) \(EdgeValues.drawText(type, edgePercent: edge, &source))")
            available.append((result, type))
            coverage.append(opcode)
            return result
        }
        if type.bits == 128 {
            let low = constant(.i64, EdgeValues.draw(.i64, edgePercent: edge, &source))
            let high = constant(.i64, source.chance(50) ? 0 : EdgeValues.draw(.i64, edgePercent: edge, &source))
            let result = fresh()
            line("v\(result) = iconcat v\(low), v\(high)")
            available.append((result, type))
            coverage.append("iconcat.i64")
            return result
        }
        return constant(type, EdgeValues.draw(type, edgePercent: edge, &source))
    }

    mutating func constant(_ type: IRType, _ value: Int64) -> Int {
        if type.bits == 128 {
            let wide = constant(.i64, value)
            let result = fresh()
            line("v\(result) = sextend.\(type) v\(wide)")
            available.append((result, type))
            return result
        }
        let result = fresh()
        line("v\(result) = iconst.\(type) \(EdgeValues.signedText(value, type))")
        available.append((result, type))
        coverage.append("iconst.\(type)")
        return result
    }

    // MARK: Body instructions

    mutating func emitInstruction(_ source: inout Source) {
        let weights = configuration.instructionWeights
        switch source.weighted([signatures.isEmpty ? 0 : weights.opcode, callees.isEmpty ? 0 : weights.call,
                                slotSizes.isEmpty ? 0 : weights.memory, heapPointer == nil ? 0 : weights.heap,
                                weights.constant, slotSizes.isEmpty ? 0 : weights.atomic]) {
        case 0: emitOpcode(source.pick(signatures), &source)
        case 1: emitCall(source.pick(callees), &source)
        case 2: emitMemoryAccess(&source)
        case 3: emitHeapAccess(&source)
        case 4: _ = constant(source.pick(configuration.supportedTypes), &source)
        default: emitAtomic(&source)
        }
    }

    mutating func emitOpcode(_ signature: OpcodeSignature, _ source: inout Source) {
        let opcode = signature.opcode
        let info = opcode.info
        if (opcode == .trapz || opcode == .trapnz) && !source.chance(configuration.conditionalTrapPercent) { return }
        var operandTypes: [IRType] = signature.operandTypes.map { source.pick($0) }
        var operands: [Int] = operandTypes.map { use($0, &source) }
        if operands.count >= 2, signature.operandTypes[0] == signature.operandTypes[1],
           source.chance(configuration.sameOperandPercent) {
            operands[1] = operands[0]
            operandTypes[1] = operandTypes[0]
        }
        if OpcodeSignatures.canonicalisedFloatOperands[opcode] != nil {
            for index in operands.indices where operandTypes[index].isFloat {
                operands[index] = canonicalNaN(operands[index], operandTypes[index])
            }
        }
        if Self.isDivision(opcode), operands.count == 2, source.chance(configuration.guardedDivisionPercent) {
            operands[1] = guardDivisor(operands[1], signature.type, signed: opcode == .sdiv || opcode == .srem)
        }
        if opcode == .fcvt_to_sint || opcode == .fcvt_to_uint, source.chance(configuration.guardedDivisionPercent) {
            operands[0] = guardConversion(operands[0], from: operandTypes[0], to: signature.type,
                                          signed: opcode == .fcvt_to_sint)
        }
        let operandText = operands.map { "v\($0)" }.joined(separator: ", ")
        let suffix = info.requiresTypeSuffix ? ".\(signature.type)" : ""
        var text: String
        switch info.format {
        case .intCompare:
            text = "\(opcode.name) \(source.pick(GeneratorVocabulary.conditionCodes)) \(operandText)"
        case .floatCompare:
            text = "\(opcode.name) \(source.pick(GeneratorVocabulary.floatConditionCodes)) \(operandText)"
        case .intAddTrap, .condTrap:
            text = "\(opcode.name) \(operandText), \(source.pick(GeneratorVocabulary.trapCodes))"
        case .nullAry:
            text = opcode.name
        case .unary, .binary, .ternary, .loadNoOffset, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64,
             .unaryConst, .unaryGlobalValue, .binaryImm8, .ternaryImm8, .multiAry, .shuffle, .jump,
             .brif, .branchTable, .call, .callIndirect, .tryCall, .tryCallIndirect, .funcAddr, .atomicRmw,
             .atomicCas, .load, .store, .storeNoOffset, .stackAddr, .dynamicStackAddr, .trap,
             .exceptionHandlerAddress:
            text = "\(opcode.name)\(suffix)" + (operandText.isEmpty ? "" : " \(operandText)")
        }
        var results: [(value: Int, type: IRType)] = []
        for type in signature.resultTypes { results.append((fresh(), type)) }
        if !results.isEmpty { text = results.map { "v\($0.value)" }.joined(separator: ", ") + " = " + text }
        line(text)
        available.append(contentsOf: results)
        coverage.append(signature.coverageKey)
    }

    static func isDivision(_ opcode: Opcode) -> Bool {
        opcode == .udiv || opcode == .sdiv || opcode == .urem || opcode == .srem
    }

    /// A divisor that is never 0 (`d | 1`) and, for signed division, never -1 (as
    /// Cranelift's fuzzgen does: execution continues past the division).
    mutating func guardDivisor(_ divisor: Int, _ type: IRType, signed: Bool) -> Int {
        let one = constant(type, 1)
        let nonZero = fresh()
        line("v\(nonZero) = bor v\(divisor), v\(one)")
        guard signed else { return nonZero }
        let minusOne = constant(type, -1)
        let isMinusOne = fresh()
        line("v\(isMinusOne) = icmp eq v\(nonZero), v\(minusOne)")
        let guarded = fresh()
        line("v\(guarded) = select v\(isMinusOne), v\(one), v\(nonZero)")
        return guarded
    }


    /// A float that converts to `type` without trapping: `value` when it is in range
    /// (not NaN, |value| < 2^(w-1) signed; -1 < value < 2^w unsigned), else 0.0.
    mutating func guardConversion(_ value: Int, from floatType: IRType, to type: IRType, signed: Bool) -> Int {
        let constantOpcode = floatType == .f32 ? "f32const" : "f64const"
        let zero = fresh()
        line("v\(zero) = \(constantOpcode) 0.0")
        let limit = fresh()
        line("v\(limit) = \(constantOpcode) 0x1.0p\(signed ? type.bits - 1 : type.bits)")
        let inRange: Int
        if signed {
            let magnitude = fresh()
            line("v\(magnitude) = fabs v\(value)")
            inRange = fresh()
            line("v\(inRange) = fcmp lt v\(magnitude), v\(limit)")
        } else {
            let minusOne = fresh()
            line("v\(minusOne) = \(constantOpcode) -0x1.0p0")
            let above = fresh()
            line("v\(above) = fcmp gt v\(value), v\(minusOne)")
            let below = fresh()
            line("v\(below) = fcmp lt v\(value), v\(limit)")
            inRange = fresh()
            line("v\(inRange) = band v\(above), v\(below)")
        }
        let guarded = fresh()
        line("v\(guarded) = select v\(inRange), v\(value), v\(zero)")
        return guarded
    }

    // MARK: Calls

    /// The function reference of `callee` (declared on first use).
    mutating func functionReference(_ callee: FunctionPlan) -> Int {
        Self.declare(callee.name, in: &declaredCallees, preamble: &preamble, as: "fn",
                     "%\(callee.name)\(callee.signatureText)")
    }

    /// The signature reference of `callee`'s signature, for indirect calls.
    mutating func signatureReference(_ callee: FunctionPlan) -> Int {
        Self.declare(callee.name, in: &declaredSignatures, preamble: &preamble, as: "sig", callee.signatureText)
    }

    /// The number of the entity `key` names in `declared`, declared in the preamble as
    /// `prefixN = definition` on first use.
    static func declare(_ key: String, in declared: inout [String: Int], preamble: inout String, as prefix: String,
                        _ definition: String) -> Int {
        if let existing = declared[key] { return existing }
        let reference = declared.count
        declared[key] = reference
        preamble += "    \(prefix)\(reference) = \(definition)\n"
        return reference
    }

    /// `callee`'s arguments: values of its parameter types, the heap's address at its
    /// heap parameter.
    mutating func callArguments(_ callee: FunctionPlan, _ source: inout Source) -> String {
        var arguments: [String] = []
        for (position, type) in callee.parameters.enumerated() {
            if position == callee.heapParameter, let heapPointer {
                arguments.append("v\(heapPointer)")
            } else {
                arguments.append("v\(use(type, &source))")
            }
        }
        return arguments.joined(separator: ", ")
    }

    /// How a call to `callee` is written: `fnK` for a direct call, `sigK, vA` for an
    /// indirect one through an address `func_addr` takes first.
    mutating func callTarget(_ callee: FunctionPlan, indirect: Bool) -> String {
        let reference = functionReference(callee)
        guard indirect else { return "fn\(reference)" }
        let signature = signatureReference(callee)
        let address = fresh()
        line("v\(address) = func_addr.i64 fn\(reference)")
        coverage.append("func_addr.i64")
        return "sig\(signature), v\(address)"
    }

    mutating func emitCall(_ callee: FunctionPlan, _ source: inout Source) {
        let indirect = source.chance(configuration.indirectCallPercent)
        let target = callTarget(callee, indirect: indirect)
        let arguments = callArguments(callee, &source)
        var results: [(value: Int, type: IRType)] = []
        for type in callee.returns { results.append((fresh(), type)) }
        let prefix = results.isEmpty ? "" : results.map { "v\($0.value)" }.joined(separator: ", ") + " = "
        let opcode = indirect ? "call_indirect" : "call"
        line("\(prefix)\(opcode) \(target)(\(arguments))")
        available.append(contentsOf: results)
        coverage.append(opcode)
        shapes.append("call: \(plan.callConv.name) → \(callee.callConv.name)")
        shapes.append(contentsOf: callee.callShapes)
    }

    // MARK: Terminators

    mutating func emitTerminator(_ source: inout Source, block: Int, lastBlock: Int, parameters: [[IRType]],
                                 isLoop: Bool, loopCounter: Int) {
        if isLoop {
            let one = constant(.i32, 1)
            let next = fresh()
            line("v\(next) = iadd v\(loopCounter), v\(one)")
            available.append((next, .i32))
            let bound = constant(.i32, Int64(source.inRange(configuration.loopBound)))
            let again = fresh()
            line("v\(again) = icmp ult v\(next), v\(bound)")
            var back = "v\(next)"
            for type in parameters[block].dropFirst() { back += ", v\(use(type, &source))" }
            line("brif v\(again), block\(block)(\(back)), \(target(block + 1, parameters, &source))")
            coverage.append("brif.i8")
            shapes.append("branch: loop")
            return
        }
        if block == lastBlock {
            emitReturn(&source)
            return
        }
        let weights = configuration.terminatorWeights
        switch source.weighted([weights.jump, weights.brif, weights.brTable, block == 0 ? 0 : weights.trap]) {
        case 0:
            line("jump \(target(block + 1, parameters, &source))")
            coverage.append("jump")
            shapes.append("branch: jump")
        case 1:
            let type = source.pick(configuration.supportedTypes.filter(\.isInt))
            let condition = use(type, &source)
            let taken = target(source.inRange(block + 1 ... lastBlock), parameters, &source)
            line("brif v\(condition), \(taken), \(target(block + 1, parameters, &source))")
            coverage.append("brif.\(type)")
            shapes.append("branch: brif")
        case 2:
            let index = use(.i32, &source)
            var table: [String] = []
            for _ in 0 ..< source.inRange(0 ... 4) {
                table.append(target(source.inRange(block + 1 ... lastBlock), parameters, &source))
            }
            line("br_table v\(index), \(target(block + 1, parameters, &source)), [\(table.joined(separator: ", "))]")
            coverage.append("br_table")
            shapes.append(table.isEmpty ? "branch: br_table, empty table" : "branch: br_table")
        default:
            line("trap \(source.pick(GeneratorVocabulary.trapCodes))")
            coverage.append("trap")
            shapes.append("branch: trap")
        }
    }

    /// `blockN(args)` with arguments of the target's parameter types.
    mutating func target(_ block: Int, _ parameters: [[IRType]], _ source: inout Source) -> String {
        let arguments = parameters[block].map { "v\(use($0, &source))" }
        return arguments.isEmpty ? "block\(block)" : "block\(block)(\(arguments.joined(separator: ", ")))"
    }

    mutating func emitReturn(_ source: inout Source) {
        // Fold the values nothing reads yet into the first result, so that their
        // computation is observable rather than dead code: with bxor, or with fadd for
        // floats (bxor would expose the bits of a NaN, which CLIF leaves unspecified).
        if let first = plan.returns.first {
            let unused = available.filter { $0.type == first && !used.contains($0.value) }.map(\.value)
            let fold = first.isFloat ? "fadd" : "bxor"
            var accumulator = unused.first
            for value in unused.dropFirst() {
                guard let left = accumulator else { break }
                let folded = fresh()
                line("v\(folded) = \(fold) v\(left), v\(value)")
                used.insert(value)
                used.insert(left)
                available.append((folded, first))
                accumulator = folded
            }
        }
        // A tail function may hand its result over to a later tail function that
        // returns the same types (`return_call` requires both; ModuleGenerator makes
        // such pairs), most of the time when there is one.
        let tailCallees = callees.filter { $0.callConv == .tail && $0.returns == plan.returns }
        if plan.callConv == .tail, !tailCallees.isEmpty, source.chance(80) {
            let callee = source.pick(tailCallees)
            let indirect = source.chance(configuration.indirectCallPercent)
            let target = callTarget(callee, indirect: indirect)
            let opcode = indirect ? "return_call_indirect" : "return_call"
            line("\(opcode) \(target)(\(callArguments(callee, &source)))")
            coverage.append(opcode)
            shapes.append("call: tail call" + (indirect ? ", indirect" : ""))
            shapes.append(contentsOf: callee.callShapes.map { "tail " + $0 })
            return
        }
        let values = plan.returns.map { "v\(use($0, &source))" }
        line(values.isEmpty ? "return" : "return " + values.joined(separator: ", "))
        coverage.append("return")
    }
}

/// A set of value numbers (dense from 0) as one flag per number: the emitter asks
/// whether a value is used yet for nearly every operand it picks.
struct ValueFlags {
    private var flags: [Bool] = []

    func contains(_ value: Int) -> Bool {
        value < flags.count && flags[value]
    }

    mutating func insert(_ value: Int) {
        if value >= flags.count { flags.append(contentsOf: repeatElement(false, count: value - flags.count + 64)) }
        flags[value] = true
    }
}

/// Immediates the generator draws from.
enum GeneratorVocabulary {
    static let conditionCodes: [String] = ["eq", "ne", "slt", "sge", "sgt", "sle", "ult", "uge", "ugt", "ule"]
    static let floatConditionCodes: [String] = FloatCC.allCases.map(\.description)
    /// User codes and the reserved codes a backend might confuse with each other.
    static let trapCodes: [String] = ["user1", "user2", "user42", "int_ovf", "int_divz", "heap_oob"]
    /// Trap codes a load or store may name instead of heap_oob.
    static let userTrapCodes: [String] = ["user1", "user7", "user42"]
}
