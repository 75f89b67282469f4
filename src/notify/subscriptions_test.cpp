// SubscriptionService on a real SQLite database: what Subscribe stores and refuses (nothing is stored after a
// refusal), replacing by endpoint, the per-account cap, ChangeTopics, Unsubscribe, Remove, RemoveAll.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/random.hpp"
#include "notify/push.hpp"
#include "support/temp_database.hpp"

namespace tribune::notify {
namespace {

using std::chrono::seconds;

struct Keys {
  std::string p256dh;
  std::string auth;
};

Keys FreshKeys() {
  auto kp = GenerateKeyPair();
  EXPECT_TRUE(kp.ok());
  return {Base64UrlEncode(kp->public_key), RandomToken(16)};
}

class SubscriptionsTest : public ::testing::Test {
 protected:
  SubscriptionsTest() { InitCrypto(); }

  SubscriptionOptions Options() {
    SubscriptionOptions o;
    o.languages = {"en", "fr"};
    o.max_per_account = 3;
    o.article_exists = [](int64_t id) { return id != 404; };
    return o;
  }

  SubscriptionInput Input(const std::string& endpoint, std::vector<std::string> topics,
                          std::optional<int64_t> account = std::nullopt) {
    Keys k = FreshKeys();
    SubscriptionInput in;
    in.endpoint = endpoint;
    in.p256dh = k.p256dh;
    in.auth = k.auth;
    in.topics = std::move(topics);
    in.account_id = account;
    return in;
  }

  Subscription MustSubscribe(const SubscriptionInput& in) {
    auto r = service_.Subscribe(in);
    EXPECT_TRUE(r.ok()) << in.endpoint << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Subscription{};
  }

  std::set<std::string> TopicsOf(const std::string& endpoint) {
    auto rows = tmp_.db().Read(
        "SELECT t.topic FROM push_topics t JOIN push_subscriptions s ON s.id = t.subscription_id WHERE s.endpoint = $1",
        {endpoint});
    EXPECT_TRUE(rows.ok());
    std::set<std::string> out;
    for (const auto& r : *rows) out.insert(r.Text(0));
    return out;
  }

  std::string Column(const std::string& column, const std::string& endpoint) {
    auto rows = tmp_.db().Read("SELECT COALESCE(CAST(" + column + " AS TEXT), 'NULL') FROM push_subscriptions"
                               " WHERE endpoint = $1", {endpoint});
    EXPECT_TRUE(rows.ok());
    return rows->empty() ? "<none>" : (*rows)[0].Text(0);
  }

  int64_t Subscriptions() { return tmp_.Count("SELECT COUNT(*) FROM push_subscriptions"); }
  int64_t Topics() { return tmp_.Count("SELECT COUNT(*) FROM push_topics"); }

