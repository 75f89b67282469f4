-- Imports (issue 10): what `tribune import rss|disqus|wxr` brought in, so that a second run (or a run resumed
-- after a crash) imports nothing twice. One row per imported record: (source, external id) → the local row.
--   source: rss | disqus-thread | disqus-post | wxr-post | wxr-comment, and link (an article's normalised URL,
--   recorded by every import that creates an article, so a later Disqus import finds it by its thread's link).
-- Imported authors are accounts with status 'imported' (see docs/OPERATIONS.md): no password, an e-mail column
-- that is "imported:<sha256>" (not an address: no login, recovery or mail can reach it).
CREATE TABLE import_map (
  source         TEXT NOT NULL,
  external_id    TEXT NOT NULL,
  local_id       INTEGER NOT NULL,
  article_id     INTEGER,          -- comments: the article they belong to
  pending_parent TEXT,             -- comments whose parent came later in the file: the parent's external id
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (source, external_id)
);
CREATE INDEX import_map_pending ON import_map(source, pending_parent) WHERE pending_parent IS NOT NULL;
-- A comment renumbered to follow its parent (see src/imports/comment_batch.cpp) is found by its id.
CREATE INDEX import_map_local ON import_map(local_id, article_id);
