// FuzzPDU — libFuzzer driver for the SMSPDU decoder.
//
// Fuzzing build (see docs/fuzzing.md):
//   swift build -c release --product FuzzPDU -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING
//   SWIFT_BACKTRACE=enable=no .build/release/FuzzPDU -max_total_time=300 Benchmarks/fuzz-corpus
// A normal `swift build` produces a replay tool instead: `FuzzPDU FILE...` decodes each file
// (raw bytes, or hex text) so a crash file found by the fuzzer can be re-run under the debugger.
import Foundation

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    fuzzOne(bytes)
    return 0
})
#else
var decoded = 0
for path in CommandLine.arguments.dropFirst() {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("FuzzPDU: cannot read \(path)\n".utf8))
        exit(2)
    }
    fuzzOne(Array(data))
    decoded += 1
}
print("FuzzPDU replay: \(decoded) input(s) decoded without a crash")
#endif
