import EgretRuntime
import Foundation
import Testing

/// Hand-assembled machine code in real executable memory: hardware traps inside it
/// come back as results, many times over, and the memory is never writable and
/// executable at once.
struct GuardedCallTests {
    /// Code placed in W^X memory and registered as JIT code for the test's duration.
    final class CodePage {
        let memory: UnsafeMutableRawPointer
        let size: Int

        init(_ bytes: [UInt8]) throws {
            size = bytes.count
            memory = try #require(egret_code_alloc(size))
            memory.copyMemory(from: bytes, byteCount: size)
            #expect(egret_code_make_executable(memory, size) == 0)
            #expect(egret_register_code_range(memory, size) == 0)
        }

        var trampoline: egret_trampoline {
            unsafeBitCast(memory, to: egret_trampoline.self)
        }

        deinit {
            egret_unregister_code_range(memory)
            egret_code_free(memory, size)
        }
    }

    // Each sequence follows the trampoline shape (rdi = slots, rsi = target).
    /// mov eax, 7; xor ecx, ecx; cdq; idiv ecx; ret   → SIGFPE at the idiv
    static let divideByZero: [UInt8] = [0xB8, 0x07, 0, 0, 0, 0x31, 0xC9, 0x99, 0xF7, 0xF9, 0xC3]
    /// ud2; ret   → SIGILL
    static let undefinedInstruction: [UInt8] = [0x0F, 0x0B, 0xC3]
    /// mov rax, [0x10]; ret   → SIGSEGV (via an absolute address that is never mapped)
    static let nullLoad: [UInt8] = [0x48, 0x8B, 0x04, 0x25, 0x10, 0, 0, 0, 0xC3]
    /// mov qword [rdi], 42; ret   → stores 42 into slot 0
    static let storeFortyTwo: [UInt8] = [0x48, 0xC7, 0x07, 42, 0, 0, 0, 0xC3]

    func call(_ page: CodePage, slots: UnsafeMutableRawPointer? = nil) -> (Int32, egret_trap_info) {
        var info = egret_trap_info()
        let status = egret_guarded_call(page.trampoline, slots, nil, &info)
        return (status, info)
    }

    @Test func aNormalReturnWritesItsResults() throws {
        let page = try CodePage(Self.storeFortyTwo)
        var slots = [UInt64](repeating: 0, count: 2)
        let (status, info) = slots.withUnsafeMutableBytes { call(page, slots: $0.baseAddress) }
        #expect(status == 0)
        #expect(info.signal == 0)
        #expect(slots[0] == 42)
    }

    @Test func divisionByZeroIsCaughtAtTheDivide() throws {
        let page = try CodePage(Self.divideByZero)
        let (status, info) = call(page)
        #expect(status == 1)
        #expect(info.signal == SIGFPE)
        #expect(info.pc == UInt(bitPattern: page.memory) + 8)
    }

    @Test func ud2IsCaughtAsIllegalInstruction() throws {
        let page = try CodePage(Self.undefinedInstruction)
        let (status, info) = call(page)
        #expect(status == 1)
        #expect(info.signal == SIGILL)
        #expect(info.pc == UInt(bitPattern: page.memory))
    }

    @Test func aBadLoadIsCaughtWithItsAddress() throws {
        let page = try CodePage(Self.nullLoad)
        let (status, info) = call(page)
        #expect(status == 1)
        #expect(info.signal == SIGSEGV)
        #expect(info.fault_address == 0x10)
    }

    @Test func thousandsOfTrapsLeaveTheProcessRunning() throws {
        let pages = try [CodePage(Self.divideByZero), CodePage(Self.undefinedInstruction), CodePage(Self.nullLoad)]
        var caught = [Int32: Int]()
        for round in 0 ..< 3000 {
            let (status, info) = call(pages[round % 3])
            #expect(status == 1)
            caught[info.signal, default: 0] += 1
        }
        #expect(caught == [SIGFPE: 1000, SIGILL: 1000, SIGSEGV: 1000])
    }

    @Test func codeMemoryIsNeverWritableAndExecutable() throws {
        let page = try CodePage(Self.storeFortyTwo)
        // Read the whole file: /proc files report no size, and a sized read stops early.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        let maps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        let address = UInt(bitPattern: page.memory)
        // The mapping that contains the page (adjacent mappings may have been merged).
        let line = maps.split(separator: "\n").first { line in
            let range = line.prefix { $0 != " " }.split(separator: "-").compactMap { UInt($0, radix: 16) }
            return range.count == 2 && range[0] <= address && address < range[1]
        }
        let permissions = try #require(line?.split(separator: " ").dropFirst().first)
        #expect(permissions.hasPrefix("r-x"))
    }
}
