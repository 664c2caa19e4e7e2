import EgretCodegen
import EgretHarness
import EgretIR
import EgretInterpreter

/// The instruction a value, trap or heap mismatch (or an execution error) starts at: the
/// opcode, controlling type and lowering rule that go into a finding's signature.
public struct Culprit: Hashable, Sendable, CustomStringConvertible {
    /// `icmp.i32`, or `parameters` when the function's own arguments already differ.
    public var instruction: String
    /// The lowering rule the backend applied to it (for an instruction fused into its
    /// user, the user's rule), when it recorded one.
    public var rule: String?

    public var description: String {
        guard let rule else { return instruction }
        return "\(instruction) via \(rule)"
    }
}

/// Finds the first instruction, in layout order within the called function, whose
/// outcome differs between the interpreter and the compiled code.
///
/// For each instruction I of the function that reaches the outcome (dead code cannot
/// cause a mismatch) and computes no address (addresses differ by design), a probe is
/// built: a copy of the function whose block ends right after I with `return` of I's
/// results (nothing for an instruction without results), blocks no longer reachable
/// dropped, and every other exit turned into a trap of its own. Side effects before I
/// stay. All probes are added to the module under fresh names and compiled once; each
/// is run with the failing input on both executors, and the first whose outcomes
/// (values, trap codes or the heap afterwards) differ names the culprit. A first probe
/// returns the entry block's parameters, so an argument passed wrongly is named as
/// such. A culprit that is a call is followed into the callee with the arguments the
/// interpreter passes and the heap as it is at the call.
///
///     block0(v0, v1):             probe for v3:   block0(v0, v1):
///         v2 = iadd v0, v1                            v2 = iadd v0, v1
///         v3 = icmp slt v0, v2                        v3 = icmp slt v0, v2
///         brif v3, block1, block2                     return v3
///
/// Probes are judged by a ModuleHarness with the finding's own options and its one
/// convention variant (`harnessOptions.variants`), so a probe is compiled exactly as
/// the case was.
///
/// Requires: a module the verifier accepts. Guarantees: deterministic (no timing, no
/// addresses); nil when no probe differs or the probes cannot be built or compiled.
/// Probes run in the caller's process, as the case itself does (a worker in campaigns).
struct CulpritLocator {
    /// How probes are run: the case's fuel, policy, compiler hooks, and the variant
    /// under which the case failed.
    var harnessOptions: ModuleHarness.Options
    /// Probes built at most (a generated function has far fewer instructions).
    var maxProbes: Int = 400

    /// Calls followed into their callee at most this deep (generated call graphs are
    /// acyclic and shallower).
    var maxCallDepth: Int = 8

