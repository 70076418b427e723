CREATE TABLE `purchase_refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`hold_id` text NOT NULL,
	`group_buy_id` text NOT NULL,
	`buyer_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`region_id` text NOT NULL,
	`gross` integer NOT NULL,
	`fee` integer NOT NULL,
	`source` text NOT NULL,
	`reason` text NOT NULL,
	`actor_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`group_buy_id`) REFERENCES `group_buys`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`buyer_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `purchase_refunds_hold_unique` ON `purchase_refunds` (`hold_id`);--> statement-breakpoint
CREATE INDEX `purchase_refunds_buy_idx` ON `purchase_refunds` (`group_buy_id`);--> statement-breakpoint
ALTER TABLE `group_buy_members` ADD `refunded_at` integer;--> statement-breakpoint
ALTER TABLE `seller_payables` ADD `refunded` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `seller_payables` ADD `fee_returned` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `seller_payables` ADD `deducted` integer DEFAULT 0 NOT NULL;