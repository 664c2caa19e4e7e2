import EgretIR
@testable import EgretCodegen

/// Hand-assembled functions for the JIT tests, standing in for what lowering and
/// register allocation will produce: each is a list of `X64Inst` (physical registers,
/// System V) encoded through `CodeBuffer`, so its traps and relocations reach the JIT
/// exactly as the backend's will.
enum JITPrograms {
    /// Encodes `instructions`; `prepare` may add constants first (their labels are then
    /// usable in the instructions it returns).
    static func assemble(_ instructions: [X64Inst]) throws -> FinishedCode {
        try assemble { _ in instructions }
    }

    static func assemble(_ build: (inout CodeBuffer) -> [X64Inst]) throws -> FinishedCode {
        var buffer = CodeBuffer()
        let instructions = build(&buffer)
        for instruction in instructions { instruction.encode(into: &buffer) }
        return try buffer.finish()
    }

    static func signature(_ params: [IRType], _ returns: [IRType]) -> Signature {
        Signature(params: params.map { AbiParam($0) }, returns: returns.map { AbiParam($0) }, callConv: .systemV)
    }

    // MARK: Trampolines

    /// System V integer argument registers, in order.
    static let argumentRegisters: [Gpr] = [.rdi, .rsi, .rdx, .rcx, .r8, .r9]

    /// A trampoline for an integer System V signature, the shape the backend will
    /// compile: `trampoline(slots: rdi, target: rsi)`.
    ///
    ///     pushq %rbx                 ; callee-saved; also realigns rsp to 16
    ///     movq %rdi, %rbx            ; slots
    ///     movq %rsi, %r11            ; target (rsi is about to hold an argument)
    ///     movq 16*i(%rbx), <arg i>   ; an i128 takes two registers, low then high
    ///     callq *%r11
    ///     movq %rax, 0(%rbx) ...     ; results: rax then rdx (an i128: rax:rdx)
    ///     popq %rbx
    ///     retq
    static func trampoline(params: [IRType], returns: [IRType]) -> [X64Inst] {
        var code: [X64Inst] = [.push(src: .reg(.rbx)), mov(.size64, .rdi, .rbx), mov(.size64, .rsi, .r11)]
        var registers = argumentRegisters[...]
        for (slot, type) in params.enumerated() {
            for half in 0 ..< (type == .i128 ? 2 : 1) {
                guard let register = registers.popFirst() else { preconditionFailure("too many arguments") }
                code.append(load(.size64, m(.rbx, Int32(16 * slot + 8 * half)), register))
            }
        }
        code.append(.callUnknown(target: .reg(.r11), info: CallInfo()))
        var results: [Gpr] = [.rax, .rdx]
        for (slot, type) in returns.enumerated() {
            for half in 0 ..< (type == .i128 ? 2 : 1) {
                code.append(store(.size64, results.removeFirst(), m(.rbx, Int32(16 * slot + 8 * half))))
            }
        }
        code += [.pop(dst: Writable(.rbx)), .ret(returns: [])]
        return code
    }

    // MARK: Targets

    /// `(i64, i64) -> i64`: a + b.
    static let add: [X64Inst] = [mov(.size64, .rdi, .rax), alu(.add, .size64, .reg(.rsi), .rax), .ret(returns: [])]

    /// `(i8, i8) -> i8`: a + b in a 32-bit register, leaving the carry in bit 8 of rax
    /// (the convention leaves the upper bits unspecified; the caller must mask).
    static let add8: [X64Inst] = [mov(.size32, .rdi, .rax), alu(.add, .size32, .reg(.rsi), .rax), .ret(returns: [])]

    /// `(i64, i64) -> i64`: a / b signed; `idivq` records `int_divz` (offset 5).
    static let sdiv: [X64Inst] = [
        mov(.size64, .rdi, .rax),                                            // 0: 3 bytes
        signExtendData(.size64),                                             // 3: cqto, 2 bytes
        div(.size64, .signed, .reg(.rsi)),                                   // 5
        .ret(returns: []),
    ]

    /// `() -> ()`: `ud2` recorded as user trap `code`.
    static func trap(_ code: TrapCode) -> [X64Inst] { [.ud2(trap: code), .ret(returns: [])] }

    /// `(i64) -> i64`: traps with `code` if the argument is zero, else returns it.
    static func trapIfZero(_ code: TrapCode) -> [X64Inst] {
        [cmp(.size64, .imm(0), .rdi), .trapIf(cc: .e, trap: code), mov(.size64, .rdi, .rax), .ret(returns: [])]
    }

