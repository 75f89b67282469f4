// Payment card numbers (issuer prefix + Luhn) and IBANs (country length + ISO 13616 mod-97).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "moderation/rules/privacy.hpp"
#include "moderation/rules/privacy_scan.hpp"

namespace tribune::moderation {
namespace privacy_internal {
namespace {

constexpr double kCardConfidence = 0.95;
constexpr double kIbanConfidence = 0.95;

// Words that make a Luhn-valid number after an order word a card after all.
constexpr TermSet kCardWords{std::array{
    Term{"card", true}, Term{"visa"}, Term{"mastercard"}, Term{"amex"}, Term{"maestro"}, Term{"карт", true},
    Term{"карточк", true}, Term{"karte", true}, Term{"kreditkarte", true}, Term{"carte", true}, Term{"cb"},
    Term{"tarjeta", true},
}};

// ---------------------------------------------------------------------------------------------------
// IBAN

struct IbanCountry {
  char code[3];
  uint8_t length;
};

constexpr IbanCountry kIbanCountries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20},
    {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24},
    {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28}, {"TL", 23},
    {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

size_t IbanLength(char a, char b) {
  for (const IbanCountry& c : kIbanCountries) {
    if (c.code[0] == a && c.code[1] == b) return c.length;
  }
  return 0;
}

}  // namespace

void ScanIbans(Scan& scan) {
  std::string_view s = scan.s;
  const size_t n = s.size();
  std::string compact;
  for (size_t i = 0; i + 4 <= n; ++i) {
    // Digits first: they are the rarer bytes, so most positions fail on the first test.
    if (!(IsDigit(s[i + 3]) && IsDigit(s[i + 2]) && IsAlpha(s[i]) && IsAlpha(s[i + 1]))) continue;
    if (WordBefore(s, i)) continue;
    size_t length = IbanLength(Upper(s[i]), Upper(s[i + 1]));
    if (length == 0) continue;
    compact.clear();
    size_t p = i, end = i;
    while (p < n && compact.size() < length) {
      if (IsAlnum(s[p])) {
        compact.push_back(Upper(s[p]));
        end = ++p;
      } else if (s[p] == ' ' && p + 1 < n && IsAlnum(s[p + 1]) && compact.size() >= 4) {
        ++p;
      } else {
        break;
      }
    }
    if (compact.size() != length || WordAt(s, end) || !IbanChecksumValid(compact)) continue;
    if (!scan.Free(i, end)) continue;
    scan.Add({PersonalDataKind::kIban, i, end, kIbanConfidence});
    i = end - 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// Payment cards

void ScanCards(Scan& scan) {
  std::string_view s = scan.s;
  const size_t n = s.size();
  struct Group {
    size_t begin, end;
  };
  std::vector<Group> groups;
  std::string digits;
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[i]) || WordBefore(s, i)) continue;
    char32_t prev = CodePointBefore(s, i);
    // Collect a run of digit groups joined by a single space or dash.
    groups.clear();
    size_t p = i;
    while (true) {
      size_t g = p;
      while (p < n && IsDigit(s[p])) ++p;
      groups.push_back({g, p});
      if (p + 1 < n && (s[p] == ' ' || s[p] == '-') && IsDigit(s[p + 1])) {
        ++p;
        continue;
      }
      break;
    }
    size_t run_end = p;
    bool bounded = !WordAt(s, run_end) &&
                   !(run_end + 1 < n && (s[run_end] == '.' || s[run_end] == ',') && IsDigit(s[run_end + 1]));
    bool after_marker = prev == '+' || prev == '#' || PrevBeforeSpace(s, i) == 0x2116 /* № */ ||
                        ((prev == '.' || prev == ',' || prev == '-' || prev == '/') && WordBefore(s, i - 1));
    if (bounded && !after_marker) {
      // Try windows of consecutive groups starting at each group; take the longest Luhn-valid one.
      for (size_t g = 0; g < groups.size();) {
        size_t best = 0;
        digits.clear();
        bool short_group = false;
        for (size_t h = g; h < groups.size(); ++h) {
          size_t len = groups[h].end - groups[h].begin;
          if (len < 3) short_group = true;
          digits.append(s.substr(groups[h].begin, len));
          if (digits.size() > 19 || short_group) break;
          if (digits.size() >= 13 && digits[0] >= '2' && digits[0] <= '6' && LuhnValid(digits)) best = h + 1;
        }
        if (best > 0) {
          size_t b = groups[g].begin, e = groups[best - 1].end;
          // "Order 4000123412341234" passes Luhn one time in ten: an order word wins unless a card word
          // ("my card", "visa") is closer.
          auto [wb, we] = WindowBefore(s, b);
          TermHit order = FindTerm(scan.lower, wb, we, kOrderWords, true);
          TermHit card = FindTerm(scan.lower, wb, we, kCardWords, true);
          bool order_number = order.found() && !(card.found() && card.pos > order.pos);
          if (!order_number && scan.Free(b, e)) scan.Add({PersonalDataKind::kCard, b, e, kCardConfidence});
          g = best;
        } else {
          ++g;
        }
      }
    }
    i = run_end;  // the loop's ++i steps past the byte after the run, which is not a digit
  }
}

}  // namespace privacy_internal

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t k = digits.size(); k-- > 0;) {
    if (!privacy_internal::IsDigit(digits[k])) return false;
    int v = digits[k] - '0';
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

bool IbanChecksumValid(std::string_view compact) {
  if (compact.size() < 5) return false;
  int rem = 0;
  auto feed = [&](char c) {
    if (privacy_internal::IsDigit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
    return true;
  };
  for (size_t k = 4; k < compact.size(); ++k) {
    if (!feed(compact[k])) return false;
  }
  for (size_t k = 0; k < 4; ++k) {
    if (!feed(compact[k])) return false;
  }
  return rem == 1;
}

}  // namespace tribune::moderation