  // A pending delivery for the subscription (as PushOutbox would queue it).
  void QueueFor(int64_t subscription_id) {
    static int64_t message = 1000;
    ++message;
    tmp_.Exec("INSERT INTO push_messages (id, message_key, payload, ttl_seconds, urgency, created_at)"
              " VALUES ($1, $2, '{}', 60, 'normal', 0)",
              {message, "k" + std::to_string(message)});
    tmp_.Exec("INSERT INTO push_deliveries (message_id, subscription_id, next_attempt_at) VALUES ($1, $2, 0)",
              {message, subscription_id});
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_{clock_};
  SubscriptionService service_{tmp_.db(), clock_, ids_, Options()};
};

constexpr const char* kE1 = "https://fcm.googleapis.com/fcm/send/one";
constexpr const char* kE2 = "https://updates.push.services.mozilla.com/wpush/v2/two";

TEST_F(SubscriptionsTest, SubscribeStoresEndpointKeysAndTopics) {
  SubscriptionInput in = Input(kE1, {"breaking:en", "article:7", "breaking:en"});
  in.language = "fr";
  Subscription s = MustSubscribe(in);
  EXPECT_GT(s.id, 0);
  EXPECT_EQ(s.endpoint, kE1);
  EXPECT_EQ(s.origin, "https://fcm.googleapis.com");
  EXPECT_FALSE(s.account_id.has_value());
  EXPECT_EQ(s.language, "fr");
  EXPECT_EQ(s.topics, (std::vector<std::string>{"article:7", "breaking:en"}));
  EXPECT_EQ(s.created_at, clock_.NowMicros());
  EXPECT_FALSE(s.last_success_at.has_value());
  EXPECT_EQ(Column("p256dh", kE1), in.p256dh);
  EXPECT_EQ(Column("auth", kE1), in.auth);
  EXPECT_EQ(Column("origin", kE1), "https://fcm.googleapis.com");
  EXPECT_EQ(Column("account_id", kE1), "NULL");
  EXPECT_EQ(TopicsOf(kE1), (std::set<std::string>{"article:7", "breaking:en"}));
  EXPECT_EQ(Subscriptions(), 1);
  EXPECT_EQ(Topics(), 2);
  // An unknown language falls back to the site's first.
  SubscriptionInput other = Input(kE2, {"breaking:fr"});
  other.language = "xx";
  EXPECT_EQ(MustSubscribe(other).language, "en");
}

TEST_F(SubscriptionsTest, SubscribingAgainReplacesKeysTopicsAndAccount) {
  Subscription first = MustSubscribe(Input(kE1, {"breaking:en", "article:5"}, 1));
  clock_.Advance(seconds(30));
  SubscriptionInput again = Input(kE1, {"replies"}, 2);
  Subscription second = MustSubscribe(again);
  EXPECT_EQ(second.id, first.id) << "the endpoint is the identity";
  EXPECT_EQ(second.account_id, 2);
  EXPECT_EQ(second.created_at, first.created_at);
  EXPECT_EQ(second.updated_at, clock_.NowMicros());
  EXPECT_EQ(Subscriptions(), 1);
  EXPECT_EQ(Column("p256dh", kE1), again.p256dh);
  EXPECT_EQ(Column("auth", kE1), again.auth);
  EXPECT_EQ(Column("account_id", kE1), "2");
  EXPECT_EQ(TopicsOf(kE1), (std::set<std::string>{"replies"}));
  EXPECT_EQ(Topics(), 1);
  // Anonymous again: the account goes.
  MustSubscribe(Input(kE1, {"breaking:en"}));
  EXPECT_EQ(Column("account_id", kE1), "NULL");
  EXPECT_EQ(service_.ForAccount(2)->size(), 0u);
}

TEST_F(SubscriptionsTest, RefusedSubscriptionsStoreNothing) {
  const SubscriptionInput stored = Input(kE1, {"breaking:en"}, 1);
  MustSubscribe(stored);
  auto kp = GenerateKeyPair();
  ASSERT_TRUE(kp.ok());
  std::string off_curve = kp->public_key;
  off_curve[64] = static_cast<char>(off_curve[64] ^ 0x01);
  std::string not_uncompressed = kp->public_key;
  not_uncompressed[0] = 0x05;

  struct Case {
    const char* what;
    std::function<void(SubscriptionInput&)> spoil;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"endpoint http", [](auto& in) { in.endpoint = "http://push.example.com/x"; }, ErrorCode::kBadRequest},
      {"endpoint private", [](auto& in) { in.endpoint = "https://10.0.0.1/x"; }, ErrorCode::kBadRequest},
      {"endpoint empty", [](auto& in) { in.endpoint = ""; }, ErrorCode::kBadRequest},
      {"p256dh 64 bytes", [&](auto& in) { in.p256dh = Base64UrlEncode(kp->public_key.substr(0, 64)); },
       ErrorCode::kBadRequest},
      {"p256dh 66 bytes", [&](auto& in) { in.p256dh = Base64UrlEncode(kp->public_key + "x"); }, ErrorCode::kBadRequest},
      {"p256dh prefix 0x05", [&](auto& in) { in.p256dh = Base64UrlEncode(not_uncompressed); }, ErrorCode::kBadRequest},
      {"p256dh off the curve", [&](auto& in) { in.p256dh = Base64UrlEncode(off_curve); }, ErrorCode::kBadRequest},
      {"p256dh zeros", [](auto& in) { in.p256dh = Base64UrlEncode("\x04" + std::string(64, '\0')); },
       ErrorCode::kBadRequest},
      {"p256dh base64 with +/", [&](auto& in) {
         std::string b = Base64UrlEncode(kp->public_key);
         for (char& c : b) c = c == '-' ? '+' : c == '_' ? '/' : c;
         in.p256dh = b + "+/";
       }, ErrorCode::kBadRequest},
      {"p256dh padded", [&](auto& in) { in.p256dh = Base64UrlEncode(kp->public_key) + "="; }, ErrorCode::kBadRequest},
      {"p256dh garbage", [](auto& in) { in.p256dh = "not a key!"; }, ErrorCode::kBadRequest},
      {"p256dh empty", [](auto& in) { in.p256dh = ""; }, ErrorCode::kBadRequest},
      {"auth 15 bytes", [](auto& in) { in.auth = RandomToken(15); }, ErrorCode::kBadRequest},
      {"auth 17 bytes", [](auto& in) { in.auth = RandomToken(17); }, ErrorCode::kBadRequest},
      {"auth garbage", [](auto& in) { in.auth = "***"; }, ErrorCode::kBadRequest},
      {"auth empty", [](auto& in) { in.auth = ""; }, ErrorCode::kBadRequest},
      {"breaking of no edition", [](auto& in) { in.topics = {"breaking:xx"}; }, ErrorCode::kBadRequest},
      {"breaking of nothing", [](auto& in) { in.topics = {"breaking:"}; }, ErrorCode::kBadRequest},
      {"article:0", [](auto& in) { in.topics = {"article:0"}; }, ErrorCode::kBadRequest},
      {"article:007", [](auto& in) { in.topics = {"article:007"}; }, ErrorCode::kBadRequest},
      {"article:abc", [](auto& in) { in.topics = {"article:abc"}; }, ErrorCode::kBadRequest},
      {"article:-1", [](auto& in) { in.topics = {"article:-1"}; }, ErrorCode::kBadRequest},
      {"article:", [](auto& in) { in.topics = {"article:"}; }, ErrorCode::kBadRequest},
      {"article huge", [](auto& in) { in.topics = {"article:99999999999999999999"}; }, ErrorCode::kBadRequest},
      {"unknown topic", [](auto& in) { in.topics = {"everything"}; }, ErrorCode::kBadRequest},
      {"replies with a space", [](auto& in) { in.topics = {"replies "}; }, ErrorCode::kBadRequest},
      {"one bad among good", [](auto& in) { in.topics = {"breaking:en", "bogus"}; }, ErrorCode::kBadRequest},
      {"33 topics", [](auto& in) {
         in.topics.clear();
         for (int i = 1; i <= 33; ++i) in.topics.push_back("article:" + std::to_string(i));
       }, ErrorCode::kBadRequest},
      {"no topics", [](auto& in) { in.topics.clear(); }, ErrorCode::kBadRequest},
      {"replies without an account", [](auto& in) {
         in.topics = {"replies"};
         in.account_id.reset();
       }, ErrorCode::kUnauthenticated},
      {"article of no article", [](auto& in) { in.topics = {"breaking:en", "article:404"}; }, ErrorCode::kNotFound},
  };
  for (const auto& c : cases) {
    for (const char* endpoint : {kE1, kE2}) {  // replacing the stored one, and a new one
      SubscriptionInput in = Input(endpoint, {"breaking:fr", "article:9"}, 2);
      c.spoil(in);
      auto r = service_.Subscribe(in);
      ASSERT_FALSE(r.ok()) << c.what << " accepted for " << endpoint;
      EXPECT_EQ(r.error().code, c.code) << c.what << ": " << r.error().message;
      EXPECT_EQ(Subscriptions(), 1) << c.what;
      EXPECT_EQ(Topics(), 1) << c.what;
      EXPECT_EQ(Column("p256dh", kE1), stored.p256dh) << c.what;
      EXPECT_EQ(Column("account_id", kE1), "1") << c.what;
      EXPECT_EQ(TopicsOf(kE1), (std::set<std::string>{"breaking:en"})) << c.what;
    }
  }
  // 32 topics is the cap, not over it.
  SubscriptionInput many = Input(kE2, {});
  for (int i = 1; i <= 32; ++i) many.topics.push_back("article:" + std::to_string(i));
  MustSubscribe(many);
  EXPECT_EQ(TopicsOf(kE2).size(), 32u);
}

TEST_F(SubscriptionsTest, AnAccountKeepsItsMostRecentlyUpdatedDevices) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(MustSubscribe(Input("https://push.example.com/d" + std::to_string(i), {"replies"}, 7)).id);
    clock_.Advance(seconds(1));
  }
  MustSubscribe(Input("https://push.example.com/other", {"replies"}, 8));
  MustSubscribe(Input("https://push.example.com/anon", {"breaking:en"}));
  QueueFor(ids[0]);
  QueueFor(ids[1]);
  // d0 renews: d1 is now the least recently updated.
  clock_.Advance(seconds(1));
  MustSubscribe(Input("https://push.example.com/d0", {"replies"}, 7));
  clock_.Advance(seconds(1));
  Subscription d3 = MustSubscribe(Input("https://push.example.com/d3", {"replies", "breaking:en"}, 7));
  auto mine = service_.ForAccount(7);
  ASSERT_TRUE(mine.ok());
  std::vector<std::string> endpoints;
  for (const auto& s : *mine) endpoints.push_back(s.endpoint);
  EXPECT_EQ(endpoints, (std::vector<std::string>{"https://push.example.com/d3", "https://push.example.com/d0",
                                                 "https://push.example.com/d2"}))
      << "newest first, d1 dropped";
  EXPECT_EQ((*mine)[0].topics, (std::vector<std::string>{"breaking:en", "replies"}));
  EXPECT_EQ((*mine)[0].id, d3.id);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_topics WHERE subscription_id = " + std::to_string(ids[1])), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries WHERE subscription_id = " + std::to_string(ids[1])), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries WHERE subscription_id = " + std::to_string(ids[0])), 1);
  EXPECT_EQ(service_.ForAccount(8)->size(), 1u);
  EXPECT_EQ(Subscriptions(), 5);
}

