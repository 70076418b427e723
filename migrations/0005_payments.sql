CREATE TABLE `billing_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`customer_key` text NOT NULL,
	`key_version` integer NOT NULL,
	`ciphertext` text NOT NULL,
	`card_company` text,
	`card_masked` text,
	`consent_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`consent_id`) REFERENCES `payment_consents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_keys_one_active` ON `billing_keys` (`user_id`) WHERE revoked_at IS NULL;--> statement-breakpoint
CREATE INDEX `billing_keys_version_idx` ON `billing_keys` (`key_version`);--> statement-breakpoint
CREATE TABLE `card_blobs` (
	`charge_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`blob` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `card_blobs_expiry_idx` ON `card_blobs` (`expires_at`);--> statement-breakpoint
CREATE TABLE `charges` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`book` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`amount` integer NOT NULL,
	`method` text NOT NULL,
	`order_id` text NOT NULL,
	`payment_key` text,
	`billing_key_id` text,
	`consent_id` text,
	`status` text NOT NULL,
	`deferred` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_attempt_at` integer,
	`last_error_code` text,
	`last_error_message` text,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`debt_amount` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`settled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `charges_order_id_unique` ON `charges` (`order_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `charges_user_key_unique` ON `charges` (`user_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `charges_user_created_idx` ON `charges` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `charges_status_idx` ON `charges` (`status`,`updated_at`);--> statement-breakpoint
CREATE INDEX `charges_user_debt_idx` ON `charges` (`user_id`) WHERE debt_amount > 0;--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`queue` text NOT NULL,
	`body` text NOT NULL,
	`job_type` text,
	`attempts` integer NOT NULL,
	`created_at` integer NOT NULL,
	`replayed_at` integer,
	`replayed_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dead_letters_message_unique` ON `dead_letters` (`message_id`);--> statement-breakpoint
CREATE INDEX `dead_letters_open_idx` ON `dead_letters` (`replayed_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `payment_consents` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`text_version` text NOT NULL,
	`text_sha256` text NOT NULL,
	`ip` text NOT NULL,
	`consented_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `payment_consents_user_idx` ON `payment_consents` (`user_id`,`consented_at`);--> statement-breakpoint
CREATE TABLE `refund_parts` (
	`id` text PRIMARY KEY NOT NULL,
	`refund_id` text NOT NULL,
	`charge_id` text NOT NULL,
	`user_id` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error_code` text,
	`last_error_message` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `refund_parts_refund_idx` ON `refund_parts` (`refund_id`);--> statement-breakpoint
CREATE INDEX `refund_parts_status_idx` ON `refund_parts` (`status`);--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`book` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`amount` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `refunds_user_key_unique` ON `refunds` (`user_id`,`idempotency_key`);