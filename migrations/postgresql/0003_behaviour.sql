-- PostgreSQL twin of migrations/sqlite/0003_behaviour.sql: the same tables, columns and indexes (migrations_test checks).
-- The behaviour rules' sliding window (flash_mob, flood, trolling): every attempt to post — published,
-- held or rejected — with what the monitor keeps of it, written in the same transaction as the comment or
-- the rejection. At start-up the window is replayed from here, so a restart loses nothing. Rows older
-- than the window are pruned.
-- moderation_decisions gains two kinds: 'cluster' (a published comment held when its cluster became a
-- flash mob) and 'moderator' (a moderator's approve/reject; engine holds "moderator:<account id>").
CREATE TABLE moderation_window (
  event_id    BIGINT PRIMARY KEY,        -- the comment id, or the id of the rejection's decision record
  edition     TEXT NOT NULL,
  comment_id  BIGINT,                    -- NULL for a rejected attempt
  action      TEXT NOT NULL,              -- publish | hold | reject
  rules       TEXT NOT NULL DEFAULT '',   -- the decision's rules, comma-separated
  observation TEXT NOT NULL,              -- behaviour::Observation, base64url
  created_at  BIGINT NOT NULL
);
CREATE INDEX moderation_window_time ON moderation_window(edition, created_at);

-- Each account's standing (the trolling prior) as of updated_at; it decays with a half-life from there.
CREATE TABLE account_standing (
  account_id BIGINT NOT NULL,
  edition    TEXT NOT NULL,
  standing   DOUBLE PRECISION NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, edition)
);

-- Moderators' decisions on whole flash-mob clusters (ids are the monitor's cluster ids: the event id of the
-- first member). An approved cluster is not flagged again while it lives in the window.
CREATE TABLE moderation_clusters (
  cluster_id BIGINT NOT NULL,
  edition    TEXT NOT NULL,
  action     TEXT NOT NULL,               -- approve | reject
  rule       TEXT NOT NULL DEFAULT '',
  decided_by BIGINT NOT NULL,
  members    BIGINT NOT NULL,            -- comments whose status changed
  decided_at BIGINT NOT NULL,
  PRIMARY KEY (cluster_id, edition, decided_at)
);
