import Foundation

/// A modem as `GET /v1/modems` returns it.
public struct ModemResource: Sendable, Codable, Equatable {
    /// Stable id: the IMEI (or the ICCID, or the port when the modem reports neither).
    public var id: String
    public var port: String
    public var number: String?
    public var manufacturer: String?
    public var model: String?
    public var imei: String?
    public var iccid: String?
    public var `operator`: String?
    /// `+CSQ` RSSI (0…31, 99 unknown).
    public var signal: Int?
    public var registered: Bool
    /// `starting`, `ready`, `reconnecting`, `gone`; or the operator's hold on it, which shows instead:
    /// `suspended`, `draining`, `drained` (``ModemControlAction``).
    public var state: String
    public var healthy: Bool
    /// Messages waiting that only this modem may send (pinned with `from`).
    public var queued: Int
    public var sentToday: Int
    /// Send failures since the gateway started.
    public var failed: Int
    /// Resets (`AT+CFUN=1,1`) the gateway gave it after repeated failures, since it started.
    public var resets: Int = 0
    public var dailyCap: Int?
    public var ratePerMinute: Int?

    enum CodingKeys: String, CodingKey {
        case id, port, number, manufacturer, model, imei, iccid, `operator`, signal, registered, state, healthy, queued, failed, resets
        case sentToday = "sent_today", dailyCap = "daily_cap", ratePerMinute = "rate_per_minute"
    }

    public init(id: String, port: String, number: String? = nil, manufacturer: String? = nil, model: String? = nil,
                imei: String? = nil, iccid: String? = nil, operator: String? = nil, signal: Int? = nil,
                registered: Bool = false, state: String, healthy: Bool, queued: Int = 0, sentToday: Int = 0,
                failed: Int = 0, dailyCap: Int? = nil, ratePerMinute: Int? = nil) {
        self.id = id; self.port = port; self.number = number; self.manufacturer = manufacturer; self.model = model
        self.imei = imei; self.iccid = iccid; self.operator = `operator`; self.signal = signal
        self.registered = registered; self.state = state; self.healthy = healthy; self.queued = queued
        self.sentToday = sentToday; self.failed = failed; self.dailyCap = dailyCap; self.ratePerMinute = ratePerMinute
    }
}
