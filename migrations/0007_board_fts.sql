-- Full-text search over board posts (title + body). External-content FTS5 keyed on board_posts.seq (an INTEGER
-- PRIMARY KEY, so the rowid never changes); triggers keep it in step with every insert/update/delete, including rows
-- written by raw SQL. unicode61 splits Korean on spaces and punctuation; queries use prefix terms ("사과"* matches
-- 사과를/사과가), which suits a language whose particles are suffixes. Every post is indexed whatever its status; queries
-- filter on status, so moderation never has to touch the index.
CREATE VIRTUAL TABLE `board_posts_fts` USING fts5(title, body, content='board_posts', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
--> statement-breakpoint
CREATE TRIGGER `board_posts_fts_ai` AFTER INSERT ON `board_posts` BEGIN
  INSERT INTO board_posts_fts(rowid, title, body) VALUES (new.seq, new.title, new.body);
END;
--> statement-breakpoint
CREATE TRIGGER `board_posts_fts_ad` AFTER DELETE ON `board_posts` BEGIN
  INSERT INTO board_posts_fts(board_posts_fts, rowid, title, body) VALUES ('delete', old.seq, old.title, old.body);
END;
--> statement-breakpoint
CREATE TRIGGER `board_posts_fts_au` AFTER UPDATE OF title, body ON `board_posts` BEGIN
  INSERT INTO board_posts_fts(board_posts_fts, rowid, title, body) VALUES ('delete', old.seq, old.title, old.body);
  INSERT INTO board_posts_fts(rowid, title, body) VALUES (new.seq, new.title, new.body);
END;
