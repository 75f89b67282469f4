// The whole flow against a real OpenID Connect provider (tests/integration/support/oidc_provider.mjs,
// run with node): Begin, the provider's /authorize, Complete; single use; every tampered ID token refused.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/random.hpp"
#include "oidc/oidc.hpp"
#include "support/node_tools.hpp"
#include "support/temp_database.hpp"

extern char** environ;

namespace tribune::oidc {
namespace {

namespace fs = std::filesystem;


// One `node oidc_provider.mjs 0 ...` child. Its stdin is a pipe: it exits when we go away.
class NodeProvider {
 public:
  static std::unique_ptr<NodeProvider> Start(const std::vector<std::string>& extra_args, std::string* why) {
    auto node = tribune::testing::FindNode();
    if (!node) return *why = "node is not installed", nullptr;
    auto root = tribune::testing::RepoRoot("tests/integration/support/oidc_provider.mjs");
    if (!root) return *why = "repository root not found (set TRIBUNE_SOURCE_DIR)", nullptr;
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) return *why = "pipe failed", nullptr;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    std::vector<std::string> args = {*node, (*root / "tests/integration/support/oidc_provider.mjs").string(), "0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    auto p = std::unique_ptr<NodeProvider>(new NodeProvider);
    const int rc = posix_spawn(&p->pid_, node->c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    p->stdin_ = in[1];
    p->stdout_ = out[0];
    if (rc != 0) {
      p->pid_ = -1;
      return *why = "cannot spawn node", nullptr;
    }
    // "issuer http://127.0.0.1:PORT\n"
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (line.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd pfd{p->stdout_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
        return *why = "the provider did not start", nullptr;
      }
      char buf[256];
      const ssize_t n = ::read(p->stdout_, buf, sizeof buf);
      if (n <= 0) return *why = "the provider exited", nullptr;
      line.append(buf, static_cast<size_t>(n));
    }
    line.resize(line.find('\n'));
    if (line.rfind("issuer ", 0) != 0) return *why = "unexpected provider output: " + line, nullptr;
    p->issuer_ = line.substr(7);
    return p;
  }
  ~NodeProvider() {
    if (stdin_ >= 0) ::close(stdin_);
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (stdout_ >= 0) ::close(stdout_);
  }
  const std::string& issuer() const { return issuer_; }

  // GET /_test/next?user=&tamper=
  void SetNext(const std::string& tamper) {
    auto r = detail::HttpGet(issuer_ + "/_test/next?tamper=" + detail::FormEncode(tamper), {.allow_http = true});
    ASSERT_TRUE(r.ok() && r->status == 200) << tamper;
  }
  int64_t Stat(const char* name) {
    auto r = detail::HttpGet(issuer_ + "/_test/stats", {.allow_http = true});
    EXPECT_TRUE(r.ok() && r->status == 200);
    return r.ok() ? boost::json::parse(r->body).at(name).as_int64() : -1;
  }
  boost::json::array Requests() {
    auto r = detail::HttpGet(issuer_ + "/_test/requests", {.allow_http = true});
    EXPECT_TRUE(r.ok() && r->status == 200);
    return r.ok() ? boost::json::parse(r->body).as_array() : boost::json::array{};
  }

 private:
  NodeProvider() = default;
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  std::string issuer_;
};

std::map<std::string, std::string> QueryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  auto u = boost::urls::parse_uri_reference(url);
  EXPECT_TRUE(u.has_value()) << url;
  if (!u) return out;
  for (const auto& p : u->params()) out[std::string(p.key)] = std::string(p.value);
  return out;
}

class ClientFlowTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    rs256_ = NodeProvider::Start({}, &why).release();
    if (rs256_) es256_ = NodeProvider::Start({"--alg", "ES256"}, &why).release();
    if (!rs256_ || !es256_) skip_reason_ = new std::string(why);
  }
  static void TearDownTestSuite() {
    delete rs256_;
    delete es256_;
    delete skip_reason_;
    rs256_ = es256_ = nullptr;
    skip_reason_ = nullptr;
  }
  void SetUp() override {
    if (skip_reason_) GTEST_SKIP() << "OIDC provider unavailable: " << *skip_reason_;
    clock_.Set(std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count());
  }

