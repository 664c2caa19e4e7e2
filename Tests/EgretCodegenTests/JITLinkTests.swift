import EgretIR
import EgretRuntime
import Foundation
import Testing
@testable import EgretCodegen

/// Laying out and linking: relocations between functions and to external symbols,
/// veneers for far calls, constants, incremental finalization, and the memory itself
/// (never writable and executable, registered while alive, unmapped after).
struct JITLinkTests {
    /// A C function in the test executable: as a rule more than 2 GiB from mmap'd
    /// code, so a direct call to it goes through a veneer.
    static let scaleAndAdd: @convention(c) (Int64, Int64) -> Int64 = { a, b in a * 10 + b }

    static var scaleAndAddAddress: UnsafeRawPointer {
        unsafeBitCast(scaleAndAdd, to: UnsafeRawPointer.self)
    }

    @Test func aDirectCallBetweenFunctionsLinks() throws {
        let fixture = try JITFixture([
            ("add", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.add)),
            ("callAdd", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.callDirect(symbol("add")))),
            try JITFixture.trampoline("t", [.i64, .i64], [.i64]),
        ])
        #expect(try fixture.call("callAdd", through: "t", [i64(20), i64(22)]) == .returned([i64(42)]))
    }

    @Test func aCallThroughAnAbsoluteAddressLinks() throws {
        let fixture = try JITFixture([
            ("add", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.add)),
            ("callAdd", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.callThroughAddress(symbol("add")))),
            ("addressOfAdd", [], [.i64], JITPrograms.assemble(JITPrograms.addressOf(symbol("add")))),
            try JITFixture.trampoline("t2", [.i64, .i64], [.i64]),
            try JITFixture.trampoline("t0", [], [.i64]),
        ])
        #expect(try fixture.call("callAdd", through: "t2", [i64(-1), i64(-2)]) == .returned([i64(-3)]))
        let add = try fixture.module.address(of: try #require(fixture.module.function(named: symbol("add"))))
        #expect(try fixture.call("addressOfAdd", through: "t0", []) == .returned([i64(Int64(Int(bitPattern: add)))]))
    }

    @Test func externalSymbolsComeFromTheCallersTable() throws {
        let symbols = JITSymbolTable([symbol("scaleAndAdd"): Self.scaleAndAddAddress])
        let fixture = try JITFixture([
            ("direct", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.callDirect(symbol("scaleAndAdd")))),
            ("viaAddress", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.callThroughAddress(symbol("scaleAndAdd")))),
            try JITFixture.trampoline("t", [.i64, .i64], [.i64]),
        ], symbols: symbols)
        #expect(try fixture.call("direct", through: "t", [i64(4), i64(2)]) == .returned([i64(42)]))
        #expect(try fixture.call("viaAddress", through: "t", [i64(-1), i64(3)]) == .returned([i64(-7)]))
    }

    @Test func aFarCallGoesThroughAVeneerAndANearOneDoesNot() throws {
        let callFar = try JITPrograms.assemble(JITPrograms.callDirect(symbol("far")))
        let callNear = try JITPrograms.assemble(JITPrograms.callDirect(symbol("near")))
        let base = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
        defer { base.deallocate() }
        let start = UInt(bitPattern: base)
        let far = start + (5 << 30), near = start + (1 << 20)
        let linker = try RegionLinker(inputs: [.init(name: symbol("f"), code: callFar),
                                               .init(name: symbol("g"), code: callNear)]) { name in
            name == symbol("far") ? far : name == symbol("near") ? near : nil
        }
        try linker.write(to: base, mappedSize: 4096)
        func displacement(_ function: Int) -> Int64 {
            let field = linker.functionOffsets[function] + 5                 // after sub $8, %rsp and e8
            return Int64(base.loadUnaligned(fromByteOffset: field, as: Int32.self))
        }
        func callTarget(_ function: Int) -> UInt {
            UInt(Int64(start) + Int64(linker.functionOffsets[function] + 9) + displacement(function))
        }
        let veneer = try #require(linker.veneerOffsets[symbol("far")])
        #expect(callTarget(0) == start + UInt(veneer))
        #expect((0 ..< 6).map { base.load(fromByteOffset: veneer + $0, as: UInt8.self) } == [0xFF, 0x25, 0, 0, 0, 0])
        #expect(base.loadUnaligned(fromByteOffset: veneer + 6, as: UInt64.self) == UInt64(far))
        #expect(callTarget(1) == near)
    }

    @Test func aFarDataReferenceIsAnErrorNotAVeneer() throws {
        let code = try JITPrograms.loadRipRelative(symbol("data"))
        let module = JITModule(symbols: JITSymbolTable([symbol("data"): try #require(UnsafeRawPointer(bitPattern: 0x10000))]))
        try module.define(symbol("readData"), signature: JITPrograms.signature([], [.i64]), code: code)
        #expect {
            try module.finalize()
        } throws: { error in
            guard case JITError.relocationOutOfRange(symbol("data"), symbol("readData"), 3, _) = error else { return false }
            return true
        }
        #expect(module.regions.isEmpty)
    }

    @Test func aNearDataReferenceReadsTheTarget() throws {
        // movq add(%rip), %rax reads the first 8 bytes of add's code.
        let fixture = try JITFixture([
            ("add", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.add)),
            ("readAdd", [], [.i64], JITPrograms.loadRipRelative(symbol("add"))),
            try JITFixture.trampoline("t", [], [.i64]),
        ])
        let addCode = try JITPrograms.assemble(JITPrograms.add).bytes + [UInt8](repeating: 0xCC, count: 8)
        let expected = (0 ..< 8).reduce(UInt64(0)) { $0 | UInt64(addCode[$1]) << (8 * UInt64($1)) }
        #expect(try fixture.call("readAdd", through: "t", []) == .returned([DataValue(type: .i64, low: expected)]))
    }

    @Test func constantsArePlacedAlignedAfterTheirCode() throws {
        let code = try JITPrograms.loadConstant(0xDEAD_BEEF_0BAD_F00D)
        #expect(code.requiredAlignment == 16)
        let fixture = try JITFixture([
            ("pad", [], [], JITPrograms.assemble([.ret(returns: [])])),      // shifts the next function
            ("constant", [], [.i64], code),
            try JITFixture.trampoline("t", [], [.i64]),
        ])
        #expect(try fixture.call("constant", through: "t", []) == .returned([DataValue(type: .i64, low: 0xDEAD_BEEF_0BAD_F00D)]))
        let layout = try #require(fixture.module.layout.first { $0.name == symbol("constant") })
        #expect(layout.address % 16 == 0)
        #expect(layout.codeSize == 8 && layout.size == 32)                   // 7-byte load + ret, pad, 16 bytes
    }

    @Test func theLayoutDescribesEveryFunctionInAddressOrder() throws {
        let fixture = try JITFixture([
            ("add", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.add)),
            ("sdiv", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.sdiv)),
        ])
        let layout = fixture.module.layout
        #expect(layout.map(\.name) == [symbol("add"), symbol("sdiv")])
        #expect(layout.map(\.codeSize) == [7, 9])
        #expect(layout.allSatisfy { $0.address % UInt(RegionLinker.functionAlignment) == 0 })
        #expect(layout[0].address + UInt(layout[0].size) <= layout[1].address)
        #expect(layout[1].signature == JITPrograms.signature([.i64, .i64], [.i64]))
        let region = try #require(fixture.module.regions.first)
        #expect(layout.allSatisfy { region.contains($0.address) && region.contains($0.address + UInt($0.size) - 1) })
    }

    @Test func aLaterFinalizeLinksAgainstEarlierFunctions() throws {
        let module = JITModule()
        try module.define(symbol("add"), signature: JITPrograms.signature([.i64, .i64], [.i64]),
                          code: JITPrograms.assemble(JITPrograms.add))
        try module.define(symbol("t"), signature: JITModule.trampolineSignature,
                          code: JITPrograms.assemble(JITPrograms.trampoline(params: [.i64, .i64], returns: [.i64])))
        try module.finalize()
        #expect(try module.call(symbol("add"), through: symbol("t"), arguments: [i64(1), i64(2)]) == .returned([i64(3)]))

        try module.define(symbol("callAdd"), signature: JITPrograms.signature([.i64, .i64], [.i64]),
                          code: JITPrograms.assemble(JITPrograms.callDirect(symbol("add"))))
        try module.finalize()
        #expect(module.regions.count == 2)
        #expect(try module.call(symbol("callAdd"), through: symbol("t"), arguments: [i64(5), i64(6)]) == .returned([i64(11)]))
        try module.finalize()                                                // nothing new: no region
        #expect(module.regions.count == 2)
    }

    // MARK: Errors

    @Test func anUnresolvedSymbolIsNamedAndNothingIsMapped() throws {
        let module = JITModule()
        try module.define(symbol("caller"), signature: JITPrograms.signature([.i64, .i64], [.i64]),
                          code: JITPrograms.assemble(JITPrograms.callDirect(symbol("nowhere"))))
        #expect(throws: JITError.unresolvedSymbol(symbol("nowhere"), referencedBy: symbol("caller"), offset: 5)) {
            try module.finalize()
        }
        #expect(module.regions.isEmpty)
        #expect("\(JITError.unresolvedSymbol(symbol("nowhere"), referencedBy: symbol("caller"), offset: 5))"
            == "unresolved symbol %nowhere referenced by %caller+0x5")
        // Providing the symbol afterwards lets the same definitions link.
        try module.defineSymbol(symbol("nowhere"), address: Self.scaleAndAddAddress)
        try module.finalize()
        #expect(module.regions.count == 1)
    }

    @Test func aNameIsDefinedOnce() throws {
        let module = JITModule(symbols: JITSymbolTable([symbol("helper"): Self.scaleAndAddAddress]))
        let code = try JITPrograms.assemble([.ret(returns: [])])
        try module.define(symbol("f"), signature: Signature(), code: code)
        #expect(throws: JITError.duplicateDefinition(symbol("f"))) {
            try module.define(symbol("f"), signature: Signature(), code: code)
        }
        #expect(throws: JITError.duplicateDefinition(symbol("helper"))) {
            try module.define(symbol("helper"), signature: Signature(), code: code)
        }
        #expect(throws: JITError.duplicateDefinition(symbol("f"))) {
            try module.defineSymbol(symbol("f"), address: Self.scaleAndAddAddress)
        }
    }

    @Test func selfContradictoryCodeIsRejected() throws {
        var trapPastEnd = try JITPrograms.assemble([.ret(returns: [])])
        trapPastEnd.traps = [TrapRecord(offset: 1, code: .heapOutOfBounds)]
        var relocationPastEnd = try JITPrograms.assemble([.ret(returns: [])])
        relocationPastEnd.relocations = [Relocation(offset: 0, kind: .absolute64, target: symbol("x"), addend: 0)]
        var twoCodes = try JITPrograms.assemble([.ud2(trap: .heapOutOfBounds)])
        twoCodes.traps.append(TrapRecord(offset: 0, code: .integerOverflow))
        for code in [trapPastEnd, relocationPastEnd, twoCodes] {
            #expect {
                try JITModule().define(symbol("f"), signature: Signature(), code: code)
            } throws: { error in
                guard case JITError.invalidCode(symbol("f"), _) = error else { return false }
                return true
            }
        }
    }

    // MARK: Memory

    /// /proc/self/maps, read to its end (`String(contentsOfFile:)` trusts the file's
    /// reported size and stops after the first block of this generated file).
    static func processMemoryMap() throws -> String {
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        defer { try? handle.close() }
        return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
    }

    @Test func codeMemoryIsExecutableAndNotWritable() throws {
        let fixture = try JITFixture([("add", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.add))])
        // Read the maps while the module (and so its memory) is certainly alive.
        let maps = try withExtendedLifetime(fixture) { try Self.processMemoryMap() }
        #expect(!fixture.module.regions.isEmpty)
        for region in fixture.module.regions {
            let line = maps.split(separator: "\n").first { line in
                let range = line.prefix { $0 != " " }.split(separator: "-").compactMap { UInt($0, radix: 16) }
                return range.count == 2 && range[0] <= region.start && region.start < range[1]
            }
            let permissions = try #require(line?.split(separator: " ").dropFirst().first)
            #expect(permissions.hasPrefix("r-x"))
        }
    }

    @Test func releasingTheModuleUnregistersItsCode() throws {
        var module: JITModule? = try JITFixture([("add", [.i64, .i64], [.i64], JITPrograms.assemble(JITPrograms.add))]).module
        weak let released = module
        let start = try #require(module?.regions.first.flatMap { UnsafeRawPointer(bitPattern: $0.start) })
        #expect(egret_is_jit_code(start) == 1)
        module = nil
        #expect(released == nil)
        // (Tests run in parallel: another module could map the same pages right after
        // they are freed, so the check follows the release immediately.)
        #expect(egret_is_jit_code(start) == 0)
    }
}
