/// The concatenation reference number a caller supplies (8-bit IEI 0x00 or 16-bit IEI 0x08).
public enum ConcatenationReference: Sendable, Hashable {
    case eightBit(UInt8)
    case sixteenBit(UInt16)

    var size: UserDataCapacity.ElementSize {
        if case .eightBit = self { return .eightBit }
        return .sixteenBit
    }

    func element(total: Int, sequence: Int) -> InformationElement {
        switch self {
        case let .eightBit(r): return .concatenation8(reference: r, total: UInt8(total), sequence: UInt8(sequence))
        case let .sixteenBit(r): return .concatenation16(reference: r, total: UInt8(total), sequence: UInt8(sequence))
        }
    }
}

/// Options for `SegmentPlanner`.
public struct SegmentationOptions: Sendable, Hashable {
    /// Which alphabet text may use.
    public enum AlphabetChoice: String, Sendable, Hashable, Codable, CaseIterable {
        /// The cheapest that can represent the text: GSM 7-bit (national tables when allowed), else UCS-2.
        case auto
        /// GSM 7-bit only (national tables when allowed); unencodable text is an error.
        case gsm7
        /// UCS-2 always.
        case ucs2
    }

    /// Which alphabet text may use (default `.auto`).
    public var alphabet: AlphabetChoice
    /// National languages whose shift tables the planner may use (adds UDH elements 0x24/0x25).
    public var nationalLanguages: [NationalLanguage]
    /// Reference number for concatenation; its case picks 8- or 16-bit elements.
    public var reference: ConcatenationReference
    /// Application ports to put in every segment.
    public var ports: PortAddressing?
    /// Message class for the DCS.
    public var messageClass: MessageClass?
    /// Most segments allowed (at most 255).
    public var maxSegments: Int

    /// Creates options; the defaults give plain GSM 7-bit or UCS-2 with 8-bit reference 0.
    public init(alphabet: AlphabetChoice = .auto, nationalLanguages: [NationalLanguage] = [],
                reference: ConcatenationReference = .eightBit(0), ports: PortAddressing? = nil,
                messageClass: MessageClass? = nil, maxSegments: Int = 255) {
        self.alphabet = alphabet
        self.nationalLanguages = nationalLanguages
        self.reference = reference
        self.ports = ports
        self.messageClass = messageClass
        self.maxSegments = maxSegments
    }
}

/// The result of planning: encoding, cost and the user data of each segment.
public struct SegmentPlan: Sendable, Hashable {
    /// The chosen data coding scheme.
    public var dataCodingScheme: DataCodingScheme
    /// National locking-shift table used, if any.
    public var lockingShift: NationalLanguage?
    /// National single-shift table used, if any.
    public var singleShift: NationalLanguage?
    /// The user data of each segment, headers included.
    public var segments: [UserData]
    /// Units per segment (septets, UTF-16 code units or octets) for the chosen layout.
    public var unitsPerSegment: Int
    /// Units the whole message takes.
    public var totalUnits: Int
    /// Units still free in the last segment: the "characters left" a user sees
    /// (an extension-table character such as € takes two).
    public var unitsLeftInLastSegment: Int

    /// The alphabet of the chosen DCS.
    public var alphabet: Alphabet { dataCodingScheme.alphabet }
    /// Number of segments (the cost of the message).
    public var segmentCount: Int { segments.count }

    /// SMS-SUBMIT PDUs for the segments, copying every other field from `template`.
    public func submitPDUs(template: SubmitPDU) -> [SubmitPDU] {
        segments.map { ud in
            var s = template
            s.dataCodingScheme = dataCodingScheme
            s.userData = ud
            return s
        }
    }

    /// SMS-SUBMIT PDUs to `destination`.
    public func submitPDUs(to destination: Address, messageReference: UInt8 = 0, validityPeriod: ValidityPeriod? = nil,
                           statusReportRequest: Bool = false) -> [SubmitPDU] {
        submitPDUs(template: SubmitPDU(destination: destination, userData: .empty, messageReference: messageReference,
                                       validityPeriod: validityPeriod, statusReportRequest: statusReportRequest))
    }
}

