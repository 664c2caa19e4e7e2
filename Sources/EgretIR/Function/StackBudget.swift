/// The stack a CLIF program gets, the same on every executor and defined here once.
///
/// Compiled code runs on a guard-paged stack of `bytes` bytes (`JITStack` in
/// EgretCodegen; frames of a page or more are probed, so an oversized frame faults in
/// the guard page), and the interpreter charges every call's frame against the same
/// number: its stack slots plus a fixed overhead for what a compiled frame holds
/// besides (`Interpreter.frameOverhead`). A program that needs more, by deep recursion
/// or by a huge stack slot, traps with `stk_ovf` on both. Near the edge the two can
/// differ by the difference between the interpreter's estimate of a frame and the
/// real one, so only a program that overflows clearly (or not at all) gets the same
/// outcome from both.
public enum StackBudget {
    /// 8 MiB, the stack a Linux thread gets by default.
    public static let bytes = 8 << 20
}
