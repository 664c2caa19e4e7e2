/// The control-flow graph of a function: the one place where Egret works out which
/// blocks follow which. The verifier (dominators), lowering (block order, edge
/// splitting) and the fuzzer's culprit locator (probes) all read it.
///
/// Edges are the block calls of each placed block's last instruction: a `jump`'s
/// target, both of `brif`'s, `br_table`'s default and table, a `try_call`'s normal and
/// handler targets. A block ending in a return or trap has no successors.
///
///     block0 ─► block1 ─► block3        successors   block0: [1, 2]  block1: [3]
///       └─────► block2 ─┘               postorder    [3, 1, 2, 0]
///
/// Requires: block calls name blocks of the function (the verifier's references
/// pass checks that; `including` lets it leave out terminators it found unsound).
/// Guarantees: successors are in terminator order; `postorder` lists exactly the
/// blocks reachable from the entry, each once, every block after all of its
/// successors except along back edges; the depth-first search keeps its own stack,
/// so no function is deep enough to overflow the thread's.
public struct ControlFlowGraph: Sendable {
    /// The entry block (the first of the layout), if any.
    public let entry: Block?
    /// Successors of block `b` are `successorList[successorStart[b] ..< successorStart[b + 1]]`.
    private let successorStart: [Int32]
    private let successorList: [Block]
    /// Blocks reachable from the entry, in depth-first postorder.
    public let postorder: [Block]
    /// Whether each block (by number) is reachable from the entry.
    private let reachable: [Bool]

    /// The graph of `function`, counting the edges of the terminators `including`
    /// accepts (all by default).
    public init(_ function: Function, including: (Inst) -> Bool = { _ in true }) {
        let blockCount = function.blocks.count
        var start = [Int32](repeating: 0, count: blockCount + 1)
        var list: [Block] = []
        list.reserveCapacity(2 * function.layout.count)
        var placed = [Bool](repeating: false, count: blockCount)
        for block in function.layout where block.position < blockCount { placed[block.position] = true }
        for position in 0 ..< blockCount {
            start[position] = Int32(list.count)
            guard placed[position], let terminator = function.blocks[position].insts.last, including(terminator)
            else { continue }
            for call in function.blockCalls(of: terminator) where call.block.position < blockCount {
                list.append(call.block)
            }
        }
        start[blockCount] = Int32(list.count)
        successorStart = start
        successorList = list
        entry = function.layout.first
        var visited = [Bool](repeating: false, count: blockCount)
        var order: [Block] = []
        if let entry, entry.position < blockCount {
            order.reserveCapacity(function.layout.count)
            // Explicit stack of (block, next edge to follow).
            var stack: [(block: Block, nextEdge: Int32)] = [(entry, start[entry.position])]
            visited[entry.position] = true
            while let top = stack.last {
                if top.nextEdge < start[top.block.position + 1] {
                    stack[stack.count - 1].nextEdge += 1
                    let next = list[Int(top.nextEdge)]
                    if !visited[next.position] {
                        visited[next.position] = true
                        stack.append((next, start[next.position]))
                    }
                } else {
                    order.append(top.block)
                    stack.removeLast()
                }
            }
        }
        postorder = order
        reachable = visited
    }

    /// The successors of `block`, in its terminator's order (repeated when two edges
    /// lead to the same block).
    public func successors(of block: Block) -> ArraySlice<Block> {
        guard block.position + 1 < successorStart.count else { return [] }
        return successorList[Int(successorStart[block.position]) ..< Int(successorStart[block.position + 1])]
    }

    /// Whether `block` is reachable from the entry.
    public func isReachable(_ block: Block) -> Bool {
        block.position < reachable.count && reachable[block.position]
    }

    /// The reachable blocks in reverse postorder (the entry first).
    public var reversePostorder: [Block] { postorder.reversed() }

    /// The predecessors of every block, by block number (reachable sources only).
    public func predecessors() -> [[Block]] {
        var predecessors = [[Block]](repeating: [], count: reachable.count)
        for block in postorder {
            for successor in successors(of: block) { predecessors[successor.position].append(block) }
        }
        return predecessors
    }

    /// The blocks from which `target` can be reached (itself included), whether or not
    /// the entry reaches them.
    public func blocks(reaching target: Block) -> Set<Block> {
        var predecessors = [[Block]](repeating: [], count: reachable.count)
        for position in 0 ..< reachable.count {
            for successor in successors(of: Block(UInt32(position))) {
                predecessors[successor.position].append(Block(UInt32(position)))
            }
        }
        var reaching: Set<Block> = [target]
        var work: [Block] = [target]
        while let block = work.popLast() {
            guard block.position < predecessors.count else { continue }
            for predecessor in predecessors[block.position] where reaching.insert(predecessor).inserted {
                work.append(predecessor)
            }
        }
        return reaching
    }

    /// `layout` without the blocks the entry does not reach, in layout order.
    public func reachableLayout(_ layout: [Block]) -> [Block] {
        layout.filter(isReachable)
    }
}
