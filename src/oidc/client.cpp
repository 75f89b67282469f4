// The OpenID Connect relying party: Begin() and Complete() of the authorization code flow with PKCE,
// with the provider's metadata and keys cached per provider. Codes, tokens, states, nonces and
// verifiers are never logged.
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "common/log.hpp"
#include "common/random.hpp"
#include "oidc/oidc.hpp"

namespace tribune::oidc {
namespace {

using namespace std::chrono_literals;

constexpr auto kMetadataTtl = 24h;
constexpr auto kMetadataRetryAfter = 10s;  // after a failed discovery, do not hammer the provider
constexpr auto kKeysTtl = 24h;
constexpr auto kKeysRefetchInterval = 60s;  // an unknown kid refetches the JWKS at most this often
constexpr auto kCleanupInterval = 5min;
constexpr size_t kMaxCodeBytes = 4096;
constexpr size_t kMaxStateBytes = 256;
constexpr size_t kMaxReturnToBytes = 2048;

std::string SafeReturnTo(const std::string& return_to) {
  if (return_to.empty() || return_to.size() > kMaxReturnToBytes || return_to[0] != '/') return "/";
  if (return_to.size() > 1 && (return_to[1] == '/' || return_to[1] == '\\')) return "/";
  for (unsigned char ch : return_to) {
    if (ch < 0x20 || ch == 0x7f || ch == '\\') return "/";
  }
  return return_to;
}

std::string QueryEncode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

void LogProviderProblem(const std::string& provider, std::string_view what, const Error& error) {
  log::Warn(what, "\"provider\":\"" + log::JsonEscape(provider) + "\",\"error\":\"" + log::JsonEscape(error.message) +
                      "\"");
}

}  // namespace

std::string PkceChallenge(const std::string& verifier) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(verifier.data(), verifier.size(), digest, &len, EVP_sha256(), nullptr);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

struct Client::Impl {
  struct ProviderState {
    std::mutex mu;  // held while fetching: one discovery or JWKS fetch at a time per provider
    std::optional<detail::ProviderMetadata> metadata;
    TimePoint metadata_at{};
    std::optional<TimePoint> metadata_failed_at;
    std::optional<detail::KeySet> keys;
    TimePoint keys_at{};
  };
  std::map<std::string, std::unique_ptr<ProviderState>> states;
  std::mutex cleanup_mu;
  TimePoint next_cleanup{};

  detail::HttpOptions Http(const ProviderConfig& p, int64_t timeout_ms) const {
    detail::HttpOptions o;
    o.timeout_ms = timeout_ms;
    o.allow_http = p.allow_http;
    return o;
  }

  // Caller holds st.mu.
  Result<detail::ProviderMetadata> MetadataLocked(const ProviderConfig& p, ProviderState& st, const Clock& clock,
                                                  int64_t timeout_ms) {
    const TimePoint now = clock.Now();
    if (st.metadata && now - st.metadata_at < kMetadataTtl) return *st.metadata;
    if (st.metadata_failed_at && now - *st.metadata_failed_at < kMetadataRetryAfter) {
      if (st.metadata) return *st.metadata;  // stale beats nothing
      return MakeError(ErrorCode::kUnavailable, "the provider's discovery document is unavailable");
    }
    auto fetched = [&]() -> Result<detail::ProviderMetadata> {
      TRIBUNE_ASSIGN(auto response, detail::HttpGet(detail::DiscoveryUrl(p.issuer), Http(p, timeout_ms)));
      if (response.status != 200) {
        return MakeError(ErrorCode::kUnavailable, "discovery answered HTTP " + std::to_string(response.status));
      }
      return detail::ParseDiscovery(response.body, p.issuer, p.allow_http);
    }();
    if (!fetched.ok()) {
      st.metadata_failed_at = now;
      LogProviderProblem(p.id, "oidc discovery failed", fetched.error());
      if (st.metadata) return *st.metadata;
      return MakeError(ErrorCode::kUnavailable, "the provider's discovery document is unavailable");
    }
    st.metadata = fetched.value();
    st.metadata_at = now;
    st.metadata_failed_at.reset();
    return *st.metadata;
  }

