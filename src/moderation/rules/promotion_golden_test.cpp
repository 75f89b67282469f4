// Behaviour lock for the promotion rule: the links UrlFinder finds (every field), the features of
// FindPromoTokens (with and without links) and PromotionDetector::Find (kind, span, flags), and
// PromotionDetector's signals (rule, confidence, detail, spans) for a varied corpus must equal what
// tests/moderation/promotion_golden.txt recorded. The scanners and the URL finder get rewritten for speed;
// promotion_test.cpp, links_urls_test.cpp and the rule tables say what they must find, this says nothing
// else moved either.
//
// Corpus: every line of tests/moderation/*.tsv (read at run time), hand-picked inputs (malformed UTF-8
// too), and strings generated from a fixed seed out of the pieces the scanners look at: amounts and
// currencies, percentages and periods, code words and codes, messenger words, handles and phone numbers,
// wallets, links of every sort, calls to action, promises, earning words, campaign words, dates, warnings
// and negations in the five listed languages, with capitals, leetspeak, repeated letters and NBSPs.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "moderation/rules/links_urls.hpp"
#include "moderation/rules/promotion.hpp"
#include "support/golden.hpp"
#include "text/views.hpp"

namespace tribune::moderation {
namespace {

using tribune::testing::Digest;
using tribune::testing::Rng;

const std::filesystem::path kGolden =
    std::filesystem::path(TRIBUNE_SOURCE_DIR) / "tests" / "moderation" / "promotion_golden.txt";

const PromotionDetector& Detector() {
  static const auto detector = [] {
    auto d = PromotionDetector::Load();
    EXPECT_TRUE(d.ok());
    return d.ok() ? std::move(d).value() : std::make_unique<PromotionDetector>(nullptr);
  }();
  return *detector;
}

const UrlFinder& Urls() {
  static const UrlFinder finder = [] {
    auto psl = PublicSuffixList::Load(DefaultPublicSuffixListPath());
    EXPECT_TRUE(psl.ok());
    return UrlFinder(psl.ok() ? std::move(psl).value() : PublicSuffixList::Parse("com\n"));
  }();
  return finder;
}

std::vector<std::string> HandPicked() {
  // clang-format off
  return {
      "", "$", "5$", "$5", "€", "1,90 €", "US$ 5", "199 USD", "500 руб", "500₽", "10 000 рублей", "5k$",
      "0.1 BTC", "20 dólares", "3000–5000 руб", "3 тыс руб", "2 млн", "-50%", "−30 %", "скидка 30%",
      "50% off", "30 % de réduction", "20 % Rabatt", "40% de descuento", "$500 a day", "5000 руб в день",
      "от 3000 в неделю", "30% a month", "€200/day", "100 € par jour", "50 € pro Tag", "100 euros al día",
      "$25 an hour", "promo code SAVE20", "use code XMAS-10", "zip code 90210", "промокод ab12cd",
      "code promo ABCD", "Gutscheincode 12345", "t.me/name", "t . me / name", "t[.]me/x", "wa.me/79123456789",
      "WhatsApp +7 912 345-67-89", "@x on Telegram", "telegram @dealz", "тг @name", "call 555-201-7788",
      "звоните 8 912 345 67 89", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
      "0x52908400098527886E0F7030069857D2E4169EE7", "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", "May 5", "8 сентября",
      "5. Mai", "5 de mayo", "November 7th", "https://amzn.to/3abc", "https://example.com/?ref=abc",
      "https://shop.example.store/item/5", "youtube.com/@channel", "instagram.com/someone", "linktr.ee/me",
      "https://www.bbc.co.uk/news/article-1", "hxxp://evil[.]com/x", "order now $199", "0rder n0w for $19.99",
      "DM me for $50", "not a scam", "this is a scam $500 a day", "guaranteed $300 a week from home",
      "send 0.1 BTC and get 0.2 BTC back", "Paid for by Smith for Senate", "Vote YES on May 5",
      "Голосуйте за нашего кандидата", "заработок от 5000 в день пиши в лс", "écrivez-moi 100 € par jour",
      "jetzt bestellen nur 19,99 €", "compra ya 20 dólares", "\xFF\xFE $5 \xC3", "\xC3\x28 promo code \xA0",
      "5\xC2\xA0" "000\xC2\xA0руб", "€\xE2\x80\xAF" "10", "a.b", "x@y.com", "see example.com.", "@", "/", "..",
  };
  // clang-format on
}

const std::vector<std::string>& Pieces() {
  // clang-format off
  static const std::vector<std::string> pieces = {
      " ", " ", " ", " ", "  ", "\n", ",", ".", ":", ";", "-", "/", "(", ")", "+", "#", "@", "$", "€", "₽",
      "£", "%", "!", "?", "\xC2\xA0", "\xE2\x80\x93", "\xE2\x80\xAF", "\xE2\x88\x92", " - ", "'", "_", "x2",
      "USD", "usd", "EUR", "руб", "рублей", "BTC", "ETH", "USDT", "dollars", "euros", "dólares", "k", "к",
      "тыс", "млн", "a day", "per day", "a week", "a month", "an hour", "/day", "в день", "в неделю",
      "par jour", "pro Tag", "al día", "from", "up to", "от", "до", "ab", "desde", "off", "скидка", "минус",
      "Rabatt", "de réduction", "de descuento", "promo", "promo code", "coupon", "referral", "code", "код",
      "промокод", "código", "Gutscheincode", "SAVE20", "XMAS-10", "ab12cd", "HTML", "review", "telegram",
      "Telegram", "tg", "WhatsApp", "viber", "signal", "телеграм", "тг", "ватсап", "insta", "@dealz", "@anna",
      "t.me/", "wa.me/", "vk.me/", "t . me / ", "t[.]me/", "call", "Call", "звоните", "order now", "Order Now",
      "0rder n0w", "buy now", "commandez", "jetzt bestellen", "compra ya", "DM me", "ask me how", "пиши в лс",
      "on WhatsApp", "écrivez-moi", "guaranteed", "risk-free", "без вложений", "no experience needed",
      "earn", "make", "made", "заработок", "доход", "gagner", "verdienen", "from home", "send", "отправь",
      "deposit", "back", "обратно", "Vote", "Re-elect", "Donate", "Голосуйте", "Paid for by", "for", "YES",
      "за", "May", "November", "сентября", "Mai", "de mayo", "scam", "police", "мошенники", "arnaque", "Betrug",
      "estafa", "not", "no", "не", "the", "my", "I", "we", "you", "is", "and", "it", "price", "petrol",
      "https://", "http://", "hxxp://", "www.", "example.com", "amzn.to/3abc", "?ref=abc", "&aff=7", "?tag=x-20",
      "/ref/", "youtube.com/@chan", "instagram.com/user", "tiktok.com/@x", "linktr.ee/me", "discord.gg/abc",
      "shop.example.store", "/shop", "/product/5", "/dp/B00X", "bit.ly/xyz", "bbc.co.uk/news/1", "[.]",
      "(dot)", ".com", ".ru", ".shop", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "0x52908400098527886E0F7030069857D2E4169EE7",
      "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW", "ORDER", "é", "ё",
      "ß", "😀", "Ѐ", "\xFF", "ooorder", "nowww",
  };
  // clang-format on
  return pieces;
}

std::string Digits(Rng& rng, size_t n) {
  std::string s;
  for (size_t k = 0; k < n; ++k) s.push_back(static_cast<char>('0' + rng.Below(10)));
  return s;
}

std::string Generated(Rng& rng) {
  // clang-format off
  static const std::vector<std::string> known = {
      "$199", "199 USD", "€10", "1,90 €", "500₽", "10 000 рублей", "-50%", "50% off", "$500 a day",
      "30% a month", "promo code SAVE20", "t.me/dealz", "+7 912 345-67-89", "555-201-7788", "May 5",
      "https://example.com/?ref=abc", "https://shop.example.store/item/5", "instagram.com/someone",
      "0.1 BTC", "3000–5000", "1.234,56", "12'000", "5k", "8 (912) 345-67-89",
  };
  // clang-format on
  const auto& pieces = Pieces();
  std::string s;
  const size_t n = 1 + rng.Below(60);
  for (size_t k = 0; k < n; ++k) {
    const size_t r = rng.Below(10);
    if (r < 2) {
      s += Digits(rng, 1 + rng.Below(r == 0 ? 12 : 4));  // digit groups, now and then a long run
    } else if (r == 2) {
      s += known[rng.Below(known.size())];
    } else {
      s += pieces[rng.Below(pieces.size())];
    }
    if (rng.Below(3) != 0) s += " ";
  }
  return s;
}

void Features(Digest& d, const std::vector<PromoFeature>& fs) {
  d.U64(fs.size());
  for (const PromoFeature& f : fs) {
    d.U64(static_cast<uint64_t>(f.kind)).U64(f.begin).U64(f.end);
    d.U64((f.strong ? 1 : 0) | (f.wage ? 2 : 0) | (f.percent ? 4 : 0) | (f.income ? 8 : 0) | (f.crypto ? 16 : 0));
  }
}

std::string Outputs(std::string_view text) {
  Digest d;
  const std::vector<Url> urls = Urls().Find(text);
  d.U64(urls.size());
  for (const Url& u : urls) {
    d.U64(u.begin).U64(u.end).Str(u.scheme).Str(u.host).Str(u.host_ascii).Str(u.host_unicode);
    d.Str(u.registrable_domain).Str(u.port).Str(u.path).Str(u.userinfo);
    d.U64((u.is_ip ? 1 : 0) | (u.has_userinfo ? 2 : 0) | (u.obfuscated ? 4 : 0) | (u.bare ? 8 : 0));
  }
  Features(d, FindPromoTokens(text));
  Features(d, FindPromoTokens(text, &Urls()));
  const text::TextViews views = text::BuildViews(text, /*with_words=*/false);
  Features(d, Detector().Find(views));
  std::vector<Signal> signals;
  Detector().Detect(DetectorInput{views, "en", "", nullptr}, signals);
  d.U64(signals.size());
  for (const Signal& s : signals) {
    d.Str(s.rule).Bytes(&s.confidence, sizeof s.confidence).Str(s.detail).U64(s.may_reject ? 1 : 0);
    d.U64(s.spans.size());
    for (auto [b, e] : s.spans) d.U64(b).U64(e);
  }
  return d.Hex().substr(0, 12);
}

std::string Describe(std::string_view text) {
  std::string out;
  for (const PromoFeature& f : Detector().Find(text::BuildViews(text, /*with_words=*/false))) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %s [%zu, %zu)%s%s%s%s%s: ", PromoKindName(f.kind), f.begin, f.end,
                  f.strong ? "" : " weak", f.wage ? " wage" : "", f.percent ? " percent" : "",
                  f.income ? " income" : "", f.crypto ? " crypto" : "");
    out += buf;
    out += std::string(text.substr(f.begin, f.end - f.begin)) + "\n";
  }
  for (const Url& u : Urls().Find(text)) out += "  url [" + std::to_string(u.begin) + ", " + std::to_string(u.end) + ") " + u.host + u.path + "\n";
  return out;
}

TEST(PromotionGolden, LinksFeaturesAndSignalsEqualTheRecordedOutput) {
  std::vector<std::string> corpus = HandPicked();
  Rng rng(2611);
  for (int k = 0; k < 4000; ++k) corpus.push_back(Generated(rng));
  const size_t generated = corpus.size();
  for (std::string& line : tribune::testing::RuleTableTexts(TRIBUNE_SOURCE_DIR)) corpus.push_back(std::move(line));
  tribune::testing::RunGolden(
      kGolden, "promotion",
      "UrlFinder + FindPromoTokens + PromotionDetector outputs: input digest, then a 48-bit\n"
      "digest of the links, features and signals. Written by\n"
      "src/moderation/rules/promotion_golden_test.cpp with TRIBUNE_WRITE_GOLDEN=1.",
      corpus, generated, Outputs, [](const std::string& in) { return "now finds:\n" + Describe(in); });
}

}  // namespace
}  // namespace tribune::moderation
