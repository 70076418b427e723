CREATE TABLE `chat_reports` (
	`id` text PRIMARY KEY NOT NULL,
	`group_buy_id` text NOT NULL,
	`message_id` integer NOT NULL,
	`author_id` text NOT NULL,
	`text` text NOT NULL,
	`reporter_id` text NOT NULL,
	`reason` text NOT NULL,
	`note` text,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reporter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_reports_once` ON `chat_reports` (`group_buy_id`,`message_id`,`reporter_id`);--> statement-breakpoint
CREATE INDEX `chat_reports_open_idx` ON `chat_reports` (`resolved_at`,`group_buy_id`,`message_id`);