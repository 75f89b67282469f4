#include "app/model_store.hpp"

#include "common/random.hpp"

namespace tribune::app {

using moderation::learned::OnlineModel;

Result<std::shared_ptr<OnlineModel>> LoadModel(storage::Database& db, const std::string& edition,
                                               uint64_t min_examples) {
  auto rows = db.Read("SELECT model FROM learned_models WHERE edition = $1", {edition});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) {
    auto fresh = std::make_shared<OnlineModel>();
    fresh->set_min_examples(min_examples);
    return fresh;
  }
  const auto bytes = Base64UrlDecode((*rows)[0].Text(0));
  if (!bytes) return MakeError(ErrorCode::kUnavailable, "learned model of edition " + edition + ": not base64url");
  auto model = OnlineModel::Parse(*bytes, min_examples);
  if (!model.ok()) {
    return MakeError(ErrorCode::kUnavailable, "learned model of edition " + edition + ": " + model.error().message);
  }
  return std::shared_ptr<OnlineModel>(std::move(model).value());
}

Status SaveModel(storage::Database& db, const std::string& edition, const OnlineModel& model, int64_t now_us) {
  const std::string encoded = Base64UrlEncode(model.Serialize());
  const int64_t examples = static_cast<int64_t>(model.Stats().updates);
  return db.Write([&](storage::Session& s) -> Status {
    auto r = s.Exec(
        "INSERT INTO learned_models (edition, model, examples, updated_at) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (edition) DO UPDATE SET model = excluded.model, examples = excluded.examples, "
        "updated_at = excluded.updated_at",
        {edition, encoded, examples, now_us});
    if (!r.ok()) return std::move(r).error();
    return Ok{};
  });
}

}  // namespace tribune::app
