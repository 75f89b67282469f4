#include "tweet_corpus.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "moderation/learned/trainer.hpp"

namespace tribune::bench {

namespace {

bool IsLink(std::string_view token) {
  if (token.find("http") != std::string_view::npos || token.find("www.") != std::string_view::npos) return true;
  // A link the tweet cut short: a prefix of "https" followed by "…".
  constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  return token.size() > kEllipsis.size() && token.ends_with(kEllipsis) &&
         std::string_view("https").starts_with(token.substr(0, token.size() - kEllipsis.size()));
}

}  // namespace

std::vector<std::string> LoadTweets(const std::string& source_dir) {
  const std::string path = source_dir + "/data/offensive/labeled_train.csv";
  auto examples = moderation::learned::LoadLabelledCsv(path);
  if (!examples.ok()) {
    std::fprintf(stderr, "tweets: %s\n", examples.error().message.c_str());
    std::exit(1);
  }
  std::vector<std::string> tweets;
  tweets.reserve(examples->size());
  for (const auto& ex : *examples) {
    std::istringstream words(ex.text);
    std::string word, kept;
    while (words >> word) {
      if (IsLink(word)) continue;
      if (!kept.empty()) kept += ' ';
      kept += word;
    }
    tweets.push_back(std::move(kept));
  }
  return tweets;
}

}  // namespace tribune::bench
