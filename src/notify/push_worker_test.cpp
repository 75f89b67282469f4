// PushWorker on a real SQLite database with a scripted PushClient: outcomes (2xx, 404/410, 429 with Retry-After,
// 5xx backoff, other 4xx, the attempt cap, expired leases), the request it sends (headers, VAPID, a body the
// subscriber decrypts) and the per-origin cap while one push service hangs.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/random.hpp"
#include "notify/push.hpp"
#include "support/temp_database.hpp"

namespace tribune::notify {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr int64_t kSecond = 1'000'000;

// Records what it is given; answers per endpoint from a script (201 when the script is empty); holds the requests
// to `hold` origins unanswered until `release` says so.
class FakePushClient final : public PushClient {
 public:
  struct Event {
    char kind;  // 'S' submitted, 'A' answered
    int64_t delivery_id;
    std::string origin;
  };

  void Submit(PushRequest request) override {
    if (on_submit) on_submit(request);
    events.push_back({'S', request.delivery_id, request.origin});
    const size_t n = ++in_flight_[request.origin];
    max_per_origin[request.origin] = std::max(max_per_origin[request.origin], n);
    submitted.push_back(request);
    pending_.push_back(std::move(request));
    max_in_flight = std::max(max_in_flight, pending_.size());
  }

  std::vector<std::pair<int64_t, PushResponse>> Poll(std::chrono::milliseconds) override {
    ++polls_;
    const bool released = !release || release();
    if (polls_ > 100'000) gave_up = true;  // the test would hang: answer everything and let it fail
    std::vector<std::pair<int64_t, PushResponse>> out;
    std::deque<PushRequest> keep;
    for (auto& r : pending_) {
      if (hold.count(r.origin) != 0 && !released && !gave_up) {
        keep.push_back(std::move(r));
        continue;
      }
      PushResponse response{201, "", -1};
      auto& queue = script[r.endpoint];
      if (!queue.empty()) {
        response = queue.front();
        queue.pop_front();
      }
      if (gave_up) response = {0, "gave up", -1};
      events.push_back({'A', r.delivery_id, r.origin});
      --in_flight_[r.origin];
      ++answered[r.origin];
      out.emplace_back(r.delivery_id, response);
    }
    pending_ = std::move(keep);
    return out;
  }

  size_t InFlight() const override { return pending_.size(); }

  std::vector<PushRequest> To(const std::string& endpoint) const {
    std::vector<PushRequest> out;
    for (const auto& r : submitted) {
      if (r.endpoint == endpoint) out.push_back(r);
    }
    return out;
  }

  std::map<std::string, std::deque<PushResponse>> script;
  std::set<std::string> hold;
  std::function<bool()> release;
  std::function<void(const PushRequest&)> on_submit;
  std::vector<PushRequest> submitted;
  std::vector<Event> events;
  std::map<std::string, size_t> max_per_origin;
  std::map<std::string, size_t> answered;
  size_t max_in_flight = 0;
  bool gave_up = false;

 private:
  std::deque<PushRequest> pending_;
  std::map<std::string, size_t> in_flight_;
  int64_t polls_ = 0;
};

KeyPair MustKeys() {
  auto kp = GenerateKeyPair();
  if (!kp.ok()) throw std::runtime_error(kp.error().message);
  return *kp;
}

class PushWorkerTest : public ::testing::Test {
 protected:
  struct Subscriber {
    int64_t id = 0;
    std::string endpoint;
    KeyPair keys;
    std::string auth;  // raw 16 bytes
  };

  PushWorkerTest() { InitCrypto(); }

