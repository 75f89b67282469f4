// Golden-output checks: a test hashes what the code under test produces for each input of a corpus and
// compares the digests with a file recorded from a known-good build. Used to pin the exact output of code
// that gets rewritten for speed (text views, the privacy scanners), where hand-written expectations cannot
// cover every byte offset.
//
// File format: one line per input, `<input digest, 16 hex> <output digest> [<output digest>...]`, lines
// starting with '#' are comments. Inputs are keyed by their digest, so a corpus that grows (new lines in a
// rule table) only leaves the new inputs unchecked; the generated part of a corpus never changes.
//
// Regenerate (only after a deliberate change of behaviour): run the test with TRIBUNE_WRITE_GOLDEN=1.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "support/moderation_table.hpp"

namespace tribune::testing {

// FNV-1a, 64 bits: stable across platforms and runs (std::hash is not).
class Digest {
 public:
  Digest& Bytes(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 0x100000001B3ull;
    return *this;
  }
  Digest& Str(std::string_view s) { return U64(s.size()).Bytes(s.data(), s.size()); }
  Digest& U64(uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    return Bytes(b, 8);
  }
  template <class T>
  Digest& Ints(const std::vector<T>& v) {
    U64(v.size());
    for (T x : v) U64(static_cast<uint64_t>(x));
    return *this;
  }
  uint64_t value() const { return h_; }
  std::string Hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  uint64_t h_ = 0xCBF29CE484222325ull;
};

// xorshift64*: a fixed sequence for a seed on every platform (std:: distributions are not portable).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed ? seed : 1) {}
  uint64_t Next() {
    s_ ^= s_ >> 12;
    s_ ^= s_ << 25;
    s_ ^= s_ >> 27;
    return s_ * 0x2545F4914F6CDD1Dull;
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }

 private:
  uint64_t s_;
};

// The text column of every line of every tests/moderation/*.tsv (unescaped), sorted by file name.
inline std::vector<std::string> RuleTableTexts(const std::filesystem::path& source_dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(source_dir / "tests" / "moderation")) {
    if (e.path().extension() == ".tsv") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      out.push_back(UnescapeTableText(line.substr(0, line.find('\t'))));
    }
  }
  return out;
}

struct GoldenEntry {
  std::string input_digest;
  std::string outputs;  // the rest of the line
};

class GoldenFile {
 public:
  explicit GoldenFile(std::filesystem::path path) : path_(std::move(path)) {
    const char* w = std::getenv("TRIBUNE_WRITE_GOLDEN");
    writing_ = w != nullptr && *w != '\0' && std::string_view(w) != "0";
    if (writing_) return;
    std::ifstream in(path_);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      size_t sp = line.find(' ');
      if (sp == std::string::npos) continue;
      expected_[line.substr(0, sp)] = line.substr(sp + 1);
    }
  }
  bool writing() const { return writing_; }
  bool loaded() const { return !expected_.empty(); }

  // Records (writing) or looks up (checking) one input. Returns the expected outputs, or nullptr when the
  // input is not in the file (or when writing).
  const std::string* Check(const std::string& input_digest, const std::string& outputs) {
    if (writing_) {
      if (seen_.emplace(input_digest, outputs).second) order_.push_back(input_digest);
      return nullptr;
    }
    auto it = expected_.find(input_digest);
    return it == expected_.end() ? nullptr : &it->second;
  }

  // Writes what Check recorded, after a `# ` header. Returns false on an I/O error.
  bool Write(const std::string& header) const {
    std::ofstream out(path_);
    std::istringstream h(header);
    std::string line;
    while (std::getline(h, line)) out << "# " << line << '\n';
    for (const std::string& k : order_) out << k << ' ' << seen_.at(k) << '\n';
    return static_cast<bool>(out);
  }

 private:
  std::filesystem::path path_;
  bool writing_ = false;
  std::map<std::string, std::string> expected_;
  std::map<std::string, std::string> seen_;
  std::vector<std::string> order_;
};

// The body of every golden test: records (TRIBUNE_WRITE_GOLDEN=1, then the test is skipped) or checks
// `outputs(input)` for each input of `corpus` against the file at `path`. The first `generated` inputs
// never change and must all be in the file; later ones are rule-table lines, which may be newer than the
// file: they are skipped and counted. `explain(input)` is added to a mismatch's message. `name` and
// `header` label the summary line and the written file.
template <class Outputs, class Explain>
void RunGolden(const std::filesystem::path& path, const char* name, const std::string& header,
               const std::vector<std::string>& corpus, size_t generated, Outputs outputs, Explain explain) {
  GoldenFile golden(path);
  ASSERT_TRUE(golden.writing() || golden.loaded()) << "missing " << path;
  size_t checked = 0, unknown = 0;
  for (size_t i = 0; i < corpus.size(); ++i) {
    const std::string& in = corpus[i];
    const std::string input_digest = Digest().Str(in).Hex();
    const std::string out = outputs(in);
    const std::string* expected = golden.Check(input_digest, out);
    if (golden.writing()) continue;
    if (expected == nullptr) {
      ASSERT_GE(i, generated) << "generated input " << i << " is not in " << path;
      ++unknown;
      continue;
    }
    ++checked;
    EXPECT_EQ(out, *expected) << "input " << i << " (digest " << input_digest << "): \"" << in << "\"\n"
                              << explain(in);
  }
  if (golden.writing()) {
    ASSERT_TRUE(golden.Write(header)) << "cannot write " << path;
    GTEST_SKIP() << "wrote " << path;
  }
  std::printf("%s golden: %zu inputs checked, %zu rule-table lines newer than the file\n", name, checked, unknown);
}

}  // namespace tribune::testing
