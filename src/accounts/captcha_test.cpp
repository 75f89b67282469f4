#include "accounts/captcha.hpp"
#include "support/node_tools.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/random.hpp"
#include "support/temp_database.hpp"

namespace tribune::accounts {
namespace {

using namespace std::chrono_literals;

const std::string kKey = "test-hmac-key-0123456789abcdef-0123456789";  // ASCII: node gets it too
const std::string kOtherKey = "another-hmac-key-0123456789abcdef-98765";

constexpr int64_t kMax = 1000;
constexpr int64_t kTtl = 600;

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string HmacHex(std::string_view key, std::string_view data) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return hex;
}

int64_t Solve(const CaptchaChallenge& c) {
  for (int64_t n = 0; n <= c.maxnumber; ++n) {
    if (Sha256Hex(c.salt + std::to_string(n)) == c.challenge) return n;
  }
  ADD_FAILURE() << "unsolvable challenge";
  return -1;
}

// The JSON the widget sends, with `number_json` spliced in verbatim (so tests can send any JSON type).
std::string SolutionJson(const CaptchaChallenge& c, const std::string& number_json, const std::string& extra = "") {
  return R"({"algorithm":")" + c.algorithm + R"(","challenge":")" + c.challenge + R"(","number":)" + number_json +
         R"(,"salt":")" + c.salt + R"(","signature":")" + c.signature + R"(","took":42)" + extra + "}";
}
std::string Payload(const CaptchaChallenge& c, int64_t number) { return Base64(SolutionJson(c, std::to_string(number))); }

class AltchaTest : public ::testing::Test {
 protected:
  AltchaTest() : altcha_(clock_, kKey, {.maxnumber = kMax, .ttl_seconds = kTtl}) {}

  void ExpectInvalid(const std::string& payload, const std::string& what) {
    auto r = altcha_.Verify(payload);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, ErrorCode::kCaptchaFailed) << what;
    EXPECT_EQ(r.error().message, "The captcha answer is not valid.") << what;
  }

  FakeClock clock_;
  Altcha altcha_;
};

TEST_F(AltchaTest, IssuesAWellFormedSignedChallengeThatExpiresAfterTheTtl) {
  const auto c = altcha_.Issue();
  EXPECT_EQ(c.algorithm, "SHA-256");
  EXPECT_EQ(c.maxnumber, kMax);
  const int64_t expires = clock_.NowMicros() / 1'000'000 + kTtl;
  ASSERT_EQ(c.salt.size(), 24 + std::string("?expires=").size() + std::to_string(expires).size() + 1);
  EXPECT_EQ(c.salt.substr(24), "?expires=" + std::to_string(expires) + "&");
  EXPECT_EQ(c.challenge.size(), 64u);
  EXPECT_EQ(c.signature, HmacHex(kKey, c.challenge));
  EXPECT_NE(altcha_.Issue().salt, c.salt);
}

TEST_F(AltchaTest, NumbersAreDrawnFromTheWholeInclusiveRange) {
  Altcha tiny(clock_, kKey, {.maxnumber = 3, .ttl_seconds = kTtl});
  std::set<int64_t> seen;
  for (int i = 0; i < 200; ++i) seen.insert(Solve(tiny.Issue()));
  EXPECT_EQ(seen, (std::set<int64_t>{0, 1, 2, 3}));
}

TEST_F(AltchaTest, RejectsAWeakKey) {
  EXPECT_THROW(Altcha(clock_, "short"), std::invalid_argument);
}

