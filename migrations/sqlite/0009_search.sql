-- Full-text search (issue 10). search_documents holds each article's index terms per field (src/news/search.hpp:
-- folded, stemmed for the article's language, separated by spaces) — the same text on both backends. SQLite
-- indexes it with FTS5 (external content: the terms are stored once, here); PostgreSQL with a generated tsvector.
-- version: the tokenizer that wrote the row (older rows are rewritten at start-up); -1: the article was removed.
CREATE TABLE search_documents (
  article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
  version    INTEGER NOT NULL,
  title      TEXT NOT NULL DEFAULT '',
  tags       TEXT NOT NULL DEFAULT '',
  lead       TEXT NOT NULL DEFAULT '',
  body       TEXT NOT NULL DEFAULT ''
);
-- The ascii tokenizer splits at ASCII spaces and punctuation only: the stored terms (letters, digits, marks)
-- come out exactly as they were written. Kept in step by SearchIndex (never by triggers), derived data that
-- `tribune migrate` leaves out (the target rebuilds it from search_documents). prefix '3 4': prefix queries of
-- 3 and 4 letters read one precomputed list instead of every term that starts with them.
CREATE VIRTUAL TABLE search_fts USING fts5(title, tags, lead, body, content = 'search_documents',
  content_rowid = 'article_id', tokenize = 'ascii', prefix = '3 4');
