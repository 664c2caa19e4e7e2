/// Function names, external names and signatures.
extension TextParser {
    /// A function's own name: `%name` or `uNAMESPACE:INDEX`.
    mutating func parseFunctionName() throws -> ExternalName {
        switch token.kind {
        case .name:
            let name = ExternalName.testCase(String(text(of: token).dropFirst()))
            advance()
            return name
        case .userRef:
            return try parseUserName()
        case .userExternalName:
            throw unsupported("userextname references", "function names of the form userextnameN are not supported")
        default:
            throw unexpected("a function name (%name or u0:1)")
        }
    }

    /// `u1:2`, the current token being `u1`.
    private mutating func parseUserName() throws -> ExternalName {
        let namespace = token.number
        advance()
        try expect(.colon, "':' in a user name such as u0:1")
        let indexToken = try expect(.integer, "the index of a user name such as u0:1")
        guard let index = UInt32(text(of: indexToken)) else {
            throw error("user name index must be a decimal 32-bit number", at: indexToken)
        }
        return .user(namespace: namespace, index: index)
    }

    /// The name in a function declaration or symbol: as a function name.
    mutating func parseExternalName() throws -> ExternalName {
        try parseFunctionName()
    }

    /// signature ::= "(" [ param { "," param } ] ")" [ "->" param { "," param } ] [ callconv ]
    ///
    /// Without a calling convention the signature is `system_v`, the convention
    /// Cranelift's reader gives functions of `test run` files on an x86-64 host.
    mutating func parseSignature() throws -> Signature {
        try expect(.leftParen, "a signature '(…)'")
        var signature = Signature()
        if token.kind != .rightParen {
            signature.params = try parseParameterList()
        }
        try expect(.rightParen, "')' after the parameters")
        if accept(.arrow) {
            signature.returns = try parseParameterList()
        }
        if token.kind == .word {
            guard let convention = Keywords.callConventions.lookup(lexer.text, token.start, token.end) else {
                throw error("unknown calling convention '\(source.echo(token))'")
            }
            signature.callConv = convention
            advance()
        }
        return signature
    }

    private mutating func parseParameterList() throws -> [AbiParam] {
        var list = [try parseParameter()]
        while accept(.comma) {
            list.append(try parseParameter())
        }
        return list
    }

    /// param ::= type { "uext" | "sext" | "sret" | "vmctx" | "normal" | "stack_limit" }
    private mutating func parseParameter() throws -> AbiParam {
        let typeToken = try expect(.type, "a parameter type")
        var parameter = AbiParam(typeToken.type)
        while token.kind == .word {
            if isWord("uext") {
                parameter.extension_ = .uext
            } else if isWord("sext") {
                parameter.extension_ = .sext
            } else if isWord("sret") {
                parameter.purpose = .structReturn
            } else if isWord("vmctx") {
                parameter.purpose = .vmctx
            } else if isWord("normal") {
                parameter.purpose = .normal
            } else if isWord("stack_limit") {
                parameter.purpose = .stackLimit
            } else if isWord("sarg") {
                throw unsupported("sarg parameters", "struct-argument parameters (sarg) are not supported")
            } else {
                break
            }
            advance()
        }
        return parameter
    }
}
