import Testing
import EgretIR
import EgretInterpreter
@testable import EgretSMT

/// The branch, load and store specs against the interpreter: which edge `brif` and
/// `br_table` take, what every load reads and every store writes in both byte orders.
/// (Whether an access faults is an uninterpreted predicate in the specs, shared with
/// the machine side; these inputs stay in bounds.)
struct IRSpecControlMemoryTests {
    static let integerTypes: [IRType] = [.i8, .i16, .i32, .i64]

    @Test(arguments: integerTypes)
    func brifTakesTheEdgeTheSpecSays(_ type: IRType) throws {
        let text = """
            function %f(\(type)) -> i32 {
            block0(v0: \(type)):
                brif v0, block1, block2
            block1:
                v1 = iconst.i32 0
                return v1
            block2:
                v2 = iconst.i32 1
                return v2
            }
            """
        var interpreter = try Interpreter(module: try CLIFParser.parse(text))
        let context = try Z3Context()
        let variable = context.bitVector("c", width: type.bits)
        let outcome = try #require(try IRSpecs.outcome(IRInputs(context: context, opcode: .brif, type: type,
                                                                operandTypes: [type], operands: [variable])))
        let edge = try #require(outcome.edge)
        for value in IRSpecCrossCheckTests.edges(type) {
            let expected = edge.substituting([variable], [context.bitVector(value, width: type.bits)]).simplified().numeral
            let result = try interpreter.call(functionIndex: 0, arguments: [DataValue(type: type, low: value)])
            #expect(result == .values([DataValue(type: .i32, low: expected ?? 99)]), "brif.\(type) on \(value)")
        }
    }

    @Test func brTableTakesTheEdgeTheSpecSays() throws {
        let text = """
            function %f(i32) -> i32 {
            block0(v0: i32):
                br_table v0, block1, [block2, block3, block4]
            block1:
                v1 = iconst.i32 0
                return v1
            block2:
                v2 = iconst.i32 1
                return v2
            block3:
                v3 = iconst.i32 2
                return v3
            block4:
                v4 = iconst.i32 3
                return v4
            }
            """
        var interpreter = try Interpreter(module: try CLIFParser.parse(text))
        let context = try Z3Context()
        let index = context.bitVector("i", width: 32)
        var inputs = IRInputs(context: context, opcode: .br_table, type: .invalid, operandTypes: [.i32], operands: [index])
        inputs.edgeCount = 4
        let edge = try #require(try IRSpecs.outcome(inputs)?.edge)
        for value: UInt64 in [0, 1, 2, 3, 4, 100, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF] {
            let expected = edge.substituting([index], [context.bitVector(value, width: 32)]).simplified().numeral
            let result = try interpreter.call(functionIndex: 0, arguments: [DataValue(type: .i32, low: value)])
            #expect(result == .values([DataValue(type: .i32, low: expected ?? 99)]), "br_table on \(value)")
        }
    }

    /// Loads and stores with their result/value types, in both byte orders.
    static let accesses: [(opcode: Opcode, type: IRType)] = {
        var list: [(opcode: Opcode, type: IRType)] = []
        for opcode: Opcode in [.load, .uload8, .sload8, .uload16, .sload16, .uload32, .sload32, .store, .istore8,
                               .istore16, .istore32] {
            let info = opcode.info
            for type in integerTypes where info.controllingTypes?.contains(type) ?? false { list.append((opcode, type)) }
        }
        return list
    }()

    @Test func loadsAndStoresAgreeWithTheInterpreter() throws {
        var generator = SplitMix(seed: 7)
        var checked = 0
        for access in Self.accesses {
            for order in ["little", "big"] {
                let isStore = access.opcode.info.canStore
                let text: String
                if isStore {
                    text = """
                        function %f(i64, \(access.type)) -> i32 {
                        block0(v0: i64, v1: \(access.type)):
                            \(access.opcode.name) \(order) v1, v0
                            v2 = iconst.i32 0
                            return v2
                        }
                        """
                } else {
                    text = """
                        function %f(i64) -> \(access.type) {
                        block0(v0: i64):
                            v1 = \(access.opcode.name).\(access.type) \(order) v0
                            return v1
                        }
                        """
                }
                let module = try CLIFParser.parse(text)
                for offset in 0 ..< 8 {
                    var interpreter = try Interpreter(module: module)
                    let heap = (0 ..< 16).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    interpreter.heap = heap
                    let base = interpreter.heapBaseAddress
                    let value = generator.next() & (access.type.bits == 64 ? .max : (1 << UInt64(access.type.bits)) - 1)

                    let context = try Z3Context()
                    var memory = context.memory("m")
                    for (index, byte) in heap.enumerated() {
                        memory = memory.storing(byte: context.bitVector(UInt64(byte), width: 8),
                                                at: context.bitVector(base + UInt64(index), width: 64))
                    }
                    let address = context.bitVector(base + UInt64(offset), width: 64)
                    let operands = isStore ? [context.bitVector(value, width: access.type.bits), address] : [address]
                    var inputs = IRInputs(context: context, opcode: access.opcode, type: access.type,
                                          operandTypes: isStore ? [access.type, .i64] : [.i64], operands: operands)
                    inputs.memory = memory
                    inputs.faults = context.predicate("faults", domain: [64, 8])
                    inputs.memoryFlags.endianness = order == "big" ? .big : .little
                    let outcome = try #require(try IRSpecs.outcome(inputs))
                    let pointer = interpreter.heapPointer(offset: offset)
                    if isStore {
                        let result = try interpreter.call(functionIndex: 0,
                                                          arguments: [pointer, DataValue(type: access.type, low: value)])
                        #expect(result == .values([DataValue(type: .i32, low: 0)]))
                        let written = try #require(outcome.memory)
                        let bytes = (0 ..< 16).map { index in
                            written.byte(at: context.bitVector(base + UInt64(index), width: 64)).simplified().numeral
                        }
                        #expect(bytes == interpreter.heap.map { UInt64($0) },
                                "\(access.opcode.name).\(access.type) \(order) at \(offset)")
                    } else {
                        let result = try interpreter.call(functionIndex: 0, arguments: [pointer])
                        let expected = try #require(outcome.results.first).simplified().numeral
                        #expect(result == .values([DataValue(type: access.type, low: expected ?? 0xDEAD)]),
                                "\(access.opcode.name).\(access.type) \(order) at \(offset)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked == Self.accesses.count * 16)
    }
}
