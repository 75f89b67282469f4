// Rules "commercial_political_ads", "unauthorised_promotion", "spam_scheme": shared helpers, the feature
// collection (FindPromoTokens, PromotionDetector::Find) and the combination table of promotion.hpp.
#include "moderation/rules/promotion.hpp"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>

#include "moderation/rules/promotion_internal.hpp"

namespace tribune::moderation {
namespace promo_internal {

bool TermAt(std::string_view lower, size_t pos, const Term& term, size_t* end) {
  // The first byte first: most tries fail there, without a call to memcmp.
  if (pos >= lower.size() || lower[pos] != term.text[0] || lower.compare(pos, term.text.size(), term.text) != 0)
    return false;
  if (casing::IsWordChar(casing::Decode(term.text, 0).cp) && WordBefore(lower, pos)) return false;
  size_t e = pos + term.text.size();
  const bool word_end = casing::IsWordChar(casing::DecodeBefore(term.text, term.text.size()).cp);
  if (term.prefix) {
    while (WordAt(lower, e)) e += casing::Decode(lower, e).length;
  } else if (word_end && WordAt(lower, e)) {
    return false;
  }
  if (end) *end = e;
  return true;
}

std::vector<uint32_t> WordStarts(std::string_view text) {
  std::vector<uint32_t> starts;
  bool prev_word = false;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<uint8_t>(text[i]);
    // ASCII without a decode: most of the text.
    const casing::Decoded d = c < 0x80 ? casing::Decoded{c, 1} : casing::Decode(text, i);
    const bool word = c < 0x80 ? (IsAsciiAlnum(static_cast<char>(c)) || c == '_') : casing::IsWordChar(d.cp);
    if (word && !prev_word) starts.push_back(static_cast<uint32_t>(i));
    prev_word = word;
    i += d.length;
  }
  return starts;
}

size_t SkipSpaces(std::string_view s, size_t i, size_t limit) {
  for (size_t k = 0; k < limit && i < s.size(); ++k) {
    if (s[i] == ' ' || s[i] == '\t') ++i;
    else if (s.compare(i, 2, "\xC2\xA0") == 0) i += 2;
    else if (s.compare(i, 3, "\xE2\x80\xAF") == 0) i += 3;
    else break;
  }
  return i;
}

size_t SkipSpacesBack(std::string_view s, size_t i, size_t limit) {
  for (size_t k = 0; k < limit && i > 0; ++k) {
    if (s[i - 1] == ' ' || s[i - 1] == '\t') --i;
    else if (i >= 2 && s.compare(i - 2, 2, "\xC2\xA0") == 0) i -= 2;
    else if (i >= 3 && s.compare(i - 3, 3, "\xE2\x80\xAF") == 0) i -= 3;
    else break;
  }
  return i;
}

namespace {

using K = PromoKind;

bool Overlap(const PromoFeature& a, const PromoFeature& b) { return a.begin < b.end && b.begin < a.end; }
bool Near(const PromoFeature& a, const PromoFeature& b) {
  const size_t gap = a.end <= b.begin ? b.begin - a.end : b.end <= a.begin ? a.begin - b.end : 0;
  return gap <= kNear;
}
bool Is(const PromoFeature& f, std::initializer_list<K> kinds) {
  return std::find(kinds.begin(), kinds.end(), f.kind) != kinds.end();
}

// Builds one signal from the features that took part in the pairs (or singles) found.
class SignalBuilder {
 public:
  explicit SignalBuilder(const std::vector<PromoFeature>& fs) : fs_(fs) {}

  // The first pair (a of `as`, b of `bs`) near each other and not overlapping, with extra tests.
  template <typename Pred>
  bool Pair(std::initializer_list<K> as, std::initializer_list<K> bs, Pred ok) {
    for (const PromoFeature& a : fs_) {
      if (!Is(a, as)) continue;
      for (const PromoFeature& b : fs_) {
        if (&a == &b || !Is(b, bs) || Overlap(a, b) || !Near(a, b) || !ok(a, b)) continue;
        Note(a);
        Note(b);
        return true;
      }
    }
    return false;
  }
  bool Pair(std::initializer_list<K> as, std::initializer_list<K> bs) {
    return Pair(as, bs, [](const PromoFeature&, const PromoFeature&) { return true; });
  }
  template <typename Pred>
  bool Single(std::initializer_list<K> as, Pred ok) {
    for (const PromoFeature& a : fs_) {
      if (Is(a, as) && ok(a)) {
        Note(a);
        return true;
      }
    }
    return false;
  }

