CREATE TABLE `reconciliation_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`run_at` integer NOT NULL,
	`books` integer NOT NULL,
	`started_by` text NOT NULL
);
