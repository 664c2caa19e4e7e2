import EgretIR

/// Where addresses go in a function taken from a file: which parameters it uses as
/// memory addresses (they receive the heap buffer), and whether an address, which the
/// interpreter and the compiled code place differently, reaches anything but an
/// address: then their results would differ by design and the function is skipped.
///
/// Addresses are the values CulpritLocator.addressValues finds (stack slot and
/// function addresses, pointer parameters, and what is computed from them). An address
/// may be the address operand of a load, store or atomic, an operand of `iadd`
/// (computing another address), a call's argument or callee, or a block argument (a
/// pointer carried around a loop); any other use (returned, stored as a value,
/// compared, subtracted) makes it data.
enum AddressFlow {
    /// Positions of entry parameters whose values reach the address operand of a load,
    /// store or atomic.
    static func pointerParameters(_ function: Function) -> [Int] {
        guard let entry = function.entryBlock else { return [] }
        var pointers: [Int] = []
        for (position, parameter) in function.params(of: entry).enumerated()
        where function.type(of: parameter) == .i64 || function.type(of: parameter) == .i32 {
            let reached = CulpritLocator.addressValues(function, heapArguments: [position])
            if reachesMemoryOperand(function, reached) { pointers.append(position) }
        }
        return pointers
    }

    /// Why an address reaches data, or nil when every address stays an address.
    static func addressReachesData(_ function: Function, pointerParameters: [Int]) -> String? {
        let addresses = CulpritLocator.addressValues(function, heapArguments: pointerParameters)
        guard !addresses.isEmpty else { return nil }
        for block in function.layout {
            for inst in function.instructions(in: block) {
                let opcode = function[inst].opcode
                for (operand, value) in function.arguments(of: inst).enumerated()
                where addresses.contains(value) && !isAddressUse(opcode, operand: operand) {
                    return "an address reaches data (\(opcode.name) of a stack, function or pointer address)"
                }
            }
        }
        return nil
    }

    /// Whether any of `values` is the address operand of a memory access.
    static func reachesMemoryOperand(_ function: Function, _ values: Set<Value>) -> Bool {
        for block in function.layout {
            for inst in function.instructions(in: block) {
                let info = function[inst].opcode.info
                guard info.access != nil else { continue }
                for (operand, value) in function.arguments(of: inst).enumerated()
                where values.contains(value) && isAddressOperand(info, operand) {
                    return true
                }
            }
        }
        return false
    }

    /// Whether operand `operand` of `opcode` may hold an address without turning it
    /// into data.
    static func isAddressUse(_ opcode: Opcode, operand: Int) -> Bool {
        let passesOn: Set<Opcode> = [.iadd, .call, .call_indirect, .return_call, .return_call_indirect]
        return passesOn.contains(opcode) || isAddressOperand(opcode.info, operand)
    }

    static func isAddressOperand(_ info: OpcodeInfo, _ operand: Int) -> Bool {
        operand < info.operands.count && info.operands[operand] == .free(.address)
    }
}

extension AddressFlow {
    /// Where an address comes from: a stack slot or a pointer parameter, plus a
    /// constant offset.
    enum Base: Hashable {
        case stackSlot(Int)
        case parameter(Int)
    }

    /// Why some access of `function` may reach memory the two executors do not share,
    /// or nil when every access stays inside a stack slot, or inside the heap and its
    /// guard pages. `pointers` are the parameters that receive the heap (of
    /// `heapSize` bytes, `HeapImage.guardBytes` of guard after it and a page before).
    /// An address must be a stack slot's or a pointer parameter's plus constants; one
    /// computed at run time (from an index, a loaded pointer, a block parameter) could
    /// reach any memory, and a call through a pointer that is not a `func_addr` could
    /// jump anywhere.
    static func unboundedAccess(_ function: Function, pointers: [Int], heapSize: Int) -> String? {
        for block in function.layout {
            for inst in function.instructions(in: block) {
                let data = function[inst]
                let arguments = Array(function.arguments(of: inst))
                if data.opcode == .call_indirect || data.opcode == .return_call_indirect {
                    guard let callee = arguments.first, definingOpcode(callee, in: function) == .func_addr else {
                        return "calls through a function pointer it was given"
                    }
                }
                guard let access = data.opcode.info.access,
                      let operand = data.opcode.info.operands.firstIndex(of: .free(.address)),
                      operand < arguments.count else { continue }
                guard let (base, offset) = trace(arguments[operand], in: function, pointers: pointers) else {
                    return "computes an address at run time (an index, a loaded pointer): it could reach any memory"
                }
                let start = offset + Int64(data.offset)
                let type = data.opcode.info.canStore && data.opcode != .atomic_rmw && data.opcode != .atomic_cas
                    ? function.type(of: arguments[0]) : function.results(of: inst).first.map { function.type(of: $0) }
                let bytes = Int64(access.bytes(at: type ?? .i64))
                switch base {
                case .stackSlot(let slot):
                    let size = Int64(function.stackSlots[slot].size)
                    if start < 0 || start + bytes > size { return "accesses a stack slot out of its bounds" }
                case .parameter:
                    if start < -4096 || start > Int64(heapSize + HeapImage.guardBytes) - bytes {
                        return "reaches past the heap's guard pages"
                    }
                }
            }
        }
        return nil
    }

    /// The base and constant offset of `address`, when it is a stack slot's or a
    /// pointer parameter's address plus constants.
    static func trace(_ address: Value, in function: Function, pointers: [Int]) -> (Base, Int64)? {
        var value = address
        var offset: Int64 = 0
        for _ in 0 ..< 64 {
            let definition = function.values[value.position]
            if definition.definition == .param {
                guard let entry = function.entryBlock, definition.owner == entry.index,
                      pointers.contains(Int(definition.index)) else { return nil }
                return (.parameter(Int(definition.index)), offset)
            }
            guard definition.definition == .result, Int(definition.owner) < function.insts.count else { return nil }
            let data = function.insts[Int(definition.owner)]
            let operands = Array(function.arguments(of: Inst(definition.owner)))
            if data.opcode == .stack_addr {
                guard Int(data.entity) < function.stackSlots.count else { return nil }
                return (.stackSlot(Int(data.entity)), offset &+ Int64(data.offset))
            }
            guard data.opcode == .iadd, operands.count == 2 else { return nil }
            if let constant = constantValue(operands[1], in: function) {
                offset = offset &+ constant
                value = operands[0]
            } else if let constant = constantValue(operands[0], in: function) {
                offset = offset &+ constant
                value = operands[1]
            } else {
                return nil
            }
        }
        return nil
    }

    /// The value of an `iconst`, sign-extended.
    static func constantValue(_ value: Value, in function: Function) -> Int64? {
        let definition = function.values[value.position]
        guard definition.definition == .result, Int(definition.owner) < function.insts.count,
              function.insts[Int(definition.owner)].opcode == .iconst else { return nil }
        return function.insts[Int(definition.owner)].immediate
    }

    /// The opcode of the instruction that defines `value`, if an instruction does.
    static func definingOpcode(_ value: Value, in function: Function) -> Opcode? {
        let definition = function.values[value.position]
        guard definition.definition == .result, Int(definition.owner) < function.insts.count else { return nil }
        return function.insts[Int(definition.owner)].opcode
    }
}