  void Emit(const char* rule, double confidence, std::vector<Signal>& out) {
    Signal s;
    s.rule = rule;
    s.confidence = confidence;
    for (const PromoFeature* f : used_) {
      if (!s.detail.empty()) s.detail += " + ";
      s.detail += PromoKindName(f->kind);
      s.spans.emplace_back(f->begin, f->end);
    }
    std::sort(s.spans.begin(), s.spans.end());
    out.push_back(std::move(s));
  }

 private:
  void Note(const PromoFeature& f) {
    if (std::find(used_.begin(), used_.end(), &f) == used_.end()) used_.push_back(&f);
  }
  const std::vector<PromoFeature>& fs_;
  std::vector<const PromoFeature*> used_;
};

constexpr auto kAny = [](const PromoFeature&) { return true; };

}  // namespace
}  // namespace promo_internal

using namespace promo_internal;

const char* PromoKindName(PromoKind kind) {
  switch (kind) {
    case PromoKind::kPrice: return "price";
    case PromoKind::kDiscount: return "discount";
    case PromoKind::kRate: return "rate";
    case PromoKind::kPromoCode: return "promo code";
    case PromoKind::kHandle: return "handle";
    case PromoKind::kWallet: return "wallet";
    case PromoKind::kAffiliateLink: return "affiliate link";
    case PromoKind::kProfileLink: return "profile link";
    case PromoKind::kShopLink: return "shop link";
    case PromoKind::kCallToAction: return "call to action";
    case PromoKind::kContact: return "contact";
    case PromoKind::kPromise: return "promise";
    case PromoKind::kCryptoRequest: return "crypto request";
    case PromoKind::kEarning: return "earning word";
    case PromoKind::kPoliticalCall: return "political call";
    case PromoKind::kDisclaimer: return "campaign disclaimer";
    case PromoKind::kDate: return "date";
    case PromoKind::kReturnPromise: return "return promise";
    case PromoKind::kWarning: return "scam warning";
  }
  return "feature";
}

namespace {

void CollectTokens(PromoScan& scan, const UrlFinder* urls) {
  if (scan.digits) ScanAmounts(scan);
  ScanPromoCodes(scan);
  ScanHandles(scan);
  if (scan.digits) ScanWallets(scan);
  if (urls) AddLinkFeatures(scan, urls->Find(scan.s));
}

// A request to send crypto counts only with a crypto amount or a wallet right after it; its span then
// reaches to that amount. The others are dropped ("send me your thoughts").
void ResolveCryptoRequests(std::vector<PromoFeature>& fs) {
  std::vector<PromoFeature> kept;
  kept.reserve(fs.size());
  for (PromoFeature f : fs) {
    if (f.kind == K::kCryptoRequest) {
      size_t to = 0;
      for (const PromoFeature& g : fs) {
        if (((g.kind == K::kPrice && g.crypto) || g.kind == K::kWallet) && g.begin >= f.end &&
            g.begin - f.end <= kCryptoReach) {
          to = to == 0 ? g.end : std::min(to, g.end);
        }
      }
      if (to == 0) continue;
      f.end = to;
    }
    kept.push_back(f);
  }
  fs = std::move(kept);
}

// Income is what a scheme promises: a percentage per period, or money per period or an amount with an
// earning word near it ("заработок от 5000 в день", "I made $4,600 last week"). Otherwise a rate is a
// price per period ("$9.99 a month") and an amount a price. Money per hour or year (a wage) never is.
void MarkIncome(std::vector<PromoFeature>& fs) {
  auto earning_near = [&](const PromoFeature& f, size_t reach_after) {
    for (const PromoFeature& w : fs) {
      if (w.kind != K::kEarning) continue;
      if (w.end <= f.begin ? f.begin - w.end <= kEarningReach : w.begin >= f.end && w.begin - f.end <= reach_after)
        return true;
    }
    return false;
  };
  for (PromoFeature& r : fs) {
    if (r.kind == K::kRate) r.income = !r.wage && (r.percent || earning_near(r, kEarningReach));
  }
  for (PromoFeature& p : fs) {
    if (p.kind != K::kPrice) continue;
    bool in_rate = false, in_wage = false;
    for (const PromoFeature& r : fs) {
      if (r.kind != K::kRate || !Overlap(p, r)) continue;
      in_rate |= r.income;
      in_wage |= r.wage;
    }
    p.income = in_rate || (!in_wage && earning_near(p, 0));
  }
}

}  // namespace

std::vector<PromoFeature> FindPromoTokens(std::string_view text, const UrlFinder* urls) {
  PromoScan scan(text);
  CollectTokens(scan, urls);
  MarkIncome(scan.out);
  std::sort(scan.out.begin(), scan.out.end(),
            [](const PromoFeature& a, const PromoFeature& b) { return a.begin < b.begin; });
  return std::move(scan.out);
}

