import EgretIR

/// One way of making a case smaller: a set of sites (instructions, blocks, functions,
/// run lines) and, for each site, the smaller modules to try there, best first. A
/// candidate need not be valid: the reducer verifies it before judging it.
struct ReductionPass {
    var name: String
    /// How many sites the module has for this pass.
    var sites: (Module) -> Int
    /// The candidates at one site.
    var candidates: (Module, Int) -> [Module]
}

/// The reducer's passes, the big cuts first (CaseReducer runs them to a fixpoint).
///
/// - functions: a function no one calls goes, with its run lines;
/// - blocks: a block goes from the layout;
/// - instructions: one goes, its results replaced by zeros;
/// - branches: `brif`/`br_table` becomes a `jump` to one of its targets, and a `jump`
///   skips ahead to a later block without parameters;
/// - merging: a block whose only predecessor jumps to it joins that predecessor;
/// - parameters and results: a block parameter, a function parameter or a return value
///   goes, with every caller, branch and run line following (ReductionPasses+Signatures);
/// - values: a result is replaced by an identical or earlier value of its type;
/// - constants and inputs: `iconst` shrinks to 0, 1 or half, run-line arguments to 0, the
///   heap goes or shrinks, a run line goes (ReductionPasses+RunLines);
/// - declarations: unused function references, signatures and stack slots go.
enum ReductionPasses {
    static let all: [ReductionPass] = [
        ReductionPass(name: "drop function", sites: { $0.functions.count }, candidates: dropFunction),
        ReductionPass(name: "drop block", sites: { blockSites($0).count }, candidates: dropBlock),
        ReductionPass(name: "drop instruction", sites: { instructionSites($0).count }, candidates: dropInstruction),
        ReductionPass(name: "branch to jump", sites: { instructionSites($0).count }, candidates: branchToJump),
        ReductionPass(name: "retarget jump", sites: { instructionSites($0).count }, candidates: retargetJump),
        ReductionPass(name: "merge into predecessor", sites: { blockSites($0).count }, candidates: mergeIntoPredecessor),
        ReductionPass(name: "drop block parameter", sites: { blockSites($0).count }, candidates: dropBlockParameter),
        ReductionPass(name: "drop function parameter", sites: { $0.functions.count },
                      candidates: dropFunctionParameter),
        ReductionPass(name: "drop return value", sites: { $0.functions.count }, candidates: dropReturnValue),
        ReductionPass(name: "reuse earlier value", sites: { instructionSites($0).count },
                      candidates: reuseEarlierValue),
        ReductionPass(name: "shrink constant", sites: { instructionSites($0).count }, candidates: shrinkConstant),
        ReductionPass(name: "drop run line", sites: { $0.runDirectives.count }, candidates: dropRunDirective),
        ReductionPass(name: "shrink arguments", sites: { $0.runDirectives.count }, candidates: shrinkArguments),
        ReductionPass(name: "shrink heap", sites: { $0.heap == nil ? 0 : 1 }, candidates: shrinkHeap),
        ReductionPass(name: "drop unused declarations", sites: { $0.functions.count },
                      candidates: dropUnusedDeclarations),
    ]

    // MARK: Sites

    /// Every placed instruction: (function index, instruction), in layout order.
    static func instructionSites(_ module: Module) -> [(function: Int, inst: Inst)] {
        var sites: [(Int, Inst)] = []
        for (index, function) in module.functions.enumerated() {
            for block in function.layout {
                for inst in function.instructions(in: block) { sites.append((index, inst)) }
            }
        }
        return sites
    }

    /// Every placed block but the entry: (function index, block).
    static func blockSites(_ module: Module) -> [(function: Int, block: Block)] {
        var sites: [(Int, Block)] = []
        for (index, function) in module.functions.enumerated() {
            for block in function.layout.dropFirst() { sites.append((index, block)) }
        }
        return sites
    }

    // MARK: Functions and blocks

