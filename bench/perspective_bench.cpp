// The Perspective-compatible API (interop::PerspectiveApi, src/interop/perspective.hpp) on one thread, no I/O:
// what comments:analyze costs on top of the engine.
//
// Corpus: engine_bench's ~500-byte comments (engine_corpus.cpp, fixed seed, 500 of them), each wrapped in Coral's
// request body ({"comment":{"text":…},"doNotStore":true,"requestedAttributes":{"TOXICITY":{}},"languages":["en"]}).
// One iteration = one comment, round and round.
//   BM_EngineCheck          RuleEngine::Check alone (language "en")
//   BM_Analyze              PerspectiveApi::Analyze on the body: parse, validate, the same Check, the reply
//   BM_AnalyzeSpans         the same with "spanAnnotations":true (ICU sentences, a score per sentence)
//   BM_AnalyzeDetect        no "languages" (Discourse): the CLD2 + fastText guesser runs first
//   BM_AnalyzeStubEngine    Analyze with an engine that returns a fixed hold decision at once: the overhead alone
//   BM_Guess                the guesser alone (MakeLanguageGuesser); BM_GuessParts/0,1,2: PrepareText, fastText
//                           and CLD2 on the prepared text
//   BM_ParseStrict          boost::json::parse of the body
//   BM_ParseLenient         interop::ParseLenientJson of the body
// The overhead of the API is BM_Analyze − BM_EngineCheck (≈ BM_AnalyzeStubEngine). Numbers are reported,
// never asserted.
#include <benchmark/benchmark.h>

#include <boost/json/parse.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine_corpus.hpp"
#include "interop/lenient_json.hpp"
#include "interop/perspective.hpp"
#include "interop/perspective_internal.hpp"
#include "moderation/factory.hpp"
#include "moderation/rules/language.hpp"

namespace {

using namespace tribune;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "tribune_perspective_bench: %s\n", what.c_str());
  std::exit(1);
}

struct Fixture {
  std::unique_ptr<moderation::RuleEngine> engine;
  std::unique_ptr<moderation::LanguageDetector> detector;
  std::vector<std::string> texts, bodies, span_bodies, detect_bodies;

  Fixture() {
    moderation::EngineConfig config;
    config.cache_dir = (std::filesystem::temp_directory_path() / "tribune-test-lexicon-cache").string();
    auto built = moderation::BuildRuleEngine(config);
    if (!built.ok()) Die("BuildRuleEngine: " + built.error().message);
    engine = std::move(built).value();
    auto loaded = moderation::LanguageDetector::Load(moderation::DefaultLanguageModelPath(), {});
    if (!loaded.ok()) Die("LanguageDetector: " + loaded.error().message);
    detector = std::move(loaded).value();
    for (const auto& c : bench::MakeCorpus(500)) {
      std::string quoted;
      interop::perspective_internal::AppendString(quoted, c.text);
      texts.push_back(c.text);
      bodies.push_back(R"({"comment":{"text":)" + quoted +
                       R"(},"doNotStore":true,"requestedAttributes":{"TOXICITY":{}},"languages":["en"]})");
      span_bodies.push_back(R"({"comment":{"text":)" + quoted +
                            R"(},"requestedAttributes":{"TOXICITY":{}},"languages":["en"],"spanAnnotations":true})");
      detect_bodies.push_back(R"({"comment":{"text":)" + quoted +
                              R"(},"doNotStore":true,"requestedAttributes":{"TOXICITY":{"scoreType":"PROBABILITY"}}})");
    }
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

class StubEngine final : public moderation::Engine {
 public:
  StubEngine() {
    moderation::Finding f;
    f.rule = "insult_threat";
    f.score = 5;
    f.confidence = 0.5;
    f.reason = "Argue with ideas, not people.";
    f.spans = {{17, 23}};
    f.details = {"lexicon en/insult_threat: idiot"};
    decision_.action = moderation::Action::kHold;
    decision_.findings.push_back(f);
  }
  moderation::Decision Check(const moderation::CheckInput&) const override { return decision_; }
  std::string_view Name() const override { return "stub"; }

 private:
  moderation::Decision decision_;
};

void Run(benchmark::State& state, const std::vector<std::string>& bodies, const moderation::Engine& engine) {
  Fixture& f = F();
  const interop::PerspectiveApi api({}, interop::MakeLanguageGuesser(*f.detector));
  const interop::Judge judge{engine, "en"};
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    interop::Reply r = api.Analyze(bodies[i], judge);
    if (r.status != 200) Die("Analyze: " + r.body);
    bytes += bodies[i].size();
    benchmark::DoNotOptimize(r);
    i = (i + 1) % bodies.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void BM_EngineCheck(benchmark::State& state) {
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) {
    moderation::Decision d = f.engine->Check({.text = f.texts[i], .language = "en"});
    benchmark::DoNotOptimize(d);
    i = (i + 1) % f.texts.size();
  }
}

void BM_Analyze(benchmark::State& state) { Run(state, F().bodies, *F().engine); }
void BM_AnalyzeSpans(benchmark::State& state) { Run(state, F().span_bodies, *F().engine); }
void BM_AnalyzeDetect(benchmark::State& state) { Run(state, F().detect_bodies, *F().engine); }
void BM_AnalyzeStubEngine(benchmark::State& state) {
  static const StubEngine stub;
  Run(state, F().bodies, stub);
}

void BM_Guess(benchmark::State& state) {
  Fixture& f = F();
  const interop::LanguageGuesser guess = interop::MakeLanguageGuesser(*f.detector);
  size_t i = 0;
  for (auto _ : state) {
    auto g = guess(f.texts[i]);
    benchmark::DoNotOptimize(g);
    i = (i + 1) % f.texts.size();
  }
}

void BM_GuessParts(benchmark::State& state) {
  Fixture& f = F();
  std::vector<std::string> prepared;
  for (const auto& t : f.texts) prepared.push_back(moderation::language::PrepareText(t).text);
  size_t i = 0;
  for (auto _ : state) {
    if (state.range(0) == 0) {
      auto j = moderation::language::PrepareText(f.texts[i]);
      benchmark::DoNotOptimize(j);
    } else if (state.range(0) == 1) {
      auto g = f.detector->FastTextGuess(prepared[i]);
      benchmark::DoNotOptimize(g);
    } else {
      auto g = moderation::LanguageDetector::Cld2Guess(prepared[i]);
      benchmark::DoNotOptimize(g);
    }
    i = (i + 1) % f.texts.size();
  }
}

void BM_ParseStrict(benchmark::State& state) {
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(f.bodies[i], ec);
    benchmark::DoNotOptimize(v);
    i = (i + 1) % f.bodies.size();
  }
}

void BM_ParseLenient(benchmark::State& state) {
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) {
    auto v = interop::ParseLenientJson(f.bodies[i]);
    benchmark::DoNotOptimize(v);
    i = (i + 1) % f.bodies.size();
  }
}

}  // namespace

BENCHMARK(BM_EngineCheck)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(BM_Analyze)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(BM_AnalyzeSpans)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_AnalyzeDetect)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_AnalyzeStubEngine)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_Guess)->Unit(benchmark::kMicrosecond)->MinTime(0.5);
BENCHMARK(BM_GuessParts)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->MinTime(0.5);
BENCHMARK(BM_ParseStrict)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_ParseLenient)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

BENCHMARK_MAIN();