TEST_F(SubscriptionsTest, ChangeTopicsAddsAndRemoves) {
  Subscription s = MustSubscribe(Input(kE1, {"breaking:en", "article:5"}));
  clock_.Advance(seconds(10));
  auto changed = service_.ChangeTopics(kE1, {"article:6", "breaking:fr"}, {"breaking:en", "article:77"}, std::nullopt);
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ(changed->id, s.id);
  EXPECT_EQ(changed->topics, (std::vector<std::string>{"article:5", "article:6", "breaking:fr"}));
  EXPECT_EQ(changed->updated_at, clock_.NowMicros());
  EXPECT_EQ(TopicsOf(kE1), (std::set<std::string>{"article:5", "article:6", "breaking:fr"}));
  // 'replies' needs an account; a signed-in caller's account becomes the subscription's.
  auto anon = service_.ChangeTopics(kE1, {"replies"}, {}, std::nullopt);
  ASSERT_FALSE(anon.ok());
  EXPECT_EQ(anon.error().code, ErrorCode::kUnauthenticated);
  auto signed_in = service_.ChangeTopics(kE1, {"replies"}, {}, 3);
  ASSERT_TRUE(signed_in.ok()) << signed_in.error().message;
  EXPECT_EQ(signed_in->account_id, 3);
  EXPECT_EQ(Column("account_id", kE1), "3");
  EXPECT_EQ(TopicsOf(kE1).count("replies"), 1u);
}

