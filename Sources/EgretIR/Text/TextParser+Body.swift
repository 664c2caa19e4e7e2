/// The function body: block headers and instruction lines.
///
///     block1(v3: i32, v4: i64) cold:
///         v5, v6 = uadd_overflow v3, v3
///         v7 -> v5                          ; a value alias
///         brif v6, block2(v5), block3
///
/// Values and blocks keep their text numbers (`v7` is `function.values[7]`). Operands
/// may refer to values defined further down: an instruction whose controlling type
/// depends on such a value gets its types in `finishFunction`, all others as they are
/// appended.
extension TextParser {
    mutating func parseBody() throws {
        while token.kind == .block {
            try parseBlock()
        }
        if token.kind != .rightBrace {
            if token.kind == .value || token.kind == .word {
                throw error("instructions must follow a block header such as 'block0:'")
            }
            throw unexpected("a block header or '}'")
        }
    }

    /// block ::= blockN [ "(" vA ":" type { "," vB ":" type } ")" ] [ "cold" ] ":" { instruction }
    private mutating func parseBlock() throws {
        let header = token
        let index = try source.entityNumber(header, limit: Self.maxValueOrBlockNumber, what: "block")
        advance()
        let block = Block(index)
        function.reserveBlock(block)
        guard !function.blocks[index].isDeclared else { throw error("block\(index) is already defined", at: header) }
        function.blocks[index].isDeclared = true
        function.blocks[index].location = header.location
        let paramsStart = function.valuePool.count
        if accept(.leftParen) {
            if token.kind != .rightParen {
                repeat {
                    let parameter = try expect(.value, "a block parameter vN")
                    try expect(.colon, "':' and the parameter's type")
                    let type = try expect(.type, "the parameter's type").type
                    let value = try defineValue(parameter)
                    let position = function.valuePool.count - paramsStart
                    guard position <= Int(UInt16.max) else { throw error("too many block parameters", at: parameter) }
                    function.values[value.position] = ValueData(type: type, definition: .param, owner: UInt32(index),
                                                                index: UInt16(position))
                    function.valuePool.append(value)
                } while accept(.comma)
            }
            try expect(.rightParen, "')' after the block parameters")
        }
        function.blocks[index].params = PoolRange(start: paramsStart, count: function.valuePool.count - paramsStart)
        if isWord("cold") {
            function.blocks[index].isCold = true
            advance()
        }
        try expect(.colon, "':' after the block header")
        function.layout.append(block)
        while true {
            switch token.kind {
            case .value, .word, .sourceLocation, .leftAngle:
                try parseInstructionLine(in: block)
            default:
                return
            }
        }
    }

    /// Marks value `token` as defined (the caller fills in its `ValueData`); fails on a
    /// second definition.
    @inline(__always)
    mutating func defineValue(_ token: Token) throws -> Value {
        let index = try source.entityNumber(token, limit: Self.maxValueOrBlockNumber, what: "value")
        if index >= function.values.count {
            if index == function.values.count {
                function.values.append(.undefined)
            } else {
                function.reserveValue(Value(index))
            }
        }
        if function.values[index].definition != .none || (index < context.isAlias.count && context.isAlias[index]) {
            throw error("v\(index) is already defined", at: token)
        }
        return Value(index)
    }

    /// Defines `token` as result `position` of the instruction about to be appended.
    @inline(__always)
    private mutating func defineResult(_ token: Token, position: Int) throws {
        let value = try defineValue(token)
        function.values[value.position] = ValueData(type: .invalid, definition: .result,
                                                    owner: UInt32(truncatingIfNeeded: function.insts.count),
                                                    index: UInt16(truncatingIfNeeded: position))
        function.valuePool.append(value)
    }

    /// instruction ::= [ debug-tags ] [ srcloc ] [ vA { "," vB } "=" ] opcode [ "." type ] operands
    ///              |  vA "->" vB
    ///
    /// Results are defined as they are read, as results of the instruction about to be
    /// appended (an error abandons the whole parse, so nothing needs undoing).
    private mutating func parseInstructionLine(in block: Block) throws {
        if token.kind == .leftAngle { try skipDebugTags() }
        if token.kind == .sourceLocation { advance() }
        let resultsStart = function.valuePool.count
        var firstResult: Token?
        if token.kind == .value {
            let first = token
            firstResult = first
            advance()
            if token.kind == .arrow {
                advance()
                try parseAlias(first)
                return
            }
            try defineResult(first, position: 0)
            var position = 1
            while accept(.comma) {
                try defineResult(try expect(.value, "a result value vN"), position: position)
                position += 1
            }
            try expect(.equal, "'=' after the result values")
        }
        let results = PoolRange(start: resultsStart, count: function.valuePool.count - resultsStart)
        try parseInstruction(in: block, results: results, firstResult: firstResult)
    }

