CREATE TABLE `group_buy_events` (
	`id` text PRIMARY KEY NOT NULL,
	`group_buy_id` text NOT NULL,
	`from_status` text NOT NULL,
	`to_status` text NOT NULL,
	`actor_id` text,
	`reason` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`group_buy_id`) REFERENCES `group_buys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `group_buy_events_buy_idx` ON `group_buy_events` (`group_buy_id`,`at`);--> statement-breakpoint
CREATE TABLE `group_buy_holds` (
	`hold_id` text PRIMARY KEY NOT NULL,
	`group_buy_id` text NOT NULL,
	`user_id` text NOT NULL,
	`shares` integer NOT NULL,
	`amount` integer NOT NULL,
	`state` text NOT NULL,
	`settlement` text DEFAULT 'held' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`group_buy_id`) REFERENCES `group_buys`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `group_buy_holds_buy_idx` ON `group_buy_holds` (`group_buy_id`,`settlement`);--> statement-breakpoint
CREATE INDEX `group_buy_holds_user_idx` ON `group_buy_holds` (`user_id`);--> statement-breakpoint
CREATE TABLE `group_buy_members` (
	`group_buy_id` text NOT NULL,
	`user_id` text NOT NULL,
	`shares` integer NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`picked_up_at` integer,
	`pickup_by` text,
	`no_show_at` integer,
	`joined_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`group_buy_id`, `user_id`),
	FOREIGN KEY (`group_buy_id`) REFERENCES `group_buys`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `group_buy_members_user_idx` ON `group_buy_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `group_buys` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`host_id` text NOT NULL,
	`region_id` text NOT NULL,
	`title` text NOT NULL,
	`category` text NOT NULL,
	`unit` text NOT NULL,
	`total_quantity` integer NOT NULL,
	`total_price` integer NOT NULL,
	`total_shares` integer NOT NULL,
	`min_shares` integer NOT NULL,
	`max_per_person` integer NOT NULL,
	`price_per_share` integer NOT NULL,
	`deadline` integer NOT NULL,
	`pickup_place` text NOT NULL,
	`pickup_start` integer NOT NULL,
	`pickup_end` integer NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`taken_shares` integer DEFAULT 0 NOT NULL,
	`participant_count` integer DEFAULT 0 NOT NULL,
	`mirror_seq` integer DEFAULT 0 NOT NULL,
	`closed_at` integer,
	`ready_at` integer,
	`completed_at` integer,
	`cancelled_by` text,
	`settled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`seller_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`host_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`region_id`) REFERENCES `regions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `group_buys_feed_idx` ON `group_buys` (`region_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `group_buys_seller_idx` ON `group_buys` (`seller_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `group_buys_host_idx` ON `group_buys` (`host_id`,`status`);--> statement-breakpoint
CREATE INDEX `group_buys_ready_idx` ON `group_buys` (`status`,`ready_at`);--> statement-breakpoint
CREATE TABLE `products` (
	`id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`category` text NOT NULL,
	`image_urls` text NOT NULL,
	`total_quantity` integer NOT NULL,
	`unit` text NOT NULL,
	`total_price` integer NOT NULL,
	`allow_hosts` integer NOT NULL,
	`archived` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`seller_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `products_seller_idx` ON `products` (`seller_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `products_catalog_idx` ON `products` (`allow_hosts`,`archived`,`category`,`created_at`);--> statement-breakpoint
CREATE TABLE `seller_payables` (
	`id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`group_buy_id` text NOT NULL,
	`region_id` text NOT NULL,
	`gross` integer NOT NULL,
	`fee` integer NOT NULL,
	`net` integer NOT NULL,
	`status` text NOT NULL,
	`available_at` integer NOT NULL,
	`payout_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`seller_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_buy_id`) REFERENCES `group_buys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `seller_payables_buy_unique` ON `seller_payables` (`group_buy_id`);--> statement-breakpoint
CREATE INDEX `seller_payables_seller_idx` ON `seller_payables` (`seller_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `seller_payables_due_idx` ON `seller_payables` (`status`,`available_at`);--> statement-breakpoint
CREATE TABLE `seller_payouts` (
	`id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`region_id` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`gateway_ref` text,
	`failure_reason` text,
	`created_at` integer NOT NULL,
	`paid_at` integer,
	FOREIGN KEY (`seller_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `seller_payouts_seller_idx` ON `seller_payouts` (`seller_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `seller_payouts_status_idx` ON `seller_payouts` (`status`) WHERE status = 'requested';--> statement-breakpoint
CREATE TABLE `trust_events` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`reference` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `trust_events_user_idx` ON `trust_events` (`user_id`,`kind`);