TEST_F(AltchaTest, IssueSolveVerifyConsumeAndRefuseTheReplay) {
  testing::TempDatabase tmp;
  const auto c = altcha_.Issue();
  const std::string payload = Payload(c, Solve(c));

  auto proof = altcha_.Verify(payload);
  ASSERT_TRUE(proof.ok()) << proof.error().message;
  EXPECT_EQ(proof->signature, c.signature);
  EXPECT_EQ(proof->expires_at, (clock_.NowMicros() / 1'000'000 + kTtl) * 1'000'000);

  auto first = tmp.db().Write([&](storage::Session& s) { return ConsumeCaptcha(s, *proof, clock_.NowMicros()); });
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM captcha_used"), 1);

  // The same payload still verifies (Verify is pure) but cannot be consumed twice.
  auto again = altcha_.Verify(payload);
  ASSERT_TRUE(again.ok());
  auto second = tmp.db().Write([&](storage::Session& s) { return ConsumeCaptcha(s, *again, clock_.NowMicros()); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kCaptchaFailed);
  EXPECT_EQ(second.error().message, "This captcha was already used.");
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM captcha_used"), 1);
}

TEST_F(AltchaTest, TheUsedSignatureIsPartOfTheCallersTransaction) {
  testing::TempDatabase tmp;
  const auto c = altcha_.Issue();
  auto proof = altcha_.Verify(Payload(c, Solve(c)));
  ASSERT_TRUE(proof.ok());
  auto failed = tmp.db().Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(ConsumeCaptcha(s, *proof, clock_.NowMicros()));
    return MakeError(ErrorCode::kConflict, "the protected action failed");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM captcha_used"), 0);
  auto retry = tmp.db().Write([&](storage::Session& s) { return ConsumeCaptcha(s, *proof, clock_.NowMicros()); });
  EXPECT_TRUE(retry.ok());
}

TEST_F(AltchaTest, ForgetsExpiredSolutions) {
  testing::TempDatabase tmp;
  const auto old_challenge = altcha_.Issue();
  auto old_proof = altcha_.Verify(Payload(old_challenge, Solve(old_challenge)));
  ASSERT_TRUE(old_proof.ok());
  clock_.Advance(std::chrono::seconds(kTtl / 2));
  const auto new_challenge = altcha_.Issue();
  auto new_proof = altcha_.Verify(Payload(new_challenge, Solve(new_challenge)));
  ASSERT_TRUE(new_proof.ok());
  ASSERT_TRUE(tmp.db().Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(ConsumeCaptcha(s, *old_proof, clock_.NowMicros()));
    return ConsumeCaptcha(s, *new_proof, clock_.NowMicros());
  }).ok());
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM captcha_used"), 2);

  clock_.Advance(std::chrono::seconds(kTtl / 2 + 1));  // the old one has expired, the new one not
  ASSERT_TRUE(tmp.db().Write([&](storage::Session& s) { return ForgetExpiredCaptchas(s, clock_.NowMicros()); }).ok());
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM captcha_used"), 1);
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM captcha_used WHERE signature = '" + new_challenge.signature + "'"), 1);
}

TEST_F(AltchaTest, ConsumeForgetsExpiredSolutionsNowAndThen) {
  testing::TempDatabase tmp;
  ASSERT_TRUE(tmp.db().Write([&](storage::Session& s) -> Status {
    TRIBUNE_TRY(s.Exec("INSERT INTO captcha_used (signature, expires_at) VALUES ('stale', 1)"));
    return Ok{};
  }).ok());
  // 1/64 per call: after 2000 distinct consumptions the stale row is gone with certainty for all purposes.
  ASSERT_TRUE(tmp.db().Write([&](storage::Session& s) -> Status {
    for (int i = 0; i < 2000; ++i) {
      TRIBUNE_TRY(ConsumeCaptcha(s, {Sha256Hex(std::to_string(i)), clock_.NowMicros() + 1}, clock_.NowMicros()));
    }
    return Ok{};
  }).ok());
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM captcha_used WHERE signature = 'stale'"), 0);
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM captcha_used"), 2000);
}

TEST_F(AltchaTest, AcceptsThePayloadWithoutTookAndWithWhitespace) {
  const auto c = altcha_.Issue();
  const int64_t n = Solve(c);
  const std::string json = R"({ "algorithm" : "SHA-256", "challenge": ")" + c.challenge + R"(", "number": )" +
                           std::to_string(n) + R"(, "salt": ")" + c.salt + R"(", "signature": ")" + c.signature +
                           "\" }\n";
  EXPECT_TRUE(altcha_.Verify(Base64(json)).ok());
}

