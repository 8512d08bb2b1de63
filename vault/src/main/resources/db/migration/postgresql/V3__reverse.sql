-- Reverse replication and failback (docs/operations.md, "Reprotect and failback"). Same in both vendors.
-- direction: FORWARD replicates into the pairing's repository on its recovery host, REVERSE into
-- <repository>-back on the machine's own (primary) host. active_*: the domain that is the machine
-- now (null: the machine itself); standby_domain: the copy on the other side, a reprotect's seed.
ALTER TABLE protected_machines ADD COLUMN direction TEXT NOT NULL DEFAULT 'FORWARD';
ALTER TABLE protected_machines ADD COLUMN active_host_id TEXT;
ALTER TABLE protected_machines ADD COLUMN active_domain TEXT;
ALTER TABLE protected_machines ADD COLUMN standby_domain TEXT;
-- the repository a point is in (null: the pairing's forward repository, as before V3)
ALTER TABLE recovery_points ADD COLUMN repository TEXT;
