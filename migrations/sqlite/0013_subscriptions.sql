-- E-mail subscriptions to the news (issue 10, "Subscribe"): an address subscribes to all news, a section or a tag
-- with double opt-in, and gets one daily digest of the new articles of its confirmed topics (notify/newsletter.hpp).

-- One row per address (normalised, lower case). language is the digests' language (en | fr | ru), taken from the
-- last topic confirmed. The next digest lists articles published after digest_since; digest_day is the UTC day
-- (YYYY-MM-DD) whose digest run last handled this address, set in the transaction that queues its mail, so a day's
-- digest goes out at most once whatever the number of servers or restarts.
CREATE TABLE newsletter_subscribers (
  id           INTEGER PRIMARY KEY,
  email        TEXT NOT NULL UNIQUE,
  language     TEXT NOT NULL DEFAULT 'en',
  created_at   INTEGER NOT NULL,
  digest_since INTEGER NOT NULL,
  digest_day   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX newsletter_subscribers_day ON newsletter_subscribers(digest_day, id);

-- What an address asked for: 'all', 'section:<slug>' or 'tag:<tag>'. confirmed_at is NULL until the link of the
-- confirmation mail is used; token_hash is the SHA-256 of that link's token (single use: token_used_at).
CREATE TABLE newsletter_topics (
  id               INTEGER PRIMARY KEY,
  subscriber_id    INTEGER NOT NULL REFERENCES newsletter_subscribers(id) ON DELETE CASCADE,
  topic            TEXT NOT NULL,
  language         TEXT NOT NULL DEFAULT 'en',
  created_at       INTEGER NOT NULL,
  confirmed_at     INTEGER,
  token_hash       TEXT NOT NULL UNIQUE,
  token_expires_at INTEGER NOT NULL,
  token_used_at    INTEGER,
  UNIQUE (subscriber_id, topic)
);
CREATE INDEX newsletter_topics_pending ON newsletter_topics(token_expires_at) WHERE confirmed_at IS NULL;