  // Caller holds st.mu.
  Status FetchKeysLocked(const ProviderConfig& p, ProviderState& st, const detail::ProviderMetadata& meta,
                         const Clock& clock, int64_t timeout_ms) {
    const TimePoint now = clock.Now();
    st.keys_at = now;  // also rate-limits failed fetches
    auto fetched = [&]() -> Result<detail::KeySet> {
      TRIBUNE_ASSIGN(auto response, detail::HttpGet(meta.jwks_uri, Http(p, timeout_ms)));
      if (response.status != 200) {
        return MakeError(ErrorCode::kUnavailable, "the JWKS answered HTTP " + std::to_string(response.status));
      }
      return detail::ParseJwks(response.body);
    }();
    if (!fetched.ok()) {
      LogProviderProblem(p.id, "oidc jwks fetch failed", fetched.error());
      return MakeError(ErrorCode::kUnavailable, "the provider's keys are unavailable");
    }
    st.keys = std::move(fetched).value();
    return {};
  }
};

Client::Client(storage::Database& db, const Clock& clock, std::vector<ProviderConfig> providers, ClientOptions options)
    : db_(db), clock_(clock), providers_(std::move(providers)), options_(std::move(options)),
      impl_(std::make_unique<Impl>()) {
  InitCrypto();
  for (const auto& p : providers_) impl_->states.emplace(p.id, std::make_unique<Impl::ProviderState>());
  while (!options_.redirect_base.empty() && options_.redirect_base.back() == '/') options_.redirect_base.pop_back();
}

Client::~Client() = default;

Result<std::string> Client::Begin(const std::string& provider, const std::string& return_to) {
  const ProviderConfig* p = nullptr;
  for (const auto& candidate : providers_) {
    if (candidate.id == provider) p = &candidate;
  }
  if (!p) return MakeError(ErrorCode::kNotFound, "unknown provider");
  auto& st = *impl_->states.at(p->id);
  detail::ProviderMetadata meta;
  {
    std::lock_guard lock(st.mu);
    TRIBUNE_ASSIGN(meta, impl_->MetadataLocked(*p, st, clock_, options_.http_timeout_ms));
  }

  const std::string state = RandomToken(32);
  const std::string nonce = RandomToken(32);
  const std::string verifier = RandomToken(32);  // 43 characters of [A-Za-z0-9_-]: RFC 7636 section 4.1
  const std::string target = SafeReturnTo(return_to);
  const int64_t now = clock_.NowMicros();
  const int64_t expires_at = now + options_.login_ttl_seconds * 1'000'000;
  bool cleanup = false;
  {
    std::lock_guard lock(impl_->cleanup_mu);
    if (clock_.Now() >= impl_->next_cleanup) {
      cleanup = true;
      impl_->next_cleanup = clock_.Now() + kCleanupInterval;
    }
  }
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    if (cleanup) TRIBUNE_TRY(s.Exec("DELETE FROM social_logins WHERE expires_at <= $1", {now}));
    TRIBUNE_TRY(s.Exec(
        "INSERT INTO social_logins (state_hash, provider, code_verifier, nonce, return_to, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {Sha256Hex(state), p->id, verifier, nonce, target, expires_at}));
    return {};
  }));

  auto parsed = boost::urls::parse_absolute_uri(meta.authorization_endpoint);
  if (!parsed) return MakeError(ErrorCode::kUnavailable, "the provider's authorization endpoint is not a URL");
  boost::urls::url url(*parsed);
  url.remove_fragment();
  const std::pair<const char*, std::string> params[] = {
      {"response_type", "code"},
      {"client_id", p->client_id},
      {"redirect_uri", options_.redirect_base + "/api/v1/social/" + p->id + "/callback"},
      {"scope", p->scopes},
      {"state", state},
      {"nonce", nonce},
      {"code_challenge", PkceChallenge(verifier)},
      {"code_challenge_method", "S256"},
  };
  for (const auto& [name, value] : params) {
    const std::string encoded = QueryEncode(value);
    url.encoded_params().append({boost::urls::pct_string_view(name), boost::urls::pct_string_view(encoded)});
  }
  return std::string(url.buffer());
}

