import Testing
@testable import ModemEmulator

@Suite("Bounded logs")
struct BoundedLogTests {
    @Test("BoundedLog keeps the newest entries in order and reports what it dropped")
    func boundedLogRing() {
        var log = BoundedLog<Int>(limit: 3)
        #expect(log.append(1) == nil)
        log.append(2)
        log.append(3)
        #expect(log.append(4) == 1)
        log.append(5)
        #expect(Array(log) == [3, 4, 5])
        #expect(log.first == 3 && log.last == 5 && log[1] == 4)
        log.modifyLast { $0 *= 10 }
        #expect(Array(log) == [3, 4, 50])
        #expect(log.appendedCount == 5 && log.droppedCount == 2)
        log.removeAll()
        #expect(log.isEmpty && log.appendedCount == 0)
        var none = BoundedLog<Int>(limit: 0)
        #expect(none.append(1) == 1 && none.isEmpty)
        var all = BoundedLog<Int>(limit: nil)
        for n in 0..<5000 { all.append(n) }
        #expect(all.count == 5000 && all.droppedCount == 0)
    }
}
