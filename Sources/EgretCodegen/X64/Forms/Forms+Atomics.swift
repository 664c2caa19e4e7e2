/// The form table, part: the atomic forms. x86 is TSO: plain aligned loads are
/// atomic loads and need no row here; the locked forms below are full barriers. Their
/// memory operand carries a trap code like a load's.
extension X64Form {
    static let atomicRows: [X64Form] = [
        X64Form(.cmpxchg, "cmpxchg", .size, .dedicated, sizes: .all,
                .mr(0x0FB1).locked.wBit,
                traps: .onMemoryFault, semantics: .compareExchange,
                "lock cmpxchg: store src if [mem] == rax; rax = the old value, ZF = exchanged: atomic_cas, RMW loops"),
        X64Form(.xchg, "xchg", .size, .exchange, sizes: .all,
                .mr(0x87).wBit,
                traps: .onMemoryFault, semantics: .exchange,
                "swap a register with memory (locked without a prefix): atomic_store seq_cst, atomic_rmw xchg"),
        X64Form(.xadd, "xadd", .size, .exchange, sizes: .all,
                .mr(0x0FC1).locked.wBit,
                traps: .onMemoryFault, semantics: .exchangeAdd,
                "lock xadd: [mem] += src, src = the old value: atomic_rmw add and sub"),
        X64Form(.cmpxchg16b, "cmpxchg16b", .none, .dedicated, sizes: .fixed,
                .m(0x0FC7, 1).locked.rexW(.always), requires: .cmpxchg16b,
                traps: .onMemoryFault, semantics: .compareExchange16,
                "lock cmpxchg16b: cmpxchg on 16 aligned bytes with rdx:rax and rcx:rbx: i128 atomics"),
        X64Form(.mfence, "mfence", .none, .fence, sizes: .fixed,
                .zo(0x0FAEF0),
                traps: .never, semantics: .fence,
                "orders every load and store before it against those after it: fence"),
    ]
}