    /// `(i64) -> i64`: loads 8 bytes from the argument; the load carries `trap`
    /// (`nil`: a load the program marked as unable to fault).
    static func loadThrough(trap: TrapCode?) -> [X64Inst] {
        [load(.size64, m(.rdi, trap: trap), .rax), .ret(returns: [])]
    }

    /// `(i64, i64) -> i64`: calls `callee` (`pcRel32`), keeping rsp 16-aligned.
    static func callDirect(_ callee: ExternalName) -> [X64Inst] {
        [alu(.sub, .size64, .imm(8), .rsp), .callKnown(name: callee, info: CallInfo()),
         alu(.add, .size64, .imm(8), .rsp), .ret(returns: [])]
    }

    /// `(i64, i64) -> i64`: calls `callee` through its absolute address (`absolute64`).
    static func callThroughAddress(_ callee: ExternalName) -> [X64Inst] {
        [alu(.sub, .size64, .imm(8), .rsp), .loadSymbol(name: callee, dst: Writable(.r11)),
         .callUnknown(target: .reg(.r11), info: CallInfo()), alu(.add, .size64, .imm(8), .rsp), .ret(returns: [])]
    }

    /// `() -> i64`: the address of `symbol` (CLIF `func_addr`).
    static func addressOf(_ symbol: ExternalName) -> [X64Inst] {
        [.loadSymbol(name: symbol, dst: Writable(.rax)), .ret(returns: [])]
    }

    /// `() -> ()`: calls itself forever; each call pushes a return address until the
    /// stack runs out.
    static func recurseForever(_ name: ExternalName) -> [X64Inst] {
        [.callKnown(name: name, info: CallInfo()), .ret(returns: [])]
    }

    /// `(i128) -> i128`: a + 1, carrying into the high half.
    static let increment128: [X64Inst] = [
        mov(.size64, .rdi, .rax), mov(.size64, .rsi, .rdx),
        alu(.add, .size64, .imm(1), .rax), alu(.adc, .size64, .imm(0), .rdx), .ret(returns: []),
    ]

    /// `(i64, i64) -> (i64, i64)`: the arguments swapped.
    static let swap: [X64Inst] = [mov(.size64, .rsi, .rax), mov(.size64, .rdi, .rdx), .ret(returns: [])]

    /// `() -> i64`: loads a 16-byte-aligned constant RIP-relatively.
    static func loadConstant(_ value: UInt64) throws -> FinishedCode {
        try assemble { buffer in
            let constant = buffer.addConstant(withUnsafeBytes(of: value.littleEndian, Array.init) + [UInt8](repeating: 0, count: 8),
                                              alignment: 16)
            return [load(.size64, .rip(constant), .rax), .ret(returns: [])]
        }
    }

    /// `() -> i64`: `movq symbol(%rip), %rax`, a RIP-relative *data* reference to
    /// `symbol` (a `pcRel32` that is not a call).
    static func loadRipRelative(_ symbol: ExternalName) throws -> FinishedCode {
        var buffer = CodeBuffer()
        buffer.put([0x48, 0x8B, 0x05])                                       // movq disp32(%rip), %rax
        buffer.putRelocation(.pcRel32, to: symbol, addend: -4)
        X64Inst.ret(returns: []).encode(into: &buffer)
        return try buffer.finish()
    }
}

/// One module with the functions a test names, defined and finalized.
struct JITFixture {
    let module: JITModule

    /// `functions`: (name, parameter types, return types, code).
    init(_ functions: [(String, [IRType], [IRType], FinishedCode)], symbols: JITSymbolTable = JITSymbolTable()) throws {
        module = JITModule(symbols: symbols)
        for (name, params, returns, code) in functions {
            try module.define(symbol(name), signature: JITPrograms.signature(params, returns), code: code)
        }
        try module.finalize()
    }

    /// A trampoline definition for `params -> returns`, named `name`.
    static func trampoline(_ name: String, _ params: [IRType], _ returns: [IRType]) throws
        -> (String, [IRType], [IRType], FinishedCode) {
        (name, [.i64, .i64], [], try JITPrograms.assemble(JITPrograms.trampoline(params: params, returns: returns)))
    }

    func call(_ name: String, through trampoline: String, _ arguments: [DataValue]) throws -> CallResult {
        try module.call(symbol(name), through: symbol(trampoline), arguments: arguments)
    }
}

func i64(_ value: Int64) -> DataValue { .int(value, .i64) }
