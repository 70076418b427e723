CREATE TABLE `idempotency_keys` (
	`user_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`scope` text NOT NULL,
	`status` text NOT NULL,
	`response` text,
	`created_at` integer NOT NULL,
	`locked_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `ledger_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`book` text NOT NULL,
	`kind` text NOT NULL,
	`owner_id` text NOT NULL,
	`flags` integer DEFAULT 0 NOT NULL,
	`debits_posted` integer DEFAULT 0 NOT NULL,
	`credits_posted` integer DEFAULT 0 NOT NULL,
	`debits_pending` integer DEFAULT 0 NOT NULL,
	`credits_pending` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "ledger_accounts_no_overdraft" CHECK(("ledger_accounts"."flags" & 1) = 0 OR "ledger_accounts"."debits_posted" + "ledger_accounts"."debits_pending" <= "ledger_accounts"."credits_posted"),
	CONSTRAINT "ledger_accounts_no_overcredit" CHECK(("ledger_accounts"."flags" & 2) = 0 OR "ledger_accounts"."credits_posted" + "ledger_accounts"."credits_pending" <= "ledger_accounts"."debits_posted"),
	CONSTRAINT "ledger_accounts_nonnegative" CHECK("ledger_accounts"."debits_posted" >= 0 AND "ledger_accounts"."credits_posted" >= 0 AND "ledger_accounts"."debits_pending" >= 0 AND "ledger_accounts"."credits_pending" >= 0)
);
--> statement-breakpoint
CREATE INDEX `ledger_accounts_owner_idx` ON `ledger_accounts` (`owner_id`,`book`);--> statement-breakpoint
CREATE INDEX `ledger_accounts_book_idx` ON `ledger_accounts` (`book`,`kind`);--> statement-breakpoint
CREATE TABLE `ledger_pending` (
	`transfer_id` text PRIMARY KEY NOT NULL,
	`book` text NOT NULL,
	`expires_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_pending_expiry_idx` ON `ledger_pending` (`expires_at`) WHERE expires_at IS NOT NULL;--> statement-breakpoint
CREATE TABLE `ledger_reconciliations` (
	`id` text PRIMARY KEY NOT NULL,
	`book` text NOT NULL,
	`ran_at` integer NOT NULL,
	`accounts_checked` integer NOT NULL,
	`mismatch_count` integer NOT NULL,
	`net_posted` integer NOT NULL,
	`net_pending` integer NOT NULL,
	`details` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_reconciliations_ran_idx` ON `ledger_reconciliations` (`ran_at`);--> statement-breakpoint
CREATE TABLE `ledger_transfers` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`book` text NOT NULL,
	`debit_account_id` text NOT NULL,
	`credit_account_id` text NOT NULL,
	`amount` integer NOT NULL,
	`phase` text NOT NULL,
	`pending_id` text,
	`expires_at` integer,
	`kind` text NOT NULL,
	`reference` text,
	`description` text DEFAULT '' NOT NULL,
	`meta` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`debit_account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`credit_account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transfers_id_unique` ON `ledger_transfers` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transfers_pending_unique` ON `ledger_transfers` (`pending_id`) WHERE pending_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `ledger_transfers_debit_idx` ON `ledger_transfers` (`debit_account_id`,`seq`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_credit_idx` ON `ledger_transfers` (`credit_account_id`,`seq`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_reference_idx` ON `ledger_transfers` (`reference`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_book_idx` ON `ledger_transfers` (`book`,`phase`);