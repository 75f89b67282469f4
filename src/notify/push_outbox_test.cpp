// PushOutbox::Enqueue on a real SQLite database: the fan-out reaches exactly the matching subscriptions, a key is
// queued once, refused messages store nothing; PayloadJson keeps the payload within one encrypted record.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "notify/push.hpp"
#include "support/temp_database.hpp"

namespace tribune::notify {
namespace {

// True when `s` is well-formed UTF-8 (no truncated sequence).
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

class PushOutboxTest : public ::testing::Test {
 protected:
  PushOutboxTest() {
    // id, account, topics
    AddSub(1, 1, {"replies", "article:5"});
    AddSub(2, 2, {"replies"});
    AddSub(3, std::nullopt, {"article:5"});
    AddSub(4, 1, {"article:6"});
    AddSub(5, 3, {"article:5", "breaking:en"});
  }

  void AddSub(int64_t id, std::optional<int64_t> account, const std::vector<std::string>& topics) {
    tmp_.Exec("INSERT INTO push_subscriptions (id, endpoint, origin, p256dh, auth, account_id, created_at, updated_at)"
              " VALUES ($1, $2, 'https://push.example.com', 'k', 'a', $3, 0, 0)",
              {id, "https://push.example.com/" + std::to_string(id),
               account ? storage::Value(*account) : storage::Value(nullptr)});
    for (const auto& t : topics) {
      tmp_.Exec("INSERT INTO push_topics (topic, subscription_id) VALUES ($1, $2)", {t, id});
    }
  }

  PushMessage Message(const std::string& key) {
    PushMessage m;
    m.key = key;
    m.title = "A title";
    m.body = "A body";
    m.url = "/articles/x#c1";
    return m;
  }

  // Enqueues in a transaction that commits whatever Enqueue answers (so a refusal that wrote would show).
  Result<Enqueued> Enqueue(const PushMessage& m, const Audience& a) {
    Result<Enqueued> out = MakeError(ErrorCode::kInternal, "not run");
    Status st = tmp_.db().Write([&](storage::Session& s) -> Status {
      out = outbox_.Enqueue(s, m, a);
      return Ok{};
    });
    EXPECT_TRUE(st.ok());
    return out;
  }

  Enqueued MustEnqueue(const PushMessage& m, const Audience& a) {
    auto r = Enqueue(m, a);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Enqueued{};
  }

  std::set<int64_t> Recipients(int64_t message_id) {
    auto rows = tmp_.db().Read("SELECT subscription_id FROM push_deliveries WHERE message_id = $1", {message_id});
    EXPECT_TRUE(rows.ok());
    std::set<int64_t> out;
    for (const auto& r : *rows) out.insert(r.Int(0));
    return out;
  }

  int64_t Messages() { return tmp_.Count("SELECT COUNT(*) FROM push_messages"); }
  int64_t Deliveries() { return tmp_.Count("SELECT COUNT(*) FROM push_deliveries"); }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_{clock_};
  PushOutbox outbox_{clock_, ids_};
};

TEST_F(PushOutboxTest, FansOutToExactlyTheSubscriptionsWithTheTopic) {
  PushMessage m = Message("follow:5:1");
  m.urgency = "low";
  m.topic = "a5";
  m.ttl_seconds = 3600;
  Enqueued e = MustEnqueue(m, {"article:5"});
  EXPECT_GT(e.message_id, 0);
  EXPECT_EQ(e.recipients, 3);
  EXPECT_EQ(Recipients(e.message_id), (std::set<int64_t>{1, 3, 5}));
  auto row = tmp_.db().Read("SELECT message_key, payload, ttl_seconds, urgency, topic, recipients, created_at"
                            " FROM push_messages WHERE id = $1", {e.message_id});
  ASSERT_TRUE(row.ok());
  ASSERT_EQ(row->size(), 1u);
  EXPECT_EQ((*row)[0].Text(0), "follow:5:1");
  EXPECT_EQ((*row)[0].Text(1), PayloadJson(m));
  EXPECT_EQ((*row)[0].Int(2), 3600);
  EXPECT_EQ((*row)[0].Text(3), "low");
  EXPECT_EQ((*row)[0].Text(4), "a5");
  EXPECT_EQ((*row)[0].Int(5), 3);
  EXPECT_EQ((*row)[0].Int(6), clock_.NowMicros());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM push_deliveries WHERE state = 'pending' AND attempts = 0"
                       " AND next_attempt_at = " + std::to_string(clock_.NowMicros())),
            3);
}

