import Testing
@testable import EgretCodegen

struct RegistersTests {
    @Test func virtualAndPhysicalRegistersShareOneWord() {
        let v = Reg(VReg(12345, .float))
        #expect(v.isVirtual)
        #expect(v.virtual == VReg(12345, .float))
        #expect(v.physical == nil)
        #expect(v.regClass == .float)
        let p = Reg(PReg(.int, 13))
        #expect(!p.isVirtual)
        #expect(p.physical == PReg(.int, 13))
        #expect(p.virtual == nil)
        #expect(Gpr(v) == nil)
        #expect(Xmm(v) != nil)
    }

    @Test func denseIndexRoundTrips() {
        for index in 0 ..< 32 {
            #expect(PReg(denseIndex: index).denseIndex == index)
        }
    }
}
