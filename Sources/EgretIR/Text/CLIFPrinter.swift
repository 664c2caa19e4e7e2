/// Writes functions and modules as canonical CLIF text, in Cranelift's layout:
///
///     function %f(i32, i64) -> i32 {
///         ss0 = explicit_slot 16, align = 8       ; preamble in entity order
///         fn0 = %g(i32) -> i32
///
///     block0(v0: i32, v1: i64):                   ; a blank line before each block
///         v2 = stack_addr.i64 ss0+4
///         v3 = call fn0(v0)
///         return v3
///     }
///
/// Canonical means stable: `print(parse(print(f))) == print(f)`, and parsing the text
/// gives back a structurally identical function (same value, block and entity numbers).
/// Spellings follow Cranelift's writer: `Imm64` in decimal below 10 000 and grouped hex
/// (`0x0001_0000`) above, offsets with a sign (`+8`, `-0x0001_0000`) and nothing for zero,
/// memory flags in `MemFlags.description` order, floats via `FloatText.format`,
/// constants in the preamble (`const0 = 0x…`, referenced as `vconst.i32x4 const0`),
/// shuffle masks inline.
///
/// The `.type` suffix is printed when the opcode needs it (`requiresTypeSuffix`), and
/// also when its typevar operand is not defined earlier in the printed text (or has a
/// different type): Cranelift's reader needs that, so the output stays readable by
/// Cranelift as well as by Egret.
///
/// Requires: nothing; a malformed function (bad pool ranges, undeclared entities) still
/// prints, showing what is there, rather than trapping.
public enum CLIFPrinter {
    /// The canonical text of one function, ending with a newline.
    public static func print(_ function: Function) -> String {
        var printer = FunctionPrinter(function)
        printer.printFunction()
        return printer.output
    }

    /// Header lines (`test`, `set`, `target`), then each function followed by the run
    /// directives that call it.
    public static func print(_ module: Module) -> String {
        var output = ""
        for command in module.testCommands { output += "test \(command)\n" }
        for setting in module.settings {
            output += "set \(setting.name)" + (setting.value.map { "=\($0)" } ?? "") + "\n"
        }
        for target in module.targets {
            output += "target " + ([target.isa] + target.flags).joined(separator: " ") + "\n"
        }
        if let heap = module.heap {
            output += "; heap: \(heap.size)" + (heap.bytes.contains { $0 != 0 } ? " = \(HeapImage.hexText(heap.bytes))" : "")
                + "\n"
        }
        var directivesByFunction = [[RunDirective]](repeating: [], count: module.functions.count)
        var orphans: [RunDirective] = []
        for directive in module.runDirectives {
            if directive.functionIndex >= 0 && directive.functionIndex < module.functions.count {
                directivesByFunction[directive.functionIndex].append(directive)
            } else {
                orphans.append(directive)
            }
        }
        for (index, function) in module.functions.enumerated() {
            if !output.isEmpty { output += "\n" }
            output += print(function)
            for directive in directivesByFunction[index] { output += "; " + text(of: directive) + "\n" }
        }
        for directive in orphans { output += "; " + text(of: directive) + "\n" }
        return output
    }

    /// `run: %f(1, 2) == 3`, `print: %f(1)`, `run: %f(0) == trap int_divz`,
    /// `run: %g(heap) == 0, heap == "01"`.
    public static func text(of directive: RunDirective) -> String {
        let call = "\(directive.function)(\(directive.argumentText))"
        let heap = directive.expectedHeap.map { ", heap == \(HeapImage.hexText($0))" } ?? ""
        switch directive.expectation {
        case .none:
            return "print: " + call
        case .trap(let code):
            return "run: \(call) == trap \(code)" + heap
        case .values(let comparison, let values):
            let expected = values.count == 1 ? values[0].description
                : "[" + values.map(\.description).joined(separator: ", ") + "]"
            return "run: \(call) \(comparison.rawValue) \(expected)" + heap
        }
    }
}

