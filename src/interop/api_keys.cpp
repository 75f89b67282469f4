#include "interop/api_keys.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/random.hpp"

namespace tribune::interop {

namespace {

constexpr int64_t kMicros = 1'000'000;
constexpr const char* kColumns = "id, prefix, label, edition, qps, created_at, revoked_at";

bool ValidEdition(std::string_view e) {
  if (e.size() < 2 || e.size() > 8) return false;
  return std::all_of(e.begin(), e.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// Control characters: C0, DEL, and the C1 range as UTF-8 (U+0080..U+009F = C2 80..C2 9F).
bool HasControl(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0 &&
        static_cast<unsigned char>(s[i + 1]) >= 0x80) {
      return true;
    }
  }
  return false;
}

// The columns of kColumns, from `first` on.
ApiKey FromRow(const storage::Row& r, int first = 0) {
  ApiKey k;
  k.id = r.Int(first + 0);
  k.prefix = r.Text(first + 1);
  k.label = r.Text(first + 2);
  k.edition = r.Text(first + 3);
  k.qps = r.Double(first + 4);
  k.created_at = r.Int(first + 5);
  k.revoked_at = r.OptInt(first + 6);
  return k;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

const char* VerdictName(ApiKeyStore::Verdict verdict) {
  switch (verdict) {
    case ApiKeyStore::Verdict::kOk: return "ok";
    case ApiKeyStore::Verdict::kMissing: return "missing";
    case ApiKeyStore::Verdict::kInvalid: return "invalid";
    case ApiKeyStore::Verdict::kOverQuota: return "over_quota";
    case ApiKeyStore::Verdict::kUnavailable: return "unavailable";
  }
  return "invalid";
}

ApiKeyStore::ApiKeyStore(storage::Database& db, const Clock& clock) : ApiKeyStore(db, clock, ApiKeyStoreOptions{}) {}

ApiKeyStore::ApiKeyStore(storage::Database& db, const Clock& clock, ApiKeyStoreOptions options)
    : db_(db), clock_(clock), options_(options), miss_tokens_(options.miss_burst), miss_refilled_at_(clock.NowMicros()) {}

bool ApiKeyStore::WellFormed(std::string_view presented) {
  if (presented.size() != kKeyLength || presented.substr(0, kKeyPrefix.size()) != kKeyPrefix) return false;
  return std::all_of(presented.begin() + kKeyPrefix.size(), presented.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

Status ApiKeyStore::Validate(std::string_view edition, std::string_view label, double qps) {
  if (!ValidEdition(edition)) return MakeError(ErrorCode::kBadRequest, "edition must be 2 to 8 letters a-z");
  if (label.size() > kMaxLabelBytes) return MakeError(ErrorCode::kBadRequest, "label is longer than 100 bytes");
  if (HasControl(label)) return MakeError(ErrorCode::kBadRequest, "label contains control characters");
  if (!std::isfinite(qps) || qps < 0 || qps > kMaxQps) {
    return MakeError(ErrorCode::kBadRequest, "qps must be a number from 0 (unlimited) to 1000000");
  }
  return Ok{};
}

Result<CreatedKey> ApiKeyStore::Create(std::string edition, std::string label, double qps) {
  TRIBUNE_TRY(Validate(edition, label, qps));
  CreatedKey out;
  out.secret = std::string(kKeyPrefix) + RandomToken(32);
  const std::string hash = Sha256Hex(out.secret);
  out.key.prefix = out.secret.substr(0, kPrefixLength);
  out.key.label = std::move(label);
  out.key.edition = std::move(edition);
  out.key.qps = qps;
  out.key.created_at = clock_.NowMicros();
  Status st = db_.Write([&](storage::Session& s) -> Status {
    auto rows = s.Query(
        "INSERT INTO api_keys (key_hash, prefix, label, edition, qps, created_at) VALUES ($1, $2, $3, $4, $5, $6) "
        "RETURNING id",
        {hash, out.key.prefix, out.key.label, out.key.edition, out.key.qps, out.key.created_at});
    if (!rows.ok()) return std::move(rows).error();
    if (rows->empty()) return MakeError(ErrorCode::kInternal, "api key insert returned no id");
    out.key.id = (*rows)[0].Int(0);
    return Ok{};
  });
  if (!st.ok()) return std::move(st).error();
  return out;
}

Result<std::vector<ApiKey>> ApiKeyStore::List() {
  auto rows = db_.Read(std::string("SELECT ") + kColumns + " FROM api_keys ORDER BY id");
  if (!rows.ok()) return std::move(rows).error();
  std::vector<ApiKey> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(FromRow(r));
  return out;
}

Status ApiKeyStore::Revoke(std::string_view id_or_prefix) {
  const std::string arg(id_or_prefix);
  std::string sql = std::string("SELECT ") + kColumns + ", key_hash FROM api_keys WHERE ";
  storage::Params params;
  if (AllDigits(arg)) {
    sql += "id = $1";
    int64_t id = 0;
    std::from_chars(arg.data(), arg.data() + arg.size(), id);
    params.emplace_back(id);
  } else if (arg.size() == kPrefixLength) {
    sql += "prefix = $1";
    params.emplace_back(arg);
  } else if (WellFormed(arg)) {
    sql += "key_hash = $1";
    params.emplace_back(Sha256Hex(arg));
  } else {
    return MakeError(ErrorCode::kNotFound, "no API key with that id or prefix");
  }
  const int64_t now = clock_.NowMicros();
  std::string revoked_hash;
  Status st = db_.Write([&](storage::Session& s) -> Status {
    auto rows = s.Query(sql, params);
    if (!rows.ok()) return std::move(rows).error();
    if (rows->empty()) return MakeError(ErrorCode::kNotFound, "no API key with that id or prefix");
    const storage::Row* live = nullptr;
    int live_count = 0;
    for (const auto& r : *rows) {
      if (r.IsNull(6)) {
        live = &r;
        ++live_count;
      }
    }
    if (live_count == 0) return Ok{};  // already revoked
    if (live_count > 1) {
      return MakeError(ErrorCode::kConflict, "several live API keys start with " + arg + "; revoke one by its id");
    }
    auto n = s.Exec("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", {now, live->Int(0)});
    if (!n.ok()) return std::move(n).error();
    revoked_hash = live->Text(7);
    return Ok{};
  });
  if (!st.ok()) return st;
  if (!revoked_hash.empty()) {
    std::lock_guard lock(mu_);
    if (auto it = keys_.find(revoked_hash); it != keys_.end() && it->second.key) it->second.key->revoked_at = now;
  }
  return Ok{};
}

Result<std::optional<ApiKey>> ApiKeyStore::Load(const std::string& hash) {
  auto rows = db_.Read(std::string("SELECT ") + kColumns + " FROM api_keys WHERE key_hash = $1", {hash});
  if (!rows.ok()) return std::move(rows).error();
  if (rows->empty()) return std::optional<ApiKey>();
  return std::optional<ApiKey>(FromRow((*rows)[0]));
}

ApiKeyStore::Check ApiKeyStore::FromWholeTable(const std::string& hash, int64_t now) {
  // Someone is trying keys faster than the lookup budget: read the whole (small) table at most once a second,
  // one request at a time, and answer from memory — an attacker's misses then cost nothing more, and a real key
  // not cached yet is still let in.
  Check c;
  {
    std::lock_guard lock(mu_);
    const bool due = !reloading_ && now - reloaded_at_ >= kMicros;
    if (!due) {
      auto it = keys_.find(hash);
      if (it != keys_.end() && it->second.key) return Take(it->second, now);
      if (reloading_) {
        c.verdict = Verdict::kUnavailable;
        c.retry_after_seconds = 1;
      }
      return c;  // kInvalid: not in the table read less than a second ago
    }
    reloading_ = true;
  }
  auto rows = db_.Read(std::string("SELECT key_hash, ") + kColumns + " FROM api_keys");
  std::lock_guard lock(mu_);
  reloading_ = false;
  reloaded_at_ = now;
  if (!rows.ok()) {
    c.verdict = Verdict::kUnavailable;
    c.retry_after_seconds = 1;
    return c;
  }
  for (const auto& r : *rows) {
    const std::string row_hash = r.Text(0);
    auto [it, added] = keys_.try_emplace(row_hash);
    Entry& e = it->second;
    e.key = FromRow(r, 1);
    e.loaded_at = now;
    if (added) {
      e.tokens = std::max(1.0, e.key->qps);
      e.refilled_at = now;
    }
  }
  auto it = keys_.find(hash);
  if (it != keys_.end() && it->second.key) return Take(it->second, now);
  return c;  // kInvalid
}

ApiKeyStore::Check ApiKeyStore::Take(Entry& entry, int64_t now) {
  Check c;
  const ApiKey& key = *entry.key;
  if (key.revoked_at) return c;  // kInvalid
  c.key = key;
  if (key.qps <= 0) {
    c.verdict = Verdict::kOk;
    return c;
  }
  const double capacity = std::max(1.0, key.qps);
  if (now > entry.refilled_at) {
    entry.tokens = std::min(capacity, entry.tokens + key.qps * static_cast<double>(now - entry.refilled_at) / kMicros);
    entry.refilled_at = now;
  }
  if (entry.tokens >= 1.0) {
    entry.tokens -= 1.0;
    c.verdict = Verdict::kOk;
    return c;
  }
  c.verdict = Verdict::kOverQuota;
  c.retry_after_seconds = std::max(1, static_cast<int>(std::ceil((1.0 - entry.tokens) / key.qps)));
  return c;
}

ApiKeyStore::Check ApiKeyStore::Authenticate(std::string_view presented) {
  Check c;
  if (presented.empty()) {
    c.verdict = Verdict::kMissing;
    return c;
  }
  if (!WellFormed(presented)) return c;  // kInvalid, without a lookup
  const std::string hash = Sha256Hex(presented);
  const int64_t now = clock_.NowMicros();
  bool over_budget = false;
  {
    std::lock_guard lock(mu_);
    auto it = keys_.find(hash);
    if (it != keys_.end()) {
      Entry& e = it->second;
      const bool stale = now - e.loaded_at >= options_.refresh_seconds * kMicros;
      if (!stale || e.refreshing) return Take(e, now);
      e.refreshing = true;  // this request re-reads; the others use the entry meanwhile
    } else {
      if (auto u = unknown_.find(hash); u != unknown_.end()) {
        if (now - u->second < options_.negative_seconds * kMicros) return c;  // kInvalid, remembered
        unknown_.erase(u);
      }
      // The budget of lookups for keys not in memory.
      if (now > miss_refilled_at_) {
        miss_tokens_ = std::min(options_.miss_burst,
                                miss_tokens_ + options_.miss_per_second * static_cast<double>(now - miss_refilled_at_) / kMicros);
        miss_refilled_at_ = now;
      }
      if (miss_tokens_ < 1.0) {
        over_budget = true;
      } else {
        miss_tokens_ -= 1.0;
      }
    }
  }
  if (over_budget) return FromWholeTable(hash, now);  // it takes mu_ itself
  auto loaded = Load(hash);  // outside the lock: the database may take a while
  std::lock_guard lock(mu_);
  auto it = keys_.find(hash);
  if (!loaded.ok()) {
    if (it != keys_.end()) {
      // Keep serving what we know, and try again after another refresh period (not on every request while
      // the database is down).
      it->second.refreshing = false;
      it->second.loaded_at = now;
      return Take(it->second, now);
    }
    c.verdict = Verdict::kUnavailable;
    c.retry_after_seconds = 1;
    return c;
  }
  if (!loaded->has_value()) {
    if (it != keys_.end()) keys_.erase(it);  // deleted from the table
    if (unknown_.size() >= options_.negative_entries) unknown_.clear();
    unknown_[hash] = now;
    return c;  // kInvalid
  }
  if (it == keys_.end()) {
    Entry e;
    e.tokens = std::max(1.0, (*loaded)->qps);
    e.refilled_at = now;
    it = keys_.emplace(hash, std::move(e)).first;
  }
  Entry& e = it->second;
  e.key = std::move(*loaded);
  e.loaded_at = now;
  e.refreshing = false;
  return Take(e, now);
}

}  // namespace tribune::interop
