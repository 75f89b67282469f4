// Reader notifications: List-Unsubscribe (RFC 2369/8058), the {{@items}} repeat, and the
// reply_notice / reply_digest templates.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "mail/mail.hpp"
#include "mail/qp_decode_test_support.hpp"
#include "support/temp_database.hpp"

namespace tribune::mail {
namespace {

constexpr int64_t kNow = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
constexpr const char* kUnsubscribe = "https://news.example/unsubscribe?token=u-123";

Mail Notice(std::string language = "en") {
  Mail m;
  m.to = "alice@example.com";
  m.kind = "reply_notice";
  m.language = std::move(language);
  m.vars = {{"display_name", "Alice"},
            {"replier_name", "Émile"},
            {"article_title", "Budget <2026>"},
            {"excerpt", "I think <b>& so on"},
            {"link", "https://news.example/a/budget#c42"},
            {"settings_link", "https://news.example/settings/notifications"}};
  m.unsubscribe_url = kUnsubscribe;
  return m;
}

Mail Digest(std::string language = "en") {
  Mail m;
  m.to = "alice@example.com";
  m.kind = "reply_digest";
  m.language = std::move(language);
  m.vars = {{"display_name", "Alice"},
            {"count", "5"},
            {"more", ""},
            {"settings_link", "https://news.example/settings/notifications"}};
  m.items = {{{"replier_name", "Bob"},
              {"article_title", "Budget <2026>"},
              {"excerpt", "First <b>& reply"},
              {"link", "https://news.example/a/budget#c1"}},
             {{"replier_name", "Зоя"},
              {"article_title", "Élections"},
              {"excerpt", "Second reply"},
              {"link", "https://news.example/a/elections#c2"}}};
  m.unsubscribe_url = kUnsubscribe;
  return m;
}

Result<Rendered> RenderIt(const Mail& m) { return Render(m, Identity{}, "<x@localhost>", kNow); }

std::string Headers(const std::string& message) { return message.substr(0, message.find("\r\n\r\n") + 2); }

size_t Occurrences(std::string_view hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

using test_support::DecodeQp;

// The decoded text and HTML parts of a rendered message.
std::pair<std::string, std::string> DecodedParts(const std::string& m) {
  size_t text_at = m.find("quoted-printable\r\n\r\n") + 20;
  size_t text_end = m.find("\r\n--=_tribune_", text_at);
  size_t html_at = m.find("quoted-printable\r\n\r\n", text_end) + 20;
  size_t html_end = m.find("\r\n--=_tribune_", html_at);
  return {DecodeQp(std::string_view(m).substr(text_at, text_end - text_at)),
          DecodeQp(std::string_view(m).substr(html_at, html_end - html_at))};
}

std::string DecodeBase64(std::string_view in) {
  static const std::string kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    size_t v = kB64.find(c);
    if (v == std::string::npos) continue;  // '=' padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

// The Subject header's value, unfolded, with its RFC 2047 B-encoded words decoded.
std::string DecodedSubject(const std::string& m) {
  size_t at = m.find("\r\nSubject: ") + 11;
  std::string value;
  for (size_t end = m.find("\r\n", at);; end = m.find("\r\n", at)) {
    value += m.substr(at, end - at);
    at = end + 2;
    if (m[at] != ' ') break;
    ++at;  // a folded line: the fold is whitespace between encoded words, which is dropped
  }
  if (value.rfind("=?UTF-8?B?", 0) != 0) return value;
  std::string out;
  for (size_t pos = 0; (pos = value.find("=?UTF-8?B?", pos)) != std::string::npos;) {
    size_t end = value.find("?=", pos + 10);
    out += DecodeBase64(value.substr(pos + 10, end - pos - 10));
    pos = end + 2;
  }
  return out;
}

// --- List-Unsubscribe -------------------------------------------------------------------------

TEST(Unsubscribe, HeadersArePresentExactlyWhenTheUrlIsSet) {
  auto with = RenderIt(Notice());
  ASSERT_TRUE(with.ok()) << with.error().message;
  std::string h = Headers(with->message);
  EXPECT_EQ(Occurrences(h, "\r\nList-Unsubscribe: <" + std::string(kUnsubscribe) + ">\r\n"), 1u) << h;
  EXPECT_EQ(Occurrences(h, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"), 1u) << h;
  EXPECT_EQ(Occurrences(with->message, "List-Unsubscribe"), 3u);  // only in the headers (twice on the Post line)
  EXPECT_EQ(Occurrences(h, "List-Unsubscribe"), 3u);

  Mail m = Notice();
  m.unsubscribe_url.clear();
  m.vars["unsubscribe_link"] = "https://news.example/settings";  // the template still needs the link
  auto without = RenderIt(m);
  ASSERT_TRUE(without.ok()) << without.error().message;
  EXPECT_EQ(without->message.find("List-Unsubscribe"), std::string::npos);

  // The other kinds get the headers too when asked for.
  Mail confirm;
  confirm.to = "alice@example.com";
  confirm.kind = "account_restored";
  confirm.vars = {{"display_name", "Alice"}};
  EXPECT_EQ(RenderIt(confirm)->message.find("List-Unsubscribe"), std::string::npos);
  confirm.unsubscribe_url = "http://127.0.0.1:8080/u/abc";
  EXPECT_NE(Headers(RenderIt(confirm)->message).find("\r\nList-Unsubscribe: <http://127.0.0.1:8080/u/abc>\r\n"),
            std::string::npos);
}

TEST(Unsubscribe, TheUrlBecomesTheUnsubscribeLinkUnlessVarsHaveOne) {
  auto r = RenderIt(Notice());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->text.find(std::string("one click: ") + kUnsubscribe + "\n"), std::string::npos) << r->text;
  EXPECT_NE(r->html.find(std::string("href=\"") + kUnsubscribe + "\""), std::string::npos);

  Mail own = Notice();
  own.vars["unsubscribe_link"] = "https://news.example/stop-page";
  auto r2 = RenderIt(own);
  ASSERT_TRUE(r2.ok());
  EXPECT_NE(r2->text.find("https://news.example/stop-page"), std::string::npos);
  EXPECT_EQ(r2->text.find(kUnsubscribe), std::string::npos);
  EXPECT_NE(r2->message.find(std::string("List-Unsubscribe: <") + kUnsubscribe + ">"), std::string::npos);

  Mail none = Notice();
  none.unsubscribe_url.clear();
  auto r3 = RenderIt(none);
  ASSERT_FALSE(r3.ok());
  EXPECT_EQ(r3.error().code, ErrorCode::kBadRequest);
}

TEST(Unsubscribe, ALongTokenStaysOnOneValidHeaderLine) {
  Mail m = Notice("ru");
  m.unsubscribe_url = "https://news.example/mail/unsubscribe?token=" + std::string(120, 'A') + "&list=replies";
  auto r = RenderIt(m);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string& msg = r->message;
  EXPECT_NE(msg.find("\r\nList-Unsubscribe: <" + m.unsubscribe_url + ">\r\nList-Unsubscribe-Post: "),
            std::string::npos);
  size_t start = 0;
  while (start < msg.size()) {
    size_t end = msg.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 998u);
    EXPECT_EQ(std::string_view(msg).substr(start, end - start).find('\n'), std::string_view::npos);
    start = end + 2;
  }
  for (unsigned char c : msg) EXPECT_LT(c, 0x80);

  m.unsubscribe_url = "https://news.example/u?t=" + std::string(978 - 25, 'x');
  ASSERT_EQ(m.unsubscribe_url.size(), 978u);
  auto longest = RenderIt(m);
  ASSERT_TRUE(longest.ok());
  size_t at = longest->message.find("List-Unsubscribe: <");
  EXPECT_EQ(longest->message.find("\r\n", at) - at, 998u);
  m.unsubscribe_url += "x";
  auto too_long = RenderIt(m);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().code, ErrorCode::kBadRequest);
}

TEST(Unsubscribe, BadUrlsAreRefused) {
  const std::string bad[] = {
      "https://news.example/u?t=1\r\nBcc: all@example.com",
      "https://news.example/u?t=1\nX: y",
      "https://news.example/u?t=1\r",
      "https://news.example/u?t=a b",
      std::string("https://news.example/u?t=\0", 26),
      "https://news.example/u?t=<x>",
      "https://news.example/u>, <mailto:x@example.com",
      "https://news.example/u?t=\t1",
      "https://news.example/u?t=é",
      "mailto:unsubscribe@news.example",
      "javascript:alert(1)",
      "ftp://news.example/u",
      "https://",
      "news.example/u",
  };
  for (const auto& url : bad) {
    Mail m = Notice();
    m.unsubscribe_url = url;
    auto r = RenderIt(m);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << url;
  }
  Mail upper = Notice();
  upper.unsubscribe_url = "HTTPS://news.example/u?t=1";
  EXPECT_TRUE(RenderIt(upper).ok());
}

class NoticeOutboxTest : public ::testing::Test {
 protected:
  Status Enqueue(const Mail& m) {
    return tmp_.db().Write([&](storage::Session& s) { return outbox_.Enqueue(s, m); });
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_{clock_};
  Outbox outbox_{clock_, ids_, Identity{.message_id_domain = "news.example"}};
};

TEST_F(NoticeOutboxTest, AnInjectedUnsubscribeUrlStoresNothing) {
  for (const char* url : {"https://news.example/u?t=1\r\nBcc: all@example.com", "https://news.example/u?t=1\nBcc: x@y",
                          "https://news.example/u?t=1 2"}) {
    Mail m = Notice();
    m.unsubscribe_url = url;
    m.dedup_key = "reply:42";
    Status st = Enqueue(m);
    ASSERT_FALSE(st.ok()) << url;
    EXPECT_EQ(st.error().code, ErrorCode::kBadRequest) << st.error().message;
  }
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM mail_outbox"), 0);
  // The same mail with a good URL is stored, with its headers.
  ASSERT_TRUE(Enqueue(Notice()).ok());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'reply_notice' AND message LIKE "
                       "'%List-Unsubscribe-Post: List-Unsubscribe=One-Click%'"),
            1);
}

// --- {{@items}} -------------------------------------------------------------------------------

TEST(Repeat, ExpandsOncePerItemWithFieldsShadowingVars) {
  std::map<std::string, std::string> vars = {{"name", "var"}, {"sep", ";"}};
  std::vector<internal::Item> items = {{{"name", "a"}}, {}, {{"name", "c"}, {"sep", "|"}}};
  auto r = internal::Expand("[{{@items}}{{name}}{{sep}}{{/items}}] {{name}}", vars, false, items);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "[a;var;c|] var");

