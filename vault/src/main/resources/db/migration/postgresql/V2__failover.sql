-- Failover and test failover (docs/operations.md, "Failover and test failover"). Same in both vendors.

ALTER TABLE protected_machines ADD COLUMN test_state TEXT NOT NULL DEFAULT 'NONE';

CREATE TABLE recovery_vms (
  id                   TEXT   NOT NULL PRIMARY KEY,
  protected_machine_id TEXT   NOT NULL REFERENCES protected_machines (id),
  kind                 TEXT   NOT NULL,
  host_id              TEXT   NOT NULL REFERENCES hosts (id),
  point_id             TEXT   NOT NULL,
  domain_name          TEXT   NOT NULL,
  desired              TEXT   NOT NULL,
  network              TEXT,
  create_network       INTEGER NOT NULL DEFAULT 0,
  keep_mac             INTEGER NOT NULL DEFAULT 0,
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL,
  CONSTRAINT recovery_vms_kind_check CHECK (kind IN ('TEST', 'FAILOVER')),
  CONSTRAINT recovery_vms_desired_check CHECK (desired IN ('RUNNING', 'REMOVED', 'RELEASED')),
  CONSTRAINT recovery_vms_domain_key UNIQUE (host_id, domain_name)
);
CREATE INDEX recovery_vms_machine ON recovery_vms (protected_machine_id);
