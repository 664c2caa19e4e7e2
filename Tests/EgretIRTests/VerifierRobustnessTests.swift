import Foundation
import Testing
@testable import EgretIR

/// The verifier never traps, whatever the function: thousands of randomly corrupted
/// functions (indices out of range, wrong opcodes for the stored fields, broken value
/// definitions, odd layouts) must each produce diagnostics, never a crash.
struct VerifierRobustnessTests {
    /// A small deterministic generator (SplitMix64) so failures reproduce.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
        /// Mostly small numbers near the valid range, sometimes anything.
        mutating func index(near count: Int) -> UInt32 {
            below(8) == 0 ? UInt32(truncatingIfNeeded: next()) : UInt32(below(count + 3))
        }
    }

    /// A function using many formats: a loop, memory, a call, a try_call, vectors.
    static func seedFunction() -> Function {
        let i32x4 = IRType(lane: .i32, laneCountLog2: 2)
        let i8x16 = IRType(lane: .i8, laneCountLog2: 4)
        var b = TestFunctionBuilder(params: [.i64, i32x4, i8x16], returns: [.i64])
        let sig = b.signature([.i64], [.i64], .tail)
        let callee = b.functionReference("g", sig)
        b.function.stackSlots.append(StackSlotData(size: 16))
        b.function.constants.append(Array(0 ..< 16))
        b.function.globalValues.append(.symbol(name: .testCase("s"), offset: 0, colocated: true, threadLocal: false))
        b.function.exceptionTables.append(ExceptionTableData(signature: sig, handlerTags: [.catchAll]))
        let params = b.block(0, .i64, i32x4, i8x16)
        let zero = b.iconst(.i64, 0)
        let lane = b.add(.extractlane, i32x4, [params[1]], results: [.i32]) { $0.immediate = 1 }[0]
        let address = b.add(.stack_addr, .i64, results: [.i64]) { $0.entity = 0 }[0]
        b.add(.store, .i32, [lane, address]) { $0.offset = 4 }
        b.jump(1, [zero])
        let counter = b.block(1, .i64)[0]
        let called = b.add(.call, .invalid, [counter], results: [.i64]) { $0.entity = callee.index }[0]
        let flag = b.add(.icmp, .i64, [called, params[0]], results: [.i8]) { $0.intCC = .ult }[0]
        b.brif(flag, 1, [called], 2, [])
        b.block(2)
        b.add(.try_call, .invalid, [counter], targets: [(3, [.tryCallReturn(0)]), (4, [.tryCallException(0)])]) {
            $0.entity = 0
            $0.immediate = Int64(callee.index)
        }
        let returned = b.block(3, .i64)[0]
        _ = b.add(.shuffle, i8x16, [params[2], params[2]], results: [i8x16]) { $0.entity = 0 }
        b.ret(returned)
        let payload = b.block(4, .i64)[0]
        b.add(.br_table, .invalid, [lane], targets: [(5, [.value(payload)]), (5, [.value(zero)])])
        let last = b.block(5, .i64)[0]
        b.ret(last)
        return b.function
    }

    static func mutate(_ function: inout Function, _ random: inout Generator) {
        let instCount = function.insts.count
        switch random.below(16) {
        case 0 where !function.valuePool.isEmpty:
            function.valuePool[random.below(function.valuePool.count)] = Value(random.index(near: function.values.count))
        case 1 where instCount > 0:
            function.insts[random.below(instCount)].arguments =
                PoolRange(start: random.index(near: function.valuePool.count), count: UInt32(random.below(4)))
        case 2 where instCount > 0:
            function.insts[random.below(instCount)].blockCalls =
                PoolRange(start: random.index(near: function.blockCallPool.count), count: UInt32(random.below(4)))
        case 3 where instCount > 0:
            function.insts[random.below(instCount)].opcode = Opcode.allCases[random.below(Opcode.allCases.count)]
        case 4 where instCount > 0:
            let inst = random.below(instCount)
            function.insts[inst].entity = random.index(near: 3)
            function.insts[inst].immediate = Int64(bitPattern: random.below(2) == 0 ? random.next() : UInt64(random.below(40)))
            function.insts[inst].code = UInt8(truncatingIfNeeded: random.next())
        case 5 where instCount > 0:
            function.insts[random.below(instCount)].type = IRType(raw: UInt16(truncatingIfNeeded: random.next()) & 0x1FF)
        case 6 where !function.instResults.isEmpty:
            function.instResults[random.below(function.instResults.count)] =
                PoolRange(start: random.index(near: function.valuePool.count), count: UInt32(random.below(3)))
        case 7 where !function.values.isEmpty:
            let value = random.below(function.values.count)
            function.values[value].owner = random.index(near: instCount)
            function.values[value].index = UInt16(random.below(3))
            if random.below(3) == 0 { function.values[value].definition = random.below(2) == 0 ? .param : .result }
        case 8 where !function.values.isEmpty:
            function.values[random.below(function.values.count)].type = IRType(raw: UInt16(truncatingIfNeeded: random.next()))
        case 9:
            if random.below(2) == 0, !function.layout.isEmpty {
                function.layout.remove(at: random.below(function.layout.count))
            } else {
                function.layout.insert(Block(random.index(near: function.blocks.count)), at: random.below(function.layout.count + 1))
            }
        case 10 where !function.blocks.isEmpty:
            let block = random.below(function.blocks.count)
            if random.below(2) == 0, !function.blocks[block].insts.isEmpty {
                function.blocks[block].insts.remove(at: random.below(function.blocks[block].insts.count))
            } else {
                function.blocks[block].insts.insert(Inst(random.index(near: instCount)),
                                                    at: random.below(function.blocks[block].insts.count + 1))
            }
        case 11 where !function.blocks.isEmpty:
            function.blocks[random.below(function.blocks.count)].params =
                PoolRange(start: random.index(near: function.valuePool.count), count: UInt32(random.below(3)))
        case 12 where !function.blockArgPool.isEmpty:
            let index = random.below(function.blockArgPool.count)
            switch random.below(3) {
            case 0: function.blockArgPool[index] = .value(Value(random.index(near: function.values.count)))
            case 1: function.blockArgPool[index] = .tryCallReturn(random.index(near: 2))
            default: function.blockArgPool[index] = .tryCallException(random.index(near: 2))
            }
        case 13 where !function.blockCallPool.isEmpty:
            let index = random.below(function.blockCallPool.count)
            function.blockCallPool[index].block = Block(random.index(near: function.blocks.count))
            if random.below(2) == 0 {
                function.blockCallPool[index].arguments =
                    PoolRange(start: random.index(near: function.blockArgPool.count), count: UInt32(random.below(3)))
            }
        case 14:
            switch random.below(5) {
            case 0: function.functionRefs = function.functionRefs.map { _ in nil }
            case 1: function.signatures.removeAll()
            case 2: function.exceptionTables = [ExceptionTableData(signature: SigRef(random.index(near: 1)),
                                                                   handlerTags: [.context(Value(random.index(near: 9)))],
                                                                   contexts: [Value(random.index(near: 9))])]
            case 3: function.globalValues.append(.load(base: GlobalValue(random.index(near: 2)), offset: 0, type: .i64,
                                                       flags: MemFlags()))
            default: function.constants = [[]]
            }
        default:
            function.insts[random.below(max(instCount, 1)) % max(instCount, 1)].offset = Int32(random.below(3))
        }
    }

    @Test func corruptedFunctionsNeverCrashTheVerifier() {
        let seed = Self.seedFunction()
        VerifierExpectations.expectValid(seed)
        var random = Generator(state: 2026)
        var flagged = 0
        // A few thousand keep the debug-build test quick; set VERIFIER_MUTANTS for more.
        let count = ProcessInfo.processInfo.environment["VERIFIER_MUTANTS"].flatMap { Int($0) } ?? 4_000
        for _ in 0 ..< count {
            var function = seed
            for _ in 0 ... random.below(4) { Self.mutate(&function, &random) }
            let problems = IRVerifier.verify(function, fileName: "mutant.clif")
            if !problems.isEmpty { flagged += 1 }
            // Descriptions must render too (they read the function again).
            _ = problems.map(\.description)
        }
        // Most corruptions are real errors; a few (e.g. an offset of 0) are harmless.
        #expect(flagged > count * 3 / 4)
    }
}
