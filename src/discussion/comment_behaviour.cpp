// CommentService's side of the behaviour rules: the context a check needs, the event log written with each
// attempt, and what happens when a cluster of near-identical comments becomes a campaign.
#include "common/log.hpp"
#include "common/random.hpp"
#include "discussion/behaviour_log.hpp"
#include "discussion/discussion.hpp"

namespace tribune::discussion {

namespace behaviour = moderation::behaviour;

Result<CommentService::PostContext> CommentService::LoadContext(int64_t author_id, int64_t article_id,
                                                                std::optional<int64_t> parent_id) {
  PostContext c;
  bool found = false;
  TRIBUNE_TRY(CatchUpWindow());
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    auto article = s.Query(
        // Only an article readers see now (not a draft, unpublished or scheduled one: news::kNotOut).
        "SELECT title, lead, body FROM articles WHERE id = $1 AND published_at <= $2", {article_id, clock_.NowMicros()});
    if (!article.ok()) return std::move(article).error();
    if (article->empty()) return Ok{};
    found = true;
    auto tags = s.Query("SELECT tag FROM article_tags WHERE article_id = $1 ORDER BY position", {article_id});
    if (!tags.ok()) return std::move(tags).error();
    std::string joined;
    for (const auto& t : *tags) joined += (joined.empty() ? "" : " ") + t.Text(0);
    const auto& r = (*article)[0];
    c.article = moderation::ArticleContext(r.Text(0), joined, r.Text(1), r.Text(2));
    if (options_.monitor == nullptr) return Ok{};
    auto account = s.Query("SELECT created_at FROM accounts WHERE id = $1", {author_id});
    if (!account.ok()) return std::move(account).error();
    if (!account->empty()) c.attempt.account_created_us = (*account)[0].Int(0);
    if (parent_id) {
      auto parent = s.Query("SELECT author_id FROM comments WHERE id = $1 AND article_id = $2", {*parent_id, article_id});
      if (!parent.ok()) return std::move(parent).error();
      if (!parent->empty()) c.attempt.parent_author_id = (*parent)[0].Int(0);
    }
    return Ok{};
  }));
  if (!found) return MakeError(ErrorCode::kNotFound, "No such article.");
  c.attempt.account_id = author_id;
  c.attempt.article_id = article_id;
  c.attempt.time_us = clock_.NowMicros();
  return c;
}

moderation::Decision CommentService::Check(const std::string& body, const PostContext& context) {
  moderation::CheckInput in{body, context.attempt.article_id, context.attempt.account_id, options_.language,
                            context.article};
  if (options_.monitor != nullptr) in.attempt = &context.attempt;
  return engine_.Check(in);
}

