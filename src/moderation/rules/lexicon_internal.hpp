// Internal to lexicon*.cpp: shared flags, limits, data structs, helpers and LexiconDetector::Impl.
#pragma once

#include <hs.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "moderation/detector.hpp"
#include "moderation/rules/lexicon.hpp"
#include "text/views.hpp"

namespace tribune::moderation {
namespace lexicon_internal {

// Entry flags. The allow ones mark entries of allow.txt.
enum : uint32_t {
  kWord = 1,
  kPrefix = 2,
  kInflect = 4,
  kSubstring = 8,
  kLocal = 16,
  kAllow = 32,
  kAllowOpenLeft = 64,
  kAllowOpenRight = 128,
  kAddressed = 256,
  kCue = 512,       // context for the entries of its rule flagged needs_cue; never a finding itself
  kNeedsCue = 1024, // counts only with a cue of its rule nearby
  kThreat = 2048,   // the evidence is a threat: the signal's detail ends in " [threat]"
};

constexpr uint32_t kCacheFormat = 8;
// How near a cue must be to a needs_cue match: bytes of the squeezed view between the two (about a dozen
// words), in either direction, across sentence ends ("Cocaine for sale. Delivery today.").
constexpr size_t kCueWindow = 100;
constexpr double kMaskedFactor = 0.8;
constexpr double kSecondPersonBoost = 0.35;
constexpr double kBoostCeiling = 0.95;
constexpr int kAddressWindowBefore = 6;  // words, all of them fillers but the address itself
constexpr int kAddressWindowAfter = 3;
constexpr size_t kMaxHitsPerScan = 4096;
constexpr size_t kMaxExpansions = 50000;
constexpr size_t kMaskedMaxLetters = 8;
constexpr size_t kMaskedMinLetters = 3;

// ---------------------------------------------------------------------------------------------
// Characters (the same classes as text/views.cpp, so boundaries agree with AtWordBoundaries).
// The small ones are inline: the matcher calls them per code point.

inline bool IsLetter(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return u_isalpha(c);
}

inline bool IsMark(UChar32 c) {
  int8_t t = u_charType(c);
  return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}

inline bool IsWordChar(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return u_isalnum(c) || IsMark(c);
}

// The code point starting at byte i (i < s.size()), advancing i.
inline UChar32 NextCp(std::string_view s, size_t& i) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  auto k = static_cast<int32_t>(i);
  UChar32 c;
  U8_NEXT(p, k, static_cast<int32_t>(s.size()), c);
  i = static_cast<size_t>(k);
  return c < 0 ? 0xFFFD : c;
}

// The code point ending just before byte i (i > 0), moving i back to its start.
inline UChar32 PrevCp(std::string_view s, size_t& i) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  auto k = static_cast<int32_t>(i);
  UChar32 c;
  U8_PREV(p, 0, k, c);
  i = static_cast<size_t>(k);
  return c < 0 ? 0xFFFD : c;
}

inline bool IsSpace(UChar32 c) { return c == ' ' || c == '\t' || c == 0xA0; }

// lexicon_text.cpp
std::vector<UChar32> CodePoints(std::string_view s);
bool LeftBoundary(std::string_view t, size_t b);
size_t ExtendRight(std::string_view t, size_t e);
size_t ExtendLeft(std::string_view t, size_t b);

// `s` with runs of one letter cut to one and runs of spaces cut to one space; for each output byte the
// first byte of `s` it stands for, and for each output code point (at its first byte) the run length.
struct Collapsed {
  std::string text;
  std::vector<uint32_t> src;
  std::vector<uint8_t> run;
  size_t source_size = 0;

  // The byte range of the source that [b, e) of `text` stands for (b < e <= text.size()).
  std::pair<size_t, size_t> ToSource(size_t b, size_t e) const {
    size_t k = e;
    while (k < src.size() && src[k] == src[e - 1]) ++k;  // the rest of the last code point
    return {src[b], k < src.size() ? src[k] : source_size};
  }
};

// lexicon_text.cpp
void Collapse(std::string_view s, Collapsed& c);
Collapsed Collapse(std::string_view s);
// True when the run of `count` equal characters starting at byte `b` of the view stands for a longer run
// in the original: its last character's original range is longer than its first's.
bool Elongated(const text::View& v, size_t b, size_t count);

// ---------------------------------------------------------------------------------------------
// Lexicon data.

