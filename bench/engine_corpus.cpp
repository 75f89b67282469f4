// The engine benchmark's corpus generator (engine_corpus.hpp).
#include "engine_corpus.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/moderation_table.hpp"

namespace tribune::bench {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "tribune_engine_bench: %s\n", what.c_str());
  std::exit(1);
}


const char* const kNews[] = {
    "The council voted 7-2 on Tuesday to raise parking fees, which seems short-sighted to me.",
    "I read the whole report and the numbers on page 14 do not match the summary.",
    "Thanks for covering this, local reporting like this is getting rare.",
    "My grandmother lived on that street for forty years and never saw a bus on time.",
    "The budget gap is $4.2 million, not the $2 million quoted in the first paragraph.",
    "Has anyone asked the minister why the consultation closed on 3 January 2025?",
    "Rents went up 12% in two years while wages rose by 3.5%. Do the maths.",
    "The original study is here: https://www.example.org/research/2024/housing-survey.pdf",
    "I agree with the previous comment, but the article leaves out the river crossing entirely.",
    "Good piece. The interview with the head teacher was the best part.",
    "Petrol was 1.45 a litre last week and 1.62 today, nobody can explain why.",
    "We moved here in 2019 because of the schools, and the schools are still the reason we stay.",
    "This is the third time the opening has been postponed since March.",
    "Could the editors add a map? It is hard to follow which roads will close.",
    "The turnout was 38.6 percent, the lowest since 1997, which says a lot.",
    "Honestly the new cycle lane works well in the mornings, less so after five.",
    "A correction: the bridge was built in 1884, not 1848.",
    "If the tram costs 350 million, what happens to the bus routes it replaces?",
    "I volunteer at the food bank on Saturdays and demand has doubled since last winter.",
    "The mayor's office published the full contract at https://city.example.gov/contracts/tram-2024",
    "Everyone complains about the noise, but the festival brings 40,000 visitors a year.",
    "Interesting that the spokesperson declined to comment on the second audit.",
    "My train was cancelled twice this week; the refund form still asks for a paper ticket.",
    "What the article calls a minor delay was eleven months for the families on the list.",
    "The match report is spot on, the second half was painful to watch.",
    "Schools in the north of the county have waited since 2016 for the promised repairs.",
    "The tax change saves a typical household about 230 euros a year, according to the treasury.",
    "Let us wait for the court's ruling before anyone calls it a scandal.",
    "Water bills rose from 410 to 486 pounds; the regulator approved every penny.",
    "The photo caption says Tuesday but the meeting took place on Monday 14 October.",
    "Local shops on the high street closed one by one after the ring road opened.",
    "Two hospitals merged in 2021 and waiting times have not improved at all.",
};

// Markdown around or between sentences (the form a comment arrives in, before rendering).
const char* const kMarkdown[] = {
    "**Key point:** ",
    "> ",
    "- ",
    "* ",
    "_Edit:_ ",
    "See [the report](https://www.example.org/report-2024). ",
    "`1,234` ",
    "1. ",
    "### Update\n",
    "~~old figure~~ ",
};

const char* const kFirst[] = {"john",   "maria", "alex",  "sophie", "ivan",
                              "claire", "peter", "nadia", "tom",    "lena"};
const char* const kLast[] = {"smith", "garcia", "brown", "dubois", "petrov", "muller", "jones", "rossi"};
const char* const kDomains[] = {"example.com", "mail.example.org", "gmail.com",
                                "yandex.ru",   "web.de",           "outlook.fr"};

// Profanity and insults (no slurs: those come only from the tables), each with its obfuscations.
const char* const kAbuseTemplates[] = {
    "What the {p} is this council doing with our money?",
    "This is {p} ridiculous, nobody voted for it.",
    "You {i}, read the article before commenting.",
    "Only an {i} would believe the ministry's figures.",
    "Total {s} from start to finish.",
    "The new timetable is {s} and everyone on the platform knows it.",
    "Are you a complete {i} or just pretending?",
    "{p} this budget and {p} the people who wrote it.",
};
const char* const kProfane[] = {"fuck", "f.u.c.k", "f*ck",  "fuuuuuck", "F u c k",
                                "f**k", "fucking", "phuck", "fck"};
