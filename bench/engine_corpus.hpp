// The engine benchmark's corpus: ~500-byte news comments generated from a fixed seed, in six categories
// (see the top of engine_bench.cpp for the shares), some carrying lines of tests/moderation/*.tsv.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tribune::bench {

constexpr size_t kMinBytes = 400, kMaxBytes = 600;

enum Category { kClean, kPrivacy, kAbuse, kShouting, kForeign, kLookalike, kCategories };
const char* const kCategoryNames[kCategories] = {"clean",    "privacy", "abuse",
                                                 "shouting", "foreign", "lookalike"};
constexpr int kCategoryPercent[kCategories] = {45, 15, 15, 10, 10, 5};

struct Comment {
  std::string text;
  Category category;
  bool from_table;  // carries a line of tests/moderation/*.tsv
};

// `n` comments in a fixed order (the same for every run and machine).
std::vector<Comment> MakeCorpus(size_t n);

}  // namespace tribune::bench
