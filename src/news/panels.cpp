#include "news/panels.hpp"

#include <unicode/locid.h>
#include <unicode/numberformatter.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tribune::news {

namespace {

constexpr int64_t kCacheMicros = 10'000'000;
constexpr uintmax_t kMaxFileBytes = 256u << 20;

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

// "3/9/23" → "2023-03-09"; "" when it is not an M/D/YY date.
std::string JhuDate(std::string_view s) {
  int m = 0, d = 0, y = 0;
  char extra = 0;
  const std::string str(s);
  if (std::sscanf(str.c_str(), "%d/%d/%d%c", &m, &d, &y, &extra) != 3) return "";
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 0 || y > 9999) return "";
  if (y < 100) y += 2000;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

bool WholeNumber(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 15) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = s[0] == '-' ? -v : v;
  return true;
}

Panel FromRow(const storage::Row& r) {
  Panel p;
  p.name = r.Text(0);
  p.kind = r.Text(1);
  p.confirmed = r.Int(2);
  p.deaths = r.Int(3);
  p.recovered = r.Int(4);
  p.as_of = r.Text(5);
  p.source = r.Text(6);
  p.source_url = r.Text(7);
  p.enabled = r.Int(8) != 0;
  p.updated_at = r.Int(9);
  return p;
}

constexpr const char* kColumns =
    "SELECT name, kind, confirmed, deaths, recovered, as_of, source, source_url, enabled, updated_at FROM panels";

}  // namespace

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view t) {
  if (t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t line = 1;
  size_t i = 0;
  bool any = false;  // the current row has begun
  while (i < t.size()) {
    const char c = t[i];
    if (c == '"') {
      if (!field.empty()) return Bad("line " + std::to_string(line) + ": a quote inside an unquoted field");
      ++i;
      const size_t start_line = line;
      bool closed = false;
      while (i < t.size()) {
        if (t[i] == '"') {
          if (i + 1 < t.size() && t[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (t[i] == '\n') ++line;
        field += t[i++];
      }
      if (!closed) return Bad("line " + std::to_string(start_line) + ": a quoted field is not closed");
      if (i < t.size() && t[i] != ',' && t[i] != '\n' && t[i] != '\r') {
        return Bad("line " + std::to_string(line) + ": text after a closing quote");
      }
      any = true;
      continue;
    }
    if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < t.size() && t[i + 1] == '\n') ++i;
      ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
      ++line;
      continue;
    }
    field += c;
    any = true;
    ++i;
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<SeriesTotal> SumLatestColumn(std::string_view csv, std::string_view what) {
  const std::string w(what);
  auto parsed = ParseCsv(csv);
  if (!parsed.ok()) return Bad(w + ": " + parsed.error().message);
  const auto& rows = *parsed;
  if (rows.empty()) return Bad(w + ": the file is empty");
  const auto& header = rows[0];
  static const std::vector<std::string> kFirst = {"Province/State", "Country/Region", "Lat", "Long"};
  if (header.size() < 5 || !std::equal(kFirst.begin(), kFirst.end(), header.begin())) {
    return Bad(w + ": line 1: the header is not Province/State,Country/Region,Lat,Long,<dates> (JHU CSSE global layout)");
  }
  for (size_t c = 4; c < header.size(); ++c) {
    if (JhuDate(header[c]).empty()) {
      return Bad(w + ": line 1: column " + std::to_string(c + 1) + " is not a date (M/D/YY): \"" + header[c] + "\"");
    }
  }
  if (rows.size() < 2) return Bad(w + ": no data rows");
  SeriesTotal out{JhuDate(header.back()), 0};
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    if (row.size() != header.size()) {
      return Bad(w + ": row " + std::to_string(r + 1) + " has " + std::to_string(row.size()) + " fields, the header " +
                 std::to_string(header.size()));
    }
    for (size_t c = 4; c < row.size(); ++c) {
      int64_t v = 0;
      if (!WholeNumber(row[c], v)) {
        return Bad(w + ": row " + std::to_string(r + 1) + ", column " + std::to_string(c + 1) +
                   " is not a whole number: \"" + row[c].substr(0, 40) + "\"");
      }
      if (c + 1 == row.size()) out.total += v;
    }
  }
  if (out.total < 0) return Bad(w + ": the latest total is negative");
  return out;
}

Result<Panel> ReadJhuCsse(const std::string& dir) {
  auto read = [&](const char* kind) -> Result<SeriesTotal> {
    const std::filesystem::path path =
        std::filesystem::path(dir) / ("time_series_covid19_" + std::string(kind) + "_global.csv");
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return Bad("cannot read " + path.string() + ": " + ec.message());
    if (size > kMaxFileBytes) return Bad(path.string() + " is larger than 256 MiB");
    std::ifstream in(path, std::ios::binary);
    if (!in) return Bad("cannot read " + path.string());
    std::stringstream text;
    text << in.rdbuf();
    return SumLatestColumn(text.str(), path.filename().string());
  };
  TRIBUNE_ASSIGN(const SeriesTotal confirmed, read("confirmed"));
  TRIBUNE_ASSIGN(const SeriesTotal deaths, read("deaths"));
  TRIBUNE_ASSIGN(const SeriesTotal recovered, read("recovered"));
  Panel p;
  p.name = "covid-19";
  p.kind = "jhu-csse";
  p.confirmed = confirmed.total;
  p.deaths = deaths.total;
  p.recovered = recovered.total;
  p.as_of = confirmed.date;
  p.source = "JHU CSSE";
  p.source_url = "https://github.com/CSSEGISandData/COVID-19";
  return p;
}

std::string GroupDigits(int64_t n, std::string_view lang) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Locale locale(std::string(lang).c_str());
  auto formatted = icu::number::NumberFormatter::withLocale(locale)
                       .grouping(UNUM_GROUPING_ON_ALIGNED)
                       .formatInt(n, status);
  if (U_FAILURE(status)) return std::to_string(n);
  std::string out;
  formatted.toString(status).toUTF8String(out);
  if (U_FAILURE(status)) return std::to_string(n);
  return out;
}

Status PanelService::Store(const Panel& p) {
  if (p.name.empty() || p.name.size() > 64 || p.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return Bad("a panel name is 1 to 64 of a-z, 0-9 and -");
  }
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO panels (name, kind, confirmed, deaths, recovered, as_of, source, source_url, enabled, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind,"
        " confirmed = excluded.confirmed, deaths = excluded.deaths, recovered = excluded.recovered,"
        " as_of = excluded.as_of, source = excluded.source, source_url = excluded.source_url,"
        " updated_at = excluded.updated_at",
        {p.name, p.kind, p.confirmed, p.deaths, p.recovered, p.as_of, p.source, p.source_url, clock_.NowMicros()}));
    return Ok{};
  }));
  std::lock_guard lock(mu_);
  cached_ = false;
  return Ok{};
}

