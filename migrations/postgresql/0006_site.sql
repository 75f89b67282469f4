-- PostgreSQL twin of migrations/sqlite/0006_site.sql: the same tables, columns and indexes (migrations_test checks).
-- The reader site (issue 7): what the front page's blocks need from an article, and the view log that
-- "Trending" reads.

-- story | gallery | video: "Multimedia" lists galleries and videos.
ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'story';
-- The author's name as printed under the headline.
ALTER TABLE articles ADD COLUMN byline TEXT NOT NULL DEFAULT '';
-- Editors' pick until this time (unix micros); NULL: not recommended.
ALTER TABLE articles ADD COLUMN recommended_until BIGINT;
CREATE INDEX articles_recommended ON articles(recommended_until) WHERE recommended_until IS NOT NULL;
CREATE INDEX articles_kind ON articles(kind, published_at DESC, id DESC) WHERE kind <> 'story';

-- Page views per article and hour (hour = unix micros / 3,600,000,000), flushed in batches by ArticleService.
CREATE TABLE article_view_hours (
  article_id BIGINT NOT NULL,
  hour       BIGINT NOT NULL,
  views      BIGINT NOT NULL,
  PRIMARY KEY (hour, article_id)
);
