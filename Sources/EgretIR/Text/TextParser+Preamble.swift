/// The preamble: declarations of the entities a function's instructions refer to.
///
///     ss0 = explicit_slot 16, align = 8
///     dss0 = explicit_dynamic_slot dt0
///     dt0 = i32x4*gv0
///     gv0 = vmctx
///     gv1 = load.i64 notrap aligned gv0+8
///     gv2 = iadd_imm.i64 gv1, 16
///     gv3 = symbol colocated tls %name+8
///     gv4 = dyn_scale_target_const.i32x4
///     sig0 = (i32) -> i32 tail
///     fn0 = colocated %callee sig0
///     fn1 = %callee(i64) -> i64
///     const0 = 0x0001020304050607          (or `const0 = i32x4 [1 2 3 4]`)
///
/// Declarations may come in any order and refer to each other in any order; references
/// are checked when the preamble ends. Inline signatures of function declarations are
/// numbered after every explicitly declared `sigN`, in FuncRef order, so that printing
/// and parsing again gives the same numbering.
extension TextParser {
    mutating func parsePreamble() throws {
        while true {
            switch token.kind {
            case .stackSlot: try parseStackSlotDeclaration()
            case .dynamicStackSlot: try parseDynamicStackSlotDeclaration()
            case .dynamicType: try parseDynamicTypeDeclaration()
            case .globalValue: try parseGlobalValueDeclaration()
            case .sigRef: try parseSignatureDeclaration()
            case .funcRef: try parseFunctionDeclaration()
            case .constant: try parseConstantDeclaration()
            case .aliasRegion:
                throw unsupported("alias regions", "alias region declarations are not supported")
            case .memoryType:
                throw unsupported("memory types", "memory type declarations are not supported")
            case .word where isWord("stack_limit"):
                throw unsupported("stack_limit", "stack limit declarations are not supported")
            default:
                try finishPreamble()
                return
            }
        }
    }

    /// Declares entity number `index` of a kind, failing on a second declaration.
    private func checkFirstDeclaration(_ isNew: Bool, _ declared: Token) throws {
        guard isNew else { throw error("\(source.echo(declared)) is already declared", at: declared) }
    }

    /// ss-decl ::= ssN "=" ("explicit_slot" | "explicit_dynamic_slot") size { "," ("align" "=" N | "key" "=" N) }
    private mutating func parseStackSlotDeclaration() throws {
        let declared = token
        let index = try source.entityNumber(declared, limit: Self.maxPreambleEntityNumber, what: "stack slot")
        advance()
        try expect(.equal, "'=' in a stack slot declaration")
        let kind: StackSlotData.Kind
        if acceptWord("explicit_slot") {
            kind = .explicit
        } else if acceptWord("explicit_dynamic_slot") {
            kind = .explicitDynamic
        } else {
            throw unexpected("a stack slot kind (explicit_slot)")
        }
        let sizeToken = try expect(.integer, "the stack slot's size in bytes")
        let size = UInt32(try source.integerInRange(sizeToken, 0 ... Int128(UInt32.max), what: "stack slot size"))
        var slot = StackSlotData(kind: kind, size: size)
        while accept(.comma) {
            if acceptWord("align") {
                try expect(.equal, "'=' after 'align'")
                let alignToken = try expect(.integer, "an alignment in bytes")
                let alignment = try source.integerInRange(alignToken, 1 ... (1 << 31), what: "stack slot alignment")
                guard alignment & (alignment - 1) == 0 else {
                    throw error("stack slot alignment must be a power of two", at: alignToken)
                }
                slot.alignmentLog2 = UInt8(alignment.trailingZeroBitCount)
                slot.hasExplicitAlignment = true
            } else if isWord("key") {
                throw unsupported("stack slot keys", "stack slot keys (key = N) are not supported")
            } else {
                throw unexpected("'align = N' after ','")
            }
        }
        try checkFirstDeclaration(context.stackSlots.declare(index), declared)
        while function.stackSlots.count <= index { function.stackSlots.append(StackSlotData(size: 0)) }
        function.stackSlots[index] = slot
    }

