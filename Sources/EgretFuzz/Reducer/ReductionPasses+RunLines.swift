import EgretIR

/// Reducer passes over a case's inputs: run lines, their arguments, and the heap.
extension ReductionPasses {
    /// A run line goes (one must stay).
    static func dropRunDirective(_ module: Module, _ site: Int) -> [Module] {
        guard module.runDirectives.count > 1 else { return [] }
        var candidate = module
        candidate.runDirectives.remove(at: site)
        return [candidate]
    }

    /// Each argument of a run line (but `heap`) → 0.
    static func shrinkArguments(_ module: Module, _ site: Int) -> [Module] {
        let directive = module.runDirectives[site]
        return directive.arguments.indices.compactMap { position in
            let argument = directive.arguments[position]
            guard !directive.heapArguments.contains(position), argument.low != 0 || argument.high != 0 else { return nil }
            var candidate = module
            candidate.runDirectives[site].arguments[position] = DataValue(type: argument.type, low: 0)
            return candidate
        }
    }

    /// The heap goes (when no run line passes it), its contents become zeros, or the
    /// second half of what is written becomes zeros.
    static func shrinkHeap(_ module: Module, _ site: Int) -> [Module] {
        guard let heap = module.heap else { return [] }
        var candidates: [Module] = []
        if module.runDirectives.allSatisfy({ $0.heapArguments.isEmpty }) {
            var candidate = module
            candidate.heap = nil
            candidates.append(candidate)
        }
        let written = (heap.bytes.lastIndex { $0 != 0 } ?? -1) + 1
        guard written > 0 else { return candidates }
        var zeroed = module
        zeroed.heap?.bytes = [UInt8](repeating: 0, count: heap.bytes.count)
        candidates.append(zeroed)
        if written >= 2 {
            var halved = module
            for index in written / 2 ..< written { halved.heap?.bytes[index] = 0 }
            candidates.append(halved)
        }
        return candidates
    }
}

/// Declarations no instruction uses any more (function references, signatures, stack
/// slots) go, and every reference to a later one is renumbered.
extension ReductionPasses {
    static func dropUnusedDeclarations(_ module: Module, _ site: Int) -> [Module] {
        var function = module.functions[site]
        var usedFunctions = Set<UInt32>(), usedSignatures = Set<UInt32>(), usedSlots = Set<UInt32>()
        for block in function.layout {
            for inst in function.instructions(in: block) {
                let data = function[inst]
                switch data.format {
                case .call, .funcAddr, .tryCall: usedFunctions.insert(data.entity)
                case .callIndirect, .tryCallIndirect: usedSignatures.insert(data.entity)
                case .stackAddr: usedSlots.insert(data.entity)
                case .unary, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .unaryConst, .unaryGlobalValue,
                     .binary, .binaryImm8, .ternary, .ternaryImm8, .multiAry, .nullAry, .shuffle, .intCompare,
                     .floatCompare, .intAddTrap, .condTrap, .jump, .brif, .branchTable, .load, .loadNoOffset, .store,
                     .storeNoOffset, .dynamicStackAddr, .trap, .atomicRmw, .atomicCas, .exceptionHandlerAddress:
                    break
                }
            }
        }
        for index in usedFunctions where Int(index) < function.functionRefs.count {
            if let reference = function.functionRefs[Int(index)] { usedSignatures.insert(reference.signature.index) }
        }
        let keptFunctions = function.functionRefs.indices.filter { usedFunctions.contains(UInt32($0)) }
        let keptSignatures = function.signatures.indices.filter { usedSignatures.contains(UInt32($0)) }
        let keptSlots = function.stackSlots.indices.filter { usedSlots.contains(UInt32($0)) }
        guard keptFunctions.count < function.functionRefs.count || keptSignatures.count < function.signatures.count
            || keptSlots.count < function.stackSlots.count else { return [] }
        let functionNumber = renumbering(keptFunctions), signatureNumber = renumbering(keptSignatures)
        let slotNumber = renumbering(keptSlots)
        function.functionRefs = keptFunctions.map { index in
            function.functionRefs[index].map { reference in
                var renumbered = reference
                renumbered.signature = SigRef(signatureNumber[Int(reference.signature.index)] ?? 0)
                return renumbered
            }
        }
        function.signatures = keptSignatures.map { function.signatures[$0] }
        function.stackSlots = keptSlots.map { function.stackSlots[$0] }
        for position in function.insts.indices {
            let entity = Int(function.insts[position].entity)
            switch function.insts[position].format {
            case .call, .funcAddr, .tryCall: function.insts[position].entity = functionNumber[entity] ?? 0
            case .callIndirect, .tryCallIndirect: function.insts[position].entity = signatureNumber[entity] ?? 0
            case .stackAddr: function.insts[position].entity = slotNumber[entity] ?? 0
            case .unary, .unaryImm, .unaryIeee16, .unaryIeee32, .unaryIeee64, .unaryConst, .unaryGlobalValue,
                 .binary, .binaryImm8, .ternary, .ternaryImm8, .multiAry, .nullAry, .shuffle, .intCompare,
                 .floatCompare, .intAddTrap, .condTrap, .jump, .brif, .branchTable, .load, .loadNoOffset, .store,
                 .storeNoOffset, .dynamicStackAddr, .trap, .atomicRmw, .atomicCas, .exceptionHandlerAddress:
                break
            }
        }
        var candidate = module
        candidate.functions[site] = function
        return [candidate]
    }

    /// Old index → new index for the entities `kept` (in order).
    static func renumbering(_ kept: [Int]) -> [Int: UInt32] {
        Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($0.element, UInt32($0.offset)) })
    }
}
