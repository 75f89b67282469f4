-- PostgreSQL twin of migrations/sqlite/0002_learning.sql: the same tables, columns and indexes (migrations_test checks).
-- Tribune schema, version 2: the per-edition online models learned from moderators' decisions
-- (src/moderation/learned/online_model.hpp; `tribune model train`, src/app/model_store.hpp).

CREATE TABLE learned_models (
  edition    TEXT PRIMARY KEY,          -- "en", ... (no foreign key: a model may be trained before the edition exists)
  model      TEXT NOT NULL,             -- OnlineModel::Serialize() bytes, base64url without padding
  examples   BIGINT NOT NULL,          -- training examples so far (OnlineStats::updates)
  updated_at BIGINT NOT NULL           -- microseconds since the Unix epoch (UTC)
);
