import Testing
import EgretIR
@testable import EgretCodegen

/// Frames whose sizes come from the input: every size and offset of the layout is
/// added with overflow checks, and a frame beyond `X64Frame.sizeLimit` (or a frame
/// address beyond a 32-bit displacement) is an "implementation limit exceeded" error
/// naming the size, never a trap of the Swift runtime.
struct FrameLimitTests {
    static func compile(_ text: String) throws -> CompiledFunction {
        let module = try CLIFParser.parse(text, fileName: "frame.clif")
        return try Compiler.compile(module.functions[0])
    }

    /// The message of the `unsupported` error compiling `text` throws, or nil.
    static func refusal(_ text: String) -> String? {
        do {
            _ = try compile(text)
            return nil
        } catch CodegenError.unsupported(let message) {
            return message
        } catch {
            return "unexpected error: \(error)"
        }
    }

    @Test func slotsSummingPastFourGiBAreAnImplementationLimitNamingTheSize() throws {
        let text = """
            function %f() system_v {
                ss0 = explicit_slot 1536000000
                ss1 = explicit_slot 1536000000
                ss2 = explicit_slot 1536000000
                ss3 = explicit_slot 1536000000
            block0:
                trap user1
            }
            """
        let message = try #require(Self.refusal(text))
        #expect(message.hasPrefix("implementation limit exceeded"), "\(message)")
        #expect(message.contains("stack slots 6144000000"), "\(message)")
        #expect(message.contains("\(X64Frame.sizeLimit)"), "\(message)")
    }

    @Test func theLargestSlotSizeIsRefusedNotRoundedPastThirtyTwoBits() throws {
        let text = """
            function %f() system_v {
                ss0 = explicit_slot 0xffffffff
            block0:
                trap user1
            }
            """
        let message = try #require(Self.refusal(text))
        #expect(message.contains("stack slots 4294967295"), "\(message)")
    }

    @Test func theLayoutItselfRefusesEveryOversizedPart() throws {
        let limit = X64Frame.sizeLimit
        #expect(throws: CodegenError.self) {
            try X64Frame(stackSlots: [], spillSlotCount: limit / 8, outgoingArgumentsSize: 0, savedRegisters: [])
        }
        #expect(throws: CodegenError.self) {
            try X64Frame(stackSlots: [], spillSlotCount: Int.max / 4, outgoingArgumentsSize: 0, savedRegisters: [])
        }
        #expect(throws: CodegenError.self) {
            try X64Frame(stackSlots: [], spillSlotCount: 0, outgoingArgumentsSize: Int.max, savedRegisters: [])
        }
        #expect(throws: CodegenError.self) {
            try X64Frame(stackSlots: [], spillSlotCount: 0, outgoingArgumentsSize: 0, savedRegisters: [],
                         incomingArgumentsSize: limit)
        }
        let slots = [StackSlotData](repeating: StackSlotData(size: .max, alignmentLog2: 4, hasExplicitAlignment: true),
                                    count: 3)
        #expect(throws: CodegenError.self) {
            try X64Frame(stackSlots: slots, spillSlotCount: 0, outgoingArgumentsSize: 0, savedRegisters: [])
        }
    }

    @Test func aFrameJustBelowTheLimitIsLaidOut() throws {
        let size = X64Frame.sizeLimit - 4096
        let frame = try X64Frame(stackSlots: [StackSlotData(size: UInt32(size), alignmentLog2: 3,
                                                            hasExplicitAlignment: true)],
                                 spillSlotCount: 2, outgoingArgumentsSize: 32, savedRegisters: [.rbx])
        #expect(frame.stackSlotOffsets == [48])
        #expect(Int(frame.allocatedSize) + 8 >= size + 48)
    }

    @Test func aFrameAddressBeyondThirtyTwoBitsIsRefusedAtEmission() throws {
        // ss1 lies 512 MiB up the frame; 2^31 - 256 bytes further is past any
        // 32-bit displacement from rsp.
        let text = """
            function %f() -> i64 system_v {
                ss0 = explicit_slot 536870912
                ss1 = explicit_slot 8
            block0:
                v0 = stack_addr.i64 ss1+2147483392
                return v0
            }
            """
        let message = try #require(Self.refusal(text))
        #expect(message.hasPrefix("implementation limit exceeded"), "\(message)")
        #expect(message.contains("ss1+2147483392"), "\(message)")
    }
}
