import Testing
import EgretIR
@testable import EgretCodegen

/// The calling conventions as data: where arguments and returns go under system_v,
/// windows_fastcall and tail, and what each preserves.
struct ABICallingConventionTests {
    static func layout(_ params: [IRType], _ returns: [IRType] = [], _ convention: CallingConvention,
                       extensions: [ArgumentExtension] = []) throws -> ABISignature {
        let abiParams = params.enumerated().map { index, type in
            AbiParam(type, extension_: index < extensions.count ? extensions[index] : .none)
        }
        return try ABISignature(Signature(params: abiParams, returns: returns.map { AbiParam($0) }),
                                convention: convention)
    }

    static func text(_ location: ABISignature.Location) -> String {
        switch location {
        case .register(let preg): return X64Registers.name(preg, size: .size64)
        case .stack(let offset): return "stack+\(offset)"
        }
    }

    static func parameters(_ layout: ABISignature) -> [String] { layout.parameters.map { text($0.location) } }
    static func returns(_ layout: ABISignature) -> [String] { layout.returns.map { text($0.location) } }

    // MARK: Twelve arguments

    @Test func twelveIntegerArgumentsOnSystemV() throws {
        let layout = try Self.layout(Array(repeating: .i64, count: 12), [.i64], .systemV)
        #expect(Self.parameters(layout) == ["rdi", "rsi", "rdx", "rcx", "r8", "r9", "stack+0", "stack+8", "stack+16",
                                            "stack+24", "stack+32", "stack+40"])
        #expect(layout.stackArgumentsSize == 48)
        #expect(Self.returns(layout) == ["rax"])
        #expect(!layout.hasReturnArea)
    }

    @Test func twelveIntegerArgumentsOnWindowsStartAfterTheShadowSpace() throws {
        let layout = try Self.layout(Array(repeating: .i32, count: 12), [.i32], .windowsFastcall)
        #expect(Self.parameters(layout) == ["rcx", "rdx", "r8", "r9", "stack+32", "stack+40", "stack+48", "stack+56",
                                            "stack+64", "stack+72", "stack+80", "stack+88"])
        #expect(layout.stackArgumentsSize == 96)
    }

    @Test func mixedClassesCountPerClassOnSystemVAndByPositionOnWindows() throws {
        let params: [IRType] = [.i32, .f64, .i8, .f32, .i64, .f64, .i16, .f32, .i32, .f64, .i64, .f32]
        let systemV = try Self.layout(params, [.f64], .systemV)
        #expect(Self.parameters(systemV) == ["rdi", "xmm0", "rsi", "xmm1", "rdx", "xmm2", "rcx", "xmm3", "r8", "xmm4",
                                             "r9", "xmm5"])
        #expect(systemV.stackArgumentsSize == 0)
        #expect(Self.returns(systemV) == ["xmm0"])
        let windows = try Self.layout(params, [.f64], .windowsFastcall)
        #expect(Self.parameters(windows) == ["rcx", "xmm1", "r8", "xmm3", "stack+32", "stack+40", "stack+48",
                                             "stack+56", "stack+64", "stack+72", "stack+80", "stack+88"])
    }

    @Test func tailPassesArgumentsLikeSystemVAndPopsThem() throws {
        let layout = try Self.layout(Array(repeating: .i64, count: 12), [], .tail)
        #expect(Self.parameters(layout) == Self.parameters(try Self.layout(Array(repeating: .i64, count: 12), [], .systemV)))
        #expect(layout.calleePopSize == 48)
        #expect(try Self.layout(Array(repeating: .i64, count: 12), [], .systemV).calleePopSize == 0)
    }

    // MARK: Eight returns

    @Test func eightReturnsOnSystemVUseAReturnArea() throws {
        let layout = try Self.layout([.i64, .i32], Array(repeating: .i64, count: 8), .systemV)
        #expect(Self.returns(layout) == ["rax", "rdx", "stack+0", "stack+8", "stack+16", "stack+24", "stack+32",
                                         "stack+40"])
        #expect(layout.returnAreaSize == 48)
        // The hidden pointer takes rdi; the parameters move up one register.
        #expect(layout.returnAreaPointer == .rdi)
        #expect(Self.parameters(layout) == ["rsi", "rdx"])
        #expect(layout.outgoingAreaSize == 48)
    }

    @Test func eightReturnsOnWindowsPutThePointerAtPositionZero() throws {
        let layout = try Self.layout([.i64, .f64, .i64, .i64, .i64], Array(repeating: .i32, count: 8), .windowsFastcall)
        #expect(Self.returns(layout) == ["rax", "rdx", "stack+0", "stack+8", "stack+16", "stack+24", "stack+32",
                                         "stack+40"])
        #expect(layout.returnAreaPointer == .rcx)
        #expect(Self.parameters(layout) == ["rdx", "xmm2", "r9", "stack+32", "stack+40"])
        #expect(layout.stackArgumentsSize == 48)
        #expect(layout.outgoingAreaSize == 96)
    }

    @Test func eightReturnsOnTailFitInRegisters() throws {
        let layout = try Self.layout([.i64], Array(repeating: .i64, count: 8) + [.f64, .f64], .tail)
        #expect(Self.returns(layout) == ["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "xmm0", "xmm1"])
        #expect(!layout.hasReturnArea)
        let nine = try Self.layout([.i64], Array(repeating: .i64, count: 9), .tail)
        #expect(Self.returns(nine).last == "stack+0")
        #expect(nine.returnAreaSize == 16)
    }

    @Test func mixedReturnsCountPerClass() throws {
        let systemV = try Self.layout([], [.i64, .f64, .i32, .f32, .i8, .f64], .systemV)
        #expect(Self.returns(systemV) == ["rax", "xmm0", "rdx", "xmm1", "stack+0", "stack+8"])
        let windows = try Self.layout([], [.i64, .f64, .i32, .f32], .windowsFastcall)
        #expect(Self.returns(windows) == ["rax", "xmm0", "rdx", "stack+0"])
    }

    // MARK: Registers the conventions preserve

    @Test func calleeSavedSets() {
        #expect(Set(CallingConvention.systemV.calleeSaved) == [.rbx, .rbp, .r12, .r13, .r14, .r15])
        #expect(Set(CallingConvention.windowsFastcall.calleeSaved)
                == Set([.rbx, .rbp, .rdi, .rsi, .r12, .r13, .r14, .r15] + (6 ... 15).map { PReg(.float, UInt8($0)) }))
        #expect(CallingConvention.tail.calleeSaved == CallingConvention.systemV.calleeSaved)
    }

    @Test func callerSavedSetsAreTheComplement() {
        #expect(Set(CallingConvention.systemV.callerSaved)
                == Set([.rax, .rcx, .rdx, .rsi, .rdi, .r8, .r9, .r10, .r11] + (0 ... 15).map { PReg(.float, UInt8($0)) }))
        #expect(Set(CallingConvention.windowsFastcall.callerSaved)
                == Set([.rax, .rcx, .rdx, .r8, .r9, .r10, .r11] + (0 ... 5).map { PReg(.float, UInt8($0)) }))
        for convention in CallingConvention.all {
            #expect(!convention.callerSaved.contains(.rsp) && !convention.callerSaved.contains(.rbp))
            #expect(convention.callerSaved.bits & convention.calleeSaved.bits == 0)
        }
    }

    @Test func stackDataIsCommonToAllConventions() throws {
        for convention in CallingConvention.all {
            #expect(convention.stackAlignment == 16)
            #expect(convention.stackSlotSize == 8)
            #expect(convention.assumedRedZoneSize == 0)
        }
        #expect(CallingConvention.windowsFastcall.shadowSpaceSize == 32)
        #expect(try Self.layout([], [], .windowsFastcall).stackArgumentsSize == 32)
        #expect(try Self.layout([], [], .systemV).stackArgumentsSize == 0)
    }

    // MARK: Conventions by name, flags, special parameters

    @Test func clifConventionsMapToRows() throws {
        #expect(try CallingConvention.forCallConv(.systemV) == .systemV)
        #expect(try CallingConvention.forCallConv(.fast) == .systemV)
        #expect(try CallingConvention.forCallConv(.cold) == .systemV)
        #expect(try CallingConvention.forCallConv(.windowsFastcall) == .windowsFastcall)
        #expect(try CallingConvention.forCallConv(.tail) == .tail)
        for unsupported: CallConv in [.appleAarch64, .probestack, .winch, .preserveAll, .patchable] {
            #expect(throws: CodegenError.unsupported("calling convention \(unsupported.name)")) {
                try CallingConvention.forCallConv(unsupported)
            }
        }
    }

    @Test func extensionFlagsWidenNarrowValuesOnly() throws {
        let layout = try Self.layout([.i8, .i16, .i32, .i64, .i8], [], .systemV, extensions: [.sext, .uext, .uext, .sext])
        #expect(layout.parameters.map(\.isExtended) == [true, true, true, false, false])
    }

    @Test func aStructReturnParameterIsReturnedInRax() throws {
        let signature = Signature(params: [AbiParam(.i64), AbiParam(.i64, purpose: .structReturn)])
        let layout = try ABISignature(signature, convention: .systemV)
        #expect(layout.structReturnParameter == 1)
        #expect(ABISignature.structReturnRegister == .rax)
    }

    @Test func typesWithoutARowAreUnsupported() {
        #expect(throws: CodegenError.unsupported("i32x4 return value 0 in a signature")) {
            try Self.layout([], [IRType(lane: .i32, laneCountLog2: 2)], .systemV)
        }
    }

    // MARK: i128

    /// Each parameter as "low/high" (one location for types up to 64 bits).
    static func halves(_ values: [ABISignature.Value]) -> [String] {
        values.map { value in
            [value.location] + (value.highLocation.map { [$0] } ?? []) }.map { $0.map(text).joined(separator: "/") }
    }

    @Test func systemVPassesAnI128InTwoConsecutiveRegisters() throws {
        let layout = try Self.layout([.i64, .i128, .i128, .i8], [.i128], .systemV)
        #expect(Self.halves(layout.parameters) == ["rdi", "rsi/rdx", "rcx/r8", "r9"])
        #expect(Self.halves(layout.returns) == ["rax/rdx"])
        #expect(layout.stackArgumentsSize == 0)
    }

    /// One register left: the i128 goes to a 16-byte aligned slot, and the register
    /// stays unused by later arguments (as Cranelift does it).
    @Test func systemVPutsAnI128ThatDoesNotFitOnTheStackAligned() throws {
        let layout = try Self.layout([.i64, .i64, .i64, .i64, .i64, .i128, .i64], [], .systemV)
        #expect(Self.halves(layout.parameters) == ["rdi", "rsi", "rdx", "rcx", "r8", "stack+0/stack+8", "stack+16"])
        #expect(layout.stackArgumentsSize == 32)
        let afterOneStackSlot = try Self.layout(Array(repeating: .i64, count: 7) + [.i128], [], .systemV)
        #expect(Self.halves(afterOneStackSlot.parameters).suffix(2) == ["stack+0", "stack+16/stack+24"])
        #expect(afterOneStackSlot.stackArgumentsSize == 32)
    }

    /// Windows places each half as an i64 of its own: the low half can take r9 and the
    /// high half the first slot after the shadow space.
    @Test func windowsSplitsAnI128BetweenR9AndTheStack() throws {
        let layout = try Self.layout([.i64, .i64, .i64, .i128, .i128], [.i128], .windowsFastcall)
        #expect(Self.halves(layout.parameters) == ["rcx", "rdx", "r8", "r9/stack+32", "stack+40/stack+48"])
        #expect(layout.stackArgumentsSize == 64)
        #expect(Self.halves(layout.returns) == ["rax/rdx"])
        let first = try Self.layout([.i128, .f64, .i128], [], .windowsFastcall)
        #expect(Self.halves(first.parameters) == ["rcx/rdx", "xmm2", "r9/stack+32"])
    }

    @Test func tailPlacesI128HalvesAsTwoIntegers() throws {
        let layout = try Self.layout([.i64, .i64, .i64, .i64, .i64, .i128], [], .tail)
        #expect(Self.halves(layout.parameters).last == "r9/stack+0")
    }

    /// Returns are two i64 returns under every convention; what does not fit the
    /// return registers goes to the return area, half by half.
    @Test(arguments: [CallingConvention.systemV, .windowsFastcall])
    func i128ResultsFillRaxRdxThenTheReturnArea(convention: CallingConvention) throws {
        let layout = try Self.layout([], [.i64, .i128, .i128], convention)
        #expect(Self.halves(layout.returns) == ["rax", "rdx/stack+0", "stack+8/stack+16"])
        #expect(layout.returnAreaSize == 32)
        #expect(layout.hasReturnArea)
    }
}
