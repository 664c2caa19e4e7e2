import EgretIR
import Testing
@testable import EgretCodegen

/// i128 code through the whole backend into the JIT, on both conventions: division
/// traps come back as CLIF's trap codes, and division, high multiplies, shifts and
/// rotates agree with Swift's own `UInt128`/`Int128` on seeded random operands biased
/// to the edges (operands of every width, so both halves of the division's case split
/// run).
struct I128ExecutionTests {
    static let source = """
        function %udiv(i128, i128) -> i128 {
        block0(v0: i128, v1: i128):
            v2 = udiv v0, v1
            return v2
        }

        function %urem(i128, i128) -> i128 {
        block0(v0: i128, v1: i128):
            v2 = urem v0, v1
            return v2
        }

        function %sdiv(i128, i128) -> i128 {
        block0(v0: i128, v1: i128):
            v2 = sdiv v0, v1
            return v2
        }

        function %srem(i128, i128) -> i128 {
        block0(v0: i128, v1: i128):
            v2 = srem v0, v1
            return v2
        }

        function %ishl(i128, i128) -> i128 {
        block0(v0: i128, v1: i128):
            v2 = ishl v0, v1
            return v2
        }

        function %sshr(i128, i8) -> i128 {
        block0(v0: i128, v1: i8):
            v2 = sshr v0, v1
            return v2
        }

        function %rotr(i128, i64) -> i128 {
        block0(v0: i128, v1: i64):
            v2 = rotr v0, v1
            return v2
        }

        function %umulhi(i128, i128) -> i128 {
        block0(v0: i128, v1: i128):
            v2 = umulhi v0, v1
            return v2
        }

        function %smulhi(i128, i128) -> i128 {
        block0(v0: i128, v1: i128):
            v2 = smulhi v0, v1
            return v2
        }
        """

    static let overrides: [[CallConv: CallConv]] = [[:], [.systemV: .windowsFastcall]]

    static func compiled(_ overrides: [CallConv: CallConv]) throws -> CompiledModule {
        let module = try CLIFParser.parse(source, fileName: "i128.clif")
        var options = Compiler.Options()
        options.callConvOverrides = overrides
        options.checkAllocation = true
        return try CompiledModule(module, options: options)
    }

    static func value(_ x: UInt128) -> DataValue {
        DataValue(type: .i128, low: UInt64(truncatingIfNeeded: x), high: UInt64(truncatingIfNeeded: x >> 64))
    }

    static func call(_ module: CompiledModule, _ index: Int, _ arguments: [DataValue]) throws -> CallResult {
        try module.call(functionIndex: index, arguments: arguments)
    }

    static let minimum = UInt128(1) << 127
    static let minusOne = UInt128.max

    @Test(arguments: overrides)
    func divisionTrapsWithCLIFsCodes(overrides: [CallConv: CallConv]) throws {
        let module = try Self.compiled(overrides)
        let zero = Self.value(0)
        // Many times over: every trap returns control and leaves the process running.
        for round in 0 ..< 500 {
            let dividend = Self.value(UInt128(round) << 70 | 5)
            for function in 0 ..< 4 {
                #expect(try Self.call(module, function, [dividend, zero]) == .trapped(.integerDivisionByZero))
            }
        }
        let minimum = Self.value(Self.minimum), minusOne = Self.value(Self.minusOne)
        #expect(try Self.call(module, 2, [minimum, minusOne]) == .trapped(.integerOverflow))
        #expect(try Self.call(module, 2, [minimum, zero]) == .trapped(.integerDivisionByZero))
        #expect(try Self.call(module, 3, [minimum, minusOne]) == .returned([Self.value(0)]))
        #expect(try Self.call(module, 0, [minimum, minusOne]) == .returned([Self.value(0)]))
        #expect(try Self.call(module, 1, [minimum, minusOne]) == .returned([minimum]))
    }

