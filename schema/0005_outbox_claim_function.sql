-- Claiming outbox rows for one recipient in one round trip (it was four: BEGIN, the advisory
-- lock, the claim, COMMIT) and with plans PostgreSQL keeps (a PL/pgSQL function caches them;
-- the claim statement sent as text was planned anew every time). Called as a single statement,
-- so the transaction-scoped advisory lock is released when the claim commits.
--
-- Rules (see include/illhub/net/outbox_store.hpp): claims for one recipient run one at a time
-- across all nodes (the advisory lock); the recipient's pending rows are read in id order,
-- skipping rows another claim holds; only the due prefix is taken (a row in backoff, or leased
-- to a live node, holds back every later row, so order per recipient holds); a row leased to a
-- node whose LISTEN connection ('illd-node-<id>') has been gone for p_grace_secs is due.
CREATE FUNCTION illhub_claim_outbox(p_recipient text, p_batch integer, p_lease_secs double precision,
                                    p_node text, p_grace_secs double precision)
RETURNS TABLE (claimed_id bigint, claimed_apdu bytea, claimed_attempts integer, age_seconds double precision)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('illhub_outbox:' || p_recipient));
  RETURN QUERY
  WITH pending AS (
    SELECT o.id,
           o.next_attempt_at <= now()
           OR (o.claimed_by IS NOT NULL AND o.claimed_at < now() - make_interval(secs => p_grace_secs)
               AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                               WHERE a.application_name = 'illd-node-' || o.claimed_by)) AS due
    FROM outbox o
    WHERE o.recipient_symbol = p_recipient AND o.status = 'pending'
      AND EXISTS (SELECT 1 FROM peers p WHERE p.symbol = p_recipient AND p.enabled)
    ORDER BY o.id
    LIMIT p_batch
    FOR UPDATE OF o SKIP LOCKED),
  prefix AS (
    SELECT p.id FROM pending p
    WHERE p.due AND NOT EXISTS (SELECT 1 FROM pending q WHERE q.id < p.id AND NOT q.due))
  UPDATE outbox o SET next_attempt_at = now() + make_interval(secs => p_lease_secs),
                      claimed_by = p_node, claimed_at = now()
  FROM prefix WHERE o.id = prefix.id
  RETURNING o.id, o.apdu, o.attempts, extract(epoch FROM clock_timestamp() - o.created_at)::float8;
END
$$;
COMMENT ON FUNCTION illhub_claim_outbox IS 'Claims due outbox rows for one recipient (net::OutboxStore::claim)';