    /// Debug tags `<1, ss0>` before an instruction: metadata Egret does not keep.
    private mutating func skipDebugTags() throws {
        advance()
        while !accept(.rightAngle) {
            guard token.kind == .integer || token.kind == .stackSlot || token.kind == .comma else {
                throw unexpected("a debug tag (integer or stack slot) or '>'")
            }
            advance()
        }
    }

    /// `vA -> vB`: vA is another name for vB. Resolved (every use of vA replaced by vB)
    /// once the body is read.
    private mutating func parseAlias(_ aliasToken: Token) throws {
        let number = Int(aliasToken.number)
        if number < context.isAlias.count && context.isAlias[number] {
            // Repeating an alias is allowed when it says the same thing (as in Cranelift).
            let target = try parseValueOperand()
            guard let previous = context.aliases.first(where: { $0.alias.position == number }),
                  previous.target == target
            else { throw error("v\(number) is already defined as an alias of another value", at: aliasToken) }
            return
        }
        let alias = try defineValue(aliasToken)
        let target = try parseValueOperand()
        if context.isAlias.count <= alias.position {
            context.isAlias.append(contentsOf: repeatElement(false, count: alias.position + 1 - context.isAlias.count))
        }
        context.isAlias[alias.position] = true
        context.aliases.append((alias, target, aliasToken))
    }

    /// Parses the opcode, its type suffix and its operands, and appends the instruction.
    private mutating func parseInstruction(in block: Block, results: PoolRange, firstResult: Token?) throws {
        let opcodeToken = token
        guard token.kind == .word else { throw unexpected("an instruction opcode") }
        guard let opcode = opcodeNames.lookup(lexer.text, token.start, token.end) else {
            let name = text(of: token)
            var message = "unknown opcode '\(name)'"
            if let suggestion = Keywords.closestOpcode(to: name) { message += "; did you mean '\(suggestion)'?" }
            throw error(message)
        }
        advance()
        let explicitType = try parseTypeSuffix(of: opcode, opcodeToken: opcodeToken)
        try parseOperandsAndAppend(opcode: opcode, opcodeToken: opcodeToken, explicitType: explicitType,
                                   results: results, firstResult: firstResult, in: block)
    }

    /// The written `.type` suffix, checked against the opcode's controlling types;
    /// `invalid` when there is none.
    private mutating func parseTypeSuffix(of opcode: Opcode, opcodeToken: Token) throws -> IRType {
        let facts = opcodeFacts[Int(opcode.rawValue)]
        guard accept(.dot) else {
            if facts.requiresTypeSuffix {
                let example = facts.controllingTypes.members.first ?? .i32
                throw error("\(opcode.name) needs a type suffix, e.g. '\(opcode.name).\(example)'", at: opcodeToken)
            }
            return .invalid
        }
        let suffix = token
        let type: IRType
        if token.kind == .type {
            type = token.type
        } else if token.kind == .dynamicType {
            type = try dynamicVectorType(token)
        } else {
            throw unexpected("a type after '\(opcode.name).'")
        }
        advance()
        guard facts.isPolymorphic else {
            // Cranelift's indirect calls are polymorphic over the callee's address type
            // (`call_indirect.i64 sig0, v1()`); Egret's table types the callee as any
            // address, so such a suffix is accepted and dropped.
            if Self.takesCalleeAddressSuffix(opcode) && (type == .i32 || type == .i64) { return .invalid }
            throw error("\(opcode.name) does not take a type suffix", at: suffix)
        }
        guard facts.controllingTypes.contains(type) else {
            throw error("\(type) is not a valid type for \(opcode.name)", at: suffix)
        }
        return type
    }

    /// Indirect calls, whose Cranelift form may carry the callee's address type.
    private static func takesCalleeAddressSuffix(_ opcode: Opcode) -> Bool {
        opcode == .call_indirect || opcode == .return_call_indirect || opcode == .try_call_indirect
    }

