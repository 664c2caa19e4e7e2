import EgretIR
import Testing
@testable import EgretInterpreter

/// Stack slots, the heap buffer, bounds, byte order, trap codes of accesses, atomics.
struct MemoryTests {
    @Test(arguments: [IRType.i8, .i16, .i32, .i64, .i128, .f32, .f64])
    func storeThenLoadThroughAStackSlot(type: IRType) throws {
        let text = """
            function %f(\(type)) -> \(type) {
                ss0 = explicit_slot 40
            block0(v0: \(type)):
                v1 = stack_addr.i64 ss0+8
                store v0, v1+4
                v2 = load.\(type) v1+4
                return v2
            }
            """
        var source = EdgeValues(seed: UInt64(type.bits))
        var interpreter = try CLIF.interpreter(text)
        for _ in 0 ..< 20 {
            let value = IntegerSemanticsTests.value(source.value(bits: type.bits), type)
            #expect(try interpreter.call(functionIndex: 0, arguments: [value]) == .values([value]))
        }
    }

    @Test func littleEndianByDefaultAndBigWhenAsked() throws {
        let text = """
            function %f(i32) -> i8, i8, i32 {
                ss0 = explicit_slot 4
            block0(v0: i32):
                v1 = stack_addr.i64 ss0
                store v0, v1
                v2 = uload8.i32 v1
                v3 = ireduce.i8 v2
                store big v0, v1
                v4 = load.i8 v1
                v5 = load.i32 little v1
                return v3, v4, v5
            }
            """
        #expect(try CLIF.run(text, nil, [DataValue(type: .i32, low: 0x1122_3344)])
                == .values([DataValue(type: .i8, low: 0x44), DataValue(type: .i8, low: 0x11),
                            DataValue(type: .i32, low: 0x4433_2211)]))
    }

    @Test func extendingLoadsAndTruncatingStores() throws {
        let text = """
            function %f(i64) -> i64, i64, i64 {
                ss0 = explicit_slot 8
            block0(v0: i64):
                v1 = stack_addr.i64 ss0
                store v0, v1
                istore16 v0, v1+2
                v2 = sload16.i64 v1+2
                v3 = uload32.i64 v1
                v4 = sload8.i64 v1+7
                return v2, v3, v4
            }
            """
        #expect(try CLIF.run(text, nil, [DataValue(type: .i64, low: 0x8070_6050_4030_A0B0)])
                == .values([.int(-24400, .i64), DataValue(type: .i64, low: 0xA0B0_A0B0),
                            .int(-128, .i64)]))
    }

    /// Each slot is its own region: an access must lie inside one slot. The padding
    /// between slots and bytes outside the frame fault; the neighbouring slot is
    /// reachable by pointer arithmetic, as in a real frame.
    @Test func accessesOutsideASlotTrap() throws {
        let text = """
            function %f(i64) -> i32 {
                ss0 = explicit_slot 4
                ss1 = explicit_slot 4
            block0(v0: i64):
                v1 = stack_addr.i64 ss0
                v2 = iadd v1, v0
                v3 = load.i32 v2
                return v3
            }
            """
        var interpreter = try CLIF.interpreter(text)
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(0, .i64)]) == .values([.int(0, .i32)]))
        // ss1 is 8 bytes after ss0 (slots are 8-byte aligned).
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(8, .i64)]) == .values([.int(0, .i32)]))
        for offset: Int64 in [1, 2, 3, 4, 6, 9, 12, -1, -4, 1 << 40] {
            #expect(try interpreter.call(functionIndex: 0, arguments: [.int(offset, .i64)]) == .trap(.heapOutOfBounds),
                    "offset \(offset)")
        }
    }

    @Test func accessesUseTheirFlagsTrapCode() throws {
        let text = """
            function %f() -> i32 {
            block0:
                v0 = iconst.i64 16
                v1 = load.i32 user9 v0
                return v1
            }
            function %g() {
            block0:
                v0 = iconst.i64 0
                v1 = iconst.i8 1
                store notrap v1, v0
                return
            }
            """
        #expect(try CLIF.run(text, "f", []) == .trap(.user(9)!))
        #expect(try CLIF.run(text, "g", []) == .trap(.heapOutOfBounds))
    }

    @Test func zeroSizedSlotsAndSlotsOfReturnedFramesAreNotAddressable() throws {
        let text = """
            function %empty() -> i8 {
                ss0 = explicit_slot 0
            block0:
                v0 = stack_addr.i64 ss0
                v1 = load.i8 v0
                return v1
            }
            function %leak() -> i64 {
                ss0 = explicit_slot 8
            block0:
                v0 = stack_addr.i64 ss0
                return v0
            }
            function %dangling() -> i64 {
                fn0 = %leak() -> i64
            block0:
                v0 = call fn0()
                v1 = load.i64 v0
                return v1
            }
            """
        #expect(try CLIF.run(text, "empty", []) == .trap(.heapOutOfBounds))
        #expect(try CLIF.run(text, "dangling", []) == .trap(.heapOutOfBounds))
    }

    @Test func slotAlignmentIsHonoured() throws {
        let text = """
            function %f() -> i64 {
                ss0 = explicit_slot 3
                ss1 = explicit_slot 8, align = 64
            block0:
                v0 = stack_addr.i64 ss1
                v1 = iconst.i64 63
                v2 = band v0, v1
                return v2
            }
            """
        #expect(try CLIF.run(text, nil, []) == .values([.int(0, .i64)]))
    }

    @Test func stackSlotsStartZeroedInEveryCall() throws {
        let text = """
            function %f(i64) -> i64 {
                ss0 = explicit_slot 8
            block0(v0: i64):
                v1 = stack_addr.i64 ss0
                v2 = load.i64 v1
                store v0, v1
                return v2
            }
            """
        var interpreter = try CLIF.interpreter(text)
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(5, .i64)]) == .values([.int(0, .i64)]))
        #expect(try interpreter.call(functionIndex: 0, arguments: [.int(6, .i64)]) == .values([.int(0, .i64)]))
    }

    /// 32-bit pointers (as on pulley32) work through the 32-bit view; mixing the views
    /// — truncating a 64-bit pointer, or widening a 32-bit one — points nowhere.
    @Test func thirtyTwoBitPointersHaveTheirOwnView() throws {
        let text = """
            function %narrow(i16) -> i16 {
                ss0 = explicit_slot 8
            block0(v0: i16):
                v1 = stack_addr.i32 ss0+2
                store v0, v1+2
                v2 = load.i16 v1+2
                return v2
            }
            function %truncated() -> i8 {
                ss0 = explicit_slot 8
            block0:
                v0 = stack_addr.i64 ss0
                v1 = ireduce.i32 v0
                v2 = load.i8 v1
                return v2
            }
            function %widened() -> i8 {
                ss0 = explicit_slot 8
            block0:
                v0 = stack_addr.i32 ss0
                v1 = uextend.i64 v0
                v2 = load.i8 v1
                return v2
            }
            """
        #expect(try CLIF.run(text, "narrow", [.int(-5, .i16)]) == .values([.int(-5, .i16)]))
        #expect(try CLIF.run(text, "truncated", []) == .trap(.heapOutOfBounds))
        #expect(try CLIF.run(text, "widened", []) == .trap(.heapOutOfBounds))
    }

    @Test func anEnormousFrameOverflowsTheStack() throws {
        let text = """
            function %f() -> i8 {
                ss0 = explicit_slot 1000000000
            block0:
                v0 = iconst.i8 1
                return v0
            }
            """
        #expect(try CLIF.run(text, nil, []) == .trap(.stackOverflow))
    }

    // MARK: The heap

    static let heapProgram = """
        function %sum(i64, i64) -> i64 {
        block0(v0: i64, v1: i64):
            v2 = iconst.i64 0
            jump block1(v0, v2)
        block1(v3: i64, v4: i64):
            v5 = icmp eq v3, v1
            brif v5, block2(v4), block3
        block3:
            v6 = uload8.i64 v3
            v7 = iadd v4, v6
            v10 = iconst.i64 1
            v8 = iadd v3, v10
            jump block1(v8, v7)
        block2(v9: i64):
            return v9
        }
        function %fill(i64, i32) {
        block0(v0: i64, v1: i32):
            store v1, v0
            store big v1, v0+4
            return
        }
        """

    @Test func programsReadAndWriteTheHeapThroughPointers() throws {
        let module = try CLIF.module(Self.heapProgram)
        var interpreter = try Interpreter(module: module)
        interpreter.heap = [1, 2, 3, 4, 5, 6, 7, 8]
        let start = interpreter.heapPointer()
        #expect(start.low == interpreter.heapBaseAddress)
        let end = interpreter.heapPointer(offset: 8)
        #expect(try interpreter.call(functionIndex: 0, arguments: [start, end]) == .values([.int(36, .i64)]))
        #expect(try interpreter.call(functionIndex: 1, arguments: [start, DataValue(type: .i32, low: 0xAABB_CCDD)])
                == .values([]))
        #expect(interpreter.heap == [0xDD, 0xCC, 0xBB, 0xAA, 0xAA, 0xBB, 0xCC, 0xDD])
        // The second store would end one byte past the heap: it faults, after the first
        // store has written its bytes.
        #expect(try interpreter.call(functionIndex: 1, arguments: [interpreter.heapPointer(offset: 1), .int(0, .i32)])
                == .trap(.heapOutOfBounds))
        #expect(interpreter.heap == [0xDD, 0, 0, 0, 0, 0xBB, 0xCC, 0xDD])
        #expect(try interpreter.call(functionIndex: 0, arguments: [start, interpreter.heapPointer(offset: 9)])
                == .trap(.heapOutOfBounds))
    }

    @Test func anEmptyHeapHasNoAddresses() throws {
        var interpreter = try Interpreter(module: CLIF.module(Self.heapProgram))
        #expect(try interpreter.call(functionIndex: 0, arguments: [interpreter.heapPointer(), interpreter.heapPointer(offset: 1)])
                == .trap(.heapOutOfBounds))
    }

    // MARK: Atomics

    @Test func atomicsReadModifyWrite() throws {
        let text = """
            function %rmw(i64, i32) -> i32, i32, i32 {
            block0(v0: i64, v1: i32):
                v2 = atomic_rmw.i32 add v0, v1
                v3 = atomic_rmw.i32 smin v0, v1
                v4 = atomic_load.i32 v0
                return v2, v3, v4
            }
            function %cas(i64, i16, i16) -> i16, i16 {
            block0(v0: i64, v1: i16, v2: i16):
                v3 = atomic_cas v0, v1, v2
                v4 = atomic_load.i16 v0
                return v3, v4
            }
            """
        let module = try CLIF.module(text)
        var interpreter = try Interpreter(module: module)
        interpreter.heap = [10, 0, 0, 0]
        // 10 + -3 = 7; smin(7, -3) = -3.
        #expect(try interpreter.call(functionIndex: 0, arguments: [interpreter.heapPointer(), .int(-3, .i32)])
                == .values([.int(10, .i32), .int(7, .i32), .int(-3, .i32)]))
        interpreter.heap = [5, 0]
        #expect(try interpreter.call(functionIndex: 1, arguments: [interpreter.heapPointer(), .int(5, .i16), .int(9, .i16)])
                == .values([.int(5, .i16), .int(9, .i16)]))
        #expect(try interpreter.call(functionIndex: 1, arguments: [interpreter.heapPointer(), .int(5, .i16), .int(1, .i16)])
                == .values([.int(9, .i16), .int(9, .i16)]))
    }
}
