CREATE TABLE `board_comments` (
	`id` text PRIMARY KEY NOT NULL,
	`post_id` text NOT NULL,
	`author_id` text NOT NULL,
	`parent_id` text,
	`body` text NOT NULL,
	`status` text DEFAULT 'visible' NOT NULL,
	`report_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`post_id`) REFERENCES `board_posts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`parent_id`) REFERENCES `board_comments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `board_comments_post_idx` ON `board_comments` (`post_id`,`parent_id`,`id`);--> statement-breakpoint
CREATE INDEX `board_comments_reported_idx` ON `board_comments` (`report_count`) WHERE report_count > 0;--> statement-breakpoint
CREATE TABLE `board_likes` (
	`post_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`post_id`, `user_id`),
	FOREIGN KEY (`post_id`) REFERENCES `board_posts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `board_posts` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`region_id` text NOT NULL,
	`author_id` text NOT NULL,
	`category` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`status` text DEFAULT 'visible' NOT NULL,
	`like_count` integer DEFAULT 0 NOT NULL,
	`comment_count` integer DEFAULT 0 NOT NULL,
	`report_count` integer DEFAULT 0 NOT NULL,
	`score` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`region_id`) REFERENCES `regions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `board_posts_id_unique` ON `board_posts` (`id`);--> statement-breakpoint
CREATE INDEX `board_posts_region_idx` ON `board_posts` (`region_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `board_posts_region_cat_idx` ON `board_posts` (`region_id`,`category`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `board_posts_popular_idx` ON `board_posts` (`region_id`,`status`,`score`,`id`);--> statement-breakpoint
CREATE INDEX `board_posts_author_idx` ON `board_posts` (`author_id`,`id`);--> statement-breakpoint
CREATE INDEX `board_posts_reported_idx` ON `board_posts` (`report_count`) WHERE report_count > 0;--> statement-breakpoint
CREATE TABLE `board_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text NOT NULL,
	`reporter_id` text NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`reporter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `board_reports_once` ON `board_reports` (`target_type`,`target_id`,`reporter_id`);--> statement-breakpoint
CREATE INDEX `board_reports_target_idx` ON `board_reports` (`target_type`,`target_id`,`resolved_at`);--> statement-breakpoint
CREATE TABLE `board_supply_offers` (
	`id` text PRIMARY KEY NOT NULL,
	`post_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`message` text NOT NULL,
	`group_buy_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`post_id`) REFERENCES `board_posts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`seller_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `board_supply_offers_once` ON `board_supply_offers` (`post_id`,`seller_id`);--> statement-breakpoint
CREATE INDEX `board_supply_offers_group_buy_idx` ON `board_supply_offers` (`group_buy_id`);