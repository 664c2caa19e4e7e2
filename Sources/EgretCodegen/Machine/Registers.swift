/// Registers as the machine-independent layers see them.
///
/// Before register allocation, machine instructions name virtual registers; the
/// allocator rewrites each to a physical register (or a spill slot around it). Both
/// live in one 32-bit `Reg`, so instructions need not change type between the two
/// phases:
///
///     bit 31      30        29 … 0
///     virtual?    class     virtual: index  |  physical: hardware encoding (bits 0…5)

/// The kind of register file a value lives in.
public enum RegClass: UInt8, Hashable, Sendable {
    /// General-purpose integer registers.
    case int = 0
    /// Vector/float registers (xmm on x86-64).
    case float = 1
}

/// A physical register: a class and its hardware encoding (0 … 15 on x86-64).
public struct PReg: Hashable, Sendable, Comparable {
    public let regClass: RegClass
    public let hardwareEncoding: UInt8

    @inlinable public init(_ regClass: RegClass, _ hardwareEncoding: UInt8) {
        self.regClass = regClass
        self.hardwareEncoding = hardwareEncoding
    }

    /// A dense index over all classes (int 0…15, float 16…31), for bit sets and tables.
    @inlinable public var denseIndex: Int { Int(regClass.rawValue) * 16 + Int(hardwareEncoding) }

    @inlinable public init(denseIndex: Int) {
        self.init(denseIndex < 16 ? .int : .float, UInt8(denseIndex & 15))
    }

    public static func < (lhs: PReg, rhs: PReg) -> Bool { lhs.denseIndex < rhs.denseIndex }
}

/// A virtual register of a function's VCode.
public struct VReg: Hashable, Sendable {
    public let index: UInt32
    public let regClass: RegClass

    @inlinable public init(_ index: UInt32, _ regClass: RegClass) {
        self.index = index
        self.regClass = regClass
    }
}

/// A register operand: virtual before allocation, physical after.
public struct Reg: Hashable, Sendable {
    public let raw: UInt32

    private static let virtualBit: UInt32 = 1 << 31
    private static let floatBit: UInt32 = 1 << 30

    @inlinable init(raw: UInt32) { self.raw = raw }

    public init(_ preg: PReg) {
        raw = (preg.regClass == .float ? Reg.floatBit : 0) | UInt32(preg.hardwareEncoding)
    }

    public init(_ vreg: VReg) {
        raw = Reg.virtualBit | (vreg.regClass == .float ? Reg.floatBit : 0) | (vreg.index & 0x3FFF_FFFF)
    }

    public var isVirtual: Bool { raw & Reg.virtualBit != 0 }
    public var regClass: RegClass { raw & Reg.floatBit != 0 ? .float : .int }

    /// The physical register, if this is one.
    public var physical: PReg? {
        isVirtual ? nil : PReg(regClass, UInt8(raw & 0x3F))
    }

    /// The virtual register, if this is one.
    public var virtual: VReg? {
        isVirtual ? VReg(raw & 0x3FFF_FFFF, regClass) : nil
    }
}

extension Reg: CustomStringConvertible {
    /// `%v12` for a virtual register (`%v12f` in the float class); physical registers
    /// print through the target's names (`X64Registers.name`).
    public var description: String {
        if let vreg = virtual { return "%v\(vreg.index)" + (vreg.regClass == .float ? "f" : "") }
        guard let preg = physical else { return "%?" }
        return preg.regClass == .int ? "%r\(preg.hardwareEncoding)" : "%xmm\(preg.hardwareEncoding)"
    }
}

/// A register an instruction writes: the type says so at every use site, as in
/// Cranelift (`Writable<Gpr>`).
public struct Writable<R: Hashable & Sendable>: Hashable, Sendable {
    public let reg: R

    @inlinable public init(_ reg: R) { self.reg = reg }
}

/// A register of the general-purpose class.
public struct Gpr: Hashable, Sendable, CustomStringConvertible {
    public let reg: Reg

    /// `nil` if `reg` is not of the integer class.
    public init?(_ reg: Reg) {
        guard reg.regClass == .int else { return nil }
        self.reg = reg
    }

    @inlinable public init(_ preg: PReg) { reg = Reg(preg) }
    @inlinable public init(virtual index: UInt32) { reg = Reg(VReg(index, .int)) }

    public var description: String { reg.description }
}

/// A register of the vector/float class.
public struct Xmm: Hashable, Sendable, CustomStringConvertible {
    public let reg: Reg

    /// `nil` if `reg` is not of the float class.
    public init?(_ reg: Reg) {
        guard reg.regClass == .float else { return nil }
        self.reg = reg
    }

    @inlinable public init(_ preg: PReg) { reg = Reg(preg) }
    @inlinable public init(virtual index: UInt32) { reg = Reg(VReg(index, .float)) }

    public var description: String { reg.description }
}
