-- Full-text search (issue 10): see migrations/sqlite/0009_search.sql. The stored terms are indexed by a generated
-- tsvector ('simple': no further stemming; weights A–D = title, tags, lead, body) under a GIN index. Generated
-- columns are derived data: the schema comparison and `tribune migrate` leave them out.
CREATE TABLE search_documents (
  article_id BIGINT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
  version    BIGINT NOT NULL,
  title      TEXT NOT NULL DEFAULT '',
  tags       TEXT NOT NULL DEFAULT '',
  lead       TEXT NOT NULL DEFAULT '',
  body       TEXT NOT NULL DEFAULT '',
  tsv        tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', tags), 'B') ||
    setweight(to_tsvector('simple', lead), 'C') || setweight(to_tsvector('simple', body), 'D')) STORED
);
CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv);
