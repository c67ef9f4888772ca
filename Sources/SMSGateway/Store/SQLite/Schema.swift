import GRDB
import SecureStateSQLite

/// The SQLite schema, as versioned GRDB migrations (`grdb_migrations` records which ran).
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE messages (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    recipient_key TEXT NOT NULL,
                    pinned TEXT,
                    modem TEXT,
                    modem_number TEXT,
                    avoid_modem TEXT,
                    avoid_until REAL,
                    body_kind TEXT NOT NULL,
                    body TEXT NOT NULL,
                    ports_dst INTEGER,
                    ports_src INTEGER,
                    segments INTEGER NOT NULL,
                    encoding TEXT NOT NULL,
                    report INTEGER NOT NULL,
                    priority INTEGER NOT NULL,
                    guarantee TEXT NOT NULL,
                    validity INTEGER,
                    concat_ref INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    error_code TEXT,
                    error_detail TEXT,
                    metadata TEXT NOT NULL DEFAULT '{}',
                    idempotency_key TEXT UNIQUE,
                    request_digest TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    send_at REAL,
                    available_at REAL NOT NULL,
                    expires_at REAL,
                    sent_at REAL,
                    delivered_at REAL
                );
                CREATE INDEX messages_due ON messages(status, available_at);
                CREATE INDEX messages_recipient ON messages(recipient_key, seq);
                CREATE TABLE parts (
                    message_seq INTEGER NOT NULL REFERENCES messages(seq),
                    seq INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    modem TEXT,
                    reference INTEGER,
                    recipient_key TEXT NOT NULL,
                    tp_status INTEGER,
                    error TEXT,
                    sent_at REAL,
                    delivered_at REAL,
                    PRIMARY KEY (message_seq, seq)
                );
                CREATE INDEX parts_match ON parts(modem, reference, recipient_key, sent_at);
                CREATE INDEX parts_sent ON parts(modem, sent_at);
                CREATE INDEX parts_status ON parts(status);
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    message_id TEXT,
                    type TEXT NOT NULL,
                    data TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE modems (
                    id TEXT PRIMARY KEY,
                    port TEXT NOT NULL,
                    number TEXT,
                    imei TEXT,
                    iccid TEXT,
                    manufacturer TEXT,
                    model TEXT,
                    next_ref INTEGER NOT NULL DEFAULT 0,
                    updated_at REAL NOT NULL
                );
                CREATE TABLE inbound_groups (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    modem TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    reference INTEGER,
                    total INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    duplicate_of INTEGER,
                    started_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX inbound_groups_key ON inbound_groups(modem, sender, reference, total, state);
                CREATE INDEX inbound_groups_open ON inbound_groups(state, started_at);
                CREATE TABLE inbound_parts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    group_id INTEGER NOT NULL REFERENCES inbound_groups(id),
                    modem TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    tpdu TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    timestamp REAL,
                    received_at REAL NOT NULL
                );
                CREATE INDEX inbound_parts_group ON inbound_parts(group_id, seq);
                CREATE INDEX inbound_parts_digest ON inbound_parts(modem, digest);
                CREATE TABLE inbox (
                    cursor INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    group_id INTEGER NOT NULL UNIQUE,
                    modem TEXT NOT NULL,
                    to_number TEXT NOT NULL,
                    sender TEXT NOT NULL,
                    text TEXT,
                    data_hex TEXT,
                    ports_dst INTEGER,
                    ports_src INTEGER,
                    parts INTEGER NOT NULL,
                    received_parts TEXT NOT NULL,
                    complete INTEGER NOT NULL,
                    received_at REAL NOT NULL
                );
                CREATE TABLE api_tokens (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    digest BLOB NOT NULL UNIQUE,
                    created_at REAL NOT NULL
                );
                """)
        }
        m.registerMigration("v2: claim indexes, orphan reports") { db in
            try db.execute(sql: """
                CREATE INDEX messages_claim ON messages(priority DESC, seq) WHERE status IN ('queued', 'scheduled');
                CREATE INDEX messages_expiring ON messages(expires_at) WHERE status IN ('queued', 'scheduled') AND expires_at IS NOT NULL;
                CREATE INDEX messages_avoid ON messages(avoid_until) WHERE status = 'queued' AND avoid_until IS NOT NULL;
                CREATE INDEX messages_available ON messages(available_at) WHERE status IN ('queued', 'scheduled');
                CREATE TABLE orphan_reports (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    modem TEXT NOT NULL,
                    reference INTEGER NOT NULL,
                    recipient_key TEXT NOT NULL,
                    tp_status INTEGER NOT NULL,
                    discharge_at REAL,
                    received_at REAL NOT NULL
                );
                CREATE INDEX orphan_reports_key ON orphan_reports(modem, reference, recipient_key);
                """)
        }
        m.registerMigration("v3: webhooks and callbacks outbox") { db in
            try db.execute(sql: """
                CREATE TABLE webhooks (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    url TEXT NOT NULL,
                    events TEXT NOT NULL,
                    secret BLOB NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE message_callbacks (
                    message_id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    url TEXT NOT NULL,
                    dlr_mask INTEGER NOT NULL DEFAULT 0,
                    sent_bits INTEGER NOT NULL DEFAULT 0,
                    context TEXT NOT NULL DEFAULT '{}'
                );
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    receiver TEXT NOT NULL,
                    webhook_id TEXT NOT NULL,
                    ordering_key TEXT,
                    method TEXT NOT NULL,
                    url TEXT NOT NULL,
                    body TEXT,
                    content_type TEXT,
                    headers TEXT NOT NULL DEFAULT '{}',
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_at REAL NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX outbox_due ON outbox(next_at) WHERE state = 'pending';
                CREATE INDEX outbox_webhook ON outbox(webhook_id, state);
                CREATE INDEX outbox_order ON outbox(receiver, ordering_key, id) WHERE state = 'pending';
                CREATE TABLE webhook_attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    outbox_id INTEGER NOT NULL,
                    webhook_id TEXT NOT NULL,
                    attempt INTEGER NOT NULL,
                    at REAL NOT NULL,
                    status_code INTEGER,
                    error TEXT,
                    duration REAL NOT NULL
                );
                CREATE INDEX webhook_attempts_hook ON webhook_attempts(webhook_id, id);
                """)
        }
        m.registerMigration("v4: secure state, one sealed row per peer") { db in
            try SQLiteSecureStateStore.createTables(db)
        }
        m.registerMigration("v5: secure messaging in the gateway (peers, sealed messages, frames, secure inbox)") { db in
            try db.execute(sql: """
                ALTER TABLE messages ADD COLUMN secure_role TEXT;
                ALTER TABLE messages ADD COLUMN secure_peer TEXT;
                ALTER TABLE messages ADD COLUMN secure_state TEXT;
                ALTER TABLE messages ADD COLUMN secure_id INTEGER;
                CREATE UNIQUE INDEX messages_secure_id ON messages(secure_id) WHERE secure_role = 'message' AND secure_id IS NOT NULL;
                CREATE INDEX messages_secure_pending ON messages(seq) WHERE secure_role = 'message' AND secure_state IN ('pending', 'sealing');
                ALTER TABLE inbox ADD COLUMN secure_peer TEXT;
                ALTER TABLE inbox ADD COLUMN secure_key TEXT;
                ALTER TABLE inbox ADD COLUMN secure_session INTEGER;
                ALTER TABLE inbox ADD COLUMN secure_sequence INTEGER;
                ALTER TABLE inbox ADD COLUMN secure_verified INTEGER;
                ALTER TABLE inbox ADD COLUMN secure_replay_protected INTEGER;
                ALTER TABLE inbox ADD COLUMN secure_customer TEXT;
                CREATE UNIQUE INDEX inbox_secure ON inbox(secure_key, secure_session, secure_sequence) WHERE secure_key IS NOT NULL;
                CREATE TABLE gateway_peers (
                    id TEXT PRIMARY KEY,
                    public_key TEXT NOT NULL UNIQUE,
                    number TEXT NOT NULL,
                    customer_id TEXT,
                    state TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL
                );
                CREATE INDEX gateway_peers_state ON gateway_peers(state) WHERE state != 'enrolled';
                """)
        }
        return m
    }
}
