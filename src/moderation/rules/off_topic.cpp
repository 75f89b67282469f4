#include "moderation/rules/off_topic.hpp"

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <cstdio>
#include <unordered_set>

#include "text/utf8.hpp"
#include "text/views.hpp"

namespace tribune::moderation {

// Stems, leaving out the hashes in `stops` (none: used to build the stop list itself).
StemBag StemsOfUnfiltered(std::string_view text, const std::unordered_set<uint64_t>* stops = nullptr);

namespace {

constexpr size_t kMinLetters = 3;         // shorter words are function words (or "EU", "UK": too few)
constexpr int32_t kStemLetters = 5;       // code points kept of each word
constexpr size_t kMinCommentStems = 8;
constexpr size_t kMinArticleStems = 25;
constexpr size_t kMaxCacheEntries = 512;
constexpr size_t kMaxInputBytes = 64 * 1024;  // beyond this, a text says nothing more about its subject
constexpr double kLowSimilarity = 0.05;

// Function words of ≥ 3 letters (stemmed to 5), per language, plus words every news comment uses
// ("article", "people", "think"): they say nothing about a subject.
const std::unordered_set<uint64_t>& StopStems() {
  static const std::unordered_set<uint64_t> kStops = [] {
    const char* words[] = {
        // English
        "the", "and", "for", "you", "are", "not", "but", "was", "his", "her", "she", "him", "its", "our", "out",
        "has", "had", "who", "why", "how", "all", "any", "can", "did", "get", "got", "one", "two", "too", "yes",
        "now", "new", "old", "off", "own", "see", "way", "may", "say", "let", "put", "use", "few", "lot", "per",
        "via", "yet", "ago", "also", "don", "isn", "didn", "doesn", "won", "can't", "that", "this", "with", "from", "have", "they", "will", "would", "there", "their", "what", "about",
        "which", "when", "were", "been", "more", "than", "them", "then", "just", "like", "only", "also", "some",
        "very", "your", "into", "over", "such", "because", "should", "could", "these", "those", "think",
        "people", "really", "article", "story", "know", "even", "much", "many", "most", "other", "being",
        "does", "doing", "here", "where", "while", "after", "before", "again", "still", "every", "never",
        "always", "something", "anything", "nothing", "everything", "thing", "things", "make", "made", "said",
        "says", "good", "well", "right", "wrong", "time", "year", "years", "want", "need", "actually",
        "point", "same", "each", "both", "whole", "maybe", "perhaps", "however", "though", "although",
        "agree", "disagree", "comment", "comments", "read", "reading", "come", "going", "take", "look",
        // Russian
        "это", "как", "что", "так", "все", "всё", "уже", "еще", "ещё", "был", "она", "они", "его", "нас", "вас",
        "них", "тот", "там", "тут", "где", "кто", "мне", "мой", "для", "при", "без", "над", "под", "они", "нам",
        "этот", "того", "чтобы", "когда", "если", "только", "тоже", "также", "было", "были", "будет", "может",
        "есть", "нет", "очень", "потому", "которые", "который", "которая", "всех", "всего", "свои", "своих",
        "теперь", "сейчас", "здесь", "просто", "даже", "вообще", "статья", "статье", "люди", "людей",
        "думаю", "кажется", "почему", "после", "перед", "между", "какой", "какие", "такой", "такие",
        // French
        "les", "des", "une", "est", "pas", "que", "qui", "sur", "par", "son", "ses", "mes", "nos", "vos", "aux",
        "ont", "été", "ces", "bien", "faut",
        "dans", "pour", "avec", "sont", "mais", "cette", "plus", "tout", "tous", "fait", "être", "avoir",
        "comme", "aussi", "leur", "leurs", "nous", "vous", "elle", "elles", "quand", "alors", "donc",
        "article", "gens", "pense", "très", "sans", "encore", "toujours",
        // German
        "der", "die", "das", "und", "ist", "ein", "den", "dem", "des", "mit", "auf", "für", "von", "sie", "wir",
        "ihr", "aus", "bei", "wie", "was", "wer", "hat", "nur", "zum", "zur", "man", "sich",
        "nicht", "sind", "eine", "einen", "einer", "dass", "auch", "wird", "werden", "haben", "kann",
        "noch", "schon", "immer", "wenn", "aber", "oder", "diese", "dieser", "dieses", "sein", "ihre",
        "artikel", "leute", "denke", "sehr", "doch", "mehr", "nach", "über",
        // Spanish
        "los", "las", "del", "una", "por", "con", "más", "mas", "sus", "hay", "era", "fue", "son", "les", "ese",
        "esa", "qué", "que",
        "para", "pero", "como", "esta", "este", "esto", "todo", "todos", "porque", "cuando", "tiene",
        "hace", "sobre", "entre", "también", "muy", "ellos", "nosotros", "artículo", "gente", "creo",
        "siempre", "ahora", "donde",
    };
    std::unordered_set<uint64_t> out;
    for (const char* w : words) {
      for (const auto& [stem, _] : StemsOfUnfiltered(w).stems) out.insert(stem);
    }
    return out;
  }();
  return kStops;
}

constexpr uint64_t kFnvBasis = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

}  // namespace

uint64_t StemKey(std::string_view folded_stem) {
  uint64_t h = kFnvBasis;
  for (unsigned char ch : folded_stem) h = (h ^ ch) * kFnvPrime;
  return h;
}

// One pass: letters are case-folded (ASCII inline, ICU otherwise) and hashed as they come, the first
// kStemLetters of each word making its key; no string per word. The keys are sorted and counted.
StemBag StemsOfUnfiltered(std::string_view text, const std::unordered_set<uint64_t>* stops) {
  thread_local std::vector<uint64_t> keys;
  keys.clear();
  std::map<int, size_t> scripts;
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const auto n = static_cast<int32_t>(std::min(text.size(), kMaxInputBytes));
  uint64_t h = kFnvBasis;
  size_t letters = 0;
  int script = USCRIPT_INVALID_CODE;
  auto flush = [&] {
    if (letters >= kMinLetters && !(stops && stops->count(h))) {
      keys.push_back(h);
      ++scripts[script];
    }
    h = kFnvBasis;
    letters = 0;
  };
  for (int32_t i = 0; i < n;) {
    UChar32 c = p[i];
    if (c < 0x80) {
      ++i;
      if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
        if (letters == 0) script = USCRIPT_LATIN;
        if (letters < kStemLetters) h = (h ^ static_cast<unsigned char>(c | 0x20)) * kFnvPrime;
        ++letters;
      } else if (c != '\'') {
        flush();
      }
      continue;
    }
    U8_NEXT(p, i, n, c);
    if (c >= 0 && u_isalpha(c)) {
      if (letters == 0) {
        UErrorCode status = U_ZERO_ERROR;
        script = uscript_getScript(c, &status);
      }
      if (letters < kStemLetters) {
        const UChar32 f = u_foldCase(c, U_FOLD_CASE_DEFAULT);
        uint8_t buf[4];
        int32_t k = 0;
        U8_APPEND_UNSAFE(buf, k, f);
        for (int32_t q = 0; q < k; ++q) h = (h ^ buf[q]) * kFnvPrime;
      }
      ++letters;
    } else if (c >= 0 && (u_charType(c) == U_NON_SPACING_MARK || c == 0x2019)) {
      continue;  // inside a word
    } else {
      flush();
    }
  }
  flush();
  std::sort(keys.begin(), keys.end());
  StemBag bag;
  for (size_t i = 0; i < keys.size();) {
    size_t j = i;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    bag.stems.emplace_back(keys[i], static_cast<double>(j - i));
    i = j;
  }
  size_t most = 0;
  for (const auto& [sc, k] : scripts)
    if (k > most) bag.script = sc, most = k;
  return bag;
}

