import Testing
import EgretIR
@testable import EgretCodegen

/// The register allocator and its checker grow linearly with the function: a chain of
/// blocks four times as long costs about four times the memory and work, not sixteen
/// times (block liveness once kept a set of every virtual register for every block,
/// and the checker an abstract state per block; a chain of 100,000 blocks needed
/// gigabytes).
struct RegAllocScalingTests {
    /// `blocks` blocks, each adding the entry parameter to the running value and
    /// leaving for the exit block when the sum is zero: the entry parameter is live
    /// across every block, the running value across every edge.
    static func chain(blocks: Int) -> String {
        var lines = ["function %chain(i64) -> i64 {", "block0(v0: i64):", "    jump block1(v0)"]
        for k in 1 ... blocks {
            lines.append("block\(k)(v\(2 * k): i64):")
            lines.append("    v\(2 * k + 1) = iadd v\(2 * k), v0")
            lines.append(k < blocks ? "    brif v\(2 * k + 1), block\(k + 1)(v\(2 * k + 1)), block\(blocks + 1)(v\(2 * k + 1))"
                                    : "    jump block\(blocks + 1)(v\(2 * k + 1))")
        }
        lines += ["block\(blocks + 1)(v\(2 * blocks + 2): i64):", "    v\(2 * blocks + 3) = iadd v\(2 * blocks + 2), v0",
                  "    return v\(2 * blocks + 3)", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    static func allocate(blocks: Int) throws -> (RegAllocStatistics, instructions: Int) {
        let function = try CLIFParser.parse(chain(blocks: blocks), fileName: "chain.clif").functions[0]
        let lowered = try X64Lowering.lower(function)
        let environment = Compiler.registerEnvironment(for: lowered.frame.convention)
        let allocation = try RegisterAllocator.allocate(lowered.vcode, environment: environment)
        // The checker accepts it (and runs in one state per join, whatever the length).
        try RegAllocChecker.check(lowered.vcode, allocation)
        return (allocation.statistics, lowered.vcode.insts.count)
    }

    @Test func allocatingFourTimesTheBlocksCostsAboutFourTimesAsMuch() throws {
        let (small, smallSize) = try Self.allocate(blocks: 2000)
        let (large, largeSize) = try Self.allocate(blocks: 8000)
        let growth = Double(largeSize) / Double(smallSize)
        #expect(growth > 3.5 && growth < 4.5, "the VCode grows \(growth)x")
        func ratio(_ large: Int, _ small: Int) -> Double { Double(large) / Double(max(small, 1)) }
        // Linear growth is about 4x; quadratic would be 16x.
        #expect(ratio(large.livenessVisits, small.livenessVisits) <= 5, "liveness work \(small) -> \(large)")
        #expect(ratio(large.livenessWords, small.livenessWords) <= 5, "liveness memory \(small) -> \(large)")
        #expect(ratio(large.peakWords, small.peakWords) <= 5, "allocator memory \(small) -> \(large)")
        // The entry parameter alone is live into every block: the walks visit at least
        // that many, and the counters are real.
        #expect(large.livenessVisits >= 8000 && large.passes >= 1)
    }
}
