CREATE TABLE `seller_payout_accounts` (
	`seller_id` text PRIMARY KEY NOT NULL,
	`gateway_seller_id` text NOT NULL,
	`business_type` text NOT NULL,
	`status` text NOT NULL,
	`bank_code` text NOT NULL,
	`holder_name` text NOT NULL,
	`account_last4` text NOT NULL,
	`status_changed_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`seller_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `seller_payout_accounts_gateway_unique` ON `seller_payout_accounts` (`gateway_seller_id`);--> statement-breakpoint
ALTER TABLE `seller_payouts` ADD `destination` text;