  auto none = internal::Expand("[{{@items}}{{name}}{{/items}}]", vars, false, {});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, "[]");

  // Sections inside a repeat see the item's fields.
  std::vector<internal::Item> flagged = {{{"flag", "true"}, {"n", "1"}}, {{"flag", ""}, {"n", "2"}}};
  auto sec = internal::Expand("{{@items}}{{n}}{{#flag}}!{{/flag}}{{^flag}}?{{/flag}} {{/items}}", {}, false, flagged);
  ASSERT_TRUE(sec.ok()) << sec.error().message;
  EXPECT_EQ(*sec, "1! 2? ");
}

TEST(Repeat, HtmlEscapesFieldsAndTextKeepsThemVerbatim) {
  std::vector<internal::Item> items = {{{"excerpt", "<b>&"}}};
  auto html = internal::Expand("{{@items}}<p>{{excerpt}}</p>{{/items}}", {}, true, items);
  ASSERT_TRUE(html.ok());
  EXPECT_EQ(*html, "<p>&lt;b&gt;&amp;</p>");
  auto text = internal::Expand("{{@items}}{{excerpt}}{{/items}}", {}, false, items);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "<b>&");

  // Through Render and the wire encoding.
  Mail m = Digest();
  m.items[0]["excerpt"] = "<b>&";
  auto r = RenderIt(m);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto [text_part, html_part] = DecodedParts(r->message);
  EXPECT_EQ(text_part, r->text);
  EXPECT_EQ(html_part, r->html);
  EXPECT_NE(text_part.find("“<b>&”"), std::string::npos) << text_part;
  EXPECT_NE(html_part.find(">&lt;b&gt;&amp;</blockquote>"), std::string::npos) << html_part;
  EXPECT_EQ(html_part.find("<b>&"), std::string::npos);
}

