CREATE TABLE `membership_spend` (
	`purchase_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`group_buy_id` text NOT NULL,
	`book` text NOT NULL,
	`gross` integer NOT NULL,
	`discount` integer NOT NULL,
	`paid` integer NOT NULL,
	`completed_at` integer NOT NULL,
	`reversed_at` integer,
	CONSTRAINT "membership_spend_amounts" CHECK("membership_spend"."paid" >= 0 AND "membership_spend"."discount" >= 0 AND "membership_spend"."gross" = "membership_spend"."paid" + "membership_spend"."discount")
);
--> statement-breakpoint
CREATE INDEX `membership_spend_user_idx` ON `membership_spend` (`user_id`,`completed_at`);--> statement-breakpoint
CREATE TABLE `membership_status` (
	`user_id` text PRIMARY KEY NOT NULL,
	`tier_level` integer DEFAULT 0 NOT NULL,
	`tier_since` integer NOT NULL,
	`recalc_month` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `membership_status_recalc_idx` ON `membership_status` (`recalc_month`);--> statement-breakpoint
CREATE TABLE `plus_bonus_months` (
	`user_id` text NOT NULL,
	`month` text NOT NULL,
	`earned` integer NOT NULL,
	`cap` integer NOT NULL,
	PRIMARY KEY(`user_id`, `month`),
	CONSTRAINT "plus_bonus_months_cap" CHECK("plus_bonus_months"."earned" >= 0 AND "plus_bonus_months"."earned" <= "plus_bonus_months"."cap")
);
--> statement-breakpoint
CREATE TABLE `plus_subscriptions` (
	`user_id` text PRIMARY KEY NOT NULL,
	`book` text NOT NULL,
	`status` text NOT NULL,
	`auto_renew` integer NOT NULL,
	`anchor_at` integer NOT NULL,
	`period_index` integer NOT NULL,
	`period_no` integer NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer NOT NULL,
	`notice_for_period` integer DEFAULT 0 NOT NULL,
	`cancelled_at` integer,
	`ended_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `plus_subscriptions_due_idx` ON `plus_subscriptions` (`status`,`period_end`);--> statement-breakpoint
CREATE TABLE `reward_lots` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`book` text NOT NULL,
	`purchase_id` text NOT NULL,
	`group_buy_id` text NOT NULL,
	`base` integer NOT NULL,
	`bonus` integer NOT NULL,
	`amount` integer NOT NULL,
	`clawed` integer DEFAULT 0 NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL,
	`earned_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`notice_at` integer,
	`closed_at` integer,
	`clawback_id` text,
	CONSTRAINT "reward_lots_amounts" CHECK("reward_lots"."amount" > 0 AND "reward_lots"."base" >= 0 AND "reward_lots"."bonus" >= 0 AND "reward_lots"."amount" = "reward_lots"."base" + "reward_lots"."bonus"
        AND "reward_lots"."clawed" >= 0 AND "reward_lots"."expired" >= 0 AND "reward_lots"."clawed" + "reward_lots"."expired" <= "reward_lots"."amount")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reward_lots_purchase_unique` ON `reward_lots` (`purchase_id`);--> statement-breakpoint
CREATE INDEX `reward_lots_user_idx` ON `reward_lots` (`user_id`,`book`,`expires_at`);--> statement-breakpoint
CREATE INDEX `reward_lots_open_expiry_idx` ON `reward_lots` (`expires_at`) WHERE closed_at IS NULL;