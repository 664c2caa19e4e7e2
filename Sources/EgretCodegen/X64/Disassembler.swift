import CCapstone

/// x86-64 disassembly through capstone (libcapstone, AT&T syntax): Egret's
/// independent decoder, used by `egret compile --disasm` and by the encoder tests to
/// check that Egret's bytes mean what Egret's printer says.
///
/// Capstone 4 prints a few things differently from llvm-mc 14 (immediates above 9 in
/// hex, `(%rsp, %rax, 4)` with spaces, `shlq $1, %rax` for the by-one form, branch
/// targets as addresses). This wrapper returns capstone's text unchanged; whoever
/// compares the two normalises.
///
/// A class because it owns a capstone handle, closed on deinit. Not thread-safe (a
/// capstone handle is not); use one per thread.
public final class Disassembler {
    /// One decoded instruction.
    public struct Instruction: Hashable, Sendable, CustomStringConvertible {
        /// Offset of the first byte from the start of the decoded bytes, plus the
        /// start address passed to `disassemble`.
        public var address: UInt64
        public var bytes: [UInt8]
        public var mnemonic: String
        public var operands: String

        /// `mnemonic operands` with one space between.
        public var text: String { operands.isEmpty ? mnemonic : mnemonic + " " + operands }

        public var description: String {
            let hex = bytes.map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined(separator: " ")
            return "\(String(address, radix: 16)): \(hex)  \(text)"
        }
    }

    /// Capstone could not be opened or configured (a broken installation).
    public struct Failure: Error, CustomStringConvertible {
        public var operation: String
        public var code: Int

        public var description: String { "capstone \(operation) failed with error \(code)" }
    }

    private var handle: csh = 0

    public init() throws {
        let opened = cs_open(CS_ARCH_X86, CS_MODE_64, &handle)
        guard opened == CS_ERR_OK else { throw Failure(operation: "cs_open", code: Int(opened.rawValue)) }
        let configured = cs_option(handle, CS_OPT_SYNTAX, Int(CS_OPT_SYNTAX_ATT.rawValue))
        guard configured == CS_ERR_OK else {
            cs_close(&handle)
            throw Failure(operation: "cs_option(syntax att)", code: Int(configured.rawValue))
        }
    }

    deinit {
        cs_close(&handle)
    }

    /// Decodes `bytes` as consecutive instructions starting at `address`. Stops at the
    /// first byte sequence capstone cannot decode: compare the total length of the
    /// result with `bytes.count` to know whether everything was consumed.
    public func disassemble(_ bytes: [UInt8], address: UInt64 = 0) -> [Instruction] {
        guard !bytes.isEmpty else { return [] }
        var decoded: UnsafeMutablePointer<cs_insn>?
        let count = bytes.withUnsafeBufferPointer { buffer in
            cs_disasm(handle, buffer.baseAddress, buffer.count, address, 0, &decoded)
        }
        guard count > 0, let first = decoded else { return [] }
        defer { cs_free(first, count) }

        var result: [Instruction] = []
        result.reserveCapacity(count)
        for index in 0 ..< count {
            var insn = first[index]
            let size = Int(insn.size)
            let instructionBytes = withUnsafeBytes(of: &insn.bytes) { Array($0.prefix(size)) }
            let mnemonic = withUnsafeBytes(of: &insn.mnemonic) { Disassembler.string(fromCString: $0) }
            let operands = withUnsafeBytes(of: &insn.op_str) { Disassembler.string(fromCString: $0) }
            result.append(Instruction(address: insn.address, bytes: instructionBytes, mnemonic: mnemonic,
                                      operands: operands))
        }
        return result
    }

    /// A NUL-terminated C string stored in a fixed-size array.
    private static func string(fromCString raw: UnsafeRawBufferPointer) -> String {
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
