// MinHash fingerprints of comments (see fingerprint.hpp for the design).
#include "moderation/behaviour/fingerprint.hpp"

#include <algorithm>
#include <bit>
#include <limits>

#include "moderation/rules/form.hpp"
#include "text/utf8.hpp"

namespace tribune::moderation::behaviour {
namespace {

constexpr uint8_t kFormatVersion = 1;

using detail::Mix64;

// kMinHashes fixed random seeds (splitmix64 from a constant), computed at compile time.
constexpr std::array<uint32_t, kMinHashes> MakeSeeds() {
  std::array<uint32_t, kMinHashes> m{};
  uint64_t s = 0x74726962756e6521ULL;  // "tribune!"
  for (auto& v : m) {
    s += 0x9e3779b97f4a7c15ULL;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    v = static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
  }
  return m;
}
constexpr std::array<uint32_t, kMinHashes> kSeeds = MakeSeeds();

// The k-mins kernel: function i maps a 32-bit shingle hash x to fmix32(x ^ seed_i) (a bijection, so the
// functions are k independent-looking permutations); every step is a 32-bit lane operation, so the inner
// loop vectorises (8 lanes with AVX2, picked at load time; SSE2 otherwise).
__attribute__((target_clones("avx2", "default"))) void MinHashKernel(const uint32_t* hashes, size_t n,
                                                                     uint32_t* __restrict mins) {
  constexpr int kGroup = 64;  // minimums kept in (8 AVX2) registers while every shingle passes
  for (int g = 0; g < kMinHashes; g += kGroup) {
    uint32_t m[kGroup];
    for (int i = 0; i < kGroup; ++i) m[i] = mins[g + i];
    for (size_t j = 0; j < n; ++j) {
      const uint32_t x = hashes[j];
      for (int i = 0; i < kGroup; ++i) {
        uint32_t v = x ^ kSeeds[g + i];
        v ^= v >> 16;
        v *= 0x85ebca6bu;
        v ^= v >> 13;
        v *= 0xc2b2ae35u;
        v ^= v >> 16;
        m[i] = v < m[i] ? v : m[i];
      }
    }
    for (int i = 0; i < kGroup; ++i) mins[g + i] = m[i];
  }
}

uint64_t HashCodePoints(const char32_t* p, size_t n, uint64_t seed) {
  uint64_t h = seed;
  for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<uint64_t>(p[i])) * 0x100000001b3ULL + 0x9e37;
  return Mix64(h ^ n);
}

void PutLe(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetLe(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

namespace detail {

std::u32string NormaliseForShingles(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (size_t i = 0; i < s.size();) {
    casing::Decoded d = casing::Decode(s, i);
    i += d.length;
    if (casing::IsLetter(d.cp)) {
      if (pending_space && !out.empty()) out.push_back(U' ');
      pending_space = false;
      out.push_back(d.cp);
    } else {
      pending_space = true;
    }
  }
  return out;
}

std::vector<uint64_t> ShingleHashes(const std::u32string& t, int shingle_size) {
  std::vector<uint64_t> hashes;
  const size_t n = static_cast<size_t>(std::clamp(shingle_size, 2, 8));
  if (t.empty()) return hashes;
  if (t.size() <= n) {
    hashes.push_back(HashCodePoints(t.data(), t.size(), 0x5348494e474c45ULL) | 1);
    return hashes;
  }
  // Distinct through a small open-addressing set (cheaper than sorting; 0 marks an empty slot, so hashes
  // get their low bit set: 63 bits are plenty).
  const size_t count = t.size() - n + 1;
  size_t cap = 16;
  while (cap < 2 * count) cap <<= 1;
  std::vector<uint64_t> set(cap, 0);
  hashes.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const uint64_t h = HashCodePoints(t.data() + i, n, 0x5348494e474c45ULL) | 1;
    size_t j = h & (cap - 1);
    while (set[j] != 0 && set[j] != h) j = (j + 1) & (cap - 1);
    if (set[j] == 0) {
      set[j] = h;
      hashes.push_back(h);
    }
  }
  return hashes;
}

BBitSignature MakeBBitSignature(const Fingerprint& fp) {
  BBitSignature s{};
  for (int i = 0; i < kMinHashes; ++i)
    s.w[i / 16] |= static_cast<uint64_t>(fp.mins[i] & 0xf) << (4 * (i % 16));
  return s;
}

double BBitSimilarity(const uint64_t* a, const uint64_t* b) {
  int equal = 0;
  for (int w = 0; w < 4; ++w) {
    uint64_t x = a[w] ^ b[w];  // a nibble is equal when none of its 4 bits differs
    x |= x >> 1;
    x |= x >> 2;
    equal += 16 - std::popcount(x & 0x1111111111111111ULL);
  }
  const double p = static_cast<double>(equal) / kMinHashes;
  return std::clamp((p - 1.0 / 16) / (15.0 / 16), 0.0, 1.0);
}

void BandKeys(const Fingerprint& fp, int bands, int rows, uint32_t* keys) {
  for (int b = 0; b < bands; ++b) {
    uint64_t h = (static_cast<uint64_t>(b) + 1) * 0x9e3779b97f4a7c15ULL;
    for (int r = 0; r < rows; ++r) h = (h ^ fp.mins[b * rows + r]) * 0x100000001b3ULL;
    const uint32_t key = static_cast<uint32_t>(Mix64(h) >> 32);
    keys[b] = key == 0 ? 1 : key;
  }
}

}  // namespace detail

std::string Fingerprint::Serialize() const {
  std::string out;
  out.reserve(kSerializedSize);
  out.push_back(static_cast<char>(kFormatVersion));
  PutLe(out, exact, 8);
  PutLe(out, shingles, 4);
  for (uint32_t m : mins) PutLe(out, m, 4);
  return out;
}

std::optional<Fingerprint> Fingerprint::Parse(std::string_view bytes) {
  if (bytes.size() != kSerializedSize) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (p[0] != kFormatVersion) return std::nullopt;
  Fingerprint fp;
  fp.exact = GetLe(p + 1, 8);
  fp.shingles = static_cast<uint32_t>(GetLe(p + 9, 4));
  for (int i = 0; i < kMinHashes; ++i) fp.mins[i] = static_cast<uint32_t>(GetLe(p + 13 + 4 * i, 4));
  // What MakeFingerprint cannot produce: no shingles but set minimums, or shingles but an unset minimum
  // (every function has a minimum over a non-empty set), or more shingles than a comment can hold.
  constexpr uint32_t kUnset = std::numeric_limits<uint32_t>::max();
  const bool any_unset = std::any_of(fp.mins.begin(), fp.mins.end(), [](uint32_t m) { return m == kUnset; });
  const bool all_unset = std::all_of(fp.mins.begin(), fp.mins.end(), [](uint32_t m) { return m == kUnset; });
  if (fp.shingles == 0 ? !all_unset : any_unset) return std::nullopt;
  if (fp.shingles > (1u << 24)) return std::nullopt;
  return fp;
}

bool ArticleShingles::Contains(uint64_t h) const {
  return std::binary_search(hashes_.begin(), hashes_.end(), h);
}

ArticleShingles ArticleShingles::Of(std::string_view article_text, int shingle_size) {
  ArticleShingles a;
  a.shingle_size_ = shingle_size;
  if (article_text.empty() || !text::IsValidUtf8(article_text)) return a;
  text::TextViews views = text::BuildViews(article_text, /*with_words=*/false);
  a.hashes_ = detail::ShingleHashes(detail::NormaliseForShingles(views.squeezed.text), shingle_size);
  std::sort(a.hashes_.begin(), a.hashes_.end());
  a.hashes_.shrink_to_fit();
  return a;
}

Fingerprint MakeFingerprint(const text::TextViews& views, const ArticleShingles* article) {
  return MakeFingerprint(views, article, kShingleSize);
}

Fingerprint MakeFingerprint(const text::TextViews& views, const ArticleShingles* article, int shingle_size) {
  Fingerprint fp;
  fp.mins.fill(std::numeric_limits<uint32_t>::max());
  const std::u32string norm = detail::NormaliseForShingles(views.squeezed.text);
  fp.exact = HashCodePoints(norm.data(), norm.size(), 0x4558414354ULL);
  std::vector<uint64_t> hashes = detail::ShingleHashes(norm, shingle_size);
  if (article != nullptr && !article->empty() && article->shingle_size() == shingle_size) {
    hashes.erase(
        std::remove_if(hashes.begin(), hashes.end(), [&](uint64_t h) { return article->Contains(h); }),
        hashes.end());
  }
  fp.shingles = static_cast<uint32_t>(hashes.size());
  std::vector<uint32_t> low(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) low[i] = static_cast<uint32_t>(hashes[i]);
  MinHashKernel(low.data(), low.size(), fp.mins.data());
  return fp;
}

double EstimateSimilarity(const Fingerprint& a, const Fingerprint& b) {
  if (a.shingles == 0 || b.shingles == 0) return a.shingles == b.shingles && a.exact == b.exact ? 1.0 : 0.0;
  int equal = 0;
  for (int i = 0; i < kMinHashes; ++i) equal += a.mins[i] == b.mins[i];
  return static_cast<double>(equal) / kMinHashes;
}

}  // namespace tribune::moderation::behaviour
