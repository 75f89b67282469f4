// Organic text for the behaviour benchmarks: the tweets of data/offensive/labeled_train.csv (Davidson et al.
// 2017; licence in data/offensive/LICENSE), read and cleaned the way the learned model's trainer reads them
// (learned::LoadLabelledCsv: RFC 4180 CSV, HTML entities decoded, @handles and "RT" removed), with link
// tokens dropped as well ("http…", "www.…", and links cut short with "…"). Exits with a message when the file
// cannot be read.
#pragma once

#include <string>
#include <vector>

namespace tribune::bench {

std::vector<std::string> LoadTweets(const std::string& source_dir = TRIBUNE_SOURCE_DIR);

}  // namespace tribune::bench