    /// dss-decl ::= dssN "=" "explicit_dynamic_slot" dtN
    private mutating func parseDynamicStackSlotDeclaration() throws {
        let declared = token
        let index = try source.entityNumber(declared, limit: Self.maxPreambleEntityNumber, what: "dynamic stack slot")
        advance()
        try expect(.equal, "'=' in a dynamic stack slot declaration")
        guard acceptWord("explicit_dynamic_slot") else { throw unexpected("'explicit_dynamic_slot'") }
        let typeToken = try expect(.dynamicType, "a dynamic type dtN")
        let typeIndex = try source.entityNumber(typeToken, limit: Self.maxPreambleEntityNumber, what: "dynamic type")
        context.preambleReferences.append((.dynamicType, typeToken))
        try checkFirstDeclaration(context.dynamicStackSlots.declare(index), declared)
        let data = DynamicStackSlotData(dynamicType: DynamicTypeRef(typeIndex))
        while function.dynamicStackSlots.count <= index { function.dynamicStackSlots.append(data) }
        function.dynamicStackSlots[index] = data
    }

    /// dt-decl ::= dtN "=" vector-type "*" gvN
    private mutating func parseDynamicTypeDeclaration() throws {
        let declared = token
        let index = try source.entityNumber(declared, limit: Self.maxPreambleEntityNumber, what: "dynamic type")
        advance()
        try expect(.equal, "'=' in a dynamic type declaration")
        let typeToken = try expect(.type, "the base vector type of a dynamic type")
        guard typeToken.type.isVector, !typeToken.type.isDynamic else {
            throw error("the base type of a dynamic type must be a fixed vector type", at: typeToken)
        }
        try expect(.star, "'*' and the scale global value")
        let scaleToken = try expect(.globalValue, "the scale global value gvN")
        let scale = try source.entityNumber(scaleToken, limit: Self.maxPreambleEntityNumber, what: "global value")
        context.preambleReferences.append((.globalValue, scaleToken))
        try checkFirstDeclaration(context.dynamicTypes.declare(index), declared)
        let data = DynamicTypeData(baseVectorType: typeToken.type, scale: GlobalValue(scale))
        while function.dynamicTypes.count <= index { function.dynamicTypes.append(data) }
        function.dynamicTypes[index] = data
    }

    /// gv-decl ::= gvN "=" ( "vmctx" | "load" "." type flags gvM [offset]
    ///                     | "iadd_imm" "." type gvM "," imm | "symbol" ["colocated"] ["tls"] name [offset]
    ///                     | "dyn_scale_target_const" "." type )
    private mutating func parseGlobalValueDeclaration() throws {
        let declared = token
        let index = try source.entityNumber(declared, limit: Self.maxPreambleEntityNumber, what: "global value")
        advance()
        try expect(.equal, "'=' in a global value declaration")
        let data: GlobalValueData
        if acceptWord("vmctx") {
            data = .vmContext
        } else if acceptWord("load") {
            try expect(.dot, "'.' and the loaded type")
            let type = try expect(.type, "the loaded type").type
            let flagsToken = token
            let flags = try parseMemoryFlags()
            guard flags.trapCode == nil, flags.aligned else {
                throw error("a global value load must be notrap and aligned", at: flagsToken)
            }
            let base = try parseGlobalValueReference()
            let offset = try parseOptionalOffset32()
            data = .load(base: base, offset: offset, type: type, flags: flags)
        } else if acceptWord("iadd_imm") {
            try expect(.dot, "'.' and the result type")
            let type = try expect(.type, "the result type").type
            let base = try parseGlobalValueReference()
            try expect(.comma, "',' and the immediate")
            let offset = try parseImm64("an integer immediate")
            data = .addImmediate(base: base, offset: offset, type: type)
        } else if acceptWord("symbol") {
            let colocated = acceptWord("colocated")
            let threadLocal = acceptWord("tls")
            let name = try parseExternalName()
            let offset = try parseOptionalOffset64()
            data = .symbol(name: name, offset: offset, colocated: colocated, threadLocal: threadLocal)
        } else if acceptWord("dyn_scale_target_const") {
            try expect(.dot, "'.' and the vector type")
            let typeToken = try expect(.type, "a vector type")
            guard typeToken.type.isVector else { throw error("expected a vector type", at: typeToken) }
            data = .dynamicScaleTargetConstant(vectorType: typeToken.type)
        } else {
            throw unexpected("a global value kind (vmctx, load, iadd_imm, symbol, dyn_scale_target_const)")
        }
        try checkFirstDeclaration(context.globalValues.declare(index), declared)
        while function.globalValues.count <= index { function.globalValues.append(nil) }
        function.globalValues[index] = data
    }

