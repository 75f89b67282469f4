// NewsletterService on a real database (SQLite, or PostgreSQL with TRIBUNE_TEST_POSTGRES) with a FakeClock and the real
// mail outbox: double opt-in (single-use hashed tokens that expire), no enumeration, limits, refused input storing
// nothing, the daily digest (grouped by topic, newest first, only what is new, exactly once per address and day,
// never to unconfirmed or unsubscribed addresses), one-click unsubscribe.
#include "notify/newsletter.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "common/random.hpp"
#include "mail/qp_decode_test_support.hpp"
#include "support/temp_database.hpp"

namespace tribune::notify {
namespace {

constexpr int64_t kHour = 3600LL * 1'000'000;
const std::string kKey = "0123456789abcdef0123456789abcdef-newsletter-key";

class NewsletterTest : public ::testing::Test {
 protected:
  NewsletterTest() {
    tmp_.Exec("INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'Tribune', 'en', 0)");
    Article("world", {}, "Old world story", clock_.NowMicros() - kHour);
    Article("sport", {}, "Old sport story", clock_.NowMicros() - kHour);
    Article("science", {"climate"}, "Old climate story", clock_.NowMicros() - kHour);
  }

  static NewsletterOptions Options() {
    NewsletterOptions o;
    o.base_url = "https://news.example";
    o.languages = {"en", "fr"};
    o.per_address_hour = 0;
    o.per_email_day = 0;
    o.send_hour = 6;
    o.section_name = [](const std::string& slug, const std::string&) { return slug == "world" ? "World" : slug; };
    return o;
  }

  // An article published at `at` (micros); returns its id.
  int64_t Article(const std::string& section, const std::vector<std::string>& tags, const std::string& title,
                  int64_t at, const std::string& language = "en") {
    const int64_t id = ids_.Next();
    tmp_.Exec("INSERT INTO articles (id, edition_id, slug, title, lead, section, language, short_code, published_at,"
              " created_at, updated_at) VALUES ($1, 'en', $2, $3, 'The lead.', $4, $5, $6, $7, $7, $7)",
              {id, "a-" + std::to_string(id), title, section, language, RandomToken(6), at});
    int pos = 0;
    for (const auto& t : tags) {
      tmp_.Exec("INSERT INTO article_tags (article_id, tag, position) VALUES ($1, $2, $3)",
                {id, t, static_cast<int64_t>(pos++)});
    }
    return id;
  }

  Status Subscribe(const std::string& email, const std::string& topic, const std::string& language = "en",
                   const std::string& address = "") {
    return service_->Subscribe({email, topic, language, address});
  }

  struct Sent {
    std::string kind, text;
  };
  // Every mail in the outbox to `email`, oldest first, with its decoded text.
  std::vector<Sent> Mails(const std::string& email, const std::string& kind) {
    std::vector<Sent> out;
    auto rows = tmp_.db().Read("SELECT kind, message FROM mail_outbox WHERE recipient = $1 AND kind = $2"
                               " ORDER BY created_at, message_id",
                               {email, kind});
    EXPECT_TRUE(rows.ok());
    if (!rows.ok()) return out;
    for (const auto& r : *rows) {
      // The headers as they are, then the plain-text part decoded.
      const std::string& raw = r.Text(1);
      const std::string marker = "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
      const size_t start = raw.find(marker);
      const size_t end = raw.find("\r\n--=_tribune", start);
      std::string text = raw.substr(0, raw.find("\r\n\r\n") + 2);
      if (start != std::string::npos) text += mail::test_support::DecodeQp(raw.substr(start + marker.size(), end - start - marker.size()));
      out.push_back({r.Text(0), text});
    }
    return out;
  }

  static std::string TokenIn(const std::string& text, const std::string& path) {
    std::smatch m;
    const std::regex re("https://news\\.example" + path + "\\?token=([A-Za-z0-9_.-]+)");
    return std::regex_search(text, m, re) ? m[1].str() : "";
  }

