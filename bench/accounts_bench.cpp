// Benchmarks of the account lifecycle on real components (no mocks): SQLite files in a temporary
// directory, the production argon2id parameters, the real ALTCHA verifier, the mail renderer, the
// outbox and its worker writing to a spool directory.
//
//   BM_Login/known             AccountService::Login, known account, right password (argon2id verify +
//                              the session insert, a group-committed durable write)
//   BM_Login/wrong_password    known account, wrong password (argon2id verify, no write)
//   BM_Login/unknown_email     an e-mail no account has (PasswordHasher::VerifyDummy, no write)
//                              All three with PasswordHasher(19456 KiB, 2 passes, concurrency 2), captcha and
//                              throttling off (the throttle would lock the account after a few failures).
//                              Each call is timed on its own: p50/p99/max counters (µs), besides the mean.
//   BM_LoginInterleaved        the three cases in turn (shuffled rounds) in one run, so that drift and other
//                              load hit them alike: mean and p50 of each, and the ratios wrong/known, unknown/known, unknown/wrong
//                              (the numbers to quote; also printed as a summary line on stderr at the end),
//                              and the calling thread's CPU time per case (the hash alone: steady under load)
//   BM_LoginParallel           known logins from 2 threads (the hasher runs 2 at once): logins/s, the
//                              login throughput ceiling of the machine (items_per_second)
//   BM_CaptchaIssue            Altcha::Issue per second (default options: maxnumber 100000)
//   BM_CaptchaVerify           Altcha::Verify of valid solutions per second
//   BM_CaptchaSolve            brute-force solving in C++ as the widget does (SHA-256 of salt + decimal
//                              number until the challenge matches), default maxnumber: CPU time per solve
//                              (the Time column is wall time) and hashes per CPU second. A browser
//                              (WebCrypto, one digest per await) is slower.
//   BM_MailRender              mail::Render of confirm_account per second
//   BM_OutboxEnqueue           one Outbox::Enqueue per Database::Write, 1 and 16 threads (group commit)
//   BM_OutboxDrain             OutboxWorker::RunOnce draining 256 queued mails through MakeFileTransport
//                              (write + fsync + rename per mail): mails/s
//
// Numbers are reported, never asserted. Env: TRIBUNE_ACCOUNTS_BENCH_KEEP=1 keeps the temp dirs.
#include <benchmark/benchmark.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "accounts/accounts.hpp"
#include "accounts/captcha.hpp"
#include "accounts/password_hasher.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/random.hpp"
#include "mail/mail.hpp"
#include "storage/database.hpp"

namespace {

using namespace tribune;
namespace fs = std::filesystem;

// Production argon2id parameters (config defaults): 19 MiB, 2 passes, 2 hashes at once.
constexpr size_t kArgonMemoryKib = 19456;
constexpr unsigned long long kArgonPasses = 2;
constexpr int kArgonConcurrency = 2;

constexpr const char* kEmail = "reader@bench.invalid";
constexpr const char* kUnknownEmail = "nobody@bench.invalid";
constexpr const char* kPassword = "orbit-Lantern-7-quietly-Sings";
constexpr const char* kWrongPassword = "orbit-Lantern-7-quietly-Sang";
const std::string kCaptchaKey = "accounts-bench-hmac-key-0123456789abcdef-0123";
constexpr int kDrainMails = 256;

void Die(const std::string& what) {
  std::fprintf(stderr, "tribune_accounts_bench: %s\n", what.c_str());
  std::exit(1);
}
template <class T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().message);
  return std::move(r).value();
}
void Must(const Status& st, const char* what) {
  if (!st.ok()) Die(std::string(what) + ": " + st.error().message);
}

// A fresh temporary directory with a migrated SQLite database, removed at exit.
struct TempDb {
  fs::path dir;
  std::unique_ptr<storage::Database> db;

