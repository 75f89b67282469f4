// `tribune migrate --from sqlite:PATH --to postgresql://…`: copies a site's SQLite database into an empty
// PostgreSQL database and checks both sides row by row (storage/transfer.hpp). The source may be in use by a
// running server: it is read in one snapshot. Progress goes to stderr, the report of counts and checksums to
// stdout; exit 0 only when every table matches.
//
// Exit codes: 2 for a bad command line; 1 when the source cannot be read, the target cannot be reached or is
// not empty, the copy fails (then nothing was written) or a table does not match after the copy (then the
// target keeps what was copied: look at the tables reported, drop the database to start again).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/transfer.hpp"

namespace tribune::app {

namespace {

int Fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "tribune migrate: %s\n", message.c_str());
  return code;
}

// %XX-decoding, for a password written percent-encoded in the URL.
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The URL with any password replaced by "***" (user:PASSWORD@ and ?password=…), and the passwords found.
std::string MaskUrl(const std::string& url, std::vector<std::string>* secrets = nullptr) {
  std::string out = url;
  const size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t end = std::min(out.find_first_of("/?", start), out.size());
    const size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) {
        if (secrets) secrets->push_back(out.substr(colon + 1, at - colon - 1));
        out.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    if (p > 0 && out[p - 1] != '?' && out[p - 1] != '&' && out[p - 1] != ' ') continue;
    const size_t v = p + 9;
    const size_t end = std::min(out.find_first_of("& ", v), out.size());
    if (secrets) secrets->push_back(out.substr(v, end - v));
    out.replace(v, end - v, "***");
  }
  return out;
}

// A message with every password of the URL (raw and decoded) masked, in case a library quotes it.
std::string Scrub(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& raw : secrets) {
    for (const std::string& s : {raw, PercentDecode(raw)}) {
      if (s.size() < 2) continue;
      for (size_t p = message.find(s); p != std::string::npos; p = message.find(s, p + 3)) message.replace(p, s.size(), "***");
    }
  }
  return message;
}

std::string Short(const std::string& hex) { return hex.substr(0, 16); }

void PrintReport(const storage::TransferReport& r) {
  size_t width = 5;
  for (const auto& t : r.tables) width = std::max(width, t.table.size());
  std::printf("%-*s %12s %12s  %-16s  %-16s  %s\n", static_cast<int>(width), "table", "source rows", "target rows",
              "source sha256", "target sha256", "check");
  for (const auto& t : r.tables) {
    std::printf("%-*s %12lld %12lld  %-16s  %-16s  %s\n", static_cast<int>(width), t.table.c_str(),
                static_cast<long long>(t.source_rows), static_cast<long long>(t.target_rows),
                Short(t.source_sha256).c_str(), Short(t.target_sha256).c_str(), t.ok() ? "ok" : "MISMATCH");
  }
  for (const auto& t : r.tables) {
    for (const auto& c : t.generated_columns)
      std::printf("note: %s.%s is filled by PostgreSQL where SQLite left it NULL; it is not in the checksums\n",
                  t.table.c_str(), c.c_str());
  }
}

}  // namespace

