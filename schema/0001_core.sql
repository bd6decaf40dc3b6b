-- 0001_core.sql: illhub's core tables. Applied by the Migrator in one transaction; never edit
-- this file once released: add 0002_... instead (the Migrator refuses a changed file).
--
--   peers            the member libraries' systems the hub talks to
--   transactions     one row per ISO 10161 transaction: its id, its two ends, both states
--   events           append-only log of every APDU accepted or refused, in and out
--   ledger_postings  double-entry postings caused by events; each event's postings balance
--   outbox           APDUs waiting to be delivered to a peer (store-and-forward)

-- ---------------------------------------------------------------------------------------------
-- peers: who may connect and where the hub delivers to them.
CREATE TABLE peers (
  symbol           text PRIMARY KEY,          -- the peer's System-Id person-or-institution-symbol
  name             text NOT NULL DEFAULT '',  -- human-readable library name
  endpoint         text NULL,                 -- 'host:port' the hub dials; NULL: it never dials
  delivery_mode    text NOT NULL DEFAULT 'dial'
                   CHECK (delivery_mode IN ('dial', 'connection')),
                   -- dial: the hub connects to endpoint; connection: only on the peer's own
                   -- open connection to the hub
  profile          text NOT NULL DEFAULT 'strict',  -- protocol profile (how lenient the checks are)
  enabled          boolean NOT NULL DEFAULT true,    -- false: refused and not delivered to
  tls_cert_sha256  text NULL,                 -- TLS identity: sha256 of the peer's certificate
  allowed_networks cidr[] NOT NULL DEFAULT '{}',     -- source networks it may connect from
  receipts         boolean NOT NULL DEFAULT false,   -- wants delivery receipts for its APDUs
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (delivery_mode <> 'dial' OR endpoint IS NOT NULL)
);
COMMENT ON TABLE peers IS 'Member libraries'' systems (ILS) the hub relays for';

-- ---------------------------------------------------------------------------------------------
-- transactions: one ISO 10161 transaction (a request and everything that follows it).
CREATE TABLE transactions (
  id               bigserial PRIMARY KEY,
  -- The four-part Transaction-Id as the requester sent it.
  initial_requester text NOT NULL,          -- initial-requester-id, as the symbol (or name)
  group_qualifier  text NOT NULL,           -- transaction-group-qualifier
  qualifier        text NOT NULL,           -- transaction-qualifier
  sub_qualifier    text NOT NULL DEFAULT '',-- sub-transaction-qualifier ('' when absent)
  requester_symbol text NOT NULL REFERENCES peers (symbol),  -- the borrowing library
  responder_symbol text NOT NULL REFERENCES peers (symbol),  -- the lending library
  -- ISO 10161 Current-State of each end (1..18), 0 = IDLE (before any APDU).
  requester_state  smallint NOT NULL DEFAULT 0 CHECK (requester_state BETWEEN 0 AND 18),
  responder_state  smallint NOT NULL DEFAULT 0 CHECK (responder_state BETWEEN 0 AND 18),
  service_type     smallint NULL,           -- ILL-Service-Type chosen (1 loan, 2 copy, ...)
  is_loan          boolean NULL,            -- ISO 10161's RETURN variable: must the item come back
  -- Item summary, for operators' listings (the full request stays in events.raw_ber).
  item_title       text NOT NULL DEFAULT '',
  item_author      text NOT NULL DEFAULT '',
  item_isbn        text NOT NULL DEFAULT '',
  item_issn        text NOT NULL DEFAULT '',
  date_due         date NULL,               -- from Shipped / Renew-Answer: drives overdue timers
  need_before      date NULL,               -- need-before-date of the request
  expiry_date      date NULL,               -- expiry-date of the request: drives the expiry timer
  version          integer NOT NULL DEFAULT 0,  -- bumped on every change: optimistic concurrency
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT transactions_transaction_id_key
    UNIQUE (initial_requester, group_qualifier, qualifier, sub_qualifier)
);
COMMENT ON TABLE transactions IS 'One ISO 10161 transaction: its id, both ends and both role states';
CREATE INDEX transactions_requester_idx ON transactions (requester_symbol, created_at);
CREATE INDEX transactions_responder_idx ON transactions (responder_symbol, created_at);
-- The timer sweeps look for due dates and expiry dates that have passed.
CREATE INDEX transactions_date_due_idx ON transactions (date_due) WHERE date_due IS NOT NULL;
CREATE INDEX transactions_expiry_idx ON transactions (expiry_date) WHERE expiry_date IS NOT NULL;

