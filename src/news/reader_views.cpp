#include "news/reader_views.hpp"

#include <sodium.h>

#include <cstring>
#include <string>

namespace tribune::news {

namespace {
constexpr int64_t kDayMicros = 86'400'000'000;
}

ReaderViews::ReaderViews(const Clock& clock, size_t max_readers) : clock_(clock), max_readers_(max_readers) {}

bool ReaderViews::IsRobot(std::string_view ua) {
  if (ua.find_first_not_of(" \t") == std::string_view::npos) return true;
  std::string lower(ua.substr(0, 1024));
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower.find("bot") != std::string::npos || lower.find("crawler") != std::string::npos ||
         lower.find("spider") != std::string::npos;
}

bool ReaderViews::FirstToday(std::string_view client_address, std::string_view user_agent, int64_t article_id) {
  if (IsRobot(user_agent)) return false;
  const int64_t day = clock_.NowMicros() / kDayMicros;
  std::string input;
  input.reserve(client_address.size() + user_agent.size() + 24);
  input.append(client_address.substr(0, 256)).push_back('\0');
  input.append(user_agent.substr(0, 1024)).push_back('\0');
  input.append(std::to_string(article_id));
  std::lock_guard lock(mu_);
  if (day != day_) {  // a new UTC day: yesterday's salt and hashes are forgotten
    day_ = day;
    randombytes_buf(salt_.data(), salt_.size());
    seen_.clear();
  }
  uint64_t h = 0;
  crypto_generichash(reinterpret_cast<unsigned char*>(&h), sizeof h, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), salt_.data(), salt_.size());
  if (seen_.count(h)) return false;
  if (seen_.size() < max_readers_) seen_.insert(h);
  return true;
}

size_t ReaderViews::remembered() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace tribune::news
