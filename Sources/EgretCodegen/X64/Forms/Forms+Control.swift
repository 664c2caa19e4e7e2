/// The form table, part: calls, jumps, returns and the trap instruction. Direct
/// targets are rel32 (no branch shortening); rel8 jumps appear only inside the
/// pseudo-instructions that jump over a fixed number of bytes (`trapIf`,
/// `xmmCmove`, the atomic loops' backward `jne`).
extension X64Form {
    static let controlRows: [X64Form] = [
        X64Form(.call, "call", .size, .dedicated, sizes: [.size64],
                .d(0xE8).m(0xFF, 2).rexW(.never),
                traps: .onMemoryFault, semantics: .call,
                "call a symbol (E8, a pcRel32 relocation) or through a register or memory (FF /2)"),
        X64Form(.jmp, "jmp", .size, .dedicated, sizes: [.size64],
                .d(0xE9).d8(0xEB).m(0xFF, 4).rexW(.never),
                traps: .onMemoryFault, semantics: .jump,
                "jump to a label or symbol (E9: jumps, tail calls) or through a register or memory (jump tables)"),
        X64Form(.jcc, "j", .none, .dedicated, sizes: .fixed,
                .d(0x0F80).d8(0x70),
                traps: .never, semantics: .jumpOnCondition,
                "jump if cc holds (0F 80+cc rel32; 70+cc rel8 over an inline trap or copy): brif, loops"),
        X64Form(.ret, "ret", .size, .dedicated, sizes: [.size64],
                .zo(0xC3).i(0xC2, immediate: .word).rexW(.never),
                traps: .never, semantics: .return,
                "return; `ret $n` also pops the n bytes of stack arguments of a tail-convention function"),
        X64Form(.ud2, "ud2", .none, .dedicated, sizes: .fixed,
                .zo(0x0F0B),
                traps: .always, semantics: .trap,
                "an undefined instruction, recorded with a trap code: trap, trapz, trapnz, resumable traps"),
    ]
}
