// Rule "privacy_personal_data": FindPersonalData, the shared amount helpers, PrivacyDetector::Detect.
#include "moderation/rules/privacy.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "moderation/rules/form.hpp"  // casing
#include "moderation/rules/privacy_scan.hpp"

namespace tribune::moderation {
namespace privacy_internal {
namespace {

// Words after a number that make it an amount, not a phone number / house number.
constexpr TermSet kUnitWords{std::array{
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
}};

}  // namespace

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
char32_t NextAfterSpace(std::string_view s, size_t end, size_t* at) {
  size_t i = end;
  if (i < s.size() && s[i] == ' ') ++i;
  else if (i + 1 < s.size() && s.compare(i, 2, "\xC2\xA0") == 0) i += 2;
  if (at) *at = i;
  return i < s.size() ? DecodeAt(s, i).cp : 0;
}
char32_t PrevBeforeSpace(std::string_view s, size_t begin) {
  size_t i = begin;
  if (i > 0 && s[i - 1] == ' ') --i;
  else if (i >= 2 && s.compare(i - 2, 2, "\xC2\xA0") == 0) i -= 2;
  return CodePointBefore(s, i);
}

// A unit word or currency sign right after `end` (after one optional space).
bool AmountFollows(std::string_view s, std::string_view lower, size_t end) {
  size_t at = 0;
  char32_t next = NextAfterSpace(s, end, &at);
  if (IsCurrency(next)) return true;
  return IsLetterCp(next) && AnyTermAt(lower, at, kUnitWords);
}

}  // namespace privacy_internal

namespace {

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

std::vector<PersonalDataMatch> FindPersonalData(std::string_view text) {
  using namespace privacy_internal;
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
    ScanAddresses(scan);
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
