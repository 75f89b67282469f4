#include "interop/api_keys.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <atomic>
#include <limits>
#include <thread>
#include <vector>

#include "common/random.hpp"
#include "support/temp_database.hpp"

namespace tribune::interop {
namespace {

using Verdict = ApiKeyStore::Verdict;
using std::chrono::milliseconds;
using std::chrono::seconds;

class ApiKeyStoreTest : public ::testing::Test {
 protected:
  ApiKeyStoreTest() { InitCrypto(); }
  int64_t Rows() { return db_.Count("SELECT count(*) FROM api_keys"); }
  tribune::testing::TempDatabase db_;
  FakeClock clock_;
  ApiKeyStore store_{db_.db(), clock_};
};

TEST_F(ApiKeyStoreTest, CreatedKeyAuthenticatesAndIsStoredOnlyHashed) {
  auto created = store_.Create("fr", "Coral at news.example", 0);
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string& secret = created->secret;
  EXPECT_EQ(secret.size(), ApiKeyStore::kKeyLength);
  EXPECT_EQ(secret.rfind("trb_", 0), 0u);
  EXPECT_TRUE(ApiKeyStore::WellFormed(secret));
  EXPECT_EQ(created->key.prefix, secret.substr(0, 8));
  EXPECT_GT(created->key.id, 0);
  // Only the hash is stored: the secret itself appears in no column.
  EXPECT_EQ(db_.Count("SELECT count(*) FROM api_keys WHERE key_hash = '" + Sha256Hex(secret) + "'"), 1);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM api_keys WHERE key_hash = '" + secret + "' OR label = '" + secret +
                      "' OR prefix = '" + secret + "'"),
            0);

  auto check = store_.Authenticate(secret);
  EXPECT_EQ(check.verdict, Verdict::kOk);
  EXPECT_EQ(check.key.id, created->key.id);
  EXPECT_EQ(check.key.edition, "fr");
  EXPECT_EQ(check.key.label, "Coral at news.example");
  EXPECT_EQ(check.key.created_at, clock_.NowMicros());

  // A second store (another server) finds it in the database.
  ApiKeyStore other(db_.db(), clock_);
  EXPECT_EQ(other.Authenticate(secret).verdict, Verdict::kOk);
  // Two keys are different.
  auto second = store_.Create("en", "", 5);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->secret, secret);
  EXPECT_EQ(store_.Authenticate(second->secret).key.edition, "en");
}

TEST_F(ApiKeyStoreTest, WrongEmptyGarbageAndHugeKeysAreRefused) {
  auto created = store_.Create("en", "x", 0);
  ASSERT_TRUE(created.ok());
  std::string wrong = created->secret;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(store_.Authenticate(wrong).verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate("").verdict, Verdict::kMissing);
  EXPECT_EQ(store_.Authenticate("test-key").verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate(created->secret.substr(0, 46)).verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate(created->secret + "A").verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate(" " + created->secret.substr(1)).verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate(std::string(1 << 20, 'a')).verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate(std::string("trb_") + std::string(42, 'a') + '\0').verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate(std::string("trb_") + std::string(42, 'a') + "=").verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate("' OR 1=1 --").verdict, Verdict::kInvalid);
  // The right key still works after all that.
  EXPECT_EQ(store_.Authenticate(created->secret).verdict, Verdict::kOk);
  EXPECT_STREQ(VerdictName(Verdict::kOverQuota), "over_quota");
}

TEST_F(ApiKeyStoreTest, RevokedKeyIsRefusedHereAtOnceAndElsewhereAfterTheRefresh) {
  auto created = store_.Create("en", "old", 0);
  ASSERT_TRUE(created.ok());
  ApiKeyStore other(db_.db(), clock_);  // another server that has already seen the key
  EXPECT_EQ(other.Authenticate(created->secret).verdict, Verdict::kOk);
  EXPECT_EQ(store_.Authenticate(created->secret).verdict, Verdict::kOk);

  clock_.Advance(seconds(5));
  ASSERT_TRUE(store_.Revoke(created->key.prefix).ok());
  EXPECT_EQ(store_.Authenticate(created->secret).verdict, Verdict::kInvalid);
  EXPECT_EQ(other.Authenticate(created->secret).verdict, Verdict::kOk);  // still cached there
  clock_.Advance(seconds(61));
  EXPECT_EQ(other.Authenticate(created->secret).verdict, Verdict::kInvalid);
  ApiKeyStore fresh(db_.db(), clock_);
  EXPECT_EQ(fresh.Authenticate(created->secret).verdict, Verdict::kInvalid);

  auto listed = store_.List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  ASSERT_TRUE((*listed)[0].revoked_at.has_value());
  const int64_t revoked_at = *(*listed)[0].revoked_at;
  // Revoking again (by id, by the whole key) changes nothing.
  clock_.Advance(seconds(5));
  EXPECT_TRUE(store_.Revoke(std::to_string(created->key.id)).ok());
  EXPECT_TRUE(store_.Revoke(created->secret).ok());
  EXPECT_EQ(*(*store_.List())[0].revoked_at, revoked_at);
}