/// Prints one function; see `CLIFPrinter`.
struct FunctionPrinter {
    let function: Function
    var output = ""
    /// Values defined so far in the printed text (for the type-suffix rule).
    var printedValues: [Bool]

    init(_ function: Function) {
        self.function = function
        printedValues = [Bool](repeating: false, count: function.values.count)
        output.reserveCapacity(64 + 32 * function.insts.count)
    }

    mutating func printFunction() {
        output += "function \(function.name)\(function.signature) {\n"
        let hasPreamble = printPreamble()
        for (position, block) in function.layout.enumerated() {
            if position > 0 || hasPreamble { output += "\n" }
            printBlockHeader(block)
            guard block.position < function.blocks.count else { continue }
            for inst in function.blocks[block.position].insts {
                printInstruction(inst)
            }
        }
        output += "}\n"
    }

    private mutating func printBlockHeader(_ block: Block) {
        output += "block\(block.index)"
        if block.position < function.blocks.count {
            let data = function.blocks[block.position]
            let params = values(in: data.params)
            if !params.isEmpty {
                output += "("
                for (position, value) in params.enumerated() {
                    if position > 0 { output += ", " }
                    output += "v\(value.index): \(type(of: value))"
                    markPrinted(value)
                }
                output += ")"
            }
            if data.isCold { output += " cold" }
        }
        output += ":\n"
    }

    // MARK: Preamble

    /// Prints the preamble lines; whether there were any.
    private mutating func printPreamble() -> Bool {
        let start = output.utf8.count
        for (index, slot) in function.stackSlots.enumerated() {
            output += "    ss\(index) = \(slot.kind.rawValue) \(slot.size)"
            if slot.hasExplicitAlignment || slot.alignmentLog2 != 0 { output += ", align = \(slot.alignment)" }
            output += "\n"
        }
        for (index, slot) in function.dynamicStackSlots.enumerated() {
            output += "    dss\(index) = explicit_dynamic_slot dt\(slot.dynamicType.index)\n"
        }
        for (index, type) in function.dynamicTypes.enumerated() {
            output += "    dt\(index) = \(type.baseVectorType)*gv\(type.scale.index)\n"
        }
        for (index, global) in function.globalValues.enumerated() {
            guard let global else { continue }
            output += "    gv\(index) = " + Self.text(of: global) + "\n"
        }
        let inlineSignatures = inlineSignatureOwners()
        for (index, signature) in function.signatures.enumerated() where !inlineSignatures.contains(index) {
            output += "    sig\(index) = \(signature)\n"
        }
        for (index, external) in function.functionRefs.enumerated() {
            guard let external else { continue }
            output += "    fn\(index) = " + (external.colocated ? "colocated " : "") + "\(external.name)"
            if inlineSignatures.contains(external.signature.position) {
                output += "\(function.signatures[external.signature.position])\n"
            } else {
                output += " sig\(external.signature.index)\n"
            }
        }
        for (index, bytes) in function.constants.enumerated() where !bytes.isEmpty {
            output += "    const\(index) = " + Self.hexText(of: bytes) + "\n"
        }
        return output.utf8.count != start
    }

    /// Signatures to print inline in their function declaration (`fn0 = %g(i32) -> i32`).
    ///
    /// The parser numbers inline signatures after every explicit `sigN`, in FuncRef
    /// order; a signature is printed inline only when parsing the text again reproduces
    /// its number: it was declared inline, only that one declaration uses it, and the
    /// inline ones are exactly the last signatures, in FuncRef order.
    private func inlineSignatureOwners() -> Set<Int> {
        var users = [Int](repeating: 0, count: function.signatures.count)
        for external in function.functionRefs {
            guard let external, external.signature.position < users.count else { continue }
            users[external.signature.position] += 1
        }
        var inline: [Int] = []
        for external in function.functionRefs {
            guard let external, external.inlineSignature, external.signature.position < users.count,
                  users[external.signature.position] == 1
            else { continue }
            inline.append(external.signature.position)
        }
        let firstInline = function.signatures.count - inline.count
        for (offset, index) in inline.enumerated() where index != firstInline + offset { return [] }
        return Set(inline)
    }

