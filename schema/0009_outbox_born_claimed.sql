-- Outbox rows born claimed (docs/NET.md, "Delivery"): when the recipient of an accepted APDU
-- is connected to the accepting node, the write statement inserts its outbox row already
-- leased to that node, without a NOTIFY, and the node hands it to the recipient's delivery pump
-- after COMMIT (no claim statement). It may do so only when the transaction has no other
-- undelivered row for the same recipient, or the new row could overtake it. This index answers
-- that question from the pending rows alone, whatever the recipient's backlog: pending rows are
-- few, so it stays small.
CREATE INDEX outbox_pending_transaction_idx ON outbox (transaction_id, recipient_symbol)
  WHERE status = 'pending';
