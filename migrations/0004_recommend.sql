CREATE TABLE `rec_candidates` (
	`user_id` text PRIMARY KEY NOT NULL,
	`n` integer NOT NULL,
	`items` text NOT NULL,
	`affinity` text NOT NULL,
	`computed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rec_interactions` (
	`user_id` text NOT NULL,
	`item_id` text NOT NULL,
	`kind` text NOT NULL,
	`weight` real NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `item_id`, `kind`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rec_interactions_at_idx` ON `rec_interactions` (`at`,`user_id`);--> statement-breakpoint
CREATE INDEX `rec_interactions_item_idx` ON `rec_interactions` (`item_id`);--> statement-breakpoint
CREATE TABLE `rec_interests` (
	`user_id` text PRIMARY KEY NOT NULL,
	`categories` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `rec_neighbours` (
	`user_id` text PRIMARY KEY NOT NULL,
	`neighbours` text NOT NULL,
	`computed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rec_popularity` (
	`region_id` text NOT NULL,
	`key` text NOT NULL,
	`score` real NOT NULL,
	PRIMARY KEY(`region_id`, `key`)
);
--> statement-breakpoint
CREATE TABLE `rec_regions` (
	`region_id` text PRIMARY KEY NOT NULL,
	`fallback` integer NOT NULL,
	`mass` real NOT NULL,
	`computed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rec_state` (
	`id` text PRIMARY KEY NOT NULL,
	`watermark` integer NOT NULL,
	`cursor` text NOT NULL,
	`sweep_started_at` integer NOT NULL,
	`last_run_at` integer NOT NULL,
	`last_full_at` integer NOT NULL
);