  static ProviderConfig Config(const std::string& id, const NodeProvider& op) {
    ProviderConfig p;
    p.id = id;
    p.display_name = "Local " + id;
    p.issuer = op.issuer();
    p.client_id = "tribune-test";
    p.client_secret = "secret";
    p.allow_http = true;
    return p;
  }
  std::unique_ptr<Client> MakeClient(std::vector<ProviderConfig> providers) {
    ClientOptions o;
    o.redirect_base = "https://tribune.test/";
    o.http_timeout_ms = 5'000;
    return std::make_unique<Client>(tmp_.db(), clock_, std::move(providers), o);
  }

  // The browser's part: follow the authorization URL to the provider and read where it sends us back.
  struct Callback {
    std::string code, state, error;
  };
  static Callback Authorize(const std::string& url) {
    auto r = detail::HttpGet(url, {.allow_http = true});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 302);
    EXPECT_EQ(r->location.rfind("https://tribune.test/api/v1/social/", 0), 0u) << r->location;
    auto q = QueryOf(r->location);
    return {q["code"], q["state"], q["error"]};
  }

  Result<Completed> Login(Client& client, const std::string& provider, const std::string& return_to = "/a/b?c=d") {
    auto url = client.Begin(provider, return_to);
    EXPECT_TRUE(url.ok()) << url.error().message;
    if (!url.ok()) return url.error();
    auto cb = Authorize(*url);
    EXPECT_EQ(cb.error, "");
    last_ = cb;
    return client.Complete(provider, cb.code, cb.state);
  }

  static inline NodeProvider* rs256_ = nullptr;
  static inline NodeProvider* es256_ = nullptr;
  static inline std::string* skip_reason_ = nullptr;
  testing::TempDatabase tmp_;
  FakeClock clock_;
  Callback last_;
};

TEST_F(ClientFlowTest, BeginBuildsTheAuthorizationUrlAndStoresTheLogin) {
  auto client = MakeClient({Config("local", *rs256_)});
  auto url = client->Begin("local", "/articles/1?x=1");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->rfind(rs256_->issuer() + "/authorize?", 0), 0u) << *url;
  auto q = QueryOf(*url);
  EXPECT_EQ(q["response_type"], "code");
  EXPECT_EQ(q["client_id"], "tribune-test");
  EXPECT_EQ(q["redirect_uri"], "https://tribune.test/api/v1/social/local/callback");
  EXPECT_EQ(q["scope"], "openid email profile");
  EXPECT_EQ(q["code_challenge_method"], "S256");
  EXPECT_EQ(q["state"].size(), 43u);
  EXPECT_EQ(q["nonce"].size(), 43u);
  EXPECT_EQ(q["code_challenge"].size(), 43u);
  EXPECT_NE(url->find("scope=openid%20email%20profile"), std::string::npos);
  EXPECT_NE(url->find("redirect_uri=https%3A%2F%2Ftribune.test%2Fapi%2Fv1%2Fsocial%2Flocal%2Fcallback"),
            std::string::npos);
  auto rows = tmp_.db().Read("SELECT state_hash, provider, code_verifier, nonce, return_to, expires_at FROM social_logins");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const auto& row = (*rows)[0];
  EXPECT_EQ(row.Text(0), Sha256Hex(q["state"]));  // the state itself is not stored
  EXPECT_EQ(row.Text(1), "local");
  EXPECT_EQ(PkceChallenge(row.Text(2)), q["code_challenge"]);
  EXPECT_EQ(row.Text(3), q["nonce"]);
  EXPECT_EQ(row.Text(4), "/articles/1?x=1");
  EXPECT_EQ(row.Int(5), clock_.NowMicros() + 600'000'000);
}

TEST_F(ClientFlowTest, ReturnToMustBeALocalPath) {
  auto client = MakeClient({Config("local", *rs256_)});
  for (const char* bad : {"", "https://evil.example/", "//evil.example/x", "/\\evil.example", "relative",
                                 "/a\nb"}) {
    ASSERT_TRUE(client->Begin("local", bad).ok());
    auto rows = tmp_.db().Read("SELECT return_to FROM social_logins WHERE return_to <> '/'");
    ASSERT_TRUE(rows.ok());
    EXPECT_TRUE(rows->empty()) << bad;
  }
}

