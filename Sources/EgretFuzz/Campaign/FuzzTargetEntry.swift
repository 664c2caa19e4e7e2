/// The libFuzzer entry point's body: libFuzzer's bytes drive the generator (so its
/// mutations mutate generator choices) and the case is judged like any other.
public enum FuzzTargetEntry {
    static let generator = ModuleGenerator()
    static let oracle = DifferentialOracle()

    /// Judges the case the bytes generate; returns the finding, if any. The libFuzzer
    /// target aborts on a finding so that libFuzzer saves the input.
    public static func run(_ bytes: UnsafeBufferPointer<UInt8>) -> (text: String, finding: Finding?) {
        var source = RawByteSource(Array(bytes))
        let generated = generator.generate(&source)
        return (generated.text, oracle.check(text: generated.text, fileName: "libfuzzer.clif").finding)
    }
}
