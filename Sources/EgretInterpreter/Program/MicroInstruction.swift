import EgretIR

/// The operations of decoded code. One CLIF opcode becomes one micro-operation chosen
/// by its type: integer operations come in a *narrow* form (i8 … i64, the value in the
/// low word of a register) and a *wide* form (i128, both words); float operations carry
/// their width (32 or 64) in `MicroInstruction.bits`.
///
/// The decoder (`FunctionDecoder+Opcodes.swift`) is the only place that maps opcodes to
/// micro-operations, and `Machine+Run.swift` the only place that executes them. Neither
/// switch has a `default:`.
///
/// Operand conventions (fields of `MicroInstruction`): `destination` is the first
/// result's register, `a`, `b`, `c` the operands' registers; exceptions are listed with
/// each case.
enum MicroOp: UInt8 {
    // MARK: Failures
    /// Throws `failures[a]`: an unsupported feature or an invalid instruction, reported
    /// only if execution reaches it.
    case fail

    // MARK: Constants and moves (any type)
    /// `destination = immediate` (the low word; i8 … i64 constants and float bits).
    case constant
    /// `destination = a`: `uextend` (registers hold zero-extended bits) and `bitcast`.
    case copy
    /// `destination = a` truncated to `bits`: `ireduce`.
    case truncate
    /// `destination = a` sign-extended from `otherBits` to `bits`: `sextend`.
    case signExtend
    /// `destination = a | b << otherBits` (halves of `otherBits` bits): `iconcat`.
    case concat
    /// `destination = low half of a`, `b = high half` (`b` is a result here); halves
    /// have `bits` bits: `isplit`.
    case split

    // MARK: Bitwise operations on whole registers (any type; registers are zero-extended)
    case band, bor, bxor
    /// `destination = (b & a) | (c & ~a)` — CLIF's `bitselect c, x, y` with c in `a`.
    case bitselect
    /// `destination = a != 0 ? b : c` (also `select_spectre_guard`).
    case select
    /// `destination = a != 0 ? all ones of bits : 0`.
    case bmask

    // MARK: Narrow integers (i8 … i64), `bits` is the width
    case iadd, isub, ineg, iabs, imul, umulhi, smulhi
    /// Integer division and remainder; trap `int_divz` / `int_ovf` as CLIF says.
    case udiv, sdiv, urem, srem
    case smin, umin, smax, umax
    /// `code` is the `IntCC`.
    case icmp
    /// Two results: `destination` the wrapped value, `c` the i8 flag.
    case uaddOverflow, saddOverflow, usubOverflow, ssubOverflow, umulOverflow, smulOverflow
    /// Carry/borrow in `c`; two results: `destination` and the flag register in
    /// `immediate`.
    case uaddOverflowCin, saddOverflowCin, usubOverflowBin, ssubOverflowBin
    /// Traps with `code` on unsigned overflow.
    case uaddOverflowTrap
    /// The shift count is register `b`, taken modulo `bits`.
    case ishl, ushr, sshr, rotl, rotr
    case bnot, bitrev, bswap, clz, ctz, cls, popcnt

    // MARK: Wide integers (i128): the same operations on both words
    case iaddWide, isubWide, inegWide, iabsWide, imulWide, umulhiWide, smulhiWide
    case udivWide, sdivWide, uremWide, sremWide
    case sminWide, uminWide, smaxWide, umaxWide
    case icmpWide
    case uaddOverflowWide, saddOverflowWide, usubOverflowWide, ssubOverflowWide
    case uaddOverflowCinWide, saddOverflowCinWide, usubOverflowBinWide, ssubOverflowBinWide
    case ishlWide, ushrWide, sshrWide, rotlWide, rotrWide
    case bnotWide, bitrevWide, bswapWide, clzWide, ctzWide, clsWide, popcntWide

    // MARK: Floats (`bits` = 32 or 64)
    case fadd, fsub, fmul, fdiv, sqrt
    /// `destination = a * b + c`, rounded once.
    case fma
    case fneg, fabs, fcopysign, fmin, fmax
    case ceil, floor, trunc, nearest
    /// `code` is the `FloatCC`.
    case fcmp
    /// `bits` is the result width, `otherBits` the operand's.
    case fpromote, fdemote
    /// `bits` is the integer result width, `otherBits` the float operand's.
    case fcvtToSint, fcvtToUint, fcvtToSintSat, fcvtToUintSat
    /// `bits` is the float result width, `otherBits` the integer operand's.
    case fcvtFromSint, fcvtFromUint

