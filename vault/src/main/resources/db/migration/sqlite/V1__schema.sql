-- Ferry vault schema, SQLite. Keep in step with ../postgresql/V1__schema.sql: same tables,
-- columns, constraints and indexes. Times are epoch milliseconds; JSON columns are text.

CREATE TABLE sites (
  id          TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  description TEXT,
  created_at  BIGINT  NOT NULL,
  CONSTRAINT sites_name_key UNIQUE (name)
);

CREATE TABLE registration_keys (
  id           TEXT   NOT NULL PRIMARY KEY,
  site_id      TEXT   NOT NULL REFERENCES sites (id),
  key_hash     TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  used_at      BIGINT,
  used_by_host TEXT,
  CONSTRAINT registration_keys_key_hash_key UNIQUE (key_hash)
);
CREATE INDEX registration_keys_site ON registration_keys (site_id);

CREATE TABLE hosts (
  id                TEXT   NOT NULL PRIMARY KEY,
  site_id           TEXT   NOT NULL REFERENCES sites (id),
  name              TEXT   NOT NULL,
  data_address      TEXT,
  cert_fingerprint  TEXT   NOT NULL,
  registered_at     BIGINT NOT NULL,
  last_heartbeat_at BIGINT,
  agent_version     TEXT,
  inventory         TEXT
);
CREATE INDEX hosts_site ON hosts (site_id);

CREATE TABLE machines (
  id            TEXT   NOT NULL PRIMARY KEY,
  host_id       TEXT   NOT NULL REFERENCES hosts (id),
  uuid          TEXT   NOT NULL,
  name          TEXT   NOT NULL,
  power_state   TEXT   NOT NULL,
  disks         TEXT   NOT NULL,
  networks      TEXT   NOT NULL,
  discovered_at BIGINT NOT NULL,
  last_seen_at  BIGINT NOT NULL,
  CONSTRAINT machines_host_uuid_key UNIQUE (host_id, uuid)
);
CREATE INDEX machines_host_name ON machines (host_id, name);

CREATE TABLE policies (
  id                         TEXT    NOT NULL PRIMARY KEY,
  name                       TEXT    NOT NULL,
  copy_frequency_s           INTEGER NOT NULL,
  retention_s                INTEGER NOT NULL,
  app_consistent_frequency_s INTEGER NOT NULL,
  compression                TEXT    NOT NULL,
  compression_level          INTEGER NOT NULL,
  encryption                 BOOLEAN NOT NULL,
  bandwidth_limit_bps        BIGINT  NOT NULL,
  rpo_threshold_s            INTEGER NOT NULL,
  created_at                 BIGINT  NOT NULL,
  updated_at                 BIGINT  NOT NULL,
  CONSTRAINT policies_name_key UNIQUE (name),
  CONSTRAINT policies_compression_check CHECK (compression IN ('zstd', 'none'))
);

CREATE TABLE pairings (
  id               TEXT   NOT NULL PRIMARY KEY,
  name             TEXT   NOT NULL,
  primary_site_id  TEXT   NOT NULL REFERENCES sites (id),
  recovery_site_id TEXT   NOT NULL REFERENCES sites (id),
  policy_id        TEXT   NOT NULL REFERENCES policies (id),
  recovery_host_id TEXT   NOT NULL REFERENCES hosts (id),
  repository_name  TEXT   NOT NULL,
  network_mapping  TEXT   NOT NULL,
  encryption_key   TEXT,
  created_at       BIGINT NOT NULL,
  CONSTRAINT pairings_name_key UNIQUE (name)
);
CREATE INDEX pairings_policy ON pairings (policy_id);
CREATE INDEX pairings_primary_site ON pairings (primary_site_id);
CREATE INDEX pairings_recovery_site ON pairings (recovery_site_id);
CREATE INDEX pairings_recovery_host ON pairings (recovery_host_id);

CREATE TABLE protected_machines (
  id               TEXT    NOT NULL PRIMARY KEY,
  machine_id       TEXT    NOT NULL REFERENCES machines (id),
  pairing_id       TEXT    NOT NULL REFERENCES pairings (id),
  state            TEXT    NOT NULL,
  state_changed_at BIGINT  NOT NULL,
  health           TEXT    NOT NULL,
  health_reason    TEXT,
  latest_point_id  TEXT,
  latest_point_at  BIGINT,
  last_error       TEXT,
  replication      TEXT,
  created_at       BIGINT  NOT NULL,
  updated_at       BIGINT  NOT NULL,
  version          INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT protected_machines_machine_key UNIQUE (machine_id),
  CONSTRAINT protected_machines_health_check CHECK (health IN ('HEALTHY', 'WARNING', 'CRITICAL', 'UNKNOWN'))
);
CREATE INDEX protected_machines_pairing ON protected_machines (pairing_id);

