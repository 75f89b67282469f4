// The in-code word lists of the promotion rules and their matcher over the `squeezed` view.
//
// Only words whose meaning depends on a number, code, handle or link nearby live here (see promotion.hpp:
// a price next to "order now" is one piece of evidence). Everything a word list can decide on its own is
// in data/lexicons/<lang>/{commercial_political_ads,unauthorised_promotion,spam_scheme}.txt.
// A trailing '*' lets the last word go on ("гарантир*" matches "гарантированно").
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "moderation/rules/promotion_internal.hpp"

namespace tribune::moderation::promo_internal {
namespace {

struct ListEntry {
  std::string_view text;
  PromoKind kind;
  bool calling = false;  // a call to action that only asks to get in touch ("call now", "звоните"): it is a
                         // contact itself, so it pairs with a price but not with a handle or a phone number
};

constexpr PromoKind kCta = PromoKind::kCallToAction;
constexpr PromoKind kContact = PromoKind::kContact;
constexpr PromoKind kPromise = PromoKind::kPromise;
constexpr PromoKind kSend = PromoKind::kCryptoRequest;
constexpr PromoKind kWarn = PromoKind::kWarning;
constexpr PromoKind kEarn = PromoKind::kEarning;
constexpr PromoKind kVote = PromoKind::kPoliticalCall;
constexpr PromoKind kDay = PromoKind::kDate;
constexpr PromoKind kPaid = PromoKind::kDisclaimer;
constexpr PromoKind kReturn = PromoKind::kReturnPromise;

// Calls to buy or to act on an offer (en, ru, fr, de, es).
constexpr ListEntry kList[] = {
    {"order now", kCta}, {"order today", kCta}, {"order here", kCta}, {"order online", kCta}, {"order at", kCta},
    {"order via", kCta}, {"buy now", kCta}, {"buy today", kCta}, {"buy here", kCta}, {"shop now", kCta},
    {"call now", kCta, true}, {"call today", kCta, true}, {"book now", kCta}, {"get yours", kCta}, {"grab yours", kCta},
    {"get it now", kCta}, {"limited offer", kCta}, {"limited time offer", kCta}, {"limited stock", kCta},
    {"hurry", kCta}, {"act now", kCta}, {"dont miss", kCta}, {"don't miss", kCta}, {"click here", kCta}, {"click the link", kCta},
    {"visit our", kCta}, {"visit my", kCta}, {"check out my", kCta}, {"free shipping", kCta},
    {"free delivery", kCta}, {"today only", kCta}, {"sign up", kCta}, {"register now", kCta}, {"join now", kCta},
    {"apply now", kCta}, {"i sell", kCta}, {"we sell", kCta}, {"im selling", kCta}, {"i am selling", kCta},
    {"we offer", kCta}, {"contact us", kCta, true}, {"wholesale", kCta}, {"cash on delivery", kCta},
    {"звоните", kCta, true}, {"звони", kCta, true}, {"позвоните", kCta, true}, {"заказывайте", kCta}, {"заказывай", kCta},
    {"закажите", kCta}, {"закажи", kCta}, {"покупайте", kCta}, {"купите", kCta}, {"успейте", kCta},
    {"успей", kCta}, {"спешите", kCta}, {"торопитесь", kCta}, {"переходите", kCta}, {"переходи по", kCta},
    {"жми", kCta}, {"жмите", kCta}, {"обращайтесь", kCta, true}, {"бесплатная доставка", kCta},
    {"доставка по", kCta}, {"только сегодня", kCta}, {"продаю", kCta}, {"продам", kCta}, {"продаем", kCta},
    {"предлагаем", kCta}, {"оптом", kCta}, {"регистрируйся", kCta}, {"регистрируйтесь", kCta},
    {"commandez", kCta}, {"achetez", kCta}, {"appelez", kCta, true}, {"profitez", kCta}, {"cliquez", kCta},
    {"livraison gratuite", kCta}, {"offre limitee", kCta}, {"je vends", kCta}, {"nous vendons", kCta},
    {"contactez-nous", kCta, true}, {"inscrivez-vous", kCta},
    {"jetzt bestellen", kCta}, {"bestellen sie", kCta}, {"jetzt kaufen", kCta}, {"kaufen sie", kCta},
    {"rufen sie an", kCta, true}, {"jetzt anrufen", kCta, true}, {"klicken sie", kCta}, {"versandkostenfrei", kCta},
    {"kostenloser versand", kCta}, {"nur heute", kCta}, {"ich verkaufe", kCta}, {"wir verkaufen", kCta},
    {"compra ya", kCta}, {"compra ahora", kCta}, {"compre ya", kCta}, {"pide ya", kCta}, {"pidelo ya", kCta},
    {"llama ya", kCta, true}, {"llame ya", kCta, true}, {"llamanos", kCta, true}, {"haz clic", kCta}, {"envio gratis", kCta},
    {"oferta limitada", kCta}, {"solo hoy", kCta}, {"vendo", kCta}, {"vendemos", kCta}, {"contactanos", kCta, true},
    // Invitations to get in touch privately: with a price they close a sale, with a rate they recruit.
    {"dm me", kContact}, {"pm me", kContact}, {"message me", kContact}, {"inbox me", kContact},
    {"text me", kContact}, {"hit me up", kContact}, {"contact me", kContact}, {"write me", kContact},
    {"write to me", kContact}, {"email me", kContact}, {"whatsapp me", kContact}, {"ask me how", kContact},
    {"dm for", kContact}, {"pm for", kContact}, {"details in dm", kContact}, {"link in bio", kContact},
    {"link in my bio", kContact},
    {"пиши в лс", kContact}, {"пишите в лс", kContact}, {"пиши в личку", kContact}, {"пишите в личку", kContact},
    {"в личку", kContact}, {"в лс", kContact}, {"в личные сообщения", kContact}, {"в директ", kContact},
    {"пишите в телеграм*", kContact}, {"пиши в телеграм*", kContact}, {"пишите в ватсап*", kContact},
    {"напиши мне", kContact}, {"напишите мне", kContact}, {"пишите мне", kContact}, {"пиши мне", kContact},
    {"подробности в лс", kContact}, {"подробности в личке", kContact}, {"ссылка в профиле", kContact},
    {"ecrivez-moi", kContact}, {"ecris-moi", kContact}, {"contactez-moi", kContact}, {"en mp", kContact},
    {"en prive", kContact}, {"envoyez-moi un message", kContact},
    {"schreib mir", kContact}, {"schreiben sie mir", kContact}, {"per pn", kContact}, {"per dm", kContact},
    {"melde dich", kContact}, {"melden sie sich", kContact},
    {"escribeme", kContact}, {"mandame un mensaje", kContact}, {"contactame", kContact},
    {"por privado", kContact}, {"al privado", kContact}, {"por dm", kContact}, {"al dm", kContact},
    {"on whatsapp", kContact}, {"via whatsapp", kContact}, {"on telegram", kContact}, {"via telegram", kContact},
    {"on viber", kContact}, {"on signal", kContact}, {"в телеграм*", kContact}, {"в телеге", kContact},
    {"в телегу", kContact}, {"в тг", kContact}, {"в ватсап*", kContact}, {"в вотсап*", kContact},
    {"в вайбер*", kContact}, {"sur whatsapp", kContact}, {"sur telegram", kContact}, {"per whatsapp", kContact},
    {"auf telegram", kContact}, {"por whatsapp", kContact}, {"por telegram", kContact},
    // Promises that turn a figure per month into a get-rich scheme. Not "from home" or "passive income":
    // readers say that of their jobs and savings.
    {"guaranteed", kPromise}, {"guarantee", kPromise}, {"guarantees", kPromise}, {"risk-free", kPromise},
    {"risk free", kPromise}, {"no risk", kPromise}, {"zero risk", kPromise}, {"without investment", kPromise},
    {"no investment", kPromise}, {"гарантир*", kPromise}, {"гарантия", kPromise}, {"без риска", kPromise},
    {"без рисков", kPromise}, {"без вложений", kPromise}, {"garanti", kPromise}, {"garantie", kPromise},
    {"garantis", kPromise}, {"sans risque", kPromise}, {"sans investissement", kPromise},
    {"garantiert", kPromise}, {"ohne risiko", kPromise}, {"risikofrei", kPromise},
    {"ohne investition", kPromise}, {"garantizado", kPromise}, {"garantizada", kPromise},
    {"garantizados", kPromise}, {"sin riesgo", kPromise}, {"sin inversion", kPromise},
    {"no experience needed", kPromise}, {"no experience required", kPromise}, {"без опыта", kPromise},
    {"sans experience", kPromise}, {"ohne erfahrung", kPromise}, {"sin experiencia", kPromise},
    // What comes back for crypto sent: with a request to send crypto, the doubling promise.
    {"back", kReturn}, {"обратно", kReturn}, {"назад", kReturn}, {"вдвое больше", kReturn},
    {"в два раза больше", kReturn}, {"double", kReturn}, {"twice", kReturn}, {"2x", kReturn}, {"x2", kReturn},
    {"en retour", kReturn}, {"zuruck", kReturn}, {"de vuelta", kReturn},
    // Requests to send crypto: count only with a crypto amount or a wallet right after (promotion.cpp).
    {"send", kSend}, {"deposit", kSend}, {"transfer", kSend}, {"отправь", kSend}, {"отправьте", kSend},
    {"пришли", kSend}, {"пришлите", kSend}, {"переведи", kSend}, {"переведите", kSend}, {"скинь", kSend},
    {"скиньте", kSend}, {"envoyez", kSend}, {"envoie", kSend}, {"sende", kSend}, {"senden sie", kSend},
    {"uberweise", kSend}, {"envia", kSend}, {"enviame", kSend}, {"envie", kSend}, {"deposita", kSend},
    // Earning words: a rate near one is income, what a scheme promises ("make $500 a day").
    {"earn*", kEarn}, {"make", kEarn}, {"makes", kEarn}, {"making", kEarn}, {"made", kEarn}, {"get paid", kEarn},
    {"income", kEarn}, {"profit*", kEarn}, {"payout*", kEarn}, {"withdraw*", kEarn}, {"returns", kEarn},
    {"return", kEarn}, {"yield", kEarn}, {"passive", kEarn}, {"from home", kEarn}, {"work from home", kEarn},
    {"из дома", kEarn}, {"на дому", kEarn}, {"depuis chez vous", kEarn}, {"von zu hause", kEarn},
    {"desde casa", kEarn}, {"зарабат*", kEarn}, {"заработ*", kEarn},
    {"доход*", kEarn}, {"прибыл*", kEarn}, {"выплат*", kEarn}, {"получай*", kEarn}, {"получаю", kEarn},
    {"профит*", kEarn}, {"gagne*", kEarn}, {"revenu*", kEarn}, {"verdien*", kEarn}, {"einkommen", kEarn},
    {"gewinn*", kEarn}, {"gana*", kEarn}, {"ingreso*", kEarn}, {"ganancia*", kEarn},
    // Campaign imperatives and disclaimers, counted only at the start of a sentence ("Vote Smith on May 5",
    // "— Paid for by Friends of Smith"; not "I'll vote for Smith", "ads paid for by the party"). An imperative
    // with a date, a donation site or an amount is a campaign message; a disclaimer is one on its own.
    {"vote", kVote}, {"elect", kVote}, {"re-elect", kVote}, {"reelect", kVote}, {"donate", kVote},
    {"chip in", kVote}, {"голосуйте", kVote}, {"голосуй", kVote}, {"проголосуйте", kVote},
    {"отдайте свой голос", kVote}, {"поддержите", kVote}, {"votez", kVote}, {"wahlt", kVote},
    {"wahlen sie", kVote}, {"spendet", kVote}, {"vota", kVote}, {"votad", kVote}, {"donnez", kVote},
    {"paid for by", kPaid}, {"paid for and authorized by", kPaid}, {"authorized by", kPaid},
    {"finance par", kPaid}, {"bezahlt von", kPaid}, {"pagado por", kPaid},
    {"election day", kDay}, {"polling day", kDay}, {"день голосования", kDay}, {"день выборов", kDay},
    {"jour du scrutin", kDay}, {"wahltag", kDay}, {"dia de las elecciones", kDay},
    // Scam warnings: a comment that has one is about a scheme, not one (unless negated, see below).
    {"scam", kWarn}, {"scams", kWarn}, {"scammer*", kWarn}, {"scammed", kWarn}, {"fraud*", kWarn},
    {"ponzi", kWarn}, {"police", kWarn}, {"warn", kWarn}, {"warns", kWarn}, {"warned", kWarn},
    {"warning", kWarn}, {"beware", kWarn}, {"victims", kWarn}, {"hoax", kWarn}, {"swindle*", kWarn},
    {"мошенн*", kWarn}, {"лохотрон*", kWarn}, {"афер*", kWarn}, {"полици*", kWarn}, {"предупрежда*", kWarn},
    {"обман*", kWarn}, {"arnaque*", kWarn}, {"escroc*", kWarn}, {"escroquerie*", kWarn}, {"fraude", kWarn},
    {"gendarmerie", kWarn}, {"betrug", kWarn}, {"betruger*", kWarn}, {"abzocke", kWarn}, {"polizei", kWarn},
    {"warnt", kWarn}, {"estafa*", kWarn}, {"timo", kWarn}, {"policia", kWarn},
};

// Words that negate a warning or a promise up to three words later: "not a scam", "это не лохотрон",
// "kein Betrug", "returns are not guaranteed".
// "t" is what is left of "isn't", "don't" once the apostrophe splits the word.
constexpr std::string_view kNegators[] = {"not", "no", "never", "isnt", "t", "не", "нет", "ни", "без", "pas", "jamais",
                                          "kein", "keine", "nicht", "sin", "nunca"};
constexpr size_t kNegationReach = 3;

inline bool IsMark(UChar32 c) {
  const int8_t t = u_charType(c);
  return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}
inline bool IsWordCp(UChar32 c) {
  if (c < 0x80) return IsAsciiAlnum(static_cast<char>(c));
  return u_isalnum(c) || IsMark(c);
}

// True when `b` starts the text, a line, a sentence or a clause set off by a dash ("— Paid for by …").
bool SentenceStart(std::string_view s, size_t b) {
  size_t i = b;
  while (i > 0) {
    size_t start = 0;
    const char32_t c = casing::DecodeBefore(s, i, &start).cp;
    if (c == ' ' || c == '"' || c == '\'' || c == 0xAB || c == 0x201C || c == '*' || c == 0xA0) {
      i = start;
      continue;
    }
    if (c == '-') return start > 0 && s[start - 1] == ' ';  // "Smith - paid for by", not "re-elect"
    return c == '.' || c == '!' || c == '?' || c == '\n' || c == ':' || c == '(' || c == 0x2014 || c == 0x2013 ||
           c == '|';
  }
  return true;
}

// Words that may follow a campaign imperative ("Vote for", "Vote YES", "Голосуйте за"); any other lower-case
// word makes it a noun ("Vote counts from May 5 show…"). A capital, a digit or a sign is a name or an amount.
bool CallContinues(std::string_view s, size_t e) {
  static constexpr std::string_view kNext[] = {
      "for", "yes", "no", "to", "at", "now", "today", "on", "early", "against", "our", "the", "and", "in",
      "за", "против", "нашего", "нашу", "наш", "наших", "нас", "сегодня", "на", "в", "pour", "notre", "non",
      "oui", "für", "unsere", "unseren", "ja", "nein", "por", "a", "nuestro", "nuestra", "sí", "si"};
  size_t i = SkipSpaces(s, e, 3);
  if (i >= s.size()) return true;
  const casing::Decoded d = casing::Decode(s, i);
  const casing::Kind kind = casing::Classify(d.cp);
  if (kind != casing::Kind::kLower && kind != casing::Kind::kCaseless) return true;
  size_t j = i;
  while (j < s.size() && WordAt(s, j)) j += casing::Decode(s, j).length;
  const std::string word = casing::FoldLower(s.substr(i, j - i));
  return std::find(std::begin(kNext), std::end(kNext), word) != std::end(kNext);
}

// The first two bytes of a word: the bucket of the one-word prefix phrases it may start with.
uint16_t FirstTwo(std::string_view w) {
  return static_cast<uint16_t>(static_cast<uint8_t>(w[0]) << 8 | (w.size() > 1 ? static_cast<uint8_t>(w[1]) : 0));
}

}  // namespace

std::vector<std::pair<size_t, size_t>> Words(std::string_view t) {
  std::vector<std::pair<size_t, size_t>> words;
  const auto* p = reinterpret_cast<const uint8_t*>(t.data());
  const auto n = static_cast<int32_t>(t.size());
  int32_t i = 0, start = -1;
  while (i < n) {
    const int32_t at = i;
    UChar32 c = p[i];
    if (c < 0x80) ++i;  // ASCII without the decoder: most of most texts
    else U8_NEXT(p, i, n, c);
    const bool word = c >= 0 && IsWordCp(c);
    if (word && start < 0) start = at;
    if (!word && start >= 0) {
      words.emplace_back(static_cast<size_t>(start), static_cast<size_t>(at));
      start = -1;
    }
  }
  if (start >= 0) words.emplace_back(static_cast<size_t>(start), t.size());
  return words;
}

WordLists::WordLists() {
  auto normalise = [](std::string_view term) {
    const text::TextViews v = text::BuildViews(term, /*with_words=*/false);
    std::vector<std::string> out;
    for (auto [b, e] : Words(v.squeezed.text)) out.push_back(v.squeezed.text.substr(b, e - b));
    return out;
  };
  for (const ListEntry& entry : kList) {
    Phrase phrase;
    std::string_view text = entry.text;
    phrase.prefix_last = !text.empty() && text.back() == '*';
    if (phrase.prefix_last) text.remove_suffix(1);
    phrase.words = normalise(text);
    phrase.kind = entry.kind;
    phrase.calling = entry.calling;
    if (phrase.words.empty()) continue;
    const auto index = static_cast<uint32_t>(phrases_.size());
    if (phrase.prefix_last && phrase.words.size() == 1) prefix_first_[FirstTwo(phrase.words.front())].push_back(index);
    else by_first_[phrase.words.front()].push_back(index);
    phrases_.push_back(std::move(phrase));
  }
  for (std::string_view neg : kNegators) {
    for (std::string& w : normalise(neg)) negators_.insert(std::move(w));
  }
}

void WordLists::Match(const text::View& squeezed, PromoScan& scan) const {
  const std::string& t = squeezed.text;
  if (t.empty() || squeezed.start.size() != t.size()) return;
  const auto words = Words(t);
  auto word = [&](size_t k) { return std::string_view(t).substr(words[k].first, words[k].second - words[k].first); };
  auto matches = [&](const Phrase& ph, size_t k) {
    if (k + ph.words.size() > words.size()) return false;
    for (size_t q = 0; q < ph.words.size(); ++q) {
      const std::string_view w = word(k + q);
      const bool last = q + 1 == ph.words.size();
      if (last && ph.prefix_last ? !w.starts_with(ph.words[q]) : w != ph.words[q]) return false;
    }
    return true;
  };
  auto negated = [&](size_t k) {
    for (size_t back = 1; back <= kNegationReach && back <= k; ++back) {
      if (negators_.contains(word(k - back))) return true;
    }
    return false;
  };
  auto emit = [&](const Phrase& ph, size_t k) {
    if ((ph.kind == PromoKind::kWarning || ph.kind == PromoKind::kPromise) && negated(k)) return;
    auto [b, e] = squeezed.ToOriginal(words[k].first, words[k + ph.words.size() - 1].second);
    PromoFeature f{ph.kind, b, e};
    f.strong = !ph.calling;
    if ((ph.kind == PromoKind::kPoliticalCall || ph.kind == PromoKind::kDisclaimer) && !SentenceStart(scan.s, b))
      return;
    if (ph.kind == PromoKind::kPoliticalCall && !CallContinues(scan.s, e)) return;
    scan.Add(f);
  };
  for (size_t k = 0; k < words.size(); ++k) {
    if (auto it = by_first_.find(word(k)); it != by_first_.end()) {
      for (uint32_t index : it->second) {
        if (matches(phrases_[index], k)) emit(phrases_[index], k);
      }
    }
    if (auto it = prefix_first_.find(FirstTwo(word(k))); it != prefix_first_.end()) {
      for (uint32_t index : it->second) {
        if (matches(phrases_[index], k)) emit(phrases_[index], k);
      }
    }
  }
}

}  // namespace tribune::moderation::promo_internal