Status PanelService::SetEnabled(const std::string& name, bool enabled) {
  bool found = false;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    auto rows = s.Query("UPDATE panels SET enabled = $1 WHERE name = $2 RETURNING name",
                        {static_cast<int64_t>(enabled ? 1 : 0), name});
    if (!rows.ok()) return std::move(rows).error();
    found = !rows->empty();
    return Ok{};
  }));
  if (!found) return MakeError(ErrorCode::kNotFound, "no panel named \"" + name + "\"");
  std::lock_guard lock(mu_);
  cached_ = false;
  return Ok{};
}

Result<std::vector<Panel>> PanelService::All() {
  auto rows = db_.Read(std::string(kColumns) + " ORDER BY name", {});
  if (!rows.ok()) return std::move(rows).error();
  std::vector<Panel> out;
  for (const auto& r : *rows) out.push_back(FromRow(r));
  return out;
}

std::vector<Panel> PanelService::Shown() {
  const int64_t now = clock_.NowMicros();
  {
    std::lock_guard lock(mu_);
    if (cached_ && now >= cached_at_ && now - cached_at_ < kCacheMicros) return cache_;
  }
  auto rows = db_.Read(std::string(kColumns) + " WHERE enabled = 1 ORDER BY name", {});
  std::vector<Panel> out;
  if (rows.ok()) {
    for (const auto& r : *rows) out.push_back(FromRow(r));
  }
  std::lock_guard lock(mu_);
  if (rows.ok()) {
    cache_ = out;
    cached_at_ = now;
    cached_ = true;
  }
  return out;
}

}  // namespace tribune::news
