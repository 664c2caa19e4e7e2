import EgretIR

/// Lowering: a CLIF `Function` → `VCode<X64Inst>` over virtual registers, by the rules
/// of `X64LoweringRules`, plus what the frame needs (`FrameRequirements`).
///
///     Function ──plan──> reachable blocks, use counts, edge blocks, VCode order
///              ──lower──> per block, instructions last to first:
///                           skip a pure instruction whose results nobody used;
///                           else pick the best rule (opcode → candidates, type,
///                           operand shapes, guards) and run its emitter
///              ──entry──> register parameters → entryArguments, stack parameters →
///                           loads from .incomingArguments
///              ──join───> VCode (blocks in emission order) + FrameRequirements
///
/// Requires: a function the IR verifier accepts (SSA, dominance, types).
///
/// Guarantees (the VCode shape, VCode.swift):
/// - Blocks are in CLIF layout order, unreachable blocks dropped, each followed by the
///   edge blocks of its terminator; VCode block 0 is the entry.
/// - Block parameters are gone: a `jump` writes its target's parameters with
///   parallel-move semantics (sequentialised, cycles broken with a temporary); every
///   edge of a multi-way branch that carries arguments or is critical goes through an
///   edge block (`moves…; jmp target`), so the allocator never sees a critical edge.
/// - Terminators: a block ends with `jmp`, `jcc…; jmp` (brif: one jcc; br_table: a
///   compare chain `cmp; je` per table entry), `ret`, `ud2`, `returnCallKnown` or
///   `returnCallUnknown`. No allocator move is ever needed between the first branch
///   of a block and its end.
/// - Flags: every flags producer is immediately followed by its consumer (cmp+jcc,
///   cmp+cmov, test+trapIf, add+setcc, neg+adc+setcc, …). The register allocator may
///   insert only flag-preserving instructions (mov, loads, stores — never `xor` to
///   zero a register) between instructions.
/// - Every operand is a virtual register: integer values in the general-purpose
///   class, f32/f64 values in the float class (the low lane of an xmm register, the
///   lanes above it unspecified, like the upper bits of a narrow integer). Fixed
///   registers appear only as constraints (div/mul in rax/rdx, shift counts in rcx,
///   ABI locations, xmm0–xmm7 for float arguments and results).
/// - Sources, when asked (`recordSources`): `vcodeSources` names, for every VCode
///   instruction, the IR instruction whose rule emitted it, or the glue it belongs to
///   (`VCodeSource`): one `UInt32` per instruction, filled in per IR instruction as
///   its code is reversed.
///
/// **The narrow-value invariant.** An i8, i16 or i32 value lives in a 64-bit register
/// whose bits above its width are *unspecified*: nothing may rely on them and every
/// rule may leave garbage there. Rules that need them defined extend first:
/// division, the high halves of multiplies, clz/cls/popcnt, `uextend`/`sextend`,
/// `*_overflow` on mul, call arguments with `uext`/`sext`. Rules that only read the
/// low bits (add, sub, and, or, xor, not, neg, mul low half, shift left) run at 32 bits
/// for i8/i16/i32; compares, right shifts and the `*_overflow` flags use the exact
/// width (`cmpb`, `shrw`, `addb`).
///
/// **i128 values** are pairs of 64-bit virtual registers, low half first, both halves
/// always fully defined (X64LoweringContext+ValueRegs.swift). An instruction whose
/// controlling type is narrower but which reads an i128 (a shift count, a select
/// condition, ireduce, bmask) matches only rules whose pattern says so (`.lowBits`,
/// `.pair`, `.wideComparison`), never a plain `.register` rule.
///
/// Performance: rule lookup is an array index by opcode into plain-data candidates
/// (`X64LoweringRules.Candidate`), so trying a rule copies nothing reference-counted;
/// matching reads the function's arrays in place; machine instructions are emitted
/// straight into their block's buffer (`consuming`) and reversed in place; per-value
/// and per-block facts are one array each. The only allocations are per block and per
/// function, plus the `CallInfo` arrays of calls. Measured (release, tier-1 filetests
/// and a generated 6,500-instruction function, `LowerPerformanceTests`): about 200 ns
/// per IR instruction in large functions, about 2.3 µs of fixed cost per function.
public enum X64Lowering {
    /// Lowers one function.
    /// - Parameters:
    ///   - function: a verified CLIF function.
    ///   - options: convention overrides.
    /// - Throws: `CodegenError.unsupported` naming the construct Egret cannot lower
    ///   yet (`opcode fadd on f64`), `CodegenError.internalError` for a bug.
    public static func lower(_ function: Function, options: LoweringOptions = LoweringOptions()) throws -> LoweredFunction {
        let context = try X64LoweringContext(function: function, options: options)
        return try context.run()
    }
}

