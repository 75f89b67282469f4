// Stop-word evidence for the language rule: how many of a text's words are frequent function words of a
// language. Detectors trained on web text are easily swayed by a few names or borrowed words; function
// words are what makes a sentence English or French, so their share confirms or vetoes a detector's
// verdict (language.hpp).
//
// Source and licence: these short lists were written for Tribune (project licence) from general knowledge
// of each language's most frequent words, not copied from a stop-word collection. They are deliberately
// short and lean towards words that are frequent AND distinctive: English leaves out "a", "i", "in", "an",
// "me", "no", "do", "by", "as", "so", "also", "was" (frequent in Spanish, Italian, Polish, German or
// Portuguese too). Words are lower case (casing::FoldLower; ё is folded to е). Elided French forms ("c'est",
// "l'article") split at the apostrophe, hence "c", "l", "d", "j", "qu".
#include <algorithm>
#include <array>
#include <cstdlib>
#include <vector>

#include "moderation/rules/form.hpp"
#include "moderation/rules/language.hpp"
#include "text/utf8.hpp"

namespace tribune::moderation::language {
namespace {

struct StopList {
  std::string_view language;
  std::string_view words;  // space-separated
};

constexpr StopList kLists[] = {
    {"en", "the and of that it for you with are this be have not they but what were we when your can there which "
           "their if would about just been has more who these them than should because how why our from he she his "
           "her my or at did does will all out up get like only any some its had very even still into after then "
           "don doesn didn isn aren wasn is to"},
    {"fr", "le la les des est et une du que qui dans pour pas sur au aux avec ce cette ces sont mais ou nous vous "
           "ils elles je il leur été très plus tout comme même fait être sans aussi encore c l d j qu n"},
    {"de", "der die das und ist nicht ein eine einen dem den des zu mit auf für von sich auch es im wird werden "
           "wie aber noch nur schon wenn oder sind dass war hat ich wir sie man mehr bei nach doch immer diese "
           "dieser kein keine jetzt hier"},
    {"es", "el la los las de que y en un una es por con para no se del lo al como más pero sus su muy está están "
           "son ya también todo esto este esta hay sin sobre porque cuando nos me mi yo"},
    {"it", "il lo la gli le di che e è un una per non con del della dei delle nel nella sono si ma anche come più "
           "questo questa perché ancora già solo ci mi ho ha hanno sempre tutto tutti al alla da dal dalla"},
    {"pt", "o os a as de do da dos das que e em um uma não para com por no na nos nas mais se é são está mas foi "
           "muito também já isso isto esse essa ao pelo pela eu até quando sem"},
    {"nl", "de het een en van is dat niet op te zijn met voor er maar ook als bij nog wel dan door naar om wat "
           "wij ik je hij ze zo geen deze dit al meer worden wordt heeft hebben echt nu"},
    {"pl", "i w z na nie się to że do jest jak o co ale po tak za od czy już tylko jego jej ich są by może bardzo "
           "tego ten ta tym przez dla jeszcze bo kiedy gdy który które była był było mnie mi dlaczego coś przed znowu"},
    {"ru", "и в не на что с по это как а но к у из за от так же то все его она он они мы вы я бы уже только еще "
           "для о до или если нет когда даже был была было быть есть этот эти там тут чтобы ни вот очень"},
    {"uk", "і в у не на що з по це як а але до за від так же то все його вона він вони ми ви я б вже тільки ще "
           "для про або якщо ні коли навіть був була було бути є цей ці там тут щоб дуже й їх її із зі чи"},
    {"tr", "ve bir bu da de için ile çok ama gibi daha ne mi olarak kadar var yok şey ben sen biz siz onlar değil "
           "her en hiç neden sonra önce şimdi hala hâlâ artık bile olan oldu diye ki"},
    {"sv", "och att det som en är på för med av till inte jag har de den om ett men var så vi kan ska nu här "
           "också eller när vad mycket bara sina sin man alla"},
    {"da", "og at det er en til på som med for af ikke jeg har de den et men vi kan skal nu her også eller når "
           "hvad meget bare deres man alle der så om"},
    {"no", "og i det er en til på som med for av ikke jeg har de den et men vi kan skal nå her også eller når hva "
           "veldig bare deres man alle der så om"},
    {"cs", "a v se na je že to s z do o jak ale za by jsou jsem jsme také tak už jen který která které není bylo "
           "byl byla být když proč ještě co ten ta tento této pro po od jako nebo i před znovu"},
    {"ro", "și şi în de la cu pe că nu o un să a se din care este sunt mai dar pentru ce am ai au fost cum când "
           "foarte doar acest această lui ei el ea noi voi nici tot după prin"},
    {"hu", "a az és hogy nem is egy meg de van már csak még mint ez azt ezt volt lesz vagy mert akkor amikor miért "
           "nagyon sem kell minden itt ott után ki mi el fel be"},
    {"fi", "ja on ei se että oli ovat kun mutta niin myös kuin ole tämä tämän sen hän he me te minä sinä jo vain "
           "nyt miksi mitä joka jotka koska vielä siitä tai kanssa ollut olla paljon"},
    {"id", "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga saya ke karena ada mereka kita kami "
           "bisa sudah belum lebih atau tapi tetapi seperti harus kenapa mengapa sangat hanya masih oleh apa jika "
           "kalau"},
    {"vi", "và của là có không những được người này trong cho với một các đã để khi thì cũng như tôi chúng họ "
           "lại rất nhưng vì từ đó sẽ đang mà nào tại sao"},
    {"el", "και το η ο να του της την τα σε με για που δεν είναι οι τον από στο στην θα ένα μια αλλά όπως πολύ "
           "ότι"},
};
constexpr size_t kListCount = std::size(kLists);
static_assert(kListCount <= 32, "one bit per list");

// word → bit set of the lists it is in: an open-addressing table with a power-of-two size and FNV-1a,
// because std::unordered_map's Murmur hash and modulo by a prime were a good part of the rule's time for
// ~100 short words per comment. Per first byte, a mask of the word lengths (in bytes, 63 for 63 and more)
// that occur turns many words away before hashing. Built once; the string_views point into the literals
// above.
struct StopIndex {
  static constexpr size_t kSlots = 4096;  // over four times the words of all lists: short probe runs
  struct Slot {
    std::string_view word;  // empty: free
    uint32_t lists = 0;
  };
  std::vector<Slot> slots = std::vector<Slot>(kSlots);
  std::array<uint64_t, 256> lengths{};

