// Phone numbers and the look-alikes that are not: dates, years, ranges, prices, amounts, IPs, ISBNs.
#include <algorithm>
#include <array>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "moderation/rules/privacy.hpp"
#include "moderation/rules/privacy_scan.hpp"

namespace tribune::moderation::privacy_internal {
namespace {

constexpr double kPhoneConfidence = 0.6;
constexpr double kPhoneContextConfidence = 0.9;

constexpr TermSet kPhoneContext{std::array{
    // English
    Term{"call"}, Term{"calls"}, Term{"calling"}, Term{"called"}, Term{"phone", true}, Term{"tel"},
    Term{"telephon", true}, Term{"mobile"}, Term{"cell"}, Term{"cellphone"}, Term{"cellular"},
    Term{"whatsapp", true}, Term{"whats app"}, Term{"viber"}, Term{"telegram"}, Term{"sms"},
    Term{"text me"}, Term{"text us"}, Term{"txt me"}, Term{"ring"}, Term{"ring me"}, Term{"ring us"}, Term{"reach me"},
    Term{"reach us"}, Term{"dial"}, Term{"fax"}, Term{"hotline"}, Term{"contact", true},
    Term{"my number", false, 1}, Term{"number is", false, 1}, Term{"his number", false, 1},
    Term{"her number", false, 1}, Term{"our number", false, 1},
    // Russian
    Term{"телефон", true}, Term{"тел"}, Term{"звон", true}, Term{"позвон", true}, Term{"набер", true},
    Term{"набира", true}, Term{"пиши", true}, Term{"ватсап", true}, Term{"вацап", true}, Term{"вотсап", true},
    Term{"вайбер", true}, Term{"телеграм", true}, Term{"смс"}, Term{"моб", true}, Term{"сотов", true},
    Term{"номер", true, 1},
    // French
    Term{"appel", true}, Term{"téléphon", true}, Term{"tél"}, Term{"portable"}, Term{"joindre"},
    Term{"texto"}, Term{"numéro", false, 1}, Term{"numero", false, 1},
    // German
    Term{"anruf", true}, Term{"ruf"}, Term{"ruft"}, Term{"rufen"}, Term{"rufe"}, Term{"telefon", true}, Term{"handy"}, Term{"mobil", true},
    Term{"erreichbar"}, Term{"nummer", true, 1},
    // Spanish
    Term{"llam", true}, Term{"llám", true}, Term{"teléfon", true}, Term{"móvil"}, Term{"movil"},
    Term{"celular"}, Term{"escríbeme"}, Term{"escribeme"}, Term{"número", false, 1},
}};

// Words before a number that make it an amount.
constexpr TermSet kAmountWords{std::array{
    Term{"cost", true}, Term{"price", true}, Term{"sold"}, Term{"paid"}, Term{"pay"}, Term{"salary"},
    Term{"budget"}, Term{"population"}, Term{"worth"}, Term{"revenue"}, Term{"total"},
    Term{"стоит"}, Term{"стоимость"}, Term{"цена"}, Term{"продал", true}, Term{"население"}, Term{"зарплат", true},
    Term{"coût", true}, Term{"prix"}, Term{"vendu", true}, Term{"kostet"}, Term{"preis", true},
    Term{"verkauft"}, Term{"cuesta"}, Term{"precio"}, Term{"vendió"}, Term{"población"},
}};

// ---------------------------------------------------------------------------------------------------
// Phone numbers

// A space inside a number: ' ', NBSP, narrow NBSP, thin space. Returns its length or 0.
size_t SpaceLength(std::string_view s, size_t i) {
  if (s[i] == ' ') return 1;
  if (s[i] != '\xC2' && s[i] != '\xE2') return 0;  // the lead bytes of the others: skip the comparisons
  if (s.compare(i, 2, "\xC2\xA0") == 0) return 2;
  if (s.compare(i, 3, "\xE2\x80\xAF") == 0 || s.compare(i, 3, "\xE2\x80\x89") == 0) return 3;
  return 0;
}

// A dash other than '-': en dash, non-breaking hyphen, minus sign. Returns its length or 0.
size_t DashLength(std::string_view s, size_t i) {
  if (s[i] != '\xE2') return 0;  // the lead byte of all three
  if (s.compare(i, 3, "\xE2\x80\x93") == 0 || s.compare(i, 3, "\xE2\x80\x91") == 0 ||
      s.compare(i, 3, "\xE2\x88\x92") == 0)
    return 3;
  return 0;
}

struct PhoneCandidate {
  size_t begin = 0, end = 0;
  bool plus = false, paren = false, valid = true;
  std::vector<std::string_view> groups;
  std::vector<char> seps;  // between groups: ' ', '-', '.', '/', 'p' (with a parenthesis), 'm' (" - ")
  std::string digits;

