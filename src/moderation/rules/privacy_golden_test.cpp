// Behaviour lock for the privacy rule: FindPersonalData's matches (kind, span, confidence, flags),
// PrivacyDetector's signals (rule, confidence, detail, spans) and the lower-cased text the scanners work on
// (casing::FoldLower) for a varied corpus must equal what
// tests/moderation/privacy_golden.txt recorded. The scanners get rewritten for speed; privacy_test.cpp and
// privacy_personal_data.tsv say what they must find, this says nothing else moved either.
//
// Corpus: every line of tests/moderation/*.tsv (read at run time), hand-picked inputs (malformed UTF-8
// too: FindPersonalData treats it as punctuation), and strings generated from a fixed seed out of the
// pieces the scanners look at: digit groups and their separators, e-mail parts and markers, context,
// order, amount and street words in several languages, capitals, NBSPs and dashes.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "moderation/rules/form.hpp"
#include "moderation/rules/privacy.hpp"
#include "support/golden.hpp"

namespace tribune::moderation {
namespace {

using tribune::testing::Digest;
using tribune::testing::Rng;

const std::filesystem::path kGolden =
    std::filesystem::path(TRIBUNE_SOURCE_DIR) / "tests" / "moderation" / "privacy_golden.txt";

std::vector<std::string> HandPicked() {
  // clang-format off
  return {
      "", "@", "a@b", "a@b.c", "a@b.co", "john.doe@example.com", "x@y.png", ".a@b.com", "a..b@c.de",
      "mail me: john[at]mail.ru", "john (at) gmail (dot) com", "john dot doe at gmail dot com",
      "my email is john at doe dot com", "ivan собака mail точка ru", "john @ gmail.com",
      "4111 1111 1111 1111", "4111111111111111", "5500-0000-0000-0004", "order 4000123412341234",
      "my card: order 4000123412341234", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
      "+1 (555) 123-4567", "+7 912 345-67-89", "8 (912) 345-67-89", "06 12 34 56 78", "call 555-1234",
      "2024-11-30", "30.11.2024", "11/30/2024", "1990-1995", "2000-3000", "$1 234 567", "1 234 567 people",
      "192.168.1.1", "ISBN 978-3-16-148410-0", "9783161484100", "№ 1234567", "# 5551234567",
      "wa.me/79123456789", "221B Baker Street", "1600 Pennsylvania Ave NW", "12 rue de la Paix",
      "Calle Mayor 10", "ул. Ленина, д. 5", "Тверская ул., 7", "Hauptstraße 5", "Berliner Str. 12",
      "in 1969 Baker Street", "lives at 5 main street", "21 Jump Street", "42nd Street", "5th Avenue",
      "12-14 Rue de Rivoli", "\xFF\xFE 555-1234 \xC3", "call\xC2\xA0" "555\xC2\xA0" "1234\xE2\x80\x93" "567",
      "\xE2\x80\x93\xE2\x80\x91\xE2\x88\x92", "тел. 8\xE2\x80\xAF" "912\xE2\x80\x89" "345 67 89",
      "ТЕЛЕФОН: +7 (999) 000-00-00", "Ёлка 5 улица", "\xC3\x28 1234567 \xA0", "\xE2\x82\xAC 1234567",
      "1234567 \xE2\x82\xBD", "5km 12 rue", "8-й дом 5",
  };
  // clang-format on
}

const std::vector<std::string>& Pieces() {
  // clang-format off
  static const std::vector<std::string> pieces = {
      " ", " ", " ", " ", "  ", "\n", ",", ".", ":", ";", "-", "/", "(", ")", "+", "#", "№", "$", "€", "₽",
      "%", "\xC2\xA0", "\xE2\x80\x93", "\xE2\x80\xAF", "\xE2\x80\x89", "\xE2\x88\x92", " - ", "'", "_", "[",
      "]", "call", "Call", "CALL", "phone", "my number", "number is", "tel", "тел", "телефон", "звоните",
      "whatsapp", "order", "Order", "ticket", "ISBN", "ref", "id", "no.", "заказ", "card", "visa", "карта",
      "cost", "price", "population", "sold", "стоит", "km", "people", "руб", "years", "лет", "times", "euros",
      "street", "Street", "St.", "st", "Baker", "Main", "ave", "Ave", "NW", "road", "rue", "de", "la", "Paix",
      "Calle", "Mayor", "calle", "ул.", "улица", "Ленина", "Тверская", "д.", "дом", "Hauptstraße",
      "Lindenweg", "Berliner", "Straße", "str.", "Str.", "in", "since", "в", "году", "lives at", "address",
      "адрес", "the", "my", "The", "I", "we", "at", " at ", "[at]", "(at)", "@", "собака", "dot", " dot ",
      "точка", "(dot)", "john", "doe", "jd77", "j.doe", "mail", "email", "e-mail", "gmail", "yandex", "com",
      "ru", "org", "png", "example", "DE89", "GB82", "WEST", "FR76", "Ё", "ё", "é", "Opéra", "l'", "5th",
      "2e", "221B", "12-14", "8-й", "bis", "wa.me/", "x", "ab", "A", "Z", "ç", "ß", "😀",
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
      "4111 1111 1111 1111", "4111111111111111", "5500-0000-0000-0004", "378282246310005",
      "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82WEST12345698765432",
      "FR76 3000 6000 0112 3456 7890 189", "+1 (555) 123-4567", "+7 912 345-67-89", "8 (912) 345-67-89",
      "06 12 34 56 78", "555-1234", "2024-11-30", "30.11.2024", "11/30/2024", "9.00-17.00",
      "978-3-16-148410-0", "john.doe@example.com", "a_b@mail.ru", "x@y.png", "612 345 678", "89123456789",
      "0612345678",
  };
  // clang-format on
  const auto& pieces = Pieces();
  std::string s;
  const size_t n = 1 + rng.Below(60);
  for (size_t k = 0; k < n; ++k) {
    const size_t r = rng.Below(10);
    if (r < 3) {
      s += Digits(rng, 1 + rng.Below(r == 0 ? 12 : 4));  // digit groups, now and then a long run
    } else if (r == 3) {
      s += known[rng.Below(known.size())];
    } else {
      s += pieces[rng.Below(pieces.size())];
    }
    if (rng.Below(3) == 0) s += " ";
  }
  return s;
}

std::string Outputs(std::string_view text) {
  Digest d;
  d.Str(casing::FoldLower(text));  // the scanners' lower-cased text (casing, in form.cpp)
  for (const PersonalDataMatch& m : FindPersonalData(text)) {
    d.U64(static_cast<uint64_t>(m.kind)).U64(m.begin).U64(m.end).Bytes(&m.confidence, sizeof m.confidence);
    d.U64(m.context ? 1 : 0).U64(m.obfuscated ? 1 : 0);
  }
  text::TextViews views;
  views.original = text;
  std::vector<Signal> signals;
  PrivacyDetector().Detect(DetectorInput{views, "en", "", nullptr}, signals);
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
  for (const PersonalDataMatch& m : FindPersonalData(text)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "  %s [%zu, %zu) %.3f%s%s: ", PersonalDataKindName(m.kind), m.begin, m.end,
                  m.confidence, m.context ? " context" : "", m.obfuscated ? " obfuscated" : "");
    out += buf;
    out += std::string(text.substr(m.begin, m.end - m.begin)) + "\n";
  }
  return out;
}

TEST(PrivacyGolden, MatchesAndSignalsEqualTheRecordedOutput) {
  std::vector<std::string> corpus = HandPicked();
  Rng rng(1302);
  for (int k = 0; k < 4000; ++k) corpus.push_back(Generated(rng));
  const size_t generated = corpus.size();
  for (std::string& line : tribune::testing::RuleTableTexts(TRIBUNE_SOURCE_DIR))
    corpus.push_back(std::move(line));
  tribune::testing::RunGolden(
      kGolden, "privacy",
      "FindPersonalData + PrivacyDetector outputs: input digest, then a 48-bit digest of the\n"
      "matches and signals. Written by src/moderation/rules/privacy_golden_test.cpp with\n"
      "TRIBUNE_WRITE_GOLDEN=1.",
      corpus, generated, Outputs, [](const std::string& in) { return "now finds:\n" + Describe(in); });
}

}  // namespace
}  // namespace tribune::moderation