StemBag StemsOf(std::string_view text) { return StemsOfUnfiltered(text, &StopStems()); }

double Cosine(const StemBag& a, const StemBag& b) {
  double dot = 0, na = 0, nb = 0;
  for (const auto& [_, w] : a.stems) na += w * w;
  for (const auto& [_, w] : b.stems) nb += w * w;
  if (na == 0 || nb == 0) return 0;
  for (size_t i = 0, j = 0; i < a.stems.size() && j < b.stems.size();) {
    if (a.stems[i].first == b.stems[j].first) {
      dot += a.stems[i].second * b.stems[j].second;
      ++i, ++j;
    } else if (a.stems[i].first < b.stems[j].first) {
      ++i;
    } else {
      ++j;
    }
  }
  return dot / std::sqrt(na * nb);
}

std::shared_ptr<const StemBag> OffTopicDetector::ArticleBag(std::string_view article_text) const {
  uint64_t key = kFnvBasis;
  for (unsigned char ch : article_text) key = (key ^ ch) * kFnvPrime;
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  // The same normalisation as the comment's (`folded`: NFKC, case, diacritics), so "électrique" meets
  // "electric"'s stem.
  std::string_view bounded = article_text.substr(0, kMaxInputBytes);
  while (!bounded.empty() && (static_cast<unsigned char>(bounded.back()) & 0xC0) == 0x80) bounded.remove_suffix(1);
  if (!bounded.empty() && static_cast<unsigned char>(bounded.back()) >= 0xC0) bounded.remove_suffix(1);
  StemBag bag = text::IsValidUtf8(bounded) ? StemsOf(text::BuildViews(bounded, /*with_words=*/false).folded.text)
                                           : StemBag{};  // stored articles are valid; anything else is not judged
  for (auto& [_, w] : bag.stems) w = 1 + std::log(w);  // sublinear: a word the article repeats is its subject,
                                                 // but not ten times more than one it names once
  auto shared = std::make_shared<const StemBag>(std::move(bag));
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();  // simple and bounded; rebuilt on demand
  cache_.emplace(key, shared);
  return shared;
}

void OffTopicDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  if (input.article_text.empty()) return;
  try {
    const std::string_view original = input.views.original;
    const StemBag comment = StemsOf(input.views.folded.text);
    if (comment.size() < kMinCommentStems) return;
    const auto article = ArticleBag(input.article_text);
    if (article->size() < kMinArticleStems || comment.script != article->script) return;
    // The comment's stems count once each: a long rant repeating one word is no more on topic for it.
    StemBag binary = comment;
    for (auto& [_, w] : binary.stems) w = 1;
    const double similarity = Cosine(binary, *article);
    if (similarity >= kLowSimilarity) return;
    Signal s;
    s.rule = "off_topic";
    s.confidence = similarity == 0 ? 0.8 : 0.5;
    char detail[96];
    std::snprintf(detail, sizeof detail, "similarity to the article %.3f (%zu comment stems, %zu article stems)",
                  similarity, comment.size(), article->size());
    s.detail = detail;
    s.spans.emplace_back(0, original.size());
    out.push_back(std::move(s));
  } catch (...) {
    // bad_alloc: no signal
  }
}

}  // namespace tribune::moderation
