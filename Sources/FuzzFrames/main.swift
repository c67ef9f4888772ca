// FuzzFrames — libFuzzer driver for the SecureSMS frame parser, reassembler and endpoint.
//
// Fuzzing build (see docs/fuzzing.md):
//   swift build -c release --product FuzzFrames -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING \
//     -Xswiftc -use-ld=lld --scratch-path .build-fuzz
//   SWIFT_BACKTRACE=enable=no .build-fuzz/release/FuzzFrames -max_total_time=180 CORPUS_DIR
// A normal `swift build` produces a replay tool instead: `FuzzFrames FILE...` feeds each file's raw
// bytes through `FrameFuzzing.run` so a crash file found by the fuzzer can be re-run under the debugger.
import Foundation
import SecureSMS

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
    FrameFuzzing.run(bytes)
    return 0
})
#else
var replayed = 0
for path in CommandLine.arguments.dropFirst() {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("FuzzFrames: cannot read \(path)\n".utf8))
        exit(2)
    }
    FrameFuzzing.run(Array(data))
    replayed += 1
}
print("FuzzFrames replay: \(replayed) input(s) run without a crash")
#endif
