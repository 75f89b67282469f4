-- Every reader listing filters on the edition and reads newest first. With the edition leading each index, the
-- planner walks one index range in order and stops after a page, instead of taking the (edition_id, slug)
-- unique index for the equality and sorting every article of the edition (47 ms a front page at 10,000 articles
-- on SQLite, which keeps no statistics until ANALYZE; see docs/PERFORMANCE.md, issue 10).
DROP INDEX articles_published;
DROP INDEX articles_section;
DROP INDEX articles_kind;
DROP INDEX articles_recommended;
CREATE INDEX articles_published ON articles(edition_id, published_at DESC, id DESC);
CREATE INDEX articles_section ON articles(edition_id, section, published_at DESC, id DESC);
-- "Multimedia" and "Recommended": small partial indexes, in the order the blocks show them. A query's
-- "kind IN ('gallery', 'video')" is the index's own condition; "recommended_until > now" implies NOT NULL.
CREATE INDEX articles_multimedia ON articles(edition_id, published_at DESC, id DESC) WHERE kind IN ('gallery', 'video');
CREATE INDEX articles_recommended ON articles(edition_id, published_at DESC, id DESC) WHERE recommended_until IS NOT NULL;
