import EgretFuzz
#if canImport(Glibc)
import Glibc
#endif

// libFuzzer / ClusterFuzzLite target: the generator driven by libFuzzer's bytes.
//
// Build it (release, instrumented; not part of the default build's behaviour):
//
//     swift build -c release --product EgretFuzzTarget \
//         -Xswiftc -sanitize=fuzzer -Xswiftc -DEGRET_LIBFUZZER
//     .build/release/EgretFuzzTarget -max_len=4096 corpus-dir/
//
// With EGRET_LIBFUZZER, `main` hands over to libFuzzer's driver, which calls
// LLVMFuzzerTestOneInput;
// a finding prints the generated case and aborts, so libFuzzer keeps the input.
// Without it (the default build), this is a small driver that replays files of raw
// bytes through the same entry point: `EgretFuzzTarget crash-1234 …`.

#if EGRET_LIBFUZZER
/// libFuzzer's driver (SwiftPM names an executable's entry point itself, so the target
/// keeps a `main` of its own and hands control to libFuzzer from there).
@_silgen_name("LLVMFuzzerRunDriver")
func runLibFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let (text, finding) = FuzzTargetEntry.run(UnsafeBufferPointer(start: data, count: size))
    if let finding {
        print("egret: \(finding.signature)\n\(finding.detail)\n\(text)")
        abort()
    }
    return 0
}

@main
struct LibFuzzerMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runLibFuzzerDriver(&argc, &argv, fuzzTestOneInput))
    }
}
#else
@main
struct ReplayBytes {
    static func main() {
        var status: Int32 = 0
        for path in CommandLine.arguments.dropFirst() {
            guard let file = fopen(path, "rb") else {
                print("\(path): cannot read")
                status = 2
                continue
            }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = fread(&buffer, 1, buffer.count, file)
                if count <= 0 { break }
                bytes.append(contentsOf: buffer[0 ..< count])
            }
            fclose(file)
            let (text, finding) = bytes.withUnsafeBufferPointer { FuzzTargetEntry.run($0) }
            if let finding {
                print("\(path): \(finding.signature)\n\(finding.detail)\n\(text)")
                status = 1
            } else {
                print("\(path): clean")
            }
        }
        exit(status)
    }
}
#endif