void CombinePromoFeatures(const std::vector<PromoFeature>& fs, std::vector<Signal>& out) {
  if (fs.empty() || std::any_of(fs.begin(), fs.end(), [](const PromoFeature& f) { return f.kind == K::kWarning; }))
    return;
  const auto kSale = {K::kPrice, K::kDiscount};
  const auto kPush = {K::kCallToAction, K::kContact, K::kHandle, K::kPromoCode};
  const auto kLinkish = {K::kShopLink, K::kAffiliateLink, K::kProfileLink};
  const auto kPromo = {K::kPromoCode, K::kAffiliateLink, K::kHandle, K::kProfileLink};
  // Income (see MarkIncome) is what a scheme promises, not what something costs.
  auto sale_pair = [](const PromoFeature& a, const PromoFeature&) { return !a.income; };
  auto income = [](const PromoFeature& r, const PromoFeature&) { return r.income; };

  {  // commercial_political_ads
    SignalBuilder b(fs);
    if (b.Pair(kSale, kPush, sale_pair) ||
        b.Pair({K::kDisclaimer}, {K::kPoliticalCall, K::kDate, K::kShopLink, K::kPrice})) {
      b.Emit("commercial_political_ads", 1.0, out);
    } else if (b.Single({K::kDisclaimer}, kAny)) {
      b.Emit("commercial_political_ads", 0.9, out);
    } else if (b.Pair(kSale, kLinkish, sale_pair) || b.Pair({K::kPrice}, {K::kDiscount}, sale_pair) ||
               b.Pair({K::kCallToAction}, {K::kHandle, K::kShopLink, K::kContact},
                      [](const PromoFeature& cta, const PromoFeature&) { return cta.strong; }) ||
               b.Pair({K::kPoliticalCall}, {K::kDate, K::kShopLink, K::kPrice})) {
      b.Emit("commercial_political_ads", 0.6, out);
    }
  }
  {  // unauthorised_promotion
    SignalBuilder b(fs);
    if (b.Pair(kPromo, kPromo) || b.Pair(kPromo, kSale)) {
      b.Emit("unauthorised_promotion", 1.0, out);
    } else if (b.Single(kPromo, [](const PromoFeature& f) { return f.kind != K::kPromoCode || f.strong; })) {
      b.Emit("unauthorised_promotion", 0.9, out);
    } else if (b.Single({K::kPromoCode}, kAny)) {
      b.Emit("unauthorised_promotion", 0.6, out);
    }
  }
  {  // spam_scheme
    SignalBuilder b(fs);
    const auto kCrypto = {K::kWallet, K::kCryptoRequest};
    if (b.Pair({K::kRate, K::kPrice}, {K::kCallToAction, K::kContact, K::kHandle, K::kPromise, K::kPromoCode}, income) ||
        b.Pair(kCrypto, {K::kRate, K::kPromise, K::kReturnPromise, K::kPrice, K::kWallet, K::kCryptoRequest},
               [](const PromoFeature&, const PromoFeature& g) { return g.kind != K::kPrice || g.crypto; })) {
      b.Emit("spam_scheme", 1.0, out);
    } else if (b.Single({K::kWallet}, kAny) || b.Pair({K::kRate, K::kPrice}, kLinkish, income)) {
      b.Emit("spam_scheme", 0.5, out);
    }
  }
}

PromotionDetector::PromotionDetector(std::shared_ptr<const UrlFinder> urls)
    : urls_(std::move(urls)), words_(std::make_unique<const WordLists>()) {}

PromotionDetector::~PromotionDetector() = default;

Result<std::unique_ptr<PromotionDetector>> PromotionDetector::Load(const std::string& public_suffix_list) {
  auto psl = PublicSuffixList::Load(public_suffix_list.empty() ? DefaultPublicSuffixListPath() : public_suffix_list);
  if (!psl.ok()) return std::move(psl).error();
  return std::make_unique<PromotionDetector>(std::make_shared<const UrlFinder>(std::move(psl).value()));
}

std::vector<PromoFeature> PromotionDetector::Find(const text::TextViews& views) const {
  PromoScan scan(views.original);
  CollectTokens(scan, urls_.get());
  words_->Match(views.squeezed, scan);
  ResolveCryptoRequests(scan.out);
  MarkIncome(scan.out);
  std::sort(scan.out.begin(), scan.out.end(),
            [](const PromoFeature& a, const PromoFeature& b) { return a.begin < b.begin; });
  return std::move(scan.out);
}

void PromotionDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  try {
    CombinePromoFeatures(Find(input.views), out);
  } catch (...) {
    // Out of memory is the only way here; a detector must not throw.
  }
}

}  // namespace tribune::moderation
