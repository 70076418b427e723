-- Ledger rules enforced by the database itself, so no code path (ours or a later engineer's) can insert a transfer
-- without its balance effect, overdraw a guarded account, settle a pending transfer twice, or cross books.
-- A RAISE or CHECK failure aborts the statement, and D1/libSQL roll back the whole db.batch() it is in.
-- Error texts start with "ledger:" so worker/wallet/errors.ts can map them to typed errors.

CREATE TRIGGER `ledger_transfers_validate` BEFORE INSERT ON `ledger_transfers`
BEGIN
  SELECT RAISE(ABORT, 'ledger: amount must be a positive whole number of won')
    WHERE typeof(NEW.amount) <> 'integer' OR NEW.amount <= 0;
  SELECT RAISE(ABORT, 'ledger: debit and credit are the same account')
    WHERE NEW.debit_account_id = NEW.credit_account_id;
  SELECT RAISE(ABORT, 'ledger: account missing or in another book')
    WHERE (SELECT count(*) FROM ledger_accounts
           WHERE id IN (NEW.debit_account_id, NEW.credit_account_id) AND book = NEW.book) <> 2;
  SELECT RAISE(ABORT, 'ledger: pending_id is only for post and void')
    WHERE NEW.phase IN ('single', 'pending') AND NEW.pending_id IS NOT NULL;
  SELECT RAISE(ABORT, 'ledger: only a pending transfer can expire')
    WHERE NEW.phase <> 'pending' AND NEW.expires_at IS NOT NULL;
  SELECT RAISE(ABORT, 'ledger: pending transfer not found')
    WHERE NEW.phase IN ('post', 'void') AND NOT EXISTS (
      SELECT 1 FROM ledger_transfers p
      WHERE p.id = NEW.pending_id AND p.phase = 'pending' AND p.book = NEW.book
        AND p.debit_account_id = NEW.debit_account_id AND p.credit_account_id = NEW.credit_account_id);
  SELECT RAISE(ABORT, 'ledger: pending transfer already settled')
    WHERE NEW.phase IN ('post', 'void') AND NOT EXISTS (SELECT 1 FROM ledger_pending WHERE transfer_id = NEW.pending_id);
  SELECT RAISE(ABORT, 'ledger: pending transfer expired')
    WHERE NEW.phase = 'post'
      AND (SELECT expires_at FROM ledger_pending WHERE transfer_id = NEW.pending_id) <= NEW.created_at;
  SELECT RAISE(ABORT, 'ledger: post exceeds the pending amount')
    WHERE NEW.phase = 'post' AND NEW.amount > (SELECT amount FROM ledger_transfers WHERE id = NEW.pending_id);
  SELECT RAISE(ABORT, 'ledger: void must release the whole pending amount')
    WHERE NEW.phase = 'void' AND NEW.amount <> (SELECT amount FROM ledger_transfers WHERE id = NEW.pending_id);
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_transfers_apply_single` AFTER INSERT ON `ledger_transfers` WHEN NEW.phase = 'single'
BEGIN
  UPDATE ledger_accounts SET debits_posted = debits_posted + NEW.amount WHERE id = NEW.debit_account_id;
  UPDATE ledger_accounts SET credits_posted = credits_posted + NEW.amount WHERE id = NEW.credit_account_id;
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_transfers_apply_pending` AFTER INSERT ON `ledger_transfers` WHEN NEW.phase = 'pending'
BEGIN
  UPDATE ledger_accounts SET debits_pending = debits_pending + NEW.amount WHERE id = NEW.debit_account_id;
  UPDATE ledger_accounts SET credits_pending = credits_pending + NEW.amount WHERE id = NEW.credit_account_id;
  INSERT INTO ledger_pending (transfer_id, book, expires_at, created_at)
    VALUES (NEW.id, NEW.book, NEW.expires_at, NEW.created_at);
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_transfers_apply_post` AFTER INSERT ON `ledger_transfers` WHEN NEW.phase = 'post'
BEGIN
  UPDATE ledger_accounts
    SET debits_pending = debits_pending - (SELECT amount FROM ledger_transfers WHERE id = NEW.pending_id),
        debits_posted = debits_posted + NEW.amount
    WHERE id = NEW.debit_account_id;
  UPDATE ledger_accounts
    SET credits_pending = credits_pending - (SELECT amount FROM ledger_transfers WHERE id = NEW.pending_id),
        credits_posted = credits_posted + NEW.amount
    WHERE id = NEW.credit_account_id;
  DELETE FROM ledger_pending WHERE transfer_id = NEW.pending_id;
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_transfers_apply_void` AFTER INSERT ON `ledger_transfers` WHEN NEW.phase = 'void'
BEGIN
  UPDATE ledger_accounts SET debits_pending = debits_pending - NEW.amount WHERE id = NEW.debit_account_id;
  UPDATE ledger_accounts SET credits_pending = credits_pending - NEW.amount WHERE id = NEW.credit_account_id;
  DELETE FROM ledger_pending WHERE transfer_id = NEW.pending_id;
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_transfers_no_update` BEFORE UPDATE ON `ledger_transfers`
BEGIN
  SELECT RAISE(ABORT, 'ledger: transfers are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER `ledger_transfers_no_delete` BEFORE DELETE ON `ledger_transfers`
BEGIN
  SELECT RAISE(ABORT, 'ledger: transfers are immutable');
END;