TEST_F(ClientFlowTest, FullFlowRs256) {
  auto client = MakeClient({Config("local", *rs256_)});
  const size_t before = rs256_->Requests().size();
  auto done = Login(*client, "local");
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->identity.provider, "local");
  EXPECT_EQ(done->identity.subject, "alice-0001");
  EXPECT_EQ(done->identity.email, "alice@example.test");
  EXPECT_TRUE(done->identity.email_verified);
  EXPECT_EQ(done->identity.name, "Alice Example");
  EXPECT_EQ(done->return_to, "/a/b?c=d");
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM social_logins"), 0);
  // The provider received the verifier (checked against the challenge) by client_secret_basic.
  auto requests = rs256_->Requests();
  ASSERT_EQ(requests.size(), before + 1);
  const auto& last = requests.back().as_object();
  EXPECT_EQ(last.at("client_auth").as_string(), "client_secret_basic");
  EXPECT_EQ(last.at("status").as_int64(), 200);
  EXPECT_EQ(last.at("code_verifier").as_string().size(), 43u);
  EXPECT_EQ(last.at("redirect_uri").as_string(), "https://tribune.test/api/v1/social/local/callback");
}

TEST_F(ClientFlowTest, FullFlowEs256) {
  auto client = MakeClient({Config("local", *es256_)});
  auto done = Login(*client, "local");
  ASSERT_TRUE(done.ok()) << done.error().message;
  EXPECT_EQ(done->identity.subject, "alice-0001");
}

TEST_F(ClientFlowTest, StateIsSingleUse) {
  auto client = MakeClient({Config("local", *rs256_)});
  ASSERT_TRUE(Login(*client, "local").ok());
  auto again = client->Complete("local", last_.code, last_.state);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kBadRequest);
  // A state that was never issued.
  auto unknown = client->Complete("local", last_.code, RandomToken(32));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kBadRequest);
}

TEST_F(ClientFlowTest, EveryTamperedIdTokenIsRefused) {
  auto client = MakeClient({Config("local", *rs256_)});
  const std::pair<const char*, const char*> cases[] = {
      {"signature", "bad signature"}, {"nonce", "wrong nonce"},          {"aud", "wrong audience"},
      {"iss", "wrong issuer"},        {"expired", "expired"},            {"alg-none", "alg not allowed"},
      {"alg-hs256", "alg not allowed"}, {"wrong-key", "bad signature"}, {"unknown-kid", "no key for its kid"},
  };
  for (const auto& [kind, why] : cases) {
    rs256_->SetNext(kind);
    auto done = Login(*client, "local");
    ASSERT_FALSE(done.ok()) << kind;
    EXPECT_EQ(done.error().code, ErrorCode::kBadRequest) << kind;
    EXPECT_NE(done.error().message.find(why), std::string::npos) << kind << ": " << done.error().message;
  }
  // And the provider is still fine afterwards.
  EXPECT_TRUE(Login(*client, "local").ok());
}

TEST_F(ClientFlowTest, EveryTamperedEs256IdTokenIsRefused) {
  auto client = MakeClient({Config("local", *es256_)});
  for (const char* kind : {"signature", "nonce", "alg-none", "alg-hs256", "wrong-key"}) {
    es256_->SetNext(kind);
    auto done = Login(*client, "local");
    ASSERT_FALSE(done.ok()) << kind;
    EXPECT_EQ(done.error().code, ErrorCode::kBadRequest) << kind;
  }
}

TEST_F(ClientFlowTest, MetadataAndKeysAreCachedAndUnknownKidRefetchIsRateLimited) {
  auto client = MakeClient({Config("local", *rs256_)});
  const int64_t discovery = rs256_->Stat("discovery"), jwks = rs256_->Stat("jwks");
  ASSERT_TRUE(Login(*client, "local").ok());
  ASSERT_TRUE(Login(*client, "local").ok());
  EXPECT_EQ(rs256_->Stat("discovery"), discovery + 1);
  EXPECT_EQ(rs256_->Stat("jwks"), jwks + 1);
  rs256_->SetNext("unknown-kid");  // keys fetched just now: no refetch
  EXPECT_FALSE(Login(*client, "local").ok());
  EXPECT_EQ(rs256_->Stat("jwks"), jwks + 1);
  clock_.Advance(std::chrono::seconds(61));
  rs256_->SetNext("unknown-kid");  // a minute later: one refetch
  EXPECT_FALSE(Login(*client, "local").ok());
  EXPECT_EQ(rs256_->Stat("jwks"), jwks + 2);
  rs256_->SetNext("unknown-kid");
  EXPECT_FALSE(Login(*client, "local").ok());
  EXPECT_EQ(rs256_->Stat("jwks"), jwks + 2);
  ASSERT_TRUE(Login(*client, "local").ok());
  EXPECT_EQ(rs256_->Stat("discovery"), discovery + 1);
}

