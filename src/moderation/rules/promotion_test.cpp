#include "moderation/rules/promotion.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "text/views.hpp"

namespace tribune::moderation {
namespace {

const PromotionDetector& Detector() {
  static const auto detector = [] {
    auto d = PromotionDetector::Load();
    EXPECT_TRUE(d.ok());
    return d.ok() ? std::move(d).value() : std::make_unique<PromotionDetector>(nullptr);
  }();
  return *detector;
}

std::vector<PromoFeature> Features(std::string_view text) {
  const text::TextViews views = text::BuildViews(text, /*with_words=*/false);
  return Detector().Find(views);
}

std::vector<Signal> Detect(std::string_view text) {
  const text::TextViews views = text::BuildViews(text, /*with_words=*/false);
  std::vector<Signal> out;
  Detector().Detect(DetectorInput{views, "en", "", nullptr}, out);
  return out;
}

// The text of every feature of `kind`, in order.
std::vector<std::string> Of(std::string_view text, PromoKind kind) {
  std::vector<std::string> out;
  for (const PromoFeature& f : Features(text)) {
    if (f.kind == kind) out.emplace_back(text.substr(f.begin, f.end - f.begin));
  }
  return out;
}

using V = std::vector<std::string>;

const Signal* Find(const std::vector<Signal>& signals, std::string_view rule) {
  for (const Signal& s : signals) {
    if (s.rule == rule) return &s;
  }
  return nullptr;
}

PromoFeature F(PromoKind kind, size_t begin, size_t end) { return PromoFeature{kind, begin, end}; }

// ---------------------------------------------------------------------------------------------------
// Features with exact offsets

TEST(PromotionFeatures, PricesWithSignsCodesAndWords) {
  EXPECT_EQ(Of("iPhone 15 for $199, order now", PromoKind::kPrice), V{"$199"});
  EXPECT_EQ(Of("only 199 USD today", PromoKind::kPrice), V{"199 USD"});
  EXPECT_EQ(Of("€10 or 1,90 € or US$ 5", PromoKind::kPrice), (V{"€10", "1,90 €", "US$ 5"}));
  EXPECT_EQ(Of("цена 500 руб. и 500₽ и 10 000 рублей", PromoKind::kPrice), (V{"500 руб.", "500₽", "10 000 рублей"}));
  EXPECT_EQ(Of("from 5k$ or 3 тыс руб", PromoKind::kPrice), (V{"5k$", "3 тыс руб"}));
  EXPECT_EQ(Of("20 dólares, 49,99 €, 1.200 euros", PromoKind::kPrice), (V{"20 dólares", "49,99 €", "1.200 euros"}));
  const std::string text = "send 0.1 BTC now";
  auto fs = FindPromoTokens(text);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].kind, PromoKind::kPrice);
  EXPECT_EQ(fs[0].begin, 5u);
  EXPECT_EQ(fs[0].end, 12u);
  EXPECT_TRUE(fs[0].crypto);
}

TEST(PromotionFeatures, NumbersThatAreNoPrices) {
  EXPECT_TRUE(Of("iPhone15 has 5 cameras and 2024 was a year of 30 km runs", PromoKind::kPrice).empty());
  EXPECT_TRUE(Of("I lost 5 pounds", PromoKind::kPrice).size() == 1);  // a unit word, honestly read as money
  EXPECT_TRUE(Of("version 1.2.3 and 192.168.1.1", PromoKind::kPrice).empty());
}

TEST(PromotionFeatures, Discounts) {
  EXPECT_EQ(Of("Sale -50% today", PromoKind::kDiscount), V{"-50%"});
  EXPECT_EQ(Of("скидка 30% на все", PromoKind::kDiscount), V{"30%"});
  EXPECT_EQ(Of("up to 70% off", PromoKind::kDiscount), V{"70%"});
  EXPECT_EQ(Of("Скидки до 70% на всё", PromoKind::kDiscount), V{"70%"});
  EXPECT_EQ(Of("30 % de réduction", PromoKind::kDiscount), V{"30 %"});
  EXPECT_TRUE(Of("prices rose 50% and fell 10-20%", PromoKind::kDiscount).empty());
}

