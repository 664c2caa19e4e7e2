import Testing
@testable import EgretSMT

/// The Z3 wrapper: terms, the three answers, models, errors, and resources.
struct Z3WrapperTests {
    @Test func provesAnIdentityAndRefutesAFalsehood() throws {
        let context = try Z3Context()
        let solver = try Z3Solver(context)
        let x = context.bitVector("x", width: 32), y = context.bitVector("y", width: 32)
        guard case .proven = try solver.prove(x + y == y + x) else {
            Issue.record("x + y == y + x not proven")
            return
        }
        guard case .counterexample(let model) = try solver.prove(x + y == x) else {
            Issue.record("x + y == x proven")
            return
        }
        #expect(try model.value(of: y) != 0)
        #expect(solver.queryCount == 2)
    }

    @Test func assumptionsRestrictTheClaim() throws {
        let context = try Z3Context()
        let solver = try Z3Solver(context)
        let x = context.bitVector("x", width: 8)
        let claim = x.udiv(x) == x.constant(1)
        guard case .counterexample(let model) = try solver.prove(claim) else {
            Issue.record("x / x == 1 proven without x != 0")
            return
        }
        #expect(try model.value(of: x) == 0)
        guard case .proven = try solver.prove(claim, assuming: [!x.isZero]) else {
            Issue.record("x / x == 1 not proven for x != 0")
            return
        }
    }

    @Test func widthMismatchIsAnErrorNotAnAnswer() throws {
        let context = try Z3Context()
        let solver = try Z3Solver(context)
        let narrow = context.bitVector("a", width: 8), wide = context.bitVector("b", width: 16)
        let claim = narrow + wide.low(8) == narrow
        _ = narrow == wide
        #expect(throws: SMTError.self) { try solver.prove(claim) }
    }

    @Test func simplificationEvaluatesConstants() throws {
        let context = try Z3Context()
        let value = (context.bitVector(200, width: 8) + context.bitVector(100, width: 8)).simplified()
        #expect(value.numeral == 44)
        let extended = context.bitVector(signed: -2, width: 8).signExtended(to: 64).simplified()
        #expect(extended.numeral == UInt64(bitPattern: -2))
        #expect(context.bitVector(0x1234, width: 16).low(8).simplified().numeral == 0x34)
    }

    @Test func memoryLoadsWhatWasStoredLittleEndian() throws {
        let context = try Z3Context()
        let solver = try Z3Solver(context)
        let memory = context.memory("m")
        let address = context.bitVector("p", width: 64), value = context.bitVector("v", width: 32)
        let stored = memory.storing(4, of: value, at: address)
        guard case .proven = try solver.prove(stored.load(4, at: address) == value) else {
            Issue.record("a load after a store does not read the stored value")
            return
        }
        let lowByte = stored.byte(at: address)
        guard case .proven = try solver.prove(lowByte == value.extract(7, 0)) else {
            Issue.record("the first byte is not the low byte")
            return
        }
    }

    @Test func divisionRewritesAreIdentities() throws {
        // The narrowing rewrites of Z3Division against the plain operations, at 8 → 16
        // bits, where the solver can check the plain form quickly.
        let context = try Z3Context()
        let solver = try Z3Solver(context)
        let a = context.bitVector("a", width: 8), b = context.bitVector("b", width: 8)
        let pairs: [(BitVector, BitVector)] = [
            (a.signExtended(to: 16).sdiv(b.signExtended(to: 16)),
             a.signExtended(to: 16).rawDivide(b.signExtended(to: 16), .signedQuotient)),
            (a.signExtended(to: 16).srem(b.signExtended(to: 16)),
             a.signExtended(to: 16).rawDivide(b.signExtended(to: 16), .signedRemainder)),
            (a.zeroExtended(to: 16).udiv(b.zeroExtended(to: 16)),
             a.zeroExtended(to: 16).rawDivide(b.zeroExtended(to: 16), .unsignedQuotient)),
            (a.zeroExtended(to: 16).urem(b.zeroExtended(to: 16)),
             a.zeroExtended(to: 16).rawDivide(b.zeroExtended(to: 16), .unsignedRemainder)),
        ]
        for (rewritten, plain) in pairs {
            guard case .proven = try solver.prove(rewritten == plain) else {
                Issue.record("a division rewrite is not an identity")
                continue
            }
        }
    }

    @Test func manyContextsReleaseTheirMemory() throws {
        // Each context frees its terms when it goes away; this runs enough of them to
        // show a leak as a crash or an error rather than silently.
        for round in 0 ..< 50 {
            let context = try Z3Context()
            let solver = try Z3Solver(context, timeoutMilliseconds: 1000)
            let x = context.bitVector("x", width: 64)
            guard case .proven = try solver.prove(x * x.constant(UInt64(round)) == x.constant(UInt64(round)) * x) else {
                Issue.record("round \(round) not proven")
                return
            }
        }
    }
}
