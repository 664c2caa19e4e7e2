import EgretIR
import Testing
@testable import EgretCodegen

/// Compiled modules run on a guard-paged stack of the stack budget (`JITStack`);
/// modules written for 32-bit pointers get it below 4 GiB.
struct JITStackTests {
    @Test func aLowStackLiesBelowFourGiB() throws {
        let stack = try JITStack(size: 1 << 16, placement: .below4GiB)
        #expect(UInt(bitPattern: stack.top) <= UInt(UInt32.max) + 1)
        #expect(stack.size == 1 << 16)
        #expect(stack.bounds.high - stack.bounds.low == UInt(stack.size))
    }

    @Test func aStackIsRoundedToPagesAndCanBeWrittenToItsEnds() throws {
        let stack = try JITStack(size: 10_000)
        #expect(stack.size == 12288)
        stack.low.storeBytes(of: 1, as: UInt8.self)
        (stack.top - 1).storeBytes(of: 2, as: UInt8.self)
        #expect(stack.bounds.isGuardFault(stack.bounds.low - 1))
        #expect(!stack.bounds.isGuardFault(stack.bounds.low))
    }

    static let source = """
        target pulley32

        function %slot_address() -> i32 {
            ss0 = explicit_slot 8
        block0:
            v0 = stack_addr.i32 ss0
            return v0
        }

        function %recurse(i32) -> i32 {
            ss0 = explicit_slot 64
            fn0 = %recurse(i32) -> i32
        block0(v0: i32):
            v1 = stack_addr.i32 ss0
            store.i32 notrap v0, v1
            v2 = call fn0(v0)
            return v2
        }
        """

    static let overrides: [[CallConv: CallConv]] = [[:], [.systemV: .windowsFastcall]]

    func compiled(_ overrides: [CallConv: CallConv]) throws -> CompiledModule {
        let module = try CLIFParser.parse(Self.source, fileName: "t.clif")
        #expect(IRVerifier.verify(module).isEmpty)
        var options = Compiler.Options()
        options.callConvOverrides = overrides
        options.checkAllocation = true
        return try CompiledModule(module, options: options)
    }

    @Test(arguments: overrides)
    func stackAddressesOfA32BitModuleAreOnItsLowStack(overrides: [CallConv: CallConv]) throws {
        let module = try compiled(overrides)
        let stack = module.stack
        #expect(stack.placement == .below4GiB && stack.size == StackBudget.bytes)
        guard case .returned(let values) = try module.call(functionIndex: 0, arguments: []),
              let address = values.first else {
            Issue.record("slot_address did not return")
            return
        }
        #expect(address.low >= UInt64(stack.bounds.low) && address.low < UInt64(stack.bounds.high))
    }

    @Test(arguments: overrides)
    func overflowingTheLowStackIsAStackOverflowTrap(overrides: [CallConv: CallConv]) throws {
        let module = try compiled(overrides)
        for _ in 0 ..< 3 {
            #expect(try module.call(functionIndex: 1, arguments: [.int(7, .i32)]) == .trapped(.stackOverflow))
        }
        #expect(try module.call(functionIndex: 0, arguments: []) != .trapped(.stackOverflow))
    }

    /// A 64-bit module runs on a stack of its own too, of the stack budget: the
    /// address of a stack slot lies on it, not on the calling thread's stack.
    @Test func a64BitModuleRunsOnAStackOfTheBudget() throws {
        let module = try CompiledModule(try CLIFParser.parse("""
            function %f() -> i64 {
                ss0 = explicit_slot 8
            block0:
                v0 = stack_addr.i64 ss0
                return v0
            }
            """, fileName: "t.clif"))
        #expect(module.stack.placement == .anywhere && module.stack.size == StackBudget.bytes)
        guard case .returned(let values) = try module.call(functionIndex: 0, arguments: []),
              let address = values.first else {
            Issue.record("f did not return")
            return
        }
        let bounds = module.stack.bounds
        #expect(address.low >= UInt64(bounds.low) && address.low < UInt64(bounds.high))
    }
}