  // Subscribes and confirms; returns the unsubscribe token of the address.
  void SubscribeConfirmed(const std::string& email, const std::string& topic, const std::string& language = "en") {
    ASSERT_TRUE(Subscribe(email, topic, language).ok());
    auto mails = Mails(email, "newsletter_confirm");
    ASSERT_FALSE(mails.empty());
    const std::string token = TokenIn(mails.back().text, "/subscriptions/confirm");
    ASSERT_FALSE(token.empty()) << mails.back().text;
    auto confirmed = service_->Confirm(token);
    ASSERT_TRUE(confirmed.ok()) << confirmed.error().message;
    EXPECT_EQ(*confirmed, topic);
  }

  // Moves the clock to `hour` UTC of the next day.
  void NextDayAt(int hour) {
    const int64_t now = clock_.NowMicros();
    clock_.Set((now / (24 * kHour) + 1) * 24 * kHour + hour * kHour);
  }

  int Digests(int64_t now) {
    auto run = service_->SendDigests(now);
    EXPECT_TRUE(run.ok()) << (run.ok() ? "" : run.error().message);
    return run.ok() ? run->mails : -1;
  }

  int64_t Rows(const std::string& table) { return tmp_.Count("SELECT COUNT(*) FROM " + table); }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_{clock_};
  mail::Outbox outbox_{clock_, ids_, mail::Identity{}};
  std::unique_ptr<NewsletterService> service_ =
      std::make_unique<NewsletterService>(tmp_.db(), clock_, ids_, outbox_, kKey, Options());
};

TEST_F(NewsletterTest, ConfirmationTokenIsStoredHashedAndWorksOnce) {
  ASSERT_TRUE(Subscribe("  Ann@Example.org ", "section:world").ok());
  auto mails = Mails("ann@example.org", "newsletter_confirm");
  ASSERT_EQ(mails.size(), 1u) << "the address is normalised";
  EXPECT_NE(mails[0].text.find("World"), std::string::npos) << mails[0].text;
  const std::string token = TokenIn(mails[0].text, "/subscriptions/confirm");
  ASSERT_GE(token.size(), 40u);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM newsletter_topics WHERE token_hash = '" + token + "'"), 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM newsletter_topics WHERE token_hash = '" + Sha256Hex(token) + "'"), 1);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM newsletter_topics WHERE confirmed_at IS NOT NULL"), 0);

  auto peek = service_->PeekConfirm(token);
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ(*peek, "section:world");
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM newsletter_topics WHERE confirmed_at IS NOT NULL"), 0) << "a peek changes nothing";

  ASSERT_TRUE(service_->Confirm(token).ok());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM newsletter_topics WHERE confirmed_at IS NOT NULL"), 1);
  auto again = service_->Confirm(token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kGone);
  for (const std::string& bad : std::vector<std::string>{"", "short", std::string(43, 'A'), std::string(2000, 'A'), token + "x", "!!!!!!!!!!!!!!!!!!!!"}) {
    auto r = service_->Confirm(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << bad;
  }
}

TEST_F(NewsletterTest, ConfirmationLinkExpires) {
  ASSERT_TRUE(Subscribe("bob@example.org", "all").ok());
  const std::string token = TokenIn(Mails("bob@example.org", "newsletter_confirm").at(0).text, "/subscriptions/confirm");
  clock_.Advance(std::chrono::hours(72));
  auto r = service_->Confirm(token);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kGone);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM newsletter_topics WHERE confirmed_at IS NOT NULL"), 0);
  // A day after expiry the clean-up drops the pending topic and the address without topics.
  clock_.Advance(std::chrono::hours(25));
  ASSERT_TRUE(service_->CleanUp(clock_.NowMicros()).ok());
  EXPECT_EQ(Rows("newsletter_topics"), 0);
  EXPECT_EQ(Rows("newsletter_subscribers"), 0);
}

