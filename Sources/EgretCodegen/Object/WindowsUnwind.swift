/// A function's Windows x64 unwind information (`UNWIND_INFO` in `.xdata`), computed
/// from the same unwind records the DWARF writer reads (Microsoft's "x64 exception
/// handling": struct UNWIND_INFO, UNWIND_CODE).
///
///     byte 0      version 1, no flags (Egret functions have no handler)
///     byte 1      size of the prologue: the offset just after its last step
///     byte 2      count of 16-bit slots the codes use
///     byte 3      frame register rbp (5) and its scaled offset (rbp − 16·offset is
///                 the base every SAVE_* offset counts from)
///     codes       one per prologue step, the last step first
///
/// The prologue steps map one to one: `push rbp` and each pushed register
/// `UWOP_PUSH_NONVOL`; an allocation `UWOP_ALLOC_SMALL` (8–128 bytes) or
/// `UWOP_ALLOC_LARGE`; setting rbp `UWOP_SET_FPREG`; an xmm save
/// `UWOP_SAVE_XMM128` (`_FAR` past 16·65535 bytes). Epilogues are not described:
/// Windows recognises them by their form (`lea rsp, [rbp − k]`, pops, `ret`), which
/// `X64Frame.emitEpilogue` keeps.
///
/// Requires: the frame pointer is set by one step and every xmm save lies at or above
/// its base (`PrologueOrder.framePointerLast` arranges that); the prologue's steps end
/// within 255 bytes. A function that breaks either throws `unsupported`, so no object
/// carries unwind information that misdescribes its code.
public struct WindowsUnwindInfo: Hashable, Sendable {
    public enum Code: Hashable, Sendable {
        case pushNonvolatile(register: UInt8)
        case allocate(size: UInt32)
        case setFramePointer
        /// Saved at base + offset (a multiple of 16).
        case saveXMM128(register: UInt8, offset: UInt32)
    }

    /// A code and the code offset just after its step.
    public struct Step: Hashable, Sendable {
        public var offset: Int
        public var code: Code
    }

    /// The steps in prologue order.
    public private(set) var steps: [Step] = []
    public private(set) var prologueSize = 0
    /// rbp − 16·frameOffset is the base of the SAVE_* offsets.
    public private(set) var frameOffset = 0

    /// The unwind information of a function named `name` (for messages).
    public init(_ records: [UnwindRecord], function name: String) throws {
        var cfa = CFARule()
        var vectorSaves: [(offset: Int, register: PReg, fromFramePointer: Int32)] = []
        for record in records {
            let before = cfa
            cfa.apply(record)
            switch record {
            case .pushFramePointer(let offset):
                steps.append(Step(offset: offset, code: .pushNonvolatile(register: PReg.rbp.hardwareEncoding)))
            case .saveRegister(let offset, let register, _):
                steps.append(Step(offset: offset, code: .pushNonvolatile(register: register.hardwareEncoding)))
            case .stackAllocation(let offset, let size):
                steps.append(Step(offset: offset, code: .allocate(size: UInt32(size))))
            case .defineFramePointer(let offset):
                // rbp = CFA − 16 = rsp + (CFA offset before − 16).
                let above = before.isFramePointer ? 0 : before.offset - 16
                guard above % 16 == 0, above <= 240 else {
                    throw CodegenError.unsupported("Windows unwind information for '\(name)': the frame "
                                                   + "pointer is set \(above) bytes above rsp (at most 240, "
                                                   + "a multiple of 16)")
                }
                frameOffset = above / 16
                steps.append(Step(offset: offset, code: .setFramePointer))
            case .saveVectorRegister(let offset, let register, let fromFramePointer):
                vectorSaves.append((offset, register, fromFramePointer))
                steps.append(Step(offset: offset, code: .saveXMM128(register: register.hardwareEncoding, offset: 0)))
            case .epilogueBegin, .popFramePointer, .epilogueEnd, .restoredRegister, .returnAddressInRegister,
                 .framePointerReloaded, .stackPointerMoved, .returnAddressSaved:
                continue
            }
            prologueSize = steps.last?.offset ?? 0
        }
        // Each save's offset from the base, now that the frame offset is known.
        for (index, step) in steps.enumerated() {
            guard case .saveXMM128(let register, _) = step.code,
                  let save = vectorSaves.first(where: { $0.offset == step.offset }) else { continue }
            let fromBase = Int(save.fromFramePointer) + 16 * frameOffset
            guard fromBase >= 0, fromBase % 16 == 0 else {
                throw CodegenError.unsupported("Windows unwind information for '\(name)': xmm\(register) is saved "
                                               + "below the frame pointer's base")
            }
            steps[index].code = .saveXMM128(register: register, offset: UInt32(fromBase))
        }
        guard prologueSize <= 255 else {
            throw CodegenError.unsupported("Windows unwind information for '\(name)': a prologue of "
                                           + "\(prologueSize) bytes (at most 255)")
        }
    }