int Migrate(CommandContext& ctx) {
  const auto flag = [&](const char* name) { return ctx.flags.count(name) ? ctx.flags.at(name) : std::string(); };
  const std::string from = flag("from"), to = flag("to");
  if (from.empty() || to.empty()) return Fail("--from sqlite:PATH and --to postgresql://… are both required", 2);
  if (!from.starts_with("sqlite:"))
    return Fail("--from must be sqlite:PATH (the SQLite database file of the site), not \"" + MaskUrl(from) + "\"", 2);
  if (!to.starts_with("postgresql://") && !to.starts_with("postgres://"))
    return Fail("--to must be a postgresql://… URL, not \"" + MaskUrl(to) + "\"", 2);
  std::string path = from.substr(7);
  if (path.starts_with("//")) path = path.substr(2);  // sqlite:///abs/path
  if (path.empty()) return Fail("--from sqlite: needs a file path", 2);
  std::vector<std::string> secrets;
  const std::string shown = MaskUrl(to, &secrets);

  // OpenSqlite would create a missing file: check first.
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Fail("the source " + path + " does not exist");
  if (!std::filesystem::is_regular_file(path, ec)) return Fail("the source " + path + " is not a file");
  if (::access(path.c_str(), R_OK) != 0) return Fail("cannot read the source " + path + ": permission denied");

  // No mmap: the file is read once, front to back; the page cache serves it as well, and the process's
  // resident size stays what it needs (a few pages of rows) instead of growing with the file.
  auto source = storage::OpenSqlite({.path = path, .read_connections = 1, .mmap_bytes = 0, .migrate = false});
  if (!source.ok()) return Fail("cannot open the source " + path + ": " + source.error().message);
  // The site's schema must be this version's: an older server's file is upgraded by starting this version on it
  // first (the copy must not change a running server's schema underneath it).
  auto version = (*source)->Read("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!version.ok())
    return Fail("the source " + path + " is not a Tribune database: " + version.error().message);
  if ((*version)[0].Int(0) != storage::kSqliteMigrationsCount) {
    return Fail("the source " + path + " is at schema version " + std::to_string((*version)[0].Int(0)) +
                ", this tribune expects " + std::to_string(storage::kSqliteMigrationsCount) +
                ": run this version of tribune on it once (or migrate with the tribune that made it)");
  }
  auto target = storage::OpenPostgres({.url = to, .read_connections = 2});
  if (!target.ok()) return Fail("cannot open the target " + shown + ": " + Scrub(target.error().message, secrets));

  std::fprintf(stderr, "tribune migrate: %s → %s\n", path.c_str(), shown.c_str());
  auto report = storage::Transfer(**source, **target, [](const storage::TransferProgress& p) {
    if (p.done) {
      std::fprintf(stderr, "[%d/%d] %s: %lld rows copied\n", p.index, p.count, p.table.c_str(),
                   static_cast<long long>(p.copied));
    } else {
      std::fprintf(stderr, "[%d/%d] %s: %lld / %lld rows\n", p.index, p.count, p.table.c_str(),
                   static_cast<long long>(p.copied), static_cast<long long>(p.total));
    }
  });
  (*target)->Close();
  (*source)->Close();
  if (!report.ok()) {
    const std::string msg = Scrub(report.error().message, secrets);
    if (report.error().code == ErrorCode::kConflict) return Fail(msg + ". Nothing was written.");
    return Fail("nothing was written: " + msg);
  }
  PrintReport(*report);
  // Fresh statistics, so the first requests on PostgreSQL get the plans the data calls for.
  if (Status analysed = (*target)->Write([](storage::Session& s) -> Status {
        auto r = s.Exec("ANALYZE");
        if (!r.ok()) return std::move(r).error();
        return Ok{};
      });
      !analysed.ok()) {
    std::fprintf(stderr, "tribune migrate: ANALYZE failed (run it by hand): %s\n",
                 Scrub(analysed.error().message, secrets).c_str());
  }
  const double rate = report->copy_seconds > 0 ? static_cast<double>(report->rows) / report->copy_seconds : 0;
  int bad = 0;
  for (const auto& t : report->tables) bad += t.ok() ? 0 : 1;
  std::printf("%zu tables, %lld rows copied in %.1f s (%.0f rows/s), verified in %.1f s: %s\n", report->tables.size(),
              static_cast<long long>(report->rows), report->copy_seconds, rate, report->verify_seconds,
              bad == 0 ? "every table matches" : (std::to_string(bad) + " table(s) do NOT match").c_str());
  std::fflush(stdout);
  if (bad != 0) {
    return Fail("the copy was committed, but " + std::to_string(bad) +
                " table(s) differ (e.g. text that is not valid UTF-8, which PostgreSQL stores with U+FFFD): check them "
                "before serving from " + shown);
  }
  return 0;
}

}  // namespace tribune::app