TEST_F(NewsletterTest, TheSameAnswerWhateverTheAddressHolds) {
  SubscribeConfirmed("cat@example.org", "section:world");
  const size_t mails_before = Mails("cat@example.org", "newsletter_confirm").size();
  // Confirmed already: success, and no second confirmation mail.
  EXPECT_TRUE(Subscribe("cat@example.org", "section:world").ok());
  EXPECT_EQ(Mails("cat@example.org", "newsletter_confirm").size(), mails_before);
  // Pending: a new link replaces the old one.
  ASSERT_TRUE(Subscribe("dan@example.org", "all").ok());
  const std::string first = TokenIn(Mails("dan@example.org", "newsletter_confirm").at(0).text, "/subscriptions/confirm");
  ASSERT_TRUE(Subscribe("dan@example.org", "all").ok());
  auto mails = Mails("dan@example.org", "newsletter_confirm");
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(service_->Confirm(first).error().code, ErrorCode::kBadRequest) << "the older link no longer works";
  EXPECT_TRUE(service_->Confirm(TokenIn(mails[1].text, "/subscriptions/confirm")).ok());
  // A new topic for a confirmed address needs its own confirmation.
  ASSERT_TRUE(Subscribe("cat@example.org", "tag:climate").ok());
  EXPECT_EQ(Mails("cat@example.org", "newsletter_confirm").size(), mails_before + 1);
}