    /// A deterministic generator (SplitMix64).
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// A value of a random width (0–128 bits), sometimes negated, sometimes a
        /// power of two or its neighbour.
        mutating func operand() -> UInt128 {
            let full = UInt128(next()) << 64 | UInt128(next())
            let width = Int(next() % 129)
            var x = width == 128 ? full : full & ((UInt128(1) << width) - 1)
            switch next() % 8 {
            case 0: x = UInt128(1) << (Int(next() % 128))
            case 1: x = (UInt128(1) << (Int(next() % 128))) &- 1
            case 2: x = 0 &- x
            default: break
            }
            return x
        }
    }

    @Test(arguments: overrides)
    func divisionMatchesSwiftOnRandomOperands(overrides: [CallConv: CallConv]) throws {
        let module = try Self.compiled(overrides)
        var generator = Generator(state: 0x1128)
        var checked = 0
        for _ in 0 ..< 1500 {
            let u = generator.operand(), v = generator.operand()
            guard v != 0 else { continue }
            let arguments = [Self.value(u), Self.value(v)]
            #expect(try Self.call(module, 0, arguments) == .returned([Self.value(u / v)]), "udiv \(u) \(v)")
            #expect(try Self.call(module, 1, arguments) == .returned([Self.value(u % v)]), "urem \(u) \(v)")
            let a = Int128(bitPattern: u), b = Int128(bitPattern: v)
            if !(u == Self.minimum && v == Self.minusOne) {
                let quotient = UInt128(bitPattern: a / b), remainder = UInt128(bitPattern: a % b)
                #expect(try Self.call(module, 2, arguments) == .returned([Self.value(quotient)]), "sdiv \(a) \(b)")
                #expect(try Self.call(module, 3, arguments) == .returned([Self.value(remainder)]), "srem \(a) \(b)")
            }
            checked += 1
        }
        #expect(checked > 1400)
    }

    @Test(arguments: overrides)
    func shiftsAndRotatesMatchSwiftOnRandomOperands(overrides: [CallConv: CallConv]) throws {
        let module = try Self.compiled(overrides)
        var generator = Generator(state: 0x5417)
        for _ in 0 ..< 600 {
            let x = generator.operand()
            let count = generator.next()
            let amount = Int(count & 127)
            let shiftedLeft = x << amount
            #expect(try Self.call(module, 4, [Self.value(x), Self.value(UInt128(count) << 64 | UInt128(count))])
                    == .returned([Self.value(shiftedLeft)]), "ishl \(x) \(count)")
            let arithmetic = UInt128(bitPattern: Int128(bitPattern: x) >> amount)
            #expect(try Self.call(module, 5, [Self.value(x), .int(Int64(Int8(truncatingIfNeeded: count)), .i8)])
                    == .returned([Self.value(arithmetic)]), "sshr \(x) \(count)")
            let rotated = amount == 0 ? x : x >> amount | x << (128 - amount)
            #expect(try Self.call(module, 6, [Self.value(x), .int(Int64(bitPattern: count), .i64)])
                    == .returned([Self.value(rotated)]), "rotr \(x) \(count)")
        }
    }

    @Test(arguments: overrides)
    func highMultipliesMatchSwiftOnRandomOperands(overrides: [CallConv: CallConv]) throws {
        let module = try Self.compiled(overrides)
        var generator = Generator(state: 0x3141)
        for _ in 0 ..< 800 {
            let x = generator.operand(), y = generator.operand()
            let arguments = [Self.value(x), Self.value(y)]
            #expect(try Self.call(module, 7, arguments) == .returned([Self.value(x.multipliedFullWidth(by: y).high)]),
                    "umulhi \(x) \(y)")
            let signed = Int128(bitPattern: x).multipliedFullWidth(by: Int128(bitPattern: y)).high
            #expect(try Self.call(module, 8, arguments) == .returned([Self.value(UInt128(bitPattern: signed))]),
                    "smulhi \(x) \(y)")
        }
    }
}
