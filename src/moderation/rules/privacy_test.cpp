#include "moderation/rules/privacy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace tribune::moderation {
namespace {

std::vector<Signal> Detect(std::string_view text) {
  text::TextViews views;
  views.original = text;
  std::vector<Signal> out;
  PrivacyDetector().Detect(DetectorInput{views, "en", "", nullptr}, out);
  return out;
}

// The one match in `text`, or a failure.
PersonalDataMatch Only(std::string_view text) {
  auto matches = FindPersonalData(text);
  EXPECT_EQ(matches.size(), 1u) << text;
  return matches.empty() ? PersonalDataMatch{} : matches[0];
}

std::string_view Span(std::string_view text, const PersonalDataMatch& m) { return text.substr(m.begin, m.end - m.begin); }

bool Clean(std::string_view text) { return FindPersonalData(text).empty(); }

TEST(PrivacyDetector, IsNamedPrivacyAndEmitsNothingForOrdinaryText) {
  EXPECT_EQ(PrivacyDetector().Name(), "privacy");
  EXPECT_TRUE(Detect("A fine article, thanks. See you on Main Street in 2024!").empty());
  EXPECT_TRUE(Detect("").empty());
}

TEST(PrivacyDetector, EmitsOneSignalPerKindWithSpansInOriginalBytes) {
  std::string text = "Пишите: ivan@mail.ru или звоните 8 (912) 345-67-89";
  auto signals = Detect(text);
  ASSERT_EQ(signals.size(), 2u);
  for (const Signal& s : signals) {
    EXPECT_EQ(s.rule, "privacy_personal_data");
    EXPECT_GE(s.confidence, 0.0);
    EXPECT_LE(s.confidence, 1.0);
    ASSERT_EQ(s.spans.size(), 1u);
    EXPECT_EQ(s.detail.find("ivan"), std::string::npos) << "the detail must not repeat the data";
  }
  EXPECT_EQ(signals[0].detail, "e-mail address");
  EXPECT_EQ(text.substr(signals[0].spans[0].first, signals[0].spans[0].second - signals[0].spans[0].first),
            "ivan@mail.ru");
  EXPECT_EQ(text.substr(signals[1].spans[0].first, signals[1].spans[0].second - signals[1].spans[0].first),
            "8 (912) 345-67-89");
  EXPECT_DOUBLE_EQ(signals[1].confidence, 0.9);
}

TEST(PrivacyDetector, TwoPhoneNumbersMakeOneSignalWithTwoSpans) {
  auto signals = Detect("phone +7 999 123 45 67 or 8 999 123 45 67");
  ASSERT_EQ(signals.size(), 1u);
  EXPECT_EQ(signals[0].spans.size(), 2u);
  EXPECT_NE(signals[0].detail.find("x2"), std::string::npos);
}

// --- e-mail

TEST(PrivacyEmail, FindsAddressesAndLeavesTheSentenceDotOut) {
  std::string_view text = "write to john.doe+news@mail.example.co.uk.";
  PersonalDataMatch m = Only(text);
  EXPECT_EQ(m.kind, PersonalDataKind::kEmail);
  EXPECT_EQ(Span(text, m), "john.doe+news@mail.example.co.uk");
  EXPECT_DOUBLE_EQ(m.confidence, 0.9);
  EXPECT_FALSE(m.obfuscated);
}

TEST(PrivacyEmail, IgnoresHandlesHostsWithoutDotsAndImageNames) {
  EXPECT_TRUE(Clean("thanks @reuters for the scoop"));
  EXPECT_TRUE(Clean("user@localhost is not routable"));
  EXPECT_TRUE(Clean("icon@2x.png looks blurry"));
  EXPECT_TRUE(Clean("a@ and @b and a@b"));
}

TEST(PrivacyEmail, ReadsBracketedAndSpelledOutObfuscations) {
  for (std::string_view text : {"john[at]mail.ru", "anna (at) gmail (dot) com", "petrov @ yandex.ru",
                                "ivan собака mail точка ru", "john.doe(at)gmail.com"}) {
    PersonalDataMatch m = Only(text);
    EXPECT_EQ(m.kind, PersonalDataKind::kEmail) << text;
    EXPECT_TRUE(m.obfuscated) << text;
    EXPECT_DOUBLE_EQ(m.confidence, 0.9) << text;
    EXPECT_EQ(m.begin, 0u) << text;
    EXPECT_EQ(m.end, text.size()) << text;
  }
  PersonalDataMatch spelled = Only("mail john dot doe at gmail dot com please");
  EXPECT_EQ(spelled.kind, PersonalDataKind::kEmail);
  EXPECT_DOUBLE_EQ(spelled.confidence, 0.8);
  EXPECT_EQ(Only("My email is john at doe dot com").kind, PersonalDataKind::kEmail);
}

TEST(PrivacyEmail, DoesNotReadOrdinaryAtAsAnObfuscatedAddress) {
  EXPECT_TRUE(Clean("Look at example.com for the details"));
  EXPECT_TRUE(Clean("I work at yandex.ru now"));
  EXPECT_TRUE(Clean("the dot com bubble: look at this dot com thing"));
  EXPECT_TRUE(Clean("we met at school"));
}

// --- phones

TEST(PrivacyPhone, FindsNationalAndInternationalFormats) {
  for (std::string_view number : {"(555) 123-4567", "555-123-4567", "+44 20 7946 0958", "8 (912) 345-67-89",
                                  "06 12 34 56 78", "+33 6 12 34 56 78", "555.123.4567", "+1 (800) 555-0199",
                                  "030 12345678", "+49 (0)30 1234567", "+33 (0)1 23 45 67 89", "8 800 555 35 35",
                                  "89123456789",
                                  "555\xE2\x80\x93" "123\xE2\x80\x93" "4567"}) {
    std::string text = "see " + std::string(number) + " ok";
    PersonalDataMatch m = Only(text);
    EXPECT_EQ(m.kind, PersonalDataKind::kPhone) << number;
    EXPECT_EQ(Span(text, m), number);
    EXPECT_DOUBLE_EQ(m.confidence, 0.6) << number;
    EXPECT_FALSE(m.context);
  }
}

TEST(PrivacyPhone, ContextWordsInSeveralLanguagesRaiseConfidence) {
  for (std::string_view text : {"call me: 555-123-4567", "Tel. 555-123-4567", "WhatsApp 555-123-4567",
                                "text me 555-123-4567", "555-123-4567 is my number", "Звоните 555-123-4567",
                                "мой телефон 555-123-4567", "номер 555-123-4567", "appelle-moi au 555-123-4567",
                                "Téléphone : 555-123-4567", "llámame al 555-123-4567", "bitte anrufen: 555-123-4567",
                                "Ruf mich an 555-123-4567", "ring 01632 960001 after 5"}) {
    PersonalDataMatch m = Only(text);
    EXPECT_EQ(m.kind, PersonalDataKind::kPhone) << text;
    EXPECT_DOUBLE_EQ(m.confidence, 0.9) << text;
    EXPECT_TRUE(m.context) << text;
  }
}

TEST(PrivacyPhone, DropsDatesTimesAndYears) {
  EXPECT_TRUE(Clean("The meeting is on 2024-11-30 at 10:30"));
  EXPECT_TRUE(Clean("Elections on 30.11.2024, results on 01.12.2024"));
  EXPECT_TRUE(Clean("due 11/30/2024 or 30/11/2024"));
  EXPECT_TRUE(Clean("Am 30.11.2024 um 14.30 Uhr"));
  EXPECT_TRUE(Clean("from 1990-1995, then 1990 2000 2010"));
  EXPECT_TRUE(Clean("Geöffnet 9.00-17.00 Uhr"));
  EXPECT_TRUE(Clean("call me on 2024-11-30"));
}

TEST(PrivacyPhone, DropsIpv4AddressesButNotDottedPhones) {
  EXPECT_TRUE(Clean("check http://198.51.100.12/index.html for the leaked files"));
  EXPECT_TRUE(Clean("the server at 203.0.113.254 answered, call me about it"));
  EXPECT_FALSE(Clean("call me at 555.123.4567 tonight"));  // a 4-digit group: no address
  EXPECT_FALSE(Clean("call me at 198.51.100.312 tonight")); // 312 > 255: not an address, a number
}

TEST(PrivacyPhone, DropsPricesAmountsAndCounts) {
  EXPECT_TRUE(Clean("It costs $1,299.00 or 1 299 ₽"));
  EXPECT_TRUE(Clean("sold for 1 299 000 ₽, or €1 200 000"));
  EXPECT_TRUE(Clean("The population is 1234567 people"));
  EXPECT_TRUE(Clean("Over 1 234 567 votes, 1.234.567 Stimmen"));
  EXPECT_TRUE(Clean("Apple sold 1 234 567 phones"));
  EXPECT_TRUE(Clean("Text me the 10 000 000 reasons"));
  EXPECT_TRUE(Clean("The phone cost 1299990 rubles"));
  EXPECT_TRUE(Clean("Pi is 3.14159265358979"));
}

TEST(PrivacyPhone, DropsOrderNumbersIsbnsRangesAndCodes) {
  EXPECT_TRUE(Clean("Order #123-456-7890 shipped"));
  EXPECT_TRUE(Clean("my order number is 12345678"));
  EXPECT_TRUE(Clean("Заказ № 4567891 не пришёл"));
  EXPECT_TRUE(Clean("ISBN 978-3-16-148410-0"));
  EXPECT_TRUE(Clean("9783161484100 is the ISBN-13"));
  EXPECT_TRUE(Clean("pages 1234-1289 and 2000-3000"));
  EXPECT_TRUE(Clean("router 192.168.1.100"));
  EXPECT_TRUE(Clean("build 10.0.19045.3693"));
  EXPECT_TRUE(Clean("scores 3-1 2-0 1-1 4-2"));
  EXPECT_TRUE(Clean("part AB-1234567 and 1234567abc"));
}

TEST(PrivacyPhone, PlainDigitRunsNeedAContactWordBeforeThem) {
  EXPECT_TRUE(Clean("the number 5551234567 appeared"));
  EXPECT_EQ(Only("text me 5551234567").kind, PersonalDataKind::kPhone);
  EXPECT_TRUE(Clean("612 345 678 personas"));
  EXPECT_EQ(Only("Teléfono: 612 345 678").kind, PersonalDataKind::kPhone);
}

TEST(PrivacyPhone, AnOrderWordWinsUnlessAContactWordIsCloser) {
  EXPECT_TRUE(Clean("order 555-123-4567"));
  EXPECT_EQ(Only("questions about your order? call 555-123-4567").kind, PersonalDataKind::kPhone);
}

TEST(PrivacyPhone, KeepsAParenthesisedRemarkOutOfTheNumber) {
  std::string_view text = "call 555-1234 (mobile)";
  EXPECT_EQ(Span(text, Only(text)), "555-1234");
}

TEST(PrivacyPhone, ReadsWhatsAppLinksAndTelUris) {
  std::string_view link = "wa.me/79123456789";
  EXPECT_EQ(Span(link, Only(link)), "79123456789");
  EXPECT_DOUBLE_EQ(Only(link).confidence, 0.9);
  std::string_view uri = "tel:+15551234567";
  EXPECT_EQ(Span(uri, Only(uri)), "+15551234567");
}

// --- cards

TEST(PrivacyCard, FindsLuhnValidCardsGroupedOrNot) {
  for (std::string_view card : {"4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111",
                                "3782 822463 10005", "5500 0000 0000 0004", "2200 1234 5678 9019"}) {
    std::string text = "card " + std::string(card) + ".";
    PersonalDataMatch m = Only(text);
    EXPECT_EQ(m.kind, PersonalDataKind::kCard) << card;
    EXPECT_EQ(Span(text, m), card);
    EXPECT_DOUBLE_EQ(m.confidence, 0.95);
  }
}

TEST(PrivacyCard, NeverWhenLuhnFailsOrTheNumberIsAnOrder) {
  EXPECT_TRUE(Clean("card 4111 1111 1111 1112"));
  EXPECT_TRUE(Clean("Order 4000123412341234 pending"));
  EXPECT_TRUE(Clean("#4000123412341234"));
  EXPECT_EQ(Only("order paid with my card 4000123412341234").kind, PersonalDataKind::kCard);
}

TEST(PrivacyCard, LuhnCheck) {
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_TRUE(LuhnValid("378282246310005"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_FALSE(LuhnValid(""));
  EXPECT_FALSE(LuhnValid("4111-1111"));
}

// --- IBAN

TEST(PrivacyIban, FindsValidIbansWithOrWithoutSpaces) {
  for (std::string_view iban : {"DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32",
                                "FR14 2004 1010 0505 0001 3M02 606", "NL91 ABNA 0417 1643 00"}) {
    std::string text = "IBAN: " + std::string(iban) + " thanks";
    PersonalDataMatch m = Only(text);
    EXPECT_EQ(m.kind, PersonalDataKind::kIban) << iban;
    EXPECT_EQ(Span(text, m), iban);
    EXPECT_DOUBLE_EQ(m.confidence, 0.95);
  }
}

TEST(PrivacyIban, RejectsBadChecksumsAndUnknownLengths) {
  EXPECT_TRUE(IbanChecksumValid("DE89370400440532013000"));
  EXPECT_FALSE(IbanChecksumValid("DE89370400440532013001"));
  EXPECT_FALSE(IbanChecksumValid("DE8"));
  EXPECT_FALSE(IbanChecksumValid("de89370400440532013000"));
  auto bad = FindPersonalData("IBAN DE89 3704 0044 0532 0130 01");
  for (const auto& m : bad) EXPECT_NE(m.kind, PersonalDataKind::kIban);
  EXPECT_TRUE(Clean("DE89 is a code name"));
}

// --- addresses

TEST(PrivacyAddress, FindsStreetAddressesInSeveralLanguages) {
  struct Case {
    std::string_view text, span;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"It is at 221B Baker Street, London", "221B Baker Street"},
           {"1600 Pennsylvania Ave NW, Washington", "1600 Pennsylvania Ave NW"},
           {"Rendez-vous au 12 rue de la Paix et puis", "12 rue de la Paix"},
           {"Его дом: ул. Ленина, д. 5, кв. 12", "ул. Ленина, д. 5"},
           {"Москва, Тверская ул., 7", "Тверская ул., 7"},
           {"Büro Hauptstraße 5, Berlin", "Hauptstraße 5"},
           {"Berliner Str. 12", "Berliner Str. 12"},
           {"Oficina en Calle Mayor 10, Madrid", "Calle Mayor 10"},
           {"725 5th Avenue", "725 5th Avenue"},
           {"The suspect is at 742 Evergreen Terrace now", "742 Evergreen Terrace"},
       }) {
    PersonalDataMatch m = Only(c.text);
    EXPECT_EQ(m.kind, PersonalDataKind::kAddress) << c.text;
    EXPECT_EQ(Span(c.text, m), c.span);
    EXPECT_DOUBLE_EQ(m.confidence, 0.6) << c.text;
  }
}

TEST(PrivacyAddress, AContextWordRaisesConfidenceAndAllowsLowerCaseNames) {
  EXPECT_DOUBLE_EQ(Only("He lives at 221B Baker Street").confidence, 0.8);
  EXPECT_DOUBLE_EQ(Only("Его адрес: ул. Ленина, д. 5").confidence, 0.8);
  EXPECT_DOUBLE_EQ(Only("живёт на улице Пушкина, дом 10").confidence, 0.8);
  EXPECT_DOUBLE_EQ(Only("Il habite au 12 rue de la Paix").confidence, 0.8);
  EXPECT_DOUBLE_EQ(Only("er wohnt Kastanienallee 12").confidence, 0.8);
  EXPECT_DOUBLE_EQ(Only("his address is 12 baker street").confidence, 0.8);
  EXPECT_TRUE(Clean("I sent 12 baker street photos"));
}

TEST(PrivacyAddress, IgnoresStreetsWithoutNumbersYearsCountsAndTitles) {
  EXPECT_TRUE(Clean("I live on Main Street"));
  EXPECT_TRUE(Clean("In 1969 Abbey Road was released"));
  EXPECT_TRUE(Clean("We walked 5 miles down the road"));
  EXPECT_TRUE(Clean("See you at 5 on Baker Street"));
  EXPECT_TRUE(Clean("21 Jump Street is a funny movie"));
  EXPECT_TRUE(Clean("ул. Ленина 5 минут пешком"));
  EXPECT_TRUE(Clean("Im Jahr 2010 war die Straße 5 Meter breit"));
  EXPECT_TRUE(Clean("auf Platz 1 der Charts"));
  EXPECT_TRUE(Clean("Hay 3 calles cerradas"));
  EXPECT_TRUE(Clean("The 9 Supreme Court justices"));
}

// --- robustness

TEST(PrivacyDetector, SurvivesMalformedAndPathologicalInput) {
  EXPECT_TRUE(Detect("\xFF\xFE@\xC3").empty());
  std::string many;
  for (int i = 0; i < 20000; ++i) many += "1 ";
  std::string ats;
  for (int i = 0; i < 20000; ++i) ats += "a@";
  std::string brackets;
  for (int i = 0; i < 5000; ++i) brackets += "x [at] y (dot) ";
  std::string digits(50000, '7');
  std::string streets;
  for (int i = 0; i < 5000; ++i) streets += "12 Main ";
  auto start = std::chrono::steady_clock::now();
  for (const std::string* text : {&many, &ats, &brackets, &digits, &streets}) Detect(*text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 5000);
}

TEST(PrivacyDetector, KindNames) {
  EXPECT_STREQ(PersonalDataKindName(PersonalDataKind::kEmail), "e-mail");
  EXPECT_STREQ(PersonalDataKindName(PersonalDataKind::kIban), "iban");
}

}  // namespace
}  // namespace tribune::moderation
