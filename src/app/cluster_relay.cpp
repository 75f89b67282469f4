#include "app/cluster_relay.hpp"

#include <charconv>

#include "common/log.hpp"

namespace tribune::app {

namespace {

bool ParseInt(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

}  // namespace

std::string ClusterRelay::Encode(const discussion::CommentEvent& e) {
  return std::to_string(e.article_id) + "," + std::to_string(e.comment_id) + "," +
         (e.kind == discussion::CommentEvent::kRemoved ? "removed" : "visible");
}

std::optional<discussion::CommentEvent> ClusterRelay::Decode(const std::string& payload) {
  const auto a = payload.find(','), b = payload.find(',', a == std::string::npos ? a : a + 1);
  if (a == std::string::npos || b == std::string::npos) return std::nullopt;
  discussion::CommentEvent e;
  if (!ParseInt(std::string_view(payload).substr(0, a), e.article_id) ||
      !ParseInt(std::string_view(payload).substr(a + 1, b - a - 1), e.comment_id))
    return std::nullopt;
  const std::string_view kind = std::string_view(payload).substr(b + 1);
  if (kind == "visible") e.kind = discussion::CommentEvent::kVisible;
  else if (kind == "removed") e.kind = discussion::CommentEvent::kRemoved;
  else return std::nullopt;
  return e;
}

Status ClusterRelay::Start() {
  // Events sent while this server's LISTEN connection was down are lost: every cached page may be stale.
  db_.OnListenReconnect([this] {
    comments_.BumpAllThreadVersions();
    if (articles_ != nullptr) articles_->NoteActivity();
  });
  TRIBUNE_TRY(db_.Listen(kCommentsChannel, [this](const std::string& payload) {
    if (auto e = Decode(payload)) Deliver(*e);
  }));
  TRIBUNE_TRY(db_.Listen(kArticlesChannel, [this](const std::string& payload) {
    int64_t id = 0;
    if (ParseInt(payload, id)) DeliverArticle(id);
  }));
  if (accounts_ != nullptr) {
    TRIBUNE_TRY(db_.Listen(accounts::kPolicyChannel, [this](const std::string& payload) {
      int64_t version = 0;
      if (ParseInt(payload, version)) accounts_->NotePolicyVersion(version);
    }));
  }
  return Ok{};
}

void ClusterRelay::Publish(const discussion::CommentEvent& event) {
  // This server's Trending counts the comment at once, not when its own notification comes back (a reader's next
  // page could come first).
  if (articles_ != nullptr) articles_->NoteActivity();
  if (Status st = db_.Notify(kCommentsChannel, Encode(event)); !st.ok()) {
    // The other servers miss this one; this server's readers need not.
    log::Warn("cluster: notify failed", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
    Deliver(event);
  }
}

void ClusterRelay::ArticleChanged(int64_t article_id) {
  if (Status st = db_.Notify(kArticlesChannel, std::to_string(article_id)); !st.ok()) {
    log::Warn("cluster: notify failed", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
    DeliverArticle(article_id);
  }
}

void ClusterRelay::DeliverArticle(int64_t article_id) {
  comments_.BumpThreadVersion(article_id);
  if (articles_ != nullptr) articles_->NoteActivity();
}

void ClusterRelay::Deliver(const discussion::CommentEvent& event) {
  // The server that made the change bumped the version already; a second bump only costs a cache miss.
  comments_.BumpThreadVersion(event.article_id);
  if (live_ != nullptr) live_->Publish(event);
  if (articles_ != nullptr) articles_->NoteActivity();
}

}  // namespace tribune::app
