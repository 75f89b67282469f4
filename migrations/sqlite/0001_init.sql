-- Tribune schema, version 1: editions, accounts, sessions, articles, comments with history,
-- and the moderation decision record. Times are microseconds since the Unix epoch (UTC).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE editions (
  id         TEXT PRIMARY KEY,          -- "en", "de", ...
  name       TEXT NOT NULL,
  language   TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE accounts (
  id            INTEGER PRIMARY KEY,    -- from IdGenerator, not sequential
  email         TEXT NOT NULL UNIQUE,   -- normalised
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'active',   -- active | unconfirmed | blocked | deleted
  consent_version INTEGER NOT NULL DEFAULT 0,
  terms_accepted_at INTEGER,
  confirmed_at  INTEGER,
  created_at    INTEGER NOT NULL,
  deleted_at    INTEGER
);

CREATE TABLE account_roles (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  role       TEXT NOT NULL,             -- reader | moderator | editor | admin
  PRIMARY KEY (account_id, role)
);

CREATE TABLE sessions (
  id_hash      TEXT PRIMARY KEY,        -- SHA-256 of the cookie value; the value itself is never stored
  account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  csrf_token   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,        -- absolute expiry
  user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE api_tokens (
  token_hash  TEXT PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  label       TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);

CREATE TABLE articles (
  id            INTEGER PRIMARY KEY,
  edition_id    TEXT NOT NULL REFERENCES editions(id),
  slug          TEXT NOT NULL,
  title         TEXT NOT NULL,
  lead          TEXT NOT NULL DEFAULT '',
  body          TEXT NOT NULL DEFAULT '',
  section       TEXT NOT NULL DEFAULT '',
  image_url     TEXT NOT NULL DEFAULT '',
  image_caption TEXT NOT NULL DEFAULT '',
  image_credit  TEXT NOT NULL DEFAULT '',
  language      TEXT NOT NULL,
  author_id     INTEGER REFERENCES accounts(id),
  short_code    TEXT NOT NULL UNIQUE,
  published_at  INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  views         INTEGER NOT NULL DEFAULT 0,
  comment_count INTEGER NOT NULL DEFAULT 0,   -- published comments
  UNIQUE (edition_id, slug)
);
CREATE INDEX articles_published ON articles(published_at DESC, id DESC);
CREATE INDEX articles_section ON articles(section, published_at DESC, id DESC);

CREATE TABLE article_tags (
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  tag        TEXT NOT NULL,
  position   INTEGER NOT NULL,
  PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_tag ON article_tags(tag, article_id);

-- Clustered on (article_id, id): one thread's page is one contiguous b-tree range.
CREATE TABLE comments (
  article_id  INTEGER NOT NULL,
  id          INTEGER NOT NULL,
  parent_id   INTEGER,
  author_id   INTEGER NOT NULL,
  body        TEXT NOT NULL,
  body_html   TEXT NOT NULL,
  status      TEXT NOT NULL,            -- published | pending | rejected | deleted
  reply_count INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  edited_at   INTEGER,
  edited_by   INTEGER,
  deleted_at  INTEGER,
  PRIMARY KEY (article_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX comments_id ON comments(id);
CREATE INDEX comments_top ON comments(article_id, reply_count DESC, id);
CREATE INDEX comments_author ON comments(author_id, id);

CREATE TABLE comment_revisions (
  comment_id INTEGER NOT NULL,
  revision   INTEGER NOT NULL,          -- 1 is the first text
  body       TEXT NOT NULL,
  edited_by  INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (comment_id, revision)
);

-- Every decision of the community-standards engine, including rejections of texts that were
-- never stored as comments.
CREATE TABLE moderation_decisions (
  id            INTEGER PRIMARY KEY,
  comment_id    INTEGER,
  article_id    INTEGER,
  account_id    INTEGER,
  kind          TEXT NOT NULL,          -- post | edit
  action        TEXT NOT NULL,          -- publish | hold | reject
  engine        TEXT NOT NULL,
  findings_json TEXT NOT NULL,
  text_sha256   TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX moderation_decisions_comment ON moderation_decisions(comment_id);
CREATE INDEX moderation_decisions_account ON moderation_decisions(account_id, id);
