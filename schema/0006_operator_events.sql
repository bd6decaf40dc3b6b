-- 0006_operator_events.sql: what `illctl tail`, `illctl resend` and `illctl override` need
-- from the event log. See docs/OPERATORS.md.

-- An operator's correction is an event like any other (direction 'operator'), never a silent
-- edit: who made it, what it was, and for a resend which event it sends again. When it was
-- made is received_at; why is reason; the states before and after are the usual columns.
-- Operator events carry apdu_kind 0 and an empty raw_ber when no APDU goes with them
-- (override); a resend carries the APDU it sends again.
ALTER TABLE events
  ADD COLUMN operator_name text NULL CHECK (operator_name <> ''),
  ADD COLUMN operator_action text NULL CHECK (operator_action IN ('override', 'resend')),
  ADD COLUMN refers_to_event bigint NULL REFERENCES events (id),
  ADD CONSTRAINT events_operator_fields CHECK (
    (direction = 'operator') = (operator_name IS NOT NULL AND operator_action IS NOT NULL));
COMMENT ON COLUMN events.operator_name IS 'who made an operator event (direction operator)';
COMMENT ON COLUMN events.refers_to_event IS 'the event an operator resend sends again';

-- Followers of the log (`illctl tail --follow`) LISTEN on illhub_events and are woken by any
-- statement that writes events, whichever program wrote them (the hub's apply, a refusal,
-- a timer, an operator). The payload is empty: a follower reads the log itself, in commit
-- order, and PostgreSQL folds identical notifications of one transaction into one. A
-- NOTIFY is delivered at COMMIT only, so it never announces a row a reader cannot see yet.
CREATE FUNCTION illhub_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('illhub_events', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER events_notify
  AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION illhub_notify_events();