    /// The culprit of `directive`'s mismatch, the heap starting as `heap` (nil: none).
    func locate(in module: Module, directive: RunDirective, heap: [UInt8]?, depth: Int = 0) -> Culprit? {
        let function = module.functions[directive.functionIndex]
        guard let entry = function.entryBlock else { return nil }
        let addresses = Self.addressValues(function, heapArguments: directive.heapArguments)
        var probed: [Inst?] = [nil]
        var probeModule = module
        probeModule.runDirectives = []
        let firstProbe = module.functions.count
        let parameters = function.params(of: entry).filter { !addresses.contains($0) }
        probeModule.functions.append(probe(function, block: entry, keeping: 0, returning: parameters, index: 0))
        let observable = Self.observableInstructions(function)
        collecting: for block in function.layout {
            for inst in function.instructions(in: block) where !function[inst].opcode.info.isTerminator {
                // A dead instruction cannot cause the mismatch (and the reducer removes it).
                guard observable.contains(inst) else { continue }
                // An address differs between the executors by design: no probe returns one.
                if function.results(of: inst).contains(where: addresses.contains) { continue }
                guard probed.count < maxProbes else { break collecting }
                probeModule.functions.append(probe(function, block: block, after: inst, index: probed.count))
                probed.append(inst)
            }
        }
        probeModule.heap = heap.map { HeapImage(size: $0.count, bytes: $0, location: module.heap?.location ?? .unknown) }
        guard IRVerifier.verify(probeModule).isEmpty,
              let harness = try? ModuleHarness(module: probeModule, options: harnessOptions),
              !harness.variants.isEmpty, case .success = harness.compiledModule(0) else { return nil }
        for (offset, inst) in probed.enumerated() {
            var probeDirective = directive
            probeDirective.functionIndex = firstProbe + offset
            probeDirective.expectation = .none
            probeDirective.expectedHeap = nil
            switch harness.judge(probeDirective) {
            case .agreed, .unsupported, .interpreterFailed, .expectationMissed, .executorFailed(_, .unsupported, _),
                 .executorFailed(_, .compileFailed, _):
                continue
            case .disagreed, .executorFailed(_, .callFailed, _):
                // Compiled code that fails outright (a fault without a trap record)
                // differs from any outcome of the interpreter's.
                break
            }
            guard let inst else { return Culprit(instruction: "parameters", rule: nil) }
            if depth < maxCallDepth,
               let inner = locateInCallee(of: inst, in: module, directive: directive, heap: heap, depth: depth) {
                return inner
            }
            return Culprit(instruction: function.opcodeAndType(of: inst), rule: rule(of: inst, in: function))
        }
        return nil
    }

    /// The opcode an error message names (`callee() asked while lowering iadd`), if
    /// any: the first word that is an opcode's name and not also an ordinary word of
    /// the backend's messages.
    static func opcodeNamed(in message: String) -> String? {
        let words = message.split { !($0.isLetter || $0.isNumber || $0 == "_") }
        return words.first { Opcode(name: $0) != nil && !ordinaryWords.contains(String($0)) }.map(String.init)
    }

    /// Opcode names that messages also use as plain words.
    static let ordinaryWords: Set<String> = ["call", "return", "load", "store", "select", "copy", "nop", "trap",
                                             "jump", "fence", "splat"]

    /// When `inst` is a direct call to a function of the module: the culprit inside the
    /// callee, run with the arguments the interpreter passes it on the first arrival at
    /// `inst` (the heap's address passed on as `heap`) and the heap as it is there; nil
    /// when the callee alone does not disagree (the call itself is wrong).
    func locateInCallee(of inst: Inst, in module: Module, directive: RunDirective, heap: [UInt8]?,
                        depth: Int) -> Culprit? {
        let function = module.functions[directive.functionIndex]
        guard let (callee, passed) = Self.knownCallee(of: inst, in: function),
              let calleeIndex = module.functionIndex(named: callee.name),
              let block = function.layout.first(where: { function.instructions(in: $0).contains(inst) }),
              let position = function.instructions(in: block).firstIndex(of: inst) else { return nil }
        var argumentModule = module
        argumentModule.runDirectives = []
        argumentModule.functions.append(probe(function, block: block, keeping: position, returning: passed, index: 0))
        guard IRVerifier.verify(argumentModule).isEmpty, var interpreter = try? Interpreter(module: argumentModule)
        else { return nil }
        interpreter.fuel = harnessOptions.fuel
        var probeDirective = directive
        probeDirective.functionIndex = module.functions.count
        guard let executed = try? interpreter.execute(probeDirective, heap: heap),
              case .values(var arguments) = executed.outcome else { return nil }
        // An address of the interpreter's means nothing to compiled code; the heap's
        // own address is passed on as `heap`.
        let addresses = Self.addressValues(function, heapArguments: directive.heapArguments)
        var heapArguments: [Int] = []
        for (position, argument) in passed.enumerated() where addresses.contains(argument) {
            guard heap != nil, arguments[position] == interpreter.heapPointer() else { return nil }
            heapArguments.append(position)
            arguments[position] = DataValue(type: .i64, low: 0)
        }
        var inner = RunDirective(function: callee.name, functionIndex: calleeIndex, arguments: arguments,
                                 expectation: .none, location: directive.location, text: directive.text)
        inner.heapArguments = heapArguments
        return locate(in: module, directive: inner, heap: executed.heap, depth: depth + 1)
    }

