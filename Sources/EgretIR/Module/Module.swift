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
    /// The file name as the user gave it, for messages.
    public var fileName: String = "<input>"

    public init() {}

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
    public var arguments: [DataValue]
    public var expectation: Expectation
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
}
