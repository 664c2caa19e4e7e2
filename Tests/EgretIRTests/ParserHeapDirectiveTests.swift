import Testing
@testable import EgretIR

/// `; heap:` and the run-line forms that use it: `heap` as an argument and
/// `, heap == "…"` as an expectation; every mistake is an error at its place.
struct ParserHeapDirectiveTests {
    private static let store = """
        function %st(i32, i64) -> i32 {
        block0(v0: i32, v1: i64):
            store v0, v1+2
            return v0
        }

        """

    @Test func theHeapHasASizeAndLeadingContents() throws {
        let module = try CLIFParser.parse("; heap: 6 = \"01ff\"\n" + Self.store + """
            ; run: %st(7, heap) == 7, heap == "01ff07"
            ; print: %st(1, heap)
            """)
        let heap = try #require(module.heap)
        #expect(heap.size == 6 && heap.bytes == [0x01, 0xFF, 0, 0, 0, 0])
        #expect(heap.location == SourceLocation(line: 1, column: 3))
        let run = module.runDirectives[0]
        #expect(run.heapArguments == [1])
        #expect(run.arguments == [DataValue(type: .i32, low: 7), DataValue(type: .i64, low: 0)])
        #expect(run.expectedHeap == [0x01, 0xFF, 0x07, 0, 0, 0], "unstated trailing bytes are zero")
        #expect(run.argumentText == "7, heap")
        #expect(run.arguments(heapAddress: 0x1000)[1] == DataValue(type: .i64, low: 0x1000))
        #expect(module.runDirectives[1].expectedHeap == nil && module.runDirectives[1].heapArguments == [1])
    }

    @Test func aHeapAfterTheRunLinesAndUppercaseDigitsAreAccepted() throws {
        let module = try CLIFParser.parse(Self.store + """
            ; run: %st(-1, heap) == -1, heap == "0000FFFFFFFF"
            ; heap: 6
            """)
        #expect(module.heap?.bytes == [0, 0, 0, 0, 0, 0])
        #expect(module.runDirectives.first?.expectedHeap == [0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    @Test func theHeapPrintsBackAsWritten() throws {
        let text = "test run\n; heap: 5 = \"00ff\"\n" + Self.store
            + "; run: %st(7, heap) == 7, heap == \"00ff07\"\n; run: %st(1, heap) == trap heap_oob, heap == \"00ff\"\n"
        let printed = CLIFPrinter.print(try CLIFParser.parse(text))
        #expect(printed.contains("; heap: 5 = \"00ff\"\n"))
        #expect(printed.contains("; run: %st(7, heap) == 7, heap == \"00ff07\"\n"))
        #expect(printed.contains("; run: %st(1, heap) == trap heap_oob, heap == \"00ff\"\n"))
        let reparsed = try CLIFParser.parse(printed)
        #expect(reparsed.heap == (try CLIFParser.parse(text)).heap.map { heap in
            var moved = heap
            moved.location = reparsed.heap?.location ?? heap.location
            return moved
        })
        #expect(reparsed.runDirectives.map(\.expectedHeap) == (try CLIFParser.parse(text)).runDirectives.map(\.expectedHeap))
    }

    @Test(arguments: [
        ("; heap: 0\n", "1 to 1048576 bytes", 1, 9),
        ("; heap: 1048577\n", "1 to 1048576 bytes", 1, 9),
        ("; heap: 4 = \"123\"\n", "odd number of hex digits", 1, 13),
        ("; heap: 4 = \"0011223344\"\n", "5 bytes, but the heap has 4", 1, 13),
        ("; heap: 4 = \"00zz\"\n", "'z' is not a hex digit", 1, 13),
        ("; heap: 4 = 0x0011\n", "hex digit pairs", 1, 13),
        ("; heap: 4\n; heap: 8\n", "declared at line 1", 2, 3),
        ("; heap: 4 bytes\n", "the end of the heap line", 1, 11),
    ])
    func heapLineMistakesAreErrorsAtTheirPlace(line: String, message: String, row: Int, column: Int) throws {
        let diagnostic = try #require(ParserTestSupport.diagnostic(line + Self.store))
        #expect(diagnostic.message.contains(message), "\(diagnostic.message)")
        #expect(diagnostic.location == SourceLocation(line: row, column: column), "\(diagnostic.location)")
    }

    @Test(arguments: [
        ("; run: %st(heap, heap) == 0\n", "parameter 1 of %st is i32", true),
        ("; run: %st(1, heap) == 1\n", "declares no heap", false),
        ("; run: %st(1, 2) == 1, heap == \"00\"\n", "needs a heap", false),
        ("; run: %st(1, heap) == 1, heap = \"00\"\n", "'==' after heap", true),
        ("; run: %st(1, heap) == 1, heap == \"0000000000\"\n", "5 bytes, but the heap has 4", true),
        ("; run: %st(1, heap) == 1, result == 2\n", "heap == ", true),
    ])
    func runLineMistakesAreErrors(line: String, message: String, withHeap: Bool) throws {
        let text = (withHeap ? "; heap: 4\n" : "") + Self.store + line
        let diagnostic = try #require(ParserTestSupport.diagnostic(text))
        #expect(diagnostic.message.contains(message), "\(diagnostic.message)")
        #expect(diagnostic.location.line == (withHeap ? 7 : 6))
    }

    @Test func aCommentMentioningTheHeapIsNoDirective() throws {
        let module = try CLIFParser.parse("; heap accesses below the start are not checked\n" + Self.store)
        #expect(module.heap == nil)
    }
}