    /// Reads the operands, checks the number of results and appends the instruction.
    private mutating func parseOperandsAndAppend(opcode: Opcode, opcodeToken: Token, explicitType: IRType,
                                                 results: PoolRange, firstResult: Token?, in block: Block) throws {
        let inst = function.insts.count
        var data = InstructionData(opcode: opcode, type: explicitType)
        try parseOperands(of: &data, format: opcodeFacts[Int(opcode.rawValue)].format)
        if token.kind == .comma {
            advance()
            if isWord("stack_map") {
                throw unsupported("user stack maps", "stack maps on calls are not supported")
            }
            throw unexpected("the next instruction")
        }

        let expectedResults = resultCount(of: data)
        guard expectedResults == Int(results.count) else {
            let plural = expectedResults == 1 ? "" : "s"
            throw error("\(opcode.name) produces \(expectedResults) result value\(plural), \(results.count) given",
                        at: firstResult ?? opcodeToken)
        }

        let typed = try inferControllingType(of: &data, inst: inst, opcodeToken: opcodeToken)
        function.insts.append(data)
        function.instResults.append(results)
        function.instLocations.append(opcodeToken.location)
        function.blocks[block.position].insts.append(Inst(inst))
        if typed {
            try assignResultTypes(of: data, results: results, inst: inst)
        } else {
            context.deferredInstructions.append(inst)
        }
    }

    /// How many results an instruction defines: calls return what their signature
    /// says; every other opcode what its table row says.
    @inline(__always)
    func resultCount(of data: InstructionData) -> Int {
        if data.opcode == .call {
            return signature(ofCallee: data.funcRef)?.returns.count ?? 0
        }
        if data.opcode == .call_indirect {
            return data.sigRef.position < function.signatures.count
                ? function.signatures[data.sigRef.position].returns.count : 0
        }
        return Int(opcodeFacts[Int(data.opcode.rawValue)].resultCount)
    }

    /// The signature of a declared function reference.
    @inline(__always)
    func signature(ofCallee funcRef: FuncRef) -> Signature? {
        guard funcRef.position < function.functionRefs.count, let external = function.functionRefs[funcRef.position],
              external.signature.position < function.signatures.count
        else { return nil }
        return function.signatures[external.signature.position]
    }

    /// The controlling type named by `.dtN`: the dynamic version of its base vector type.
    private func dynamicVectorType(_ token: Token) throws -> IRType {
        let index = Int(token.number)
        guard context.dynamicTypes.contains(index), let lane = function.dynamicTypes[index].baseVectorType.laneKind else {
            throw error("\(source.echo(token)) is not declared", at: token)
        }
        let base = function.dynamicTypes[index].baseVectorType
        return IRType(lane: lane, laneCountLog2: base.laneCountLog2, dynamic: true)
    }

    // MARK: Operands shared by the formats

    /// A value operand; remembers it for the undefined-value check if it is not defined
    /// yet (it may be defined further down).
    mutating func parseValueOperand() throws -> Value {
        guard token.kind == .value else { throw unexpected("a value vN") }
        let index = try source.entityNumber(token, limit: Self.maxValueOrBlockNumber, what: "value")
        if index >= function.values.count || function.values[index].definition == .none {
            context.forwardValueUses.append(token)
        }
        advance()
        return Value(index)
    }

    /// Appends a value operand to the value pool.
    mutating func appendValueOperand() throws {
        function.valuePool.append(try parseValueOperand())
    }

    /// A block reference; remembers it for the undeclared-block check if its header was
    /// not read yet.
    mutating func parseBlockReference() throws -> Block {
        guard token.kind == .block else { throw unexpected("a block blockN") }
        let index = try source.entityNumber(token, limit: Self.maxValueOrBlockNumber, what: "block")
        if index >= function.blocks.count || !function.blocks[index].isDeclared {
            context.forwardBlockUses.append(token)
        }
        advance()
        return Block(index)
    }

    /// block-call ::= blockN [ "(" arg { "," arg } ")" ], where an argument is a value, or
    /// on a try_call's targets `retN` / `exnN`. Appends the call to the block-call pool.
    mutating func appendBlockCall(allowTryCallArguments: Bool = false) throws {
        let block = try parseBlockReference()
        let argumentsStart = function.blockArgPool.count
        if accept(.leftParen) {
            while token.kind != .rightParen {
                switch token.kind {
                case .value:
                    function.blockArgPool.append(.value(try parseValueOperand()))
                case .tryCallReturn, .tryCallException:
                    guard allowTryCallArguments else {
                        throw error("\(source.echo(token)) is only allowed on the targets of try_call")
                    }
                    let number = token.number
                    function.blockArgPool.append(token.kind == .tryCallReturn ? .tryCallReturn(number)
                                                                              : .tryCallException(number))
                    advance()
                default:
                    throw unexpected("a block argument")
                }
                if !accept(.comma) { break }
            }
            try expect(.rightParen, "')' after the block arguments")
        }
        let arguments = PoolRange(start: argumentsStart, count: function.blockArgPool.count - argumentsStart)
        function.blockCallPool.append(BlockCall(block: block, arguments: arguments))
    }
}
