-- Several servers on one database (issue 9; on SQLite, which one server owns, these stay unused).
--
-- moderation_window.seq: the order in which window events committed (PostgreSQL fills it from an identity
-- while the writer holds the cluster-wide write lock, so it never goes back). Each server reads the events
-- the others logged after the last seq it saw, before it checks a post: flash_mob, flood and trolling see
-- the whole site's traffic. SQLite leaves it NULL.
ALTER TABLE moderation_window ADD COLUMN seq INTEGER;
CREATE INDEX moderation_window_seq ON moderation_window(edition, seq);

-- Sliding-window limits shared by every server (login failures per account and per address, push
-- subscriptions per address): one row per counted event, in the bucket it counts against.
CREATE TABLE rate_events (
  id     INTEGER PRIMARY KEY,
  bucket TEXT NOT NULL,          -- e.g. "login:account:<email>", "login:address:<ip>", "push:<ip or /64>"
  at     INTEGER NOT NULL        -- microseconds since the Unix epoch
);
CREATE INDEX rate_events_bucket ON rate_events(bucket, at);
CREATE INDEX rate_events_at ON rate_events(at);
