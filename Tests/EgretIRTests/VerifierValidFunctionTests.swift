import Testing
@testable import EgretIR

/// Well-formed functions of every shape verify clean: the verifier must not reject what
/// Cranelift accepts.
struct VerifierValidFunctionTests {
    @Test func straightLineArithmetic() {
        var b = TestFunctionBuilder(params: [.i32, .i32], returns: [.i32])
        let params = b.block(0, .i32, .i32)
        let sum = b.binary(.iadd, params[0], params[1])
        let product = b.binary(.imul, sum, params[1])
        let flag = b.add(.icmp, .i32, [product, sum], results: [.i8]) { $0.intCC = .slt }[0]
        let chosen = b.add(.select, .i32, [flag, product, sum], results: [.i32])[0]
        b.ret(chosen)
        VerifierExpectations.expectValid(b.function)
    }

    @Test func countingLoop() {
        var b = TestFunctionBuilder(params: [.i64], returns: [.i64])
        let limit = b.block(0, .i64)[0]
        let zero = b.iconst(.i64, 0)
        let one = b.iconst(.i64, 1)
        b.jump(1, [zero, zero])
        let loop = b.block(1, .i64, .i64)
        let sum = b.binary(.iadd, loop[1], loop[0])
        let next = b.binary(.iadd, loop[0], one)
        let more = b.add(.icmp, .i64, [next, limit], results: [.i8]) { $0.intCC = .ult }[0]
        b.brif(more, 1, [next, sum], 2, [sum])
        let result = b.block(2, .i64)[0]
        b.ret(result)
        VerifierExpectations.expectValid(b.function)
    }

    @Test func diamondUsesTheEntryValuesAtTheJoin() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        b.brif(x, 1, [], 2, [])
        b.block(1)
        let one = b.iconst(.i32, 1)
        b.jump(3, [one])
        b.block(2)
        let two = b.iconst(.i32, 2)
        b.jump(3, [two])
        let joined = b.block(3, .i32)[0]
        let sum = b.binary(.iadd, joined, x)
        b.ret(sum)
        VerifierExpectations.expectValid(b.function)
    }

    @Test func branchTableWithArguments() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let index = b.block(0, .i32)[0]
        let seven = b.iconst(.i32, 7)
        b.add(.br_table, .invalid, [index], targets: [(3, [.value(seven)]), (1, []), (2, []), (1, [])])
        b.block(1)
        b.jump(3, [index])
        b.block(2)
        b.jump(3, [seven])
        let result = b.block(3, .i32)[0]
        b.ret(result)
        VerifierExpectations.expectValid(b.function)
    }

    @Test func directIndirectAndTailCalls() {
        var b = TestFunctionBuilder(params: [.i64, .i64], returns: [.i64], callConv: .tail)
        let sig = b.signature([.i64], [.i64], .tail)
        let callee = b.functionReference("g", sig)
        let params = b.block(0, .i64, .i64)
        let direct = b.add(.call, .invalid, [params[0]], results: [.i64]) { $0.entity = callee.index }[0]
        let indirect = b.add(.call_indirect, .invalid, [params[1], direct], results: [.i64]) { $0.entity = sig.index }[0]
        let address = b.add(.func_addr, .i64, results: [.i64]) { $0.entity = callee.index }[0]
        _ = address
        b.add(.return_call, .invalid, [indirect]) { $0.entity = callee.index }
        VerifierExpectations.expectValid(b.function)
    }

    @Test func tryCallWithReturnsAndPayloads() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let sig = b.signature([.i32], [.f32], .tail)
        let callee = b.functionReference("g", sig)
        b.function.exceptionTables.append(ExceptionTableData(signature: sig, handlerTags: [.tag(1), .catchAll]))
        let x = b.block(0, .i32)[0]
        b.add(.try_call, .invalid, [x],
              targets: [(1, [.tryCallReturn(0), .value(x)]), (2, [.tryCallException(0)]),
                        (3, [.value(x), .tryCallException(1)])]) {
            $0.entity = 0
            $0.immediate = Int64(callee.index)
        }
        b.block(1, .f32, .i32)
        let one = b.iconst(.i32, 1)
        b.ret(one)
        b.block(2, .i64)
        let two = b.iconst(.i32, 2)
        b.ret(two)
        b.block(3, .i32, .i64)
        let three = b.iconst(.i32, 3)
        b.ret(three)
        VerifierExpectations.expectValid(b.function)
    }

    @Test func unreachableBlocksMayUseAnything() {
        // Cranelift's unreachable_code.clif: uses in unreachable blocks are not checked
        // for dominance, even of values from other unreachable blocks.
        var b = TestFunctionBuilder(params: [.i32], returns: [.i32])
        let x = b.block(0, .i32)[0]
        b.ret(x)
        let param = b.block(1, .i32)[0]
        let sum = b.binary(.iadd, x, param)
        b.jump(2, [sum])
        let other = b.block(2, .i32)[0]
        let again = b.binary(.iadd, param, other)
        b.ret(again)
        VerifierExpectations.expectValid(b.function)
    }

    @Test func vectorLanesShufflesAndConstants() {
        let i32x4 = IRType(lane: .i32, laneCountLog2: 2)
        let i8x16 = IRType(lane: .i8, laneCountLog2: 4)
        var b = TestFunctionBuilder(params: [i32x4], returns: [.i32])
        b.function.constants.append(Array(0 ..< 16))
        b.function.constants.append([UInt8](repeating: 0, count: 16))
        let vector = b.block(0, i32x4)[0]
        let lane = b.add(.extractlane, i32x4, [vector], results: [.i32]) { $0.immediate = 3 }[0]
        let replaced = b.add(.insertlane, i32x4, [vector, lane], results: [i32x4]) { $0.immediate = 0 }[0]
        let bytes = b.add(.bitcast, i8x16, [replaced], results: [i8x16]) { $0.flags.endianness = .little }[0]
        let zeros = b.add(.vconst, i8x16, results: [i8x16]) { $0.entity = 1 }[0]
        _ = b.add(.shuffle, i8x16, [bytes, zeros], results: [i8x16]) { $0.entity = 0 }
        b.ret(lane)
        VerifierExpectations.expectValid(b.function)
    }

    @Test func memoryThroughAStackSlot() {
        var b = TestFunctionBuilder(params: [.i32], returns: [.i64])
        b.function.stackSlots.append(StackSlotData(size: 16, alignmentLog2: 3))
        let x = b.block(0, .i32)[0]
        let address = b.add(.stack_addr, .i64, results: [.i64]) { $0.entity = 0; $0.offset = 8 }[0]
        b.add(.store, .i32, [x, address]) { $0.flags = .trusted; $0.offset = 4 }
        let loaded = b.add(.uload32, .i64, [address], results: [.i64]) { $0.offset = 4 }[0]
        let maskedFlags = b.add(.iconst, .i8, results: [.i8]) { $0.immediate = 255 }[0]
        b.add(.trapz, .i8, [maskedFlags]) { $0.trapCode = .integerDivisionByZero }
        b.ret(loaded)
        VerifierExpectations.expectValid(b.function)
    }
}
