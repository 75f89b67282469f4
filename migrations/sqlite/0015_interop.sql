-- The engine as a service (issue 11, INTEROP.md): API keys of the Perspective-compatible endpoints, the record of
-- each Coral external-phase decision, and the labelled examples (suggestscore, Coral's later decisions) that teach
-- the engine's learned model.

-- An API key is stored as the SHA-256 (hex) of the key; `prefix` (its first characters) names it in listings.
-- `edition` picks the policy's per-edition overrides; `qps` is the key's quota in requests per second on each
-- server (0: unlimited). revoked_at set: refused from then on.
CREATE TABLE api_keys (
  id         INTEGER PRIMARY KEY,
  key_hash   TEXT NOT NULL UNIQUE,
  prefix     TEXT NOT NULL,
  label      TEXT NOT NULL DEFAULT '',
  edition    TEXT NOT NULL,
  qps        REAL NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

-- One row per Coral external-phase request answered with the engine's decision. Coral sends no comment id, so
-- record_key is the SHA-256 (hex) of tenant, story, author and body (INTEROP.md §2.2); body_hash is the SHA-256 of
-- the raw request bytes (replays). `answer` is what Coral was told: the JSON, or '' for a 204 (no decision, or
-- the decision came after the phase's deadline); `coral_status` says the same in one word: '' (204), 'FLAG'
-- (actions only), 'APPROVED', 'SYSTEM_WITHHELD' or 'REJECTED'. `text` is the text judged (the comment body as
-- plain text), kept so that a moderator's later decision in Coral (webhooks) can teach the model;
-- coral_comment_id is filled in when a webhook names the comment this decision was about.
CREATE TABLE interop_decisions (
  id               INTEGER PRIMARY KEY,
  record_key       TEXT NOT NULL,
  body_hash        TEXT NOT NULL,
  tenant_id        TEXT NOT NULL,
  story_id         TEXT NOT NULL,
  author_id        TEXT NOT NULL,
  edition          TEXT NOT NULL,
  action           TEXT NOT NULL,
  findings_json    TEXT NOT NULL,
  answer           TEXT NOT NULL,
  coral_status     TEXT NOT NULL DEFAULT '',
  text             TEXT NOT NULL,
  coral_comment_id TEXT,
  created_at       INTEGER NOT NULL
);
CREATE INDEX interop_decisions_record ON interop_decisions(record_key, created_at);
CREATE INDEX interop_decisions_story ON interop_decisions(tenant_id, story_id, created_at);
CREATE UNIQUE INDEX interop_decisions_comment ON interop_decisions(tenant_id, coral_comment_id);

-- Labelled examples from foreign clients: `label` is "ok" or a rule id; `source` is 'suggestscore' or 'coral';
-- `reference` the client's token or Coral's comment id. The model keeper learns them like moderators' decisions.
CREATE TABLE interop_feedback (
  id         INTEGER PRIMARY KEY,
  edition    TEXT NOT NULL,
  source     TEXT NOT NULL,
  label      TEXT NOT NULL,
  text       TEXT NOT NULL,
  reference  TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX interop_feedback_created ON interop_feedback(edition, created_at, id);
