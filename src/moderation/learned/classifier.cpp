#include "moderation/learned/classifier.hpp"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tribune::moderation::learned {

const char* ClassName(int c) {
  switch (c) {
    case kHate: return "hate";
    case kOffensive: return "offensive";
    case kNeither: return "neither";
  }
  return "?";
}

namespace {

// splitmix64's finaliser: a cheap, well-mixing 64-bit permutation.
inline uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// Feature kinds, mixed into the hash so a word and a character n-gram with the same bytes differ.
constexpr uint64_t kTagUnigram = 0x1000000000000001ull;
constexpr uint64_t kTagBigram = 0x2000000000000002ull;
constexpr uint64_t kTagChar = 0x3000000000000003ull;

inline bool IsWordByte(unsigned char b) {
  return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || b >= 0x80;
}

struct Emitter {
  uint64_t seed;
  uint32_t mask;
  std::vector<Feature>& out;
  void Emit(uint64_t h) {
    h = Mix(h ^ seed);
    Feature f = static_cast<uint32_t>(h) & mask;
    if (h >> 63) f |= 0x80000000u;
    out.push_back(f);
  }
};

}  // namespace

void ExtractFeatures(std::string_view s, const FeatureConfig& config, std::vector<Feature>& out) {
  Emitter em{Mix(config.hash_seed + 0x9e3779b97f4a7c15ull), static_cast<uint32_t>(config.buckets() - 1), out};
  const bool words = (config.flags & (kWordUnigrams | kWordBigrams)) != 0;
  const bool chars = (config.flags & kCharNgrams) != 0 && config.char_min >= 1 && config.char_max <= 8 &&
                     config.char_min <= config.char_max;

  // Character stream: word bytes as they are, every run of other bytes as one space, a space at both ends.
  uint64_t window = 0;
  size_t stream_len = 0;
  bool last_space = false;
  auto push_char = [&](unsigned char b) {
    window = (window << 8) | b;
    ++stream_len;
    for (uint32_t n = config.char_min; n <= config.char_max && n <= stream_len; ++n) {
      const uint64_t m = n >= 8 ? ~0ull : ((1ull << (8 * n)) - 1);
      em.Emit(kTagChar ^ (window & m) ^ (uint64_t{n} << 59) ^ (uint64_t{n} * 0x51ed27f3ull));
    }
  };
  if (chars) {
    push_char(' ');
    last_space = true;
  }

  // Word stream.
  uint64_t word_hash = 0;
  bool in_word = false;
  bool have_prev = false;
  uint64_t prev_hash = 0;
  auto end_word = [&]() {
    if (!in_word) return;
    in_word = false;
    if (!words) return;
    if (config.flags & kWordUnigrams) em.Emit(kTagUnigram ^ word_hash);
    if ((config.flags & kWordBigrams) && have_prev) em.Emit(kTagBigram ^ (prev_hash * 0x9e3779b97f4a7c15ull + word_hash));
    prev_hash = word_hash;
    have_prev = true;
  };

  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (IsWordByte(b)) {
      // U+2019 (right single quotation mark) inside a word reads as an apostrophe: dropped.
      if (b == 0xE2 && i + 2 < n && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
          static_cast<unsigned char>(s[i + 2]) == 0x99) {
        if (in_word && i + 3 < n && IsWordByte(static_cast<unsigned char>(s[i + 3]))) {
          i += 3;
          continue;
        }
        end_word();
        if (chars && !last_space) {
          push_char(' ');
          last_space = true;
        }
        i += 3;
        continue;
      }
      if (!in_word) {
        // A link: skip to the next ASCII whitespace. It says nothing about tone.
        std::string_view rest = s.substr(i);
        if (rest.starts_with("http") || rest.starts_with("www")) {
          while (i < n && s[i] != ' ' && s[i] != '\n' && s[i] != '\t' && s[i] != '\r') ++i;
          continue;
        }
        in_word = true;
        word_hash = 0xcbf29ce484222325ull;
      }
      unsigned char lb = (b >= 'A' && b <= 'Z') ? static_cast<unsigned char>(b + 32) : b;
      word_hash = (word_hash ^ lb) * 0x100000001b3ull;
      if (chars) {
        push_char(lb);
        last_space = false;
      }
      ++i;
      continue;
    }
    if (b == '\'' && in_word && i + 1 < n && IsWordByte(static_cast<unsigned char>(s[i + 1]))) {
      ++i;  // "don't" → "dont"
      continue;
    }
    end_word();
    if (chars && !last_space) {
      push_char(' ');
      last_space = true;
    }
    ++i;
  }
  end_word();
  if (chars && !last_space) push_char(' ');
}

// ---------------------------------------------------------------------------------------------

LinearModel::LinearModel(const FeatureConfig& config)
    : config_(config), weights_(config.buckets() * kNumClasses, 0.0f) {}

std::array<float, kNumClasses> LinearModel::Logits(const std::vector<Feature>& features) const {
  float acc[kNumClasses] = {0, 0, 0};
  const float* w = weights_.data();
  for (Feature f : features) {
    const float* row = w + size_t{FeatureBucket(f)} * kNumClasses;
    const float sg = FeatureSign(f);
    acc[0] += sg * row[0];
    acc[1] += sg * row[1];
    acc[2] += sg * row[2];
  }
  const float scale = features.empty() ? 0.0f : 1.0f / std::sqrt(static_cast<float>(features.size()));
  std::array<float, kNumClasses> z;
  for (int c = 0; c < kNumClasses; ++c) z[c] = bias_[c] + scale * acc[c];
  return z;
}

