// Sentences of a comment for Perspective's spanScores: ICU's sentence boundaries (root locale), each sentence
// trimmed of surrounding white space, with its offsets both in UTF-8 bytes (to meet the engine's evidence
// spans) and in UTF-16 code units (what Perspective clients index with).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace tribune::interop {

struct Sentence {
  size_t begin = 0, end = 0;      // UTF-8 bytes, end exclusive
  size_t begin16 = 0, end16 = 0;  // UTF-16 code units, end exclusive
};

// In text order; blank stretches give no sentence; a text without a boundary is one sentence. Invalid UTF-8
// counts as one code unit per bad byte (the JSON parser never lets it through).
std::vector<Sentence> Sentences(std::string_view text);

}  // namespace tribune::interop