TEST_F(PushOutboxTest, TheAccountAndExceptAccountFiltersNarrowTheAudience) {
  Enqueued to_one = MustEnqueue(Message("reply:1"), {"replies", 1, std::nullopt});
  EXPECT_EQ(Recipients(to_one.message_id), (std::set<int64_t>{1}));
  EXPECT_EQ(to_one.recipients, 1);
  Enqueued not_one = MustEnqueue(Message("follow:5:2"), {"article:5", std::nullopt, 1});
  EXPECT_EQ(Recipients(not_one.message_id), (std::set<int64_t>{3, 5})) << "anonymous subscriptions included";
  Enqueued not_three = MustEnqueue(Message("follow:5:3"), {"article:5", std::nullopt, 3});
  EXPECT_EQ(Recipients(not_three.message_id), (std::set<int64_t>{1, 3}));
  Enqueued wrong_topic = MustEnqueue(Message("reply:2"), {"replies", 3, std::nullopt});
  EXPECT_EQ(wrong_topic.message_id, 0) << "account 3 has no 'replies' subscription";
  EXPECT_EQ(Deliveries(), 5);
  EXPECT_EQ(Messages(), 3);
}

TEST_F(PushOutboxTest, TheSameKeyIsQueuedOnce) {
  Enqueued first = MustEnqueue(Message("breaking:42"), {"article:5"});
  ASSERT_GT(first.message_id, 0);
  PushMessage changed = Message("breaking:42");
  changed.title = "Another title";
  Enqueued second = MustEnqueue(changed, {"replies"});
  EXPECT_EQ(second.message_id, 0);
  EXPECT_EQ(second.recipients, 0);
  EXPECT_EQ(Messages(), 1);
  EXPECT_EQ(Deliveries(), 3);
  EXPECT_EQ(Recipients(first.message_id), (std::set<int64_t>{1, 3, 5}));
}

TEST_F(PushOutboxTest, AMessageWithoutRecipientsIsNotStoredUnlessKept) {
  Enqueued nobody = MustEnqueue(Message("follow:99:1"), {"article:99"});
  EXPECT_EQ(nobody.message_id, 0);
  EXPECT_EQ(nobody.recipients, 0);
  EXPECT_EQ(Messages(), 0);
  // Not stored: the same key may be queued later, when someone listens.
  AddSub(6, std::nullopt, {"article:99"});
  EXPECT_EQ(MustEnqueue(Message("follow:99:1"), {"article:99"}).recipients, 1);

  Audience kept{"breaking:fr"};
  kept.keep_when_empty = true;
  Enqueued empty = MustEnqueue(Message("breaking:7"), kept);
  EXPECT_GT(empty.message_id, 0);
  EXPECT_EQ(empty.recipients, 0);
  EXPECT_EQ(Messages(), 2);
  // Kept: the key is taken.
  EXPECT_EQ(MustEnqueue(Message("breaking:7"), {"article:5"}).message_id, 0);
  EXPECT_EQ(Deliveries(), 1);
}

