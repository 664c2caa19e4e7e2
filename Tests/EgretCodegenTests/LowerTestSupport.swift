import Testing
import EgretIR
@testable import EgretCodegen

/// Helpers of the lowering tests: parse CLIF, lower one function, read the VCode as
/// text.
enum LowerTest {
    /// Lowers the function called `name` (the first one if nil) of `text`.
    static func lower(_ text: String, function name: String? = nil,
                      options: LoweringOptions = LoweringOptions()) throws -> LoweredFunction {
        let module = try CLIFParser.parse(text, fileName: "test.clif")
        let function = try #require(name.map { wanted in module.functions.first { $0.name == .testCase(wanted) } }
                                        ?? module.functions.first)
        return try X64Lowering.lower(function, options: options)
    }

    /// The lowered instructions, one string per instruction, blocks separated by
    /// `blockN:` lines (as `LoweredFunction.text` prints them, without successors).
    static func lines(_ text: String, function name: String? = nil,
                      options: LoweringOptions = LoweringOptions()) throws -> [String] {
        let lowered = try lower(text, function: name, options: options)
        var lines: [String] = []
        for (index, block) in lowered.vcode.blocks.enumerated() {
            if lowered.vcode.blocks.count > 1 { lines.append("block\(index):") }
            lines += lowered.vcode.insts[block.instRange].map(\.description)
        }
        return lines
    }

    /// The mnemonics only (`addl`, `cmovnel`, `jno`): stable under vreg renumbering.
    static func mnemonics(_ text: String, function name: String? = nil) throws -> [String] {
        try lines(text, function: name).filter { !$0.hasSuffix(":") }.map { String($0.split(separator: " ")[0]) }
    }

    /// A one-function CLIF text around `body` with the given signature.
    static func function(_ signature: String, _ body: String) -> String {
        "function %f\(signature) {\n\(body)\n}\n"
    }

    /// The rule the pass applied to each instruction of `opcode`, in instruction order.
    static func rules(_ text: String, opcode: Opcode, function name: String? = nil) throws -> [String] {
        let module = try CLIFParser.parse(text, fileName: "test.clif")
        let function = try #require(name.map { wanted in module.functions.first { $0.name == .testCase(wanted) } }
                                        ?? module.functions.first)
        let lowered = try X64Lowering.lower(function, options: LoweringOptions(recordRules: true))
        return lowered.appliedRules.filter { function[$0.key].opcode == opcode }.sorted { $0.key < $1.key }.map(\.value)
    }
}