const char* const kShit[] = {"shit", "sh1t", "s**t", "shiiiiit", "bullshit", "bullsh1t", "sh!t", "crap"};
const char* const kInsult[] = {"idiot",   "moron",    "id1ot", "m0ron",
                               "iiidiot", "imbecile", "clown", "i.d.i.o.t"};

const char* const kRussian[] = {
    "Совет проголосовал за повышение платы за парковку, и это очень недальновидно.",
    "Я прочитал весь отчёт, и цифры на странице 14 не совпадают с выводами.",
    "Спасибо за статью, такой местной журналистики становится всё меньше.",
    "Аренда выросла на 12% за два года, а зарплаты только на 3,5%.",
    "Почему консультации закрыли 3 января, никто так и не объяснил.",
    "Мост построили в 1884 году, а не в 1848, поправьте, пожалуйста.",
    "Мэр обещал новую линию трамвая к 2026 году, но денег в бюджете нет.",
    "Цены на бензин выросли с 52 до 61 рубля за литр, и никто не объясняет почему.",
};
const char* const kFrench[] = {
    "Le conseil municipal a voté la hausse du stationnement, c'est une erreur à mon avis.",
    "J'ai lu tout le rapport et les chiffres de la page 14 ne correspondent pas au résumé.",
    "Merci pour cet article, le journalisme local devient rare.",
    "Les loyers ont augmenté de 12 % en deux ans alors que les salaires n'ont pris que 3,5 %.",
    "Pourquoi la consultation a-t-elle été close le 3 janvier ? Personne ne l'explique.",
    "Le pont a été construit en 1884 et non en 1848, une petite correction.",
    "Le maire avait promis une nouvelle ligne de tramway pour 2026, mais le budget ne suit pas.",
    "L'essence est passée de 1,72 à 1,95 euro le litre et personne n'explique pourquoi.",
    "Les écoles du nord du département attendent les travaux promis depuis 2016.",
    "Attendons la décision du tribunal avant de parler de scandale.",
};
const char* const kGerman[] = {
    "Der Stadtrat hat die Parkgebühren erhöht, das halte ich für kurzsichtig.",
    "Ich habe den ganzen Bericht gelesen und die Zahlen auf Seite 14 passen nicht zur Zusammenfassung.",
    "Danke für den Artikel, guter Lokaljournalismus wird selten.",
    "Die Mieten sind in zwei Jahren um 12 % gestiegen, die Löhne nur um 3,5 %.",
    "Warum wurde die Anhörung am 3. Januar geschlossen? Niemand erklärt es.",
    "Die Brücke wurde 1884 gebaut, nicht 1848, nur zur Korrektur.",
    "Der Bürgermeister hat eine neue Straßenbahnlinie bis 2026 versprochen, aber das Geld fehlt.",
    "Benzin kostete letzte Woche 1,72 Euro und heute 1,95 Euro, niemand kann das erklären.",
    "Die Schulen im Norden des Landkreises warten seit 2016 auf die versprochenen Reparaturen.",
    "Warten wir das Urteil des Gerichts ab, bevor wir von einem Skandal sprechen.",
};

struct TableLine {
  std::string text;
  std::string file;
};


// The text column of every line of tests/moderation/<name>.tsv short enough to sit inside a comment.
std::vector<TableLine> ReadTable(const std::string& name) {
  const fs::path path = fs::path(TRIBUNE_SOURCE_DIR) / "tests" / "moderation" / (name + ".tsv");
  std::ifstream in(path);
  if (!in) Die("cannot read " + path.string());
  std::vector<TableLine> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    std::string text = tribune::testing::UnescapeTableText(line.substr(0, tab));
    if (text.empty() || text.size() > 300) continue;
    out.push_back({std::move(text), name});
  }
  if (out.empty()) Die(path.string() + " holds no lines");
  return out;
}

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  size_t Below(size_t n) { return static_cast<size_t>(rng_() % n); }
  bool Percent(int p) { return static_cast<int>(rng_() % 100) < p; }
  template <class T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Below(N)];
  }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  std::string Digits(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + Below(10)));
    return s;
  }

 private:
  std::mt19937_64 rng_;  // raw output only: the corpus is the same with every standard library
};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

