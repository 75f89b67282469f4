-- The header's data panels (issue 10 item 7): one row per panel, e.g. "covid-19" from `tribune panel import
-- jhu-csse DIR`. The latest totals, the date they are as of, and where they come from; `enabled` = 0 hides it.
CREATE TABLE panels (
  name       TEXT PRIMARY KEY,
  kind       TEXT NOT NULL,            -- "jhu-csse"
  confirmed  INTEGER NOT NULL,
  deaths     INTEGER NOT NULL,
  recovered  INTEGER NOT NULL,
  as_of      TEXT NOT NULL,            -- "2023-03-09" (the data's own date)
  source     TEXT NOT NULL,            -- "JHU CSSE"
  source_url TEXT NOT NULL,
  enabled    INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL          -- microseconds since the Unix epoch
);
