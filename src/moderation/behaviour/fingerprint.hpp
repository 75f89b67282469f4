// Fingerprints of comment texts for rule `flash_mob` (near-duplicate comments posted by many accounts):
// a k-mins MinHash of the text's character shingles, whose agreement estimates the Jaccard similarity of
// two comments' shingle sets.
//
// Design:
//   - Text: the `squeezed` view (case, diacritics, confusables, leet and letter runs already folded) with
//     every run of non-letters (digits, punctuation, emoji, spaces) collapsed to one space and the ends
//     trimmed, so punctuation, emoji and spacing changes do not matter.
//   - Shingles: character n-grams over code points (not bytes, so Cyrillic or CJK text gets the same
//     shingle length as Latin), n = kShingleSize = 5. With the index tuned for each (bench/
//     behaviour_bench.cpp --tune), 5-grams caught as many campaign comments as 4-grams at a lower organic
//     false-link rate (4-grams share more common word fragments between unrelated texts). Each shingle
//     becomes one 64-bit hash; shingles that also occur in the article (ArticleShingles) are dropped, so
//     quoting the article does not make two comments similar.
//   - MinHash: kMinHashes functions h_i(x) = fmix32(x ^ seed_i) (murmur3's finaliser: multiply-xorshift
//     mixes of the low 32 bits x of the shingle hash), the minimum of each over the distinct shingles. Only
//     32-bit lane operations: the kernel is vectorised (AVX2 clone picked at load time, SSE2 otherwise).
//   - Comparable: at least kMinShingles distinct shingles (about 45 letters); short stock phrases ("Thanks
//     for the article", "Great read!") are posted independently by many people and are never compared.
//   - Cost: about 9 µs for a 300-byte comment (normalise 1.5, shingle 3, MinHash 4.5).
//   - Serialize: a fixed 269-byte little-endian record (version byte, exact, shingles, mins).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/views.hpp"

namespace tribune::moderation::behaviour {

inline constexpr int kMinHashes = 64;
inline constexpr int kShingleSize = 5;        // code points per shingle
inline constexpr uint32_t kMinShingles = 40;  // about 8 words of text after exclusions
inline constexpr uint32_t kMinShinglesExact = 16;  // about 4 words: shorter texts are never indexed

struct Fingerprint {
  std::array<uint32_t, kMinHashes> mins{};  // k-mins MinHash of the shingle set
  uint64_t exact = 0;                       // hash of the whole normalised text
  uint32_t shingles = 0;                    // distinct shingles used (after exclusions)

  // Enough shingles to compare (short stock phrases are not: "Thanks for the article").
  bool Comparable() const { return shingles >= kMinShingles; }
  // Too short to compare by similarity, long enough that identical copies mean something ("Vote Lopez on
  // Sunday, the only honest candidate"): such a text links only to texts whose normalised form is the same.
  bool ExactOnly() const { return shingles >= kMinShinglesExact && shingles < kMinShingles; }
  bool Indexable() const { return shingles >= kMinShinglesExact; }
  // Fixed-size binary (kSerializedSize bytes).
  std::string Serialize() const;
  // nullopt on a wrong size, an unknown version byte, or a record that cannot come from MakeFingerprint.
  static std::optional<Fingerprint> Parse(std::string_view bytes);

  static constexpr size_t kSerializedSize = 1 + 8 + 4 + 4 * kMinHashes;
};

// Shingle hashes of an article (title, lead and body), to drop quotes of the article from a comment's
// shingles. A sorted vector of 64-bit hashes: 8 bytes per distinct shingle, lookups by binary search.
class ArticleShingles {
 public:
  ArticleShingles() = default;
  // `article_text` must be valid UTF-8 (invalid input gives an empty set). Linear in the text.
  static ArticleShingles Of(std::string_view article_text, int shingle_size = kShingleSize);
  bool empty() const { return hashes_.empty(); }
  size_t size() const { return hashes_.size(); }
  int shingle_size() const { return shingle_size_; }
  bool Contains(uint64_t shingle_hash) const;

 private:
  std::vector<uint64_t> hashes_;
  int shingle_size_ = kShingleSize;
};

// The fingerprint of a comment. `article` (may be null) must have been built with the same shingle size.
Fingerprint MakeFingerprint(const text::TextViews& views, const ArticleShingles* article = nullptr);
// The same with another shingle size (2..8), for tuning.
Fingerprint MakeFingerprint(const text::TextViews& views, const ArticleShingles* article, int shingle_size);

// Estimated Jaccard similarity of the two shingle sets in [0, 1]: the share of equal minimums. Two texts
// without shingles are 1.0 when their normalised texts are equal, else 0.
double EstimateSimilarity(const Fingerprint& a, const Fingerprint& b);

namespace detail {
inline constexpr uint64_t Mix64(uint64_t x) {  // murmur3's fmix64
  x = (x ^ (x >> 33)) * 0xff51afd7ed558ccdULL;
  x = (x ^ (x >> 33)) * 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}
// The normalised text MakeFingerprint shingles: letters of `squeezed` as code points, every run of
// non-letters as one ' ', trimmed. Exposed for tests and the tuning harness.
std::u32string NormaliseForShingles(std::string_view squeezed);
// The distinct shingle hashes of a normalised text (odd: the low bit is always set), in order of first
// occurrence.
std::vector<uint64_t> ShingleHashes(const std::u32string& normalised, int shingle_size);

// The compact forms the near-duplicate index keeps (near_duplicates.hpp). A b-bit signature: the low 4 bits
// of each minimum, 16 to a word (b-bit minwise hashing: 32 bytes instead of 256).
struct BBitSignature {
  uint64_t w[4];
};
BBitSignature MakeBBitSignature(const Fingerprint& fp);
// Estimated Jaccard similarity from two b-bit signatures, corrected for the 1/16 chance that two unrelated
// 4-bit values agree: P(equal) = J + (1 - J) / 16. In [0, 1].
double BBitSimilarity(const uint64_t* a, const uint64_t* b);
// LSH band keys: for each of `bands` bands a non-zero 32-bit hash of its `rows` consecutive minimums
// (bands × rows ≤ kMinHashes).
void BandKeys(const Fingerprint& fp, int bands, int rows, uint32_t* keys);
}  // namespace detail

}  // namespace tribune::moderation::behaviour
