// Rules "commercial_political_ads", "unauthorised_promotion" and "spam_scheme": the parts of selling and
// spamming that a word list cannot see — amounts of money, codes, handles, wallet addresses, links — and
// how they combine. The phrases themselves ("order now", "subscribe to my channel", "без вложений",
// "paid political advertisement") are lexicon data: data/lexicons/<lang>/<rule>.txt (LexiconDetector).
//
// Features, each with [begin, end) byte offsets into the ORIGINAL text:
//   price      a currency sign, code or word next to a number: "$199", "US$ 5", "199 USD", "€10", "1,90 €",
//              "500 руб", "500₽", "10 000 рублей", "5k$", "0.1 BTC" (`crypto`), "20 dólares". Numbers: digit
//              groups joined by ',', '.', '\'', a space or a no-break space ("10 000"), a decimal part, a
//              range ("3000–5000"), a multiplier ("5k", "10к", "3 тыс", "2 млн"); over 24 digits is no amount.
//   discount   a percentage written as a discount: "-50%", "−30 %", "скидка 30%", "минус 20%", "50% off",
//              "30 % de réduction", "20 % Rabatt", "40% de descuento".
//   rate       money or a percentage per unit of time: "$500 a day", "5000 руб в день", "от 3000 в
//              неделю", "30% a month", "€200/day", "100 € par jour", "50 € pro Tag", "100 euros al día". A
//              number without currency counts from 100 up, or after "от"/"from"/"up to"/"до"/"ab"/"desde".
//              Per hour or per year is a `wage` (salaries, interest), never a get-rich promise.
//   income     (a flag on rates and prices) what a scheme promises: a percentage per day/week/month, or
//              money per period or an amount within 60 bytes after an earning word ("earn", "make",
//              "заработок", "доход", "gagner", "verdienen", "from home"). An income amount is no sale price.
//   promo code a token of 4–20 ASCII letters/digits after a code word: after "promo", "coupon", "referral",
//              "промокод", "code promo", "Gutscheincode"… it mixes letters and digits, is all capitals or a
//              number of 5+ digits ("SAVE20", "ab12cd", "XMAS-10"); after a bare "code"/"код"/"código" it
//              must mix letters and digits ("zip code 90210", "code HTML", "code review" are not codes).
//   handle     a messenger or social contact: t.me/name, telegram.me/…, wa.me/…, vk.me/…, m.me/… (also
//              "t . me / name", "t[.]me"), a messenger word ("telegram", "tg", "WhatsApp", "viber", "signal",
//              "телеграм", "тг", "ватсап", "вайбер", "insta"…) followed within 24 bytes by "@name" or a phone
//              number ("WhatsApp +7 912 345-67-89"), or "@name" just before one ("@x on Telegram").
//   contact    a phone number after a calling word ("call 555-201-7788", "звоните 8 912…"; the number
//              itself is the privacy rule's), and invitations from the word lists below.
//   wallet     a crypto address, checksums verified where the format has one: Bitcoin base58check
//              ("1…"/"3…", 26–35 characters), bech32/bech32m ("bc1…"), Tron base58check ("T…", 34
//              characters); Ethereum "0x" + 40 hex digits (its mixed-case checksum needs Keccak: not checked).
//   date       a day number next to a month name: "May 5", "November 7th", "8 сентября", "5. Mai", "5 de mayo".
//   links      found by UrlFinder (links_urls.hpp), sorted into affiliate (ref=, aff=, affid=, affiliate,
//              partner=, referral=, invite=, Amazon tag=, amzn.to, /ref/ /referral/ paths; "ref_=" is
//              Amazon's own navigation), messenger (t.me, wa.me: a handle), profile (a channel or account:
//              youtube.com/@x|/c/|/channel/|/user/, instagram.com/x, tiktok.com/@x, twitch.tv/x, vk.com/x,
//              linktr.ee, onlyfans, patreon, boosty, discord.gg) and shop (a shop TLD — .shop .store .sale
//              .deals…, a shop path — /shop /product /item /buy /order /cart /catalog /dp/, a marketplace
//              listing, a URL shortener, or a site's front page). Other links — articles, references — are
//              no feature at all: a reader citing a source is not advertising.
//   words      from small in-code lists, matched on the `squeezed` view (so "0rder n0w" reads "order now"):
//              calls to action ("order now", "звоните", "commandez", "jetzt bestellen", "compra ya"; a mere
//              "call now"/"звоните" is marked: it is a contact itself), contact invitations ("DM me", "ask
//              me how", "пиши в лс", "on WhatsApp", "écrivez-moi"), promises ("guaranteed", "risk-free",
//              "без вложений", "no experience needed"), earning words, requests to send crypto ("send",
//              "отправь", "deposit") and what comes back ("back", "обратно", "x2"), campaign imperatives
//              ("Vote", "Re-elect", "Donate", "Голосуйте") and disclaimers ("Paid for by") — both only at the
//              start of a sentence or after a dash, the imperative only before a name, "for", "YES", "за"… —
//              and scam warnings ("scam", "police", "мошенники", "arnaque", "Betrug", "estafa"). Warnings and
//              promises preceded by a negation ("not a scam", "not guaranteed") do not count.
//   Why word lists in code at all: the policy adds signals of one rule as strongest + 0.25 × the others,
//   so a price found here and "order now" found by the lexicon would only hold. A call to action next to a
//   price is one piece of evidence, and only the code that sees both can say so. The lists are short (en,
//   ru, fr, de, es) and hold only words that combine with numbers, codes, handles and links; the rest of
//   the vocabulary is lexicon data.
//
// Combination (features count together within 300 bytes of each other; overlapping features are one):
//   commercial_political_ads  price/discount (not income) + call to action, contact, handle or
//                             promo code; campaign disclaimer + imperative, date, site or amount 1.0 (reject)
//                             campaign disclaimer alone                                         0.9 (hold)
//                             price/discount + shop, affiliate or profile link; price +
//                             discount; call to action (not a mere "call now") + handle,
//                             contact or shop link; campaign imperative + date, site or amount 0.6 (hold)
//   unauthorised_promotion    two of: promo code, affiliate link, handle, profile link; or one
//                             of them + a price or discount                                    1.0 (reject)
//                             one of them (a code after a promo/referral word)                 0.9 (hold)
//                             a code after a bare "code"                                       0.6 (hold)
//   spam_scheme               income + call to action, contact, handle, promise or promo code;
//                             wallet or crypto request + rate, promise, return, crypto amount,
//                             wallet                                                           1.0 (reject)
//                             wallet alone; income + shop, affiliate or profile link           0.5 (hold)
// Under data/policy.toml (weights 8, 8, 10) a 0.9 signal holds alone and any lexicon match of the same
// rule at ≥ 0.4 tips it into rejection; 0.6/0.5 hold. A price, discount, rate, call to action, request
// to send crypto or plain link alone emits nothing: "petrol is now €1.90", "my wife earns $900 a week",
// "I send 0.1 BTC to my brother" are ordinary comments. A scam warning anywhere in the comment drops every
// signal of this detector: "police warn of a scheme promising $500 a day" is news.
//
// Bounds: at most 64 features of each kind are kept; every scanner is linear in the text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "moderation/detector.hpp"
#include "moderation/rules/links_urls.hpp"
#include "text/views.hpp"