TEST_F(NewsletterTest, RefusedInputStoresNothing) {
  // A section and a tag that only a not-yet-published article has are not revealed as topics.
  Article("embargo", {"acme-merger"}, "Scheduled", clock_.NowMicros() + 3'600'000'000);
  const std::vector<NewsletterRequest> bad = {
      {"eve@example.org", "section:embargo", "en", ""},
      {"eve@example.org", "tag:acme-merger", "en", ""},
      {"not-an-address", "all", "en", ""},
      {std::string(10'240, 'a') + "@example.org", "all", "en", ""},
      {"a@example.org\r\nBcc: b@example.org", "all", "en", ""},
      {"eve@example.org", "everything", "en", ""},
      {"eve@example.org", "section:no-such-section", "en", ""},
      {"eve@example.org", "section:World News", "en", ""},
      {"eve@example.org", "tag:no such tag", "en", ""},
      {"eve@example.org", "tag:" + std::string(300, 'x'), "en", ""},
      {"eve@example.org", "tag:a\nb", "en", ""},
      {"eve@example.org", "all", "de", ""},
  };
  for (const auto& r : bad) {
    const Status st = service_->Subscribe(r);
    ASSERT_FALSE(st.ok()) << r.email.substr(0, 40) << " " << r.topic;
    EXPECT_EQ(st.error().code, ErrorCode::kBadRequest) << r.topic;
  }
  EXPECT_EQ(Rows("newsletter_subscribers"), 0);
  EXPECT_EQ(Rows("newsletter_topics"), 0);
  EXPECT_EQ(Rows("mail_outbox"), 0);
  EXPECT_EQ(Rows("rate_events"), 0);
}

TEST_F(NewsletterTest, LimitsPerClientAddressAndPerMailbox) {
  NewsletterOptions o = Options();
  o.per_address_hour = 2;
  o.per_email_day = 1;
  service_ = std::make_unique<NewsletterService>(tmp_.db(), clock_, ids_, outbox_, kKey, o);
  EXPECT_TRUE(Subscribe("f1@example.org", "all", "en", "203.0.113.7").ok());
  EXPECT_TRUE(Subscribe("f2@example.org", "all", "en", "203.0.113.7").ok());
  const Status third = Subscribe("f3@example.org", "all", "en", "203.0.113.7");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().code, ErrorCode::kRateLimited);
  EXPECT_GT(third.error().retry_after_seconds, 0);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM newsletter_subscribers WHERE email = 'f3@example.org'"), 0);
  EXPECT_TRUE(Subscribe("f3@example.org", "all", "en", "2001:db8::1").ok()) << "another address";
  // One mailbox: the same answer, but one confirmation mail a day whoever asks.
  EXPECT_TRUE(Subscribe("f3@example.org", "section:world", "en", "198.51.100.1").ok());
  EXPECT_EQ(Mails("f3@example.org", "newsletter_confirm").size(), 1u);
  clock_.Advance(std::chrono::hours(25));
  EXPECT_TRUE(Subscribe("f3@example.org", "section:world", "en", "198.51.100.1").ok());
  EXPECT_EQ(Mails("f3@example.org", "newsletter_confirm").size(), 2u);
}

TEST_F(NewsletterTest, DigestListsOnlyNewArticlesOfConfirmedTopicsGroupedNewestFirst) {
  SubscribeConfirmed("gus@example.org", "section:world");
  SubscribeConfirmed("gus@example.org", "tag:climate");
  const int64_t t0 = clock_.NowMicros();
  Article("world", {}, "World one", t0 + 1 * kHour);
  Article("science", {"climate"}, "Climate one", t0 + 2 * kHour);
  Article("world", {"climate"}, "World two, also climate", t0 + 3 * kHour);
  Article("sport", {}, "Sport, not subscribed", t0 + 4 * kHour);
  Article("world", {}, "World in French", t0 + 4 * kHour, "fr");
  NextDayAt(7);
  Article("world", {}, "World scheduled for later", clock_.NowMicros() + kHour);
  EXPECT_EQ(Digests(clock_.NowMicros()), 1);
  auto mails = Mails("gus@example.org", "newsletter_digest");
  ASSERT_EQ(mails.size(), 1u);
  const std::string& text = mails[0].text;
  auto at = [&](const std::string& s) { return text.find(s); };
  EXPECT_NE(at("Subject: 3 new articles"), std::string::npos) << text.substr(0, 600);
  for (const char* absent : {"Old world story", "Old climate story", "Sport, not subscribed", "World in French",
                             "World scheduled for later"}) {
    EXPECT_EQ(at(absent), std::string::npos) << absent;
  }
  // The section group (World) holds both world stories, newest first; the tag group the climate-only one.
  ASSERT_NE(at("== World =="), std::string::npos) << text;
  ASSERT_NE(at("== #climate =="), std::string::npos) << text;
  EXPECT_LT(at("== World =="), at("World two, also climate"));
  EXPECT_LT(at("World two, also climate"), at("World one"));
  EXPECT_LT(at("World one"), at("== #climate =="));
  EXPECT_LT(at("== #climate =="), at("Climate one"));
  EXPECT_EQ(text.find("World two, also climate", at("== #climate ==")), std::string::npos) << "each article once";
  EXPECT_NE(at("List-Unsubscribe: <https://news.example/subscriptions/unsubscribe?token="), std::string::npos);
  EXPECT_NE(at("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), std::string::npos);
}

TEST_F(NewsletterTest, ExactlyOneDigestPerAddressAndDayAcrossRunsAndRestarts) {
  SubscribeConfirmed("hal@example.org", "all");
  SubscribeConfirmed("ida@example.org", "all");
  Article("world", {}, "Fresh", clock_.NowMicros() + kHour);
  NextDayAt(5);
  EXPECT_EQ(Digests(clock_.NowMicros()), 0) << "before the send hour";
  clock_.Advance(std::chrono::hours(1));
  // A run that stopped half-way: hal's transaction committed (its day is marked), ida's did not.
  const std::string day = UtcDay(clock_.NowMicros());
  tmp_.Exec("UPDATE newsletter_subscribers SET digest_day = $1 WHERE email = 'hal@example.org'", {day});
  // A fresh service (a restarted server) carries on with the others only, one transaction per address here.
  NewsletterOptions o = Options();
  o.batch = 1;
  service_ = std::make_unique<NewsletterService>(tmp_.db(), clock_, ids_, outbox_, kKey, o);
  EXPECT_EQ(Digests(clock_.NowMicros()), 1);
  EXPECT_EQ(Mails("ida@example.org", "newsletter_digest").size(), 1u);
  EXPECT_EQ(Mails("hal@example.org", "newsletter_digest").size(), 0u);
  clock_.Advance(std::chrono::hours(3));
  EXPECT_EQ(Digests(clock_.NowMicros()), 0) << "once a day";
  EXPECT_EQ(Rows("mail_outbox WHERE kind = 'newsletter_digest'"), 1);
  // The next day: nothing new, no mail; then something new, one mail listing only it.
  NextDayAt(6);
  EXPECT_EQ(Digests(clock_.NowMicros()), 1) << "hal still gets what was new for him";
  EXPECT_EQ(Mails("ida@example.org", "newsletter_digest").size(), 1u) << "nothing new for ida";
  Article("world", {}, "Next day story", clock_.NowMicros() + kHour);
  NextDayAt(6);
  EXPECT_EQ(Digests(clock_.NowMicros()), 2);
  auto ida = Mails("ida@example.org", "newsletter_digest");
  ASSERT_EQ(ida.size(), 2u);
  EXPECT_NE(ida[1].text.find("Next day story"), std::string::npos);
  EXPECT_EQ(ida[1].text.find("Fresh"), std::string::npos) << "not twice";
}

TEST_F(NewsletterTest, UnconfirmedAndUnsubscribedAddressesGetNoDigest) {
  ASSERT_TRUE(Subscribe("jay@example.org", "all").ok());  // never confirmed
  SubscribeConfirmed("kim@example.org", "all");
  Article("world", {}, "Story", clock_.NowMicros() + kHour);
  auto id = tmp_.db().Read("SELECT id FROM newsletter_subscribers WHERE email = 'kim@example.org'");
  ASSERT_TRUE(id.ok() && !id->empty());
  const std::string token = service_->UnsubscribeToken((*id)[0].Int(0));
  EXPECT_TRUE(service_->VerifyUnsubscribe(token).ok());
  for (const std::string& forged : std::vector<std::string>{"", "1.x", token + "x", "0" + token, "abc.def", std::to_string((*id)[0].Int(0) + 1) +
                                                                                    token.substr(token.find('.'))}) {
    const Status st = service_->Unsubscribe(forged);
    ASSERT_FALSE(st.ok()) << forged;
    EXPECT_EQ(st.error().code, ErrorCode::kBadRequest);
  }
  ASSERT_TRUE(service_->Unsubscribe(token).ok());
  EXPECT_TRUE(service_->Unsubscribe(token).ok()) << "idempotent";
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM newsletter_subscribers WHERE email = 'kim@example.org'"), 0);
  NextDayAt(8);
  EXPECT_EQ(Digests(clock_.NowMicros()), 0);
  EXPECT_EQ(Rows("mail_outbox WHERE kind = 'newsletter_digest'"), 0);
}

TEST_F(NewsletterTest, DigestSpeaksTheSubscriptionsLanguageAndCapsItsList) {
  NewsletterOptions o = Options();
  o.max_items = 2;
  service_ = std::make_unique<NewsletterService>(tmp_.db(), clock_, ids_, outbox_, kKey, o);
  SubscribeConfirmed("lea@example.org", "all", "fr");
  for (int i = 1; i <= 3; ++i) Article("monde", {}, "Article " + std::to_string(i), clock_.NowMicros() + i * kHour, "fr");
  Article("world", {}, "English story", clock_.NowMicros() + kHour);
  NextDayAt(7);
  EXPECT_EQ(Digests(clock_.NowMicros()), 1);
  auto mails = Mails("lea@example.org", "newsletter_digest");
  ASSERT_EQ(mails.size(), 1u);
  const std::string& text = mails[0].text;
  EXPECT_NE(text.find("Toute l’actualité"), std::string::npos) << text;
  EXPECT_NE(text.find("Article 3"), std::string::npos);
  EXPECT_NE(text.find("Article 2"), std::string::npos);
  EXPECT_EQ(text.find("Article 1"), std::string::npos) << "capped at the newest two";
  EXPECT_EQ(text.find("English story"), std::string::npos) << "the French edition's articles only";
  EXPECT_NE(text.find("Il y en a d’autres"), std::string::npos);
}

TEST_F(NewsletterTest, AReaderSeesAndRemovesTheirTopics) {
  SubscribeConfirmed("max@example.org", "section:world");
  ASSERT_TRUE(Subscribe("max@example.org", "all").ok());
  auto topics = service_->TopicsOf("MAX@example.org");
  ASSERT_TRUE(topics.ok());
  ASSERT_EQ(topics->size(), 2u);
  EXPECT_EQ((*topics)[0].topic, "section:world");
  EXPECT_TRUE((*topics)[0].confirmed);
  EXPECT_FALSE((*topics)[1].confirmed);
  const Status none = service_->RemoveTopic("max@example.org", "tag:none");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(service_->RemoveTopic("max@example.org", "section:world").ok());
  ASSERT_TRUE(service_->RemoveTopic("max@example.org", "all").ok());
  EXPECT_EQ(Rows("newsletter_subscribers"), 0) << "the address goes with its last topic";
}

}  // namespace
}  // namespace tribune::notify
