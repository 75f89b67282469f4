// Notices with a real CommentService, PushOutbox, mail::Outbox and PreferenceService on SQLite: reply pushes and
// mails (at once, or in the daily digest), nothing for one's own replies or for a blocked/deleted reader, held
// replies only once approved, followed-article pushes once per window without the commenter's own devices.
#include "discussion/notices.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <string>

#include "discussion/discussion.hpp"
#include "discussion/moderation.hpp"
#include "support/holding_engine.hpp"
#include "support/temp_database.hpp"

namespace tribune::discussion {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using tribune::testing::HoldingEngine;

constexpr const char* kBase = "https://news.example";
constexpr int64_t kAlice = 1, kBob = 2, kCarol = 3, kModerator = 4;

// The text of a quoted-printable body (soft line breaks joined, =XX decoded).
std::string DecodeQp(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=' && i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
      i += 2;
    } else if (in[i] == '=' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

class NoticesTest : public ::testing::Test {
 protected:
  NoticesTest() {
    EXPECT_TRUE(tmp_.db().Write([](storage::Session& s) -> Status {
      TRIBUNE_TRY(s.Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'E', 'en', 0)"));
      for (auto [id, name] : std::vector<std::pair<int64_t, std::string>>{
               {kAlice, "Alice Parent"}, {kBob, "Bob Replier"}, {kCarol, "Carol Follower"}, {kModerator, "Mod"}}) {
        TRIBUNE_TRY(s.Exec("INSERT INTO accounts (id, email, display_name, password_hash, created_at)"
                           " VALUES ($1, $2, $3, 'x', 0)",
                           {id, "u" + std::to_string(id) + "@x.org", name}));
      }
      TRIBUNE_TRY(s.Exec("INSERT INTO articles (id, edition_id, slug, title, language, short_code, published_at,"
                         " created_at, updated_at) VALUES (10, 'en', 'the-story', 'The Story', 'en', 'a10', 0, 0, 0)"));
      return Ok{};
    }).ok());
  }

  static DiscussionOptions Options(Notices* notices) {
    DiscussionOptions o;
    o.notices = notices;
    return o;
  }

  int64_t MustPost(int64_t author, const std::string& body, std::optional<int64_t> parent = std::nullopt) {
    auto r = service_.Post({author, false}, 10, body, parent);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->id : 0;
  }

  void AddSub(int64_t id, std::optional<int64_t> account, const std::string& topic) {
    tmp_.Exec("INSERT INTO push_subscriptions (id, endpoint, origin, p256dh, auth, account_id, created_at, updated_at)"
              " VALUES ($1, $2, 'https://push.example.com', 'k', 'a', $3, 0, 0)",
              {id, "https://push.example.com/" + std::to_string(id),
               account ? storage::Value(*account) : storage::Value(nullptr)});
    tmp_.Exec("INSERT INTO push_topics (topic, subscription_id) VALUES ($1, $2)", {topic, id});
  }

  // The subscriptions a message (by key) is queued for; empty when there is no such message.
  std::set<int64_t> QueuedFor(const std::string& key) {
    auto rows = tmp_.db().Read("SELECT d.subscription_id FROM push_deliveries d JOIN push_messages m"
                               " ON m.id = d.message_id WHERE m.message_key = $1", {key});
    EXPECT_TRUE(rows.ok());
    std::set<int64_t> out;
    for (const auto& r : *rows) out.insert(r.Int(0));
    return out;
  }

  boost::json::object Payload(const std::string& key) {
    auto rows = tmp_.db().Read("SELECT payload FROM push_messages WHERE message_key = $1", {key});
    EXPECT_TRUE(rows.ok());
    if (!rows.ok() || rows->empty()) return {};
    return boost::json::parse((*rows)[0].Text(0)).as_object();
  }

  int64_t Count(const std::string& sql) { return tmp_.Count(sql); }
  int64_t ReplyMessages() { return Count("SELECT COUNT(*) FROM push_messages WHERE message_key LIKE 'reply:%'"); }
  int64_t Mails(const std::string& kind) {
    return Count("SELECT COUNT(*) FROM mail_outbox WHERE kind = '" + kind + "'");
  }
  // kind, recipient, message of the only mail of that kind.
  struct MailRow {
    std::string kind, recipient, message;
  };
  MailRow OnlyMail(const std::string& kind) {
    auto rows = tmp_.db().Read("SELECT kind, recipient, message FROM mail_outbox WHERE kind = $1", {kind});
    EXPECT_TRUE(rows.ok());
    EXPECT_EQ(rows->size(), 1u) << kind;
    if (rows->empty()) return {};
    return {(*rows)[0].Text(0), (*rows)[0].Text(1), (*rows)[0].Text(2)};
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;  // 2026-01-01T00:00:00Z: the start of a follow window and of a day
  IdGenerator ids_{clock_};
  HoldingEngine engine_;
  notify::PushOutbox push_{clock_, ids_};
  mail::Outbox mail_{clock_, ids_, mail::Identity{.base_url = kBase}};
  notify::PreferenceService prefs_{tmp_.db(), clock_, std::string(48, 'p')};
  Notices notices_{clock_, NoticeOptions{.push = &push_, .mail = &mail_, .prefs = &prefs_, .base_url = kBase}};
  CommentService service_{tmp_.db(), clock_, ids_, engine_, Options(&notices_)};
  ModerationService moderation_{tmp_.db(), clock_, ids_, service_, {}};
};

TEST_F(NoticesTest, AReplyIsPushedToTheParentAuthorsRepliesDevices) {
  AddSub(100, kAlice, "replies");
  AddSub(101, kAlice, "article:99");
  AddSub(200, kBob, "replies");
  AddSub(300, std::nullopt, "breaking:en");
  const int64_t parent = MustPost(kAlice, "What do you think?");
  EXPECT_EQ(ReplyMessages(), 0) << "a top-level comment answers nobody";
  const int64_t reply = MustPost(kBob, "I think it is fine.", parent);
  const std::string key = "reply:" + std::to_string(reply);
  EXPECT_EQ(QueuedFor(key), (std::set<int64_t>{100}));
  auto p = Payload(key);
  const std::string title(p["title"].as_string());
  EXPECT_NE(title.find("Bob Replier"), std::string::npos) << title;
  EXPECT_EQ(std::string(p["url"].as_string()), "/articles/the-story#c" + std::to_string(reply));
  EXPECT_NE(std::string(p["body"].as_string()).find("I think it is fine."), std::string::npos);
  EXPECT_EQ(ReplyMessages(), 1);
  EXPECT_EQ(Mails("reply_notice"), 0) << "e-mail is opt-in";
}

TEST_F(NoticesTest, NobodyHearsAboutTheirOwnReply) {
  AddSub(100, kAlice, "replies");
  ASSERT_TRUE(prefs_.SetEmailReplies(kAlice, "immediate").ok());
  const int64_t parent = MustPost(kAlice, "First thought.");
  MustPost(kAlice, "And a second thought.", parent);
  EXPECT_EQ(ReplyMessages(), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM push_deliveries"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 0);
}

TEST_F(NoticesTest, ABlockedOrDeletedReaderHearsNothing) {
  AddSub(100, kAlice, "replies");
  ASSERT_TRUE(prefs_.SetEmailReplies(kAlice, "immediate").ok());
  const int64_t parent = MustPost(kAlice, "Something to answer.");
  for (const char* status : {"blocked", "deleted", "purged"}) {
    tmp_.Exec("UPDATE accounts SET status = $1 WHERE id = $2", {std::string(status), kAlice});
    MustPost(kBob, std::string("A reply while ") + status + ".", parent);
    EXPECT_EQ(ReplyMessages(), 0) << status;
    EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 0) << status;
  }
  // Unconfirmed: the devices hear it, e-mail waits for a confirmed address.
  tmp_.Exec("UPDATE accounts SET status = 'unconfirmed' WHERE id = $1", {kAlice});
  const int64_t reply = MustPost(kBob, "A reply to the unconfirmed.", parent);
  EXPECT_EQ(QueuedFor("reply:" + std::to_string(reply)), (std::set<int64_t>{100}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 0);
}

TEST_F(NoticesTest, ANoticeThatCannotBeMadeDoesNotCostTheReplyItsComment) {
  AddSub(100, kAlice, "replies");
  ASSERT_TRUE(prefs_.SetEmailReplies(kAlice, "immediate").ok());
  const int64_t parent = MustPost(kAlice, "Answer me.");
  // An address the mail renderer refuses (a header line break): the mail is skipped, the push and the reply stay.
  tmp_.Exec("UPDATE accounts SET email = $1 WHERE id = $2", {std::string("alice@example.com\r\nBcc: x@y"), kAlice});
  const int64_t reply = MustPost(kBob, "Here is an answer.", parent);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments WHERE id = " + std::to_string(reply)), 1);
  EXPECT_EQ(QueuedFor("reply:" + std::to_string(reply)), (std::set<int64_t>{100}));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 0);
}

TEST_F(NoticesTest, ImmediateMailCarriesTheOneClickUnsubscribeLink) {
  ASSERT_TRUE(prefs_.SetEmailReplies(kAlice, "immediate").ok());
  const int64_t parent = MustPost(kAlice, "Tell me more.");
  const int64_t reply = MustPost(kBob, "Here is more about it.", parent);
  MailRow m = OnlyMail("reply_notice");
  EXPECT_EQ(m.recipient, "u1@x.org");
  const std::string message = m.message;
  const std::string token = prefs_.UnsubscribeToken(kAlice);
  EXPECT_NE(message.find("List-Unsubscribe: <" + std::string(kBase) + "/unsubscribe?token=" + token + ">\r\n"),
            std::string::npos)
      << message.substr(0, 2000);
  EXPECT_NE(message.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), std::string::npos);
  EXPECT_NE(message.find("X-Tribune-Mail: reply_notice"), std::string::npos);
  const std::string text = DecodeQp(message);
  EXPECT_NE(text.find("Bob Replier"), std::string::npos);
  EXPECT_NE(text.find("Here is more about it."), std::string::npos);
  EXPECT_NE(text.find(std::string(kBase) + "/articles/the-story#c" + std::to_string(reply)), std::string::npos);
  EXPECT_EQ(prefs_.Verify(token).value(), kAlice);
  // A second reply is a second mail; Bob (off) hears nothing of Alice's answer.
  MustPost(kAlice, "Thanks, Bob.", reply);
  EXPECT_EQ(Mails("reply_notice"), 1);
  MustPost(kBob, "You are welcome.", parent);
  EXPECT_EQ(Mails("reply_notice"), 2);
}

TEST_F(NoticesTest, DailyRepliesGoOutInOneDigestAfterTheDigestHour) {
  ASSERT_TRUE(prefs_.SetEmailReplies(kAlice, "daily").ok());
  const int64_t parent = MustPost(kAlice, "Daily question.");
  clock_.Advance(minutes(5));
  const int64_t r1 = MustPost(kBob, "first answer here", parent);
  clock_.Advance(minutes(5));
  const int64_t r2 = MustPost(kCarol, "second answer here", parent);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reply_digest_items WHERE account_id = 1"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 0);

  auto early = notices_.SendDigests(tmp_.db(), clock_.NowMicros());  // 00:10 UTC, digest_hour 7
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(*early, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reply_digest_items"), 2);

  clock_.Advance(hours(8));  // 08:10 UTC
  auto sent = notices_.SendDigests(tmp_.db(), clock_.NowMicros());
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 1);
  MailRow m = OnlyMail("reply_digest");
  EXPECT_EQ(m.recipient, "u1@x.org");
  const std::string text = DecodeQp(m.message);
  for (const std::string& s : std::vector<std::string>{"first answer here", "second answer here", "Bob Replier", "Carol Follower",
                              std::string(kBase) + "/articles/the-story#c" + std::to_string(r1),
                              std::string(kBase) + "/articles/the-story#c" + std::to_string(r2)}) {
    EXPECT_NE(text.find(s), std::string::npos) << s;
  }
  EXPECT_NE(m.message.find("List-Unsubscribe: <" + std::string(kBase) + "/unsubscribe?token=" +
                           prefs_.UnsubscribeToken(kAlice) + ">"),
            std::string::npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reply_digest_items"), 0);
  EXPECT_EQ(Mails("reply_notice"), 0) << "daily means no mail per reply";

  // Once a day: a reply after today's digest waits for tomorrow's.
  const int64_t r3 = MustPost(kBob, "third answer here", parent);
  clock_.Advance(hours(1));
  auto again = notices_.SendDigests(tmp_.db(), clock_.NowMicros());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Mails("reply_digest"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reply_digest_items"), 1);
  clock_.Advance(hours(24));
  auto tomorrow = notices_.SendDigests(tmp_.db(), clock_.NowMicros());
  ASSERT_TRUE(tomorrow.ok());
  EXPECT_EQ(*tomorrow, 1);
  EXPECT_EQ(Mails("reply_digest"), 2);
  auto last = tmp_.db().Read("SELECT message FROM mail_outbox WHERE kind = 'reply_digest' ORDER BY created_at DESC");
  ASSERT_TRUE(last.ok());
  const std::string second = DecodeQp((*last)[0].Text(0));
  EXPECT_NE(second.find("third answer here"), std::string::npos);
  EXPECT_EQ(second.find("first answer here"), std::string::npos);
  EXPECT_NE(second.find("#c" + std::to_string(r3)), std::string::npos);
}

TEST_F(NoticesTest, ADigestLeavesOutRepliesRemovedSinceAndReadersWhoStopped) {
  ASSERT_TRUE(prefs_.SetEmailReplies(kAlice, "daily").ok());
  ASSERT_TRUE(prefs_.SetEmailReplies(kBob, "daily").ok());
  const int64_t a = MustPost(kAlice, "Alice asks.");
  const int64_t b = MustPost(kBob, "Bob asks.");
  const int64_t gone = MustPost(kCarol, "removed answer", a);
  MustPost(kCarol, "answer to bob", b);
  ASSERT_TRUE(service_.Delete({kCarol, false}, gone).ok());
  // Bob leaves daily mode through his unsubscribe link.
  ASSERT_TRUE(prefs_.Unsubscribe(prefs_.UnsubscribeToken(kBob)).ok());
  clock_.Advance(hours(8));
  auto sent = notices_.SendDigests(tmp_.db(), clock_.NowMicros());
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(*sent, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM mail_outbox"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reply_digest_items"), 0);
}

TEST_F(NoticesTest, AHeldReplyNotifiesNobodyUntilApproved) {
  AddSub(100, kAlice, "replies");
  AddSub(300, kCarol, "article:10");
  ASSERT_TRUE(prefs_.SetEmailReplies(kAlice, "immediate").ok());
  const int64_t parent = MustPost(kAlice, "Question for all.");
  clock_.Advance(minutes(11));  // a fresh follow window
  const int64_t held = MustPost(kBob, "HOLD this answer for review", parent);
  ASSERT_EQ(service_.Get(held)->status, "pending");
  EXPECT_EQ(ReplyMessages(), 0);
  EXPECT_EQ(Mails("reply_notice"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM push_messages WHERE message_key LIKE 'follow:%'"), 1) << "only the parent's";
  auto approved = moderation_.Decide({kModerator, true}, held, "approve", "");
  ASSERT_TRUE(approved.ok()) << approved.error().message;
  EXPECT_EQ(QueuedFor("reply:" + std::to_string(held)), (std::set<int64_t>{100}));
  EXPECT_EQ(Mails("reply_notice"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM push_messages WHERE message_key LIKE 'follow:%'"), 2);
  // A rejected reply never notifies.
  const int64_t rejected = MustPost(kBob, "HOLD and then reject", parent);
  ASSERT_TRUE(moderation_.Decide({kModerator, true}, rejected, "reject", "off_topic").ok());
  EXPECT_EQ(ReplyMessages(), 1);
  EXPECT_EQ(Mails("reply_notice"), 1);
}

TEST_F(NoticesTest, FollowersHearOncePerWindowAtItsEndAboutEveryoneElsesComments) {
  AddSub(200, kBob, "article:10");
  AddSub(300, kCarol, "article:10");
  AddSub(400, std::nullopt, "article:10");
  AddSub(500, std::nullopt, "article:11");
  const int64_t first = MustPost(kBob, "Bob opens the thread.");
  const std::string window1 = "follow:10:" + std::to_string(clock_.NowMicros() / (10LL * 60 * 1'000'000));
  EXPECT_EQ(QueuedFor(window1), (std::set<int64_t>{300, 400})) << "Bob's own device is left out";
  auto p = Payload(window1);
  EXPECT_NE(std::string(p["title"].as_string()).find("The Story"), std::string::npos);
  EXPECT_EQ(std::string(p["url"].as_string()), "/articles/the-story#c" + std::to_string(first));
  const int64_t window_end = (clock_.NowMicros() / (10LL * 60 * 1'000'000) + 1) * (10LL * 60 * 1'000'000);
  EXPECT_EQ(Count("SELECT MIN(next_attempt_at) FROM push_deliveries"), window_end) << "sent when the window ends";
  clock_.Advance(minutes(1));
  MustPost(kAlice, "Alice joins within the window.");
  EXPECT_EQ(QueuedFor(window1), (std::set<int64_t>{200, 300, 400})) << "Bob now has someone else's comment to hear of";
  clock_.Advance(minutes(8));
  MustPost(kBob, "Bob again within the window.");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM push_messages WHERE message_key LIKE 'follow:%'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM push_deliveries"), 3);
  EXPECT_EQ(Count("SELECT recipients FROM push_messages WHERE message_key LIKE 'follow:%'"), 3);
  EXPECT_EQ(Count("SELECT MAX(next_attempt_at) FROM push_deliveries"), window_end);
  clock_.Advance(minutes(2));  // 00:11: the next window
  MustPost(kCarol, "Carol after the window.");
  const std::string window2 = "follow:10:" + std::to_string(clock_.NowMicros() / (10LL * 60 * 1'000'000));
  ASSERT_NE(window1, window2);
  EXPECT_EQ(QueuedFor(window2), (std::set<int64_t>{200, 400})) << "Carol's own device is left out";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM push_messages WHERE message_key LIKE 'follow:%'"), 2);
}

}  // namespace
}  // namespace tribune::discussion