  // As new, keeping the vectors' storage: ScanPhones reuses one candidate for every number it tries.
  void Reset() {
    begin = end = 0;
    plus = paren = false;
    valid = true;
    groups.clear();
    seps.clear();
    digits.clear();
  }
};

// Parses digit groups from `i` (a digit, '+' or '('). Returns the end of what it consumed.
size_t ParsePhone(std::string_view s, size_t i, PhoneCandidate& c) {
  const size_t n = s.size();
  size_t p = i;
  bool open = false;
  size_t open_group = 0;
  c.begin = i;
  if (s[p] == '+') {
    c.plus = true;
    ++p;
  } else if (s[p] == '(') {
    open = true;
    c.paren = true;
    ++p;
  }
  size_t consumed = p;
  while (true) {
    size_t g = p;
    while (p < n && IsDigit(s[p])) ++p;
    c.groups.push_back(s.substr(g, p - g));
    c.digits.append(s.substr(g, p - g));
    c.end = p;
    consumed = p;
    // The separator run after the group: spaces, dashes, dots, slashes, one parenthesis.
    char kinds[6];
    size_t nk = 0;
    size_t q = p;
    bool opened_here = false, closed_here = false;
    while (q < n && nk < 5) {
      if (s[q] == '(' && !open) {
        open = opened_here = true;
        open_group = c.groups.size();
        kinds[nk++] = '(';
        ++q;
      } else if (s[q] == ')' && open && !opened_here) {
        // The parenthesis must hold exactly one group of 1–5 digits.
        if (open_group != c.groups.size() - 1 || c.groups.back().size() > 5) {
          c.valid = false;
        }
        open = false;
        closed_here = true;
        kinds[nk++] = ')';
        ++q;
      } else if (s[q] == '-' || s[q] == '.' || s[q] == '/') {
        kinds[nk++] = s[q];
        ++q;
      } else if (size_t len = DashLength(s, q)) {
        kinds[nk++] = '-';
        q += len;
      } else if (size_t len = SpaceLength(s, q)) {
        kinds[nk++] = ' ';
        q += len;
      } else {
        break;
      }
    }
    std::string_view run(kinds, nk);
    static constexpr std::string_view kRuns[] = {" ", "-", ".", "/", "(", ")", " (", ") ", ")-", "-(", " - "};
    bool run_ok = std::find(std::begin(kRuns), std::end(kRuns), run) != std::end(kRuns);
    if (nk == 0 || !run_ok || q >= n || !IsDigit(s[q])) {
      if (opened_here) open = false;  // "555-1234 (mobile)": the parenthesis is not part of the number
      break;
    }
    if (c.digits.size() > 19) {
      c.valid = false;
    }
    c.seps.push_back(closed_here || opened_here ? 'p' : run == " - " ? 'm' : run[0]);
    p = q;
  }
  if (open) c.valid = false;  // an unclosed parenthesis
  return consumed;
}

int GroupValue(std::string_view g) {
  int v = 0;
  for (char ch : g.substr(0, 6)) v = v * 10 + (ch - '0');
  return v;
}

bool LooksLikeDate(const PhoneCandidate& c) {
  for (size_t k = 0; k + 2 < c.groups.size(); ++k) {
    char a = c.seps[k], b = c.seps[k + 1];
    if (a != b || (a != '-' && a != '.' && a != '/')) continue;
    std::string_view x = c.groups[k], y = c.groups[k + 1], z = c.groups[k + 2];
    int vx = GroupValue(x), vy = GroupValue(y), vz = GroupValue(z);
    if (x.size() == 4 && y.size() <= 2 && z.size() <= 2 && vx >= 1900 && vx <= 2099 && vy >= 1 && vy <= 12 &&
        vz >= 1 && vz <= 31)
      return true;
    bool short_date = z.size() == 2 && a != '-' && c.groups.size() == 3;  // "30.11.24", not "06.12.34.56.78"
    if (x.size() <= 2 && y.size() <= 2 && (z.size() == 4 || short_date) && vx >= 1 &&
        vx <= 31 && vy >= 1 && vy <= 31 && (vx <= 12 || vy <= 12) &&
        (z.size() == 2 || (vz >= 1900 && vz <= 2099)))
      return true;
  }
  return false;
}

bool Isbn13Valid(std::string_view d) {
  if (d.size() != 13 || !(d.starts_with("978") || d.starts_with("979"))) return false;
  int sum = 0;
  for (size_t k = 0; k < 13; ++k) sum += (d[k] - '0') * (k % 2 == 0 ? 1 : 3);
  return sum % 10 == 0;
}

enum class PhoneVerdict { kDrop, kNeedsContext, kPhone };

// Shape checks that need no context.
PhoneVerdict PhoneShape(const PhoneCandidate& c) {
  const size_t digits = c.digits.size();
  if (!c.valid) return PhoneVerdict::kDrop;
  if (c.plus ? (digits < 8 || digits > 15 || c.digits[0] == '0') : (digits < 7 || digits > 15))
    return PhoneVerdict::kDrop;
  const size_t groups = c.groups.size();
  bool dot = std::find(c.seps.begin(), c.seps.end(), '.') != c.seps.end();
  if (dot && !std::all_of(c.seps.begin(), c.seps.end(), [](char k) { return k == '.'; }))
    return PhoneVerdict::kDrop;  // opening hours "9.00-17.00", "1.5-2.5"
  if (dot && !c.plus && !c.paren && groups == 4 &&
      std::all_of(c.groups.begin(), c.groups.end(),
                  [](std::string_view g) { return g.size() <= 3 && GroupValue(g) <= 255; }))
    return PhoneVerdict::kDrop;  // an IPv4 address "198.51.100.12" (the links rule judges those)
  for (size_t k = 0; k < groups; ++k) {
    size_t len = c.groups[k].size();
    if (dot && (len > 4 || groups < 3)) return PhoneVerdict::kDrop;   // decimals, coordinates
    if (len == 1 && k >= 2 && c.seps[k - 1] != 'p') return PhoneVerdict::kDrop;  // IPs, ISBNs, "3-1 2-0"; not "(0)1"
    if (k + 1 < groups && len > 5) return PhoneVerdict::kDrop;
    if (k + 1 == groups && groups > 1 && len > 10) return PhoneVerdict::kDrop;
  }
  if (LooksLikeDate(c)) return PhoneVerdict::kDrop;
  if (groups >= 2 && std::all_of(c.groups.begin(), c.groups.end(), [](std::string_view g) {
        int v = GroupValue(g);
        return g.size() == 4 && v >= 1000 && v <= 2099;
      }))
    return PhoneVerdict::kDrop;  // years: "1990-1995", "1990 2000 2010"
  if (groups == 2 && !c.plus && (c.seps[0] == '-' || c.seps[0] == 'm' || c.seps[0] == '/') &&
      c.groups[0].size() == c.groups[1].size() && GroupValue(c.groups[1]) >= GroupValue(c.groups[0]))
    return PhoneVerdict::kDrop;  // ranges "2000-3000"
  if (Isbn13Valid(c.digits)) return PhoneVerdict::kDrop;
  if (!c.plus && groups >= 3 &&
      std::all_of(c.groups.begin(), c.groups.end(), [](std::string_view g) { return g.size() == 2; }) &&
      !(digits == 10 && c.digits[0] == '0'))
    return PhoneVerdict::kDrop;  // "12 34 56 78" unless French "06 12 34 56 78"

  if (c.plus) return PhoneVerdict::kPhone;
  if (groups == 1) {  // a plain run of digits: a count unless it has a phone's trunk prefix
    if (digits == 11 && (c.digits.starts_with("89") || c.digits.starts_with("79"))) return PhoneVerdict::kPhone;
    if ((digits == 10 || digits == 11) && c.digits[0] == '0') return PhoneVerdict::kPhone;
    return PhoneVerdict::kNeedsContext;
  }
  // Thousands grouping: "1 234 567", "1.234.567" are amounts; only a Spanish-style mobile "612 345 678"
  // may be a phone, and only after a contact word.
  bool uniform = !c.paren && std::all_of(c.seps.begin(), c.seps.end(), [&](char k) { return k == c.seps[0]; }) &&
                 (c.seps[0] == ' ' || c.seps[0] == '.');
  if (uniform && c.groups[0].size() <= 3 &&
      std::all_of(c.groups.begin() + 1, c.groups.end(), [](std::string_view g) { return g.size() == 3; })) {
    bool mobile_like = digits == 9 && c.groups[0].size() == 3 && c.digits[0] >= '6';
    return mobile_like ? PhoneVerdict::kNeedsContext : PhoneVerdict::kDrop;
  }
  return PhoneVerdict::kPhone;
}

}  // namespace

void ScanPhones(Scan& scan) {
  std::string_view s = scan.s;
  std::string_view lower = scan.lower;
  const size_t n = s.size();
  PhoneCandidate c;
  for (size_t i = 0; i < n;) {
    char ch = s[i];
    bool start = IsDigit(ch) || ((ch == '+' || ch == '(') && i + 1 < n && IsDigit(s[i + 1]));
    if (!start || WordBefore(s, i) || (IsDigit(ch) && i > 0 && (s[i - 1] == '+' || s[i - 1] == '('))) {
      ++i;
      continue;
    }
    c.Reset();
    size_t consumed = ParsePhone(s, i, c);
    size_t next = std::max(consumed, i + 1);
    size_t b = c.begin, e = c.end;
    // Bounded on both sides: not glued to a word, a decimal, a time or a code ("AB-1234567").
    char32_t prev = CodePointBefore(s, b);
    bool wa_link = b >= 6 && lower.substr(b - 6, 6) == "wa.me/";  // WhatsApp click-to-chat link
    bool glued = WordAt(s, e) ||
                 (e + 1 < n && (s[e] == '.' || s[e] == ',' || s[e] == ':') && IsDigit(s[e + 1])) ||
                 (!wa_link && (prev == '.' || prev == ',' || prev == '-' || prev == '/') && WordBefore(s, b - 1));
    PhoneVerdict verdict = glued ? PhoneVerdict::kDrop : PhoneShape(c);
    if (verdict != PhoneVerdict::kDrop && !scan.Free(b, e)) verdict = PhoneVerdict::kDrop;
    // Prices and amounts.
    if (verdict != PhoneVerdict::kDrop && (IsCurrency(PrevBeforeSpace(s, b)) || AmountFollows(s, lower, e)))
      verdict = PhoneVerdict::kDrop;
    if (verdict != PhoneVerdict::kDrop) {
      auto [wb, we] = WindowBefore(s, b);
      auto [ab, ae] = WindowAfter(s, e);
      TermHit order = FindTerm(lower, wb, we, kOrderWords, true);
      TermHit before = FindTerm(lower, wb, we, kPhoneContext, true);
      TermHit after = FindTerm(lower, ab, ae, kPhoneContext, false);
      if (order.found() && !(before.found() && before.pos > order.pos && before.strength >= 2)) {
        verdict = PhoneVerdict::kDrop;
      } else {
        bool context = before.found() || after.found() || wa_link;
        // A bare run of digits needs the contact word before it ("call 5551234567"), not after it ("sold
        // 1234567 phones"), and no amount word ("costs", "population") in between.
        if (verdict == PhoneVerdict::kNeedsContext) {
          TermHit amount = FindTerm(lower, wb, we, kAmountWords, true);
          bool ok = (before.found() || wa_link) && !(amount.found() && amount.pos > before.pos);
          if (!ok) verdict = PhoneVerdict::kDrop;
        }
        if (verdict != PhoneVerdict::kDrop) {
          PersonalDataMatch m{PersonalDataKind::kPhone, b, e, context ? kPhoneContextConfidence : kPhoneConfidence};
          m.context = context;
          scan.Add(m);
        }
      }
    }
    i = next;
  }
}

}  // namespace tribune::moderation::privacy_internal