TEST(Repeat, AMissingFieldIsAnError) {
  std::vector<internal::Item> items = {{{"a", "1"}, {"b", "2"}}, {{"a", "3"}}};
  auto r = internal::Expand("{{@items}}{{a}}{{b}}{{/items}}", {}, false, items);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  auto sec = internal::Expand("{{@items}}{{#b}}x{{/b}}{{/items}}", {}, false, items);
  ASSERT_FALSE(sec.ok());
  EXPECT_EQ(sec.error().code, ErrorCode::kBadRequest);

  Mail m = Digest("fr");
  m.items[1].erase("link");
  auto d = RenderIt(m);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kBadRequest);
}

TEST(Repeat, MalformedRepeatsAreRefused) {
  std::vector<internal::Item> items = {{{"a", "1"}}};
  for (const auto& items_or_none : {items, std::vector<internal::Item>{}}) {
    for (const char* tmpl : {"{{@items}}{{@items}}{{a}}{{/items}}{{/items}}",  // nested
                             "{{@items}}{{#a}}{{@items}}x{{/items}}{{/a}}{{/items}}",
                             "{{@items}}{{a}}",                                // unclosed
                             "{{@rows}}{{a}}{{/rows}}",                        // unknown list
                             "{{@}}x{{/}}"}) {
      auto r = internal::Expand(tmpl, {{"a", "v"}}, false, items_or_none);
      EXPECT_FALSE(r.ok()) << tmpl << " with " << items_or_none.size() << " items";
    }
  }
  Mail m = Digest();
  m.items.push_back({{"replier_name", "NUL"}, {"article_title", "t"}, {"excerpt", std::string("a\0b", 3)},
                     {"link", "https://news.example/"}});
  auto nul = RenderIt(m);
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().code, ErrorCode::kBadRequest);
}

