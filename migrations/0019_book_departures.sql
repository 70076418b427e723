CREATE TABLE `book_departures` (
	`user_id` text NOT NULL,
	`book` text NOT NULL,
	`moved_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `book`)
);
