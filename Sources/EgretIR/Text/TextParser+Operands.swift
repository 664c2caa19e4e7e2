/// Operands of every instruction format (see the table in InstructionFormat.swift).
///
/// Value operands go to `function.valuePool` and branch targets to
/// `function.blockCallPool` in the order written, so each instruction's lists are the
/// contiguous ranges appended while its operands were read.
extension TextParser {
    mutating func parseOperands(of data: inout InstructionData, format: InstructionFormat) throws {
        let argumentsStart = function.valuePool.count
        let blockCallsStart = function.blockCallPool.count
        switch format {
        case .unary:
            try appendValueOperand()
        case .unaryImm:
            let immediate = try expect(.integer, "an integer immediate")
            let bits = try source.integerBits(immediate, bits: data.type.bits, typeName: data.type.description)
            data.immediate = Int64(truncatingIfNeeded: UInt64(truncatingIfNeeded: bits))
        case .unaryIeee16:
            data.immediate = try parseFloatImmediate(.f16)
        case .unaryIeee32:
            data.immediate = try parseFloatImmediate(.f32)
        case .unaryIeee64:
            data.immediate = try parseFloatImmediate(.f64)
        case .unaryConst:
            data.entity = try parseConstantOperand(opcode: data.opcode, type: data.type)
        case .unaryGlobalValue:
            data.entity = try parseDeclaredReference(.globalValue, declared: context.globalValues, what: "global value")
        case .binary:
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
        case .binaryImm8:
            try appendValueOperand()
            try expect(.comma, "',' before the lane index")
            data.immediate = Int64(try parseUImm8("a lane index (0…255)"))
        case .ternary:
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
        case .ternaryImm8:
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
            try expect(.comma, "',' before the lane index")
            data.immediate = Int64(try parseUImm8("a lane index (0…255)"))
        case .multiAry:
            try appendValueList()
        case .nullAry:
            break
        case .shuffle:
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
            try expect(.comma, "',' before the shuffle mask")
            let mask = try parseVectorConstant(type: IRType(lane: .i8, laneCountLog2: 4))
            data.entity = UInt32(internConstant(mask))
        case .intCompare:
            guard token.kind == .word, let condition = Keywords.intConditions.lookup(lexer.text, token.start, token.end)
            else { throw unexpected("an integer condition code (eq, ne, slt, sge, sgt, sle, ult, uge, ugt, ule)") }
            advance()
            data.intCC = condition
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
        case .floatCompare:
            guard token.kind == .word,
                  let condition = Keywords.floatConditions.lookup(lexer.text, token.start, token.end)
            else { throw unexpected("a float condition code (eq, ne, lt, le, gt, ge, ord, uno, one, ueq, ult, …)") }
            advance()
            data.floatCC = condition
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
        case .jump:
            try appendBlockCall()
        case .brif:
            try appendValueOperand()
            try expect(.comma, "',' before the then-block")
            try appendBlockCall()
            try expect(.comma, "',' before the else-block")
            try appendBlockCall()
        case .branchTable:
            try appendValueOperand()
            try expect(.comma, "',' before the default block")
            try appendBlockCall()
            try expect(.comma, "',' before the jump table")
            try expect(.leftBracket, "'[' starting the jump table")
            if token.kind != .rightBracket {
                repeat {
                    try appendBlockCall()
                } while accept(.comma)
            }
            try expect(.rightBracket, "']' ending the jump table")
        case .call:
            data.entity = try parseDeclaredReference(.funcRef, declared: context.functionRefs, what: "function")
            try appendArgumentList()
        case .callIndirect:
            data.entity = try parseDeclaredReference(.sigRef, declared: context.signatures, what: "signature")
            try expect(.comma, "',' before the callee")
            try appendValueOperand()
            try appendArgumentList()
        case .tryCall:
            let callee = try parseDeclaredReference(.funcRef, declared: context.functionRefs, what: "function")
            try appendArgumentList()
            try expect(.comma, "',' before the exception table")
            data.entity = try parseExceptionTable()
            // The one `entity` field holds the exception table; the callee goes in
            // `immediate` (see InstructionFormat).
            data.immediate = Int64(callee)
        case .tryCallIndirect:
            try appendValueOperand()
            try appendArgumentList()
            try expect(.comma, "',' before the exception table")
            data.entity = try parseExceptionTable()
        case .funcAddr:
            data.entity = try parseDeclaredReference(.funcRef, declared: context.functionRefs, what: "function")
        case .atomicRmw:
            data.flags = try parseMemoryFlags()
            guard token.kind == .word,
                  let operation = Keywords.atomicOperations.lookup(lexer.text, token.start, token.end)
            else { throw unexpected("an atomic operation (add, sub, and, nand, or, xor, xchg, umin, umax, smin, smax)") }
            advance()
            data.atomicOp = operation
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
        case .atomicCas:
            data.flags = try parseMemoryFlags()
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
        case .load:
            data.flags = try parseMemoryFlags()
            try appendValueOperand()
            data.offset = try parseOptionalOffset32()
        case .loadNoOffset:
            data.flags = try parseMemoryFlags()
            try appendValueOperand()
        case .store:
            data.flags = try parseMemoryFlags()
            try appendValueOperand()
            try expect(.comma, "',' before the address")
            try appendValueOperand()
            data.offset = try parseOptionalOffset32()
        case .storeNoOffset:
            data.flags = try parseMemoryFlags()
            try appendValueOperand()
            try expect(.comma, "',' before the address")
            try appendValueOperand()
        case .stackAddr:
            data.entity = try parseDeclaredReference(.stackSlot, declared: context.stackSlots, what: "stack slot")
            data.offset = try parseOptionalOffset32()
        case .dynamicStackAddr:
            data.entity = try parseDeclaredReference(.dynamicStackSlot, declared: context.dynamicStackSlots,
                                                     what: "dynamic stack slot")
        case .trap:
            data.trapCode = try parseTrapCode()
        case .condTrap:
            try appendValueOperand()
            try expect(.comma, "',' before the trap code")
            data.trapCode = try parseTrapCode()
        case .intAddTrap:
            try appendValueOperand()
            try expect(.comma, "',' between operands")
            try appendValueOperand()
            try expect(.comma, "',' before the trap code")
            data.trapCode = try parseTrapCode()
        case .exceptionHandlerAddress:
            data.entity = try parseBlockReference().index
            try expect(.comma, "',' before the handler index")
            data.immediate = try parseImm64("the handler index")
        }
        data.arguments = PoolRange(start: argumentsStart, count: function.valuePool.count - argumentsStart)
        data.blockCalls = PoolRange(start: blockCallsStart, count: function.blockCallPool.count - blockCallsStart)
    }