Result<Completed> Client::Complete(const std::string& provider, const std::string& code, const std::string& state) {
  const ProviderConfig* p = nullptr;
  for (const auto& candidate : providers_) {
    if (candidate.id == provider) p = &candidate;
  }
  if (!p) return MakeError(ErrorCode::kNotFound, "unknown provider");
  if (code.empty() || code.size() > kMaxCodeBytes || state.empty() || state.size() > kMaxStateBytes) {
    return MakeError(ErrorCode::kBadRequest, "missing or malformed code or state");
  }

  // Consume the login: whatever happens next, this state cannot be used again.
  struct Login {
    std::string provider, verifier, nonce, return_to;
    int64_t expires_at = 0;
  };
  std::optional<Login> login;
  TRIBUNE_TRY(db_.Write([&](storage::Session& s) -> Status {
    login.reset();
    const std::string hash = Sha256Hex(state);
    TRIBUNE_ASSIGN(auto rows, s.Query("SELECT provider, code_verifier, nonce, return_to, expires_at FROM social_logins "
                                      "WHERE state_hash = $1",
                                      {hash}));
    if (rows.empty()) return Ok{};
    TRIBUNE_TRY(s.Exec("DELETE FROM social_logins WHERE state_hash = $1", {hash}));
    login = Login{rows[0].Text(0), rows[0].Text(1), rows[0].Text(2), rows[0].Text(3), rows[0].Int(4)};
    return Ok{};
  }));
  if (!login) return MakeError(ErrorCode::kBadRequest, "unknown or already used login state");
  if (login->expires_at <= clock_.NowMicros()) return MakeError(ErrorCode::kBadRequest, "the login has expired");
  if (login->provider != p->id) return MakeError(ErrorCode::kBadRequest, "the login belongs to another provider");

  auto& st = *impl_->states.at(p->id);
  detail::ProviderMetadata meta;
  {
    std::lock_guard lock(st.mu);
    TRIBUNE_ASSIGN(meta, impl_->MetadataLocked(*p, st, clock_, options_.http_timeout_ms));
  }

  // The code exchange.
  detail::FormFields form = {
      {"grant_type", "authorization_code"},
      {"code", code},
      {"redirect_uri", options_.redirect_base + "/api/v1/social/" + p->id + "/callback"},
      {"code_verifier", login->verifier},
      {"client_id", p->client_id},
  };
  const std::string authorization =
      p->client_secret.empty() ? std::string() : detail::BasicAuthorization(p->client_id, p->client_secret);
  auto response = detail::HttpPostForm(meta.token_endpoint, form, authorization,
                                       impl_->Http(*p, options_.http_timeout_ms));
  if (!response.ok()) {
    LogProviderProblem(p->id, "oidc token request failed", response.error());
    return MakeError(ErrorCode::kUnavailable, "the provider cannot be reached");
  }
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(response->body, ec);
  if (response->status == 400 || response->status == 401) {
    std::string reason = "unknown";
    if (!ec && body.is_object()) {
      if (const auto* e = body.as_object().if_contains("error"); e && e->is_string() && e->as_string().size() <= 64) {
        reason = std::string(e->as_string());
        for (char& ch : reason) {
          if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_')) ch = '?';
        }
      }
    }
    return MakeError(ErrorCode::kBadRequest, "the provider refused the code: " + reason);
  }
  if (response->status != 200) {
    Error e = MakeError(ErrorCode::kUnavailable, "token endpoint answered HTTP " + std::to_string(response->status));
    LogProviderProblem(p->id, "oidc token request failed", e);
    return e;
  }
  if (ec || !body.is_object()) return MakeError(ErrorCode::kUnavailable, "the token response is not JSON");
  const auto* id_token_value = body.as_object().if_contains("id_token");
  if (!id_token_value || !id_token_value->is_string()) {
    return MakeError(ErrorCode::kBadRequest, "the token response has no ID token");
  }
  const std::string id_token(id_token_value->as_string());

  // The keys: cached; fetched when missing or old, or (rate-limited) when the token's kid is unknown.
  TRIBUNE_ASSIGN(detail::Jws jws, detail::ParseJws(id_token));
  detail::KeySet keys;
  {
    std::lock_guard lock(st.mu);
    const TimePoint now = clock_.Now();
    const bool fresh = st.keys && now - st.keys_at < kKeysTtl;
    bool known = fresh && detail::FindKey(*st.keys, jws.alg, jws.kid) != nullptr;
    if (!known && (!st.keys || now - st.keys_at >= kKeysRefetchInterval)) {
      auto fetched = impl_->FetchKeysLocked(*p, st, meta, clock_, options_.http_timeout_ms);
      if (!fetched.ok() && !st.keys) return std::move(fetched).error();
    }
    if (st.keys) keys = *st.keys;
  }

  detail::IdTokenExpectations expect;
  expect.issuer = p->issuer;
  expect.client_id = p->client_id;
  expect.nonce = login->nonce;
  expect.now_seconds = clock_.NowMicros() / 1'000'000;
  expect.skew_seconds = options_.clock_skew_seconds;
  TRIBUNE_ASSIGN(auto claims, detail::VerifyIdToken(id_token, keys, expect));

  Completed out;
  out.identity.provider = p->id;
  out.identity.subject = std::move(claims.subject);
  out.identity.email = std::move(claims.email);
  out.identity.email_verified = claims.email_verified;
  out.identity.name = std::move(claims.name);
  out.return_to = SafeReturnTo(login->return_to);
  return out;
}

}  // namespace tribune::oidc
