// The header's data panels: figures a newsroom shows beside its masthead, e.g. "COVID-19 global data" from the
// JHU CSSE time series (`tribune panel import jhu-csse DIR`). Any panel can be turned off
// (`tribune panel disable NAME`). Stored in the `panels` table; the pages read them through a short cache.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::news {

struct Panel {
  std::string name;  // "covid-19"
  std::string kind;  // "jhu-csse"
  int64_t confirmed = 0, deaths = 0, recovered = 0;
  std::string as_of;  // "2023-03-09"
  std::string source, source_url;
  bool enabled = true;
  int64_t updated_at = 0;
};

// RFC 4180 CSV: fields separated by commas, optionally quoted ("Korea, South"; "" is a quote inside quotes),
// rows ended by LF or CRLF; a leading UTF-8 BOM is ignored. Errors: kBadRequest (an unterminated quote, a quote
// inside an unquoted field), naming the line.
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text);

// One JHU CSSE global time series (Province/State,Country/Region,Lat,Long,1/22/20,...): the last column's date
// as "YYYY-MM-DD" and the sum of that column over every row. Every date cell must be a whole number; every row
// as long as the header. Errors: kBadRequest naming `what`, the line and the problem.
struct SeriesTotal {
  std::string date;
  int64_t total = 0;
};
Result<SeriesTotal> SumLatestColumn(std::string_view csv, std::string_view what);

// The panel from the three files in `dir` (time_series_covid19_{confirmed,deaths,recovered}_global.csv), at most
// 256 MiB each; as_of is the confirmed file's last date. Errors: kBadRequest (missing file, bad content).
Result<Panel> ReadJhuCsse(const std::string& dir);

// "1,234,567" (en), "1 234 567" (fr: narrow no-break spaces), "1 234 567" (ru: no-break spaces), by ICU.
std::string GroupDigits(int64_t n, std::string_view lang);

class PanelService {
 public:
  PanelService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Stores (or replaces) the panel's figures; keeps its enabled flag when it exists. Errors: kBadRequest (name).
  Status Store(const Panel& panel);
  // Turns a panel on or off. Errors: kNotFound.
  Status SetEnabled(const std::string& name, bool enabled);
  Result<std::vector<Panel>> All();
  // The enabled panels for the header, read at most every 10 s of the clock (a change shows within 10 s).
  std::vector<Panel> Shown();

 private:
  storage::Database& db_;
  const Clock& clock_;
  std::mutex mu_;
  int64_t cached_at_ = 0;
  bool cached_ = false;
  std::vector<Panel> cache_;
};

}  // namespace tribune::news