Probabilities LinearModel::Predict(const std::vector<Feature>& features) const {
  auto z = Logits(features);
  float mx = z[0];
  for (int c = 1; c < kNumClasses; ++c) mx = std::max(mx, z[c]);
  Probabilities p;
  float sum = 0;
  for (int c = 0; c < kNumClasses; ++c) {
    p[c] = std::exp(z[c] - mx);
    sum += p[c];
  }
  for (int c = 0; c < kNumClasses; ++c) p[c] /= sum;
  return p;
}

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

namespace {

constexpr size_t kHeaderSize = 8 + 4 * 8 + 8;  // magic, 8 × u32, u64 weight_count

void PutU32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutF32(std::string& s, float f) { PutU32(s, std::bit_cast<uint32_t>(f)); }

uint32_t GetU32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}
uint64_t GetU64(std::string_view s, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

Error Bad(const std::string& what) { return MakeError(ErrorCode::kUnavailable, "learned model: " + what); }

}  // namespace

std::string LinearModel::Serialize() const {
  std::string s;
  s.reserve(kHeaderSize + (kNumClasses + weights_.size()) * 4 + 8);
  s.append(kMagic, 8);
  PutU32(s, kVersion);
  PutU32(s, config_.hash_bits);
  PutU32(s, kNumClasses);
  PutU32(s, config_.flags);
  PutU32(s, config_.char_min);
  PutU32(s, config_.char_max);
  PutU32(s, config_.hash_seed);
  PutU32(s, 0);  // weight format: float32
  PutU64(s, weights_.size());
  for (float b : bias_) PutF32(s, b);
  for (float w : weights_) PutF32(s, w);
  PutU64(s, Fnv1a64(s));
  return s;
}

Result<LinearModel> LinearModel::Parse(std::string_view s) {
  if (s.size() < kHeaderSize) {
    return Bad("file too short for the header (" + std::to_string(s.size()) + " bytes; truncated?)");
  }
  if (std::memcmp(s.data(), kMagic, 8) != 0) return Bad("bad magic (not a Tribune model file)");
  const uint32_t version = GetU32(s, 8);
  if (version != kVersion) {
    return Bad("unsupported version " + std::to_string(version) + " (this build reads " + std::to_string(kVersion) + ")");
  }
  FeatureConfig config;
  config.hash_bits = GetU32(s, 12);
  const uint32_t classes = GetU32(s, 16);
  config.flags = GetU32(s, 20);
  config.char_min = GetU32(s, 24);
  config.char_max = GetU32(s, 28);
  config.hash_seed = GetU32(s, 32);
  const uint32_t format = GetU32(s, 36);
  const uint64_t count = GetU64(s, 40);
  if (config.hash_bits < 8 || config.hash_bits > 26) return Bad("hash_bits " + std::to_string(config.hash_bits) + " out of range [8, 26]");
  if (classes != kNumClasses) return Bad("expected " + std::to_string(kNumClasses) + " classes, file has " + std::to_string(classes));
  if (config.flags == 0 || (config.flags & ~uint32_t{kWordUnigrams | kWordBigrams | kCharNgrams}) != 0) {
    return Bad("unknown feature flags " + std::to_string(config.flags));
  }
  if ((config.flags & kCharNgrams) && (config.char_min < 1 || config.char_max > 8 || config.char_min > config.char_max)) {
    return Bad("bad character n-gram range");
  }
  if (format != 0) return Bad("unsupported weight format " + std::to_string(format));
  if (count != config.buckets() * kNumClasses) return Bad("weight count does not match hash_bits × classes");
  const size_t expected = kHeaderSize + (kNumClasses + count) * 4 + 8;
  if (s.size() != expected) {
    return Bad("size " + std::to_string(s.size()) + " bytes, expected " + std::to_string(expected) +
               (s.size() < expected ? " (truncated)" : " (trailing bytes)"));
  }
  if (Fnv1a64(s.substr(0, expected - 8)) != GetU64(s, expected - 8)) return Bad("checksum mismatch (corrupt file)");

  LinearModel m(config);
  size_t at = kHeaderSize;
  for (int c = 0; c < kNumClasses; ++c, at += 4) m.bias_[c] = std::bit_cast<float>(GetU32(s, at));
  for (size_t i = 0; i < count; ++i, at += 4) m.weights_[i] = std::bit_cast<float>(GetU32(s, at));
  for (float b : m.bias_) {
    if (!std::isfinite(b)) return Bad("non-finite bias");
  }
  for (float w : m.weights_) {
    if (!std::isfinite(w)) return Bad("non-finite weight");
  }
  return m;
}

Result<void> LinearModel::Save(const std::string& path) const {
  const std::string bytes = Serialize();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return MakeError(ErrorCode::kUnavailable, "cannot write " + tmp);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!f) return MakeError(ErrorCode::kUnavailable, "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return MakeError(ErrorCode::kUnavailable, "cannot rename " + tmp + " to " + path);
  return Ok{};
}

Result<LinearModel> LinearModel::Load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return MakeError(ErrorCode::kUnavailable, "learned model: cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  auto m = Parse(ss.str());
  if (!m.ok()) {
    Error e = std::move(m).error();
    e.message += " [" + path + "]";
    return e;
  }
  return m;
}

}  // namespace tribune::moderation::learned