TEST(PromotionFeatures, RatesIncomeAndWages) {
  auto rate = [](std::string_view text) {
    for (const PromoFeature& f : Features(text)) {
      if (f.kind == PromoKind::kRate) return f;
    }
    return PromoFeature{PromoKind::kWarning, 0, 0};
  };
  const std::string a = "I earn $5,000 a week from home";
  PromoFeature r = rate(a);
  ASSERT_EQ(r.kind, PromoKind::kRate);
  EXPECT_EQ(a.substr(r.begin, r.end - r.begin), "$5,000 a week");
  EXPECT_TRUE(r.income);
  EXPECT_FALSE(r.wage);
  EXPECT_EQ(Of("заработок от 3000 в день", PromoKind::kRate), V{"3000 в день"});
  EXPECT_EQ(Of("€200/day and 100 € par jour", PromoKind::kRate), (V{"€200/day", "100 € par jour"}));
  r = rate("guaranteed 30 % a month");
  EXPECT_TRUE(r.percent);
  EXPECT_TRUE(r.income);
  r = rate("he earns $15 an hour");
  EXPECT_TRUE(r.wage);
  EXPECT_FALSE(r.income);
  r = rate("Netflix is $9.99 a month");  // a price per period: no earning word
  EXPECT_EQ(r.kind, PromoKind::kRate);
  EXPECT_FALSE(r.income);
  EXPECT_TRUE(Of("take 2 a day and walk 10 km a day", PromoKind::kRate).empty());
}

TEST(PromotionFeatures, PromoCodes) {
  EXPECT_EQ(Of("use promo code SAVE20 now", PromoKind::kPromoCode), V{"SAVE20"});
  EXPECT_EQ(Of("Promo: ABC123!", PromoKind::kPromoCode), V{"ABC123"});
  EXPECT_EQ(Of("промокод «SALE50» даёт скидку", PromoKind::kPromoCode), V{"SALE50"});
  EXPECT_EQ(Of("my referral code is ab12cd", PromoKind::kPromoCode), V{"ab12cd"});
  EXPECT_EQ(Of("coupon XMAS-10 works", PromoKind::kPromoCode), V{"XMAS-10"});
  auto fs = FindPromoTokens("enter code GIFT2024");
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_FALSE(fs[0].strong);  // after a bare "code"
  EXPECT_TRUE(Of("the zip code 90210, the code below, code HTML", PromoKind::kPromoCode).empty());
  EXPECT_TRUE(Of("my promo at work came through", PromoKind::kPromoCode).empty());
}

TEST(PromotionFeatures, MessengerHandles) {
  EXPECT_EQ(Of("join t.me/shop_bot today", PromoKind::kHandle), V{"t.me/shop_bot"});
  EXPECT_EQ(Of("check out t . me / cheap_deals", PromoKind::kHandle), V{"t . me / cheap_deals"});
  EXPECT_EQ(Of("t[.]me/x_y_z", PromoKind::kHandle), V{"t[.]me/x_y_z"});
  EXPECT_EQ(Of("subscribe to my Telegram @crypto_king", PromoKind::kHandle), V{"Telegram @crypto_king"});
  EXPECT_EQ(Of("WhatsApp +7 912 345-67-89, пишите", PromoKind::kHandle), V{"WhatsApp +7 912 345-67-89"});
  EXPECT_EQ(Of("Message @JamesFX on Telegram", PromoKind::kHandle), V{"@JamesFX on Telegram"});
  EXPECT_EQ(Of("телеграм: @ivan_sells", PromoKind::kHandle), V{"телеграм: @ivan_sells"});
  EXPECT_TRUE(Of("I follow @BBCBreaking; Telegram was down; at.me/x", PromoKind::kHandle).empty());
  EXPECT_EQ(Of("call 555-019-2233 now", PromoKind::kContact), V{"call 555-019-2233"});
}