TEST_F(ClientFlowTest, ExpiredLoginRefusedWithoutCallingTheProvider) {
  auto client = MakeClient({Config("local", *rs256_)});
  auto url = client->Begin("local", "/");
  ASSERT_TRUE(url.ok());
  auto cb = Authorize(*url);
  const size_t before = rs256_->Requests().size();
  clock_.Advance(std::chrono::seconds(601));
  auto done = client->Complete("local", cb.code, cb.state);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(rs256_->Requests().size(), before);
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM social_logins"), 0);
}

TEST_F(ClientFlowTest, ExpiredLoginsAreCleanedUp) {
  auto client = MakeClient({Config("local", *rs256_)});
  ASSERT_TRUE(client->Begin("local", "/").ok());
  ASSERT_TRUE(client->Begin("local", "/").ok());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM social_logins"), 2);
  clock_.Advance(std::chrono::minutes(11));
  ASSERT_TRUE(client->Begin("local", "/").ok());
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM social_logins"), 1);
}

TEST_F(ClientFlowTest, LoginBelongsToItsProvider) {
  auto client = MakeClient({Config("local", *rs256_), Config("other", *rs256_)});
  auto url = client->Begin("local", "/");
  ASSERT_TRUE(url.ok());
  auto cb = Authorize(*url);
  auto done = client->Complete("other", cb.code, cb.state);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kBadRequest);
  // The login was consumed by the attempt.
  EXPECT_FALSE(client->Complete("local", cb.code, cb.state).ok());
}

TEST_F(ClientFlowTest, UnknownProvider) {
  auto client = MakeClient({Config("local", *rs256_)});
  auto begin = client->Begin("nope", "/");
  ASSERT_FALSE(begin.ok());
  EXPECT_EQ(begin.error().code, ErrorCode::kNotFound);
  auto complete = client->Complete("nope", "code", "state");
  ASSERT_FALSE(complete.ok());
  EXPECT_EQ(complete.error().code, ErrorCode::kNotFound);
}

TEST_F(ClientFlowTest, BadCodeRefusedByTheProvider) {
  auto client = MakeClient({Config("local", *rs256_)});
  auto url = client->Begin("local", "/");
  ASSERT_TRUE(url.ok());
  auto cb = Authorize(*url);
  auto done = client->Complete("local", cb.code + "x", cb.state);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kBadRequest);
}

TEST_F(ClientFlowTest, WrongClientSecretRefused) {
  auto config = Config("local", *rs256_);
  config.client_secret = "wrong";
  auto client = MakeClient({config});
  auto done = Login(*client, "local");
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().code, ErrorCode::kBadRequest);
}

TEST_F(ClientFlowTest, DiscoveryFailures) {
  auto mismatch = Config("local", *rs256_);
  // Same server, but the document names http://127.0.0.1:PORT, not http://localhost:PORT.
  mismatch.issuer = "http://localhost:" + rs256_->issuer().substr(rs256_->issuer().rfind(':') + 1);
  auto unreachable = Config("down", *rs256_);
  unreachable.issuer = "http://127.0.0.1:1";
  auto no_http = Config("plain", *rs256_);
  no_http.allow_http = false;
  auto client = MakeClient({mismatch, unreachable, no_http});
  for (const char* id : {"local", "down", "plain"}) {
    auto r = client->Begin(id, "/");
    ASSERT_FALSE(r.ok()) << id;
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << id;
  }
  EXPECT_EQ(tmp_.Count("SELECT COUNT(*) FROM social_logins"), 0);
}

}  // namespace
}  // namespace tribune::oidc