  Subscriber Subscribe(const std::string& endpoint, const std::string& topic = "breaking:en") {
    Subscriber s;
    s.endpoint = endpoint;
    s.keys = MustKeys();
    s.auth = Base64UrlDecode(RandomToken(16)).value();
    SubscriptionInput in;
    in.endpoint = endpoint;
    in.p256dh = Base64UrlEncode(s.keys.public_key);
    in.auth = Base64UrlEncode(s.auth);
    in.topics = {topic};
    auto r = subscriptions_.Subscribe(in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    s.id = r.ok() ? r->id : 0;
    return s;
  }

  PushMessage Message(const std::string& key) {
    PushMessage m;
    m.key = key;
    m.title = "Breaking news";
    m.body = "Something happened: \xC3\xA9t\xC3\xA9";
    m.url = "/articles/news";
    m.ttl_seconds = 7 * 86'400;  // longer than any clock move below, unless a test is about the TTL
    m.urgency = "high";
    m.topic = "breaking1";
    return m;
  }

  int64_t Enqueue(const PushMessage& m, const std::string& topic = "breaking:en") {
    int64_t id = 0;
    Status st = tmp_.db().Write([&](storage::Session& s) -> Status {
      TRIBUNE_ASSIGN(Enqueued e, outbox_.Enqueue(s, m, {topic}));
      id = e.message_id;
      return Ok{};
    });
    EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
    EXPECT_GT(id, 0);
    return id;
  }

  PushWorker& Worker(PushWorkerOptions options = {}) {
    if (!worker_) worker_ = std::make_unique<PushWorker>(tmp_.db(), clock_, signer_, client_, options);
    return *worker_;
  }

  PushStats Run() {
    auto r = Worker().RunOnce();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    EXPECT_FALSE(client_.gave_up) << "RunOnce kept polling requests that were never answered";
    return r.ok() ? *r : PushStats{};
  }

  // state, attempts, next_attempt_at, last_error of the subscription's delivery; empty when there is none.
  std::optional<storage::Row> Delivery(int64_t subscription_id) {
    auto rows = tmp_.db().Read("SELECT state, attempts, next_attempt_at, last_error FROM push_deliveries"
                               " WHERE subscription_id = $1", {subscription_id});
    EXPECT_TRUE(rows.ok());
    EXPECT_LE(rows->size(), 1u);
    if (rows->empty()) return std::nullopt;
    return (*rows)[0];
  }

  int64_t MessageCount(int64_t message_id, const std::string& column) {
    return tmp_.Count("SELECT " + column + " FROM push_messages WHERE id = " + std::to_string(message_id));
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_{clock_};
  SubscriptionService subscriptions_{tmp_.db(), clock_, ids_, SubscriptionOptions{}};
  PushOutbox outbox_{clock_, ids_};
  VapidSigner signer_{MustKeys(), "mailto:ops@example.com"};
  FakePushClient client_;
  std::unique_ptr<PushWorker> worker_;
};

bool Has(const std::vector<std::string>& headers, const std::string& header) {
  return std::find(headers.begin(), headers.end(), header) != headers.end();
}

TEST_F(PushWorkerTest, A201DeletesTheDeliveryAndCountsIt) {
  Subscriber s = Subscribe("https://push.example.com/one");
  const int64_t message = Enqueue(Message("m1"));
  clock_.Advance(seconds(5));
  PushStats stats = Run();
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_EQ(stats.failed + stats.retried + stats.expired, 0);
  ASSERT_EQ(client_.submitted.size(), 1u);
  EXPECT_FALSE(Delivery(s.id).has_value());
  EXPECT_EQ(MessageCount(message, "delivered"), 1);
  EXPECT_EQ(MessageCount(message, "failed"), 0);
  EXPECT_EQ(tmp_.Count("SELECT last_success_at FROM push_subscriptions WHERE id = " + std::to_string(s.id)),
            clock_.NowMicros());
  EXPECT_EQ(Worker().Totals().delivered, 1);
  EXPECT_EQ(Run().delivered, 0) << "delivered once";
  EXPECT_EQ(client_.submitted.size(), 1u);
}

TEST_F(PushWorkerTest, TheRequestCarriesTheHeadersAndABodyTheSubscriberDecrypts) {
  Subscriber s = Subscribe("https://push.example.com:8443/fcm/send/abc");
  PushMessage m = Message("m1");
  Enqueue(m);
  Run();
  ASSERT_EQ(client_.submitted.size(), 1u);
  const PushRequest& r = client_.submitted[0];
  EXPECT_EQ(r.endpoint, s.endpoint);
  EXPECT_EQ(r.origin, "https://push.example.com:8443");
  EXPECT_GT(r.delivery_id, 0);
  EXPECT_TRUE(Has(r.headers, "Content-Encoding: aes128gcm"));
  EXPECT_TRUE(Has(r.headers, "Content-Type: application/octet-stream"));
  EXPECT_TRUE(Has(r.headers, "TTL: 604800"));
  EXPECT_TRUE(Has(r.headers, "Urgency: high"));
  EXPECT_TRUE(Has(r.headers, "Topic: breaking1"));
  std::string authorization;
  for (const auto& h : r.headers) {
    if (h.starts_with("Authorization: ")) authorization = h.substr(15);
  }
  ASSERT_TRUE(authorization.starts_with("vapid t=")) << authorization;
  const std::string k = ", k=" + Base64UrlEncode(signer_.key().public_key);
  ASSERT_TRUE(authorization.ends_with(k)) << authorization;
  const std::string jwt = authorization.substr(8, authorization.size() - 8 - k.size());
  const size_t dot1 = jwt.find('.');
  const size_t dot2 = jwt.find('.', dot1 + 1);
  ASSERT_NE(dot2, std::string::npos) << jwt;
  auto claims_raw = Base64UrlDecode(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  ASSERT_TRUE(claims_raw.has_value());
  auto claims = boost::json::parse(*claims_raw).as_object();
  EXPECT_EQ(claims.at("aud").as_string(), "https://push.example.com:8443");
  EXPECT_EQ(claims.at("sub").as_string(), "mailto:ops@example.com");
  EXPECT_GT(claims.at("exp").to_number<int64_t>(), clock_.NowMicros() / kSecond);
  EXPECT_LE(claims.at("exp").to_number<int64_t>(), clock_.NowMicros() / kSecond + 86'400);

  auto plain = Decrypt(s.keys.private_key, s.keys.public_key, s.auth, r.body);
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(*plain, PayloadJson(m));
  auto payload = boost::json::parse(*plain).as_object();
  EXPECT_EQ(payload.at("title").as_string(), "Breaking news");
  EXPECT_EQ(payload.at("url").as_string(), "/articles/news");
  EXPECT_EQ(payload.at("tag").as_string(), "m1");
  // Another subscriber's keys do not open it.
  KeyPair other = MustKeys();
  EXPECT_FALSE(Decrypt(other.private_key, other.public_key, s.auth, r.body).ok());

  // Without a topic there is no Topic header.
  PushMessage plain_message = Message("m2");
  plain_message.topic = "";
  plain_message.urgency = "low";
  plain_message.ttl_seconds = 0;
  Enqueue(plain_message);
  Run();
  ASSERT_EQ(client_.submitted.size(), 2u);
  const auto& h2 = client_.submitted[1].headers;
  EXPECT_TRUE(Has(h2, "TTL: 0"));
  EXPECT_TRUE(Has(h2, "Urgency: low"));
  EXPECT_TRUE(std::none_of(h2.begin(), h2.end(), [](const std::string& h) { return h.starts_with("Topic:"); }));
}

TEST_F(PushWorkerTest, GoneSubscriptionsAreDeletedWithEverythingQueuedForThem) {
  Subscriber gone410 = Subscribe("https://push.example.com/410");
  Subscriber gone404 = Subscribe("https://push.example.com/404");
  Subscriber alive = Subscribe("https://push.example.com/ok");
  client_.script[gone410.endpoint] = {{410, "gone", -1}};
  client_.script[gone404.endpoint] = {{404, "not found", -1}};
  const int64_t first = Enqueue(Message("m1"));
  // A second message for the same subscriptions that is not due yet.
  const int64_t later = Enqueue(Message("m2"));
  tmp_.Exec("UPDATE push_deliveries SET next_attempt_at = $1 WHERE message_id = $2",
            {clock_.NowMicros() + 3600 * kSecond, later});
  PushStats stats = Run();
  EXPECT_EQ(stats.expired, 2);
  EXPECT_EQ(stats.delivered, 1);
  for (const auto& s : {gone410, gone404}) {
    EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_subscriptions WHERE id = " + std::to_string(s.id)), 0);
    EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_topics WHERE subscription_id = " + std::to_string(s.id)), 0);
    EXPECT_FALSE(Delivery(s.id).has_value());
  }
  EXPECT_EQ(MessageCount(first, "expired"), 2);
  EXPECT_EQ(MessageCount(first, "delivered"), 1);
  EXPECT_EQ(MessageCount(later, "expired"), 2) << "the later message lost the same two recipients";
  ASSERT_TRUE(Delivery(alive.id).has_value()) << "the live subscription's later message is still queued";
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries"), 1);
  clock_.Advance(hours(2));
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(client_.submitted.size(), 4u);
}

TEST_F(PushWorkerTest, ARetryCarriesWhatIsLeftOfTheTtlAndNothingIsSentAfterIt) {
  Subscriber s = Subscribe("https://push.example.com/busy");
  client_.script[s.endpoint] = {{503, "busy", 1800}, {503, "busy", 3600}, {201, "", -1}};
  PushMessage m = Message("m1");
  m.ttl_seconds = 3600;
  const int64_t message = Enqueue(m);
  Run();
  ASSERT_EQ(client_.submitted.size(), 1u);
  EXPECT_TRUE(Has(client_.submitted[0].headers, "TTL: 3600"));
  clock_.Advance(seconds(1801));
  Run();
  ASSERT_EQ(client_.submitted.size(), 2u);
  EXPECT_TRUE(Has(client_.submitted[1].headers, "TTL: 1799")) << "the rest of the hour, not a fresh one";
  clock_.Advance(seconds(3601));
  EXPECT_EQ(Run().failed, 1);
  EXPECT_EQ(client_.submitted.size(), 2u) << "an hour-old message with a one-hour TTL is not sent";
  EXPECT_EQ(MessageCount(message, "failed"), 1);
  auto row = Delivery(s.id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Text(0), "failed");
  EXPECT_NE(row->Text(3).find("time to live"), std::string::npos) << row->Text(3);
}

TEST_F(PushWorkerTest, A429IsRetriedNoSoonerThanRetryAfter) {
  Subscriber s = Subscribe("https://push.example.com/slow");
  client_.script[s.endpoint] = {{429, "slow down", 600}, {201, "", -1}};
  std::vector<int64_t> attempts_seen;
  client_.on_submit = [&](const PushRequest& r) {
    attempts_seen.push_back(tmp_.Count("SELECT attempts FROM push_deliveries WHERE id = " +
                                       std::to_string(r.delivery_id)));
  };
  const int64_t message = Enqueue(Message("m1"));
  const int64_t t0 = clock_.NowMicros();
  EXPECT_EQ(Run().retried, 1);
  auto row = Delivery(s.id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Text(0), "pending");
  EXPECT_EQ(row->Int(1), 1);
  EXPECT_GE(row->Int(2), t0 + 600 * kSecond);
  EXPECT_LE(row->Int(2), t0 + 601 * kSecond);
  EXPECT_NE(row->Text(3).find("429"), std::string::npos);
  EXPECT_EQ(Run().retried + Run().delivered, 0);
  EXPECT_EQ(client_.submitted.size(), 1u) << "not retried at the same time";
  clock_.Advance(seconds(599));
  Run();
  EXPECT_EQ(client_.submitted.size(), 1u) << "not retried before Retry-After";
  clock_.Advance(seconds(2));
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(client_.submitted.size(), 2u);
  EXPECT_EQ(attempts_seen, (std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(Delivery(s.id).has_value());
  EXPECT_EQ(MessageCount(message, "delivered"), 1);
}

TEST_F(PushWorkerTest, ARetryAfterBeyondTheCapIsCapped) {
  Subscriber s = Subscribe("https://push.example.com/slow");
  client_.script[s.endpoint] = {{503, "maintenance", 10'000'000}};
  Enqueue(Message("m1"));
  const int64_t t0 = clock_.NowMicros();
  Run();
  auto row = Delivery(s.id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Text(0), "pending");
  EXPECT_EQ(row->Int(2), t0 + 86'400 * kSecond) << "max_retry_after";
}

TEST_F(PushWorkerTest, A500IsRetriedWithExponentialBackoffAndJitter) {
  Subscriber s = Subscribe("https://push.example.com/flaky");
  client_.script[s.endpoint] = {{500, "oops", -1}, {502, "bad gateway", -1}, {0, "timed out", -1}};
  PushWorkerOptions o;
  o.base_delay = seconds(30);
  o.jitter = 0.5;
  Worker(o);
  Enqueue(Message("m1"));
  const int64_t t0 = clock_.NowMicros();
  EXPECT_EQ(Run().retried, 1);
  auto row = Delivery(s.id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Text(0), "pending");
  EXPECT_GE(row->Int(2), t0 + 15 * kSecond);
  EXPECT_LE(row->Int(2), t0 + 45 * kSecond);
  EXPECT_TRUE(row->Text(3).starts_with("500")) << row->Text(3);
  clock_.Advance(seconds(46));
  const int64_t t1 = clock_.NowMicros();
  EXPECT_EQ(Run().retried, 1);
  row = Delivery(s.id);
  EXPECT_EQ(row->Int(1), 2);
  EXPECT_GE(row->Int(2), t1 + 30 * kSecond) << "doubled";
  EXPECT_LE(row->Int(2), t1 + 90 * kSecond);
  clock_.Advance(seconds(91));
  const int64_t t2 = clock_.NowMicros();
  EXPECT_EQ(Run().retried, 1) << "a network error (status 0) is retried too";
  row = Delivery(s.id);
  EXPECT_EQ(row->Int(1), 3);
  EXPECT_GE(row->Int(2), t2 + 60 * kSecond);
  EXPECT_LE(row->Int(2), t2 + 180 * kSecond);
  clock_.Advance(seconds(181));
  EXPECT_EQ(Run().delivered, 1);
  EXPECT_EQ(client_.submitted.size(), 4u);
}

TEST_F(PushWorkerTest, OtherClientErrorsFailAtOnce) {
  std::vector<Subscriber> subs;
  for (int status : {400, 403, 413}) {
    subs.push_back(Subscribe("https://push.example.com/" + std::to_string(status)));
    client_.script[subs.back().endpoint] = {{status, "refused", -1}};
  }
  const int64_t message = Enqueue(Message("m1"));
  PushStats stats = Run();
  EXPECT_EQ(stats.failed, 3);
  EXPECT_EQ(stats.retried, 0);
  for (const auto& s : subs) {
    auto row = Delivery(s.id);
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->Text(0), "failed");
    EXPECT_EQ(row->Int(1), 1);
    EXPECT_TRUE(row->Text(3).starts_with(s.endpoint.substr(s.endpoint.size() - 3))) << row->Text(3);
    EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_subscriptions WHERE id = " + std::to_string(s.id)), 1)
        << "the subscription stays";
  }
  EXPECT_EQ(MessageCount(message, "failed"), 3);
  clock_.Advance(hours(48));
  Run();
  EXPECT_EQ(client_.submitted.size(), 3u) << "a failed delivery is not tried again";
}

TEST_F(PushWorkerTest, TheLastAttemptFailsTheDelivery) {
  Subscriber s = Subscribe("https://push.example.com/down");
  client_.script[s.endpoint] = {{503, "", -1}, {0, "reset", -1}, {429, "", -1}, {201, "", -1}};
  PushWorkerOptions o;
  o.max_attempts = 3;
  Worker(o);
  const int64_t message = Enqueue(Message("m1"));
  for (int i = 0; i < 3; ++i) {
    Run();
    clock_.Advance(hours(2));
  }
  auto row = Delivery(s.id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Text(0), "failed");
  EXPECT_EQ(row->Int(1), 3);
  EXPECT_EQ(MessageCount(message, "failed"), 1);
  Run();
  EXPECT_EQ(client_.submitted.size(), 3u) << "no fourth attempt";
}

TEST_F(PushWorkerTest, AnExpiredLeaseIsSentAgain) {
  Subscriber crashed = Subscribe("https://push.example.com/crashed");
  Subscriber busy = Subscribe("https://push.example.com/busy");
  Subscriber spent = Subscribe("https://push.example.com/spent");
  Enqueue(Message("m1"));
  const int64_t now = clock_.NowMicros();
  // Claimed by workers that died: one lease has run out, one is still running, one was the last attempt.
  tmp_.Exec("UPDATE push_deliveries SET state = 'sending', attempts = 1, next_attempt_at = $1 WHERE subscription_id = $2",
            {now - 1, crashed.id});
  tmp_.Exec("UPDATE push_deliveries SET state = 'sending', attempts = 1, next_attempt_at = $1 WHERE subscription_id = $2",
            {now + 60 * kSecond, busy.id});
  tmp_.Exec("UPDATE push_deliveries SET state = 'sending', attempts = 8, next_attempt_at = $1 WHERE subscription_id = $2",
            {now - 1, spent.id});
  PushStats stats = Run();
  EXPECT_EQ(stats.delivered, 1);
  ASSERT_EQ(client_.submitted.size(), 1u);
  EXPECT_EQ(client_.submitted[0].endpoint, crashed.endpoint);
  EXPECT_FALSE(Delivery(crashed.id).has_value());
  EXPECT_EQ(Delivery(busy.id)->Text(0), "sending") << "a running lease is left alone";
  EXPECT_EQ(Delivery(spent.id)->Text(0), "failed") << "the last attempt's lease ran out";
  clock_.Advance(seconds(61));
  EXPECT_EQ(Run().delivered, 1);
  ASSERT_EQ(client_.submitted.size(), 2u);
  EXPECT_EQ(client_.submitted[1].endpoint, busy.endpoint);
}

TEST_F(PushWorkerTest, ADeliveryThatCannotBeEncryptedFailsWithoutBeingSent) {
  Subscriber s = Subscribe("https://push.example.com/broken");
  Subscriber fine = Subscribe("https://push.example.com/fine");
  tmp_.Exec("UPDATE push_subscriptions SET p256dh = 'AAAA' WHERE id = $1", {s.id});
  Enqueue(Message("m1"));
  PushStats stats = Run();
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(stats.delivered, 1);
  ASSERT_EQ(client_.submitted.size(), 1u);
  EXPECT_EQ(client_.submitted[0].endpoint, fine.endpoint);
  auto row = Delivery(s.id);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Text(0), "failed");
  EXPECT_NE(row->Text(3).find("not sendable"), std::string::npos) << row->Text(3);
}

// concurrency 4, per_origin 2: ten deliveries to a push service that hangs (A) and three to another (B). A never
// has more than two requests in flight, and B's go out and are answered while A's hang; A is answered only after
// B's three are.
TEST_F(PushWorkerTest, AHangingPushServiceHoldsOnlyItsShareOfSlots) {
  const std::string a = "https://a.push.example.com";
  const std::string b = "https://b.push.example.com";
  std::set<int64_t> b_ids;
  for (int i = 0; i < 10; ++i) Subscribe(a + "/s" + std::to_string(i));
  for (int i = 0; i < 3; ++i) b_ids.insert(Subscribe(b + "/s" + std::to_string(i)).id);
  const int64_t message = Enqueue(Message("m1"));
  client_.hold = {a};
  client_.release = [&] { return client_.answered[b] == 3; };
  PushWorkerOptions o;
  o.concurrency = 4;
  o.per_origin = 2;
  Worker(o);
  PushStats stats = Run();
  EXPECT_EQ(stats.delivered, 13);
  EXPECT_EQ(client_.submitted.size(), 13u) << "each sent once";
  EXPECT_EQ(client_.max_per_origin[a], 2u);
  EXPECT_LE(client_.max_in_flight, 4u);
  // B's three were submitted and answered before any answer from A, and before A's third request.
  size_t first_a_answer = client_.events.size();
  size_t third_a_submit = client_.events.size();
  size_t a_submits = 0;
  for (size_t i = 0; i < client_.events.size(); ++i) {
    const auto& e = client_.events[i];
    if (e.origin != a) continue;
    if (e.kind == 'A' && first_a_answer == client_.events.size()) first_a_answer = i;
    if (e.kind == 'S' && ++a_submits == 3) third_a_submit = i;
  }
  size_t last_b = 0;
  size_t b_events = 0;
  for (size_t i = 0; i < client_.events.size(); ++i) {
    if (client_.events[i].origin == b) {
      last_b = i;
      ++b_events;
    }
  }
  EXPECT_EQ(b_events, 6u);
  EXPECT_LT(last_b, first_a_answer);
  EXPECT_LT(last_b, third_a_submit);
  EXPECT_EQ(MessageCount(message, "delivered"), 13);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries"), 0);
}

TEST_F(PushWorkerTest, ADeliveryHeldPastHalfItsLeaseIsRenewedNotTakenForADeadWorkers) {
  Subscriber s = Subscribe("https://slow.example.com/one");
  Enqueue(Message("m1"));
  const int64_t t0 = clock_.NowMicros();
  const int64_t lease = 120 * kSecond;
  client_.hold = {"https://slow.example.com"};
  int64_t renewed_to = 0;
  client_.release = [&] {
    // The service takes 90 s (past half the lease): the worker's next claim must renew what it holds.
    if (clock_.NowMicros() == t0) clock_.Advance(seconds(90));
    auto row = Delivery(s.id);
    renewed_to = row ? row->Int(2) : 0;
    return renewed_to > t0 + lease;
  };
  PushStats stats = Run();
  EXPECT_EQ(stats.delivered, 1);
  EXPECT_FALSE(client_.gave_up) << "the lease was never renewed";
  EXPECT_EQ(renewed_to, t0 + 90 * kSecond + lease);
  EXPECT_EQ(client_.submitted.size(), 1u) << "sent once";
}

}  // namespace
}  // namespace tribune::notify
