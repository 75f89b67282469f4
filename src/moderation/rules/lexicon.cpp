// The LexiconDetector class: Load (read, cache or compile), Detect and Stats; the work is in lexicon_*.cpp.
#include "moderation/rules/lexicon.hpp"

#include <map>

#include "moderation/rules/lexicon_internal.hpp"

namespace tribune::moderation {
using namespace lexicon_internal;
namespace fs = std::filesystem;

LexiconDetector::LexiconDetector(const std::string& lexicon_dir, std::vector<std::string> languages)
    : impl_(std::make_unique<Impl>()) {
  impl_->dir = lexicon_dir;
  impl_->language_codes = std::move(languages);
}

LexiconDetector::~LexiconDetector() = default;

Result<std::unique_ptr<LexiconDetector>> LexiconDetector::Load(const std::string& lexicon_dir,
                                                               std::vector<std::string> languages,
                                                               const std::string& cache_dir,
                                                               const std::vector<std::string>& publisher_names) {
  std::unique_ptr<LexiconDetector> d(new LexiconDetector(lexicon_dir, std::move(languages)));
  Impl& impl = *d->impl_;

  // Read every file first: the cache key hashes them.
  std::vector<std::vector<SourceFile>> sources;
  uint64_t key = CacheKeySeed();
  for (const std::string& code : impl.language_codes) {
    TRIBUNE_ASSIGN(std::vector<SourceFile> files, ReadSources(fs::path(lexicon_dir) / code));
    key = Fnv(key, code);
    for (const SourceFile& f : files) key = Fnv(Fnv(key, f.name), f.content);
    sources.push_back(std::move(files));
  }
  // The publisher's names, as one more file of the first language (cues match across languages, and the
  // names enter the cache key like any file).
  if (!publisher_names.empty() && !sources.empty()) {
    SourceFile names{"insult_publisher.txt", "# site.publisher_names\n"};
    for (std::string name : publisher_names) {
      for (char& ch : name)
        if (ch == '\t' || ch == '\n' || ch == '\r' || ch == '{' || ch == '}' || ch == '|') ch = ' ';
      if (name.find_first_not_of(" #") == std::string::npos || name[0] == '#') continue;
      names.content += name + "\t1\tword,inflect,cue\n";
    }
    key = Fnv(Fnv(key, "publisher names"), names.content);
    sources.front().push_back(std::move(names));
  }

  const fs::path cache_file =
      cache_dir.empty() ? fs::path() : fs::path(cache_dir) / ("lexicon-" + HexKey(key) + ".hsdb");
  impl.LoadCache(cache_file, key);
  if (!impl.from_cache) {
    impl.rules.clear();
    impl.languages.clear();
    impl.languages.resize(impl.language_codes.size());
    for (size_t i = 0; i < impl.language_codes.size(); ++i) {
      Language& lang = impl.languages[i];
      lang.code = impl.language_codes[i];
      TRIBUNE_TRY(impl.Parse(lang, sources[i]));
      TRIBUNE_TRY(impl.Compile(lang));
    }
  }
  if (!impl.from_cache) {
    for (Language& lang : impl.languages) impl.Finish(lang);
    TRIBUNE_TRY(impl.AllocScratch());
  }

  if (!impl.from_cache && !cache_file.empty()) impl.StoreCache(cache_dir, cache_file, key);
  return d;
}

void LexiconDetector::Detect(const DetectorInput& input, std::vector<Signal>& out) const {
  try {
    impl_->Detect(input, out);
  } catch (...) {
    // Must not throw (bad_alloc is the only candidate): the engine records nothing from us.
  }
}

std::vector<LexiconStats> LexiconDetector::Stats() const {
  std::vector<LexiconStats> out;
  for (const Language& l : impl_->languages) {
    std::map<std::string, size_t> counts;
    for (const Entry& e : l.entries) ++counts[(e.flags & kAllow) ? "allow" : impl_->rules[e.rule]];
    for (const auto& [rule, n] : counts) out.push_back({l.code, rule, n});
  }
  return out;
}

bool LexiconDetector::loaded_from_cache() const { return impl_->from_cache; }

}  // namespace tribune::moderation
