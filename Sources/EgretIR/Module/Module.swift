/// A parsed CLIF file: its header lines, its functions, and its run directives.
public struct Module: Sendable {
    /// `test run`, `test interpret`, … in order.
    public var testCommands: [String] = []
    /// `set opt_level=speed` and the like: name, value (nil for a bare flag), location.
    public var settings: [Setting] = []
    /// `target x86_64 has_avx` and the like: the ISA name and its flags.
    public var targets: [Target] = []
    public var functions: [Function] = []
    /// `; run:` and `; print:` directives, in file order.
    public var runDirectives: [RunDirective] = []
    /// The heap buffer run directives pass with `heap` (`; heap:`), if the file has one.
    public var heap: HeapImage?
    /// The file name as the user gave it, for messages.
    public var fileName: String = "<input>"

    public init() {}

    /// Whether the file says `test aot` (an Egret extension): its run lines also run
    /// through an object and the system linker (`egret run --aot`), wherever they are
    /// judged.
    public var runsAheadOfTime: Bool {
        testCommands.contains { $0.split(separator: " ").first == "aot" }
    }

    /// The index of the function called `name`, if any.
    public func functionIndex(named name: ExternalName) -> Int? {
        functions.firstIndex { $0.name == name }
    }

    public struct Setting: Hashable, Sendable {
        public var name: String
        public var value: String?
        public var location: SourceLocation

        public init(name: String, value: String?, location: SourceLocation) {
            self.name = name
            self.value = value
            self.location = location
        }
    }

    public struct Target: Hashable, Sendable {
        public var isa: String
        public var flags: [String]
        public var location: SourceLocation

        public init(isa: String, flags: [String], location: SourceLocation) {
            self.isa = isa
            self.flags = flags
            self.location = location
        }
    }
}

/// One `; run:` (or `; print:`) line: call a function with constant arguments and
/// compare the outcome with an expectation.
///
///     ; run: %f(1, 2) == 3
///     ; run: %g(0) == [1, -1]
///     ; run: %h(1) != 0
///     ; run: %div(1, 0) == trap int_divz      ; Egret extension: expected trap
///     ; run: %st(heap, 7) == 0, heap == "07"  ; Egret extension: the heap (HeapImage)
///     ; print: %f(1, 2)
public struct RunDirective: Hashable, Sendable {
    public enum Comparison: String, Sendable {
        case equal = "=="
        case notEqual = "!="
    }

    public enum Expectation: Hashable, Sendable {
        /// `; print:` — run and show the result, expect nothing.
        case none
        /// The returned values (one or several), compared bitwise.
        case values(Comparison, [DataValue])
        /// The call traps with this code.
        case trap(TrapCode)
    }

    /// The function called.
    public var function: ExternalName
    /// Index of that function in `Module.functions`.
    public var functionIndex: Int
    /// The arguments; at the positions in `heapArguments`, a placeholder `i64` 0.
    public var arguments: [DataValue]
    /// Positions of `arguments` that take the heap's address (written `heap`): each
    /// executor passes where it placed the heap.
    public var heapArguments: [Int] = []
    public var expectation: Expectation
    /// The heap's contents after the call (`, heap == "…"`), all `HeapImage.size`
    /// bytes; nil when the directive expects nothing of the heap.
    public var expectedHeap: [UInt8]?
    public var location: SourceLocation
    /// The directive as written, for messages.
    public var text: String

    public init(function: ExternalName, functionIndex: Int, arguments: [DataValue], expectation: Expectation,
                location: SourceLocation, text: String) {
        self.function = function
        self.functionIndex = functionIndex
        self.arguments = arguments
        self.expectation = expectation
        self.location = location
        self.text = text
    }

    /// The arguments as a run line writes them (`heap` for the heap's address).
    public var argumentText: String {
        arguments.indices.map { heapArguments.contains($0) ? "heap" : arguments[$0].description }
            .joined(separator: ", ")
    }

    /// The arguments with every `heap` argument replaced by `heapAddress`.
    public func arguments(heapAddress: UInt64) -> [DataValue] {
        guard !heapArguments.isEmpty else { return arguments }
        var resolved = arguments
        for position in heapArguments {
            resolved[position] = DataValue(type: .i64, low: heapAddress)
        }
        return resolved
    }
}

/// The heap buffer of a file's run directives (an Egret extension):
///
///     ; heap: 64                  64 bytes, all zero
///     ; heap: 64 = "0001ff"       the first bytes in address order, the rest zero
///
/// A run directive passes its address with the argument `heap` (an `i64` parameter);
/// every directive starts from these contents, and may state the contents after the
/// call (`; run: %f(heap) == 1, heap == "00ff"`, unstated trailing bytes zero). An
/// access that is not entirely inside the buffer traps with the access's trap code
/// (`heap_oob` by default) on the interpreter; compiled code runs with inaccessible
/// guard pages after the buffer, so an access past its end (by less than
/// `guardBytes`) traps the same way there. An access before its start is caught only
/// when `size` is a multiple of the page size (4096): the buffer ends at a page end.
public struct HeapImage: Hashable, Sendable {
    /// Size in bytes, 1 … `maximumSize`.
    public var size: Int
    /// The contents every directive starts from (`size` bytes).
    public var bytes: [UInt8]
    public var location: SourceLocation

    public static let maximumSize = 1 << 20
    /// How far past the end compiled code's guard pages reach.
    public static let guardBytes = 64 << 10

    public init(size: Int, bytes: [UInt8], location: SourceLocation) {
        self.size = size
        self.bytes = bytes
        self.location = location
    }

    /// `"0001ff"`: the bytes in address order as hex digit pairs, trailing zeros
    /// left out (the text run lines and heap directives use).
    public static func hexText(_ bytes: [UInt8]) -> String {
        let end = (bytes.lastIndex { $0 != 0 } ?? -1) + 1
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [UInt8(ascii: "\"")]
        text.reserveCapacity(2 * end + 2)
        for byte in bytes[..<end] {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        text.append(UInt8(ascii: "\""))
        return String(decoding: text, as: UTF8.self)
    }
}
