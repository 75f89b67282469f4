-- PostgreSQL twin of migrations/sqlite/0010_imports.sql: the same tables, columns and indexes (migrations_test checks).
-- Imports (issue 10): what `tribune import rss|disqus|wxr` brought in, so that a second run (or a run resumed
-- after a crash) imports nothing twice. One row per imported record: (source, external id) → the local row.
CREATE TABLE import_map (
  source         TEXT NOT NULL,
  external_id    TEXT NOT NULL,
  local_id       BIGINT NOT NULL,
  article_id     BIGINT,
  pending_parent TEXT,
  created_at     BIGINT NOT NULL,
  PRIMARY KEY (source, external_id)
);
CREATE INDEX import_map_pending ON import_map(source, pending_parent) WHERE pending_parent IS NOT NULL;
-- A comment renumbered to follow its parent (see src/imports/comment_batch.cpp) is found by its id.
CREATE INDEX import_map_local ON import_map(local_id, article_id);
