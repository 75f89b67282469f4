#include "app/model_keeper.hpp"

#include <boost/json.hpp>

#include <charconv>

#include "app/model_store.hpp"
#include "common/log.hpp"

namespace tribune::app {

namespace {

// The rule of a moderator's rejection, from its decision record's findings ([{"rule": ...}]).
std::string RuleOf(const std::string& findings_json) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(findings_json, ec);
  if (ec || !v.is_array() || v.as_array().empty() || !v.as_array()[0].is_object()) return "";
  const auto* rule = v.as_array()[0].as_object().if_contains("rule");
  return rule != nullptr && rule->is_string() ? std::string(rule->as_string()) : "";
}

}  // namespace

ModelKeeper::ModelKeeper(storage::Database& db, const Clock& clock, std::string edition, int save_every,
                         std::shared_ptr<moderation::learned::OnlineModel> model)
    : db_(db), clock_(clock), edition_(std::move(edition)), save_every_(std::max(save_every, 1)),
      model_(std::move(model)) {}

Result<std::unique_ptr<ModelKeeper>> ModelKeeper::Open(storage::Database& db, const Clock& clock,
                                                       std::string edition, int save_every) {
  auto model = LoadModel(db, edition);
  if (!model.ok()) return std::move(model).error();
  std::unique_ptr<ModelKeeper> keeper(new ModelKeeper(db, clock, std::move(edition), save_every, std::move(model).value()));
  TRIBUNE_TRY(keeper->CatchUp());
  return keeper;
}

ModelKeeper::~ModelKeeper() { (void)Flush(); }

Status ModelKeeper::CatchUp() {
  auto stored = db_.Read("SELECT updated_at FROM learned_models WHERE edition = $1", {edition_});
  if (!stored.ok()) return std::move(stored).error();
  const int64_t since = stored->empty() ? 0 : (*stored)[0].Int(0);
  // Moderators' decisions on this edition's comments after the stored copy, in the order they were made.
  auto rows = db_.Read(
      "SELECT c.body, d.action, d.findings_json FROM moderation_decisions d"
      " JOIN comments c ON c.id = d.comment_id JOIN articles a ON a.id = c.article_id"
      " WHERE d.kind = 'moderator' AND d.created_at > $1 AND a.edition_id = $2 ORDER BY d.created_at, d.id",
      {since, edition_});
  if (!rows.ok()) return std::move(rows).error();
  for (const auto& r : *rows) {
    const std::string label = r.Text(1) == "approve" ? "ok" : RuleOf(r.Text(2));
    if (label.empty() || label == "flash_mob" || label == "flood") continue;
    model_->Update(r.Text(0), label, clock_.NowMicros());
    ++caught_up_;
  }
  // Then the foreign clients' labelled examples after the stored copy, in the order they came (after the
  // moderators' decisions rather than merged with them: the naive Bayes counts do not depend on the order).
  // Every edition's: the interop engines of all editions share this model (app/interop_services.cpp).
  auto examples = db_.Read(
      "SELECT text, label FROM interop_feedback WHERE created_at > $1 ORDER BY created_at, id", {since});
  if (!examples.ok()) return std::move(examples).error();
  for (const auto& r : *examples) {
    const std::string& label = r.Text(1);
    if (label.empty() || label == "flash_mob" || label == "flood") continue;
    model_->Update(r.Text(0), label, clock_.NowMicros());
    ++caught_up_;
  }
  if (caught_up_ > 0) return SaveModel(db_, edition_, *model_, clock_.NowMicros());
  return Ok{};
}

void ModelKeeper::Learn(int64_t comment_id, const std::string& text, const std::string& label) {
  if (shared_) {
    // "<edition>,<comment>,<label>": every server learns it from the comment as stored.
    if (db_.Notify(kLearnChannel, edition_ + "," + std::to_string(comment_id) + "," + label).ok()) return;
    log::Warn("model: notify failed; learning on this server only");
  }
  LearnHere(text, label);
}

void ModelKeeper::LearnExample(int64_t feedback_id, const std::string& text, const std::string& label) {
  if (shared_) {
    if (db_.Notify(kLearnChannel, edition_ + ",f" + std::to_string(feedback_id) + "," + label).ok()) return;
    log::Warn("model: notify failed; learning on this server only");
  }
  LearnHere(text, label);
}

Status ModelKeeper::Share() {
  TRIBUNE_TRY(db_.Listen(kLearnChannel, [this](const std::string& payload) { Heard(payload); }));
  shared_ = true;
  return Ok{};
}

bool ModelKeeper::Drain(std::chrono::milliseconds timeout) {
  if (!shared_) return true;
  std::string marker = edition_ + ",sync," + std::to_string(clock_.NowMicros()) + "-" +
                       std::to_string(reinterpret_cast<uintptr_t>(this));
  {
    std::lock_guard lock(mu_);
    drain_marker_ = marker;
    drained_ = false;
  }
  if (!db_.Notify(kLearnChannel, marker).ok()) return false;
  std::unique_lock lock(mu_);
  return drained_cv_.wait_for(lock, timeout, [this] { return drained_; });
}

void ModelKeeper::Heard(const std::string& payload) {
  {
    std::lock_guard lock(mu_);
    if (!drain_marker_.empty() && payload == drain_marker_) {
      drained_ = true;
      drained_cv_.notify_all();
      return;
    }
  }
  const auto a = payload.find(','), b = payload.rfind(',');
  if (a == std::string::npos || b <= a || payload.compare(0, a, edition_) != 0) return;
  int64_t comment_id = 0;
  std::string id = payload.substr(a + 1, b - a - 1);
  const std::string label = payload.substr(b + 1);
  // "f<id>": a labelled example of interop_feedback (LearnExample), else a comment id.
  const bool example = !id.empty() && id[0] == 'f';
  if (example) id.erase(0, 1);
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), comment_id);
  if (ec != std::errc() || p != id.data() + id.size() || label.empty()) return;
  auto rows = example ? db_.Read("SELECT text FROM interop_feedback WHERE id = $1", {comment_id})
                      : db_.Read("SELECT body FROM comments WHERE id = $1", {comment_id});
  if (!rows.ok() || rows->empty()) return;  // gone meanwhile (purged): nothing to learn
  LearnHere((*rows)[0].Text(0), label);
}

void ModelKeeper::LearnHere(const std::string& text, const std::string& label) {
  model_->Update(text, label, clock_.NowMicros());
  std::lock_guard lock(mu_);
  if (++unsaved_ >= save_every_) {
    // A failed save is retried with the next decision, and the decisions are in the database anyway.
    if (SaveModel(db_, edition_, *model_, clock_.NowMicros()).ok()) unsaved_ = 0;
  }
}

Status ModelKeeper::Flush() {
  std::lock_guard lock(mu_);
  if (unsaved_ == 0) return Ok{};
  TRIBUNE_TRY(SaveModel(db_, edition_, *model_, clock_.NowMicros()));
  unsaved_ = 0;
  return Ok{};
}

}  // namespace tribune::app
