@_spi(Testing) import EgretCodegen
import EgretIR
import Testing
@_spi(Testing) @testable import EgretFuzz

/// The heap buffer in generated cases: its address never becomes data, accesses past
/// its end trap alike on both executors, and a wrong store is a heap mismatch that
/// names the store, also inside a callee.
@Suite struct HeapTests {
    /// Opcodes that may take the heap's address (or another address: a stack slot's,
    /// a function's) as an operand: the address operand of a load, store or atomic,
    /// `iadd` (a computed address), and a call passing it on or calling through it.
    static func usesAsAddress(_ opcode: Opcode, operand: Int) -> Bool {
        let calls: Set<Opcode> = [.call, .call_indirect, .return_call, .return_call_indirect]
        if opcode == .iadd || calls.contains(opcode) { return true }
        let operands = opcode.info.operands
        return operand < operands.count && operands[operand] == .free(.address)
    }

    @Test func theHeapAddressNeverBecomesData() throws {
        let generator = ModuleGenerator()
        var heapCases = 0
        var heapAccesses = 0
        for index in 0 ..< 400 as Range<UInt64> {
            let module = try CLIFParser.parse(generator.generate(seed: 21, index: index).text)
            guard module.heap != nil else { continue }
            heapCases += 1
            for directive in module.runDirectives {
                #expect(directive.heapArguments.count == 1, "case \(index): \(directive.text)")
            }
            // Every function receives the heap at the position its run lines pass it.
            for (functionIndex, function) in module.functions.enumerated() {
                let positions = module.runDirectives.filter { $0.functionIndex == functionIndex }
                    .map(\.heapArguments)
                guard let heapArguments = positions.first else { continue }
                let addresses = CulpritLocator.addressValues(function, heapArguments: heapArguments)
                for block in function.layout {
                    for inst in function.instructions(in: block) {
                        let data = function[inst]
                        for (operand, value) in function.arguments(of: inst).enumerated() where addresses.contains(value) {
                            #expect(Self.usesAsAddress(data.opcode, operand: operand),
                                    "case \(index): \(function.name) uses the heap's address in \(data.opcode.name)")
                            if data.opcode.info.canLoad || data.opcode.info.canStore { heapAccesses += 1 }
                        }
                        for call in function.blockCalls(of: inst) {
                            for argument in function.arguments(of: call) {
                                guard case .value(let value) = argument else { continue }
                                #expect(!addresses.contains(value), "case \(index): an address as a block argument")
                            }
                        }
                    }
                }
            }
        }
        #expect(heapCases > 100, "about half the cases have a heap")
        #expect(heapAccesses > 200)
    }

    /// Every heap access out of bounds: each input ends in a trap (heap_oob or the
    /// access's own code) on the interpreter, and compiled code faults in its guard
    /// pages with the same code.
    @Test func outOfBoundsHeapAccessesTrapAlikeOnBothExecutors() throws {
        var configuration = GeneratorConfiguration()
        configuration.heapPercent = 100
        configuration.heapOutOfBoundsPercent = 100
        configuration.dynamicIndexPercent = 0
        configuration.instructionWeights = (opcode: 1, call: 0, memory: 0, heap: 12, constant: 1, atomic: 0)
        let runner = CaseRunner(seed: 5, configuration: configuration)
        var heapTraps = 0
        var userTraps = 0
        for index in 0 ..< 60 as Range<UInt64> {
            let result = runner.run(index: index)
            #expect(result.finding == nil, "case \(index): \(result.finding?.detail ?? "")")
            heapTraps += result.outcomes["trap heap_oob", default: 0]
            userTraps += result.outcomes.filter { $0.key.hasPrefix("trap user") }.map(\.value).reduce(0, +)
        }
        #expect(heapTraps > 100)
        #expect(userTraps > 0, "accesses naming a user trap code report it")
    }

    /// A backend whose `istore8` rules store two bytes: only the heap shows it.
    static func wideByteStores() throws -> DifferentialOracle.Options {
        var options = DifferentialOracle.Options()
        options.bothConventions = false
        var hooks = CompilerHooks()
        for rule in X64LoweringRules.all where rule.name.hasPrefix("istore8") {
            let wide = "istore16" + rule.name.dropFirst("istore8".count)
            let replacement = try #require(X64LoweringRules.all.first { $0.name == wide }, "\(wide)")
            hooks.replacedEmitters[rule.name] = replacement.emit
        }
        options.hooks = hooks
        return options
    }

    static let byteStore = """
        test run
        target x86_64
        ; heap: 8 = "0011223344556677"
        function %f(i32, i64) -> i32 system_v {
        block0(v0: i32, v1: i64):
            v3 = iconst.i32 1
            v2 = iadd v0, v3
            istore8 v2, v1+3
            return v0
        }
        ; print: %f(0x1234, heap)
        """

    @Test func aWrongStoreIsAHeapMismatchNamingTheStore() throws {
        #expect(DifferentialOracle().check(text: Self.byteStore).finding == nil)
        let finding = try #require(DifferentialOracle(options: try Self.wideByteStores()).check(text: Self.byteStore)
            .finding)
        #expect(finding.signature.kind == .heapMismatch)
        #expect(finding.signature.culprit?.hasPrefix("istore8.i32") == true, "\(finding.signature)")
        #expect(finding.detail.contains("heap[4] is 0x12, not 0x44"), "\(finding.detail)")
    }

    @Test func theCulpritIsFollowedIntoACalleeWithTheHeap() throws {
        let text = """
            test run
            target x86_64
            ; heap: 8
            function %g(i64, i32) -> i32 windows_fastcall {
            block0(v0: i64, v1: i32):
                v2 = iconst.i32 0x5a5a
                istore8 v2, v0+1
                return v1
            }
            function %f(i32, i64) -> i32 system_v {
                fn0 = %g(i64, i32) -> i32 windows_fastcall
            block0(v0: i32, v1: i64):
                v2 = iconst.i64 0
                store v2, v1
                v3 = call fn0(v1, v0)
                return v3
            }
            ; print: %f(3, heap)
            """
        let finding = try #require(DifferentialOracle(options: try Self.wideByteStores()).check(text: text).finding)
        #expect(finding.signature.kind == .heapMismatch)
        #expect(finding.signature.culprit?.hasPrefix("istore8.i32") == true, "\(finding.signature)")
    }

    /// A store without its trap record faults in the guard page as a crash of the
    /// generated code: an execution error, named by the store that faulted.
    @Test func aFaultWithoutATrapRecordIsNamedByItsInstruction() throws {
        let text = """
            test run
            target x86_64
            ; heap: 8
            function %f(i64, i32) -> i32 system_v {
            block0(v0: i64, v1: i32):
                v2 = load.i32 v0
                store v1, v0+6
                return v2
            }
            ; print: %f(heap, 1)
            """
        #expect(DifferentialOracle().check(text: text).finding == nil)
        var options = DifferentialOracle.Options()
        options.hooks = PlantedBug.storeWithoutTrapRecord.hooks
        options.bothConventions = false
        let finding = try #require(DifferentialOracle(options: options).check(text: text).finding)
        #expect(finding.signature.kind == .executionError)
        #expect(finding.signature.culprit?.hasPrefix("store.i32 via store") == true, "\(finding.signature)")
    }

    /// A probe runs only paths that can still reach its instruction: a misbehaving call
    /// on another path is not blamed on an instruction that never ran.
    @Test func anInstructionThatNeverRanIsNotTheCulprit() throws {
        let text = """
            test run
            target x86_64
            ; heap: 8 = "0102030405060708"
            function %g(i64) -> i32 windows_fastcall {
            block0(v0: i64):
                v1 = iconst.i32 0x77
                istore8 v1, v0+2
                return v1
            }
            function %f(i64, i32) -> i32 system_v {
                fn0 = %g(i64) -> i32 windows_fastcall
            block0(v0: i64, v1: i32):
                brif v1, block2, block1
            block1:
                v2 = iconst.i32 5
                return v2
            block2:
                v3 = call fn0(v0)
                return v3
            }
            ; print: %f(heap, 1)
            """
        let finding = try #require(DifferentialOracle(options: try Self.wideByteStores()).check(text: text).finding)
        #expect(finding.signature.kind == .heapMismatch)
        #expect(finding.signature.culprit?.hasPrefix("istore8.i32") == true, "\(finding.signature)")
    }

    /// The reducer keeps the heap only while the failure needs it.
    @Test func theReducerDropsAnUnusedHeap() throws {
        let text = """
            test run
            target x86_64
            ; heap: 16 = "00112233445566778899aabbccddeeff"
            function %f(i32, i32) -> i32 system_v {
            block0(v0: i32, v1: i32):
                v2 = udiv v0, v1
                return v2
            }
            ; print: %f(7, 0)
            """
        let reducer = CaseReducer { candidate in
            DifferentialOracle().check(text: candidate).outcomes["trap int_divz"] == 1
        }
        let (reduced, _) = reducer.reduce(text)
        #expect(!reduced.contains("; heap:"), "\(reduced)")
    }
}
