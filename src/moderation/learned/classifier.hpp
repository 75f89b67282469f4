// A small linear text classifier for the "learned" detector: multinomial logistic regression over
// hashed n-gram features of the `squeezed` normalised view (text::BuildViews).
//
// Features (all hashed into 2^hash_bits buckets with a sign bit, "signed feature hashing"):
//   - word unigrams and word bigrams: words are runs of ASCII letters/digits and non-ASCII bytes; an
//     apostrophe inside a word is dropped ("don't" → "dont"); a word that starts with "http" or "www"
//     (a link) is left out;
//   - character 3-, 4- and 5-grams (bytes) of the text with every run of non-word bytes turned into one
//     space and a space added at both ends (" you suck " → " yo", "you", "ou ", ...).
// Each occurrence counts +1 or -1 (the sign bit) in its bucket and the vector is scaled by 1/sqrt(n)
// (n = number of occurrences), so long and short texts get comparable logits. No sorting, no
// allocation beyond the caller's feature buffer: extraction is linear in the text.
//
// Classes, in this order: 0 hate, 1 offensive, 2 neither (the labels of Davidson et al. 2017).
//
// Model file (little-endian), see ModelHeader:
//   magic "TRBLRNMD" | u32 version (1) | u32 hash_bits | u32 num_classes | u32 feature_flags |
//   u32 char_min | u32 char_max | u32 hash_seed | u32 weight_format (0 = float32) |
//   u64 weight_count (= 2^hash_bits × num_classes) | f32 bias[num_classes] |
//   f32 weights[2^hash_bits][num_classes] (bucket-major) | u64 FNV-1a 64 checksum of everything before.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace tribune::moderation::learned {

inline constexpr int kNumClasses = 3;
enum Class : int { kHate = 0, kOffensive = 1, kNeither = 2 };
const char* ClassName(int c);  // "hate", "offensive", "neither"

enum FeatureFlags : uint32_t {
  kWordUnigrams = 1u << 0,
  kWordBigrams = 1u << 1,
  kCharNgrams = 1u << 2,
};

struct FeatureConfig {
  uint32_t hash_bits = 18;
  uint32_t flags = kWordUnigrams | kWordBigrams | kCharNgrams;
  uint32_t char_min = 3;
  uint32_t char_max = 5;
  uint32_t hash_seed = 0x7472696bu;  // "trik"
  size_t buckets() const { return size_t{1} << hash_bits; }
  bool operator==(const FeatureConfig&) const = default;
};

// One feature occurrence: bucket in the low 31 bits, sign in the top bit (set: -1).
using Feature = uint32_t;
inline uint32_t FeatureBucket(Feature f) { return f & 0x7fffffffu; }
inline float FeatureSign(Feature f) { return (f >> 31) ? -1.0f : 1.0f; }

// Appends the features of `squeezed` (the squeezed view of a text) to `out` (not cleared).
void ExtractFeatures(std::string_view squeezed, const FeatureConfig& config, std::vector<Feature>& out);

using Probabilities = std::array<float, kNumClasses>;

// Weights and biases of the softmax regression. Immutable after construction/loading; Predict is const
// and thread-safe.
class LinearModel {
 public:
  static constexpr uint32_t kVersion = 1;
  static constexpr char kMagic[8] = {'T', 'R', 'B', 'L', 'R', 'N', 'M', 'D'};

  LinearModel() = default;
  explicit LinearModel(const FeatureConfig& config);  // all-zero weights

  const FeatureConfig& config() const { return config_; }
  // weights()[bucket * kNumClasses + class]
  std::vector<float>& weights() { return weights_; }
  const std::vector<float>& weights() const { return weights_; }
  std::array<float, kNumClasses>& bias() { return bias_; }
  const std::array<float, kNumClasses>& bias() const { return bias_; }

  // Softmax probabilities for a feature list (as from ExtractFeatures with this model's config).
  Probabilities Predict(const std::vector<Feature>& features) const;
  // Raw scores before the softmax.
  std::array<float, kNumClasses> Logits(const std::vector<Feature>& features) const;

  // The file image (see the header comment) and its parser. Parse errors: kUnavailable with a message
  // that says what is wrong (bad magic, unsupported version, size mismatch, checksum mismatch, ...).
  std::string Serialize() const;
  static Result<LinearModel> Parse(std::string_view bytes);
  Result<void> Save(const std::string& path) const;
  static Result<LinearModel> Load(const std::string& path);

 private:
  FeatureConfig config_;
  std::array<float, kNumClasses> bias_{};
  std::vector<float> weights_;
};

// FNV-1a 64 (the file checksum).
uint64_t Fnv1a64(std::string_view bytes);

}  // namespace tribune::moderation::learned
