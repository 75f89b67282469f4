// Amounts in the original text: prices, discounts, money per unit of time, dates.
#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

#include "moderation/rules/promotion_internal.hpp"

namespace tribune::moderation::promo_internal {
namespace {

// Words right after a number (after one optional space) that make it money. Lower-case.
constexpr std::array kCurrencyWords{
    Term{"usd"}, Term{"eur"}, Term{"gbp"}, Term{"rub"}, Term{"chf"}, Term{"uah"}, Term{"kzt"}, Term{"dollar", true},
    Term{"buck", true}, Term{"euro", true}, Term{"pound", true}, Term{"quid"}, Term{"руб", true}, Term{"р"},
    Term{"р."}, Term{"долл", true}, Term{"бакс", true}, Term{"евро"}, Term{"грн"}, Term{"гривен"},
    Term{"гривн", true}, Term{"тенге"}, Term{"франк", true}, Term{"franc", true}, Term{"franken"},
    Term{"dólar", true}, Term{"dolar", true}, Term{"peso", true}, Term{"libras"}, Term{"zł"}, Term{"zloty"},
    Term{"aed"}, Term{"inr"}, Term{"cad"}, Term{"aud"}, Term{"jpy"}, Term{"cny"}, Term{"pln"}, Term{"sek"},
    Term{"nok"}, Term{"czk"}, Term{"huf"}, Term{"лир", true}, Term{"юан", true}, Term{"йен", true},
};
constexpr std::array kCryptoWords{
    Term{"btc"}, Term{"eth"}, Term{"usdt"}, Term{"usdc"}, Term{"bnb"}, Term{"sats"}, Term{"bitcoin", true},
    Term{"биткоин", true}, Term{"биткойн", true}, Term{"ether"}, Term{"trx"},
};
// Codes written before the number ("USD 199", "BTC 0.5").
constexpr std::array kCodesBefore{Term{"usd"}, Term{"eur"}, Term{"gbp"}, Term{"rub"}, Term{"chf"}, Term{"btc"},
                                  Term{"eth"}, Term{"usdt"}};
constexpr std::array kPercentWords{Term{"процент", true}, Term{"percent"}, Term{"per cent"}, Term{"pour cent"},
                                   Term{"prozent"}, Term{"por ciento"}, Term{"pct"}};
// "5k", "10к" (adjacent) and "3 тыс", "2 млн", "1.5 million" (after a space).
constexpr std::array kMultipliers{
    Term{"k"}, Term{"к"}, Term{"тыс", true}, Term{"млн"}, Term{"млрд"}, Term{"mln"}, Term{"mio"},
    Term{"million", true}, Term{"billion", true}, Term{"bn"}, Term{"mil"}, Term{"mille"}, Term{"millones"},
};
// Words before a bare number that make a per-time figure an offer ("от 3000 в день", "up to 500 a day").
constexpr std::array kFromWords{Term{"от"}, Term{"до"}, Term{"from"}, Term{"up to"}, Term{"ab"}, Term{"bis zu"},
                                Term{"desde"}, Term{"hasta"}, Term{"à partir de"}, Term{"jusqu'à"}};
// Words before or after a percentage that make it a discount.
constexpr std::array kDiscountBefore{
    Term{"скидк", true}, Term{"discount", true}, Term{"save"}, Term{"sale"}, Term{"rabais"}, Term{"réduction"},
    Term{"remise"}, Term{"soldes"}, Term{"promo"}, Term{"rabatt", true}, Term{"descuento", true},
    Term{"rebaja", true}, Term{"ahorra"}, Term{"акция"}, Term{"распродажа"}, Term{"минус"}, Term{"minus"},
};
constexpr std::array kDiscountAfter{
    Term{"off"}, Term{"discount"}, Term{"скидк", true}, Term{"de descuento"}, Term{"de réduction"},
    Term{"de remise"}, Term{"rabatt", true}, Term{"de rabais"}, Term{"дешевле"}, Term{"cheaper"},
};

// "Per unit of time" after an amount. "/day" is written against the amount ("$200/day").
constexpr std::array kPerShortTime{
    Term{"a day"}, Term{"per day"}, Term{"each day"}, Term{"every day"}, Term{"daily"}, Term{"a week"},
    Term{"per week"}, Term{"every week"}, Term{"weekly"}, Term{"a month"}, Term{"per month"},
    Term{"every month"}, Term{"monthly"}, Term{"/day"}, Term{"/d"}, Term{"/week"}, Term{"/wk"}, Term{"/month"},
    Term{"/mo"}, Term{"в день"}, Term{"в сутки"}, Term{"за день"}, Term{"за сутки"}, Term{"ежедневно"},
    Term{"каждый день"}, Term{"в неделю"}, Term{"за неделю"}, Term{"еженедельно"}, Term{"в месяц"},
    Term{"за месяц"}, Term{"в мес"}, Term{"ежемесячно"}, Term{"/день"}, Term{"/сутки"}, Term{"/нед"},
    Term{"/мес"}, Term{"par jour"}, Term{"/jour"}, Term{"par semaine"}, Term{"par mois"}, Term{"/mois"},
    Term{"pro tag"}, Term{"am tag"}, Term{"täglich"}, Term{"pro woche"}, Term{"die woche"}, Term{"pro monat"},
    Term{"im monat"}, Term{"monatlich"}, Term{"al día"}, Term{"al dia"}, Term{"por día"}, Term{"por dia"},
    Term{"diarios"}, Term{"a la semana"}, Term{"por semana"}, Term{"semanales"}, Term{"al mes"},
    Term{"por mes"}, Term{"mensuales"},
};
// Per hour or per year: wages, salaries, interest — kept apart, never a get-rich promise.
constexpr std::array kPerLongTime{
    Term{"an hour"}, Term{"per hour"}, Term{"/hour"}, Term{"/hr"}, Term{"/h"}, Term{"a year"}, Term{"per year"},
    Term{"/year"}, Term{"/yr"}, Term{"per annum"}, Term{"annually"}, Term{"yearly"}, Term{"в час"},
    Term{"за час"}, Term{"/час"}, Term{"в год"}, Term{"за год"}, Term{"/год"}, Term{"годовых"},
    Term{"par heure"}, Term{"de l'heure"}, Term{"par an"}, Term{"/an"}, Term{"pro stunde"}, Term{"die stunde"},
    Term{"pro jahr"}, Term{"im jahr"}, Term{"por hora"}, Term{"la hora"}, Term{"al año"}, Term{"por año"},
};

// Month names: a day number next to one is a date ("May 5", "5 мая", "le 5 mai", "5. Mai", "5 de mayo").
constexpr std::array kMonths{
    Term{"january"}, Term{"jan"}, Term{"february"}, Term{"feb"}, Term{"march"}, Term{"april"}, Term{"may"},
    Term{"june"}, Term{"july"}, Term{"august"}, Term{"aug"}, Term{"september"}, Term{"sept"}, Term{"sep"},
    Term{"october"}, Term{"oct"}, Term{"november"}, Term{"nov"}, Term{"december"}, Term{"dec"},
    Term{"января"}, Term{"февраля"}, Term{"марта"}, Term{"апреля"}, Term{"мая"}, Term{"июня"}, Term{"июля"},
    Term{"августа"}, Term{"сентября"}, Term{"октября"}, Term{"ноября"}, Term{"декабря"}, Term{"janvier"},
    Term{"février"}, Term{"mars"}, Term{"avril"}, Term{"mai"}, Term{"juin"}, Term{"juillet"}, Term{"août"},
    Term{"septembre"}, Term{"octobre"}, Term{"novembre"}, Term{"décembre"}, Term{"januar"}, Term{"februar"},
    Term{"märz"}, Term{"juni"}, Term{"juli"}, Term{"oktober"}, Term{"dezember"}, Term{"enero"},
    Term{"febrero"}, Term{"marzo"}, Term{"abril"}, Term{"mayo"}, Term{"junio"}, Term{"julio"}, Term{"agosto"},
    Term{"septiembre"}, Term{"octubre"}, Term{"noviembre"}, Term{"diciembre"},
};

size_t SpaceLen(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  if (s[i] == ' ') return 1;
  if (s.compare(i, 2, "\xC2\xA0") == 0) return 2;
  if (s.compare(i, 3, "\xE2\x80\xAF") == 0 || s.compare(i, 3, "\xE2\x80\x89") == 0) return 3;
  return 0;
}

bool IsCurrencySign(char32_t c) {
  switch (c) {
    case '$': case 0x20AC: case 0xA3: case 0xA5: case 0x20BD: case 0x20B4: case 0x20B9: case 0x20B8:
    case 0x20BA: case 0x20A9: case 0x20BF: case 0x20A3: case 0x20A6:
      return true;
    default:
      return false;
  }
}

struct Number {
  size_t begin = 0, end = 0;
  double value = 0;
  bool ok = false;
};

// A number starting at the digit s[i]: digits, thousands groups, a decimal part. On a run of more than
// kMaxDigits digits `ok` is false and `end` is past the run.
Number ParseNumber(std::string_view s, size_t i) {
  const size_t n = s.size();
  Number num{i, i, 0, false};
  size_t j = i, digits = 0;
  while (j < n && IsDigit(s[j])) {
    if (++digits <= kMaxDigits) num.value = num.value * 10 + (s[j] - '0');
    ++j;
  }
  num.end = j;
  if (digits > kMaxDigits) return num;
  const size_t lead = digits;
  while (true) {
    size_t sep = 0;
    if (j < n && (s[j] == ',' || s[j] == '.' || s[j] == '\'')) sep = 1;
    else if (lead <= 3) sep = SpaceLen(s, j);
    if (sep == 0) break;
    const size_t k = j + sep;
    if (!(k + 3 <= n && IsDigit(s[k]) && IsDigit(s[k + 1]) && IsDigit(s[k + 2]) && !(k + 3 < n && IsDigit(s[k + 3]))))
      break;
    digits += 3;
    if (digits > kMaxDigits) return num;
    num.value = num.value * 1000 + (s[k] - '0') * 100 + (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
    j = k + 3;
  }
  if (j + 1 < n && (s[j] == '.' || s[j] == ',') && IsDigit(s[j + 1])) {
    size_t k = j + 1;
    double scale = 0.1;
    while (k < n && IsDigit(s[k]) && k - j <= 8) {
      num.value += (s[k] - '0') * scale;
      scale /= 10;
      ++k;
    }
    if (!(k < n && IsDigit(s[k]))) j = k;
  }
  num.end = j;
  num.ok = true;
  return num;
}

// A term of `terms` that ends within `reach` bytes before `pos` (only spaces and punctuation between).
template <size_t N>
bool TermEndsBefore(std::string_view lower, size_t pos, size_t reach, const std::array<Term, N>& terms) {
  const size_t from = pos > reach ? pos - reach : 0;
  const std::string_view window = lower.substr(from, pos - from);  // bounded: no scan back over the text
  for (const Term& t : terms) {
    for (size_t w = window.rfind(t.text); w != std::string_view::npos;
         w = w == 0 ? std::string_view::npos : window.rfind(t.text, w - 1)) {
      const size_t at = from + w;
      size_t end = 0;
      if (!TermAt(lower, at, t, &end) || end > pos) continue;
      bool gap_ok = true;
      for (size_t k = end; k < pos && gap_ok; ++k) gap_ok = !IsAsciiAlnum(lower[k]) && static_cast<unsigned char>(lower[k]) < 0x80;
      // "скидка до 50%", "discount of 20%", "save up to 30%": one short word may stand between.
      if (!gap_ok) {
        std::string_view gap = lower.substr(end, pos - end);
        gap_ok = gap == " до " || gap == " of " || gap == " up to " || gap == " de " || gap == " von " ||
                 gap == " bis zu " || gap == " hasta " || gap == " jusqu'à " || gap == " в ";
      }
      if (gap_ok) return true;
    }
  }
  return false;
}

}  // namespace

void ScanAmounts(PromoScan& scan) {
  static const TermIndex kCurrency(kCurrencyWords), kCrypto(kCryptoWords), kPercent(kPercentWords),
      kMultiplier(kMultipliers), kMonth(kMonths), kDiscount(kDiscountAfter), kShort(kPerShortTime),
      kLong(kPerLongTime);
  std::string_view s = scan.s, lower = scan.lower;
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    if (!IsDigit(s[i])) {
      ++i;
      continue;
    }
    if (WordBefore(s, i) || (i >= 2 && (s[i - 1] == '.' || s[i - 1] == ',') && IsDigit(s[i - 2]))) {
      while (i < n && IsDigit(s[i])) ++i;  // inside a word ("iPhone15") or a decimal we did not take
      continue;
    }
    Number num = ParseNumber(s, i);
    if (!num.ok) {
      i = num.end;
      continue;
    }
    size_t begin = num.begin, end = num.end;
    // A range: "5000-7000", "5 000 – 7 000", "500 to 800", "от 3 до 5 тыс".
    {
      size_t j = SkipSpaces(s, end, 3);
      size_t after = j;
      if (j < n && s[j] == '-') after = j + 1;
      else if (s.compare(j, 3, "\xE2\x80\x93") == 0) after = j + 3;
      else if (TermAt(lower, j, Term{"to"}, &after) || TermAt(lower, j, Term{"до"}, &after)) {}
      after = SkipSpaces(s, after, 3);
      if (after != j && after < n && IsDigit(s[after]) && !WordBefore(s, after)) {
        Number second = ParseNumber(s, after);
        if (second.ok) {
          end = second.end;
          num.value = std::max(num.value, second.value);
        }
      }
    }
    const size_t number_end = end;
    // Multiplier.
    {
      size_t j = end, mend = 0;
      if (j < n && (s[j] == 'k' || s[j] == 'K') && !WordAt(s, j + 1)) mend = j + 1;
      else if (s.compare(j, 2, "\xD0\xBA") == 0 && !WordAt(s, j + 2)) mend = j + 2;  // к
      else if (size_t sp = SkipSpaces(s, j, 3); sp > j && kMultiplier.At(lower, sp, &mend)) {}
      if (mend > 0) {
        if (mend < n && s[mend] == '.') ++mend;
        end = mend;
      }
    }
    // Currency before: a sign ("$199", "€ 10", "US$5"), a code ("USD 199"), perhaps after a minus.
    bool currency = false, crypto = false, percent = false, minus = false;
    {
      size_t b = SkipSpacesBack(s, begin, 3);
      size_t sign_start = 0;
      char32_t prev = casing::DecodeBefore(s, b, &sign_start).cp;
      if (IsCurrencySign(prev)) {
        currency = true;
        crypto = prev == 0x20BF;
        begin = sign_start;
        if (prev == '$' && begin >= 2 && (lower.compare(begin - 2, 2, "us") == 0) && !WordBefore(s, begin - 2)) begin -= 2;
      } else {
        for (const Term& code : kCodesBefore) {
          if (b >= code.text.size() && lower.compare(b - code.text.size(), code.text.size(), code.text) == 0 &&
              !WordBefore(s, b - code.text.size()) && b != begin) {
            currency = true;
            crypto = code.text == "btc" || code.text == "eth" || code.text == "usdt";
            begin = b - code.text.size();
            break;
          }
        }
      }
      char32_t before = casing::DecodeBefore(s, begin, &sign_start).cp;
      if ((before == '-' || before == 0x2212 || before == 0x2013) && !WordBefore(s, sign_start)) {
        minus = true;
        begin = sign_start;
      }
    }
    // Currency or percent after.
    {
      size_t j = end, after = 0;
      size_t sp = SkipSpaces(s, j, 3);
      size_t sign_len = 0;
      char32_t next = sp < n ? casing::Decode(s, sp).cp : 0;
      if (sp < n) sign_len = casing::Decode(s, sp).length;
      if (IsCurrencySign(next)) {
        currency = true;
        crypto |= next == 0x20BF;
        end = sp + sign_len;
      } else if (next == '%' || next == 0x66A) {
        percent = true;
        end = sp + sign_len;
      } else if (kCrypto.At(lower, sp, &after)) {
        currency = crypto = true;
        end = after;
      } else if (kCurrency.At(lower, sp, &after)) {
        currency = true;
        end = after;
        if (end < n && s[end] == '.' && lower.substr(sp).starts_with("руб")) ++end;  // "500 руб."
      } else if (kPercent.At(lower, sp, &after)) {
        percent = true;
        end = after;
      }
    }
    // Money (or a percentage) per unit of time.
    size_t rate_end = 0;
    bool long_period = false;
    {
      size_t j = SkipSpaces(s, end, 3);
      if (j < n && s[j] == '+') j = SkipSpaces(s, j + 1, 3);
      for (const size_t at : {end, j}) {  // "/day" right after the amount, the words after a space
        if (rate_end > 0) break;
        if (kShort.At(lower, at, &rate_end)) long_period = false;
        else if (kLong.At(lower, at, &rate_end)) long_period = true;
      }
    }
    // A date: a day number right before or after a month name ("May 5th", "5 мая", "5. Mai", "5 de mayo").
    if (!currency && !percent && num.value >= 1 && num.value <= 31 && number_end - num.begin <= 2) {
      size_t after = number_end, me = 0;
      for (std::string_view suffix : {"st", "nd", "rd", "th", "."}) {
        if (lower.compare(after, suffix.size(), suffix) == 0 && !WordAt(s, after + suffix.size())) after += suffix.size();
      }
      size_t sp = SkipSpaces(s, after, 2);
      if (TermAt(lower, sp, Term{"de"}, &me)) sp = SkipSpaces(s, me, 2);
      const size_t before = SkipSpacesBack(s, num.begin, 2);
      size_t month_begin = before;
      while (month_begin > 0 && WordBefore(s, month_begin)) month_begin -= casing::DecodeBefore(s, month_begin).length;
      if (kMonth.At(lower, sp, &me)) {
        scan.Add({PromoKind::kDate, num.begin, me});
      } else if (before < num.begin && kMonth.At(lower, month_begin, &me) && me == before) {
        scan.Add({PromoKind::kDate, month_begin, after});
      }
    }
    if (currency) {
      PromoFeature price{PromoKind::kPrice, begin, end};
      price.crypto = crypto;
      scan.Add(price);
    }
    if (percent) {
      const bool discount = (minus && num.value >= 5) || TermEndsBefore(lower, begin, 24, kDiscountBefore) ||
                            [&] {
                              size_t e = 0;
                              return kDiscount.At(lower, SkipSpaces(s, end, 3), &e);
                            }();
      if (discount) scan.Add({PromoKind::kDiscount, begin, end});
    }
    if (rate_end > 0) {
      const bool offer_number = num.value >= 100 || TermEndsBefore(lower, begin, 14, kFromWords);
      if (currency || percent || offer_number) {
        size_t rb = begin;
        PromoFeature f{PromoKind::kRate, rb, rate_end};
        f.wage = long_period;
        f.percent = percent;
        scan.Add(f);
      }
    }
    i = std::max(number_end, i + 1);
  }
}

}  // namespace tribune::moderation::promo_internal