TEST_F(AltchaTest, RefusesMalformedSolutions) {
  testing::TempDatabase tmp;
  const auto c = altcha_.Issue();
  const int64_t n = Solve(c);
  ASSERT_TRUE(altcha_.Verify(Payload(c, n)).ok());
  const std::string good_json = SolutionJson(c, std::to_string(n));
  const std::string good = Base64(good_json);

  auto with = [&](auto edit) {
    CaptchaChallenge x = c;
    edit(x);
    return Base64(SolutionJson(x, std::to_string(n)));
  };
  auto field = [&](const std::string& name, const std::string& value_json) {
    // Rebuilds the object with one member replaced (or removed when value_json is empty).
    std::vector<std::pair<std::string, std::string>> m = {
        {"algorithm", "\"" + c.algorithm + "\""}, {"challenge", "\"" + c.challenge + "\""},
        {"number", std::to_string(n)},            {"salt", "\"" + c.salt + "\""},
        {"signature", "\"" + c.signature + "\""}, {"took", "42"}};
    std::string json = "{";
    for (auto& [k, v] : m) {
      const std::string& val = k == name ? value_json : v;
      if (val.empty()) continue;
      if (json.size() > 1) json += ",";
      json += "\"" + k + "\":" + val;
    }
    return Base64(json + "}");
  };

  std::string url_variant;  // a payload whose standard base64 has '+' or '/', sent as base64url
  for (int pad = 0; pad < 64 && url_variant.empty(); ++pad) {
    std::string b = Base64(std::string(pad, ' ') + good_json);
    if (b.find_first_of("+/") != std::string::npos) {
      ASSERT_TRUE(altcha_.Verify(b).ok());
      for (char& ch : b) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
      url_variant = b;
    }
  }
  ASSERT_FALSE(url_variant.empty());
  std::string padded;  // a payload with '=' padding, to strip it
  for (int pad = 0; pad < 3 && padded.empty(); ++pad) {
    std::string b = Base64(std::string(pad, ' ') + good_json);
    if (b.back() == '=') padded = b;
  }
  ASSERT_FALSE(padded.empty());

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"number as a string", field("number", "\"" + std::to_string(n) + "\"")},
      {"number 123 as a string", field("number", "\"123\"")},
      {"number as a float", field("number", std::to_string(n) + ".0")},
      {"number in exponent form", field("number", "1e2")},
      {"number as exponent of itself", field("number", std::to_string(n) + "e0")},
      {"negative number", field("number", "-1")},
      {"number above maxnumber", field("number", std::to_string(kMax + 1))},
      {"huge number", field("number", "18446744073709551615")},
      {"number bool", field("number", "true")},
      {"number null", field("number", "null")},
      {"number array", field("number", "[" + std::to_string(n) + "]")},
      {"wrong number", field("number", std::to_string(n == 0 ? 1 : n - 1))},
      {"missing number", field("number", "")},
      {"missing algorithm", field("algorithm", "")},
      {"missing challenge", field("challenge", "")},
      {"missing salt", field("salt", "")},
      {"missing signature", field("signature", "")},
      {"extra member", Base64(SolutionJson(c, std::to_string(n), R"(,"garbage":1)"))},
      {"test mode flag", Base64(SolutionJson(c, std::to_string(n), R"(,"test":true)"))},
      {"took as a string", field("took", "\"42\"")},
      {"took negative", field("took", "-5")},
      {"took float", field("took", "4.2")},
      {"duplicate number", Base64(SolutionJson(c, std::to_string(n == 0 ? 1 : n - 1), ",\"number\":" +
                                                                                       std::to_string(n)))},
      {"nested object", field("salt", "{\"salt\":\"" + c.salt + "\"}")},
      {"trailing garbage after JSON", Base64(good_json + "x")},
      {"two JSON documents", Base64(good_json + good_json)},
      {"JSON with a comment", Base64("/*x*/" + good_json)},
      {"JSON array", Base64("[" + good_json + "]")},
      {"JSON string", Base64("\"" + good + "\"")},
      {"not JSON", Base64("hello world")},
      {"empty object", Base64("{}")},
      {"empty payload", ""},
      {"raw JSON, not base64", good_json},
      {"not base64", "!!!not base64!!!"},
      {"truncated base64", good.substr(0, good.size() - 5)},
      {"base64 cut at a quantum", good.substr(0, good.size() / 8 * 4)},
      {"base64 with whitespace", good.substr(0, 8) + " " + good.substr(8)},
      {"base64 with a newline", good.substr(0, 8) + "\n" + good.substr(8)},
      {"base64url", url_variant},
      {"base64 without padding", padded.substr(0, padded.find('='))},
      {"algorithm SHA-1", field("algorithm", "\"SHA-1\"")},
      {"algorithm lowercase", field("algorithm", "\"sha-256\"")},
      {"algorithm SHA-512", field("algorithm", "\"SHA-512\"")},
      {"algorithm not a string", field("algorithm", "256")},
      {"forged signature", with([](CaptchaChallenge& x) { x.signature = std::string(64, 'a'); })},
      {"uppercase signature",
       with([](CaptchaChallenge& x) { for (char& ch : x.signature) ch = static_cast<char>(std::toupper(ch)); })},
      {"signature from another key", with([](CaptchaChallenge& x) { x.signature = HmacHex(kOtherKey, x.challenge); })},
      {"short signature", with([](CaptchaChallenge& x) { x.signature.pop_back(); })},
      {"wrong challenge", with([](CaptchaChallenge& x) { x.challenge = Sha256Hex("other"); })},
      {"salt without expires", with([](CaptchaChallenge& x) { x.salt = x.salt.substr(0, 24); })},
      {"salt with a non-numeric expiry", with([](CaptchaChallenge& x) { x.salt = x.salt.substr(0, 24) + "?expires=soon&"; })},
      {"salt with another parameter",
       with([](CaptchaChallenge& x) { x.salt = x.salt.substr(0, x.salt.size() - 1) + "&x=1&"; })},
      {"expires changed to later", with([&](CaptchaChallenge& x) {
         x.salt = x.salt.substr(0, 24) + "?expires=" + std::to_string(clock_.NowMicros() / 1'000'000 + kTtl + 30) + "&";
       })},
      {"oversized payload", Base64(std::string(4000, ' ') + good_json)},
  };
  for (const auto& [what, payload] : cases) {
    ExpectInvalid(payload, what);
    // A protected action only consumes a verified captcha: nothing is stored.
    auto r = altcha_.Verify(payload);
    if (r.ok()) (void)tmp.db().Write([&](storage::Session& s) { return ConsumeCaptcha(s, *r, clock_.NowMicros()); });
  }
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM captcha_used"), 0);
  EXPECT_TRUE(altcha_.Verify(good).ok());  // the control still passes
}