TEST(PromotionFeatures, WalletsWithChecksums) {
  EXPECT_EQ(Of("to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa now", PromoKind::kWallet), V{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"});
  EXPECT_EQ(Of("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", PromoKind::kWallet), V{"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"});
  EXPECT_EQ(Of("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", PromoKind::kWallet),
            V{"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"});
  EXPECT_EQ(Of("0x742d35Cc6634C0532925a3b844Bc454e4438f44e", PromoKind::kWallet),
            V{"0x742d35Cc6634C0532925a3b844Bc454e4438f44e"});
  EXPECT_EQ(Of("USDT TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", PromoKind::kWallet), V{"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"});
  // One character changed: the checksum fails.
  EXPECT_TRUE(Of("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", PromoKind::kWallet).empty());
  EXPECT_TRUE(Of("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", PromoKind::kWallet).empty());
  EXPECT_TRUE(Of("0x742d35Cc6634C0532925a3b844Bc454e4438f44", PromoKind::kWallet).empty());  // 39 hex digits
  EXPECT_TRUE(Of("Bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", PromoKind::kWallet).empty());  // mixed case
}

TEST(PromotionFeatures, Links) {
  EXPECT_EQ(Of("here: https://www.amazon.com/dp/B08N5WRWNW?tag=deals-20", PromoKind::kAffiliateLink),
            V{"https://www.amazon.com/dp/B08N5WRWNW?tag=deals-20"});
  EXPECT_EQ(Of("see amzn.to/3xYz12Q.", PromoKind::kAffiliateLink), V{"amzn.to/3xYz12Q"});
  EXPECT_EQ(Of("https://x.example/register?ref=AB12", PromoKind::kAffiliateLink), V{"https://x.example/register?ref=AB12"});
  EXPECT_TRUE(Of("https://www.amazon.com/dp/B08N5WRWNW/ref_=nav_x", PromoKind::kAffiliateLink).empty());
  EXPECT_EQ(Of("my channel youtube.com/@cooking", PromoKind::kProfileLink), V{"youtube.com/@cooking"});
  EXPECT_TRUE(Of("youtube.com/watch?v=abc123", PromoKind::kProfileLink).empty());
  EXPECT_EQ(Of("at cheap-phones.shop now", PromoKind::kShopLink), V{"cheap-phones.shop"});
  EXPECT_EQ(Of("bit.ly/3abc and example.com/products/x", PromoKind::kShopLink), (V{"bit.ly/3abc", "example.com/products/x"}));
  // An article is a citation, not a feature.
  EXPECT_TRUE(Features("https://www.theguardian.com/politics/2024/may/05/results").empty());
}

TEST(PromotionFeatures, WordsMatchTheSqueezedViewAndMapBack) {
  const std::string text = "Rolex $89, 0rder n0w!";
  auto cta = Of(text, PromoKind::kCallToAction);
  EXPECT_EQ(cta, V{"0rder n0w"});
  EXPECT_EQ(Of("Звоните сейчас", PromoKind::kCallToAction), V{"Звоните"});
  EXPECT_EQ(Of("пиши в лс", PromoKind::kContact).front(), "пиши в лс");
  EXPECT_EQ(Of("returns are guaranteed", PromoKind::kPromise), V{"guaranteed"});
  EXPECT_TRUE(Of("returns are not guaranteed", PromoKind::kPromise).empty());
  EXPECT_EQ(Of("police warn of a scam", PromoKind::kWarning), (V{"police", "warn", "scam"}));
  EXPECT_TRUE(Of("This is not a scam! It isn't a scam.", PromoKind::kWarning).empty());
}

TEST(PromotionFeatures, CampaignCallsOnlyAtTheStartOfASentence) {
  EXPECT_EQ(Of("Vote Smith on May 5 — paid for by Friends of Smith", PromoKind::kPoliticalCall), V{"Vote"});
  EXPECT_EQ(Of("Vote Smith on May 5 — paid for by Friends of Smith", PromoKind::kDisclaimer), V{"paid for by"});
  EXPECT_EQ(Of("Vote Smith on May 5", PromoKind::kDate), V{"May 5"});
  EXPECT_EQ(Of("Голосуйте 8 сентября", PromoKind::kDate), V{"8 сентября"});
  EXPECT_TRUE(Of("I'll vote for Smith", PromoKind::kPoliticalCall).empty());
  EXPECT_TRUE(Of("Vote counts from May 5 show a swing", PromoKind::kPoliticalCall).empty());
  EXPECT_TRUE(Of("The ads were paid for by the party", PromoKind::kDisclaimer).empty());
}

TEST(PromotionFeatures, CryptoRequestNeedsAnAmountOrWalletAfterIt) {
  EXPECT_EQ(Of("Send 0.1 BTC to me", PromoKind::kCryptoRequest), V{"Send 0.1 BTC"});
  EXPECT_TRUE(Of("send me your thoughts, the fee was 0.1 BTC later on in the year", PromoKind::kCryptoRequest).empty());
}

// ---------------------------------------------------------------------------------------------------
// Combination

TEST(PromotionCombine, TwoIndependentCommercialFeaturesReject) {
  std::vector<Signal> out;
  CombinePromoFeatures({F(PromoKind::kPrice, 0, 4), F(PromoKind::kCallToAction, 10, 19)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, "commercial_political_ads");
  EXPECT_DOUBLE_EQ(out[0].confidence, 1.0);
  EXPECT_EQ(out[0].detail, "price + call to action");
  EXPECT_EQ(out[0].spans, (std::vector<std::pair<size_t, size_t>>{{0, 4}, {10, 19}}));
}

TEST(PromotionCombine, OneFeatureAloneHoldsAtMostOrSaysNothing) {
  for (PromoKind kind : {PromoKind::kPrice, PromoKind::kDiscount, PromoKind::kRate, PromoKind::kCallToAction,
                         PromoKind::kContact, PromoKind::kShopLink, PromoKind::kPromise, PromoKind::kDate}) {
    std::vector<Signal> out;
    CombinePromoFeatures({F(kind, 0, 5)}, out);
    EXPECT_TRUE(out.empty()) << PromoKindName(kind);
  }
  std::vector<Signal> out;
  CombinePromoFeatures({F(PromoKind::kHandle, 0, 5)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, "unauthorised_promotion");
  EXPECT_DOUBLE_EQ(out[0].confidence, 0.9);
  out.clear();
  PromoFeature weak = F(PromoKind::kPromoCode, 0, 5);
  weak.strong = false;
  CombinePromoFeatures({weak}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].confidence, 0.6);
  out.clear();
  CombinePromoFeatures({F(PromoKind::kWallet, 0, 34)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, "spam_scheme");
  EXPECT_DOUBLE_EQ(out[0].confidence, 0.5);
}

TEST(PromotionCombine, WeakerPairsHold) {
  std::vector<Signal> out;
  CombinePromoFeatures({F(PromoKind::kPrice, 0, 4), F(PromoKind::kShopLink, 10, 30)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].confidence, 0.6);
  out.clear();
  CombinePromoFeatures({F(PromoKind::kPrice, 0, 4), F(PromoKind::kDiscount, 10, 14)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].confidence, 0.6);
}

TEST(PromotionCombine, FeaturesFarApartOrOverlappingDoNotPair) {
  std::vector<Signal> out;
  CombinePromoFeatures({F(PromoKind::kPrice, 0, 4), F(PromoKind::kCallToAction, 1000, 1009)}, out);
  EXPECT_TRUE(out.empty());
  CombinePromoFeatures({F(PromoKind::kPromoCode, 0, 8), F(PromoKind::kPromoCode, 2, 6)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].confidence, 0.9);  // one code, not two
}

TEST(PromotionCombine, IncomeWithAnInvitationIsASchemeAndAWageIsNot) {
  PromoFeature rate = F(PromoKind::kRate, 0, 12);
  rate.income = true;
  std::vector<Signal> out;
  CombinePromoFeatures({rate, F(PromoKind::kContact, 20, 30)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, "spam_scheme");
  EXPECT_DOUBLE_EQ(out[0].confidence, 1.0);
  out.clear();
  rate.income = false;
  rate.wage = true;
  CombinePromoFeatures({rate, F(PromoKind::kContact, 20, 30)}, out);
  EXPECT_TRUE(out.empty());
  // An income amount is no sale price: no commercial signal for "I made $4,600, ask me how".
  PromoFeature price = F(PromoKind::kPrice, 0, 6);
  price.income = true;
  CombinePromoFeatures({price, F(PromoKind::kContact, 20, 30)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, "spam_scheme");
}

TEST(PromotionCombine, CryptoDoublingAndWarnings) {
  std::vector<Signal> out;
  CombinePromoFeatures({F(PromoKind::kCryptoRequest, 0, 12), F(PromoKind::kReturnPromise, 30, 34)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rule, "spam_scheme");
  EXPECT_DOUBLE_EQ(out[0].confidence, 1.0);
  out.clear();
  CombinePromoFeatures({F(PromoKind::kWarning, 40, 45), F(PromoKind::kCryptoRequest, 0, 12),
                        F(PromoKind::kReturnPromise, 30, 34), F(PromoKind::kPrice, 0, 3), F(PromoKind::kCallToAction, 5, 9)},
                       out);
  EXPECT_TRUE(out.empty());
}

TEST(PromotionCombine, CampaignDisclaimer) {
  std::vector<Signal> out;
  CombinePromoFeatures({F(PromoKind::kDisclaimer, 0, 11)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].confidence, 0.9);
  out.clear();
  CombinePromoFeatures({F(PromoKind::kPoliticalCall, 0, 4), F(PromoKind::kDate, 11, 16)}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].confidence, 0.6);
}

// ---------------------------------------------------------------------------------------------------
// The detector end to end

TEST(PromotionDetector, IsNamedPromotionAndQuietOnOrdinaryText) {
  EXPECT_EQ(Detector().Name(), "promotion");
  EXPECT_TRUE(Detect("Petrol is now €1.90 a litre. My wife earns $900 a week. As the BBC reported, prices rose 5%.").empty());
  EXPECT_TRUE(Detect("").empty());
}

TEST(PromotionDetector, SignalsCarrySpansInOriginalBytes) {
  const std::string text = "Скидка 50%! Звоните, iPhone за 35 000 руб";
  auto signals = Detect(text);
  const Signal* s = Find(signals, "commercial_political_ads");
  ASSERT_NE(s, nullptr);
  EXPECT_DOUBLE_EQ(s->confidence, 1.0);
  std::vector<std::string> spans;
  for (auto [b, e] : s->spans) spans.push_back(text.substr(b, e - b));
  EXPECT_EQ(spans, (V{"50%", "Звоните"}));
}

TEST(PromotionDetector, TheBriefsExamples) {
  EXPECT_NE(Find(Detect("iPhone 15 for $199, order now at shop.example"), "commercial_political_ads"), nullptr);
  EXPECT_NE(Find(Detect("use my referral code ABC123"), "unauthorised_promotion"), nullptr);
  EXPECT_NE(Find(Detect("I earn $5,000 a week from home, ask me how"), "spam_scheme"), nullptr);
  EXPECT_NE(Find(Detect("send 0.1 BTC, get 0.2 back"), "spam_scheme"), nullptr);
  EXPECT_NE(Find(Detect("заработок от 5000 в день без вложений"), "spam_scheme"), nullptr);
  EXPECT_TRUE(Detect("Police warn of a crypto doubling scam: send 0.1 BTC, get 0.2 back").empty());
}

// ---------------------------------------------------------------------------------------------------
// Bad input: bounded time, bounded output, no crash

double Seconds(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(PromotionDetector, OneMegabyteOfDigits) {
  const std::string text(1 << 20, '7');
  std::vector<Signal> out;
  EXPECT_LT(Seconds([&] { out = Detect(text); }), 10.0);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(FindPromoTokens(text).empty());
}

TEST(PromotionDetector, TenThousandDollarTokens) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "$1 ";
  std::vector<PromoFeature> fs;
  EXPECT_LT(Seconds([&] { fs = FindPromoTokens(text); }), 5.0);
  EXPECT_LE(fs.size(), 64u);  // at most 64 features of a kind
  EXPECT_LT(Seconds([&] { Detect(text); }), 10.0);
}

TEST(PromotionDetector, ManyHandlesCodesAndPercentages) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "@abcd telegram 1% code A1B2 t.me/x ";
  std::vector<PromoFeature> fs;
  EXPECT_LT(Seconds([&] { fs = FindPromoTokens(text); }), 10.0);
  EXPECT_LE(fs.size(), 64u * 20);
}

TEST(PromotionDetector, OddInput) {
  for (std::string_view text : {std::string_view("\xFF\xFE$\xC2", 4), std::string_view("$"), std::string_view("1"),
                                std::string_view("-%"), std::string_view("t.me/"), std::string_view("code"),
                                std::string_view("bc1"), std::string_view("0x"), std::string_view("\xD0", 1),
                                std::string_view("5 \xD1", 3), std::string_view("\0$1\0", 4)}) {
    EXPECT_NO_THROW(FindPromoTokens(text));
    // The engine only passes valid UTF-8 to detectors; the scanners must still stay in bounds.
    std::vector<Signal> out;
    text::TextViews views;
    views.original = text;
    EXPECT_NO_THROW(Detector().Detect(DetectorInput{views, "en", "", nullptr}, out));
  }
}

}  // namespace
}  // namespace tribune::moderation
