import Testing
@testable import EgretIR

/// The one control-flow graph: successors in terminator order, reachability and
/// postorder from the entry, and the blocks that can reach a block.
struct ControlFlowGraphTests {
    static let text = """
        function %f(i32) -> i32 {
        block0(v0: i32):
            brif v0, block1, block2
        block1:
            jump block3
        block2:
            br_table v0, block3, [block1, block3]
        block3:
            return v0
        block4:
            jump block3
        }
        """

    @Test func successorsFollowTheTerminator() throws {
        let function = try #require(try CLIFParser.parse(Self.text).functions.first)
        let graph = ControlFlowGraph(function)
        #expect(Array(graph.successors(of: Block(0))) == [Block(1), Block(2)])
        #expect(Array(graph.successors(of: Block(2))) == [Block(3), Block(1), Block(3)])
        #expect(graph.successors(of: Block(3)).isEmpty)
    }

    @Test func postorderListsTheReachableBlocksAfterTheirSuccessors() throws {
        let function = try #require(try CLIFParser.parse(Self.text).functions.first)
        let graph = ControlFlowGraph(function)
        #expect(Set(graph.postorder) == [Block(0), Block(1), Block(2), Block(3)])
        #expect(graph.postorder.last == Block(0))
        #expect(graph.postorder.first == Block(3))
        #expect(!graph.isReachable(Block(4)))
        #expect(graph.reachableLayout(function.layout) == [Block(0), Block(1), Block(2), Block(3)])
        #expect(graph.predecessors()[3].count == 3)
    }

    @Test func blocksReachingIncludeUnreachableOnes() throws {
        let function = try #require(try CLIFParser.parse(Self.text).functions.first)
        let graph = ControlFlowGraph(function)
        #expect(graph.blocks(reaching: Block(1)) == [Block(0), Block(1), Block(2)])
        #expect(graph.blocks(reaching: Block(3)) == [Block(0), Block(1), Block(2), Block(3), Block(4)])
    }

    @Test func aDeepChainDoesNotOverflowTheStack() throws {
        var text = "function %deep() {\n"
        for index in 0 ..< 50_000 { text += "block\(index):\n    jump block\(index + 1)\n" }
        text += "block50000:\n    return\n}\n"
        let function = try #require(try CLIFParser.parse(text).functions.first)
        #expect(ControlFlowGraph(function).postorder.count == 50_001)
    }
}