TEST(Sections, NestWithTheSameName) {
  const char* tmpl = "<{{#n}}{{n}} {{#n=1}}reply{{/n}}{{^n=1}}replies{{/n}}{{/n}}>";
  auto one = internal::Expand(tmpl, {{"n", "1"}}, false);
  auto many = internal::Expand(tmpl, {{"n", "4"}}, false);
  auto none = internal::Expand(tmpl, {{"n", ""}}, false);
  ASSERT_TRUE(one.ok() && many.ok() && none.ok());
  EXPECT_EQ(*one, "<1 reply>");
  EXPECT_EQ(*many, "<4 replies>");
  EXPECT_EQ(*none, "<>");
}

// --- reply_notice and reply_digest ------------------------------------------------------------

TEST(ReplyMails, RenderInEveryLanguageWithEveryValue) {
  for (const char* lang : {"en", "fr", "ru"}) {
    for (const Mail& m : {Notice(lang), Digest(lang)}) {
      SCOPED_TRACE(m.kind + "/" + lang);
      auto r = RenderIt(m);
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_NE(internal::FindTemplate(m.kind, lang), nullptr);
      for (const std::string* part : {&r->subject, &r->text, &r->html}) {
        EXPECT_EQ(part->find("{{"), std::string::npos) << *part;
        EXPECT_EQ(part->find("}}"), std::string::npos) << *part;
      }
      EXPECT_NE(r->subject.find("Tribune"), std::string::npos) << r->subject;
      EXPECT_EQ(DecodedSubject(r->message), r->subject);
      EXPECT_NE(r->text.find("Alice"), std::string::npos);
      EXPECT_NE(r->text.find("https://news.example/settings/notifications"), std::string::npos);
      EXPECT_NE(r->text.find(kUnsubscribe), std::string::npos);
      EXPECT_NE(r->html.find("href=\"https://news.example/settings/notifications\""), std::string::npos);
      EXPECT_NE(r->html.find(std::string("href=\"") + kUnsubscribe + "\""), std::string::npos);
      EXPECT_NE(r->html.find("Budget &lt;2026&gt;"), std::string::npos);
      EXPECT_NE(r->text.find("Budget <2026>"), std::string::npos);
      if (m.kind == "reply_notice") {
        EXPECT_NE(r->subject.find("Émile"), std::string::npos) << r->subject;
        EXPECT_NE(r->text.find("Émile"), std::string::npos);
        EXPECT_NE(r->text.find("I think <b>& so on"), std::string::npos);
        EXPECT_NE(r->html.find("I think &lt;b&gt;&amp; so on"), std::string::npos);
        EXPECT_NE(r->text.find("https://news.example/a/budget#c42"), std::string::npos);
      } else {
        EXPECT_NE(r->subject.find("5"), std::string::npos) << r->subject;
        EXPECT_NE(r->text.find("5"), std::string::npos);
        for (const char* s : {"Bob", "Зоя", "Élections", "Second reply", "https://news.example/a/budget#c1",
                              "https://news.example/a/elections#c2"}) {
          EXPECT_NE(r->text.find(s), std::string::npos) << s;
          EXPECT_NE(r->html.find(s), std::string::npos) << s;
        }
        // Two items, each once, in order.
        EXPECT_EQ(Occurrences(r->html, "<li"), 2u);
        EXPECT_LT(r->text.find("Bob"), r->text.find("Зоя"));
      }
    }
  }
}

