/// The dominators pass: the control-flow graph from the entry block, its reverse
/// postorder, immediate dominators by the Cooper-Harvey-Kennedy iterative algorithm
/// ("A Simple, Fast Dominance Algorithm", 2001), and an interval numbering of the
/// dominator tree so that "does a dominate b" is two comparisons.
///
///     entry ─► b1 ─► b2          idom:  b1 ← entry, b2 ← b1, b3 ← b1
///               └──► b3 ─► b2    tree intervals: entry [0,4) b1 [1,4) b2 [2,3) b3 [3,4)
///
/// Requires: the references pass (`instIsSound`: a sound terminator's targets are
/// placed blocks). The graph is the function's ControlFlowGraph through sound
/// branches.
/// Guarantees: `reversePostorderNumber[l]` >= 0 exactly for the layout positions
/// reachable from the entry block; for those, `dominatorTreeStart/End` hold the
/// dominator-tree interval. Edges are the targets of each block's terminator (jump,
/// brif, br_table default and table, try_call normal and handler targets).
///
/// Cost: O(blocks + edges) per iteration of the fixed point; reducible graphs need
/// two iterations. All arrays are flat and indexed by layout or RPO position.
extension FunctionVerifier {
    mutating func computeDominators() {
        let blockCount = layoutBlocks.count
        reversePostorderNumber = [Int32](repeating: -1, count: blockCount)
        dominatorTreeStart = [Int32](repeating: -1, count: blockCount)
        dominatorTreeEnd = [Int32](repeating: -1, count: blockCount)
        guard blockCount > 0, layoutBlocks[0] >= 0 else { return }

        // The graph through sound branches only: their targets are placed blocks.
        let sound = instIsSound, insts = function.insts, table = self.table
        let graph = ControlFlowGraph(function) { inst in
            inst.position < sound.count && sound[inst.position] && table.row(insts[inst.position].opcode).isBranch
        }
        let positionInLayout = blockLayoutIndex
        let postorder: [Int32] = graph.postorder.map { positionInLayout[$0.position] }
        let reachableCount = postorder.count
        for (index, layoutIndex) in postorder.reversed().enumerated() {
            reversePostorderNumber[Int(layoutIndex)] = Int32(index)
        }

        // Predecessors, by RPO number, in compressed rows.
        var predecessorStart = [Int32](repeating: 0, count: reachableCount + 1)
        for block in graph.postorder {
            for successor in graph.successors(of: block) {
                predecessorStart[Int(reversePostorderNumber[Int(positionInLayout[successor.position])]) + 1] += 1
            }
        }
        for index in 0 ..< reachableCount { predecessorStart[index + 1] += predecessorStart[index] }
        var predecessors = [Int32](repeating: 0, count: Int(predecessorStart[reachableCount]))
        var fill = predecessorStart
        for block in graph.postorder {
            let from = reversePostorderNumber[Int(positionInLayout[block.position])]
            for successor in graph.successors(of: block) {
                let to = Int(reversePostorderNumber[Int(positionInLayout[successor.position])])
                predecessors[Int(fill[to])] = from
                fill[to] += 1
            }
        }

        let idom = immediateDominators(predecessorStart: predecessorStart, predecessors: predecessors)

        // Interval numbering: in RPO every block comes after its immediate dominator,
        // so subtree sizes accumulate backwards and intervals are handed out forwards.
        var subtreeSize = [Int32](repeating: 1, count: reachableCount)
        for node in stride(from: reachableCount - 1, to: 0, by: -1) {
            subtreeSize[Int(idom[node])] += subtreeSize[node]
        }
        var start = [Int32](repeating: 0, count: reachableCount)
        var nextChildStart = [Int32](repeating: 1, count: reachableCount)
        for node in 1 ..< max(reachableCount, 1) {
            let parent = Int(idom[node])
            start[node] = nextChildStart[parent]
            nextChildStart[parent] += subtreeSize[node]
            nextChildStart[node] = start[node] + 1
        }
        for layoutIndex in postorder {
            let node = Int(reversePostorderNumber[Int(layoutIndex)])
            dominatorTreeStart[Int(layoutIndex)] = start[node]
            dominatorTreeEnd[Int(layoutIndex)] = start[node] + subtreeSize[node]
        }
    }

    /// Cooper-Harvey-Kennedy over RPO numbers: `idom[0] == 0` (the entry), and for every
    /// other reachable block the RPO number of its immediate dominator.
    private func immediateDominators(predecessorStart: [Int32], predecessors: [Int32]) -> [Int32] {
        let count = predecessorStart.count - 1
        var idom = [Int32](repeating: -1, count: count)
        guard count > 0 else { return idom }
        idom[0] = 0
        var changed = true
        while changed {
            changed = false
            for node in 1 ..< max(count, 1) {
                var newIdom: Int32 = -1
                for edge in Int(predecessorStart[node]) ..< Int(predecessorStart[node + 1]) {
                    let predecessor = predecessors[edge]
                    guard idom[Int(predecessor)] >= 0 else { continue }
                    newIdom = newIdom < 0 ? predecessor : Self.intersect(predecessor, newIdom, idom)
                }
                if idom[node] != newIdom {
                    idom[node] = newIdom
                    changed = true
                }
            }
        }
        return idom
    }

    /// The nearest common dominator of two processed blocks, by RPO number.
    @inline(__always)
    private static func intersect(_ first: Int32, _ second: Int32, _ idom: [Int32]) -> Int32 {
        var a = first, b = second
        while a != b {
            while a > b { a = idom[Int(a)] }
            while b > a { b = idom[Int(b)] }
        }
        return a
    }

    /// Whether the block at layout position `dominator` dominates the one at `block`
    /// (both reachable; a block dominates itself).
    @inline(__always)
    func dominates(layout dominator: Int, _ block: Int) -> Bool {
        let start = dominatorTreeStart[dominator]
        let position = dominatorTreeStart[block]
        return start >= 0 && position >= start && position < dominatorTreeEnd[dominator]
    }
}