  explicit TempDb(const char* name) {
    std::string tmpl = (fs::temp_directory_path() / (std::string("tribune-accounts-bench-") + name + "-XXXXXX")).string();
    if (mkdtemp(tmpl.data()) == nullptr) Die("mkdtemp failed");
    dir = tmpl;
    db = Must(storage::OpenSqlite({.path = (dir / "tribune.db").string(), .read_connections = 2}), "open sqlite");
  }
  ~TempDb() {
    if (db) db->Close();
    db.reset();
    const char* keep = std::getenv("TRIBUNE_ACCOUNTS_BENCH_KEEP");
    if (keep != nullptr && std::string(keep) == "1") {
      std::fprintf(stderr, "kept %s\n", dir.c_str());
      return;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// --- logins -------------------------------------------------------------------------------------------------

struct LoginEnv {
  TempDb tmp{"login"};
  SystemClock clock;
  IdGenerator ids{clock};
  accounts::PasswordHasher hasher{kArgonMemoryKib, kArgonPasses, kArgonConcurrency};
  std::unique_ptr<accounts::AccountService> service;

  LoginEnv() {
    accounts::AccountOptions o;
    o.captcha_required = false;
    o.limits_enabled = false;
    service = std::make_unique<accounts::AccountService>(*tmp.db, clock, ids, hasher, o);
    Must(service->EnsureAccountWithRole(kEmail, kPassword, "Bench Reader", "reader"), "create the account");
  }
};

LoginEnv& Logins() {
  static LoginEnv env;  // thread-safe initialisation; destroyed at exit
  return env;
}

enum class LoginCase { kKnown, kWrongPassword, kUnknownEmail };

bool LoginOnce(LoginEnv& env, LoginCase c) {
  const accounts::ClientInfo client{"127.0.0.1", "tribune_accounts_bench"};
  switch (c) {
    case LoginCase::kKnown:
      return env.service->Login(kEmail, kPassword, client).ok();
    case LoginCase::kWrongPassword:
      return !env.service->Login(kEmail, kWrongPassword, client).ok();
    case LoginCase::kUnknownEmail:
      return !env.service->Login(kUnknownEmail, kPassword, client).ok();
  }
  return false;
}

double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

void BM_Login(benchmark::State& state, LoginCase c, const char* name) {
  LoginEnv& env = Logins();
  if (!LoginOnce(env, c)) Die(std::string("login case ") + name + " did not answer as expected");  // warm-up
  std::vector<double> us;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const bool as_expected = LoginOnce(env, c);
    const auto t1 = std::chrono::steady_clock::now();
    if (!as_expected) Die(std::string("login case ") + name + " did not answer as expected");
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  state.counters["p50_us"] = Percentile(us, 0.50);
  state.counters["p99_us"] = Percentile(us, 0.99);
  state.counters["max_us"] = us.empty() ? 0 : *std::max_element(us.begin(), us.end());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_Login, known, LoginCase::kKnown, "known")->MinTime(1.5)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Login, wrong_password, LoginCase::kWrongPassword, "wrong_password")
    ->MinTime(1.5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Login, unknown_email, LoginCase::kUnknownEmail, "unknown_email")
    ->MinTime(1.5)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The three cases in turn (rounds of known, wrong password, unknown e-mail in a shuffled order), each call timed: drift and
// other load on the machine hit all three alike, so the ratios here are the ones to quote.
std::string g_summary;
void BM_LoginInterleaved(benchmark::State& state) {
  LoginEnv& env = Logins();
  constexpr LoginCase kCases[] = {LoginCase::kKnown, LoginCase::kWrongPassword, LoginCase::kUnknownEmail};
  std::vector<double> us[3];
  double cpu_us[3] = {0, 0, 0};  // the calling thread's CPU time: the hash (the session commit runs on the writer)
  // Each round of three in a shuffled order: the call right after a successful login would otherwise always be
  // the same case, and it shares the machine with whatever the session's commit leaves behind (WAL work).
  std::mt19937 rng(7);
  size_t order[3] = {0, 1, 2};
  size_t i = 0;
  for (auto _ : state) {
    if (i % 3 == 0) std::shuffle(std::begin(order), std::end(order), rng);
    const size_t k = order[i++ % 3];
    const double c0 = ThreadCpuMicros();
    const auto t0 = std::chrono::steady_clock::now();
    const bool as_expected = LoginOnce(env, kCases[k]);
    const auto t1 = std::chrono::steady_clock::now();
    const double c1 = ThreadCpuMicros();
    if (!as_expected) Die("interleaved login did not answer as expected");
    us[k].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    cpu_us[k] += c1 - c0;
  }
  double mean[3], p50[3], cpu[3];
  for (int k = 0; k < 3; ++k) {
    double sum = 0;
    for (double x : us[k]) sum += x;
    mean[k] = us[k].empty() ? 0 : sum / static_cast<double>(us[k].size());
    p50[k] = Percentile(us[k], 0.50);
    cpu[k] = us[k].empty() ? 0 : cpu_us[k] / static_cast<double>(us[k].size());
  }
  const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  state.counters["known_mean_us"] = mean[0];
  state.counters["wrong_mean_us"] = mean[1];
  state.counters["unknown_mean_us"] = mean[2];
  state.counters["known_p50_us"] = p50[0];
  state.counters["wrong_p50_us"] = p50[1];
  state.counters["unknown_p50_us"] = p50[2];
  state.counters["known_cpu_us"] = cpu[0];
  state.counters["wrong_cpu_us"] = cpu[1];
  state.counters["unknown_cpu_us"] = cpu[2];
  state.counters["unknown_over_wrong_cpu"] = ratio(cpu[2], cpu[1]);
  state.counters["wrong_over_known"] = ratio(mean[1], mean[0]);
  state.counters["unknown_over_known"] = ratio(mean[2], mean[0]);
  state.counters["unknown_over_wrong"] = ratio(mean[2], mean[1]);
  state.counters["wrong_over_known_p50"] = ratio(p50[1], p50[0]);
  state.counters["unknown_over_known_p50"] = ratio(p50[2], p50[0]);
  state.counters["unknown_over_wrong_p50"] = ratio(p50[2], p50[1]);
  state.SetItemsProcessed(state.iterations());
  char line[640];
  std::snprintf(line, sizeof line,
                "login, interleaved (%zu calls), mean / p50 ms: known %.2f / %.2f, wrong password %.2f / %.2f, "
                "unknown e-mail %.2f / %.2f; ratios of means (of p50s): wrong/known %.3f (%.3f), unknown/known "
                "%.3f (%.3f), unknown/wrong %.3f (%.3f); calling thread's CPU ms: known %.2f, wrong password %.2f, "
                "unknown e-mail %.2f\n",
                i, mean[0] / 1000, p50[0] / 1000, mean[1] / 1000, p50[1] / 1000, mean[2] / 1000, p50[2] / 1000,
                ratio(mean[1], mean[0]), ratio(p50[1], p50[0]), ratio(mean[2], mean[0]), ratio(p50[2], p50[0]),
                ratio(mean[2], mean[1]), ratio(p50[2], p50[1]), cpu[0] / 1000, cpu[1] / 1000, cpu[2] / 1000);
  g_summary = line;
}
BENCHMARK(BM_LoginInterleaved)->MinTime(4.0)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_LoginParallel(benchmark::State& state) {
  LoginEnv& env = Logins();
  for (auto _ : state) {
    if (!LoginOnce(env, LoginCase::kKnown)) Die("parallel login failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LoginParallel)->Threads(2)->MinTime(2.0)->UseRealTime()->Unit(benchmark::kMillisecond);

// --- captcha ------------------------------------------------------------------------------------------------

std::string StdBase64(const std::string& in) {
  static const char* const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// What the widget does: SHA-256 of salt + decimal number, from 0 up, until it matches. Returns the
// number (-1 when none does) and adds the hashes tried to `hashes`.
int64_t Solve(const accounts::CaptchaChallenge& c, int64_t& hashes) {
  for (int64_t n = 0; n <= c.maxnumber; ++n) {
    ++hashes;
    if (Sha256Hex(c.salt + std::to_string(n)) == c.challenge) return n;
  }
  return -1;
}

std::string Payload(const accounts::CaptchaChallenge& c, int64_t number) {
  return StdBase64(R"({"algorithm":")" + c.algorithm + R"(","challenge":")" + c.challenge + R"(","number":)" +
                   std::to_string(number) + R"(,"salt":")" + c.salt + R"(","signature":")" + c.signature +
                   R"(","took":1234})");
}

struct CaptchaEnv {
  SystemClock clock;
  accounts::Altcha altcha{clock, kCaptchaKey};  // default options, as the server's
};
CaptchaEnv& Captcha() {
  static CaptchaEnv env;
  return env;
}

void BM_CaptchaIssue(benchmark::State& state) {
  auto& altcha = Captcha().altcha;
  for (auto _ : state) benchmark::DoNotOptimize(altcha.Issue());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CaptchaIssue)->MinTime(1.0)->Unit(benchmark::kMicrosecond);

void BM_CaptchaVerify(benchmark::State& state) {
  auto& altcha = Captcha().altcha;
  std::vector<std::string> payloads;
  int64_t hashes = 0;
  for (int i = 0; i < 8; ++i) {  // Verify is pure: the same valid payloads, round and round
    const auto c = altcha.Issue();
    const int64_t n = Solve(c, hashes);
    if (n < 0) Die("unsolvable challenge");
    payloads.push_back(Payload(c, n));
  }
  size_t i = 0;
  for (auto _ : state) {
    auto proof = altcha.Verify(payloads[i++ % payloads.size()]);
    if (!proof.ok()) Die("a valid captcha solution was refused: " + proof.error().message);
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CaptchaVerify)->MinTime(1.0)->Unit(benchmark::kMicrosecond);

void BM_CaptchaSolve(benchmark::State& state) {
  auto& altcha = Captcha().altcha;
  int64_t hashes = 0;
  int64_t maxnumber = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const auto c = altcha.Issue();
    state.ResumeTiming();
    maxnumber = c.maxnumber;
    if (Solve(c, hashes) < 0) Die("unsolvable challenge");
  }
  const double per_solve = static_cast<double>(hashes) / static_cast<double>(state.iterations());
  state.counters["maxnumber"] = static_cast<double>(maxnumber);
  state.counters["hashes_per_solve"] = per_solve;
  state.counters["hashes_per_s"] = benchmark::Counter(static_cast<double>(hashes), benchmark::Counter::kIsRate);
  // hashes_per_s is a rate over the measured time; the mean solve from it (maxnumber/2 + 1 hashes) is
  // steadier than the measured mean, whose numbers are drawn uniformly from [0, maxnumber].
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CaptchaSolve)->MinTime(2.0)->Unit(benchmark::kMillisecond);

// --- mail ---------------------------------------------------------------------------------------------------

mail::Mail ConfirmMail() {
  mail::Mail m;
  m.to = "reader@bench.invalid";
  m.kind = "confirm_account";
  m.language = "en";
  m.vars = {{"display_name", "Bench Reader"},
            {"link", "https://news.example.org/confirm?token=Q2hhbmdlIGlzIHRoZSBvbmx5IGNvbnN0YW50LiBIZXJhY2xpdHVz"}};
  m.account_id = 7;
  return m;
}

mail::Identity BenchIdentity() {
  mail::Identity id;
  id.from_address = "no-reply@news.example.org";
  id.site_name = "Tribune";
  id.base_url = "https://news.example.org";
  id.message_id_domain = "news.example.org";
  return id;
}

void BM_MailRender(benchmark::State& state) {
  const mail::Mail m = ConfirmMail();
  const mail::Identity identity = BenchIdentity();
  SystemClock clock;
  size_t bytes = 0;
  for (auto _ : state) {
    auto r = mail::Render(m, identity, "<bench-1@news.example.org>", clock.NowMicros());
    if (!r.ok()) Die("render: " + r.error().message);
    bytes = r->message.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["message_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MailRender)->MinTime(1.0)->Unit(benchmark::kMicrosecond);

struct OutboxEnv {
  TempDb tmp{"outbox"};
  SystemClock clock;
  IdGenerator ids{clock};
  mail::Outbox outbox{clock, ids, BenchIdentity()};
};
OutboxEnv& Outbox() {
  static OutboxEnv env;
  return env;
}

void BM_OutboxEnqueue(benchmark::State& state) {
  OutboxEnv& env = Outbox();
  const mail::Mail m = ConfirmMail();
  for (auto _ : state) {
    Must(env.tmp.db->Write([&](storage::Session& s) { return env.outbox.Enqueue(s, m); }), "enqueue");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_OutboxEnqueue)->Threads(1)->Threads(16)->MinTime(1.0)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_OutboxDrain(benchmark::State& state) {
  TempDb tmp("drain");  // its own database: nothing else queued
  SystemClock clock;
  IdGenerator ids{clock};
  mail::Outbox outbox{clock, ids, BenchIdentity()};
  const fs::path spool = tmp.dir / "spool";
  auto transport = mail::MakeFileTransport(spool.string());
  mail::OutboxWorker worker(*tmp.db, clock, *transport, "no-reply@news.example.org", mail::RetryOptions{});
  const mail::Mail m = ConfirmMail();
  log::SetSink((tmp.dir / "worker.log").string());  // the worker logs every mail, as in production
  int64_t sent = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Must(tmp.db->Write([&](storage::Session& s) -> Status {
      for (int i = 0; i < kDrainMails; ++i) TRIBUNE_TRY(outbox.Enqueue(s, m));
      return Ok{};
    }), "enqueue the batch");
    state.ResumeTiming();
    auto stats = Must(worker.RunOnce(), "worker round");
    if (stats.sent != kDrainMails) Die("the worker sent " + std::to_string(stats.sent) + " of " + std::to_string(kDrainMails));
    sent += stats.sent;
    state.PauseTiming();
    std::error_code ec;
    fs::remove_all(spool, ec);
    state.ResumeTiming();
  }
  log::SetSink("-");
  state.counters["mails_per_round"] = kDrainMails;
  state.SetItemsProcessed(sent);
}
BENCHMARK(BM_OutboxDrain)->Iterations(4)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!g_summary.empty()) std::fputs(g_summary.c_str(), stderr);
  return 0;
}
