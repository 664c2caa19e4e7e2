import EgretIR
import Testing
@testable import EgretInterpreter

/// Unverified and unsupported input: the interpreter reports it (`invalidProgram`,
/// `unsupported`) where execution reaches it, and never crashes. Functions here are
/// built with the `Function` builder, since the parser would reject most of them.
struct RobustnessTests {
    /// A function `%f` with one block taking `parameters`, holding the instructions
    /// `build` appends.
    static func function(parameters: [IRType], returns: [IRType],
                         _ build: (inout Function, [Value]) -> Void) -> Module {
        var function = Function(name: .testCase("f"),
                                signature: Signature(params: parameters.map { AbiParam($0) },
                                                     returns: returns.map { AbiParam($0) }))
        let values = function.appendBlock(Block(0), parameterTypes: parameters)
        build(&function, values)
        var module = Module()
        module.functions = [function]
        return module
    }

    static func append(_ opcode: Opcode, type: IRType = .invalid, _ arguments: [Value], results: [IRType],
                       to function: inout Function, block: Block = Block(0)) -> [Value] {
        var data = InstructionData(opcode: opcode, type: type)
        data.arguments = function.appendValues(arguments)
        let inst = function.appendInstruction(data, results: results, to: block)
        return Array(function.results(of: inst))
    }

    static func isInvalid(_ error: any Error) -> Bool {
        if case InterpreterError.invalidProgram = error { return true }
        return false
    }

    static func unsupportedFeature(_ error: any Error) -> String? {
        if case InterpreterError.unsupported(let feature, _, _) = error { return feature }
        return nil
    }

