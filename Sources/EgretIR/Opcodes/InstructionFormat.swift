/// The shape of an instruction: which operands and immediates it carries, and so how
/// it is parsed, printed and stored in `InstructionData`. Names follow Cranelift's.
///
/// | format | CLIF text | stored in |
/// |---|---|---|
/// | unary | `op x` | args |
/// | unaryImm | `iconst.i32 42` | immediate |
/// | unaryIeee16/32/64 | `f32const 0x1.0p0` | immediate (bits) |
/// | unaryConst | `vconst.i32x4 [1 2 3 4]`, `f128const 0x…` | entity = Constant |
/// | unaryGlobalValue | `symbol_value.i64 gv0` | entity = GlobalValue |
/// | binary | `op x, y` | args |
/// | binaryImm8 | `extractlane v0, 3` | args, immediate |
/// | ternary | `op x, y, z` | args |
/// | ternaryImm8 | `insertlane v0, v1, 3` | args, immediate |
/// | multiAry | `return v0, v1` | args |
/// | nullAry | `nop` | — |
/// | shuffle | `shuffle v0, v1, 0x…` | args, entity = Constant (mask) |
/// | intCompare | `icmp slt x, y` | code = IntCC, args |
/// | floatCompare | `fcmp lt x, y` | code = FloatCC, args |
/// | jump | `jump block1(v0)` | blockCalls |
/// | brif | `brif c, block1(v0), block2` | args, blockCalls (then, else) |
/// | branchTable | `br_table x, block1, [block2, block3]` | args, blockCalls (default first) |
/// | call | `call fn0(v0)` | entity = FuncRef, args |
/// | callIndirect | `call_indirect sig0, v0(v1)` | entity = SigRef, args (callee first) |
/// | tryCall | `try_call fn0(v0), sig0, block1(ret0), [tag1: block2(exn0)]` | entity = ExceptionTable, immediate = FuncRef index, args, blockCalls |
/// | tryCallIndirect | `try_call_indirect v0(v1), sig0, block1(ret0), [...]` | same, callee first |
/// | funcAddr | `func_addr.i64 fn0` | entity = FuncRef |
/// | atomicRmw | `atomic_rmw.i32 flags add p, x` | code = AtomicRmwOp, flags, args |
/// | atomicCas | `atomic_cas flags p, e, x` | flags, args |
/// | load | `load.i32 flags p+8` | flags, args, offset |
/// | loadNoOffset | `bitcast.i32 flags x`, `atomic_load.i32 flags p` | flags, args |
/// | store | `store flags x, p+8` | flags, args, offset |
/// | storeNoOffset | `atomic_store flags x, p` | flags, args |
/// | stackAddr | `stack_addr.i64 ss0+8` | entity = StackSlot, offset |
/// | dynamicStackAddr | `dynamic_stack_addr.i64 dss0` | entity = DynamicStackSlot |
/// | trap | `trap user1` | code = TrapCode |
/// | condTrap | `trapz c, int_divz` | args, code = TrapCode |
/// | intAddTrap | `uadd_overflow_trap x, y, user1` | args, code = TrapCode |
/// | exceptionHandlerAddress | `get_exception_handler_address.i64 block1, 0` | block, immediate |
public enum InstructionFormat: UInt8, CaseIterable, Sendable {
    case unary, unaryImm, unaryIeee16, unaryIeee32, unaryIeee64, unaryConst, unaryGlobalValue
    case binary, binaryImm8, ternary, ternaryImm8, multiAry, nullAry, shuffle
    case intCompare, floatCompare
    case jump, brif, branchTable
    case call, callIndirect, tryCall, tryCallIndirect, funcAddr
    case atomicRmw, atomicCas, load, loadNoOffset, store, storeNoOffset
    case stackAddr, dynamicStackAddr
    case trap, condTrap, intAddTrap
    case exceptionHandlerAddress
}
