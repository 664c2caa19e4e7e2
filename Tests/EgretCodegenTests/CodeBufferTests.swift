import Testing
import EgretIR
@testable import EgretCodegen

/// Labels, fixups, traps, relocations and constants of `CodeBuffer`, with finished
/// code decoded by capstone so branch targets are checked by an independent reader.
struct CodeBufferTests {
    private func emit(_ instructions: [X64Inst], into buffer: inout CodeBuffer) {
        for inst in instructions { inst.encode(into: &buffer) }
    }

    private func int32(_ bytes: [UInt8], at offset: Int) -> Int32 {
        Int32(bitPattern: (0 ..< 4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) })
    }

    @Test func forwardAndBackwardBranchesResolve() throws {
        var buffer = CodeBuffer()
        let top = buffer.makeLabel()
        let exit = buffer.makeLabel()
        buffer.bind(top)                                                      // 0
        emit([alu(.add, .size64, .imm(1), .rax)], into: &buffer)              // 0: 4 bytes
        emit([.jcc(cc: .e, target: exit)], into: &buffer)                     // 4: 6 bytes, forward
        emit([.jmp(target: top)], into: &buffer)                              // 10: 5 bytes, backward
        buffer.bind(exit)                                                     // 15
        emit([.ret(returns: [])], into: &buffer)
        let code = try buffer.finish()

        #expect(code.labelOffsets == [0, 15])
        #expect(int32(code.bytes, at: 6) == 15 - 10)
        #expect(int32(code.bytes, at: 11) == 0 - 15)
        let decoded = try Disassembler().disassemble(code.bytes)
        #expect(decoded.map(\.text) == ["addq $1, %rax", "je 0xf", "jmp 0", "retq"])
    }

    @Test func ripRelativeOperandsAccountForTrailingImmediates() throws {
        var buffer = CodeBuffer()
        let slot = buffer.addConstant([1, 2, 3, 4], alignment: 4)
        emit([store(.size32, -2, .rip(slot)),                                 // 0: c7 05 disp32 imm32 = 10
              load(.size32, .rip(slot), .rcx),                                // 10: 8b 0d disp32 = 6
              .ret(returns: [])], into: &buffer)                              // 16
        let code = try buffer.finish()

        #expect(code.codeSize == 17)
        #expect(buffer.offset(of: slot) == 20)
        #expect(Array(code.bytes[20 ..< 24]) == [1, 2, 3, 4])
        #expect(int32(code.bytes, at: 2) == 20 - 10)    // relative to the end, after the imm32
        #expect(int32(code.bytes, at: 12) == 20 - 16)
        let decoded = try Disassembler().disassemble(Array(code.bytes.prefix(code.codeSize)))
        #expect(decoded.map(\.text) == ["movl $0xfffffffe, 0xa(%rip)", "movl 4(%rip), %ecx", "retq"])
    }

    @Test func constantsAreAlignedAfterTheCode() throws {
        var buffer = CodeBuffer()
        let small = buffer.addConstant([0xAA], alignment: 1)
        let wide = buffer.addConstant(Array(repeating: 0x55, count: 16), alignment: 16)
        emit([lea(.size64, .rip(wide), .rax), lea(.size64, .rip(small), .rcx), .ret(returns: [])], into: &buffer)
        let code = try buffer.finish()

        #expect(code.codeSize == 15)
        #expect(buffer.offset(of: small) == 15)
        #expect(buffer.offset(of: wide) == 16)
        #expect(code.bytes.count == 32)
        #expect(int32(code.bytes, at: 3) == 16 - 7)
        #expect(int32(code.bytes, at: 10) == 15 - 14)
    }

    @Test func trapTableRecordsTheFaultingInstruction() throws {
        var buffer = CodeBuffer()
        emit([alu(.add, .size64, .imm(1), .rax),                                        // 0: 4 bytes
              div(.size64, .signed, .reg(.rcx)),                                       // 4: 3 bytes
              load(.size32, m(.rdi, 8, trap: .heapOutOfBounds), .rax),                 // 7: 3 bytes
              load(.size32, m(.rdi, 8), .rax),                                         // 10: notrap
              .trapIf(cc: .o, trap: .integerOverflow),                                 // 13: jno +2 at 13, ud2 at 15
              .ud2(trap: TrapCode.user(7) ?? .stackOverflow),                          // 17
              div(.size32, .unsigned, .mem(m(.rsi, trap: .integerDivisionByZero)))],   // 19
             into: &buffer)
        let code = try buffer.finish()
        #expect(code.traps == [
            TrapRecord(offset: 4, code: .integerDivisionByZero),
            TrapRecord(offset: 7, code: .heapOutOfBounds),
            TrapRecord(offset: 15, code: .integerOverflow),
            TrapRecord(offset: 17, code: TrapCode.user(7) ?? .stackOverflow),
            TrapRecord(offset: 19, code: .integerDivisionByZero),
        ])
    }

    @Test func relocationsNameExternalSymbols() throws {
        var buffer = CodeBuffer()
        emit([.callKnown(name: symbol("callee"), info: CallInfo()),                    // e8 at 0, field at 1
              .loadSymbol(name: .user(namespace: 0, index: 3), dst: Writable(.r11))],  // 49 bb at 5, field at 7
             into: &buffer)
        let code = try buffer.finish()
        #expect(code.relocations == [
            Relocation(offset: 1, kind: .pcRel32, target: symbol("callee"), addend: -4),
            Relocation(offset: 7, kind: .absolute64, target: .user(namespace: 0, index: 3), addend: 0),
        ])
        #expect(code.bytes.count == 15)
    }

    @Test func jumpTableEntriesAreRelativeToTheTable() throws {
        var buffer = CodeBuffer()
        let table = buffer.makeLabel()
        let first = buffer.makeLabel()
        let second = buffer.makeLabel()
        buffer.bind(first)
        emit([.ret(returns: [])], into: &buffer)
        buffer.bind(second)
        emit([.ret(returns: [])], into: &buffer)
        buffer.bind(table)                                                     // 2
        for (index, target) in [first, second].enumerated() {
            buffer.putLabelUse32(target, addend: Int32(4 * index))
        }
        let code = try buffer.finish()
        #expect(int32(code.bytes, at: 2) == 0 - 2)
        #expect(int32(code.bytes, at: 6) == 1 - 2)
    }

    @Test func misuseIsReportedByFinish() {
        var unbound = CodeBuffer()
        let nowhere = unbound.makeLabel()
        X64Inst.jmp(target: nowhere).encode(into: &unbound)
        #expect(throws: CodeBufferError.unboundLabel(nowhere)) { try unbound.finish() }

        var twice = CodeBuffer()
        let label = twice.makeLabel()
        twice.bind(label)
        twice.bind(label)
        #expect(throws: CodeBufferError.labelBoundTwice(label)) { try twice.finish() }

        var badAlignment = CodeBuffer()
        _ = badAlignment.addConstant([0], alignment: 3)
        #expect(throws: CodeBufferError.badAlignment(3)) { try badAlignment.finish() }

        var done = CodeBuffer()
        #expect(throws: Never.self) { try done.finish() }
        #expect(throws: CodeBufferError.finishedTwice) { try done.finish() }
    }

    @Test func disassemblerReportsBytesAndStopsAtGarbage() throws {
        let decoded = try Disassembler().disassemble([0x48, 0x01, 0xf7, 0xc3, 0x0f], address: 0x1000)
        #expect(decoded.count == 2)
        #expect(decoded.first?.address == 0x1000)
        #expect(decoded.first?.bytes == [0x48, 0x01, 0xf7])
        #expect(decoded.first?.mnemonic == "addq")
        #expect(decoded.first?.operands == "%rsi, %rdi")
        #expect(decoded.last?.text == "retq")
        #expect(try Disassembler().disassemble([]).isEmpty)
    }
}