CREATE TABLE recovery_points (
  id                   TEXT   NOT NULL PRIMARY KEY,
  protected_machine_id TEXT   NOT NULL REFERENCES protected_machines (id),
  created_at           BIGINT NOT NULL,
  consistency          TEXT   NOT NULL,
  mode                 TEXT   NOT NULL,
  parent_id            TEXT,
  bytes_read           BIGINT NOT NULL,
  bytes_stored         BIGINT NOT NULL,
  disks                TEXT   NOT NULL,
  state                TEXT   NOT NULL,
  deleted_at           BIGINT,
  CONSTRAINT recovery_points_state_check CHECK (state IN ('AVAILABLE', 'EXPIRING', 'DELETED'))
);
CREATE INDEX recovery_points_machine ON recovery_points (protected_machine_id, state, created_at);

CREATE TABLE jobs (
  id           TEXT   NOT NULL PRIMARY KEY,
  type         TEXT   NOT NULL,
  target_id    TEXT,
  state        TEXT   NOT NULL,
  step         TEXT,
  steps        TEXT   NOT NULL,
  progress     TEXT,
  params       TEXT   NOT NULL,
  error        TEXT,
  requested_by TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  started_at   BIGINT,
  ended_at     BIGINT,
  updated_at   BIGINT NOT NULL,
  CONSTRAINT jobs_state_check CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED'))
);
-- One active job per target: the rule every job start relies on, whatever the callers race.
CREATE UNIQUE INDEX jobs_one_active_per_target ON jobs (target_id) WHERE state IN ('QUEUED', 'RUNNING', 'CANCELLING');
CREATE INDEX jobs_created ON jobs (created_at, id);
CREATE INDEX jobs_target ON jobs (target_id, created_at);
CREATE INDEX jobs_state ON jobs (state, created_at);
CREATE INDEX jobs_type ON jobs (type, created_at);

CREATE TABLE alerts (
  id          TEXT   NOT NULL PRIMARY KEY,
  kind        TEXT   NOT NULL,
  severity    TEXT   NOT NULL,
  object_kind TEXT   NOT NULL,
  object_id   TEXT   NOT NULL,
  message     TEXT   NOT NULL,
  hint        TEXT,
  raised_at   BIGINT NOT NULL,
  cleared_at  BIGINT,
  CONSTRAINT alerts_severity_check CHECK (severity IN ('WARNING', 'CRITICAL'))
);
-- At most one active alert per (kind, object).
CREATE UNIQUE INDEX alerts_one_active ON alerts (kind, object_id) WHERE cleared_at IS NULL;
CREATE INDEX alerts_raised ON alerts (raised_at, id);
CREATE INDEX alerts_object ON alerts (object_id, raised_at);

CREATE TABLE users (
  id            TEXT    NOT NULL PRIMARY KEY,
  name          TEXT    NOT NULL,
  role          TEXT    NOT NULL,
  password_hash TEXT    NOT NULL,
  created_at    BIGINT  NOT NULL,
  disabled      BOOLEAN NOT NULL DEFAULT FALSE,
  CONSTRAINT users_name_key UNIQUE (name),
  CONSTRAINT users_role_check CHECK (role IN ('ADMIN', 'OPERATOR', 'VIEWER'))
);

CREATE TABLE tokens (
  id           TEXT   NOT NULL PRIMARY KEY,
  user_id      TEXT   NOT NULL REFERENCES users (id),
  token_hash   TEXT   NOT NULL,
  name         TEXT   NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT,
  last_used_at BIGINT,
  CONSTRAINT tokens_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE audit_log (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  at      BIGINT  NOT NULL,
  actor   TEXT    NOT NULL,
  role    TEXT,
  action  TEXT    NOT NULL,
  target  TEXT,
  outcome TEXT    NOT NULL,
  status  INTEGER NOT NULL,
  detail  TEXT,
  CONSTRAINT audit_log_outcome_check CHECK (outcome IN ('OK', 'DENIED', 'FAILED'))
);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);

CREATE TABLE idempotency_keys (
  "key"         TEXT    NOT NULL,
  actor         TEXT    NOT NULL,
  request_hash  TEXT    NOT NULL,
  status        INTEGER NOT NULL,
  response_body TEXT,
  created_at    BIGINT  NOT NULL,
  PRIMARY KEY ("key", actor)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