    /// The function `inst` calls and the arguments it passes, when the callee is known:
    /// a direct `call`, or a `call_indirect` through a `func_addr` of the same function.
    static func knownCallee(of inst: Inst, in function: Function) -> (ExternalFunction, [Value])? {
        let data = function[inst]
        let arguments = Array(function.arguments(of: inst))
        if data.opcode == .call {
            guard let callee = functionReference(data.funcRef, in: function) else { return nil }
            return (callee, arguments)
        }
        guard data.opcode == .call_indirect, let address = arguments.first else { return nil }
        let definition = function.values[address.position]
        guard definition.definition == .result, Int(definition.owner) < function.insts.count else { return nil }
        let addressData = function.insts[Int(definition.owner)]
        guard addressData.opcode == .func_addr,
              let callee = functionReference(addressData.funcRef, in: function) else { return nil }
        return (callee, Array(arguments.dropFirst()))
    }

    /// The external function `reference` names, if it is declared.
    static func functionReference(_ reference: FuncRef, in function: Function) -> ExternalFunction? {
        guard function.functionRefs.indices.contains(reference.position) else { return nil }
        return function.functionRefs[reference.position]
    }

    /// The lowering rule applied to `inst` when the function is compiled on its own.
    func rule(of inst: Inst, in function: Function) -> String? {
        var options = Compiler.Options()
        options.callConvOverrides = harnessOptions.variants?.first?.overrides ?? [:]
        options.hooks = harnessOptions.hooks
        options.keepVCode = true
        guard let compiled = try? Compiler.compile(function, options: options),
              let rules = compiled.lowered?.appliedRules else { return nil }
        if let own = rules[inst] { return own }
        // Fused into its user (`icmp` into `brif`): the user's rule lowered it.
        let results = Set(function.results(of: inst))
        for block in function.layout {
            for user in function.instructions(in: block)
            where function.arguments(of: user).contains(where: results.contains) {
                if let rule = rules[user] { return rule }
            }
        }
        return nil
    }

    /// `function` cut short after `inst` in `block`, returning what was computed there.
    func probe(_ function: Function, block: Block, after inst: Inst, index: Int) -> Function {
        let insts = function.instructions(in: block)
        let position = insts.firstIndex(of: inst) ?? insts.count - 1
        return probe(function, block: block, keeping: position + 1, returning: Array(function.results(of: inst)),
                     index: index)
    }

    /// `function` with `block` cut to its first `count` instructions and a `return` of
    /// `returned`.
    func probe(_ function: Function, block: Block, keeping count: Int, returning returned: [Value],
               index: Int) -> Function {
        var copy = function
        copy.name = .testCase("egret_probe\(index)")
        copy.blocks[block.position].insts = Array(function.instructions(in: block).prefix(count))
        var data = InstructionData(opcode: .return)
        data.arguments = copy.appendValues(returned)
        copy.appendInstruction(data, results: [], to: block)
        copy.signature.returns = returned.map { AbiParam(function.type(of: $0)) }
        copy.layout = ControlFlowGraph(copy).reachableLayout(copy.layout)
        // A block from which the probed one cannot be reached any more traps on entry,
        // the same way on both executors: only paths that may still pass the probed
        // instruction run (a call that misbehaves on another path, or after it in a
        // loop, must not be blamed on an instruction that never ran).
        let leading = ControlFlowGraph(copy).blocks(reaching: block)
        for other in copy.layout where !leading.contains(other) {
            copy.blocks[other.position].insts = []
            var trap = InstructionData(opcode: .trap)
            trap.trapCode = Self.otherExitTrap
            copy.appendInstruction(trap, results: [], to: other)
        }
        // Every other way out now returns the wrong types: it traps instead, the same
        // way on both executors, so only paths through `inst` can tell them apart.
        for other in copy.layout where other != block {
            guard let last = copy.instructions(in: other).last, Self.exitOpcodes.contains(copy[last].opcode) else { continue }
            var trap = InstructionData(opcode: .trap)
            trap.trapCode = Self.otherExitTrap
            copy.insts[last.position] = trap
        }
        return copy
    }

