// Rule "off_topic": a comment that shares no subject with its article — a weak signal only.
//
// How: both texts become bags of word stems — case-folded letter runs of ≥ 3 letters, cut to their first
// 5 letters (kept as a 64-bit hash, not a string; a crude stemmer that works alike for English, Russian, French, German and Spanish: "elections"
// and "electoral" share "elect"), minus common function words of those languages. The article's bag
// (title and tags count three times, then lead and body) is weighted by sublinear term frequency; the
// comment's stems count once each. The cosine of the two is the similarity.
//   - A comment with ≥ 8 distinct content stems against an article with ≥ 25: similarity 0 (no shared
//     stem at all) → confidence 0.8; below 0.05 → confidence 0.5 (measured on tests/moderation/off_topic.tsv: unrelated comments scored ≤ 0.036, related ones ≥ 0.07). Shorter texts are not judged (a short
//     reply says "agreed" or "source?" and is not off topic).
// There is no corpus-wide IDF: Tribune knows only the one article at check time, so a shared common word
// ("government") counts as much as a rare one. The policy gives the rule a weight that cannot hold a
// comment alone (off_topic weight 2, cap 2, hold at 4): it only tips comments other rules already doubt.
// The article's bag is cached (by a hash of its text, up to 512 articles), so a busy thread pays for
// the article once. Span: the whole comment. Thread-safe, never throws, linear in both texts.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "moderation/detector.hpp"

namespace tribune::moderation {

// A bag of stems: each stem's key (StemKey of its folded text), sorted, with a weight > 0; and the
// script most stems start in (a comment in another script than its article is not judged).
struct StemBag {
  std::vector<std::pair<uint64_t, double>> stems;
  int script = -1;  // UScriptCode
  size_t size() const { return stems.size(); }
};

// The key of a stem written out (case-folded, at most 5 code points): "elect".
uint64_t StemKey(std::string_view folded_stem);
// The stems of `text` (UTF-8; invalid bytes end words), with their counts as weights.
StemBag StemsOf(std::string_view text);
// Cosine similarity of two bags in [0, 1].
double Cosine(const StemBag& a, const StemBag& b);

class OffTopicDetector final : public Detector {
 public:
  std::string_view Name() const override { return "off_topic"; }
  void Detect(const DetectorInput& input, std::vector<Signal>& out) const override;

 private:
  std::shared_ptr<const StemBag> ArticleBag(std::string_view article_text) const;

  mutable std::mutex mu_;
  mutable std::unordered_map<uint64_t, std::shared_ptr<const StemBag>> cache_;
};

}  // namespace tribune::moderation