    private mutating func parseGlobalValueReference() throws -> GlobalValue {
        let reference = try expect(.globalValue, "a global value gvN")
        let index = try source.entityNumber(reference, limit: Self.maxPreambleEntityNumber, what: "global value")
        context.preambleReferences.append((.globalValue, reference))
        return GlobalValue(index)
    }

    /// sig-decl ::= sigN "=" signature
    private mutating func parseSignatureDeclaration() throws {
        let declared = token
        let index = try source.entityNumber(declared, limit: Self.maxPreambleEntityNumber, what: "signature")
        advance()
        try expect(.equal, "'=' in a signature declaration")
        let signature = try parseSignature()
        try checkFirstDeclaration(context.signatures.declare(index), declared)
        while function.signatures.count <= index { function.signatures.append(Signature()) }
        function.signatures[index] = signature
    }

    /// fn-decl ::= fnN "=" ["colocated"] name ( sigM | signature )
    private mutating func parseFunctionDeclaration() throws {
        let declared = token
        let index = try source.entityNumber(declared, limit: Self.maxPreambleEntityNumber, what: "function reference")
        advance()
        try expect(.equal, "'=' in a function declaration")
        let colocated = acceptWord("colocated")
        if isWord("patchable") {
            throw unsupported("patchable calls", "patchable function declarations are not supported")
        }
        let name = try parseExternalName()
        var external = ExternalFunction(name: name, signature: SigRef(0), colocated: colocated)
        if token.kind == .sigRef {
            let reference = token
            external.signature = SigRef(try source.entityNumber(reference, limit: Self.maxPreambleEntityNumber,
                                                         what: "signature"))
            context.preambleReferences.append((.sigRef, reference))
            advance()
        } else if token.kind == .leftParen {
            context.inlineSignatures.append((index, try parseSignature()))
            external.inlineSignature = true
        } else {
            throw unexpected("a signature sigN or '(…)' after the function name")
        }
        try checkFirstDeclaration(context.functionRefs.declare(index), declared)
        while function.functionRefs.count <= index { function.functionRefs.append(nil) }
        function.functionRefs[index] = external
    }

    /// const-decl ::= constN "=" ( hex-bytes | type ( "[" literals "]" | hex-bytes ) )
    private mutating func parseConstantDeclaration() throws {
        let declared = token
        let index = try source.entityNumber(declared, limit: Self.maxPreambleEntityNumber, what: "constant")
        advance()
        try expect(.equal, "'=' in a constant declaration")
        let bytes: [UInt8]
        if token.kind == .type {
            let type = token.type
            advance()
            bytes = try parseVectorConstant(type: type)
        } else {
            let hexToken = try expect(.integer, "constant data (0x…)")
            bytes = try source.hexBytes(hexToken, maxBytes: 16)
        }
        try checkFirstDeclaration(context.constants.declare(index), declared)
        while function.constants.count <= index { function.constants.append([]) }
        function.constants[index] = bytes
    }

    /// Checks the preamble's internal references and numbers the inline signatures.
    private mutating func finishPreamble() throws {
        for (fnIndex, signature) in context.inlineSignatures.sorted(by: { $0.function < $1.function }) {
            let sigIndex = function.signatures.count
            function.signatures.append(signature)
            _ = context.signatures.declare(sigIndex)
            function.functionRefs[fnIndex]?.signature = SigRef(sigIndex)
        }
        for (kind, reference) in context.preambleReferences {
            let index = Int(reference.number)
            let declared: Bool
            switch kind {
            case .globalValue: declared = context.globalValues.contains(index)
            case .sigRef: declared = context.signatures.contains(index)
            case .dynamicType: declared = context.dynamicTypes.contains(index)
            default: declared = true
            }
            guard declared else { throw error("\(source.echo(reference)) is not declared", at: reference) }
        }
        // Inline constants (vconst literals, shuffle masks) reuse an equal declared one.
        for (index, bytes) in function.constants.enumerated() where context.constants.contains(index) {
            if context.inlineConstants[bytes] == nil { context.inlineConstants[bytes] = index }
        }
    }
}