/// Splits text or bytes into segments, choosing the encoding that costs the fewest segments.
/// A segment boundary never splits a surrogate pair or a GSM escape sequence, and falls between
/// grapheme clusters (whole emoji with modifiers, letters with combining marks) whenever the cluster
/// fits in one segment.
///
/// ```swift
/// let plan = try SegmentPlanner.plan(text: "Çok güzel şey", options: .init(nationalLanguages: [.turkish]))
/// plan.alphabet          // .gsm7 (Turkish tables), 1 segment
/// let pdus = plan.submitPDUs(to: try Address("+905321234567"))
/// ```
public enum SegmentPlanner {
    /// Plans a text message.
    public static func plan(text: String, options: SegmentationOptions = SegmentationOptions()) throws(PDUError) -> SegmentPlan {
        let scalars = Array(text.unicodeScalars)
        var clusterStarts: [Bool] = []
        clusterStarts.reserveCapacity(scalars.count)
        for character in text {
            for (k, _) in character.unicodeScalars.enumerated() { clusterStarts.append(k == 0) }
        }
        var best: SegmentPlan? = nil
        var overflow: PDUError? = nil
        func consider(_ alphabet: GSM7Alphabet?, _ widths: [Int]) throws(PDUError) {
            do {
                let plan = try layout(scalars: scalars, widths: widths, clusterStarts: clusterStarts, alphabet: alphabet, options: options)
                if best.map({ isCheaper(plan, than: $0) }) ?? true { best = plan }
            } catch {
                guard case let .tooManySegments(n) = error else { throw error }
                if case let .tooManySegments(m) = overflow, m <= n { return }
                overflow = error
            }
        }
        var candidates: [GSM7Alphabet] = []
        if options.alphabet != .ucs2 {
            candidates = candidateAlphabets(options.nationalLanguages)
            for alphabet in candidates {
                guard let widths = septetWidths(scalars, alphabet) else { continue }
                try consider(alphabet, widths)
            }
            if options.alphabet == .gsm7, best == nil, overflow == nil {
                let index = scalars.firstIndex { s in candidates.allSatisfy { $0.septetCount(of: s) == nil } }
                    ?? scalars.firstIndex { GSM7Alphabet.default.septetCount(of: $0) == nil } ?? 0
                throw .unencodableCharacter(Character(scalars[index]), index: index)
            }
        }
        // UCS-2 only when GSM 7-bit is not allowed or cannot do better.
        if options.alphabet != .gsm7 {
            let gsm = best
            try consider(nil, scalars.map { $0.value > 0xFFFF ? 2 : 1 })
            if let gsm, let b = best, b.alphabet == .ucs2, gsm.segmentCount <= b.segmentCount { best = gsm }
        }
        guard let result = best else { throw overflow ?? .invalidArgument("no alphabet can encode the text") }
        return result
    }

    /// Plans 8-bit data.
    public static func plan(bytes: [UInt8], options: SegmentationOptions = SegmentationOptions()) throws(PDUError) -> SegmentPlan {
        let base = baseElements(options: options, alphabet: nil)
        let widths = [Int](repeating: 1, count: bytes.count)
        let (ranges, capacity) = try split(widths: widths, base: base, options: options) { UserDataCapacity.octets(headerOctets: $0) }
        let segments = ranges.enumerated().map { i, r in
            UserData(header: header(base, options, total: ranges.count, index: i), content: .binary(Array(bytes[r])))
        }
        let used = ranges.last.map { $0.count } ?? 0
        return SegmentPlan(dataCodingScheme: DataCodingScheme(alphabet: .eightBit, messageClass: options.messageClass),
                           lockingShift: nil, singleShift: nil, segments: segments, unitsPerSegment: capacity,
                           totalUnits: bytes.count, unitsLeftInLastSegment: capacity - used)
    }

    // MARK: - internals

    static func candidateAlphabets(_ languages: [NationalLanguage]) -> [GSM7Alphabet] {
        var lockings: [NationalLanguage?] = [nil]
        var singles: [NationalLanguage?] = [nil]
        for l in languages {
            if l.hasLockingShiftTable, !lockings.contains(l) { lockings.append(l) }
            if l.hasSingleShiftTable, !singles.contains(l) { singles.append(l) }
        }
        var result: [GSM7Alphabet] = []
        for l in lockings { for s in singles { result.append(GSM7Alphabet(lockingShift: l, singleShift: s)) } }
        return result
    }

    static func septetWidths(_ scalars: [Unicode.Scalar], _ alphabet: GSM7Alphabet) -> [Int]? {
        let map = alphabet.tables
        var widths: [Int] = []
        widths.reserveCapacity(scalars.count)
        for s in scalars {
            if map.lockingTable.code(for: s.value) != nil { widths.append(1) }
            else if map.singleTable.code(for: s.value) != nil { widths.append(2) }
            else { return nil }
        }
        return widths
    }