TEST_F(PushOutboxTest, RefusedMessagesStoreNothing) {
  struct Case {
    const char* what;
    std::function<void(PushMessage&, Audience&)> spoil;
  };
  const std::vector<Case> cases = {
      {"urgency", [](auto& m, auto&) { m.urgency = "urgent"; }},
      {"urgency empty", [](auto& m, auto&) { m.urgency = ""; }},
      {"urgency case", [](auto& m, auto&) { m.urgency = "High"; }},
      {"topic 33 chars", [](auto& m, auto&) { m.topic = std::string(33, 'a'); }},
      {"topic slash", [](auto& m, auto&) { m.topic = "a/b"; }},
      {"topic plus", [](auto& m, auto&) { m.topic = "a+b"; }},
      {"topic space", [](auto& m, auto&) { m.topic = "a b"; }},
      {"topic padding", [](auto& m, auto&) { m.topic = "ab=="; }},
      {"topic non-ASCII", [](auto& m, auto&) { m.topic = "caf\xC3\xA9"; }},
      {"ttl negative", [](auto& m, auto&) { m.ttl_seconds = -1; }},
      {"ttl over 28 days", [](auto& m, auto&) { m.ttl_seconds = 28LL * 86'400 + 1; }},
      {"key empty", [](auto& m, auto&) { m.key = ""; }},
      {"key too long", [](auto& m, auto&) { m.key = std::string(201, 'k'); }},
      {"no audience topic", [](auto&, auto& a) { a.topic = ""; }},
      {"payload too big (url)", [](auto& m, auto&) { m.url = "/" + std::string(5000, 'u'); }},
      {"payload too big (tag)", [](auto& m, auto&) { m.tag = std::string(5000, 't'); }},
  };
  for (const auto& c : cases) {
    PushMessage m = Message("refused");
    Audience a{"article:5"};
    a.keep_when_empty = true;
    c.spoil(m, a);
    auto r = Enqueue(m, a);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << c.what;
    EXPECT_EQ(Messages(), 0) << c.what;
    EXPECT_EQ(Deliveries(), 0) << c.what;
  }
  // The edges that are fine.
  PushMessage ok = Message("edges");
  ok.topic = std::string(32, 'Z');
  ok.ttl_seconds = 28LL * 86'400;
  ok.urgency = "very-low";
  EXPECT_EQ(MustEnqueue(ok, {"article:5"}).recipients, 3);
  PushMessage zero = Message("ttl-zero");
  zero.ttl_seconds = 0;
  zero.topic = "Ab-_09";
  EXPECT_EQ(MustEnqueue(zero, {"article:5"}).recipients, 3);
}

TEST(PayloadJson, ClipsLongTextAtACharacterBoundaryAndFitsOneRecord) {
  std::string title;
  while (title.size() < 1000) title += "\xC3\xA9t\xC3\xA9 ";          // "été " (2-byte characters)
  std::string body;
  while (body.size() < 10'000) body += "\xE6\x97\xA5\xF0\x9F\x98\x80";  // "日😀" (3 and 4 bytes)
  for (size_t shift = 0; shift < 4; ++shift) {  // every cut position relative to the characters
    PushMessage m;
    m.key = "k";
    m.title = std::string(shift, 'x') + title;
    m.body = std::string(shift, 'x') + body;
    m.url = "/articles/x#c1";
    const std::string json = PayloadJson(m);
    EXPECT_LE(json.size(), kMaxPushPlaintext);
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    ASSERT_FALSE(ec) << json;
    const std::string t(v.at("title").as_string());
    const std::string b(v.at("body").as_string());
    EXPECT_TRUE(ValidUtf8(t)) << shift;
    EXPECT_TRUE(ValidUtf8(b)) << shift;
    EXPECT_LT(t.size(), m.title.size());
    EXPECT_LT(b.size(), m.body.size());
    EXPECT_TRUE(t.ends_with("\xE2\x80\xA6")) << "clipped text ends with an ellipsis";
    EXPECT_TRUE(b.ends_with("\xE2\x80\xA6"));
    const std::string t_kept = t.substr(0, t.size() - 3);
    const std::string b_kept = b.substr(0, b.size() - 3);
    EXPECT_EQ(m.title.compare(0, t_kept.size(), t_kept), 0) << "a prefix of the title";
    EXPECT_EQ(m.body.compare(0, b_kept.size(), b_kept), 0) << "a prefix of the body";
    EXPECT_GE(b_kept.size(), 100u) << "the body keeps a useful length";
    EXPECT_EQ(std::string(v.at("url").as_string()), "/articles/x#c1");
    EXPECT_EQ(std::string(v.at("tag").as_string()), "k") << "the tag defaults to the key";
  }
  // Short text is kept as it is.
  PushMessage s;
  s.key = "k";
  s.tag = "t";
  s.title = "\xC3\xA9t\xC3\xA9";
  s.body = "short";
  auto v = boost::json::parse(PayloadJson(s));
  EXPECT_EQ(std::string(v.at("title").as_string()), s.title);
  EXPECT_EQ(std::string(v.at("body").as_string()), "short");
  EXPECT_EQ(std::string(v.at("tag").as_string()), "t");
}

// Characters JSON must escape take up to six bytes each ("\u0001"): the clipped payload must still fit.
TEST(PayloadJson, TextThatJsonEscapesStillFitsOneRecord) {
  for (const std::string unit : {std::string("\""), std::string("\\"), std::string("\x01"), std::string("\x1f")}) {
    PushMessage m;
    m.key = "k";
    for (int i = 0; i < 2000; ++i) {
      m.title += unit;
      m.body += unit;
    }
    const std::string json = PayloadJson(m);
    EXPECT_LE(json.size(), kMaxPushPlaintext) << "unit " << static_cast<int>(unit[0]);
    boost::system::error_code ec;
    boost::json::parse(json, ec);
    EXPECT_FALSE(ec);
  }
}

TEST_F(PushOutboxTest, AHundredThousandSubscribersAreOneFanOut) {
  tmp_.Exec("INSERT INTO push_subscriptions (id, endpoint, origin, p256dh, auth, account_id, created_at, updated_at)"
            " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)"
            " SELECT 1000 + i, 'https://push.example.com/big/' || i, 'https://push.example.com', 'k', 'a', NULL, 0, 0"
            " FROM n");
  tmp_.Exec("INSERT INTO push_topics (topic, subscription_id) SELECT 'breaking:en', id FROM push_subscriptions"
            " WHERE id > 1000");
  Enqueued e = MustEnqueue(Message("breaking:1"), {"breaking:en"});
  EXPECT_EQ(e.recipients, 100'001);  // and subscription 5
  EXPECT_EQ(Deliveries(), 100'001);
  EXPECT_EQ(tmp_.Count("SELECT recipients FROM push_messages WHERE id = " + std::to_string(e.message_id)), 100'001);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(DISTINCT subscription_id) FROM push_deliveries"), 100'001);
}

}  // namespace
}  // namespace tribune::notify
