ALTER TABLE `group_buy_holds` ADD `paid` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `group_buy_members` ADD `paid` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `group_buys` ADD `plus_early_access` integer DEFAULT false NOT NULL;