    // MARK: Memory
    /// Load `otherBits` bits from `a + immediate`, zero-extended to `bits`. `code` is
    /// the trap code, `flags` the `MemoryAccessFlags`.
    case load
    /// As `load`, sign-extended.
    case sload
    /// Store the low `otherBits` bits of `b` at `a + immediate`.
    case store
    /// `destination` = this frame's stack slot area + `immediate`, as a `bits`-bit
    /// address (of the 32-bit view for 32 bits).
    case stackAddr
    /// Atomic read-modify-write of `bits` bits at `a` with operand `b`; `otherBits` is
    /// the `AtomicRmwOp`. Result: the old value.
    case atomicRmw
    /// Compare-and-swap at `a`: expected `b`, replacement `c`. Result: the old value.
    case atomicCas

    // MARK: Control
    /// Targets are indices into `DecodedProgram.targets`: `b` for `jump`; `b` (then)
    /// and `c` (else) for `brif`; `b` (default) then `b + 1 …` for `br_table` with
    /// `immediate` entries.
    case jump, brif, brTable
    /// Traps with `code`; `trapz`/`trapnz` test register `a`.
    case trap, trapz, trapnz
    /// Returned registers are `operandPool[a ..< a + b]`.
    case `return`
    /// `a` is an index into `DecodedProgram.callSites`.
    case call, callIndirect, returnCall, returnCallIndirect
    /// `destination` = the address of function `immediate` (module functions, then
    /// `FloatLibcall`s), as a `bits`-bit address.
    case funcAddr
}

/// One decoded instruction: 32 bytes, operands resolved to register numbers of the
/// current frame, branch targets to indices. Which fields mean something depends on
/// `op` (see `MicroOp`); the others are zero.
struct MicroInstruction {
    var op: MicroOp
    /// The width of the controlling type in bits.
    var bits: UInt8 = 0
    /// A second width (extensions, conversions, memory accesses) or an `AtomicRmwOp`.
    var otherBits: UInt8 = 0
    /// A condition code or a trap code, by operation.
    var code: UInt8 = 0
    /// Memory access flags (`MemoryAccessFlags`).
    var flags: UInt8 = 0
    var destination: UInt32 = 0
    var a: UInt32 = 0
    var b: UInt32 = 0
    var c: UInt32 = 0
    /// A constant, an offset, a table length or a second result register, by operation.
    var immediate: UInt64 = 0

    init(_ op: MicroOp, bits: Int = 0, destination: UInt32 = 0, a: UInt32 = 0, b: UInt32 = 0, c: UInt32 = 0,
         immediate: UInt64 = 0) {
        self.op = op
        self.bits = UInt8(truncatingIfNeeded: bits)
        self.destination = destination
        self.a = a
        self.b = b
        self.c = c
        self.immediate = immediate
    }
}

/// Flags of a decoded memory access.
enum MemoryAccessFlags {
    /// The value is stored most significant byte first.
    static let bigEndian: UInt8 = 1
    /// The address operand is an i32: a pointer of the 32-bit view (`AddressMap`).
    static let address32: UInt8 = 2
}

/// One register of a frame: the bits of a value of any supported type, zero-extended to
/// 128 bits. Every operation writes both words, so a register can be compared, copied
/// and tested for zero without knowing its type.
struct Register: Equatable {
    var low: UInt64
    var high: UInt64

    @inline(__always) init(low: UInt64, high: UInt64 = 0) {
        self.low = low
        self.high = high
    }

    @inline(__always) init(_ value: UInt128) {
        low = UInt64(truncatingIfNeeded: value)
        high = UInt64(truncatingIfNeeded: value >> 64)
    }

    static let zero = Register(low: 0, high: 0)

    @inline(__always) var wide: UInt128 { UInt128(high) << 64 | UInt128(low) }
    @inline(__always) var isZero: Bool { low | high == 0 }
}

/// A branch destination: where its block's code starts, the register moves that pass
/// the block arguments, and the fuel its block costs.
struct BranchTarget {
    var codeIndex: Int32
    /// Moves `moves[moveStart ..< moveStart + moveCount]`, executed in order (the decoder
    /// already routed overlapping moves through scratch registers).
    var moveStart: Int32
    var moveCount: Int32
    /// The number of IR instructions of the target block.
    var fuelCost: Int32
}

/// Copy register `from` to register `to` in the current frame.
struct RegisterMove {
    var from: UInt32
    var to: UInt32
}

/// A call instruction's operands.
struct CallSite {
    /// The callee's index in the module for direct calls; -1 for indirect calls (the
    /// callee is register `calleeRegister`).
    var callee: Int32
    var calleeRegister: UInt32
    /// The width of the callee address (32 for the 32-bit view).
    var calleeAddressBits: UInt8
    /// The callee's expected signature for indirect calls (a `SignatureShape` id).
    var signatureID: Int32
    /// Argument registers: `operandPool[argumentStart ..< argumentStart + argumentCount]`.
    var argumentStart: Int32
    var argumentCount: Int32
    /// Result registers, likewise.
    var resultStart: Int32
    var resultCount: Int32
}

/// Where a stack slot lives inside its frame's stack area.
struct StackSlotLayout {
    var offset: Int
    var size: Int
}
