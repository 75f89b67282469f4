-- Notifications (issue 8): Web Push subscriptions and their durable outbox, readers' e-mail notice choices, the
-- replies waiting for a daily digest.

-- One row per browser push subscription (the push service's endpoint URL is its identity). account_id is NULL
-- for an anonymous reader's subscription (breaking news, followed articles). Keys are base64url as the Push
-- API gives them; origin is the endpoint's scheme://host[:port] (the VAPID audience, and the unit of the
-- per-service concurrency cap).
CREATE TABLE push_subscriptions (
  id              INTEGER PRIMARY KEY,
  endpoint        TEXT NOT NULL UNIQUE,
  origin          TEXT NOT NULL,
  p256dh          TEXT NOT NULL,
  auth            TEXT NOT NULL,
  account_id      INTEGER,
  language        TEXT NOT NULL DEFAULT 'en',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_success_at INTEGER
);
CREATE INDEX push_subscriptions_account ON push_subscriptions(account_id);

-- What a subscription wants: 'replies' (replies to the account's comments), 'breaking:<language>',
-- 'article:<id>' (new comments on a followed article).
CREATE TABLE push_topics (
  topic           TEXT NOT NULL,
  subscription_id INTEGER NOT NULL,
  PRIMARY KEY (topic, subscription_id)
) WITHOUT ROWID;
CREATE INDEX push_topics_subscription ON push_topics(subscription_id);

-- A message is stored once, in the transaction of the change that causes it; message_key de-duplicates
-- (the same key is queued once). payload is the JSON the service worker shows.
CREATE TABLE push_messages (
  id          INTEGER PRIMARY KEY,
  message_key TEXT NOT NULL UNIQUE,
  payload     TEXT NOT NULL,
  ttl_seconds INTEGER NOT NULL,
  urgency     TEXT NOT NULL,              -- very-low | low | normal | high (RFC 8030 5.3)
  topic       TEXT NOT NULL DEFAULT '',   -- RFC 8030 5.4: replaces an undelivered message of the same topic
  recipients  INTEGER NOT NULL DEFAULT 0,
  delivered   INTEGER NOT NULL DEFAULT 0,
  expired     INTEGER NOT NULL DEFAULT 0, -- the push service answered 404/410: the subscription is gone
  failed      INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);

-- One row per message and subscription until it is delivered (then deleted and counted in push_messages).
CREATE TABLE push_deliveries (
  id              INTEGER PRIMARY KEY,
  message_id      INTEGER NOT NULL,
  subscription_id INTEGER NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  UNIQUE (message_id, subscription_id)
);
CREATE INDEX push_deliveries_due ON push_deliveries(state, next_attempt_at);
CREATE INDEX push_deliveries_subscription ON push_deliveries(subscription_id);

-- A reader's e-mail notice choice for replies to their comments: off (the default: opt-in), immediate, daily.
CREATE TABLE notification_prefs (
  account_id    INTEGER PRIMARY KEY,
  email_replies TEXT NOT NULL DEFAULT 'off',
  updated_at    INTEGER NOT NULL
);

-- Replies waiting for their reader's daily digest.
CREATE TABLE reply_digest_items (
  account_id INTEGER NOT NULL,
  comment_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, comment_id)
) WITHOUT ROWID;
