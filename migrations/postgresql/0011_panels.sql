-- PostgreSQL twin of migrations/sqlite/0011_panels.sql: the same table and columns (migrations_test checks).
CREATE TABLE panels (
  name       TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,
  confirmed  BIGINT NOT NULL,
  deaths     BIGINT NOT NULL,
  recovered  BIGINT NOT NULL,
  as_of      TEXT NOT NULL,
  source     TEXT NOT NULL,
  source_url TEXT NOT NULL,
  enabled    BIGINT NOT NULL DEFAULT 1,
  updated_at BIGINT NOT NULL
);