// One entry, packed: 178k of them after template expansion, so no per-entry heap allocation. Its strings
// live in Language::pool; `term` shares the bytes of `norm` when the two are equal (most phrases). The
// struct is trivially copyable and stored as is in the cache file.
struct Entry {
  uint32_t norm_off = 0, term_off = 0;  // byte offsets into Language::pool
  uint16_t norm_len = 0, term_len = 0;
  uint16_t rule = 0;   // index into Impl::rules
  uint16_t flags = 0;  // k* flags above
  double weight = 0;
};
static_assert(sizeof(Entry) == 24, "Entry is stored raw in the cache file");

struct Language {
  std::string code;
  std::vector<Entry> entries;
  std::string pool;                  // every entry's norm and (when it differs) term, back to back
  std::vector<std::string> endings;  // normalised inflection endings, "" first
  std::vector<std::string> markers;  // normalised second-person words
  std::vector<std::string> fillers;  // normalised words that may stand between a marker and an insult
  // db_short: the squeezed view against entries whose collapsed form is under three code points ("ass" →
  // "as" would match everywhere collapsed). db_collapsed: every other entry's collapsed form against the
  // collapsed text; a hit there stands for an exact squeezed match (runs equal inside, at least as long at
  // the ends) or for an elongation ("fuuuuck"), so one database serves both (see Detect).
  hs_database_t* db_short = nullptr;
  hs_database_t* db_collapsed = nullptr;
  // Derived: entries eligible for the masked pass, with their code points.
  std::vector<std::pair<uint32_t, std::vector<UChar32>>> masked;
  std::unordered_set<std::string> ending_set, marker_set, filler_set;

  std::string_view Norm(const Entry& e) const { return {pool.data() + e.norm_off, e.norm_len}; }
  std::string_view Term(const Entry& e) const { return {pool.data() + e.term_off, e.term_len}; }
};

struct SourceFile {
  std::string name;  // "profanity.txt"
  std::string content;
};

// A finding before merging: rule, confidence, span in the original, and what produced it.
struct Hit {
  uint32_t rule;
  double confidence;
  size_t begin, end;
  const Language* lang;
  const Entry* entry;
  bool masked;
  const Entry* cue = nullptr;  // the context that made a needs_cue entry count
  const Language* cue_lang = nullptr;
};

// lexicon_entries.cpp
std::string Normalise(std::string_view term);
// The collapsed form of a normalised term and each of its code points' run length in the term.
void CollapsedRuns(std::string_view norm, Collapsed& c, std::vector<uint8_t>& runs);
// The .txt files of one language directory, sorted by name.
Result<std::vector<SourceFile>> ReadSources(const std::filesystem::path& dir);

// lexicon_database.cpp
uint64_t Fnv(uint64_t h, std::string_view s);
// The start of the cache key: cache format, Hyperscan version, CPU features and normalisation.
uint64_t CacheKeySeed();
std::string HexKey(uint64_t k);

}  // namespace lexicon_internal

// ---------------------------------------------------------------------------------------------

struct LexiconDetector::Impl {
  using Language = lexicon_internal::Language;
  using SourceFile = lexicon_internal::SourceFile;
  using Hit = lexicon_internal::Hit;

  std::string dir;
  std::vector<std::string> language_codes;
  std::vector<std::string> rules;  // rule ids, index = Entry::rule
  std::vector<Language> languages;
  bool from_cache = false;

  hs_scratch_t* proto_scratch = nullptr;
  mutable std::mutex pool_mu;
  mutable std::vector<hs_scratch_t*> pool;

  ~Impl();  // lexicon_database.cpp

  // --- Loading (lexicon_entries.cpp) ---------------------------------------------------------

  uint32_t RuleIndex(const std::string& rule);
  Status Parse(Language& lang, const std::vector<SourceFile>& files);
  void Finish(Language& lang);

  // --- Databases and cache (lexicon_database.cpp) --------------------------------------------

  Status Compile(Language& lang);
  std::string Serialise(uint64_t key) const;
  bool Deserialise(std::string_view bytes, uint64_t key);
  Status AllocScratch();
  // Loads `cache_file` when it holds databases for `key` that run here; sets from_cache.
  void LoadCache(const std::filesystem::path& cache_file, uint64_t key);
  // Best effort: writes the databases to `cache_file` and removes other lexicon caches in `cache_dir`.
  void StoreCache(const std::string& cache_dir, const std::filesystem::path& cache_file, uint64_t key) const;
  hs_scratch_t* Acquire() const;
  void Release(hs_scratch_t* s) const;

  // --- Matching (lexicon_match.cpp) ----------------------------------------------------------

  void Detect(const DetectorInput& input, std::vector<Signal>& out) const;
  void MaskedPass(const text::TextViews& v, std::string_view edition, std::vector<Hit>& hits) const;
  bool AddressedToReader(const Language& lang, std::string_view t, size_t begin, size_t end) const;
};

}  // namespace tribune::moderation