    /// The raw bits of a float constant's literal.
    private mutating func parseFloatImmediate(_ type: IRType) throws -> Int64 {
        let literal = token
        let bits = try source.floatBits(literal, type: type)
        advance()
        return Int64(truncatingIfNeeded: UInt64(truncatingIfNeeded: bits))
    }

    /// `vconst.T constN`, `vconst.T [lanes…]`, `vconst.T 0x…`, `f128const 0x1.0p0`: the
    /// constant's index (inline literals are added to the pool, deduplicated).
    private mutating func parseConstantOperand(opcode: Opcode, type: IRType) throws -> UInt32 {
        if token.kind == .constant {
            return try parseDeclaredReference(.constant, declared: context.constants, what: "constant")
        }
        if opcode == .f128const {
            let bits = try source.floatBits(token, type: .f128)
            advance()
            let bytes = (0 ..< 16).map { UInt8(truncatingIfNeeded: bits >> UInt128(8 * $0)) }
            return UInt32(internConstant(bytes))
        }
        guard type.isValid else { throw error("\(opcode.name) needs a type suffix or a constant constN") }
        return UInt32(internConstant(try parseVectorConstant(type: type)))
    }

    /// The pool index of inline constant data, reusing an equal constant if there is one
    /// (as Cranelift's constant pool does).
    mutating func internConstant(_ bytes: [UInt8]) -> Int {
        if let existing = context.inlineConstants[bytes] { return existing }
        let index = function.constants.count
        function.constants.append(bytes)
        context.inlineConstants[bytes] = index
        return index
    }

    /// An entity reference that must have been declared in the preamble.
    private mutating func parseDeclaredReference(_ kind: TokenKind, declared: DeclarationSet, what: String) throws
        -> UInt32 {
        guard token.kind == kind else { throw unexpected("a \(what) reference") }
        guard declared.contains(Int(token.number)) else {
            throw error("\(source.echo(token)) is not declared in the preamble")
        }
        let number = token.number
        advance()
        return number
    }

    /// `v0, v1, …` (possibly empty), appended to the value pool.
    private mutating func appendValueList() throws {
        guard token.kind == .value else { return }
        try appendValueOperand()
        while accept(.comma) {
            try appendValueOperand()
        }
    }

    /// `( v0, v1, … )`.
    private mutating func appendArgumentList() throws {
        try expect(.leftParen, "'(' before the arguments")
        try appendValueList()
        try expect(.rightParen, "')' after the arguments")
    }

    /// exception-table ::= sigN "," block-call "," "[" [ item { "," item } ] "]"
    /// item ::= tagN ":" block-call | "default" ":" block-call | "context" vN
    ///
    /// The normal-return call and the handlers' calls go to the block-call pool in that
    /// order; the table records the signature, one tag per handler and the contexts.
    private mutating func parseExceptionTable() throws -> UInt32 {
        let signature = try parseDeclaredReference(.sigRef, declared: context.signatures, what: "signature")
        try expect(.comma, "',' after the signature")
        try appendBlockCall(allowTryCallArguments: true)
        try expect(.comma, "',' before the exception handlers")
        try expect(.leftBracket, "'[' starting the exception handlers")
        var table = ExceptionTableData(signature: SigRef(signature))
        while token.kind != .rightBracket {
            if token.kind == .exceptionTag {
                table.handlerTags.append(.tag(token.number))
                advance()
                try expect(.colon, "':' after the exception tag")
                try appendBlockCall(allowTryCallArguments: true)
            } else if acceptWord("default") {
                table.handlerTags.append(.catchAll)
                try expect(.colon, "':' after 'default'")
                try appendBlockCall(allowTryCallArguments: true)
            } else if acceptWord("context") {
                table.contexts.append(try parseValueOperand())
            } else {
                throw unexpected("an exception handler (tagN: block, default: block) or 'context vN'")
            }
            if !accept(.comma) { break }
        }
        try expect(.rightBracket, "']' ending the exception handlers")
        let index = function.exceptionTables.count
        function.exceptionTables.append(table)
        return UInt32(index)
    }
}