TEST_F(AltchaTest, RefusesASignatureFromAnotherServer) {
  FakeClock clock;
  Altcha other(clock, kOtherKey, {.maxnumber = kMax, .ttl_seconds = kTtl});
  const auto c = other.Issue();
  const std::string payload = Payload(c, Solve(c));
  ASSERT_TRUE(other.Verify(payload).ok());
  ExpectInvalid(payload, "another key");
}

TEST_F(AltchaTest, RefusesTheSaltOfOneChallengeWithTheSignatureOfAnother) {
  const auto a = altcha_.Issue();
  clock_.Advance(5min);  // b expires later than a
  const auto b = altcha_.Issue();
  CaptchaChallenge spliced = b;
  spliced.salt = a.salt;
  for (int64_t n = 0; n <= kMax; ++n) ExpectInvalid(Payload(spliced, n), "spliced " + std::to_string(n));
  spliced = a;
  spliced.salt = b.salt;  // a's challenge and signature with b's later expiry
  for (int64_t n = 0; n <= kMax; ++n) ExpectInvalid(Payload(spliced, n), "spliced " + std::to_string(n));
}

TEST_F(AltchaTest, RefusesDigitsMovedFromTheNumberIntoALegacySaltsExpiry) {
  // A salt without altcha-lib's trailing '&' (older altcha-lib) lets "…expires=E" + "123" be read as
  // "…expires=E1" + "23": the same hash and signature with an expiry ten times further away.
  const int64_t expires = clock_.NowMicros() / 1'000'000 + kTtl;
  CaptchaChallenge c;
  c.algorithm = "SHA-256";
  c.maxnumber = kMax;
  c.salt = "0123456789abcdef01234567?expires=" + std::to_string(expires);
  c.challenge = Sha256Hex(c.salt + "123");
  c.signature = HmacHex(kKey, c.challenge);
  ASSERT_TRUE(altcha_.Verify(Payload(c, 123)).ok());  // the legacy form is accepted
  CaptchaChallenge spliced = c;
  spliced.salt += "1";
  ExpectInvalid(Payload(spliced, 23), "expiry spliced");
}

TEST_F(AltchaTest, ExpiresAfterTheTtl) {
  const auto c = altcha_.Issue();
  const std::string payload = Payload(c, Solve(c));
  clock_.Advance(std::chrono::seconds(kTtl) - 1us);
  ASSERT_TRUE(altcha_.Verify(payload).ok());
  clock_.Advance(1us);
  auto r = altcha_.Verify(payload);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kCaptchaFailed);
  EXPECT_EQ(r.error().message, "The captcha expired; solve a new one.");
}

TEST_F(AltchaTest, RefusesAnExpiryTooFarAhead) {
  // A correctly signed challenge whose expiry lies beyond now + ttl + skew (say, a key shared with a
  // server using a longer ttl, or a clock that jumped back) is not accepted.
  FakeClock later_clock(clock_.NowMicros());
  Altcha long_lived(later_clock, kKey, {.maxnumber = kMax, .ttl_seconds = kTtl + 3600});
  const auto c = long_lived.Issue();
  const std::string payload = Payload(c, Solve(c));
  ASSERT_TRUE(long_lived.Verify(payload).ok());
  ExpectInvalid(payload, "too far ahead");
}

