// Promo and referral codes in the original text: an upper-case/digit token after a code word.
#include <algorithm>
#include <array>
#include <initializer_list>
#include <string_view>

#include "moderation/rules/promotion_internal.hpp"

namespace tribune::moderation::promo_internal {
namespace {

// Strong code words: a token after them is a code in any case. Weak ones need letters and digits mixed.
constexpr std::array kStrongCodeWords{
    Term{"promo code"}, Term{"promocode"}, Term{"promo"}, Term{"coupon code"}, Term{"coupon"},
    Term{"referral code"}, Term{"referral link"}, Term{"referral"}, Term{"ref code"}, Term{"invite code"},
    Term{"invitation code"}, Term{"voucher code"}, Term{"voucher"}, Term{"discount code"}, Term{"промокод", true},
    Term{"промо-код", true}, Term{"промо код", true}, Term{"реферальный код"}, Term{"реф код"},
    Term{"реф. код"}, Term{"купон", true}, Term{"code promo"}, Term{"code de parrainage"}, Term{"parrainage"},
    Term{"code de réduction"}, Term{"gutscheincode"}, Term{"gutschein", true}, Term{"rabattcode"},
    Term{"empfehlungscode"}, Term{"código promocional"}, Term{"codigo promocional"}, Term{"cupón"},
    Term{"cupon"}, Term{"código de referido"}, Term{"codigo de referido"}, Term{"código de descuento"},
};
constexpr std::array kWeakCodeWords{Term{"code"}, Term{"код"}, Term{"código"}, Term{"codigo"}, Term{"kod"}};

}  // namespace

namespace {

// Where the token after a code word starts: past separators and a linking word ("code: X", "code — X",
// "promo code is X", «промокод "X"»).
size_t TokenStart(std::string_view s, std::string_view lower, size_t j) {
  const size_t n = s.size();
  for (int step = 0; step < 3; ++step) {
    size_t k = SkipSpaces(s, j, 3);
    while (k < n && (s[k] == ':' || s[k] == '-' || s[k] == '=' || s[k] == '"' || s[k] == '\'' || s[k] == '(')) ++k;
    for (std::string_view q : {"\xC2\xAB", "\xE2\x80\x9C", "\xE2\x80\x9E", "\xE2\x80\x94", "\xE2\x80\x93"}) {
      if (s.compare(k, q.size(), q) == 0) k += q.size();
    }
    k = SkipSpaces(s, k, 3);
    size_t we = 0;
    bool linking = false;
    for (std::string_view w : {"is", "это", "est", "ist", "es"}) linking = linking || TermAt(lower, k, Term{w}, &we);
    if (!linking) return k;
    j = we;
  }
  return j;
}

// The end of the code token at j (ASCII letters, digits, inner '-' and '_'), or 0 when there is none that
// fits: 4–20 characters; after a strong word mixed letters and digits, all capitals or a long number,
// after a weak word mixed letters and digits only.
size_t TokenEnd(std::string_view s, size_t j, bool strong) {
  const size_t n = s.size();
  size_t t = j, letters = 0, digits = 0, lowers = 0;
  while (t < n && t - j <= 20 && (IsAsciiAlnum(s[t]) || ((s[t] == '-' || s[t] == '_') && t > j))) {
    letters += IsAsciiAlpha(s[t]);
    digits += IsDigit(s[t]);
    lowers += s[t] >= 'a' && s[t] <= 'z';
    ++t;
  }
  while (t > j && (s[t - 1] == '-' || s[t - 1] == '_')) --t;
  const size_t len = t - j;
  if (len < 4 || len > 20 || WordAt(s, t)) return 0;
  const bool mixed = letters > 0 && digits > 0;
  const bool ok = strong ? (mixed || (letters >= 4 && lowers == 0) || (digits >= 5 && letters == 0)) : mixed;
  return ok ? t : 0;
}

}  // namespace

void ScanPromoCodes(PromoScan& scan) {
  static const TermIndex kStrong(kStrongCodeWords), kWeak(kWeakCodeWords);
  std::string_view s = scan.s, lower = scan.lower;
  for (const bool strong : {true, false}) {
    (strong ? kStrong : kWeak).ForEach(lower, scan.starts, [&](size_t, const Term&, size_t e) {
      if (scan.Full(PromoKind::kPromoCode)) return false;
      const size_t j = TokenStart(s, lower, e);
      const size_t t = TokenEnd(s, j, strong);
      // "promo code X" was taken by the strong words already; the weak "code" finds the same token.
      const bool taken = std::any_of(scan.out.begin(), scan.out.end(), [&](const PromoFeature& g) {
        return g.kind == PromoKind::kPromoCode && g.begin == j;
      });
      if (t > 0 && !taken) {
        PromoFeature f{PromoKind::kPromoCode, j, t};
        f.strong = strong;
        scan.Add(f);
      }
      return true;
    });
  }
}

}  // namespace tribune::moderation::promo_internal
