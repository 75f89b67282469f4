-- The account lifecycle (issue 5): the mail outbox, single-use tokens, captcha replay protection,
-- privacy-policy versions and the consent log, deletion/restore/purge, social login, avatars.

-- Every mail, written in the same transaction as the change that causes it; a worker sends it.
-- message_id is the de-duplication key: the same key is queued and sent once.
CREATE TABLE mail_outbox (
  id              INTEGER PRIMARY KEY,
  message_id      TEXT NOT NULL UNIQUE,     -- "<...@domain>" as in the Message-ID header
  account_id      INTEGER,                  -- whose personal data the mail holds (purge erases it)
  kind            TEXT NOT NULL,            -- the template: confirm_account, password_reset, ...
  recipient       TEXT NOT NULL,
  message         TEXT NOT NULL,            -- the rendered RFC 5322 message, CRLF line ends
  state           TEXT NOT NULL DEFAULT 'pending',  -- pending | sending | sent | failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at);
CREATE INDEX mail_outbox_account ON mail_outbox(account_id);

-- Single-use tokens carried by links in mails. Only the SHA-256 of the token is stored.
CREATE TABLE account_tokens (
  token_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL,
  purpose    TEXT NOT NULL,                 -- confirm | reset | restore
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX account_tokens_account ON account_tokens(account_id, purpose);

-- ALTCHA signatures already used, stored in the transaction of the action they protected; kept until
-- the challenge would have expired anyway.
CREATE TABLE captcha_used (
  signature  TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);

-- Published privacy-policy versions. Version 1 is the one shipped; admins publish newer ones.
CREATE TABLE privacy_policies (
  version      INTEGER PRIMARY KEY,
  text         TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  published_by INTEGER
);

-- Who agreed to what, when and how. Append-only: the triggers refuse changes and deletions.
CREATE TABLE consent_log (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  document   TEXT NOT NULL,                 -- privacy_policy | community_standards
  version    INTEGER NOT NULL,
  method     TEXT NOT NULL,                 -- registration | prompt | social_registration
  created_at INTEGER NOT NULL
);
CREATE INDEX consent_log_account ON consent_log(account_id, id);
CREATE TRIGGER consent_log_no_update BEFORE UPDATE ON consent_log
  BEGIN SELECT RAISE(ABORT, 'consent_log is append-only'); END;
CREATE TRIGGER consent_log_no_delete BEFORE DELETE ON consent_log
  BEGIN SELECT RAISE(ABORT, 'consent_log is append-only'); END;

-- Accounts erased after their 30 days: `tribune purge --reapply` erases them again after a backup is restored.
CREATE TABLE purged_accounts (
  account_id INTEGER PRIMARY KEY,
  purged_at  INTEGER NOT NULL
);

-- A comment hidden with its author's account keeps its previous status here, to come back on restore.
ALTER TABLE comments ADD COLUMN hidden_status TEXT;
-- The language of the account's mails (en, fr, ru).
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE accounts ADD COLUMN password_changed_at INTEGER;
ALTER TABLE accounts ADD COLUMN has_avatar INTEGER NOT NULL DEFAULT 0;
-- The status a deleted account had, to come back on restore; 'purged' accounts keep no personal data.
ALTER TABLE accounts ADD COLUMN status_before_delete TEXT;

-- Social login (OpenID Connect): an identity at a provider belongs to one account.
CREATE TABLE social_identities (
  provider   TEXT NOT NULL,
  subject    TEXT NOT NULL,
  account_id INTEGER NOT NULL,
  email      TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  PRIMARY KEY (provider, subject)
);
CREATE INDEX social_identities_account ON social_identities(account_id);

-- A login in flight at a provider: the state parameter's hash, the PKCE verifier and the nonce. Single use,
-- minutes long.
CREATE TABLE social_logins (
  state_hash    TEXT PRIMARY KEY,
  provider      TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  nonce         TEXT NOT NULL,
  return_to     TEXT NOT NULL DEFAULT '/',
  expires_at    INTEGER NOT NULL
);

-- A verified identity with no account yet, waiting for the reader to accept the standards and the policy.
CREATE TABLE social_signups (
  ticket_hash  TEXT PRIMARY KEY,
  provider     TEXT NOT NULL,
  subject      TEXT NOT NULL,
  email        TEXT NOT NULL,
  email_verified INTEGER NOT NULL,
  display_name TEXT NOT NULL,
  return_to    TEXT NOT NULL DEFAULT '/',
  expires_at   INTEGER NOT NULL
);

-- Avatars, re-encoded on upload (WebP, square); base64 so both SQL dialects store them alike.
CREATE TABLE avatars (
  account_id   INTEGER PRIMARY KEY,
  content_type TEXT NOT NULL,
  image_b64    TEXT NOT NULL,
  etag         TEXT NOT NULL,
  updated_at   INTEGER NOT NULL
);