// ---------------------------------------------------------------------------------------------------
// Compatibility with the real ALTCHA client library (npm altcha-lib, what the altcha widget runs).


struct ProcessResult {
  int status = -1;
  std::string out;
};

// Runs argv in `cwd` with extra environment variables, feeding `input` on stdin; returns exit status and stdout.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                  const std::vector<std::pair<std::string, std::string>>& env, const std::string& input) {
  int in[2], out[2];
  if (::pipe(in) != 0 || ::pipe(out) != 0) return {};
  const pid_t pid = ::fork();
  if (pid < 0) return {};
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::close(in[0]); ::close(in[1]); ::close(out[0]); ::close(out[1]);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  size_t written = 0;
  while (written < input.size()) {
    ssize_t w = ::write(in[1], input.data() + written, input.size() - written);
    if (w <= 0) break;
    written += static_cast<size_t>(w);
  }
  ::close(in[1]);
  ProcessResult r;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) r.out.append(buf, static_cast<size_t>(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
  return r;
}

std::string ChallengeJson(const CaptchaChallenge& c) {
  return R"({"algorithm":")" + c.algorithm + R"(","challenge":")" + c.challenge + R"(","maxnumber":)" +
         std::to_string(c.maxnumber) + R"(,"salt":")" + c.salt + R"(","signature":")" + c.signature + R"("})";
}

class AltchaNodeTest : public AltchaTest {
 protected:
  void SetUp() override {
    root_ = tribune::testing::RepoRoot("tests/integration/support/altcha_solve.mjs");
    if (!root_) GTEST_SKIP() << "repository root not found (set TRIBUNE_SOURCE_DIR)";
    node_ = tribune::testing::FindNode();
    if (!node_) GTEST_SKIP() << "node is not installed (set TRIBUNE_NODE or PATH); skipping the altcha-lib check";
    if (!std::filesystem::exists(*root_ / "node_modules/altcha-lib/package.json")) {
      GTEST_SKIP() << "node_modules/altcha-lib is missing in " << root_->string() << " (run npm ci)";
    }
  }
  ProcessResult NodeEval(const std::string& script, const std::vector<std::pair<std::string, std::string>>& env,
                         const std::string& input = "") {
    return RunProcess({*node_, "--input-type=module", "-e", script}, *root_, env, input);
  }

  std::optional<std::filesystem::path> root_;
  std::optional<std::string> node_;
};

TEST_F(AltchaNodeTest, TheWidgetsSolverSolvesOurChallengeAndWeAcceptItsPayload) {
  const auto c = altcha_.Issue();
  auto r = RunProcess({*node_, "tests/integration/support/altcha_solve.mjs"}, *root_, {}, ChallengeJson(c));
  ASSERT_EQ(r.status, 0) << r.out;
  auto proof = altcha_.Verify(r.out);
  ASSERT_TRUE(proof.ok()) << proof.error().message << " payload: " << r.out;
  EXPECT_EQ(proof->signature, c.signature);
}

TEST_F(AltchaNodeTest, AltchaLibVerifiesOurChallengeWithOurKey) {
  const auto c = altcha_.Issue();
  const std::string payload = Payload(c, Solve(c));
  auto r = NodeEval(R"(
      import { verifySolution } from 'altcha-lib';
      const ok = await verifySolution(process.env.PAYLOAD, process.env.HMAC_KEY, false);
      process.stdout.write(String(ok));)",
                    {{"PAYLOAD", payload}, {"HMAC_KEY", kKey}});
  ASSERT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "true");
}

TEST_F(AltchaNodeTest, AChallengeCreatedAndSolvedByAltchaLibWithOurKeyVerifies) {
  const int64_t expires = clock_.NowMicros() / 1'000'000 + kTtl;
  auto r = NodeEval(R"(
      import { createChallenge } from 'altcha-lib';
      import { solveCaptcha } from './tests/integration/support/altcha_solve.mjs';
      const c = await createChallenge({
        hmacKey: process.env.HMAC_KEY, maxnumber: 1000,
        expires: new Date(Number(process.env.EXPIRES) * 1000),
      });
      process.stdout.write(await solveCaptcha(JSON.stringify(c)));)",
                    {{"HMAC_KEY", kKey}, {"EXPIRES", std::to_string(expires)}});
  ASSERT_EQ(r.status, 0) << r.out;
  auto proof = altcha_.Verify(r.out);
  ASSERT_TRUE(proof.ok()) << proof.error().message << " payload: " << r.out;
  EXPECT_EQ(proof->expires_at, expires * 1'000'000);
}

}  // namespace
}  // namespace tribune::accounts
