// Rule "privacy_personal_data": contact and payment details in a comment — e-mail addresses, phone
// numbers, payment card numbers, IBANs and street addresses. Hand-written linear scanners over the
// original text (no std::regex, no libphonenumber: Debian's conflicts with Boost 1.81).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "moderation/detector.hpp"

namespace tribune::moderation {

enum class PersonalDataKind { kEmail, kPhone, kCard, kIban, kAddress };

// "e-mail", "phone", "card", "iban", "address".
const char* PersonalDataKindName(PersonalDataKind kind);

struct PersonalDataMatch {
  PersonalDataKind kind = PersonalDataKind::kEmail;
  size_t begin = 0, end = 0;  // [begin, end) byte offsets into the scanned text
  double confidence = 0;
  bool context = false;     // a context word ("call", "телефон", "lives at", "адрес") raised the confidence
  bool obfuscated = false;  // an e-mail written as "john dot doe at gmail dot com" or "john[at]mail.ru"
};

// Confidences (the policy maps ≥ 0.9 to reject, 0.6–0.9 to hold):
//   e-mail 0.9; obfuscated e-mail 0.9 with a bracketed or spaced marker ("[at]", "(at)", " @ "), 0.8
//   spelled out ("john dot doe at gmail dot com", only with a dotted/digit local part or a known mail
//   provider, or after an e-mail word: "my email is john at doe dot com"); phone 0.6, 0.9 near a context
//   word; card 0.95 (13–19 digits, issuer prefix 2–6, Luhn);
//   IBAN 0.95 (country length + mod-97); street address 0.6, 0.8 near a context word.
//
// Phones: 7–15 digits (8–15 after '+') grouped by single spaces, '-', '.', '/' or a parenthesised area
// code. Dropped: dates (2024-11-30, 30.11.2024, 11/30/2024), years and year ranges, numeric ranges
// (1990-1995, 2000-3000), prices and amounts next to a currency sign or unit word ($, ₽, руб, km,
// people…), decimals, IP addresses, numbers after an order/ISBN/ticket/№/# word, ISBN-13s. Plain digit
// runs ("1234567") and thousands groupings ("1 234 567", "612 345 678") count only next to a context word.
//
// Addresses: number + capitalised name + street word ("221B Baker Street", "1600 Pennsylvania Ave NW",
// street/st/avenue/ave/road/rd/boulevard/blvd/lane/ln/drive/dr/highway/parkway/square/terrace/crescent/way);
// number + French street word + name ("12 rue de la Paix"); Spanish/Russian street word + name + number
// ("Calle Mayor 10", "ул. Ленина, д. 5"); German "Hauptstraße 5", "Berliner Str. 12". A number that is a
// year after "in"/"since"/"в" is not a house number. Lower-case names only near a context word.
//
// Returns non-overlapping matches sorted by `begin`. Precedence on overlap: IBAN, card, e-mail, phone,
// address. `text` should be valid UTF-8 (malformed bytes are treated as punctuation). Linear time.
std::vector<PersonalDataMatch> FindPersonalData(std::string_view text);

// Luhn check over a string of ASCII digits (false when empty or on a non-digit).
bool LuhnValid(std::string_view digits);

// ISO 13616 mod-97 check over a compact upper-case IBAN ("DE89370400440532013000"); false on any
// character other than A–Z and 0–9 or when shorter than 5.
bool IbanChecksumValid(std::string_view compact);

// Emits one "privacy_personal_data" signal per kind found in `input.views.original` (confidence: the
// highest of that kind; spans: every match; detail names the kind and count, never the data itself).
// Stateless, thread-safe, never throws.
class PrivacyDetector final : public Detector {
 public:
  PrivacyDetector() = default;
  std::string_view Name() const override { return "privacy"; }
  void Detect(const DetectorInput& input, std::vector<Signal>& out) const override;
};

}  // namespace tribune::moderation
