import EgretIR
import Testing
@testable import EgretInterpreter

/// Shorthands for writing interpreter tests as CLIF text.
enum CLIF {
    /// Parses `text` (one or more functions).
    static func module(_ text: String) throws -> Module {
        try CLIFParser.parse(text, fileName: "test.clif")
    }

    /// An interpreter for `text`.
    static func interpreter(_ text: String) throws -> Interpreter {
        try Interpreter(module: module(text))
    }

    /// Calls the first function of `text` (or the one named `function`).
    static func run(_ text: String, _ function: String? = nil, _ arguments: [DataValue]) throws -> CallOutcome {
        let module = try module(text)
        var interpreter = try Interpreter(module: module)
        return try interpreter.call(functionIndex: index(of: function, in: module), arguments: arguments)
    }

    static func index(of function: String?, in module: Module) -> Int {
        guard let function else { return 0 }
        return module.functionIndex(named: .testCase(function)) ?? -1
    }

    /// A function `%f` applying `opcode` to its parameters of `type`, returning one
    /// result of `resultType` (default: `type`).
    static func unaryOrBinary(_ opcode: String, _ type: IRType, operands: Int,
                              resultType: IRType? = nil) -> String {
        let parameters = (0 ..< operands).map { _ in "\(type)" }.joined(separator: ", ")
        let names = (0 ..< operands).map { "v\($0)" }
        let header = (0 ..< operands).map { "v\($0): \(type)" }.joined(separator: ", ")
        return """
            function %f(\(parameters)) -> \(resultType ?? type) {
            block0(\(header)):
                v10 = \(opcode) \(names.joined(separator: ", "))
                return v10
            }
            """
    }
}

extension DataValue {
    /// An integer of `type` from its signed value (the low 64 bits for i128 are
    /// sign-extended).
    static func integer(_ value: Int64, _ type: IRType) -> DataValue { .int(value, type) }

    /// An i128 from its bits.
    static func i128(_ value: UInt128) -> DataValue {
        DataValue(type: .i128, low: UInt64(truncatingIfNeeded: value), high: UInt64(truncatingIfNeeded: value >> 64))
    }

    var wide: UInt128 { UInt128(high) << 64 | UInt128(low) }
}

extension CallOutcome {
    /// The single returned value, if the call returned exactly one.
    var single: DataValue? {
        if case .values(let values) = self, values.count == 1 { return values[0] }
        return nil
    }
}

/// A deterministic source of test values biased to the edges of a width.
struct EdgeValues {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value of `bits` bits (zero-extended): an edge value half of the time.
    mutating func value(bits: Int) -> UInt128 {
        let mask: UInt128 = bits == 128 ? .max : (1 << UInt128(bits)) - 1
        let signBit: UInt128 = 1 << UInt128(bits - 1)
        let edges: [UInt128] = [0, 1, 2, 3, mask, mask - 1, signBit, signBit - 1, signBit + 1, signBit >> 1,
                                UInt128(bits - 1), UInt128(bits), UInt128(bits + 1)]
        let pick = next()
        if pick % 2 == 0 { return edges[Int(pick / 2 % UInt64(edges.count))] & mask }
        let random = UInt128(next()) << 64 | UInt128(next())
        // Sometimes keep only a few low bits, so small values and shift counts are common.
        return (pick % 5 == 1 ? random & 0xFF : random) & mask
    }
}