TEST(ReplyMails, TheLanguagesDiffer) {
  auto en = RenderIt(Notice("en"));
  auto fr = RenderIt(Notice("fr"));
  auto ru = RenderIt(Notice("ru"));
  ASSERT_TRUE(en.ok() && fr.ok() && ru.ok());
  EXPECT_EQ(en->subject, "Émile replied to your comment on Tribune");
  EXPECT_EQ(fr->subject, "Émile a répondu à votre commentaire sur Tribune");
  EXPECT_EQ(ru->subject, "Tribune: Émile отвечает на ваш комментарий");
  EXPECT_NE(fr->text.find("« Budget <2026> »"), std::string::npos);
  EXPECT_NE(ru->text.find("«Budget <2026>»"), std::string::npos);
}

TEST(ReplyMails, AMissingVariableIsAnError) {
  for (const char* lang : {"en", "fr", "ru"}) {
    for (const Mail& base : {Notice(lang), Digest(lang)}) {
      for (const auto& [name, value] : base.vars) {
        Mail m = base;
        m.vars.erase(name);
        auto r = RenderIt(m);
        ASSERT_FALSE(r.ok()) << base.kind << "/" << lang << " without " << name;
        EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
      }
      Mail m = base;
      m.unsubscribe_url.clear();  // so no unsubscribe_link
      EXPECT_FALSE(RenderIt(m).ok()) << base.kind << "/" << lang;
      if (base.kind == "reply_digest") {
        for (const auto& [field, value] : base.items[0]) {
          Mail d = base;
          d.items[0].erase(field);
          EXPECT_FALSE(RenderIt(d).ok()) << lang << " item without " << field;
        }
      }
    }
  }
}

TEST(ReplyMails, TheDigestMentionsMoreRepliesOnlyWhenSet) {
  struct Case {
    const char* lang;
    const char* many;  // with more = "4"
    const char* one;   // with more = "1"
    const char* marker;  // a word only the section uses
  };
  for (const Case& c : {Case{"en", "…and 4 more replies waiting", "…and 1 more reply waiting", "more repl"},
                        Case{"fr", "… et 4 autres réponses vous attendent", "… et une autre réponse vous attend",
                             "vous attend"},
                        Case{"ru", "остальные ответы (4) ждут вас", "ещё один ответ ждёт вас", "Это ещё не всё"}}) {
    SCOPED_TRACE(c.lang);
    Mail m = Digest(c.lang);
    auto without = RenderIt(m);
    ASSERT_TRUE(without.ok());
    EXPECT_EQ(without->text.find(c.marker), std::string::npos) << without->text;
    EXPECT_EQ(without->html.find(c.marker), std::string::npos);
    m.vars["more"] = "4";
    auto many = RenderIt(m);
    ASSERT_TRUE(many.ok());
    EXPECT_NE(many->text.find(c.many), std::string::npos) << many->text;
    EXPECT_NE(many->html.find(c.many), std::string::npos) << many->html;
    m.vars["more"] = "1";
    auto one = RenderIt(m);
    ASSERT_TRUE(one.ok());
    EXPECT_NE(one->text.find(c.one), std::string::npos) << one->text;
    EXPECT_EQ(one->text.find(c.many), std::string::npos);
  }
}

TEST(ReplyMails, TheDigestSubjectAgreesWithTheCount) {
  Mail m = Digest("en");
  EXPECT_EQ(RenderIt(m)->subject, "5 new replies to your comments on Tribune");
  m.vars["count"] = "1";
  m.items.resize(1);
  EXPECT_EQ(RenderIt(m)->subject, "A new reply to your comments on Tribune");
  m = Digest("fr");
  EXPECT_EQ(RenderIt(m)->subject, "5 nouvelles réponses à vos commentaires sur Tribune");
  m.vars["count"] = "1";
  EXPECT_EQ(RenderIt(m)->subject, "Une nouvelle réponse à vos commentaires sur Tribune");
  m = Digest("ru");
  m.vars["count"] = "21";  // no noun follows the number, so no agreement to get wrong
  EXPECT_EQ(RenderIt(m)->subject, "Tribune: новые ответы на ваши комментарии (21)");
  m.vars["count"] = "1";
  EXPECT_EQ(RenderIt(m)->subject, "Tribune: новый ответ на ваш комментарий");
}

}  // namespace
}  // namespace tribune::mail