namespace tribune::moderation {

enum class PromoKind : uint8_t {
  kPrice,
  kDiscount,
  kRate,
  kPromoCode,
  kHandle,
  kWallet,
  kAffiliateLink,
  kProfileLink,
  kShopLink,
  kCallToAction,
  kContact,
  kPromise,
  kCryptoRequest,
  kEarning,
  kPoliticalCall,
  kDisclaimer,
  kDate,
  kReturnPromise,
  kWarning,
};

// "price", "discount", "rate", "promo code", "handle", "wallet", "affiliate link", "profile link",
// "shop link", "call to action", "contact", "promise", "crypto request", "earning word", "political call",
// "campaign disclaimer", "date", "return promise", "scam warning".
const char* PromoKindName(PromoKind kind);

struct PromoFeature {
  PromoKind kind = PromoKind::kPrice;
  size_t begin = 0, end = 0;  // [begin, end) byte offsets into the original text
  bool strong = true;    // promo code: after a promo/referral word (false: after a bare "code");
                         // call to action: false for a mere "call now", "звоните" (a contact itself)
  bool wage = false;     // rate: money per hour or per year
  bool percent = false;  // rate: a percentage ("30% a month")
  bool income = false;   // rate or price: promised earnings — a percentage per period, or money near an
                         // earning word ("earn", "заработок"); never a wage
  bool crypto = false;   // price: in BTC, ETH, USDT…
};

// The features found in `text` by the scanners that read the original text only (prices, discounts,
// rates, promo codes, handles, wallets and, when `urls` is given, links), sorted by `begin`. `text` should
// be valid UTF-8; malformed bytes are punctuation. Never throws except std::bad_alloc.
std::vector<PromoFeature> FindPromoTokens(std::string_view text, const UrlFinder* urls = nullptr);

// The signals the combination table above gives for `features` (any order). Pure: used by Detect and
// by the tests.
void CombinePromoFeatures(const std::vector<PromoFeature>& features, std::vector<Signal>& out);

namespace promo_internal {
class WordLists;
}

class PromotionDetector final : public Detector {
 public:
  // `urls` finds the links (nullptr: no link features). Normalises the in-code word lists through
  // text::BuildViews, so they meet the text in the same form.
  explicit PromotionDetector(std::shared_ptr<const UrlFinder> urls);
  // With a URL finder over the public suffix list at `public_suffix_list` (Debian's when empty).
  // Errors: kUnavailable when the list cannot be read.
  static Result<std::unique_ptr<PromotionDetector>> Load(const std::string& public_suffix_list = "");
  ~PromotionDetector() override;
  PromotionDetector(const PromotionDetector&) = delete;
  PromotionDetector& operator=(const PromotionDetector&) = delete;

  std::string_view Name() const override { return "promotion"; }
  // Every feature: FindPromoTokens plus the word lists over `views.squeezed` (needs the squeezed view).
  std::vector<PromoFeature> Find(const text::TextViews& views) const;
  // Thread-safe, never throws, linear in the text.
  void Detect(const DetectorInput& input, std::vector<Signal>& out) const override;


 private:
  std::shared_ptr<const UrlFinder> urls_;
  std::unique_ptr<const promo_internal::WordLists> words_;
};

}  // namespace tribune::moderation