-- ---------------------------------------------------------------------------------------------
-- events: every APDU the hub accepted or refused, received or sent, and operator actions.
-- Append-only (a trigger below refuses UPDATE, DELETE and TRUNCATE).
CREATE TABLE events (
  id               bigserial PRIMARY KEY,
  -- The writing transaction's id: readers follow the log in commit order by (xid, id), reading
  -- only xid < pg_snapshot_xmin(pg_current_snapshot()) (ids are handed out before COMMIT, so
  -- "id > last seen" alone would skip a row that commits late).
  xid              xid8 NOT NULL DEFAULT pg_current_xact_id(),
  transaction_id   bigint NULL REFERENCES transactions (id),  -- NULL: no transaction matched
  seq              integer NULL,             -- 1, 2, ... within the transaction
  received_at      timestamptz NOT NULL DEFAULT clock_timestamp(),  -- hub receive time
  direction        text NOT NULL CHECK (direction IN ('in', 'out', 'operator')),
  peer_symbol      text NULL,                -- the sender (in) or recipient (out)
  apdu_kind        smallint NOT NULL,        -- APDU kind, as its ASN.1 [APPLICATION n] tag
  accepted         boolean NOT NULL,         -- false: refused, reason says why
  old_requester_state smallint NULL,         -- states before and after (NULL when unchanged
  old_responder_state smallint NULL,         --   or not applicable)
  new_requester_state smallint NULL,
  new_responder_state smallint NULL,
  service_date     text NOT NULL DEFAULT '', -- the APDU's service-date-time, as sent
  service_time     text NOT NULL DEFAULT '',
  raw_ber          bytea NOT NULL,           -- the APDU exactly as received or sent
  reason           text NULL,                -- why it was refused
  dedup_key        bytea NULL,               -- identifies a duplicate APDU within its transaction
  CONSTRAINT events_seq_key UNIQUE (transaction_id, seq),
  CONSTRAINT events_dedup_key UNIQUE (transaction_id, dedup_key)
);
COMMENT ON TABLE events IS 'Append-only log of every APDU accepted or refused, in and out';
CREATE INDEX events_commit_order_idx ON events (xid, id);
CREATE INDEX events_peer_idx ON events (peer_symbol, received_at);
CREATE INDEX events_received_idx ON events (received_at);

-- ---------------------------------------------------------------------------------------------
-- ledger_postings: double-entry postings. Every event's postings sum to zero per currency
-- (checked at COMMIT below). Append-only too: a correction is a new, reversing posting.
CREATE TABLE ledger_postings (
  id               bigserial PRIMARY KEY,
  event_id         bigint NOT NULL REFERENCES events (id),  -- the event that caused it
  account          text NOT NULL,            -- e.g. 'library:IRL:BOR:payable'
  counter_account  text NOT NULL,            -- the other side of the entry
  amount           numeric(18, 4) NOT NULL,  -- signed: + debit to account, - credit
  currency         char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),  -- ISO 4217
  kind             text NOT NULL,            -- 'loan-charge', 'replacement', 'subsidy', 'loan-out', ...
  created_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ledger_postings IS 'Double-entry ledger postings; each event''s postings balance per currency';
CREATE INDEX ledger_postings_event_idx ON ledger_postings (event_id);
CREATE INDEX ledger_postings_account_idx ON ledger_postings (account, currency, created_at);

-- ---------------------------------------------------------------------------------------------
-- outbox: APDUs to deliver to a peer. Written in the same transaction as the event, delivered
-- after COMMIT, retried with backoff; delivered rows are marked, not deleted.
CREATE TABLE outbox (
  id               bigserial PRIMARY KEY,
  xid              xid8 NOT NULL DEFAULT pg_current_xact_id(),  -- commit-order reading, as events
  event_id         bigint NOT NULL REFERENCES events (id),      -- the event being relayed
  transaction_id   bigint NULL REFERENCES transactions (id),
  recipient_symbol text NOT NULL REFERENCES peers (symbol),
  apdu             bytea NOT NULL,           -- the bytes to send, unchanged from the sender
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),  -- not before: backoff
  last_error       text NULL,                -- why the last attempt failed
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz NULL
);
COMMENT ON TABLE outbox IS 'APDUs waiting to be delivered to a peer, with attempts and the last error';
-- Delivery asks "what is due for this recipient", only among pending rows.
CREATE INDEX outbox_pending_idx ON outbox (recipient_symbol, next_attempt_at)
  WHERE status = 'pending';
CREATE INDEX outbox_event_idx ON outbox (event_id);
CREATE INDEX outbox_commit_order_idx ON outbox (xid, id);

-- ---------------------------------------------------------------------------------------------
-- Rules kept by the database itself, so no code path can break them.

-- events and ledger_postings are never changed or removed.
CREATE FUNCTION illhub_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'integrity_constraint_violation',
          HINT = 'record a new row (a new event, a reversing posting) instead';
END;
$$;

CREATE TRIGGER events_append_only
  BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION illhub_refuse_change();
CREATE TRIGGER events_no_truncate
  BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION illhub_refuse_change();
CREATE TRIGGER ledger_postings_append_only
  BEFORE UPDATE OR DELETE ON ledger_postings
  FOR EACH ROW EXECUTE FUNCTION illhub_refuse_change();
CREATE TRIGGER ledger_postings_no_truncate
  BEFORE TRUNCATE ON ledger_postings
  FOR EACH STATEMENT EXECUTE FUNCTION illhub_refuse_change();

-- At COMMIT, the postings of each event touched must sum to zero in every currency. Deferred,
-- so a transaction may insert the two sides in any order; an unbalanced set fails the COMMIT.
CREATE FUNCTION illhub_check_event_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  unbalanced record;
BEGIN
  SELECT currency, sum(amount) AS total INTO unbalanced
    FROM ledger_postings
   WHERE event_id = NEW.event_id
   GROUP BY currency
  HAVING sum(amount) <> 0
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger postings of event % do not balance: % % left over',
                    NEW.event_id, unbalanced.total, unbalanced.currency
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER ledger_postings_balanced
  AFTER INSERT ON ledger_postings
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION illhub_check_event_balanced();

-- updated_at follows every change; version is bumped by the writer (it is the compare value).
CREATE FUNCTION illhub_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER peers_touch BEFORE UPDATE ON peers
  FOR EACH ROW EXECUTE FUNCTION illhub_touch_updated_at();
CREATE TRIGGER transactions_touch BEFORE UPDATE ON transactions
  FOR EACH ROW EXECUTE FUNCTION illhub_touch_updated_at();
