-- 0002_protocol_memory.sql: what the state tables remember about a transaction besides the two
-- states, so the hub can decide the next APDU from the database alone (any node, after any
-- restart). See include/illhub/protocol/hub_view.hpp (TransactionView) and hub/engine.hpp.

ALTER TABLE transactions
  -- The state each end was in when it entered CANCEL-PENDING: a Cancel-Reply "no" resumes it.
  ADD COLUMN requester_before_cancel smallint NOT NULL DEFAULT 0
    CHECK (requester_before_cancel BETWEEN 0 AND 18),
  ADD COLUMN responder_before_cancel smallint NOT NULL DEFAULT 0
    CHECK (responder_before_cancel BETWEEN 0 AND 18),
  -- Optional messages each side declared it can send (ILL-Request, ILL-Answer / Shipped).
  ADD COLUMN requester_can_send_received boolean NOT NULL DEFAULT true,
  ADD COLUMN requester_can_send_returned boolean NOT NULL DEFAULT true,
  ADD COLUMN responder_can_send_shipped boolean NOT NULL DEFAULT true,
  ADD COLUMN responder_can_send_checked_in boolean NOT NULL DEFAULT true,
  -- A Shipped was applied (a crossing Shipped is accepted once only).
  ADD COLUMN shipped boolean NOT NULL DEFAULT false,
  -- The last APDU applied, to recognise it when it is sent again.
  ADD COLUMN last_apdu_kind smallint NULL,
  ADD COLUMN last_apdu_sender text NULL CHECK (last_apdu_sender IN ('requester', 'responder')),
  ADD COLUMN last_service_date text NOT NULL DEFAULT '',
  ADD COLUMN last_service_time text NOT NULL DEFAULT '',
  -- What a lost or damaged item is charged: the Shipped's (or Returned's) insured-for.
  ADD COLUMN insured_amount numeric(18, 4) NULL,
  ADD COLUMN insured_currency char(3) NULL,
  -- A replacement charge was posted already (charged once per transaction).
  ADD COLUMN replacement_charged boolean NOT NULL DEFAULT false;