    /// The trap a probe takes where the function would have returned without passing
    /// the probed instruction: a user code the generator never uses.
    static let otherExitTrap = TrapCode(raw: 250)

    /// Terminators that leave the function.
    static let exitOpcodes: Set<Opcode> = [.return, .return_call, .return_call_indirect]

    /// Opcodes whose result is an address: the executors place memory differently.
    static let addressOpcodes: Set<Opcode> = [
        .stack_addr, .dynamic_stack_addr, .func_addr, .symbol_value, .tls_value,
        .get_stack_pointer, .get_frame_pointer, .get_return_address, .get_pinned_reg,
        .get_exception_handler_address,
    ]

    /// Values that are, or are computed from, addresses (the heap's address in the
    /// parameters at `heapArguments`, or an address instruction's result; through any
    /// instruction but a load or a call, and through block arguments), to a fixpoint.
    /// A call's results are taken to be data: generated functions pass the heap on but
    /// never return an address (were one to, its probe would differ and be named).
    static func addressValues(_ function: Function, heapArguments: [Int]) -> Set<Value> {
        var tainted: Set<Value> = []
        if let entry = function.entryBlock {
            let parameters = function.params(of: entry)
            for position in heapArguments where position < parameters.count { tainted.insert(parameters[position]) }
        }
        var changed = true
        while changed {
            changed = false
            for block in function.layout {
                for inst in function.instructions(in: block) {
                    let data = function[inst]
                    let fromAddress = addressOpcodes.contains(data.opcode)
                        || (!data.opcode.info.canLoad && !data.opcode.info.isCall
                            && function.arguments(of: inst).contains(where: tainted.contains))
                    if fromAddress {
                        for result in function.results(of: inst) where !tainted.contains(result) {
                            tainted.insert(result)
                            changed = true
                        }
                    }
                    for call in function.blockCalls(of: inst) {
                        let parameters = function.params(of: call.block)
                        for (argument, parameter) in zip(function.arguments(of: call), parameters) {
                            guard case .value(let value) = argument, tainted.contains(value),
                                  !tainted.contains(parameter) else { continue }
                            tainted.insert(parameter)
                            changed = true
                        }
                    }
                }
            }
        }
        return tainted
    }

    /// Properties that make an instruction matter whether or not its results are used.
    static let effects: OpcodeProperties = [.canTrap, .canStore, .otherSideEffects, .isTerminator, .isCall]

    /// Instructions whose effect or results reach the outcome: those with effects, and
    /// those whose results an observable instruction uses (through block arguments to
    /// parameters that are used), to a fixpoint.
    static func observableInstructions(_ function: Function) -> Set<Inst> {
        var needed: Set<Value> = []
        var observable: Set<Inst> = []
        var changed = true
        while changed {
            changed = false
            for block in function.layout.reversed() {
                for inst in function.instructions(in: block).reversed() {
                    let data = function[inst]
                    let matters = observable.contains(inst) || !data.opcode.info.properties.isDisjoint(with: effects)
                        || function.results(of: inst).contains(where: needed.contains)
                    guard matters else { continue }
                    if observable.insert(inst).inserted { changed = true }
                    for argument in function.arguments(of: inst) where needed.insert(argument).inserted {
                        changed = true
                    }
                    for call in function.blockCalls(of: inst) {
                        for (argument, parameter) in zip(function.arguments(of: call), function.params(of: call.block)) {
                            guard case .value(let value) = argument, needed.contains(parameter),
                                  needed.insert(value).inserted else { continue }
                            changed = true
                        }
                    }
                }
            }
        }
        return observable
    }
}
