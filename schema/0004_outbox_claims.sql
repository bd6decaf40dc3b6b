-- Which node holds a claimed outbox row, so that a node that died (killed, crashed, its host
-- gone) gives its rows back at once instead of when their lease runs out. A node is alive
-- while its LISTEN connection is open; that connection carries application_name
-- 'illd-node-<claimed_by>', visible in pg_stat_activity. PostgreSQL ends a dead client's
-- backend as soon as the socket closes, so its claims count as abandoned within seconds.
ALTER TABLE outbox
  ADD COLUMN claimed_by text NULL,          -- the claiming node's id; NULL: not claimed
  ADD COLUMN claimed_at timestamptz NULL;   -- when it was claimed
COMMENT ON COLUMN outbox.claimed_by IS 'node id of the illd that claimed it (see 0004_outbox_claims.sql)';