    static func isCheaper(_ a: SegmentPlan, than b: SegmentPlan) -> Bool {
        if a.segmentCount != b.segmentCount { return a.segmentCount < b.segmentCount }
        let an = (a.lockingShift != nil ? 1 : 0) + (a.singleShift != nil ? 1 : 0)
        let bn = (b.lockingShift != nil ? 1 : 0) + (b.singleShift != nil ? 1 : 0)
        if an != bn { return an < bn }
        return a.unitsLeftInLastSegment > b.unitsLeftInLastSegment
    }

    static func baseElements(options: SegmentationOptions, alphabet: GSM7Alphabet?) -> [InformationElement] {
        var base: [InformationElement] = []
        if let p = options.ports { base.append(.ports(destination: p.destination, source: p.source, force16Bit: p.is16Bit)) }
        if let l = alphabet?.lockingShift { base.append(.nationalLockingShift(l)) }
        if let s = alphabet?.singleShift { base.append(.nationalSingleShift(s)) }
        return base
    }

    static func header(_ base: [InformationElement], _ options: SegmentationOptions, total: Int, index: Int) -> UserDataHeader? {
        if total > 1 { return UserDataHeader(elements: [options.reference.element(total: total, sequence: index + 1)] + base) }
        return base.isEmpty ? nil : UserDataHeader(elements: base)
    }

    /// Greedy split of units with the given widths; returns index ranges and the per-segment capacity.
    /// Splits only where `clusterStarts` allows (grapheme cluster boundaries), except inside a cluster
    /// too large for one segment, which is split between units.
    static func split(widths: [Int], clusterStarts: [Bool]? = nil, base: [InformationElement], options: SegmentationOptions,
                      capacity: (Int) -> Int) throws(PDUError) -> ([Range<Int>], Int) {
        let baseOctets = base.reduce(0) { $0 + $1.encodedLength }
        let single = capacity(baseOctets == 0 ? 0 : baseOctets + 1)
        let total = widths.reduce(0, +)
        if total <= single { return ([0..<widths.count], single) }
        let concatOctets = options.reference.size == .eightBit ? 5 : 6
        let per = capacity(baseOctets + concatOctets + 1)
        guard per >= 2 else { throw .userDataTooLong(octets: baseOctets + concatOctets + 1, maximum: UserDataCapacity.maxOctets) }
        let limit = min(options.maxSegments, 255)
        var ranges: [Range<Int>] = []
        var start = 0
        var used = 0
        var i = 0
        func cut(at index: Int) throws(PDUError) {
            ranges.append(start..<index)
            guard ranges.count < limit else {
                // Count the rest roughly so the error reports how many parts would be needed.
                let rest = widths[index...].reduce(0, +)
                throw .tooManySegments(ranges.count + (rest + per - 1) / per)
            }
            start = index
            used = 0
        }
        while i < widths.count {
            var end = i + 1
            if let starts = clusterStarts {
                while end < widths.count, !starts[end] { end += 1 }
            }
            let w = widths[i..<end].reduce(0, +)
            if used + w <= per {
                used += w
                i = end
                continue
            }
            if w <= per {
                try cut(at: i)
                used = w
                i = end
                continue
            }
            // A cluster longer than a segment: split it between units.
            for j in i..<end {
                if used + widths[j] > per { try cut(at: j) }
                used += widths[j]
            }
            i = end
        }
        ranges.append(start..<widths.count)
        return (ranges, per)
    }

    static func layout(scalars: [Unicode.Scalar], widths: [Int], clusterStarts: [Bool], alphabet: GSM7Alphabet?,
                       options: SegmentationOptions) throws(PDUError) -> SegmentPlan {
        let base = baseElements(options: options, alphabet: alphabet)
        let (ranges, capacity) = try split(widths: widths, clusterStarts: clusterStarts, base: base, options: options) { h in
            alphabet == nil ? UserDataCapacity.ucs2Units(headerOctets: h) : UserDataCapacity.septets(headerOctets: h)
        }
        let segments = ranges.enumerated().map { i, r in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[r])
            return UserData(header: header(base, options, total: ranges.count, index: i), content: .text(String(view)))
        }
        let used = ranges.last.map { widths[$0].reduce(0, +) } ?? 0
        return SegmentPlan(dataCodingScheme: DataCodingScheme(alphabet: alphabet == nil ? .ucs2 : .gsm7, messageClass: options.messageClass),
                           lockingShift: alphabet?.lockingShift, singleShift: alphabet?.singleShift, segments: segments,
                           unitsPerSegment: capacity, totalUnits: widths.reduce(0, +), unitsLeftInLastSegment: capacity - used)
    }
}