Status CommentService::LogAttempt(storage::Session& s, int64_t event_id, std::optional<int64_t> comment_id,
                                  const moderation::Decision& decision) {
  if (options_.monitor == nullptr || !decision.observation) return Ok{};
  const int64_t now = decision.observation->attempt.time_us;
  TRIBUNE_TRY(AppendWindowEvent(s, options_.edition, event_id, comment_id, decision, now));
  if (options_.shared_window) {
    // Remember records it here after the commit: the catch-up must not record it a second time.
    std::lock_guard lock(own_mu_);
    if (own_events_.size() > 100'000) own_events_.clear();  // ids of writes that rolled back, never read back
    own_events_.insert(event_id);
  }
  const int64_t account = decision.observation->attempt.account_id;
  if (const double delta = behaviour::StandingChange(decision.action, RulesOf(decision)); delta != 0) {
    const double standing = std::max(0.0, options_.monitor->Standing(account, now) + delta);
    TRIBUNE_TRY(SaveStanding(s, options_.edition, account, standing, now));
  }
  // Now and then, drop the log rows that fell out of the window.
  if (posts_since_prune_.fetch_add(1, std::memory_order_relaxed) % 1024 == 1023) {
    TRIBUNE_TRY(PruneWindow(s, options_.edition, now - options_.monitor->options().window_us));
  }
  return Ok{};
}

void CommentService::StartSharedWindow(int64_t seq) {
  std::lock_guard lock(window_mu_);
  window_seq_ = seq;
}

Status CommentService::CatchUpWindow() {
  if (!options_.shared_window || options_.monitor == nullptr) return Ok{};
  // One catch-up at a time: two would record the same rows twice.
  std::lock_guard lock(window_mu_);
  for (;;) {
    auto rows = db_.Read(
        "SELECT seq, event_id, action, rules, observation FROM moderation_window"
        " WHERE edition = $1 AND seq > $2 ORDER BY seq LIMIT 1000",
        {options_.edition, window_seq_});
    if (!rows.ok()) return std::move(rows).error();
    for (const auto& r : *rows) {
      window_seq_ = r.Int(0);
      {
        std::lock_guard own(own_mu_);
        if (own_events_.erase(r.Int(1)) > 0) continue;
      }
      // Another server's attempt: its standing change applies here as it did there (replay = false);
      // what it means for that server's cluster, that server has acted on.
      if (!ApplyWindowRow(*options_.monitor, r.Int(1), r.Text(2), r.Text(3), r.Text(4), /*replay=*/false))
        log::Warn("behaviour: unreadable window row", "\"event_id\":\"" + std::to_string(r.Int(1)) + "\"");
    }
    if (rows->size() < 1000) return Ok{};
  }
}

void CommentService::Remember(int64_t event_id, const moderation::Decision& decision) {
  if (options_.monitor == nullptr || !decision.observation) return;
  const behaviour::Recorded r =
      options_.monitor->Record(event_id, *decision.observation, decision.action, RulesOf(decision));
  if (r.cluster_reached && !r.to_hold.empty()) HoldClusterMembers(r.to_hold, decision);
}

void CommentService::HoldClusterMembers(const std::vector<int64_t>& comment_ids,
                                        const moderation::Decision& decision) {
  // The finding the newest member was held with explains the others (without its spans: they point into
  // another text).
  std::vector<moderation::Finding> findings;
  for (const auto& f : decision.findings) {
    if (f.rule == "flash_mob") findings.push_back({f.rule, f.score, f.reason, {}, f.details});
  }
  if (findings.empty()) findings.push_back({"flash_mob", 0, "Part of a coordinated campaign.", {}, {}});
  const std::string findings_json = moderation::FindingsToJson(findings);
  const int64_t now = clock_.NowMicros();
  std::vector<int64_t> articles;
  std::vector<int64_t> held;  // parallel to articles
  // A member that a moderator already approved stays published; rejected attempts have no comment row.
  const Status st = db_.Write([&](storage::Session& s) -> Status {
    articles.clear();
    held.clear();
    for (int64_t id : comment_ids) {
      auto rows = s.Query(
          "SELECT article_id, author_id, body FROM comments WHERE id = $1 AND status = 'published' AND NOT EXISTS"
          " (SELECT 1 FROM moderation_decisions d WHERE d.comment_id = $1 AND d.kind = 'moderator')",
          {id});
      if (!rows.ok()) return std::move(rows).error();
      if (rows->empty()) continue;
      const int64_t article = (*rows)[0].Int(0);
      TRIBUNE_TRY(s.Exec("UPDATE comments SET status = 'pending' WHERE article_id = $1 AND id = $2", {article, id}));
      TRIBUNE_TRY(s.Exec("UPDATE articles SET comment_count = comment_count - 1 WHERE id = $1", {article}));
      TRIBUNE_TRY(s.Exec(
          "INSERT INTO moderation_decisions (id, comment_id, article_id, account_id, kind, action, engine,"
          " findings_json, text_sha256, created_at) VALUES ($1, $2, $3, $4, 'cluster', 'hold', $5, $6, $7, $8)",
          {ids_.Next(), id, article, (*rows)[0].Int(1), std::string(engine_.Name()), findings_json,
           Sha256Hex((*rows)[0].Text(2)), now}));
      articles.push_back(article);
      held.push_back(id);
    }
    return Ok{};
  });
  // The new comment is stored either way; a failed retroactive hold leaves the earlier members published
  // (logged; the moderator still sees every member in the cluster view, and later members are held).
  if (!st.ok()) {
    log::Error("cluster members not held", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
    return;
  }
  for (int64_t article : articles) BumpThreadVersion(article);
  for (size_t i = 0; i < held.size(); ++i) Notify(articles[i], held[i], CommentEvent::kRemoved);
}

}  // namespace tribune::discussion