TEST_F(SubscriptionsTest, RefusedTopicChangesChangeNothing) {
  MustSubscribe(Input(kE1, {"breaking:en", "article:5"}));
  const std::string updated = Column("updated_at", kE1);
  clock_.Advance(seconds(10));
  struct Case {
    const char* what;
    std::string endpoint;
    std::vector<std::string> add, remove;
    ErrorCode code;
  };
  std::vector<std::string> too_many;
  for (int i = 100; i < 131; ++i) too_many.push_back("article:" + std::to_string(i));
  const std::vector<Case> cases = {
      {"unknown endpoint", kE2, {"article:6"}, {}, ErrorCode::kNotFound},
      {"empty endpoint", "", {"article:6"}, {}, ErrorCode::kBadRequest},
      {"bad topic", kE1, {"article:abc"}, {"breaking:en"}, ErrorCode::kBadRequest},
      {"no edition", kE1, {"breaking:xx"}, {}, ErrorCode::kBadRequest},
      {"no article", kE1, {"article:404"}, {"breaking:en"}, ErrorCode::kNotFound},
      {"replies anonymously", kE1, {"replies"}, {}, ErrorCode::kUnauthenticated},
      {"over 32 topics", kE1, too_many, {}, ErrorCode::kBadRequest},
  };
  for (const auto& c : cases) {
    auto r = service_.ChangeTopics(c.endpoint, c.add, c.remove, std::nullopt);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.error().code, c.code) << c.what << ": " << r.error().message;
    EXPECT_EQ(TopicsOf(kE1), (std::set<std::string>{"article:5", "breaking:en"})) << c.what;
    EXPECT_EQ(Column("updated_at", kE1), updated) << c.what;
    EXPECT_EQ(Column("account_id", kE1), "NULL") << c.what;
    EXPECT_EQ(Subscriptions(), 1) << c.what;
    EXPECT_EQ(Topics(), 2) << c.what;
  }
}