std::string AbuseSentence(Gen& g) {
  std::string s = g.Pick(kAbuseTemplates);
  s = Replace(s, "{p}", g.Pick(kProfane));
  s = Replace(s, "{s}", g.Pick(kShit));
  s = Replace(s, "{i}", g.Pick(kInsult));
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string PrivacySentence(Gen& g) {
  const std::string first = g.Pick(kFirst), last = g.Pick(kLast);
  switch (g.Below(6)) {
    case 0:
      return "You can reach me at " + first + "." + last + g.Digits(2) + "@" + g.Pick(kDomains) +
             " for the documents.";
    case 1:
      return "Call me on +44 7700 900" + g.Digits(3) + " after six, I have the minutes of that meeting.";
    case 2:
      return "My number is (555) " + g.Digits(3) + "-" + g.Digits(4) +
             ", text me and I will send the photos.";
    case 3:
      return "Write to " + first + " dot " + last + " at gmail dot com if you want the full list.";
    case 4:
      return "Contact " + first + "[at]" + g.Pick(kDomains) + " or phone 020 7946 0" + g.Digits(3) + ".";
    default:
      return "Mail " + first + g.Digits(3) + "@" + g.Pick(kDomains) + " with the subject line BUDGET.";
  }
}

// Latin letters with a Cyrillic twin, and the twin's UTF-8.
std::string LookalikeWord(Gen& g, const std::string& word) {
  std::string out;
  const bool fullwidth = g.Percent(40);
  for (char ch : word) {
    const auto c = static_cast<unsigned char>(ch);
    if (fullwidth && c > 0x20 && c < 0x7F) {  // U+FF01..U+FF5E
      const unsigned cp = 0xFF01 + (c - 0x21);
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      continue;
    }
    static const std::map<char, const char*> kTwin = {{'a', "а"}, {'e', "е"}, {'o', "о"}, {'p', "р"},
                                                      {'c', "с"}, {'x', "х"}, {'y', "у"}};
    const auto twin = kTwin.find(ch);
    const char* cyr = twin == kTwin.end() ? nullptr : twin->second;
    if (cyr && g.Percent(60))
      out += cyr;
    else
      out.push_back(ch);
  }
  return out;
}

// Replaces about one word in five of `s` (ASCII words of 4+ letters) with a look-alike spelling.
std::string WithLookalikes(Gen& g, const std::string& s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) ++j;
    if (j > i) {
      const std::string w = s.substr(i, j - i);
      out += w.size() >= 4 && g.Percent(20) ? LookalikeWord(g, w) : w;
      i = j;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// Cuts at the last space at or before kMaxBytes (ASCII, so never inside a UTF-8 sequence).
void Trim(std::string& s) {
  if (s.size() <= kMaxBytes) return;
  size_t cut = s.rfind(' ', kMaxBytes);
  if (cut == std::string::npos || cut < kMinBytes) {
    cut = kMaxBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  }
  s.resize(cut);
}

struct Tables {
  std::vector<TableLine> abuse, privacy, form;
};

Comment MakeComment(Gen& g, Category cat, const Tables& t) {
  // Filler sentences for the category, a "special" part placed among them.
  const char* const* filler = kNews;
  size_t filler_n = std::size(kNews);
  std::vector<std::string> special;
  bool from_table = false;
  switch (cat) {
    case kClean:
      break;
    case kPrivacy:
      if (g.Percent(50)) {
        special.push_back(g.Pick(t.privacy).text);
        from_table = true;
      } else {
        special.push_back(PrivacySentence(g));
      }
      break;
    case kAbuse:
      if (g.Percent(50)) {
        special.push_back(g.Pick(t.abuse).text);
        from_table = true;
      } else {
        special.push_back(AbuseSentence(g));
        if (g.Percent(30)) special.push_back(AbuseSentence(g));
      }
      break;
    case kShouting:
      if (g.Percent(30)) {
        special.push_back(g.Pick(t.form).text);
        from_table = true;
      }
      break;
    case kForeign:
      switch (g.Below(3)) {
        case 0:
          filler = kRussian, filler_n = std::size(kRussian);
          break;
        case 1:
          filler = kFrench, filler_n = std::size(kFrench);
          break;
        default:
          filler = kGerman, filler_n = std::size(kGerman);
          break;
      }
      break;
    case kLookalike:
      if (g.Percent(30)) special.push_back(LookalikeWord(g, g.Pick(kProfane)) + ", what a mess.");
      break;
    default:
      break;
  }
  // Look-alikes take 2-3 bytes for a letter: leave them room.
  const size_t max_bytes = cat == kLookalike ? kMaxBytes - 60 : kMaxBytes;
  const size_t target = kMinBytes + g.Below(max_bytes - kMinBytes + 1);
  size_t bytes = 0;
  for (const auto& s : special) bytes += s.size() + 1;
  // Filler sentences in a shuffled order, none twice until all were used.
  std::vector<size_t> order;
  std::vector<std::string> parts;
  for (int guard = 0; bytes < target && guard < 64; ++guard) {
    if (order.empty()) {
      for (size_t k = 0; k < filler_n; ++k) order.push_back(k);
      for (size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[g.Below(k)]);
    }
    std::string s = filler[order.back()];
    order.pop_back();
    if (cat == kClean && g.Percent(15)) s = std::string(g.Pick(kMarkdown)) + s;
    if (bytes + s.size() + 1 > max_bytes) continue;  // try a shorter one
    bytes += s.size() + 1;
    parts.push_back(std::move(s));
  }
  std::vector<bool> is_special(parts.size(), false);
  for (auto& s : special) {
    const auto at = static_cast<std::ptrdiff_t>(g.Below(parts.size() + 1));
    parts.insert(parts.begin() + at, s);
    is_special.insert(is_special.begin() + at, true);
  }

  std::string text;
  for (size_t k = 0; k < parts.size(); ++k) {
    std::string p = parts[k];
    const bool block = p.rfind("- ", 0) == 0 || p.rfind("* ", 0) == 0 || p.rfind("1. ", 0) == 0 ||
                       p.rfind("> ", 0) == 0 || p.rfind("###", 0) == 0;
    if (k > 0) text += block ? "\n" : g.Percent(12) ? "\n\n" : " ";
    if (cat == kShouting && !(from_table && is_special[k])) {
      if (g.Percent(85)) p = Upper(p);
      if (g.Percent(35) && !p.empty() && (p.back() == '.' || p.back() == '?')) {
        p.pop_back();
        p += g.Percent(50) ? "!!!!" : "?!?!";
      }
    }
    text += p;
  }
  if (cat == kLookalike) text = WithLookalikes(g, text);
  Trim(text);
  return {std::move(text), cat, from_table};
}

}  // namespace

std::vector<Comment> MakeCorpus(size_t n) {
  Tables t;
  for (const char* name : {"profanity", "insult_threat", "hate"}) {
    auto lines = ReadTable(name);
    t.abuse.insert(t.abuse.end(), lines.begin(), lines.end());
  }
  t.privacy = ReadTable("privacy_personal_data");
  t.form = ReadTable("form");

  std::vector<Category> cats;
  for (int c = 0; c < kCategories; ++c)
    for (size_t k = 0; k < n * kCategoryPercent[c] / 100; ++k) cats.push_back(static_cast<Category>(c));
  while (cats.size() < n) cats.push_back(kClean);
  Gen g(20241130);
  for (size_t k = cats.size(); k > 1; --k) std::swap(cats[k - 1], cats[g.Below(k)]);  // Fisher-Yates
  std::vector<Comment> corpus;
  corpus.reserve(n);
  for (Category c : cats) corpus.push_back(MakeComment(g, c, t));
  return corpus;
}

}  // namespace tribune::bench
