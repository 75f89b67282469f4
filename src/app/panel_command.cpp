// `tribune panel import jhu-csse DIR [--name covid-19]`: reads the JHU CSSE global time series in DIR and stores the
// panel's latest totals (news/panels.hpp); a bad file leaves the stored panel as it was.
// `tribune panel enable|disable NAME`: shows or hides a panel in the header; `tribune panel list`.
#include <cstdio>
#include <filesystem>

#include "app/commands.hpp"
#include "common/clock.hpp"
#include "news/panels.hpp"
#include "storage/database.hpp"

namespace tribune::app {

namespace {

constexpr const char* kPanelUsage =
    "usage: tribune panel import jhu-csse DIR [--name NAME] [--data DIR]\n"
    "       tribune panel enable|disable NAME [--data DIR]\n"
    "       tribune panel list [--data DIR]\n";

Result<std::unique_ptr<storage::Database>> Open(const CommandContext& ctx) {
  std::error_code ec;
  std::filesystem::create_directories(ctx.data_dir, ec);
  return storage::OpenStorage({.url = ctx.config.GetString("storage.url"),
                               .default_sqlite_path = (std::filesystem::path(ctx.data_dir) / "tribune.db").string(),
                               .read_connections = 1,
                               .max_batch = static_cast<int>(ctx.config.GetInt("storage.max_batch"))});
}

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "tribune panel: %s\n", message.c_str());
  return code;
}

}  // namespace

int PanelCommand(CommandContext& ctx) {
  const auto& w = ctx.positional;
  const std::string verb = w.empty() ? "" : w[0];
  const bool import = verb == "import" && w.size() == 3;
  const bool toggle = (verb == "enable" || verb == "disable") && w.size() == 2;
  if (!import && !toggle && !(verb == "list" && w.size() == 1)) {
    std::fputs(kPanelUsage, stderr);
    return 2;
  }
  if (import && w[1] != "jhu-csse") return Fail("unknown source \"" + w[1] + "\" (known: jhu-csse)", 2);
  news::Panel panel;
  if (import) {  // read and check everything before the database is touched
    auto read = news::ReadJhuCsse(w[2]);
    if (!read.ok()) return Fail(read.error().message + "; the stored panel is unchanged");
    panel = std::move(read).value();
    if (auto it = ctx.flags.find("name"); it != ctx.flags.end()) panel.name = it->second;
  }
  auto db = Open(ctx);
  if (!db.ok()) return Fail(db.error().message);
  SystemClock clock;
  news::PanelService panels(**db, clock);
  int code = 0;
  if (import) {
    if (Status st = panels.Store(panel); !st.ok()) {
      code = Fail(st.error().message);
    } else {
      std::printf("panel %s: confirmed %lld, deaths %lld, recovered %lld as of %s (%s)\n", panel.name.c_str(),
                  static_cast<long long>(panel.confirmed), static_cast<long long>(panel.deaths),
                  static_cast<long long>(panel.recovered), panel.as_of.c_str(), panel.source.c_str());
    }
  } else if (toggle) {
    if (Status st = panels.SetEnabled(w[1], verb == "enable"); !st.ok()) {
      code = Fail(st.error().message);
    } else {
      std::printf("panel %s %s\n", w[1].c_str(), verb == "enable" ? "enabled" : "disabled");
    }
  } else {
    auto all = panels.All();
    if (!all.ok()) {
      code = Fail(all.error().message);
    } else {
      for (const auto& p : *all) {
        std::printf("%s\t%s\t%s\tas of %s\n", p.name.c_str(), p.kind.c_str(), p.enabled ? "enabled" : "disabled",
                    p.as_of.c_str());
      }
    }
  }
  (*db)->Close();
  return code;
}

}  // namespace tribune::app
