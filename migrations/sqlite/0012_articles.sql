-- Articles, complete (issue 10): drafts, schedules and unpublishing, inline related items, short codes that are
-- never reused, and uploaded images in responsive sizes.

-- draft | published | unpublished ("scheduled" is a published article whose published_at is still ahead).
ALTER TABLE articles ADD COLUMN status TEXT NOT NULL DEFAULT 'published';
-- The publish time an article that is not out (draft, unpublished) takes when it is published; NULL: the moment
-- it is. While an article is not out its published_at holds 9223372036854775807, so every reader query's
-- "published_at <= now" leaves it out without knowing about statuses.
ALTER TABLE articles ADD COLUMN planned_at INTEGER;
CREATE INDEX articles_status ON articles(status, updated_at DESC, id DESC) WHERE status <> 'published';

-- The related articles shown as cards inside the body, in order.
CREATE TABLE article_related (
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  position   INTEGER NOT NULL,
  related_id INTEGER NOT NULL,
  PRIMARY KEY (article_id, position)
);

-- Every short code ever issued (made on an article's first publish). Rows are never deleted, so a code is
-- never issued twice, whatever happens to its article. Drafts hold "~<id>" in articles.short_code instead.
CREATE TABLE short_codes (
  code       TEXT PRIMARY KEY,
  article_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO short_codes (code, article_id, created_at) SELECT short_code, id, created_at FROM articles;

-- Uploaded images: the decoded size of the original (never kept), and its re-encoded variants
-- (base64url bytes, so every server behind one database serves them).
CREATE TABLE images (
  id          INTEGER PRIMARY KEY,
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  uploaded_by INTEGER,
  created_at  INTEGER NOT NULL
);
CREATE TABLE image_variants (
  image_id     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  width        INTEGER NOT NULL,
  format       TEXT NOT NULL,          -- webp | jpg
  height       INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  bytes_b64    TEXT NOT NULL,
  etag         TEXT NOT NULL,
  PRIMARY KEY (image_id, width, format)
);
