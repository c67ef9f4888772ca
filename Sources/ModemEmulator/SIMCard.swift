/// The virtual SIM: PIN and PUK with retry counters (3 PIN tries, 10 PUK tries, as on real SIMs).
struct SIMCard: Sendable {
    /// The lock state, as `AT+CPIN?` reports it.
    enum State: Sendable, Equatable {
        case ready, pinRequired, pukRequired, blocked
    }

    private(set) var pin: String?
    let puk: String
    private(set) var state: State
    private(set) var pinRetries = 3
    private(set) var pukRetries = 10

    /// A SIM that asks for `pin` at power-on (or never, when `pin` is nil).
    init(pin: String?, puk: String) {
        self.pin = pin
        self.puk = puk
        state = pin == nil ? .ready : .pinRequired
    }

    /// Locks the SIM again as at power-on (keeps the counters, as a real SIM does).
    mutating func powerCycle() {
        if state == .ready, pin != nil { state = .pinRequired }
    }

    /// The `+CPIN:` code.
    var cpinCode: String {
        switch state {
        case .ready: "READY"
        case .pinRequired: "SIM PIN"
        case .pukRequired, .blocked: "SIM PUK"
        }
    }

    /// Fails with the error a command needing the SIM gets when it is locked.
    func requireReady() throws(ATFailure) {
        switch state {
        case .ready: return
        case .pinRequired: throw .cme(.simPINRequired)
        case .pukRequired: throw .cme(.simPUKRequired)
        case .blocked: throw .cme(.simFailure)
        }
    }

    /// `AT+CPIN="<pin>"`: unlocks, or counts a failure (the third one asks for the PUK).
    mutating func enter(pin entered: String) throws(ATFailure) {
        switch state {
        case .ready: throw .cme(.notAllowed)
        case .pukRequired: throw .cme(.simPUKRequired)
        case .blocked: throw .cme(.simFailure)
        case .pinRequired:
            if entered == pin {
                state = .ready
                pinRetries = 3
                return
            }
            pinRetries -= 1
            if pinRetries <= 0 { state = .pukRequired }
            throw .cme(.incorrectPassword)
        }
    }

    /// `AT+CPIN="<puk>","<new pin>"`: unblocks and sets a new PIN, or counts a failure (the tenth blocks the SIM).
    mutating func enter(puk entered: String, newPIN: String) throws(ATFailure) {
        switch state {
        case .ready, .pinRequired: throw .cme(.notAllowed)
        case .blocked: throw .cme(.simFailure)
        case .pukRequired:
            guard (4...8).contains(newPIN.count), newPIN.allSatisfy(\.isNumber) else { throw .cme(.incorrectParameters) }
            if entered == puk {
                pin = newPIN
                state = .ready
                pinRetries = 3
                pukRetries = 10
                return
            }
            pukRetries -= 1
            if pukRetries <= 0 { state = .blocked }
            throw .cme(.incorrectPassword)
        }
    }
}