  static uint64_t LengthBit(size_t n) { return uint64_t{1} << std::min<size_t>(n, 63); }
  static size_t Hash(std::string_view w) {
    uint64_t h = 0xCBF29CE484222325ull;
    for (const char c : w) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001B3ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
  Slot& SlotOf(std::string_view word) {
    size_t k = Hash(word) & (kSlots - 1);
    while (!slots[k].word.empty() && slots[k].word != word) k = (k + 1) & (kSlots - 1);
    return slots[k];
  }
  void Add(std::string_view word, uint32_t list_bit) {
    Slot& slot = SlotOf(word);
    slot.word = word;
    slot.lists |= list_bit;
    lengths[static_cast<uint8_t>(word[0])] |= LengthBit(word.size());
  }
  // The lists `word` (not empty) is in, or nullptr.
  const uint32_t* Find(std::string_view word) const {
    if ((lengths[static_cast<uint8_t>(word[0])] & LengthBit(word.size())) == 0) return nullptr;
    for (size_t k = Hash(word) & (kSlots - 1);; k = (k + 1) & (kSlots - 1)) {
      if (slots[k].word.empty()) return nullptr;
      if (slots[k].word == word) return &slots[k].lists;
    }
  }
};

const StopIndex& Index() {
  static const auto* index = [] {
    auto* m = new StopIndex();
    for (size_t l = 0; l < kListCount; ++l) {
      std::string_view words = kLists[l].words;
      while (!words.empty()) {
        const size_t space = words.find(' ');
        const std::string_view word = words.substr(0, space);
        if (!word.empty()) m->Add(word, 1u << l);
        words = space == std::string_view::npos ? std::string_view() : words.substr(space + 1);
      }
    }
    size_t used = 0;
    for (const StopIndex::Slot& slot : m->slots) used += slot.word.empty() ? 0 : 1;
    if (used * 2 > StopIndex::kSlots) std::abort();  // the lists outgrew the table: raise kSlots
    return m;
  }();
  return *index;
}

}  // namespace

size_t StopWordStats::Hits(std::string_view lang) const {
  for (const auto& [code, n] : hits) {
    if (SameLanguage(code, lang)) return n;
  }
  return 0;
}

double StopWordStats::Share(std::string_view lang) const {
  return words == 0 ? 0.0 : static_cast<double>(Hits(lang)) / static_cast<double>(words);
}

bool StopWordStats::HasList(std::string_view lang) const {
  for (const auto& [code, n] : hits) {
    if (SameLanguage(code, lang)) return true;
  }
  return false;
}

StopWordStats CountStopWords(std::string_view judged_text) {
  StopWordStats stats;
  std::array<size_t, kListCount> counts{};
  const std::string folded = casing::FoldLower(judged_text);
  const auto& index = Index();
  // Words: runs of letters (apostrophes, hyphens and digits split them). Scripts written without spaces
  // (Han, Kana, Thai) give few long "words" and no hits, which is right: they have no lists here.
  size_t i = 0;
  // ASCII without a call to the decoder: most of most texts.
  auto decode = [&](size_t at) {
    const auto byte = static_cast<uint8_t>(folded[at]);
    return byte < 0x80 ? casing::Decoded{byte, 1} : casing::Decode(folded, at);
  };
  while (i < folded.size()) {
    casing::Decoded d = decode(i);
    if (ScriptOf(d.cp) == Script::kNone) {
      i += d.length;
      continue;
    }
    size_t j = i;
    while (j < folded.size()) {
      casing::Decoded e = decode(j);
      // Combining marks stay inside a word (decomposed Vietnamese, Devanagari signs are letters already).
      if (ScriptOf(e.cp) == Script::kNone && !(e.cp >= 0x300 && e.cp <= 0x36F)) break;
      j += e.length;
    }
    ++stats.words;
    if (const uint32_t* lists = index.Find(std::string_view(folded).substr(i, j - i))) {
      for (size_t l = 0; l < kListCount; ++l) {
        if (*lists & (1u << l)) ++counts[l];
      }
    }
    i = j;
  }
  stats.hits.reserve(kListCount);
  for (size_t l = 0; l < kListCount; ++l) stats.hits.emplace_back(kLists[l].language, counts[l]);
  return stats;
}

}  // namespace tribune::moderation::language
