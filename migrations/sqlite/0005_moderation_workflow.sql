-- The moderation workflow (issue 6): reader reports, blocks and appeals, and the append-only audit log of every
-- moderator action.

-- One report per reader per comment. A comment whose distinct open reports reach the configured number enters
-- the queue in state "reported" (comments.reported_at); a moderator's decision resolves its reports.
CREATE TABLE comment_reports (
  id          INTEGER PRIMARY KEY,
  comment_id  INTEGER NOT NULL,
  article_id  INTEGER NOT NULL,
  reporter_id INTEGER NOT NULL,
  rule        TEXT NOT NULL,
  note        TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  resolved_at INTEGER,
  UNIQUE (comment_id, reporter_id)
);
CREATE INDEX comment_reports_reporter ON comment_reports(reporter_id, created_at);
ALTER TABLE comments ADD COLUMN report_count INTEGER NOT NULL DEFAULT 0;  -- distinct open reports
ALTER TABLE comments ADD COLUMN reported_at INTEGER;                      -- in the "reported" queue since
-- The queue pages by (status, id) and (reported_at, id): oldest first, one index range each.
CREATE INDEX comments_status_queue ON comments(status, id);
CREATE INDEX comments_reported_queue ON comments(reported_at, id) WHERE reported_at IS NOT NULL;
-- The author's history in each queue item (comments, of them rejected) is an index-only count.
CREATE INDEX comments_author_status ON comments(author_id, status);

-- Sanctions. number 1 may be lifted (by a moderator or a restored appeal); number 2 is final.
CREATE TABLE account_blocks (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  number     INTEGER NOT NULL,              -- 1, 2, ...: this account's nth block
  rule       TEXT NOT NULL,
  note       TEXT NOT NULL DEFAULT '',
  final      INTEGER NOT NULL,
  blocked_by INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  lifted_at  INTEGER,
  lifted_by  INTEGER,
  lift_note  TEXT NOT NULL DEFAULT '',
  UNIQUE (account_id, number)
);

-- A blocked reader's letter: one open appeal at a time.
CREATE TABLE appeals (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  block_id    INTEGER NOT NULL,
  subject     TEXT NOT NULL,
  explanation TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'open',  -- open | restored | denied
  created_at  INTEGER NOT NULL,
  decided_at  INTEGER,
  decided_by  INTEGER,
  note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX appeals_state ON appeals(state, id);
CREATE INDEX appeals_account ON appeals(account_id, id);

-- Every moderator action: who, when, what, before and after. Nobody edits it: the triggers refuse.
CREATE TABLE moderation_audit (
  id          INTEGER PRIMARY KEY,
  actor_id    INTEGER NOT NULL,
  action      TEXT NOT NULL,                  -- comment.approve, comment.reject, comment.edit, account.block, ...
  target_type TEXT NOT NULL,                  -- comment | account | appeal | cluster
  target_id   INTEGER NOT NULL,
  before_json TEXT NOT NULL DEFAULT '{}',
  after_json  TEXT NOT NULL DEFAULT '{}',
  note        TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);
CREATE INDEX moderation_audit_target ON moderation_audit(target_type, target_id, id);
CREATE TRIGGER moderation_audit_no_update BEFORE UPDATE ON moderation_audit
  BEGIN SELECT RAISE(ABORT, 'moderation_audit is append-only'); END;
CREATE TRIGGER moderation_audit_no_delete BEFORE DELETE ON moderation_audit
  BEGIN SELECT RAISE(ABORT, 'moderation_audit is append-only'); END;
