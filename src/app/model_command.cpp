// `tribune model train --from FILE.tsv [--edition ID] [--data DIR]` and
// `tribune model stats [--edition ID] [--data DIR] [--json]`: the edition's online model
// (moderation/learned/online_model.hpp), stored in the database under --data (app/model_store.hpp).
// The subcommand ("train" or "stats") is the first positional word of the context.
#include <boost/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "app/commands.hpp"
#include "app/model_store.hpp"
#include "moderation/learned/online_table.hpp"
#include "storage/database.hpp"

namespace tribune::app {

namespace {

using moderation::learned::OnlineModel;

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "tribune: %s\n", message.c_str());
  return code;
}

bool ValidEdition(const std::string& e) {
  if (e.empty() || e.size() > 32) return false;
  for (char c : e)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

Result<std::unique_ptr<storage::Database>> OpenDatabase(const CommandContext& ctx) {
  std::error_code ec;
  std::filesystem::create_directories(ctx.data_dir, ec);
  if (ec) return MakeError(ErrorCode::kUnavailable, "cannot create data directory " + ctx.data_dir + ": " + ec.message());
  return storage::OpenStorage({.url = ctx.config.GetString("storage.url"),
                               .default_sqlite_path = (std::filesystem::path(ctx.data_dir) / "tribune.db").string(),
                               .read_connections = 1});
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Train(const CommandContext& ctx, const std::string& edition) {
  if (!ctx.flags.count("from")) return Fail("model train: --from FILE.tsv is required", 2);
  const std::string path = ctx.flags.at("from");
  std::string data;
  if (path == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail("model train: cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    data = ss.str();
  }
  // Parse before touching the database: a bad table trains nothing.
  auto table = moderation::learned::ParseTrainingTable(data, path);
  if (!table.ok()) return Fail("model train: " + table.error().message);
  auto db = OpenDatabase(ctx);
  if (!db.ok()) return Fail(db.error().message);
  auto model = LoadModel(**db, edition);
  if (!model.ok()) {
    (*db)->Close();
    return Fail(model.error().message);
  }
  const int64_t now = NowMicros();
  std::map<std::string, int> counts;
  for (const auto& ex : *table) {
    (*model)->Update(ex.text, ex.label, now);
    ++counts[ex.label];
  }
  Status saved = SaveModel(**db, edition, **model, now);
  (*db)->Close();
  if (!saved.ok()) return Fail("model train: " + saved.error().message);
  std::printf("trained the %s model on %zu examples from %s:\n", edition.c_str(), table->size(), path.c_str());
  for (const auto& [label, n] : counts) std::printf("  %-26s %d\n", label.c_str(), n);
  std::printf("total examples in the model: %llu\n", static_cast<unsigned long long>((*model)->Stats().updates));
  return 0;
}

int Stats(const CommandContext& ctx, const std::string& edition) {
  auto db = OpenDatabase(ctx);
  if (!db.ok()) return Fail(db.error().message);
  auto model = LoadModel(**db, edition);
  (*db)->Close();
  if (!model.ok()) return Fail(model.error().message);
  const auto s = (*model)->Stats();
  const uint64_t min_examples = (*model)->options().min_examples;
  uint64_t ok_examples = 0;
  for (const auto& [label, n] : s.examples)
    if (label == OnlineModel::kOk) ok_examples = n;
  if (ctx.flags.count("json")) {
    boost::json::array classes;
    for (const auto& [label, n] : s.examples) {
      classes.push_back(boost::json::object{
          {"label", label},
          {"examples", n},
          {"active", label != OnlineModel::kOk && n >= min_examples && ok_examples >= min_examples}});
    }
    boost::json::object o{{"edition", edition},
                          {"algorithm", (*model)->options().algorithm == moderation::learned::OnlineAlgorithm::kNaiveBayes
                                            ? "naive_bayes"
                                            : "logistic"},
                          {"classes", std::move(classes)},
                          {"updates", s.updates},
                          {"last_update_us", s.last_update_us},
                          {"min_examples", min_examples},
                          {"memory_bytes", s.memory_bytes},
                          {"serialized_bytes", s.serialized_bytes}};
    std::printf("%s\n", boost::json::serialize(o).c_str());
    return 0;
  }
  std::printf("edition %s: %llu updates, last %lld us, %zu bytes stored, %zu bytes in memory\n", edition.c_str(),
              static_cast<unsigned long long>(s.updates), static_cast<long long>(s.last_update_us), s.serialized_bytes,
              s.memory_bytes);
  if (s.examples.empty()) std::printf("  (no examples yet)\n");
  for (const auto& [label, n] : s.examples) {
    const bool active = label != OnlineModel::kOk && n >= min_examples && ok_examples >= min_examples;
    std::printf("  %-26s %8llu%s\n", label.c_str(), static_cast<unsigned long long>(n),
                label == OnlineModel::kOk ? "" : active ? "  active" : "  abstaining (needs examples)");
  }
  return 0;
}

}  // namespace

int ModelCommand(CommandContext& ctx) {
  const std::string sub = ctx.positional.empty() ? "" : ctx.positional.front();
  const std::string edition =
      ctx.flags.count("edition") ? ctx.flags.at("edition") : ctx.config.GetString("site.default_edition");
  if (!ValidEdition(edition)) return Fail("model: --edition must be an edition id such as \"en\"", 2);
  if (sub == "train") return Train(ctx, edition);
  if (sub == "stats") return Stats(ctx, edition);
  return Fail("model: expected \"model train --from FILE.tsv\" or \"model stats\"", 2);
}

}  // namespace tribune::app