    /// The `UNWIND_INFO` bytes, padded to a multiple of 4.
    public var bytes: [UInt8] {
        var slots: [UInt16] = []
        for step in steps.reversed() {
            let offset = UInt16(step.offset)
            func code(_ op: UInt16, _ info: UInt16) -> UInt16 { offset | op << 8 | info << 12 }
            switch step.code {
            case .pushNonvolatile(let register):
                slots.append(code(0, UInt16(register)))
            case .allocate(let size):
                if size >= 8 && size <= 128 {
                    slots.append(code(2, UInt16(size / 8 - 1)))
                } else if size <= 8 * 0xFFFF {
                    slots += [code(1, 0), UInt16(size / 8)]
                } else {
                    slots += [code(1, 1), UInt16(size & 0xFFFF), UInt16(size >> 16)]
                }
            case .setFramePointer:
                slots.append(code(3, 0))
            case .saveXMM128(let register, let offset):
                if offset / 16 <= 0xFFFF {
                    slots += [code(8, UInt16(register)), UInt16(offset / 16)]
                } else {
                    slots += [code(9, UInt16(register)), UInt16(offset & 0xFFFF), UInt16(offset >> 16)]
                }
            }
        }
        var bytes: [UInt8] = [1, UInt8(prologueSize), UInt8(slots.count)]
        bytes.append(frameOffset > 0 || steps.contains { $0.code == .setFramePointer }
                     ? UInt8(PReg.rbp.hardwareEncoding) | UInt8(frameOffset) << 4 : 0)
        for slot in slots { bytes.append16(slot) }
        if slots.count % 2 == 1 { bytes.append16(0) }
        return bytes
    }

    /// The codes as llvm-readobj prints them (`0x0A: SET_FPREG reg=RBP, offset=0xB0`),
    /// last step first, so a test can compare the two.
    public var readobjLines: [String] {
        steps.reversed().map { step in
            let at = "0x" + hex2(step.offset)
            switch step.code {
            case .pushNonvolatile(let register):
                return "\(at): PUSH_NONVOL reg=\(WindowsUnwindInfo.registerName(register))"
            case .allocate(let size):
                return "\(at): \(size <= 128 && size >= 8 ? "ALLOC_SMALL" : "ALLOC_LARGE") size=\(size)"
            case .setFramePointer:
                return "\(at): SET_FPREG reg=RBP, offset=0x\(String(16 * frameOffset, radix: 16, uppercase: true))"
            case .saveXMM128(let register, let offset):
                return "\(at): SAVE_XMM128\(offset / 16 > 0xFFFF ? "_FAR" : "") reg=XMM\(register), "
                    + "offset=0x\(String(offset, radix: 16, uppercase: true))"
            }
        }
    }

    private func hex2(_ value: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return text.count < 2 ? "0" + text : text
    }

    static func registerName(_ encoding: UInt8) -> String {
        let names = ["RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI"]
        return encoding < 8 ? names[Int(encoding)] : "R\(encoding)"
    }
}
