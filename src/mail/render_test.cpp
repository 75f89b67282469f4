#include <gtest/gtest.h>

#include <sstream>

#include "mail/mail.hpp"
#include "mail/qp_decode_test_support.hpp"

namespace tribune::mail {
namespace {

constexpr int64_t kNow = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z, a Thursday

std::map<std::string, std::string> AllVars() {
  return {{"display_name", "Alice"},
          {"link", "https://news.example/confirm?token=abc&x=1"},
          {"login_link", "https://news.example/login"},
          {"reset_link", "https://news.example/reset"},
          {"minutes", "30"},
          {"days", "30"},
          {"rule", "insults"},
          {"reason", "Please stay civil."},
          {"article_title", "Budget <2026>"},
          {"note", "Second warning."},
          {"final", "true"},
          {"appeal_link", "https://news.example/appeal"},
          {"outcome", "restored"},
          {"replier_name", "Bob"},
          {"excerpt", "I disagree."},
          {"settings_link", "https://news.example/settings/notifications"},
          {"unsubscribe_link", "https://news.example/unsubscribe?token=u1"},
          {"count", "3"},
          {"more", ""},
          {"topic_kind", "section"},
          {"topic_name", "World"},
          {"hours", "72"}};
}

Mail MakeMail(std::string kind, std::string language = "en") {
  Mail m;
  m.to = "alice@example.com";
  m.kind = std::move(kind);
  m.language = std::move(language);
  m.vars = AllVars();
  return m;
}

using test_support::DecodeQp;

TEST(Render, EveryKindRendersInEveryLanguage) {
  Identity identity;
  EXPECT_EQ(KnownKinds().size(), 14u);
  for (const auto& kind : KnownKinds()) {
    for (const char* lang : {"en", "fr", "ru"}) {
      auto r = Render(MakeMail(kind, lang), identity, "<x@localhost>", kNow);
      ASSERT_TRUE(r.ok()) << kind << "/" << lang << ": " << r.error().message;
      EXPECT_EQ(r->text.find("{{"), std::string::npos) << kind << "/" << lang;
      EXPECT_EQ(r->html.find("{{"), std::string::npos) << kind << "/" << lang;
      // A news subscription belongs to an address, not an account: its mails greet nobody by name.
      if (!kind.starts_with("newsletter_")) EXPECT_NE(r->text.find("Alice"), std::string::npos) << kind << "/" << lang;
      EXPECT_NE(r->text.find("Tribune"), std::string::npos) << kind << "/" << lang;
    }
  }
}

TEST(Render, EachTemplateExistsInFrenchAndRussian) {
  for (const auto& kind : KnownKinds()) {
    const auto* en = internal::FindTemplate(kind, "en");
    EXPECT_NE(internal::FindTemplate(kind, "fr"), en) << kind;
    EXPECT_NE(internal::FindTemplate(kind, "ru"), en) << kind;
  }
}

TEST(Render, MessageHasTheRequiredHeadersAndShortCrlfLines) {
  Identity identity{.from_address = "news@example.org", .from_name = "Tribune Daily"};
  auto r = Render(MakeMail("confirm_account", "ru"), identity, "<abc@example.org>", kNow);
  ASSERT_TRUE(r.ok());
  const std::string& m = r->message;
  EXPECT_EQ(m.rfind("From: \"Tribune Daily\" <news@example.org>\r\n", 0), 0u);
  EXPECT_NE(m.find("\r\nTo: alice@example.com\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\nSubject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(m.find("\r\nDate: Thu, 01 Jan 2026 00:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\nMessage-ID: <abc@example.org>\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\nMIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(m.find("\r\nAuto-Submitted: auto-generated\r\n"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: multipart/alternative;\r\n boundary="), std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);
  // Every line ends with CRLF, none is longer than 78 characters, all bytes are 7-bit.
  size_t start = 0;
  while (start < m.size()) {
    size_t end = m.find("\r\n", start);
    ASSERT_NE(end, std::string::npos) << "unterminated last line";
    EXPECT_LE(end - start, 78u) << m.substr(start, end - start);
    std::string_view line(m.data() + start, end - start);
    EXPECT_EQ(line.find('\n'), std::string_view::npos);
    EXPECT_EQ(line.find('\r'), std::string_view::npos);
    start = end + 2;
  }
  for (unsigned char c : m) EXPECT_LT(c, 0x80);
}

TEST(Render, TextIsRawAndHtmlIsEscaped) {
  auto r = Render(MakeMail("comment_rejected"), Identity{}, "<x@localhost>", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->text.find("“Budget <2026>”"), std::string::npos);
  EXPECT_NE(r->html.find("Budget &lt;2026&gt;"), std::string::npos);
  EXPECT_EQ(r->html.find("Budget <2026>"), std::string::npos);
  auto link = Render(MakeMail("confirm_account"), Identity{}, "<x@localhost>", kNow);
  ASSERT_TRUE(link.ok());
  EXPECT_NE(link->text.find("https://news.example/confirm?token=abc&x=1\n"), std::string::npos);
  EXPECT_NE(link->html.find("href=\"https://news.example/confirm?token=abc&amp;x=1\""), std::string::npos);
}

TEST(Render, QuotedPrintablePartsDecodeToTheRenderedBodies) {
  auto r = Render(MakeMail("duplicate_registration", "fr"), Identity{}, "<x@localhost>", kNow);
  ASSERT_TRUE(r.ok());
  const std::string& m = r->message;
  size_t text_at = m.find("quoted-printable\r\n\r\n") + 20;
  size_t text_end = m.find("\r\n--=_tribune_", text_at);
  std::string text = DecodeQp(std::string_view(m).substr(text_at, text_end - text_at));
  EXPECT_EQ(text, r->text);
  size_t html_at = m.find("quoted-printable\r\n\r\n", text_end) + 20;
  size_t html_end = m.find("\r\n--=_tribune_", html_at);
  EXPECT_EQ(DecodeQp(std::string_view(m).substr(html_at, html_end - html_at)), r->html);
}

TEST(Render, SectionsFollowTheirVariables) {
  Mail m = MakeMail("account_blocked");
  auto final_block = Render(m, Identity{}, "<x@localhost>", kNow);
  ASSERT_TRUE(final_block.ok());
  EXPECT_NE(final_block->text.find("This block is final."), std::string::npos);
  EXPECT_NE(final_block->text.find("Moderator's note: Second warning."), std::string::npos);
  m.vars["final"] = "false";
  m.vars["note"] = "";
  auto first = Render(m, Identity{}, "<x@localhost>", kNow);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->text.find("final"), std::string::npos);
  EXPECT_EQ(first->text.find("note"), std::string::npos);

  Mail appeal = MakeMail("appeal_decided");
  appeal.vars["outcome"] = "denied";
  auto denied = Render(appeal, Identity{}, "<x@localhost>", kNow);
  ASSERT_TRUE(denied.ok());
  EXPECT_NE(denied->text.find("denied"), std::string::npos);
  EXPECT_EQ(denied->text.find("accepted"), std::string::npos);
}

TEST(Render, UnknownLanguageFallsBackToEnglish) {
  auto r = Render(MakeMail("password_reset", "de"), Identity{}, "<x@localhost>", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subject, "Reset your Tribune password");
  EXPECT_NE(r->text.find("within 30 minutes"), std::string::npos);
}

TEST(Render, SiteNameAndBaseUrlComeFromTheIdentity) {
  Identity identity{.site_name = "Le Canard", .base_url = "https://canard.example"};
  auto r = Render(MakeMail("password_changed", "fr"), identity, "<x@localhost>", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->subject, "Votre mot de passe Le Canard a été modifié");
  EXPECT_NE(r->text.find("https://canard.example"), std::string::npos);
}

TEST(Render, NonAsciiSenderNameIsEncoded) {
  Identity identity{.from_address = "news@example.org", .from_name = "Трибуна"};
  auto r = Render(MakeMail("account_restored"), identity, "<x@localhost>", kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->message.rfind("From: =?UTF-8?B?", 0), 0u);
  EXPECT_NE(r->message.find("?= <news@example.org>\r\n"), std::string::npos);
}

TEST(Render, RefusesBadInput) {
  auto expect_bad = [](const Mail& m, const Identity& id = Identity{}) {
    auto r = Render(m, id, "<x@localhost>", kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << r.error().message;
  };
  Mail m = MakeMail("comment_rejected");
  m.to = "alice@example.com\r\nBcc: everyone@example.com";
  expect_bad(m);
  m = MakeMail("comment_rejected");
  m.to = "not an address";
  expect_bad(m);
  m = MakeMail("comment_rejected");
  m.vars["article_title"] = "Hi\nBcc: everyone@example.com";  // in the subject
  expect_bad(m);
  m = MakeMail("comment_rejected");
  m.vars["article_title"] = std::string("Hi\0there", 8);
  expect_bad(m);
  m = MakeMail("no_such_kind");
  expect_bad(m);
  m = MakeMail("confirm_account");
  m.vars.erase("link");
  expect_bad(m);
  m = MakeMail("account_blocked");
  m.vars.erase("final");  // only used in a section
  expect_bad(m);
  expect_bad(MakeMail("confirm_account"), Identity{.from_name = "Evil\r\nBcc: x@y"});
  // A newline in a body-only variable is fine.
  m = MakeMail("comment_rejected");
  m.vars["reason"] = "Line one.\nLine two.";
  EXPECT_TRUE(Render(m, Identity{}, "<x@localhost>", kNow).ok());
}

TEST(Encoding, LongAsciiSubjectsAreFoldedAsEncodedWords) {
  std::string subject(120, 'a');
  std::string h = internal::EncodeHeaderText(subject, 9);
  EXPECT_NE(h.find("\r\n "), std::string::npos);
  EXPECT_EQ(internal::EncodeHeaderText("Hello", 9), "Hello");
}

TEST(Encoding, EncodedWordsNeverSplitACharacter) {
  std::string value;
  for (int i = 0; i < 40; ++i) value += "ж";
  std::string h = internal::EncodeHeaderText(value, 9);
  std::stringstream lines(h);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size() + 9, 78u);
  // Each word holds 38 bytes (19 two-byte characters): 40 characters need 3 words.
  EXPECT_EQ(std::count(h.begin(), h.end(), '?'), 3 * 4);
}

TEST(Encoding, QuotedPrintableEscapesWhatItMust) {
  EXPECT_EQ(internal::QuotedPrintable("a=b"), "a=3Db");
  EXPECT_EQ(internal::QuotedPrintable("end \nx"), "end=20\r\nx");
  EXPECT_EQ(internal::QuotedPrintable(".\n"), "=2E\r\n");
  EXPECT_EQ(internal::QuotedPrintable("é"), "=C3=A9");
  std::string long_line(200, 'x');
  std::string qp = internal::QuotedPrintable(long_line);
  EXPECT_EQ(DecodeQp(qp), long_line);
  for (size_t pos = 0, next; pos < qp.size(); pos = next + 2) {
    next = qp.find("\r\n", pos);
    if (next == std::string::npos) next = qp.size();
    EXPECT_LE(next - pos, 76u);
  }
}

TEST(Encoding, DerivedMessageIdsAreStableAndDistinct) {
  auto a = internal::DerivedMessageId("confirm_account", "account:1", "example.org");
  EXPECT_EQ(a, internal::DerivedMessageId("confirm_account", "account:1", "example.org"));
  EXPECT_NE(a, internal::DerivedMessageId("confirm_account", "account:2", "example.org"));
  EXPECT_NE(a, internal::DerivedMessageId("password_reset", "account:1", "example.org"));
  EXPECT_EQ(a.front(), '<');
  EXPECT_NE(a.find("@example.org>"), std::string::npos);
}

}  // namespace
}  // namespace tribune::mail
