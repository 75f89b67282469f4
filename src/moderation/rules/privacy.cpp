#include "moderation/rules/privacy.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>

#include "moderation/rules/form.hpp"  // casing

namespace tribune::moderation {
namespace {

using casing::Classify;
using casing::Kind;

constexpr double kEmailConfidence = 0.9;
constexpr double kEmailMarkedConfidence = 0.9;   // "john[at]mail.ru", "john @ gmail.com"
constexpr double kEmailSpelledConfidence = 0.8;  // "john dot doe at gmail dot com"
constexpr double kPhoneConfidence = 0.6;
constexpr double kPhoneContextConfidence = 0.9;
constexpr double kCardConfidence = 0.95;
constexpr double kIbanConfidence = 0.95;
constexpr double kAddressConfidence = 0.6;
constexpr double kAddressContextConfidence = 0.8;

constexpr size_t kContextBefore = 64;  // bytes of text searched for context words before a match
constexpr size_t kContextAfter = 40;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

// A letter, digit or '_' just before / at byte i.
bool WordBefore(std::string_view s, size_t i) { return i > 0 && casing::IsWordChar(casing::DecodeBefore(s, i).cp); }
bool WordAt(std::string_view s, size_t i) { return i < s.size() && casing::IsWordChar(casing::Decode(s, i).cp); }

// Moves i forward to a code point boundary.
size_t AlignForward(std::string_view s, size_t i) {
  while (i < s.size() && (static_cast<uint8_t>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// ---------------------------------------------------------------------------------------------------
// Context words. `lower` is casing::FoldLower of the text (same offsets). A term matches at a word
// start; whole terms also need a word end. Terms are lower-case, ё written е.

struct Term {
  std::string_view text;
  bool prefix = false;
  int strength = 2;  // phone context: 2 strong ("call"), 1 weak ("my number"); weak words do not beat an order word
};

bool TermAt(std::string_view lower, size_t pos, const Term& term) {
  if (lower.compare(pos, term.text.size(), term.text) != 0) return false;
  if (casing::IsWordChar(casing::Decode(term.text, 0).cp) && WordBefore(lower, pos)) return false;
  size_t end = pos + term.text.size();
  size_t last_start = 0;
  casing::DecodeBefore(term.text, term.text.size(), &last_start);
  bool word_end = casing::IsWordChar(casing::Decode(term.text, last_start).cp);
  if (!term.prefix && word_end && WordAt(lower, end)) return false;
  return true;
}

struct TermHit {
  size_t pos = std::string_view::npos;
  int strength = 0;
  bool found() const { return pos != std::string_view::npos; }
};

// The occurrence of any term in lower[b, e) nearest to `e` (last = true) or to `b` (last = false).
template <size_t N>
TermHit FindTerm(std::string_view lower, size_t b, size_t e, const std::array<Term, N>& terms, bool last) {
  TermHit hit;
  std::string_view window = lower.substr(b, e - b);
  for (const Term& term : terms) {
    size_t from = 0;
    while (true) {
      size_t at = window.find(term.text, from);
      if (at == std::string_view::npos) break;
      if (TermAt(lower, b + at, term)) {
        size_t pos = b + at;
        if (!hit.found() || (last ? pos > hit.pos : pos < hit.pos) ||
            (pos == hit.pos && term.strength > hit.strength)) {
          hit = {pos, term.strength};
        }
        if (!last) break;
      }
      from = at + 1;
    }
  }
  return hit;
}

std::pair<size_t, size_t> WindowBefore(std::string_view s, size_t begin) {
  size_t b = begin > kContextBefore ? AlignForward(s, begin - kContextBefore) : 0;
  return {b, begin};
}
std::pair<size_t, size_t> WindowAfter(std::string_view s, size_t end) {
  size_t e = std::min(s.size(), end + kContextAfter);
  while (e < s.size() && e > end && (static_cast<uint8_t>(s[e]) & 0xC0) == 0x80) --e;
  return {end, e};
}

constexpr std::array kPhoneContext{
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
};

constexpr std::array kOrderWords{
    Term{"order", true}, Term{"invoice", true}, Term{"tracking"}, Term{"ticket", true}, Term{"isbn"},
    Term{"issn"}, Term{"ref"}, Term{"reference"}, Term{"id"}, Term{"serial"}, Term{"sku"}, Term{"patent"},
    Term{"doi"}, Term{"vin"}, Term{"parcel"}, Term{"shipment"}, Term{"receipt"}, Term{"case number"},
    Term{"part number"}, Term{"model number"}, Term{"item number"}, Term{"account number"},
    Term{"customer number"}, Term{"product code"}, Term{"promo code"},
    Term{"#"}, Term{"№"}, Term{"no."}, Term{"nr."}, Term{"n°"}, Term{"nº"},
    Term{"заказ", true}, Term{"накладн", true}, Term{"трек", true}, Term{"артикул", true}, Term{"чек", true},
    Term{"квитанц", true}, Term{"код", true}, Term{"посылк", true},
    Term{"commande", true}, Term{"facture", true}, Term{"référence", true}, Term{"billet", true},
    Term{"colis"}, Term{"suivi"},
    Term{"bestell", true}, Term{"rechnung", true}, Term{"auftrag", true}, Term{"sendung", true},
    Term{"artikel", true},
    Term{"pedido", true}, Term{"factura", true}, Term{"referencia", true}, Term{"código", true},
    Term{"codigo", true}, Term{"envío", true}, Term{"envio", true}, Term{"seguimiento"},
};

// Words before a number that make it an amount.
constexpr std::array kAmountWords{
    Term{"cost", true}, Term{"price", true}, Term{"sold"}, Term{"paid"}, Term{"pay"}, Term{"salary"},
    Term{"budget"}, Term{"population"}, Term{"worth"}, Term{"revenue"}, Term{"total"},
    Term{"стоит"}, Term{"стоимость"}, Term{"цена"}, Term{"продал", true}, Term{"население"}, Term{"зарплат", true},
    Term{"coût", true}, Term{"prix"}, Term{"vendu", true}, Term{"kostet"}, Term{"preis", true},
    Term{"verkauft"}, Term{"cuesta"}, Term{"precio"}, Term{"vendió"}, Term{"población"},
};

// Words that make a Luhn-valid number after an order word a card after all.
constexpr std::array kCardWords{
    Term{"card", true}, Term{"visa"}, Term{"mastercard"}, Term{"amex"}, Term{"maestro"}, Term{"карт", true},
    Term{"карточк", true}, Term{"karte", true}, Term{"kreditkarte", true}, Term{"carte", true}, Term{"cb"},
    Term{"tarjeta", true},
};

// Words before a spelled-out address that say it is an e-mail address.
constexpr std::array kEmailWords{
    Term{"mail", true}, Term{"email", true}, Term{"e-mail", true}, Term{"почт", true}, Term{"мейл", true},
    Term{"имейл", true}, Term{"емейл", true}, Term{"courriel", true}, Term{"correo", true},
};

constexpr std::array kAddressContext{
    Term{"lives at"}, Term{"live at"}, Term{"living at"}, Term{"lives on"}, Term{"live on"},
    Term{"lives in"}, Term{"address", true}, Term{"adress", true}, Term{"addr"}, Term{"home is"},
    Term{"house is"}, Term{"find him at"}, Term{"find her at"}, Term{"find them at"}, Term{"visit him at"},
    Term{"адрес", true}, Term{"живет"}, Term{"живу"}, Term{"живут"}, Term{"прожива", true},
    Term{"прописан", true},
    Term{"adresse", true}, Term{"habite", true}, Term{"domicil", true}, Term{"vit au"}, Term{"vit à"},
    Term{"wohn", true}, Term{"anschrift", true},
    Term{"dirección", true}, Term{"direccion", true}, Term{"domicilio", true}, Term{"vive en"},
    Term{"vivo en"}, Term{"viven en"},
};

// Words after a number that make it an amount, not a phone number / house number.
constexpr std::array kUnitWords{
    Term{"km"}, Term{"kg"}, Term{"g"}, Term{"mg"}, Term{"m"}, Term{"cm"}, Term{"mm"}, Term{"mi"}, Term{"ft"},
    Term{"lb"}, Term{"lbs"}, Term{"mb"}, Term{"gb"}, Term{"tb"}, Term{"kb"}, Term{"mph"}, Term{"people"},
    Term{"persons"}, Term{"users"}, Term{"views"}, Term{"votes"}, Term{"visitors"}, Term{"subscribers"},
    Term{"followers"}, Term{"copies"}, Term{"times"}, Term{"years"}, Term{"days"}, Term{"hours"},
    Term{"minutes"}, Term{"miles"}, Term{"dollars"}, Term{"euros"}, Term{"euro"}, Term{"eur"}, Term{"usd"},
    Term{"rub"}, Term{"rubles"}, Term{"roubles"}, Term{"pounds"}, Term{"yen"}, Term{"bucks"}, Term{"tons"},
    Term{"руб", true}, Term{"р"}, Term{"человек"}, Term{"людей"}, Term{"лет"}, Term{"год", true}, Term{"раз"},
    Term{"тыс", true}, Term{"млн"}, Term{"млрд"}, Term{"доллар", true}, Term{"евро"}, Term{"штук", true},
    Term{"шт"}, Term{"км"}, Term{"кг"}, Term{"минут", true}, Term{"метр", true}, Term{"дней"},
    Term{"personnes"}, Term{"habitants"}, Term{"fois"}, Term{"ans"}, Term{"mètres"}, Term{"minutes"},
    Term{"personas"}, Term{"habitantes"}, Term{"veces"}, Term{"años"}, Term{"metros"}, Term{"minutos"},
    Term{"menschen"}, Term{"leute"}, Term{"einwohner"}, Term{"jahre"}, Term{"mal"}, Term{"stück"},
    Term{"meter"}, Term{"minuten"}, Term{"tage"},
};

bool IsCurrency(char32_t c) {
  switch (c) {
    case '$': case 0x20AC: case 0xA3: case 0xA5: case 0x20BD: case 0x20B4: case 0x20B9: case 0x20A9:
    case 0x20BA: case 0x20B8: case '%': case 0x2030:
      return true;
    default:
      return false;
  }
}

// The next code point after `end`, skipping one space.
char32_t NextAfterSpace(std::string_view s, size_t end, size_t* at = nullptr) {
  size_t i = end;
  if (i < s.size() && s[i] == ' ') ++i;
  else if (i + 1 < s.size() && s.compare(i, 2, "\xC2\xA0") == 0) i += 2;
  if (at) *at = i;
  return i < s.size() ? casing::Decode(s, i).cp : 0;
}
char32_t PrevBeforeSpace(std::string_view s, size_t begin) {
  size_t i = begin;
  if (i > 0 && s[i - 1] == ' ') --i;
  else if (i >= 2 && s.compare(i - 2, 2, "\xC2\xA0") == 0) i -= 2;
  return casing::DecodeBefore(s, i).cp;
}

// A unit word or currency sign right after `end` (after one optional space).
bool AmountFollows(std::string_view s, std::string_view lower, size_t end) {
  size_t at = 0;
  char32_t next = NextAfterSpace(s, end, &at);
  if (IsCurrency(next)) return true;
  if (!casing::IsLetter(next)) return false;
  for (const Term& unit : kUnitWords) {
    if (TermAt(lower, at, unit)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Shared scanning state.

struct Scan {
  std::string_view s;
  std::string lower;
  std::vector<uint8_t> claimed;
  std::vector<PersonalDataMatch> matches;

  explicit Scan(std::string_view text) : s(text), lower(casing::FoldLower(text)), claimed(text.size(), 0) {}

  bool Free(size_t b, size_t e) const {
    for (size_t i = b; i < e; ++i) {
      if (claimed[i]) return false;
    }
    return true;
  }
  void Add(PersonalDataMatch m) {
    std::fill(claimed.begin() + static_cast<std::ptrdiff_t>(m.begin), claimed.begin() + static_cast<std::ptrdiff_t>(m.end), 1);
    matches.push_back(m);
  }
};

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

// Windows of text around digit runs, `reach` bytes each side, cut at spaces, merged when they overlap.
std::vector<std::pair<size_t, size_t>> NumberWindows(std::string_view s, size_t reach) {
  std::vector<std::pair<size_t, size_t>> windows;
  const size_t n = s.size();
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[i])) continue;
    size_t j = i;
    while (j < n && IsDigit(s[j])) ++j;
    size_t b = i > reach ? i - reach : 0, e = std::min(n, j + reach);
    while (b > 0 && b < i && s[b - 1] != ' ') ++b;  // start after a space: never inside a word
    while (e < n && e > j && s[e] != ' ') --e;      // end at a space
    if (!windows.empty() && b <= windows.back().second) {
      windows.back().second = std::max(windows.back().second, e);
    } else {
      windows.emplace_back(b, e);
    }
    i = j;
  }
  return windows;
}

void ScanIbans(Scan& scan) {
  std::string_view s = scan.s;
  const size_t n = s.size();
  std::string compact;
  for (size_t i = 0; i + 4 <= n; ++i) {
    if (!(IsAlpha(s[i]) && IsAlpha(s[i + 1]) && IsDigit(s[i + 2]) && IsDigit(s[i + 3]))) continue;
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
    char32_t prev = casing::DecodeBefore(s, i).cp;
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

// ---------------------------------------------------------------------------------------------------
// E-mail addresses

bool IsLocalChar(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }
bool IsDomainChar(char c) { return IsAlnum(c) || c == '-'; }

constexpr std::array<std::string_view, 14> kFileExtensions{"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp",
                                                            "ico", "tif", "tiff", "avif", "heic", "pdf", "js"};

bool TldOk(std::string_view tld) {
  if (tld.size() < 2 || tld.size() > 24) return false;
  for (char c : tld) {
    if (!IsAlpha(c)) return false;
  }
  std::string lower(tld);
  for (char& c : lower) c = static_cast<char>(c | 0x20);
  return std::find(kFileExtensions.begin(), kFileExtensions.end(), lower) == kFileExtensions.end();
}

void ScanEmails(Scan& scan) {
  std::string_view s = scan.s;
  const size_t n = s.size();
  for (size_t at = 0; at < n; ++at) {
    if (s[at] != '@') continue;
    size_t l = at;
    while (l > 0 && IsLocalChar(s[l - 1]) && at - l <= 64) --l;
    if (l > 0 && IsLocalChar(s[l - 1])) continue;  // longer than 64: not an address
    while (l < at && (s[l] == '.' || s[l] == '-' || s[l] == '+')) ++l;
    if (l == at || s[at - 1] == '.' || WordBefore(s, l)) continue;
    // Domain: labels joined by '.', ending in an alphabetic TLD (a trailing '.' ends the sentence).
    size_t p = at + 1, last_dot = 0, labels = 0;
    bool ok = true;
    while (p < n && p - at < 255) {
      size_t label = p;
      while (p < n && IsDomainChar(s[p])) ++p;
      if (p == label || s[label] == '-' || s[p - 1] == '-') {
        ok = false;
        break;
      }
      ++labels;
      if (p + 1 < n && s[p] == '.' && IsDomainChar(s[p + 1])) {
        last_dot = p;
        ++p;
        continue;
      }
      break;
    }
    if (!ok || labels < 2 || last_dot == 0) continue;
    size_t end = p;
    if (!TldOk(s.substr(last_dot + 1, end - last_dot - 1)) || WordAt(s, end)) continue;
    if (!scan.Free(l, end)) continue;
    scan.Add({PersonalDataKind::kEmail, l, end, kEmailConfidence});
    at = end - 1;
  }
}

// Obfuscated e-mails, scanned on the lower-cased text.

constexpr std::array<std::string_view, 40> kTlds{
    "com", "net", "org", "ru", "de", "fr", "es", "it", "uk", "co", "io", "info", "biz", "edu",
    "gov", "us", "ca", "au", "ch", "nl", "be", "at", "pl", "ua", "by", "kz", "me", "eu",
    "mx", "ar", "br", "jp", "se", "no", "fi", "dk", "pt", "cz", "su", "email"};

constexpr std::array<std::string_view, 32> kMailProviders{
    "gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "aol", "icloud", "me",
    "mail", "yandex", "ya", "rambler", "bk", "inbox", "list", "protonmail", "proton", "pm", "gmx", "web",
    "t-online", "orange", "free", "laposte", "wanadoo", "sfr", "libero", "zoho", "tutanota"};

bool LowerLocalChar(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '_' || c == '%' || c == '+' || c == '-' || c == '.'; }
bool LowerLabelChar(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-'; }

size_t SkipSpacesFwd(std::string_view t, size_t p, size_t max = 2) {
  size_t k = 0;
  while (p < t.size() && t[p] == ' ' && k < max) ++p, ++k;
  return p;
}
size_t SkipSpacesBack(std::string_view t, size_t p, size_t max = 2) {
  size_t k = 0;
  while (p > 0 && t[p - 1] == ' ' && k < max) --p, ++k;
  return p;
}

// A "dot" join starting at p: ".", " . ", " dot ", "[dot]", " (dot) ", " точка ". Returns its end or npos.
size_t JoinFwd(std::string_view t, size_t p, bool* spelled) {
  size_t q = SkipSpacesFwd(t, p);
  for (std::string_view tok : {"[dot]", "(dot)", "{dot}", "<dot>", "dot", "точка", "."}) {
    if (t.compare(q, tok.size(), tok) != 0) continue;
    bool bare_word = tok == "dot" || tok == "точка";
    size_t r = q + tok.size();
    size_t after = SkipSpacesFwd(t, r);
    if (bare_word && (q == p || after == r)) return std::string_view::npos;
    *spelled = tok != ".";
    return after;
  }
  return std::string_view::npos;
}
// The same, ending at p (going backwards). Returns the join's start or npos.
size_t JoinBack(std::string_view t, size_t p, bool* spelled) {
  size_t q = SkipSpacesBack(t, p);
  for (std::string_view tok : {"[dot]", "(dot)", "{dot}", "<dot>", "dot", "точка"}) {
    if (q < tok.size() || t.compare(q - tok.size(), tok.size(), tok) != 0) continue;
    size_t r = q - tok.size();
    size_t before = SkipSpacesBack(t, r);
    bool bare_word = tok == "dot" || tok == "точка";
    if (bare_word && (q == p || before == r)) return std::string_view::npos;
    *spelled = true;
    return before;
  }
  return std::string_view::npos;
}

enum class Marker { kNone, kBracket, kAtSign, kSpelled };

// An "at" marker at p: "[at]", "(at)", "{at}", "<at>", "[@]", "(@)", "@", " at ", " собака ", "(собака)".
Marker MarkerAt(std::string_view t, size_t p, size_t* end) {
  if (t[p] == 'a' && !(p > 0 && t[p - 1] == ' ' && t.compare(p, 3, "at ") == 0)) return Marker::kNone;
  for (std::string_view tok : {"[at]", "(at)", "{at}", "<at>", "[@]", "(@)", "(собака)", "[собака]"}) {
    if (t.compare(p, tok.size(), tok) == 0) {
      *end = p + tok.size();
      return Marker::kBracket;
    }
  }
  if (t[p] == '@') {
    *end = p + 1;
    return Marker::kAtSign;
  }
  for (std::string_view tok : {"at", "собака"}) {
    if (t.compare(p, tok.size(), tok) == 0 && p > 0 && t[p - 1] == ' ' && p + tok.size() < t.size() &&
        t[p + tok.size()] == ' ') {
      *end = p + tok.size();
      return tok == "at" ? Marker::kSpelled : Marker::kBracket;
    }
  }
  return Marker::kNone;
}

void ScanObfuscatedEmails(Scan& scan) {
  std::string_view t = scan.lower;
  const size_t n = t.size();
  for (size_t m = 0; m < n; ++m) {
    char c = t[m];
    if (c != '[' && c != '(' && c != '{' && c != '<' && c != '@' && c != 'a' && c != '\xd1') continue;
    size_t marker_end = 0;
    Marker marker = MarkerAt(t, m, &marker_end);
    if (marker == Marker::kNone || scan.claimed[m]) continue;
    bool spaced = m > 0 && t[m - 1] == ' ';

    // Local part, backwards: word (dot-join word){0,3}.
    size_t p = SkipSpacesBack(t, m);
    spaced = spaced || p != m;
    size_t word_end = p;
    while (p > 0 && LowerLocalChar(t[p - 1]) && word_end - p < 64) --p;
    while (p < word_end && (t[p] == '.' || t[p] == '-')) ++p;
    if (p == word_end) continue;
    size_t local_begin = p;
    bool local_join = false, local_marks = false;
    for (size_t k = local_begin; k < word_end; ++k) local_marks |= IsDigit(t[k]) || t[k] == '_' || t[k] == '.';
    for (int parts = 1; parts < 4; ++parts) {
      bool spelled = false;
      size_t j = JoinBack(t, local_begin, &spelled);
      if (j == std::string_view::npos) break;
      size_t q = j;
      while (q > 0 && LowerLocalChar(t[q - 1]) && j - q < 64) --q;
      if (q == j) break;
      local_begin = q;
      local_join = true;
    }
    if (WordBefore(t, local_begin)) continue;

    // Domain, forwards: label (join label){1,4}, last label a known TLD.
    size_t d = SkipSpacesFwd(t, marker_end);
    spaced = spaced || d != marker_end;
    size_t label_begin = d, first_label_end = 0, last_label_begin = d, end = d;
    int joins = 0;
    bool spelled_join = false;
    while (true) {
      size_t q = label_begin;
      while (q < n && LowerLabelChar(t[q]) && q - label_begin < 63) ++q;
      if (q == label_begin) break;
      if (first_label_end == 0) first_label_end = q;
      last_label_begin = label_begin;
      end = q;
      if (joins >= 4) break;
      bool spelled = false;
      size_t next = JoinFwd(t, q, &spelled);
      if (next == std::string_view::npos || next >= n || !LowerLabelChar(t[next])) break;
      ++joins;
      spelled_join |= spelled;
      label_begin = next;
    }
    if (joins == 0 || WordAt(t, end)) continue;
    std::string_view tld = t.substr(last_label_begin, end - last_label_begin);
    if (std::find(kTlds.begin(), kTlds.end(), tld) == kTlds.end()) continue;
    std::string_view first_label = t.substr(d, first_label_end - d);
    bool provider = std::find(kMailProviders.begin(), kMailProviders.end(), first_label) != kMailProviders.end();

    double confidence = 0;
    switch (marker) {
      case Marker::kBracket:
        confidence = kEmailMarkedConfidence;
        break;
      case Marker::kAtSign:  // a plain '@' the e-mail scanner did not take: needs spaces or a spelled dot
        if (spaced || spelled_join || local_join) confidence = kEmailMarkedConfidence;
        break;
      case Marker::kSpelled:
        // "look at example.com", "I work at yandex.ru" are not addresses; "john.doe at gmail.com",
        // "johndoe at gmail dot com" and "jd77 at example dot org" are.
        if ((spelled_join || provider) && (local_join || local_marks || (provider && spelled_join)))
          confidence = kEmailSpelledConfidence;
        // "my email is john at doe dot com"
        if (spelled_join) {
          auto [wb, we] = WindowBefore(t, local_begin);
          if (FindTerm(t, wb, we, kEmailWords, true).found()) confidence = kEmailSpelledConfidence;
        }
        break;
      case Marker::kNone:
        break;
    }
    if (confidence == 0 || !scan.Free(local_begin, end)) continue;
    PersonalDataMatch match{PersonalDataKind::kEmail, local_begin, end, confidence};
    match.obfuscated = true;
    scan.Add(match);
    m = end - 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// Phone numbers

// A space inside a number: ' ', NBSP, narrow NBSP, thin space. Returns its length or 0.
size_t SpaceLength(std::string_view s, size_t i) {
  if (s[i] == ' ') return 1;
  if (s.compare(i, 2, "\xC2\xA0") == 0) return 2;
  if (s.compare(i, 3, "\xE2\x80\xAF") == 0 || s.compare(i, 3, "\xE2\x80\x89") == 0) return 3;
  return 0;
}

// A dash other than '-': en dash, non-breaking hyphen, minus sign. Returns its length or 0.
size_t DashLength(std::string_view s, size_t i) {
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

void ScanPhones(Scan& scan) {
  std::string_view s = scan.s;
  std::string_view lower = scan.lower;
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    char ch = s[i];
    bool start = IsDigit(ch) || ((ch == '+' || ch == '(') && i + 1 < n && IsDigit(s[i + 1]));
    if (!start || WordBefore(s, i) || (IsDigit(ch) && i > 0 && (s[i - 1] == '+' || s[i - 1] == '('))) {
      ++i;
      continue;
    }
    PhoneCandidate c;
    size_t consumed = ParsePhone(s, i, c);
    size_t next = std::max(consumed, i + 1);
    size_t b = c.begin, e = c.end;
    // Bounded on both sides: not glued to a word, a decimal, a time or a code ("AB-1234567").
    char32_t prev = casing::DecodeBefore(s, b).cp;
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

// ---------------------------------------------------------------------------------------------------
// Street addresses, over tokens.

// Word classes for the address matchers, looked up once per word token.
enum WordClass : uint16_t {
  kSuffixStreet = 1 << 0,    // English: number + name + this ("Baker Street")
  kFrontStreet = 1 << 1,     // French: number + this + name ("12 rue de la Paix")
  kLeadStreet = 1 << 2,      // Spanish/Russian: this + name + number ("Calle Mayor 10", "ул. Ленина, д. 5")
  kTrailingStreet = 1 << 3,  // Russian name-first: name + this + number ("Тверская ул., 7")
  kGermanStreet = 1 << 4,    // standalone German street word after a name ("Berliner Straße 12")
  kFunction = 1 << 5,        // inside street names: "de", "la", "der"
  kStop = 1 << 6,            // never an English street name: "the", "my", "for"
  kHouseMarker = 1 << 7,     // "д.", "дом", "nº", "Nr."
  kDirection = 1 << 8,       // "NW"
  kYearPreposition = 1 << 9, // "in 1969", "в 2019"
  kBisTer = 1 << 10,
};

uint16_t WordClasses(std::string_view lower_word) {
  static const auto* table = [] {
    auto* m = new std::unordered_map<std::string_view, uint16_t>();
    auto add = [&](uint16_t cls, std::initializer_list<std::string_view> words) {
      for (std::string_view w : words) (*m)[w] |= cls;
    };
    add(kSuffixStreet, {"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive",
                        "dr", "highway", "hwy", "parkway", "pkwy", "square", "sq", "terrace", "crescent", "way"});
    add(kFrontStreet, {"rue", "avenue", "av", "boulevard", "bd", "bld", "chemin", "allée", "allee", "impasse", "quai"});
    add(kLeadStreet, {"ул", "улица", "улице", "улицы", "улицу", "проспект", "проспекте", "пр-т", "переулок",
                      "переулке", "пер", "бульвар", "бульваре", "шоссе", "набережная", "набережной", "calle",
                      "avenida", "avda", "paseo", "carrera", "rua"});
    add(kTrailingStreet, {"ул", "улица", "проспект", "пр-т", "пер", "переулок", "бульвар", "шоссе", "наб"});
    add(kGermanStreet, {"straße", "strasse", "str"});
    add(kFunction, {"de", "la", "le", "les", "du", "des", "d", "l", "del", "el", "los", "las", "y", "of", "the",
                    "der", "die", "das", "am", "an", "im", "von", "zum", "zur", "aux", "au"});
    add(kStop, {"the", "a", "an", "of", "in", "on", "at", "to", "for", "and", "or", "my", "your", "his", "her",
                "our", "their", "this", "that", "these", "those", "every", "each", "per", "from", "by", "with",
                "about", "more", "less", "than", "top", "best", "i", "we", "you", "it", "is", "was", "are"});
    add(kHouseMarker, {"д", "дом", "nº", "no", "n", "nr", "núm", "num", "número", "numero", "hausnummer"});
    add(kDirection, {"nw", "ne", "sw", "se", "n", "s", "e", "w"});
    add(kYearPreposition, {"in", "since", "by", "from", "until", "till", "of", "year", "around", "circa", "before",
                           "after", "en", "depuis", "seit", "im", "desde", "в", "с", "до", "году", "год", "anno",
                           "año"});
    add(kBisTer, {"bis", "ter"});
    return m;
  }();
  auto it = table->find(lower_word);
  return it == table->end() ? 0 : it->second;
}

enum class TokKind : uint8_t { kWord, kNumber, kOrdinal, kPunct };

struct Token {
  TokKind kind;
  size_t begin, end;
  bool cap = false;        // a word starting with a capital ("Baker", "l'Opéra")
  size_t number_len = 0;   // kNumber: digits in the leading number
  int value = 0;           // kNumber: its value (up to 6 digits)
  uint16_t classes = 0;    // kWord: WordClass flags
};

bool IsOrdinalSuffix(std::string_view lower_suffix) {
  for (std::string_view sfx : {"st", "nd", "rd", "th", "e", "er", "re", "ème", "eme", "º", "ª", "-й", "-я",
                               "-го"}) {
    if (lower_suffix == sfx) return true;
  }
  return false;
}

std::vector<Token> Tokenize(std::string_view s, std::string_view lower, size_t begin, size_t end) {
  std::vector<Token> tokens;
  const size_t n = end;
  for (size_t i = begin; i < n;) {
    casing::Decoded d = casing::Decode(s, i);
    Kind kind = Classify(d.cp);
    if (kind == Kind::kUpper || kind == Kind::kLower || kind == Kind::kCaseless) {
      Token t{TokKind::kWord, i, i};
      t.cap = kind == Kind::kUpper;
      size_t p = i + d.length;
      size_t letters = 1;
      while (p < n) {
        casing::Decoded e = casing::Decode(s, p);
        if (casing::IsLetter(e.cp)) {
          ++letters;
          p += e.length;
          continue;
        }
        bool joiner = e.cp == '\'' || e.cp == 0x2019 || e.cp == '-';
        if (joiner && p + e.length < n && casing::IsLetter(casing::Decode(s, p + e.length).cp)) {
          // "l'Opéra", "d'Alcalá": the capital after a short elided article decides.
          if (e.cp != '-' && letters <= 2) t.cap = Classify(casing::Decode(s, p + e.length).cp) == Kind::kUpper;
          p += e.length;
          continue;
        }
        break;
      }
      t.end = p;
      t.classes = WordClasses(lower.substr(i, p - i));
      tokens.push_back(t);
      i = p;
    } else if (IsDigit(s[i])) {
      size_t p = i;
      while (p < n && IsDigit(s[p])) ++p;
      Token t{TokKind::kNumber, i, p};
      t.number_len = p - i;
      for (size_t k = i; k < p && k < i + 6; ++k) t.value = t.value * 10 + (s[k] - '0');
      // Letters glued to the number: one letter is a house-number suffix ("221B"), an ordinal suffix makes
      // an ordinal ("5th"), anything else ("5km") is not a number we use.
      size_t q = p;
      size_t letters = 0;
      while (q < n && casing::IsLetter(casing::Decode(s, q).cp)) q += casing::Decode(s, q).length, ++letters;
      if (letters == 0 && q + 1 < n && s[q] == '-' && casing::IsLetter(casing::Decode(s, q + 1).cp)) {
        size_t r = q + 1;  // "8-й"
        while (r < n && casing::IsLetter(casing::Decode(s, r).cp)) r += casing::Decode(s, r).length;
        if (IsOrdinalSuffix(lower.substr(q, r - q))) {
          t.kind = TokKind::kOrdinal;
          q = r;
        }
      } else if (letters > 0 && IsOrdinalSuffix(lower.substr(p, q - p))) {
        t.kind = TokKind::kOrdinal;  // "5th", "2e", "1º"
      } else if (letters == 1) {
        t.kind = TokKind::kNumber;  // "221B", "5а"
      } else if (letters > 1) {
        t.kind = TokKind::kPunct;   // "5km", "3x4": neither a house number nor a name
      }
      p = q;
      // "12-14", "5/2" house numbers.
      if (t.kind == TokKind::kNumber && p + 1 < n && (s[p] == '-' || s[p] == '/') && IsDigit(s[p + 1])) {
        size_t r = p + 1;
        while (r < n && IsDigit(s[r])) ++r;
        if (r - p - 1 <= 4 && !WordAt(s, r)) p = r;
      }
      t.end = p;
      tokens.push_back(t);
      i = p;
    } else if (d.cp == ' ' || d.cp == '\t' || d.cp == '\n' || d.cp == '\r' || d.cp == 0xA0) {
      i += d.length;
    } else {
      tokens.push_back(Token{TokKind::kPunct, i, i + d.length});
      i += d.length;
    }
  }
  return tokens;
}

// German compounds: "Hauptstraße", "Hauptstr.", "Lindenweg", "Marienplatz".
bool IsGermanCompoundStreet(std::string_view w, bool dot_after) {
  auto ends = [&](std::string_view sfx, size_t min_stem) {
    return w.size() >= sfx.size() + min_stem && w.substr(w.size() - sfx.size()) == sfx;
  };
  if (ends("straße", 3) || ends("strasse", 3)) return true;
  if (dot_after && ends("str", 3)) return true;
  return ends("weg", 4) || ends("allee", 3) || ends("gasse", 3) || ends("platz", 4) || ends("damm", 4);
}

constexpr std::array<std::string_view, 3> kAddressAllowList{"21 jump street", "84 charing cross road",
                                                            "42nd street"};

// Every address holds a number, so only the text around numbers is tokenised: [begin, end) is such a
// window (tokens keep offsets into the whole text).
class AddressScanner {
 public:
  AddressScanner(Scan& scan, size_t begin, size_t end)
      : scan_(scan), s_(scan.s), lower_(scan.lower), t_(Tokenize(s_, lower_, begin, end)) {}

  void Run() {
    for (size_t k = 0; k < t_.size(); ++k) {
      size_t end_tok = 0;
      if (MatchNumberFirst(k, &end_tok) || MatchStreetFirst(k, &end_tok) || MatchGerman(k, &end_tok) ||
          MatchNameThenStreet(k, &end_tok)) {
        k = end_tok;
      }
    }
  }

 private:
  std::string_view Lower(size_t k) const { return lower_.substr(t_[k].begin, t_[k].end - t_[k].begin); }
  bool IsWord(size_t k) const { return k < t_.size() && t_[k].kind == TokKind::kWord; }
  bool Has(size_t k, uint16_t cls) const { return IsWord(k) && (t_[k].classes & cls) != 0; }
  bool IsPunct(size_t k, std::string_view p) const {
    return k < t_.size() && t_[k].kind == TokKind::kPunct && Lower(k) == p;
  }
  bool HouseNumber(size_t k, size_t max_digits) const {
    return k < t_.size() && t_[k].kind == TokKind::kNumber && t_[k].number_len <= max_digits && t_[k].value > 0;
  }
  // A word directly followed by '.', as in "St." or "ул.".
  size_t SkipDot(size_t k) const { return IsPunct(k, ".") ? k + 1 : k; }

  bool HasContext(size_t b, size_t e) const {
    auto [wb, we] = WindowBefore(s_, b);
    auto [ab, ae] = WindowAfter(s_, e);
    return FindTerm(lower_, wb, we, kAddressContext, true).found() ||
           FindTerm(lower_, ab, ae, kAddressContext, false).found();
  }
  bool YearLike(size_t k) const {
    const Token& t = t_[k];
    if (!(t.number_len == 4 && t.value >= 1800 && t.value <= 2100)) return false;
    return k > 0 && Has(k - 1, kYearPreposition);
  }
  bool AmountAfter(size_t k) const { return AmountFollows(s_, lower_, t_[k].end); }
  bool AmountBefore(size_t k) const {
    char32_t prev = PrevBeforeSpace(s_, t_[k].begin);
    return IsCurrency(prev) || prev == '#' || prev == 0x2116;
  }

  bool Emit(size_t first, size_t last, bool names_capitalised, size_t* end_tok) {
    size_t b = t_[first].begin, e = t_[last].end;
    std::string_view text = lower_.substr(b, e - b);
    if (std::find(kAddressAllowList.begin(), kAddressAllowList.end(), text) != kAddressAllowList.end()) return false;
    bool context = HasContext(b, e);
    if (!names_capitalised && !context) return false;
    if (!scan_.Free(b, e)) return false;
    PersonalDataMatch m{PersonalDataKind::kAddress, b, e, context ? kAddressContextConfidence : kAddressConfidence};
    m.context = context;
    scan_.Add(m);
    *end_tok = last;
    return true;
  }

  // "221B Baker Street", "1600 Pennsylvania Ave NW", "12 rue de la Paix".
  bool MatchNumberFirst(size_t k, size_t* end_tok) {
    if (!HouseNumber(k, 5) || YearLike(k) || AmountBefore(k) || AmountAfter(k)) return false;
    // English: 1–3 name words, then the street word.
    bool caps = true;
    size_t j = k + 1;
    for (size_t names = 0; names < 3 && j < t_.size(); ++names, ++j) {
      bool name = (IsWord(j) && !Has(j, kStop | kSuffixStreet)) ||
                  (j < t_.size() && t_[j].kind == TokKind::kOrdinal);
      if (!name) break;
      if (IsWord(j) && !t_[j].cap) caps = false;
      if (Has(j + 1, kSuffixStreet)) {
        size_t last = SkipDot(j + 2) - 1;
        if (Has(last + 1, kDirection) && t_[last + 1].cap) last = SkipDot(last + 2) - 1;
        if (Emit(k, last, caps, end_tok)) return true;
        break;
      }
    }
    // French: [,] [bis|ter] street word, then a name.
    j = k + 1;
    if (IsPunct(j, ",")) ++j;
    if (Has(j, kBisTer)) ++j;
    if (!Has(j, kFrontStreet)) return false;
    j = SkipDot(j + 1);
    size_t last = 0;
    bool named = false;
    caps = true;
    for (size_t names = 0; names < 5 && IsWord(j); ++names, ++j) {
      if (Has(j, kFunction)) continue;
      if (named && !t_[j].cap) break;  // "12 rue de la Paix et ..." ends at "Paix"
      if (!t_[j].cap) caps = false;
      named = true;
      last = j;
      if (!caps) break;  // a lower-case name: take one word
    }
    return named && Emit(k, last, caps, end_tok);
  }

  // "Calle Mayor 10", "calle de Alcalá, 45", "ул. Ленина, д. 5".
  bool MatchStreetFirst(size_t k, size_t* end_tok) {
    if (!Has(k, kLeadStreet)) return false;
    size_t j = SkipDot(k + 1);
    bool named = false, caps = true;
    for (size_t names = 0; names < 4 && IsWord(j) && !Has(j, kHouseMarker); ++names, ++j) {
      if (Has(j, kFunction)) continue;
      if (!named && !t_[j].cap) caps = false;
      named = true;
    }
    if (!named) return false;
    if (IsPunct(j, ",")) ++j;
    if (Has(j, kHouseMarker)) j = SkipDot(j + 1);
    else if (IsPunct(j, "№") || IsPunct(j, "#")) ++j;
    if (!HouseNumber(j, 4) || AmountAfter(j)) return false;
    return Emit(k, j, caps, end_tok);
  }

  // "Hauptstraße 5", "Hauptstr. 5", "Berliner Straße 12".
  bool MatchGerman(size_t k, size_t* end_tok) {
    if (!IsWord(k)) return false;
    std::string_view w = Lower(k);
    bool dot = IsPunct(k + 1, ".");
    size_t first = k;
    if (Has(k, kGermanStreet) && (w != "str" || dot)) {
      if (k == 0 || !IsWord(k - 1) || !t_[k - 1].cap) return false;
      first = k - 1;
    } else if (!IsGermanCompoundStreet(w, dot) || !t_[k].cap) {
      return false;
    }
    size_t j = SkipDot(k + 1);
    if (IsPunct(j, ",")) ++j;
    if (!HouseNumber(j, 4) || AmountAfter(j)) return false;
    return Emit(first, j, true, end_tok);
  }

  // Russian name-first: "Тверская ул., 7", "Ленинский проспект, д. 30".
  bool MatchNameThenStreet(size_t k, size_t* end_tok) {
    if (!IsWord(k) || !t_[k].cap || !IsWord(k + 1)) return false;
    if (!Has(k + 1, kTrailingStreet)) return false;
    size_t j = SkipDot(k + 2);
    if (IsPunct(j, ",")) ++j;
    if (Has(j, kHouseMarker)) j = SkipDot(j + 1);
    if (!HouseNumber(j, 4) || AmountAfter(j)) return false;
    return Emit(k, j, true, end_tok);
  }

  Scan& scan_;
  std::string_view s_;
  std::string_view lower_;
  std::vector<Token> t_;
};

const char* KindDetail(PersonalDataKind kind) {
  switch (kind) {
    case PersonalDataKind::kEmail: return "e-mail address";
    case PersonalDataKind::kPhone: return "phone number";
    case PersonalDataKind::kCard: return "payment card number (Luhn-valid)";
    case PersonalDataKind::kIban: return "IBAN (checksum valid)";
    case PersonalDataKind::kAddress: return "street address";
  }
  return "personal data";
}

}  // namespace

const char* PersonalDataKindName(PersonalDataKind kind) {
  switch (kind) {
    case PersonalDataKind::kEmail: return "e-mail";
    case PersonalDataKind::kPhone: return "phone";
    case PersonalDataKind::kCard: return "card";
    case PersonalDataKind::kIban: return "iban";
    case PersonalDataKind::kAddress: return "address";
  }
  return "unknown";
}

bool LuhnValid(std::string_view digits) {
  if (digits.empty()) return false;
  int sum = 0;
  bool dbl = false;
  for (size_t k = digits.size(); k-- > 0;) {
    if (!IsDigit(digits[k])) return false;
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
    if (IsDigit(c)) {
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

std::vector<PersonalDataMatch> FindPersonalData(std::string_view text) {
  Scan scan(text);
  const bool digits = std::any_of(text.begin(), text.end(), IsDigit);
  if (digits) {
    ScanIbans(scan);
    ScanCards(scan);
  }
  ScanEmails(scan);
  ScanObfuscatedEmails(scan);
  if (digits) {
    ScanPhones(scan);
    for (auto [b, e] : NumberWindows(text, 120)) AddressScanner(scan, b, e).Run();
  }
  std::sort(scan.matches.begin(), scan.matches.end(),
            [](const PersonalDataMatch& a, const PersonalDataMatch& b) { return a.begin < b.begin; });
  return std::move(scan.matches);
}

void PrivacyDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  try {
    std::vector<PersonalDataMatch> matches = FindPersonalData(input.views.original);
    for (PersonalDataKind kind : {PersonalDataKind::kEmail, PersonalDataKind::kPhone, PersonalDataKind::kCard,
                                  PersonalDataKind::kIban, PersonalDataKind::kAddress}) {
      Signal sig;
      size_t count = 0;
      bool context = false, obfuscated = false;
      for (const PersonalDataMatch& m : matches) {
        if (m.kind != kind) continue;
        ++count;
        sig.confidence = std::max(sig.confidence, m.confidence);
        sig.spans.emplace_back(m.begin, m.end);
        context |= m.context;
        obfuscated |= m.obfuscated;
      }
      if (count == 0) continue;
      sig.rule = "privacy_personal_data";
      sig.detail = obfuscated ? std::string("obfuscated ") + KindDetail(kind) : std::string(KindDetail(kind));
      if (count > 1) sig.detail += " x" + std::to_string(count);
      if (context) sig.detail += kind == PersonalDataKind::kPhone ? ", next to a contact word" : ", next to an address word";
      out.push_back(std::move(sig));
    }
  } catch (...) {
    // Out of memory is the only way here; a detector must not throw.
  }
}

}  // namespace tribune::moderation