TEST_F(ApiKeyStoreTest, RevokeByIdPrefixOrKeyAndUnknownOnes) {
  auto a = store_.Create("en", "a", 0);
  auto b = store_.Create("en", "b", 0);
  auto c = store_.Create("en", "c", 0);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(store_.Revoke("999999").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_.Revoke("trb_zzzz").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_.Revoke("").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_.Revoke("' OR 1=1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL"), 0);

  ASSERT_TRUE(store_.Revoke(std::to_string(a->key.id)).ok());
  ASSERT_TRUE(store_.Revoke(b->secret).ok());
  EXPECT_EQ(store_.Authenticate(a->secret).verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate(b->secret).verdict, Verdict::kInvalid);
  EXPECT_EQ(store_.Authenticate(c->secret).verdict, Verdict::kOk);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL"), 2);

  // Two live keys with one prefix: refused, neither revoked.
  db_.Exec("UPDATE api_keys SET prefix = 'trb_same' WHERE id IN ($1, $2)", {a->key.id, c->key.id});
  db_.Exec("UPDATE api_keys SET revoked_at = NULL WHERE id = $1", {a->key.id});
  EXPECT_EQ(store_.Revoke("trb_same").error().code, ErrorCode::kConflict);
  EXPECT_EQ(db_.Count("SELECT count(*) FROM api_keys WHERE revoked_at IS NOT NULL"), 1);
}

