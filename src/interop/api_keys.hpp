// API keys of the Perspective-compatible endpoints (INTEROP.md §1.1): who may call comments:analyze and
// comments:suggestscore, under which edition's policy, and how often.
//
// A key is "trb_" + 43 base64url characters (32 random bytes). It is shown once, by Create; the table
// api_keys keeps only its SHA-256 (hex) and its first 8 characters (for listings and revocation).
//
// Authenticate is the hot path of every interop request: it hashes the presented key and looks the hash up
// in memory. The database is read only
//   - on a miss (a key this server has not seen yet), bounded by a token bucket of lookups (a flood of
//     random keys costs at most `miss_burst` + `miss_per_second`·t queries; beyond it the whole table is read,
//     at most once a second, and keys are answered from memory) and a
//     negative cache of unknown hashes (the same wrong key again costs no query);
//   - once per `refresh_seconds` per known key (by one request, the others use the entry meanwhile), so that
//     a revocation on another server takes effect here within that time.
// Each key then has a token bucket (capacity max(1, qps), refilled at qps per second of the injected clock);
// qps 0 means unlimited. Buckets are per server, as the quota is ("requests per second on each server").
// Thread-safe; keys and their hashes are never logged.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::interop {

struct ApiKey {
  int64_t id = 0;
  std::string prefix;    // the key's first 8 characters, for listings
  std::string label, edition;
  double qps = 0;        // requests per second allowed on each server; 0 = unlimited
  int64_t created_at = 0;
  std::optional<int64_t> revoked_at;
};

struct CreatedKey { ApiKey key; std::string secret; };  // secret: shown once, stored only as SHA-256

// Limits of the store's own (Authenticate's defaults are what a server wants; tests shrink them).
struct ApiKeyStoreOptions {
  int64_t refresh_seconds = 60;   // a cached key is re-read after this long
  double miss_burst = 100;        // database lookups of unknown keys at once …
  double miss_per_second = 20;    // … and per second after that
  int64_t negative_seconds = 60;  // an unknown hash is answered from memory for this long
  size_t negative_entries = 10000;  // at most this many remembered unknown hashes (then forgotten at once)
};

class ApiKeyStore {
 public:
  static constexpr std::string_view kKeyPrefix = "trb_";
  static constexpr size_t kKeyLength = 4 + 43;  // "trb_" + base64url of 32 bytes
  static constexpr size_t kPrefixLength = 8;
  static constexpr size_t kMaxLabelBytes = 100;
  static constexpr double kMaxQps = 1e6;

  ApiKeyStore(storage::Database& db, const Clock& clock);
  ApiKeyStore(storage::Database& db, const Clock& clock, ApiKeyStoreOptions options);

  // Errors: kBadRequest (edition not [a-z]{2,8}, label > 100 bytes or control chars, qps < 0 or > 1e6 or not finite).
  Result<CreatedKey> Create(std::string edition, std::string label, double qps);
  // Create's checks alone (the command line checks its flags before it opens the database).
  static Status Validate(std::string_view edition, std::string_view label, double qps);
  // Every key, revoked ones included, oldest first.
  Result<std::vector<ApiKey>> List();
  // By id (digits), by the 8-character prefix of a listing, or by the whole key. Revoking a revoked key
  // changes nothing. kNotFound when no such key; kConflict when the prefix names several live keys.
  Status Revoke(std::string_view id_or_prefix);

  enum class Verdict { kOk, kMissing, kInvalid, kOverQuota, kUnavailable };
  struct Check { Verdict verdict = Verdict::kInvalid; ApiKey key; int retry_after_seconds = 0; };
  // The key a request presented ("" when none). kMissing: ""; kInvalid: not a key, unknown or revoked;
  // kOverQuota: the key's bucket is empty (retry_after_seconds ≥ 1); kUnavailable: the database could not be
  // asked (error, or the lookups of unknown keys are over their budget; retry_after_seconds ≥ 1).
  // `key` is filled in for kOk and kOverQuota.
  Check Authenticate(std::string_view presented);

  int64_t NowMicros() const { return clock_.NowMicros(); }  // the clock the buckets run on

  // Whether `presented` has the shape of a key (prefix, length, alphabet); no lookup.
  static bool WellFormed(std::string_view presented);

 private:
  struct Entry {
    std::optional<ApiKey> key;  // nullopt: unknown (negative entry)
    int64_t loaded_at = 0;      // micros
    bool refreshing = false;
    double tokens = 0;
    int64_t refilled_at = 0;    // micros
  };
  // Reads the key with this hash: nullopt when there is none.
  Result<std::optional<ApiKey>> Load(const std::string& hash);
  Check Take(Entry& entry, int64_t now);  // the bucket, under mu_
  // Over the lookup budget: the answer from the whole table, read at most once a second.
  Check FromWholeTable(const std::string& hash, int64_t now);

  storage::Database& db_;
  const Clock& clock_;
  ApiKeyStoreOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> keys_;      // by SHA-256 hex: known keys (live or revoked)
  std::unordered_map<std::string, int64_t> unknown_;  // by SHA-256 hex: when the miss was recorded
  double miss_tokens_ = 0;
  int64_t miss_refilled_at_ = 0;
  bool reloading_ = false;      // a whole-table read is running
  int64_t reloaded_at_ = INT64_MIN / 2;  // micros of the last whole-table read
};

const char* VerdictName(ApiKeyStore::Verdict verdict);  // "ok", "missing", "invalid", "over_quota", "unavailable"

}  // namespace tribune::interop