TEST(SubscriptionLimit, AnAddressMayStoreSoManyAnHourAndIPv6CountsPerSlash64) {
  InitCrypto();
  tribune::testing::TempDatabase tmp;
  FakeClock clock(1'700'000'000'000'000);
  IdGenerator ids(clock);
  SubscriptionOptions options;
  options.per_address_hour = 2;
  SubscriptionService service(tmp.db(), clock, ids, options);
  int n = 0;
  auto subscribe = [&](const std::string& address) {
    auto k = GenerateKeyPair();
    SubscriptionInput in;
    in.endpoint = "https://push.example.com/limit-" + std::to_string(++n);
    in.p256dh = Base64UrlEncode(k->public_key);
    in.auth = Base64UrlEncode(std::string(16, 'a'));
    in.topics = {"breaking:en"};
    in.client_address = address;
    return service.Subscribe(in);
  };
  ASSERT_TRUE(subscribe("2001:db8:1:2::10").ok());
  ASSERT_TRUE(subscribe("2001:db8:1:2:ffff::99").ok());
  auto third = subscribe("2001:db8:1:2:abcd::1");  // the same /64
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kRateLimited);
  EXPECT_EQ(third.error().retry_after_seconds, 3600);
  EXPECT_TRUE(subscribe("2001:db8:1:3::1").ok()) << "another /64";
  EXPECT_TRUE(subscribe("198.51.100.7").ok());
  EXPECT_TRUE(subscribe("").ok()) << "no address: not limited";
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM push_subscriptions"), 5);
  clock.Advance(std::chrono::seconds(3601));
  EXPECT_TRUE(subscribe("2001:db8:1:2::10").ok()) << "an hour later";
}

