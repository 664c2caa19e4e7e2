import EgretCodegen
import EgretIR

/// The meaning of every semantics key of the form table, in one exhaustive switch (no
/// `default:`): a key added to `SemanticsKey` does not compile here until it is given
/// a meaning or listed as not modelled. A meaning is one of the few kinds of
/// computation the shapes apply (X64Inst+SMT.swift): the ALU shape applies an
/// `arithmetic` operation to its operands and writes the result, the compare shape
/// keeps only the flags of the same operation, and so on; a shape meeting a meaning
/// it cannot apply reports the form as not modelled.
public enum MachineMeaning: Equatable, Sendable {
    /// result, flags = a op b at the operand size.
    case arithmetic(ArithmeticOperation)
    /// rdx:rax = rax × src (ax = al × src at 8 bits).
    case multiplyWide(Signedness)
    /// rax, rdx = rdx:rax / src, rdx:rax % src (al, ah from ax at 8 bits).
    case divide(Signedness)
    /// rdx = the sign of rax; ax = al sign-extended at 8 bits.
    case signExtendAccumulator
    case shift(ShiftOperation)
    /// result, flags = op value (the source of the row's source width).
    case unary(UnaryOperation)
    /// The destination gets the source's bits.
    case move
    /// The address an Amode computes.
    case loadAddress
    case setOnCondition
    case moveOnCondition
    case jump
    case jumpOnCondition
    case `return`
    case trap
    /// No semantics yet; the reason names what is missing.
    case notModelled(String)
}

/// Two-operand integer operations with their flags.
public enum ArithmeticOperation: Equatable, Sendable {
    case add, addWithCarry, subtract, subtractWithBorrow, and, or, xor
    /// The low half of the product; CF = OF = the signed product does not fit.
    case multiplyLow
}

/// Shifts and rotates (the count masked to 5 or 6 bits).
public enum ShiftOperation: Equatable, Sendable {
    case rotateLeft, rotateRight, shiftLeft, shiftRightLogical, shiftRightArithmetic
}

/// One-operand integer operations.
public enum UnaryOperation: Equatable, Sendable {
    case negate, complement, byteSwap
    case bitScanReverse, bitScanForward, countLeadingZeros, countTrailingZeros, countOnes
    case zeroExtend, signExtend
}

extension MachineSpecs {
    /// The meaning of a semantics key.
    public static func meaning(of key: SemanticsKey) -> MachineMeaning {
        switch key {
        case .add: return .arithmetic(.add)
        case .addWithCarry: return .arithmetic(.addWithCarry)
        case .subtract: return .arithmetic(.subtract)
        case .subtractWithBorrow: return .arithmetic(.subtractWithBorrow)
        case .and: return .arithmetic(.and)
        case .or: return .arithmetic(.or)
        case .xor: return .arithmetic(.xor)
        case .multiplyLow: return .arithmetic(.multiplyLow)
        case .multiplyWideUnsigned: return .multiplyWide(.unsigned)
        case .multiplyWideSigned: return .multiplyWide(.signed)
        case .divideUnsigned: return .divide(.unsigned)
        case .divideSigned: return .divide(.signed)
        case .signExtendAccumulator: return .signExtendAccumulator
        case .rotateLeft: return .shift(.rotateLeft)
        case .rotateRight: return .shift(.rotateRight)
        case .shiftLeft: return .shift(.shiftLeft)
        case .shiftRightLogical: return .shift(.shiftRightLogical)
        case .shiftRightArithmetic: return .shift(.shiftRightArithmetic)
        case .negate: return .unary(.negate)
        case .complement: return .unary(.complement)
        case .byteSwap: return .unary(.byteSwap)
        case .bitScanReverse: return .unary(.bitScanReverse)
        case .bitScanForward: return .unary(.bitScanForward)
        case .countLeadingZeros: return .unary(.countLeadingZeros)
        case .countTrailingZeros: return .unary(.countTrailingZeros)
        case .countOnes: return .unary(.countOnes)
        case .zeroExtend: return .unary(.zeroExtend)
        case .signExtend: return .unary(.signExtend)
        case .move: return .move
        case .loadAddress: return .loadAddress
        case .setOnCondition: return .setOnCondition
        case .moveOnCondition: return .moveOnCondition
        case .jump: return .jump
        case .jumpOnCondition: return .jumpOnCondition
        case .return: return .return
        case .trap: return .trap
        case .push, .pop:
            return .notModelled("the stack pointer (the prologue and epilogue are not lowering rules)")
        case .call:
            return .notModelled("calls (the calling-convention tests cover them)")
        case .vectorMove, .moveToVector, .moveFromVector, .floatAdd, .floatSubtract, .floatMultiply, .floatDivide,
             .floatMinimum, .floatMaximum, .floatSquareRoot, .floatRound, .floatFusedMultiplyAdd,
             .floatCompareFlags, .floatCompareMask, .floatPromote, .floatDemote, .intToFloat, .floatToIntTruncating,
             .vectorAnd, .vectorAndNot, .vectorOr, .vectorXor:
            return .notModelled("xmm registers and floating point (tier 2)")
        case .compareExchange, .exchange, .exchangeAdd, .compareExchange16, .fence:
            return .notModelled("atomics (tier 2)")
        }
    }

    /// The meaning of a form's key.
    public static func meaning(of form: FormID) -> MachineMeaning { meaning(of: form.row.semantics) }

    /// Whether a form has semantics (`egret verify --list`).
    public static func isModelled(_ form: FormID) -> Bool {
        if case .notModelled = meaning(of: form) { return false }
        return true
    }

    /// The part of a form's meaning a shape applies, picked by `extract`; throws
    /// `notModelled` when the form has no semantics or a meaning the shape cannot
    /// apply.
    static func operation<T>(of form: FormID, in shape: String, _ extract: (MachineMeaning) -> T?) throws -> T {
        let meaning = meaning(of: form)
        if let operation = extract(meaning) { return operation }
        if case .notModelled(let reason) = meaning { throw MachineSpecError.notModelled("\(form): \(reason)") }
        throw MachineSpecError.notModelled("\(form) (\(meaning)) in the \(shape) shape")
    }

    /// Why `form` cannot be executed in `shape`: its key's reason, or the shape's.
    static func unmodelled(_ form: FormID, in shape: String) -> MachineSpecError {
        if case .notModelled(let reason) = meaning(of: form) { return .notModelled("\(form): \(reason)") }
        return .notModelled("\(form) in the \(shape) shape (not modelled)")
    }

    /// Requires that `form` means `expected` (a shape with one meaning: a move, a jump).
    static func require(_ form: FormID, means expected: MachineMeaning, in shape: String) throws {
        _ = try operation(of: form, in: shape) { $0 == expected ? () : nil }
    }
}

extension MachineMeaning {
    var arithmetic: ArithmeticOperation? {
        if case .arithmetic(let operation) = self { return operation }
        return nil
    }

    var shift: ShiftOperation? {
        if case .shift(let operation) = self { return operation }
        return nil
    }

    var unary: UnaryOperation? {
        if case .unary(let operation) = self { return operation }
        return nil
    }

    var multiplyWide: Signedness? {
        if case .multiplyWide(let signedness) = self { return signedness }
        return nil
    }

    var divide: Signedness? {
        if case .divide(let signedness) = self { return signedness }
        return nil
    }
}
