// ModelKeeper on a real database: two keepers on one database stand for two servers.
#include "app/model_keeper.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/clock.hpp"
#include "support/temp_database.hpp"

namespace tribune::app {
namespace {

int64_t Updates(const ModelKeeper& k) { return static_cast<int64_t>(k.model()->Stats().updates); }

// Notifications arrive on the database's own thread: wait for the count (bounded), never for a fixed time.
bool WaitFor(const ModelKeeper& k, int64_t updates) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Updates(k) < updates) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(ModelKeeper, SharedKeepersLearnEveryServersDecisionsOnce) {
  testing::TempDatabase tmp;
  tmp.Exec("INSERT INTO comments (article_id, id, author_id, body, body_html, status, created_at)"
           " VALUES (1, 10, 1, 'buy cheap watches now', '', 'rejected', 0)");
  FakeClock clock(1'800'000'000'000'000);
  auto a = ModelKeeper::Open(tmp.db(), clock, "en");
  auto b = ModelKeeper::Open(tmp.db(), clock, "en");
  ASSERT_TRUE(a.ok() && b.ok());
  // Destroyed before the keepers: no notification reaches a keeper that is gone.
  struct StopListening {
    storage::Database& db;
    ~StopListening() { db.StopListening(); }
  } stop{tmp.db()};
  ASSERT_TRUE((*a)->Share().ok());
  ASSERT_TRUE((*b)->Share().ok());
  const int64_t before_a = Updates(**a), before_b = Updates(**b);
  (*a)->Learn(10, "buy cheap watches now", "spam_scheme");
  EXPECT_TRUE(WaitFor(**a, before_a + 1));
  EXPECT_TRUE(WaitFor(**b, before_b + 1)) << "the other server did not learn the decision";
  // Another edition's decision, a comment that is gone and garbage teach nothing.
  ASSERT_TRUE(tmp.db().Notify(kLearnChannel, "fr,10,ok").ok());
  ASSERT_TRUE(tmp.db().Notify(kLearnChannel, "en,999,ok").ok());
  ASSERT_TRUE(tmp.db().Notify(kLearnChannel, "en,x,ok").ok());
  ASSERT_TRUE(tmp.db().Notify(kLearnChannel, "en,10,").ok());
  (*b)->Learn(10, "buy cheap watches now", "ok");  // a marker: everything sent before it was handled
  EXPECT_TRUE(WaitFor(**a, before_a + 2));
  EXPECT_TRUE(WaitFor(**b, before_b + 2));
  EXPECT_EQ(Updates(**a), before_a + 2);
  EXPECT_EQ(Updates(**b), before_b + 2);
}

TEST(ModelKeeper, UnsharedKeeperLearnsAtOnceWithoutTheDatabase) {
  testing::TempDatabase tmp;
  FakeClock clock(1'800'000'000'000'000);
  auto k = ModelKeeper::Open(tmp.db(), clock, "en");
  ASSERT_TRUE(k.ok());
  const int64_t before = Updates(**k);
  (*k)->Learn(12345, "no such comment is needed", "ok");
  EXPECT_EQ(Updates(**k), before + 1);
}

}  // namespace
}  // namespace tribune::app
