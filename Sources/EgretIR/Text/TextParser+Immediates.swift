/// Immediates read by the parser: lane indices, `imm64`, offsets, vector constants,
/// memory flags, trap codes (the token-level decoding is in SourceText).
///
/// Integers are decimal or hexadecimal (`0x…`), optionally signed, with `_` separators
/// anywhere after the first digit. An immediate of an N-bit type accepts Cranelift's
/// "range and a half", −2^(N−1) … 2^N−1, so that both `-1` and `0xffff_ffff` name the
/// all-ones `i32`; the stored value is the N-bit pattern.
extension TextParser {
    // MARK: Integers

    /// An unsigned 8-bit immediate (lane indices).
    mutating func parseUImm8(_ what: String) throws -> UInt8 {
        let immediate = try expect(.integer, what)
        return UInt8(try source.integerInRange(immediate, 0 ... 255, what: what))
    }

    /// A 64-bit immediate (−2^63 … 2^64−1) as its bit pattern.
    mutating func parseImm64(_ what: String) throws -> Int64 {
        let immediate = try expect(.integer, what)
        return Int64(truncatingIfNeeded: UInt64(truncatingIfNeeded: try source.integerBits(immediate, bits: 64)))
    }

    // MARK: Offsets

    /// An optional signed 32-bit offset written right after an operand: `v0+8`, `ss0-4`.
    /// Only a token that starts with a sign is an offset.
    mutating func parseOptionalOffset32() throws -> Int32 {
        guard token.kind == .integer, source.startsWithSign(token) else { return 0 }
        let offset = try source.integerInRange(token, Int128(Int32.min) ... Int128(Int32.max), what: "offset")
        advance()
        return Int32(offset)
    }

    /// An optional signed 64-bit offset (`symbol %f+8`), "range and a half" like `imm64`.
    mutating func parseOptionalOffset64() throws -> Int64 {
        guard token.kind == .integer, source.startsWithSign(token) else { return 0 }
        let bits = try source.integerBits(token, bits: 64)
        advance()
        return Int64(truncatingIfNeeded: UInt64(truncatingIfNeeded: bits))
    }

    // MARK: Vector constants

    /// A constant of `type`: `[lane lane …]` (one literal per lane, vectors only) or
    /// `0x…` hex bytes zero-extended to the type's size.
    mutating func parseVectorConstant(type: IRType, allowDecimal: Bool = false) throws -> [UInt8] {
        let size = type.bytes
        guard size > 0, size <= 16 else {
            throw error("constants of type \(type) (\(size) bytes) are not supported; at most 16 bytes")
        }
        if accept(.leftBracket) {
            guard type.isVector else { throw error("a [...] literal needs a vector type, not \(type)") }
            let lane = type.laneType
            guard lane.laneBits <= 64 else { throw error("vector literals of \(lane) lanes are not supported") }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size)
            for _ in 0 ..< type.laneCount {
                let literal = token
                guard literal.kind == .integer || literal.kind == .float else {
                    throw unexpected("a \(lane) lane value (the type has \(type.laneCount) lanes)")
                }
                let bits: UInt128 = lane.isFloat
                    ? try source.floatBits(literal, type: lane, allowDecimal: allowDecimal)
                    : try source.integerBits(literal, bits: lane.laneBits)
                for byteIndex in 0 ..< lane.bytes { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt128(8 * byteIndex))) }
                advance()
            }
            try expect(.rightBracket, "']' after \(type.laneCount) lane values")
            return bytes
        }
        let hexToken = try expect(.integer, "a constant: [lanes…] or 0x… hex data")
        var bytes = try source.hexBytes(hexToken, maxBytes: size)
        bytes.append(contentsOf: repeatElement(0, count: size - bytes.count))
        return bytes
    }

    // MARK: Flags and codes

    /// A possibly empty list of memory flags: `notrap aligned readonly can_move little
    /// big` and a trap code.
    mutating func parseMemoryFlags() throws -> MemFlags {
        var flags = MemFlags()
        while true {
            if token.kind == .aliasRegion {
                throw unsupported("alias regions", "alias regions on memory accesses are not supported")
            }
            guard token.kind == .word else { return flags }
            if let word = Keywords.memoryFlagWords.lookup(lexer.text, token.start, token.end) {
                switch word {
                case .notrap: flags.trapCode = nil
                case .aligned: flags.aligned = true
                case .readonly: flags.readonly = true
                case .canMove: flags.canMove = true
                case .little, .big:
                    let wanted: MemFlags.Endianness = word == .little ? .little : .big
                    if flags.endianness != .native && flags.endianness != wanted {
                        throw error("cannot set both big and little endian bits")
                    }
                    flags.endianness = wanted
                }
            } else if let code = source.trapCode(token) {
                flags.trapCode = code
            } else {
                return flags
            }
            advance()
        }
    }

    /// A required trap code.
    mutating func parseTrapCode() throws -> TrapCode {
        guard let code = source.trapCode(token) else {
            throw unexpected("a trap code (stk_ovf, int_ovf, heap_oob, int_divz, bad_toint, user1…user250)")
        }
        advance()
        return code
    }
}