// Two servers sharing the database (shared_limit: counted in rate_events) share the per-address count. On PostgreSQL
// (TRIBUNE_TEST_POSTGRES) the second has its own connection, as another process would; SQLite's one Database is
// shared.
TEST(SubscriptionLimit, ServersSharingTheDatabaseShareTheCount) {
  InitCrypto();
  tribune::testing::TempDatabase tmp;
  std::unique_ptr<storage::Database> second_db;
  if (!tmp.url().empty()) {
    auto db = storage::OpenPostgres({.url = tmp.url(), .read_connections = 1});
    ASSERT_TRUE(db.ok()) << db.error().message;
    second_db = std::move(db).value();
  }
  FakeClock clock(1'700'000'000'000'000);
  IdGenerator ids(clock);
  SubscriptionOptions options;
  options.per_address_hour = 3;
  options.shared_limit = true;
  SubscriptionService one(tmp.db(), clock, ids, options);
  SubscriptionService two(second_db ? *second_db : tmp.db(), clock, ids, options);
  int n = 0;
  auto subscribe = [&](SubscriptionService& service, const std::string& address) {
    auto k = GenerateKeyPair();
    SubscriptionInput in;
    in.endpoint = "https://push.example.com/shared-" + std::to_string(++n);
    in.p256dh = Base64UrlEncode(k->public_key);
    in.auth = Base64UrlEncode(std::string(16, 'a'));
    in.topics = {"breaking:en"};
    in.client_address = address;
    return service.Subscribe(in);
  };
  auto rows = [&](const std::string& bucket) {
    return tmp.Count("SELECT COUNT(*) FROM rate_events WHERE bucket = '" + bucket + "'");
  };
  ASSERT_TRUE(subscribe(one, "2001:db8:1:2::10").ok());
  clock.Advance(seconds(600));
  ASSERT_TRUE(subscribe(two, "2001:db8:1:2:ffff::99").ok());
  ASSERT_TRUE(subscribe(one, "2001:db8:1:2::7").ok());
  EXPECT_EQ(rows("push:2001:db8:1:2::/64"), 3);
  for (SubscriptionService* s : {&one, &two}) {
    auto refused = subscribe(*s, "2001:db8:1:2:abcd::1");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kRateLimited);
    EXPECT_EQ(refused.error().retry_after_seconds, 3000) << "the first leaves an hour after it came";
  }
  EXPECT_TRUE(subscribe(two, "2001:db8:1:3::1").ok()) << "another /64";
  EXPECT_TRUE(subscribe(two, "").ok()) << "no address: not limited";
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM push_subscriptions"), 5);
  EXPECT_EQ(rows("push:2001:db8:1:2::/64"), 3) << "refusals count nothing";
  // Garbage is stored as a digest; an hour later the expired rows go.
  ASSERT_TRUE(subscribe(one, std::string(100'000, 'z')).ok());
  ASSERT_TRUE(subscribe(one, std::string("x\0\xff", 3)).ok());
  EXPECT_EQ(tmp.Count("SELECT MAX(LENGTH(bucket)) FROM rate_events"), 5 + 1 + 64);
  tmp.Exec("INSERT INTO rate_events (bucket, at) VALUES ('login:account:ann@example.org', $1)", {clock.NowMicros()});
  clock.Advance(seconds(3000));
  EXPECT_TRUE(subscribe(two, "2001:db8:1:2:abcd::1").ok()) << "the first left the window";
  EXPECT_EQ(rows("push:2001:db8:1:2::/64"), 3) << "its row was pruned, the new one counted";
  clock.Advance(seconds(3600));
  ASSERT_TRUE(subscribe(one, "198.51.100.7").ok());  // server one sweeps: an hour since its first sweep
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM rate_events WHERE substr(bucket, 1, 5) = 'push:'"), 1);
  EXPECT_EQ(rows("login:account:ann@example.org"), 1) << "other limits' rows are left alone";
}

TEST_F(SubscriptionsTest, RemovingEveryTopicEndsTheSubscription) {
  Subscription sub = MustSubscribe(Input(kE1, {"breaking:en", "article:5"}, 1));
  QueueFor(sub.id);
  auto r = service_.ChangeTopics(kE1, {}, {"breaking:en", "article:5"}, std::nullopt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->topics.empty());
  EXPECT_EQ(Subscriptions(), 0);
  EXPECT_EQ(Topics(), 0);
}

TEST_F(SubscriptionsTest, MergingKeepsTheStoredTopics) {
  MustSubscribe(Input(kE1, {"breaking:en"}, 1));
  SubscriptionInput in = Input(kE1, {"article:5"}, 1);
  in.merge = true;
  auto r = service_.Subscribe(in);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(TopicsOf(kE1), (std::set<std::string>{"article:5", "breaking:en"}));
  in.merge = false;
  ASSERT_TRUE(service_.Subscribe(in).ok());
  EXPECT_EQ(TopicsOf(kE1), (std::set<std::string>{"article:5"}));
}

TEST_F(SubscriptionsTest, UnsubscribeDeletesTheSubscriptionItsTopicsAndWhatIsQueued) {
  Subscription gone = MustSubscribe(Input(kE1, {"breaking:en", "article:5"}, 1));
  Subscription kept = MustSubscribe(Input(kE2, {"breaking:en"}, 1));
  QueueFor(gone.id);
  QueueFor(gone.id);
  QueueFor(kept.id);
  auto r = service_.Unsubscribe(kE1);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_EQ(Subscriptions(), 1);
  EXPECT_EQ(Topics(), 1);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries"), 1);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries WHERE subscription_id = " + std::to_string(kept.id)), 1);
  auto again = service_.Unsubscribe(kE1);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "idempotent";
  EXPECT_EQ(service_.Unsubscribe("").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_.Unsubscribe(std::string(5000, 'a')).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(Subscriptions(), 1);
}

TEST_F(SubscriptionsTest, RemoveDeletesOnlyTheOwnersDevice) {
  Subscription mine = MustSubscribe(Input(kE1, {"replies"}, 1));
  MustSubscribe(Input(kE2, {"replies"}, 2));
  QueueFor(mine.id);
  Status other = service_.Remove(2, mine.id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Subscriptions(), 2);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries"), 1);
  EXPECT_EQ(service_.Remove(1, 123456789).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(service_.Remove(1, mine.id).ok());
  EXPECT_EQ(Subscriptions(), 1);
  EXPECT_EQ(Topics(), 1);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries"), 0);
  EXPECT_EQ(service_.Remove(1, mine.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_.ForAccount(2)->size(), 1u);
}

TEST_F(SubscriptionsTest, RemoveAllDeletesEveryDeviceOfTheAccount) {
  Subscription a = MustSubscribe(Input("https://push.example.com/a1", {"replies"}, 1));
  MustSubscribe(Input("https://push.example.com/a2", {"replies", "breaking:en"}, 1));
  Subscription b = MustSubscribe(Input("https://push.example.com/b1", {"replies"}, 2));
  MustSubscribe(Input("https://push.example.com/anon", {"breaking:en"}));
  QueueFor(a.id);
  QueueFor(b.id);
  ASSERT_TRUE(tmp_.db().Write([](storage::Session& s) { return SubscriptionService::RemoveAll(s, 1); }).ok());
  EXPECT_EQ(service_.ForAccount(1)->size(), 0u);
  EXPECT_EQ(service_.ForAccount(2)->size(), 1u);
  EXPECT_EQ(Subscriptions(), 2);
  EXPECT_EQ(Topics(), 2);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries"), 1);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries WHERE subscription_id = " + std::to_string(b.id)), 1);
}

}  // namespace
}  // namespace tribune::notify