    @Test func aWellFormedBuiltFunctionRuns() throws {
        let module = Self.function(parameters: [.i32, .i32], returns: [.i32]) { function, values in
            let sum = Self.append(.iadd, type: .i32, values, results: [.i32], to: &function)
            _ = Self.append(.return, sum, results: [], to: &function)
        }
        var interpreter = try Interpreter(module: module)
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(2, .i32), .int(40, .i32)]) == .values([.int(42, .i32)]))
    }

    @Test func undefinedValuesAreInvalid() throws {
        let module = Self.function(parameters: [.i32], returns: [.i32]) { function, values in
            let sum = Self.append(.iadd, type: .i32, [values[0], Value(99)], results: [.i32], to: &function)
            _ = Self.append(.return, sum, results: [], to: &function)
        }
        var interpreter = try Interpreter(module: module)
        #expect(performing: { try interpreter.call(functionIndex: 0, arguments: [.int(1, .i32)]) },
                throws: Self.isInvalid)
    }

    @Test func wrongArityAndTypesAreInvalid() throws {
        let oneOperand = Self.function(parameters: [.i32], returns: [.i32]) { function, values in
            let sum = Self.append(.iadd, type: .i32, [values[0]], results: [.i32], to: &function)
            _ = Self.append(.return, sum, results: [], to: &function)
        }
        var first = try Interpreter(module: oneOperand)
        #expect(performing: { try first.call(functionIndex: 0, arguments: [.int(1, .i32)]) }, throws: Self.isInvalid)
        let mixed = Self.function(parameters: [.i32, .i64], returns: [.i32]) { function, values in
            let sum = Self.append(.iadd, type: .i32, values, results: [.i32], to: &function)
            _ = Self.append(.return, sum, results: [], to: &function)
        }
        var second = try Interpreter(module: mixed)
        #expect(performing: { try second.call(functionIndex: 0, arguments: [.int(1, .i32), .int(1, .i64)]) },
                throws: Self.isInvalid)
        let badReturn = Self.function(parameters: [.i64], returns: [.i32]) { function, values in
            _ = Self.append(.return, values, results: [], to: &function)
        }
        var third = try Interpreter(module: badReturn)
        #expect(performing: { try third.call(functionIndex: 0, arguments: [.int(1, .i64)]) }, throws: Self.isInvalid)
    }

    @Test func fallingOffABlockIsInvalid() throws {
        let module = Self.function(parameters: [.i32], returns: [.i32]) { function, values in
            _ = Self.append(.iadd, type: .i32, [values[0], values[0]], results: [.i32], to: &function)
        }
        var interpreter = try Interpreter(module: module)
        #expect(performing: { try interpreter.call(functionIndex: 0, arguments: [.int(1, .i32)]) }, throws: Self.isInvalid)
    }

    @Test func argumentsMustMatchTheSignature() throws {
        var interpreter = try CLIF.interpreter(CLIF.unaryOrBinary("iadd", .i32, operands: 2))
        #expect(performing: { try interpreter.call(functionIndex: 0, arguments: [.int(1, .i32)]) }, throws: Self.isInvalid)
        #expect(performing: { try interpreter.call(functionIndex: 0, arguments: [.int(1, .i32), .int(1, .i64)]) },
                throws: Self.isInvalid)
        #expect(performing: { try interpreter.call(functionIndex: 1, arguments: []) }, throws: Self.isInvalid)
        #expect(performing: { try interpreter.call(functionIndex: -1, arguments: []) }, throws: Self.isInvalid)
    }

    @Test func unsupportedOpcodesAreNamedWhenReached() throws {
        let vector = IRType(lane: .i32, laneCountLog2: 2)
        let module = Self.function(parameters: [.i32, .i8], returns: [.i32]) { function, values in
            function.appendBlock(Block(1), parameterTypes: [])
            function.appendBlock(Block(2), parameterTypes: [])
            var branch = InstructionData(opcode: .brif, type: .i8)
            branch.arguments = function.appendValues([values[1]])
            branch.blockCalls = function.appendBlockCalls([BlockCall(block: Block(1), arguments: .empty),
                                                           BlockCall(block: Block(2), arguments: .empty)])
            function.appendInstruction(branch, results: [], to: Block(0))
            _ = Self.append(.splat, type: vector, [values[0]], results: [vector], to: &function, block: Block(1))
            _ = Self.append(.return, [values[0]], results: [], to: &function, block: Block(1))
            _ = Self.append(.return, [values[0]], results: [], to: &function, block: Block(2))
        }
        var interpreter = try Interpreter(module: module)
        // The path without the splat runs.
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(5, .i32), .int(0, .i8)]) == .values([.int(5, .i32)]))
        #expect(performing: { try interpreter.call(functionIndex: 0, arguments: [.int(5, .i32), .int(1, .i8)]) },
                throws: { Self.unsupportedFeature($0) == "opcode splat (SIMD)" })
    }

    @Test func unsupportedTypesAreNamed() throws {
        let module = Self.function(parameters: [.f16], returns: [.f16]) { function, values in
            _ = Self.append(.return, values, results: [], to: &function)
        }
        var interpreter = try Interpreter(module: module)
        #expect(performing: { try interpreter.call(functionIndex: 0, arguments: [DataValue(type: .f16, low: 0)]) },
                throws: { Self.unsupportedFeature($0) == "type f16" })
    }

    @Test func callsOutsideTheModuleAreUnsupported() throws {
        let text = """
            function %f(i64, i64, i64) -> i64 {
                fn0 = %Memcpy(i64, i64, i64) -> i64
            block0(v0: i64, v1: i64, v2: i64):
                v3 = call fn0(v0, v1, v2)
                return v3
            }
            """
        let arguments: [DataValue] = [.int(0, .i64), .int(0, .i64), .int(0, .i64)]
        #expect(performing: { try CLIF.run(text, nil, arguments) },
                throws: { Self.unsupportedFeature($0) == "call to %Memcpy, which is not defined in the module" })
    }

    /// The float libcalls Cranelift's backend uses run as the operations they stand for.
    @Test func floatLibcallsRun() throws {
        let text = """
            function %f(f32, f64, f64) -> f32, f64 {
                fn0 = colocated %CeilF32(f32) -> f32
                fn1 = %FmaF64(f64, f64, f64) -> f64
            block0(v0: f32, v1: f64, v2: f64):
                v3 = call fn0(v0)
                v4 = call fn1(v1, v2, v2)
                return v3, v4
            }
            """
        #expect(try CLIF.run(text, nil, [.f32(1.25), .f64(3), .f64(0.5)]) == .values([.f32(2), .f64(2)]))
    }

    /// Random instructions with random operands, types, targets and pool ranges: every
    /// call must end in an outcome or an `InterpreterError`, never a crash.
    @Test func randomGarbageNeverCrashes() throws {
        var random = EdgeValues(seed: 2024)
        let types: [IRType] = [.i8, .i16, .i32, .i64, .i128, .f32, .f64, .f16, .invalid,
                               IRType(lane: .i32, laneCountLog2: 2)]
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        var outcomes = 0, errors = 0
        for _ in 0 ..< 1500 {
            let parameters = (0 ..< Int(random.next() % 3)).map { _ in pick(Array(types.prefix(7))) }
            var function = Function(name: .testCase("f"), signature: Signature(params: parameters.map { AbiParam($0) },
                                                                                returns: [AbiParam(pick(types))]))
            let blockCount = 1 + Int(random.next() % 3)
            for index in 0 ..< blockCount {
                function.appendBlock(Block(index), parameterTypes: index == 0 ? parameters : [pick(types)])
            }
            function.stackSlots = [StackSlotData(size: UInt32(random.next() % 32), alignmentLog2: UInt8(random.next() % 40))]
            for index in 0 ..< blockCount {
                for _ in 0 ..< Int(random.next() % 6) {
                    var data = InstructionData(opcode: pick(Opcode.allCases), type: pick(types))
                    let valueLimit = UInt64(function.values.count + 3)
                    data.arguments = function.appendValues((0 ..< Int(random.next() % 4)).map { _ in
                        Value(UInt32(random.next() % valueLimit))
                    })
                    if random.next() % 10 == 0 { data.arguments = PoolRange(start: 1 << 20, count: 2) }
                    let calls = (0 ..< Int(random.next() % 3)).map { _ in
                        BlockCall(block: Block(Int(random.next() % UInt64(blockCount + 1))),
                                  arguments: function.appendBlockArgs([.value(Value(UInt32(random.next() % valueLimit)))]))
                    }
                    data.blockCalls = function.appendBlockCalls(calls)
                    data.code = UInt8(truncatingIfNeeded: random.next())
                    data.immediate = Int64(bitPattern: random.next())
                    data.offset = Int32(truncatingIfNeeded: Int64(bitPattern: random.next()) % 64)
                    data.entity = UInt32(random.next() % 3)
                    data.flags.endianness = random.next() % 2 == 0 ? .little : .big
                    function.appendInstruction(data, results: (0 ..< Int(random.next() % 3)).map { _ in pick(types) },
                                               to: Block(index))
                }
            }
            var module = Module()
            module.functions = [function]
            var interpreter = try Interpreter(module: module)
            interpreter.fuel = 10_000
            interpreter.heap = [1, 2, 3, 4]
            let arguments = parameters.map { DataValue(type: $0, low: random.next(), high: random.next()) }
            do {
                _ = try interpreter.call(functionIndex: 0, arguments: arguments)
                outcomes += 1
            } catch is InterpreterError {
                errors += 1
            }
        }
        #expect(outcomes + errors == 1500)
    }
}