/// Choices the caller makes about a lowering.
public struct LoweringOptions: Sendable {
    /// Conventions to replace, applied to the function's own signature and to every
    /// callee's: the differential harness compiles one module under each convention
    /// (`[.systemV: .windowsFastcall]`).
    public var callConvOverrides: [CallConv: CallConv]
    /// Record which rule lowered each instruction (`LoweredFunction.appliedRules`), for
    /// tests, `egret compile --vcode` and coverage reports.
    public var recordRules: Bool
    /// Record which IR instruction emitted each VCode instruction
    /// (`LoweredFunction.vcodeSources`), for tests and the checker's reports
    /// (`RejectedAllocation`, which lowers the function again to ask for it). Off on
    /// the hot path: recording every function cost 1–3% of compile time in egret bench.
    public var recordSources: Bool
    /// Test-only: emitters that replace the named rules' own (a deliberately broken
    /// rule, to check that a verifier counterexample reproduces on the JIT). Not part
    /// of the public interface: reachable only through `@_spi(Testing) import`.
    @_spi(Testing) public var replacedEmitters: [String: RuleEmitter] = [:]
    /// Position-independent code (`set is_pic`): `func_addr` reads the address from
    /// the global offset table instead of an absolute relocation.
    public var positionIndependent = false

    public init(callConvOverrides: [CallConv: CallConv] = [:], recordRules: Bool = false,
                recordSources: Bool = false) {
        self.callConvOverrides = callConvOverrides
        self.recordRules = recordRules
        self.recordSources = recordSources
    }

    /// The convention a signature declared as `callConv` is compiled with.
    public func effectiveCallConv(_ callConv: CallConv) -> CallConv {
        callConvOverrides[callConv] ?? callConv
    }
}

/// The output of lowering one function.
public struct LoweredFunction: Sendable {
    public var vcode: VCode<X64Inst>
    public var frame: FrameRequirements
    /// The layout of the function's own signature (after overrides).
    public var signature: ABISignature
    /// The VCode block of each CLIF block (by block number), nil if unreachable.
    public var blockMap: [Int?]
    /// The rule that lowered each instruction, when `LoweringOptions.recordRules` was
    /// set (instructions skipped as unused have none).
    public var appliedRules: [Inst: String] = [:]
    /// What emitted each instruction of `vcode.insts` (parallel to it), one code per
    /// instruction (`VCodeSource(encoded:)`), when `LoweringOptions.recordSources` was
    /// set (empty otherwise): read it through `source(ofVCode:)`.
    public var vcodeSources: [UInt32] = []

    /// What emitted VCode instruction `index`.
    public func source(ofVCode index: Int) -> VCodeSource {
        VCodeSource(encoded: vcodeSources[index])
    }

    /// The VCode as text: `block0:` headers, one instruction per line, successors.
    public var text: String {
        var lines: [String] = []
        for (index, block) in vcode.blocks.enumerated() {
            let successors = block.successors.isEmpty ? "" : "  ; -> " + block.successors.map { "block\($0)" }.joined(separator: ", ")
            lines.append("block\(index):" + successors)
            for inst in vcode.insts[block.instRange] { lines.append("  \(inst)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// What emitted one VCode instruction: the rule that lowered an IR instruction, or
/// lowering's own glue, which belongs to no instruction. The register-allocation
/// checker's errors name the IR instruction through it (`Compiler.compile`).
///
/// Stored as one `UInt32` per VCode instruction (`LoweredFunction.vcodeSources`): the
/// instruction's index, or one of two codes above every index a function can have.
public enum VCodeSource: Hashable, Sendable {
    /// Code the lowering of this IR instruction emitted (argument moves of a call
    /// included: the call's rule emits them).
    case instruction(Inst)
    /// Moves that write block parameters (before a `jump`'s `jmp`, or in an edge
    /// block) and an edge block's `jmp`.
    case blockArguments
    /// Loads of the entry block's stack parameters.
    case parameters

    static let blockArgumentsCode = UInt32.max
    static let parametersCode = UInt32.max - 1

    public init(encoded: UInt32) {
        switch encoded {
        case Self.blockArgumentsCode: self = .blockArguments
        case Self.parametersCode: self = .parameters
        default: self = .instruction(Inst(encoded))
        }
    }
}
