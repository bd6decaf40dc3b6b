-- 0003_timers.sql: what the hub's timers (overdue, expiry) need to run from the database
-- alone, on any node, after any restart. See docs/TIMERS.md and src/store/timer_sweep.cpp.

-- Whether the hub sends the borrower an Overdue on this library's behalf when a loan it lent
-- is not back by its date due. The transaction becomes overdue either way; with false the
-- lender's own system is expected to send its Overdue (the hub relays it as usual).
ALTER TABLE peers
  ADD COLUMN send_overdue boolean NOT NULL DEFAULT true;

ALTER TABLE transactions
  -- The date due for which the overdue timer has run out and been dealt with (fired, or
  -- found not to apply). A new date due (Renew-Answer) arms the timer again.
  ADD COLUMN overdue_handled_for date NULL,
  -- The expiry timer has run out and been dealt with (fired, or found not to apply).
  ADD COLUMN expiry_handled boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN transactions.expiry_date IS
  'The date the request expires: the need-before-date when expiry-flag is need-Before-Date, '
  'the expiry-date when it is other-Date, NULL for no-Expiry (the ASN.1 default)';

-- The sweep asks "which armed timers have run out"; the indexes hold only armed ones, so they
-- stay small however many transactions are finished. The state lists match the sweep's
-- queries (src/store/timer_sweep.cpp): responder SHIPPED, RECEIVED, RENEW-PENDING or RECALL
-- for overdue (already overdue states are left alone); IN-PROCESS, PENDING, CONDITIONAL or
-- CANCEL-PENDING (not shipped yet) for expiry.
DROP INDEX transactions_date_due_idx;
DROP INDEX transactions_expiry_idx;
CREATE INDEX transactions_overdue_armed_idx ON transactions (date_due)
  WHERE date_due IS NOT NULL AND responder_state IN (8, 9, 10, 16)
    AND overdue_handled_for IS DISTINCT FROM date_due;
CREATE INDEX transactions_expiry_armed_idx ON transactions (expiry_date)
  WHERE expiry_date IS NOT NULL AND NOT expiry_handled AND responder_state IN (2, 3, 5, 6);
