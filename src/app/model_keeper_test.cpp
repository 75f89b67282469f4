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

// A labelled example of interop_feedback (Coral, suggestscore), as interop::FeedbackStore writes it.
int64_t AddExample(testing::TempDatabase& tmp, const std::string& edition, const std::string& label,
                   const std::string& text, int64_t created_at) {
  tmp.Exec("INSERT INTO interop_feedback (edition, source, label, text, reference, created_at)"
           " VALUES ($1, 'coral', $2, $3, '', $4)",
           {edition, label, text, created_at});
  auto rows = tmp.db().Read("SELECT max(id) FROM interop_feedback");
  return rows.ok() ? (*rows)[0].Int(0) : -1;
}

TEST(ModelKeeper, SharedKeepersLearnEveryServersExamplesOnce) {
  testing::TempDatabase tmp;
  FakeClock clock(1'800'000'000'000'000);
  auto a = ModelKeeper::Open(tmp.db(), clock, "en");
  auto b = ModelKeeper::Open(tmp.db(), clock, "en");
  ASSERT_TRUE(a.ok() && b.ok());
  struct StopListening {
    storage::Database& db;
    ~StopListening() { db.StopListening(); }
  } stop{tmp.db()};
  ASSERT_TRUE((*a)->Share().ok());
  ASSERT_TRUE((*b)->Share().ok());
  const int64_t mine = AddExample(tmp, "en", "spam_scheme", "join my scheme", clock.NowMicros());
  const int64_t french = AddExample(tmp, "fr", "ok", "bonjour", clock.NowMicros());
  const int64_t before_a = Updates(**a), before_b = Updates(**b);
  (*a)->LearnExample(mine, "join my scheme", "spam_scheme");
  EXPECT_TRUE(WaitFor(**a, before_a + 1));
  EXPECT_TRUE(WaitFor(**b, before_b + 1)) << "the other server did not learn the example";
  // Another edition's example is learned too (the interop engines of every edition share the site's model);
  // one that is gone, and garbage, teach nothing.
  ASSERT_TRUE(tmp.db().Notify(kLearnChannel, "en,f" + std::to_string(french) + ",ok").ok());
  ASSERT_TRUE(tmp.db().Notify(kLearnChannel, "en,f999999,ok").ok());
  ASSERT_TRUE(tmp.db().Notify(kLearnChannel, "en,f,ok").ok());
  ASSERT_TRUE(tmp.db().Notify(kLearnChannel, "en,fx1,ok").ok());
  (*b)->LearnExample(mine, "join my scheme", "ok");  // a marker: everything sent before it was handled
  EXPECT_TRUE(WaitFor(**a, before_a + 3));
  EXPECT_TRUE(WaitFor(**b, before_b + 3));
  EXPECT_EQ(Updates(**a), before_a + 3);
  EXPECT_EQ(Updates(**b), before_b + 3);
}

TEST(ModelKeeper, UnsharedKeeperLearnsExamplesAtOnce) {
  testing::TempDatabase tmp;
  FakeClock clock(1'800'000'000'000'000);
  auto k = ModelKeeper::Open(tmp.db(), clock, "en");
  ASSERT_TRUE(k.ok());
  const int64_t before = Updates(**k);
  (*k)->LearnExample(12345, "no such row is needed", "ok");
  EXPECT_EQ(Updates(**k), before + 1);
}

TEST(ModelKeeper, CatchesUpWithExamplesAfterTheStoredCopy) {
  testing::TempDatabase tmp;
  FakeClock clock(1'800'000'000'000'000);
  AddExample(tmp, "en", "ok", "a fine comment", clock.NowMicros());
  AddExample(tmp, "en", "spam_scheme", "join my scheme", clock.NowMicros());
  AddExample(tmp, "en", "flood", "again", clock.NowMicros());  // behaviour: nothing for a text model
  // Another edition's key: the interop engines of every edition share the site's model, so it learns it too.
  AddExample(tmp, "fr", "ok", "bonjour", clock.NowMicros());
  {
    auto k = ModelKeeper::Open(tmp.db(), clock, "en");
    ASSERT_TRUE(k.ok());
    EXPECT_EQ((*k)->caught_up(), 3);  // and stored the model with them
  }
  clock.Advance(std::chrono::seconds(10));
  AddExample(tmp, "en", "hate", "a later example", clock.NowMicros());
  clock.Advance(std::chrono::seconds(10));
  auto k = ModelKeeper::Open(tmp.db(), clock, "en");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)->caught_up(), 1);  // only what came after the stored copy
}

}  // namespace
}  // namespace tribune::app

namespace tribune::app {
namespace {

TEST(ModelKeeper, DrainReturnsOnceEverythingAnnouncedBeforeItWasHeard) {
  testing::TempDatabase tmp;
  FakeClock clock(1'800'000'000'000'000);
  auto a = ModelKeeper::Open(tmp.db(), clock, "en");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE((*a)->Drain(std::chrono::milliseconds(1)));  // not shared: nothing to wait for
  struct StopListening {
    storage::Database& db;
    ~StopListening() { db.StopListening(); }
  } stop{tmp.db()};
  ASSERT_TRUE((*a)->Share().ok());
  const int64_t before = Updates(**a);
  for (int i = 0; i < 20; ++i) {
    const int64_t id = AddExample(tmp, "en", "ok", "a fine comment " + std::to_string(i), clock.NowMicros());
    (*a)->LearnExample(id, "a fine comment", "ok");
  }
  // No polling: when Drain returns true, every example announced before it has been learned.
  ASSERT_TRUE((*a)->Drain(std::chrono::seconds(30)));
  EXPECT_EQ(Updates(**a), before + 20);
}

}  // namespace
}  // namespace tribune::app