    /// The module without function `site` and its run lines (other run lines keep
    /// their function's new index); none when no run line would be left.
    static func dropFunction(_ module: Module, _ site: Int) -> [Module] {
        var candidate = module
        candidate.functions.remove(at: site)
        candidate.runDirectives = module.runDirectives.compactMap { directive in
            guard directive.functionIndex != site else { return nil }
            var kept = directive
            if kept.functionIndex > site { kept.functionIndex -= 1 }
            return kept
        }
        return candidate.runDirectives.isEmpty ? [] : [candidate]
    }

    static func dropBlock(_ module: Module, _ site: Int) -> [Module] {
        let (function, block) = blockSites(module)[site]
        var candidate = module
        candidate.functions[function].layout.removeAll { $0 == block }
        return [candidate]
    }

    // MARK: Instructions

    /// The instruction removed; its results, if used, become zeros defined where it was.
    static func dropInstruction(_ module: Module, _ site: Int) -> [Module] {
        let (index, inst) = instructionSites(module)[site]
        let function = module.functions[index]
        let data = function[inst]
        guard !data.opcode.info.isTerminator else { return [] }
        // A constant replaced by a zero constant is no smaller (shrinkConstant does that).
        let constants: Set<Opcode> = [.iconst, .f32const, .f64const]
        if constants.contains(data.opcode) && isUsed(function.results(of: inst), in: function) { return [] }
        var edited = function
        guard let (block, position) = edited.place(of: inst) else { return [] }
        var at = position
        for result in function.results(of: inst) where isUsed([result], in: function) {
            let before = edited.blocks[block.position].insts.count
            guard let zero = edited.insertZero(function.type(of: result), in: block, at: at) else { return [] }
            at += edited.blocks[block.position].insts.count - before
            edited.replaceUses(of: result, with: zero)
        }
        edited.removeInstruction(inst)
        var candidate = module
        candidate.functions[index] = edited
        return [candidate]
    }

    /// Whether any of `values` is an operand or block argument somewhere in `function`.
    static func isUsed<S: Sequence>(_ values: S, in function: Function) -> Bool where S.Element == Value {
        let wanted = Set(values)
        guard !wanted.isEmpty else { return false }
        for block in function.layout {
            for inst in function.instructions(in: block) {
                if function.arguments(of: inst).contains(where: wanted.contains) { return true }
                for call in function.blockCalls(of: inst) {
                    for argument in function.arguments(of: call) {
                        if case .value(let value) = argument, wanted.contains(value) { return true }
                    }
                }
            }
        }
        return false
    }

    /// `brif c, A, B` → `jump A`, `jump B`; `br_table x, D, [T…]` → `jump D`, `jump T`.
    static func branchToJump(_ module: Module, _ site: Int) -> [Module] {
        let (index, inst) = instructionSites(module)[site]
        let function = module.functions[index]
        let data = function[inst]
        guard data.opcode == .brif || data.opcode == .br_table else { return [] }
        var seen = Set<BlockCall>()
        return function.blockCalls(of: inst).compactMap { call in
            guard seen.insert(call).inserted else { return nil }
            return replacingTerminator(module, index, inst, withJumpTo: call)
        }
    }

    /// `jump A(…)` → `jump B` for each block B without parameters placed after A: skips
    /// over code (loops included) so that it becomes unreachable and can go. Only later
    /// blocks, so that retargeting makes progress and the fixpoint ends.
    static func retargetJump(_ module: Module, _ site: Int) -> [Module] {
        let (index, inst) = instructionSites(module)[site]
        let function = module.functions[index]
        guard function[inst].opcode == .jump, let target = function.blockCalls(of: inst).first?.block,
              let position = function.layout.firstIndex(of: target) else { return [] }
        return function.layout[(position + 1)...].filter { function.params(of: $0).isEmpty }.map { later in
            replacingTerminator(module, index, inst, withJumpTo: BlockCall(block: later, arguments: .empty))
        }
    }