TEST_F(ApiKeyStoreTest, QuotaIsATokenBucketOnTheInjectedClock) {
  auto one = store_.Create("en", "one per second", 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(store_.Authenticate(one->secret).verdict, Verdict::kOk);
  auto over = store_.Authenticate(one->secret);
  EXPECT_EQ(over.verdict, Verdict::kOverQuota);
  EXPECT_GE(over.retry_after_seconds, 1);
  EXPECT_EQ(over.key.id, one->key.id);
  clock_.Advance(milliseconds(500));
  EXPECT_EQ(store_.Authenticate(one->secret).verdict, Verdict::kOverQuota);
  clock_.Advance(milliseconds(500));
  EXPECT_EQ(store_.Authenticate(one->secret).verdict, Verdict::kOk);
  EXPECT_EQ(store_.Authenticate(one->secret).verdict, Verdict::kOverQuota);
  // A long pause does not bank more than the capacity (max(1, qps) = 1).
  clock_.Advance(seconds(100));
  EXPECT_EQ(store_.Authenticate(one->secret).verdict, Verdict::kOk);
  EXPECT_EQ(store_.Authenticate(one->secret).verdict, Verdict::kOverQuota);

  // qps 10: a burst of 10, then 1 per 100 ms; a fractional quota waits several seconds.
  auto ten = store_.Create("en", "", 10);
  auto slow = store_.Create("en", "", 0.25);
  ASSERT_TRUE(ten.ok() && slow.ok());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(store_.Authenticate(ten->secret).verdict, Verdict::kOk) << i;
  EXPECT_EQ(store_.Authenticate(ten->secret).verdict, Verdict::kOverQuota);
  clock_.Advance(milliseconds(100));
  EXPECT_EQ(store_.Authenticate(ten->secret).verdict, Verdict::kOk);
  EXPECT_EQ(store_.Authenticate(slow->secret).verdict, Verdict::kOk);
  auto wait = store_.Authenticate(slow->secret);
  EXPECT_EQ(wait.verdict, Verdict::kOverQuota);
  EXPECT_EQ(wait.retry_after_seconds, 4);

  // qps 0: unlimited.
  auto unlimited = store_.Create("en", "", 0);
  ASSERT_TRUE(unlimited.ok());
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(store_.Authenticate(unlimited->secret).verdict, Verdict::kOk) << i;
}

TEST_F(ApiKeyStoreTest, BucketSurvivesTheRefresh) {
  ApiKeyStore store(db_.db(), clock_, ApiKeyStoreOptions{.refresh_seconds = 1});
  auto slow = store.Create("en", "", 0.25);
  ASSERT_TRUE(slow.ok());
  EXPECT_EQ(store.Authenticate(slow->secret).verdict, Verdict::kOk);
  clock_.Advance(seconds(1));  // re-read from the database, and only a quarter token back
  EXPECT_EQ(store.Authenticate(slow->secret).verdict, Verdict::kOverQuota);
  clock_.Advance(seconds(3));
  EXPECT_EQ(store.Authenticate(slow->secret).verdict, Verdict::kOk);
}

TEST_F(ApiKeyStoreTest, BadCreateInputsStoreNothing) {
  EXPECT_EQ(store_.Create("", "x", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("e", "x", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("EN", "x", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en-gb", "x", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("abcdefghi", "x", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en'--", "x", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en", std::string(101, 'x'), 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en", "tab\there", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en", "new\nline", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en", "del\x7f", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en", "c1 \xc2\x85", 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en", "x", -1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en", "x", 1e6 + 1).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en", "x", std::nan("")).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(store_.Create("en", "x", std::numeric_limits<double>::infinity()).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(Rows(), 0);
  // The limits themselves are fine.
  EXPECT_TRUE(store_.Create("abcdefgh", std::string(100, 'x'), 1e6).ok());
  EXPECT_TRUE(store_.Create("en", "Café — ünïcode", 0).ok());
  EXPECT_EQ(Rows(), 2);
  auto listed = store_.List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].edition, "abcdefgh");
  EXPECT_EQ((*listed)[0].qps, 1e6);
  EXPECT_EQ((*listed)[1].label, "Café — ünïcode");
  EXPECT_FALSE((*listed)[1].revoked_at.has_value());
  EXPECT_LT((*listed)[0].id, (*listed)[1].id);
}

TEST_F(ApiKeyStoreTest, AFloodOfUnknownKeysDoesNotBecomeAFloodOfQueriesNorLocksRealKeysOut) {
  // A budget that does not refill within the test: past it only the whole-table read remains.
  ApiKeyStore store(db_.db(), clock_, ApiKeyStoreOptions{.miss_burst = 5, .miss_per_second = 1e-9});
  // The same wrong key again and again: one lookup, then the negative cache.
  const std::string wrong = "trb_" + RandomToken(32);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(store.Authenticate(wrong).verdict, Verdict::kInvalid) << i;
  // Random keys: four more lookups spend the budget; the next reads the whole table once.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(store.Authenticate("trb_" + RandomToken(32)).verdict, Verdict::kInvalid);
  // A real key created meanwhile on another server: within the same second nothing is read again (the proof
  // that the flood asks the database nothing more) …
  ApiKeyStore other(db_.db(), clock_);
  auto created = other.Create("en", "", 0);
  ASSERT_TRUE(created.ok());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(store.Authenticate("trb_" + RandomToken(32)).verdict, Verdict::kInvalid);
  EXPECT_EQ(store.Authenticate(created->secret).verdict, Verdict::kInvalid);
  // … and a second later the next whole-table read lets it in, while the flood goes on and the budget is spent.
  clock_.Advance(seconds(1));
  EXPECT_EQ(store.Authenticate(created->secret).verdict, Verdict::kOk);
  EXPECT_EQ(store.Authenticate("trb_" + RandomToken(32)).verdict, Verdict::kInvalid);
  EXPECT_EQ(store.Authenticate(wrong).verdict, Verdict::kInvalid);
  EXPECT_EQ(store.Authenticate(created->secret).verdict, Verdict::kOk);  // from memory
  // A revoked key read by the whole-table path stays refused.
  ASSERT_TRUE(other.Revoke(created->key.prefix).ok());
  clock_.Advance(seconds(61));
  EXPECT_EQ(store.Authenticate(created->secret).verdict, Verdict::kInvalid);
}

TEST_F(ApiKeyStoreTest, DatabaseDownServesKnownKeysAndRefusesUnknownOnesAsUnavailable) {
  auto key = store_.Create("en", "", 0);
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(store_.Authenticate(key->secret).verdict, Verdict::kOk);
  db_.Exec("DROP TABLE api_keys");  // every query now fails
  clock_.Advance(seconds(61));  // the refresh fails: the key stays as it was known
  EXPECT_EQ(store_.Authenticate(key->secret).verdict, Verdict::kOk);
  EXPECT_EQ(store_.Authenticate(key->secret).verdict, Verdict::kOk);
  auto unknown = store_.Authenticate("trb_" + RandomToken(32));
  EXPECT_EQ(unknown.verdict, Verdict::kUnavailable);
  EXPECT_GE(unknown.retry_after_seconds, 1);
  EXPECT_FALSE(store_.Create("en", "", 0).ok());
}

TEST_F(ApiKeyStoreTest, ConcurrentRequestsShareOneBucket) {
  auto key = store_.Create("en", "", 100);
  ASSERT_TRUE(key.ok());
  // 8 threads × 50 requests at one instant, the first of them a miss: exactly the capacity (100) pass.
  std::atomic<int> ok{0}, over{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        switch (store_.Authenticate(key->secret).verdict) {
          case Verdict::kOk: ++ok; break;
          case Verdict::kOverQuota: ++over; break;
          default: ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
  EXPECT_EQ(over.load(), 300);
  EXPECT_EQ(other.load(), 0);
}

}  // namespace
}  // namespace tribune::interop