    static func text(of global: GlobalValueData) -> String {
        switch global {
        case .vmContext:
            return "vmctx"
        case .load(let base, let offset, let type, let flags):
            return "load.\(type)" + flagsText(flags) + " gv\(base.index)" + offset32Text(offset)
        case .addImmediate(let base, let offset, let type):
            return "iadd_imm.\(type) gv\(base.index), " + imm64Text(offset)
        case .symbol(let name, let offset, let colocated, let threadLocal):
            var text = "symbol " + (colocated ? "colocated " : "") + (threadLocal ? "tls " : "") + "\(name)"
            if offset > 0 { text += "+" }
            if offset != 0 { text += imm64Text(offset) }
            return text
        case .dynamicScaleTargetConstant(let vectorType):
            return "dyn_scale_target_const.\(vectorType)"
        }
    }

    // MARK: Safe access (a malformed function still prints)

    func values(in range: PoolRange) -> ArraySlice<Value> {
        let pool = function.valuePool
        let start = min(Int(range.start), pool.count)
        return pool[start ..< min(start + Int(range.count), pool.count)]
    }

    func blockCalls(in range: PoolRange) -> ArraySlice<BlockCall> {
        let pool = function.blockCallPool
        let start = min(Int(range.start), pool.count)
        return pool[start ..< min(start + Int(range.count), pool.count)]
    }

    func blockArgs(in range: PoolRange) -> ArraySlice<BlockArg> {
        let pool = function.blockArgPool
        let start = min(Int(range.start), pool.count)
        return pool[start ..< min(start + Int(range.count), pool.count)]
    }

    func type(of value: Value) -> IRType {
        value.position < function.values.count ? function.values[value.position].type : .invalid
    }

    mutating func markPrinted(_ value: Value) {
        if value.position < printedValues.count { printedValues[value.position] = true }
    }

    // MARK: Number and data spellings

    /// Cranelift's `Imm64` spelling: decimal below 10 000 (and for negatives), else hex
    /// in groups of four digits.
    static func imm64Text(_ value: Int64) -> String {
        value < 10_000 ? String(value) : groupedHex(UInt64(bitPattern: value))
    }

    /// Cranelift's `Offset32` spelling: empty for zero, else a sign and the magnitude.
    static func offset32Text(_ offset: Int32) -> String {
        if offset == 0 { return "" }
        let magnitude = UInt64(Int64(offset).magnitude)
        return (offset < 0 ? "-" : "+") + (magnitude < 10_000 ? String(magnitude) : groupedHex(magnitude))
    }

    /// `0x0001_0000`: at least four hex digits, `_` every four.
    static func groupedHex(_ value: UInt64) -> String {
        let significantBits = max(1, 64 - value.leadingZeroBitCount)
        var shift = (significantBits - 1) & ~15
        var text = "0x"
        while true {
            let group = String((value >> UInt64(shift)) & 0xFFFF, radix: 16)
            text += String(repeating: "0", count: 4 - group.count) + group
            if shift == 0 { return text }
            text += "_"
            shift -= 16
        }
    }

    /// Memory flags with a leading space per flag (nothing for the default flags).
    static func flagsText(_ flags: MemFlags) -> String {
        let words = flags.description
        return words.isEmpty ? "" : " " + words
    }

    /// Constant data as Cranelift prints it: `0x` and the bytes from the last to the first.
    static func hexText(of bytes: [UInt8]) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        var text = "0x"
        text.reserveCapacity(2 + 2 * bytes.count)
        for byte in bytes.reversed() {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return text
    }
}