    /// The module with terminator `inst` of function `index` replaced by `jump call`.
    static func replacingTerminator(_ module: Module, _ index: Int, _ inst: Inst, withJumpTo call: BlockCall) -> Module {
        var candidate = module
        var jump = InstructionData(opcode: .jump)
        let calls = candidate.functions[index].appendBlockCalls([call])
        jump.blockCalls = calls
        candidate.functions[index].insts[inst.position] = jump
        return candidate
    }

    /// A block whose only predecessor is a `jump` to it from the block before joins
    /// that block: the jump goes and its parameters become the jump's arguments.
    static func mergeIntoPredecessor(_ module: Module, _ site: Int) -> [Module] {
        let (index, block) = blockSites(module)[site]
        let function = module.functions[index]
        guard let position = function.layout.firstIndex(of: block), position > 0 else { return [] }
        let previous = function.layout[position - 1]
        guard let jump = function.instructions(in: previous).last, function[jump].opcode == .jump,
              let call = function.blockCalls(of: jump).first, call.block == block else { return [] }
        var references = 0
        for other in function.layout {
            for inst in function.instructions(in: other) {
                references += function.blockCalls(of: inst).filter { $0.block == block }.count
            }
        }
        guard references == 1 else { return [] }
        var edited = function
        for (parameter, argument) in zip(function.params(of: block), function.arguments(of: call)) {
            guard case .value(let value) = argument else { return [] }
            edited.replaceUses(of: parameter, with: value)
        }
        edited.blocks[previous.position].insts.removeLast()
        edited.blocks[previous.position].insts += edited.blocks[block.position].insts
        edited.blocks[block.position].insts = []
        edited.layout.remove(at: position)
        var candidate = module
        candidate.functions[index] = edited
        return [candidate]
    }

    // MARK: Values and constants

    /// A single result's uses read an identical earlier definition instead (same
    /// opcode, type and operands), or one of the two latest earlier values of its
    /// type; the verifier rejects those that do not dominate the uses.
    static func reuseEarlierValue(_ module: Module, _ site: Int) -> [Module] {
        let (index, inst) = instructionSites(module)[site]
        let function = module.functions[index]
        let results = function.results(of: inst)
        guard results.count == 1, let result = results.first, isUsed([result], in: function) else { return [] }
        let type = function.type(of: result)
        var identical: [Value] = []
        var sameType: [Value] = []
        search: for block in function.layout {
            for earlier in function.instructions(in: block) {
                if earlier == inst { break search }
                let earlierResults = function.results(of: earlier)
                guard earlierResults.count == 1, let value = earlierResults.first, function.type(of: value) == type
                else { continue }
                if sameOperation(earlier, inst, in: function) {
                    identical.append(value)
                } else {
                    sameType.append(value)
                }
            }
        }
        return (identical + sameType.suffix(2)).map { replacement in
            var candidate = module
            candidate.functions[index].replaceUses(of: result, with: replacement)
            candidate.functions[index].removeInstruction(inst)
            return candidate
        }
    }

    /// Whether two instructions compute the same thing from the same operands.
    static func sameOperation(_ first: Inst, _ second: Inst, in function: Function) -> Bool {
        var left = function[first], right = function[second]
        guard Array(function.arguments(of: first)) == Array(function.arguments(of: second)),
              left.blockCalls.count == 0, right.blockCalls.count == 0 else { return false }
        left.arguments = .empty
        right.arguments = .empty
        return left == right
    }

    /// `iconst.T K` → 0, 1, K/2.
    static func shrinkConstant(_ module: Module, _ site: Int) -> [Module] {
        let (index, inst) = instructionSites(module)[site]
        let data = module.functions[index][inst]
        guard data.opcode == .iconst, data.immediate != 0 else { return [] }
        var options: [Int64] = [0]
        if data.immediate != 1 { options.append(1) }
        if data.immediate / 2 != 0 && data.immediate / 2 != 1 { options.append(data.immediate / 2) }
        return options.map { value in
            var candidate = module
            candidate.functions[index].insts[inst.position].immediate = value
            return candidate
        }
    }
}
