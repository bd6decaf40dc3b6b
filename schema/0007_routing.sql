-- 0007_routing.sql: the hub as ISO 10161 intermediary (issue #9, docs/ROUTING.md). A request
-- addressed to the hub's own symbol (or carrying a send-to-list) is passed on to one lender at
-- a time; the rota (who is asked, in which order, why, and what each answered) lives here.
-- (Numbered after the planner's 0007; the two branches settle their numbers when merged.)

ALTER TABLE transactions
  -- The hub is this transaction's intermediary: responder_symbol is the lender asked now (or
  -- the hub's own symbol before the first lender and after the last), and a lender's
  -- unfilled answer moves the request on instead of ending it.
  ADD COLUMN routed_by_hub boolean NOT NULL DEFAULT false,
  -- Every lender on the rota said no (or nobody could be asked): the borrower got the hub's
  -- final unfilled answer. `illctl attention` lists these.
  ADD COLUMN rota_exhausted boolean NOT NULL DEFAULT false;

CREATE TABLE routing_attempts (
  transaction_id   bigint NOT NULL REFERENCES transactions (id),
  position         integer NOT NULL CHECK (position >= 1),  -- 1 = asked first
  lender_symbol    text NOT NULL,
  reason           text NOT NULL DEFAULT '',  -- why this lender is on the rota, for operators
  source           text NOT NULL CHECK (source IN ('send-to-list', 'planner', 'locations-provided')),
  policy_version   bigint NOT NULL DEFAULT 0, -- the lending-policy version a planned rota used
  asked_at         timestamptz NULL,          -- NULL: not asked (yet, or skipped)
  answer_by        timestamptz NULL,          -- no answer by then: the next lender is asked
  outcome          text NULL CHECK (outcome IN ('unfilled', 'retry', 'locations-provided', 'expired',
                                                'no-answer', 'supplying', 'skipped', 'ended')),
  outcome_at       timestamptz NULL,
  PRIMARY KEY (transaction_id, position)
);
COMMENT ON TABLE routing_attempts IS
  'The rota of a request routed by the hub: lenders in the order asked, why, and their outcome';

-- The deadline sweep asks "which lender asked has not answered in time"; only open attempts.
CREATE INDEX routing_attempts_deadline_idx ON routing_attempts (answer_by)
  WHERE outcome IS NULL AND answer_by IS NOT NULL;
