// Start here for social login: OpenID Connect, authorization code flow with PKCE (RFC 7636, S256),
// against the providers configured in [[social.providers]].
//
// Begin() stores a single-use login (state hash, PKCE verifier, nonce, where to go back) and returns
// the provider's authorization URL. Complete() consumes it, exchanges the code at the token endpoint
// with the verifier, and verifies the ID token: signature (RS256 or ES256, key from the provider's
// JWKS by `kid`), `iss`, `aud` (and `azp`), `exp`/`iat` with a small skew, and `nonce`. Endpoints come
// from the provider's discovery document (/.well-known/openid-configuration), fetched once and cached.
// What to do with the verified identity (sign in, link, sign up) is the accounts' business.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace tribune::oidc {

struct ProviderConfig {
  std::string id;             // "google", "local": the path segment of /api/v1/social/{id}/...
  std::string display_name;   // "Google"
  std::string issuer;         // https://accounts.google.com (discovery at issuer + /.well-known/openid-configuration)
  std::string client_id;
  std::string client_secret;  // empty: a public client (PKCE only)
  std::string scopes = "openid email profile";
  bool allow_http = false;    // http:// issuers (tests on 127.0.0.1 only)
};

struct VerifiedIdentity {
  std::string provider;
  std::string subject;        // `sub`
  std::string email;          // as the provider gave it (may be empty)
  bool email_verified = false;
  std::string name;           // `name`, or "" when absent
};

struct Completed {
  VerifiedIdentity identity;
  std::string return_to;      // a local path, as given to Begin
};

struct ClientOptions {
  std::string redirect_base;           // the site's origin: the callback is redirect_base + /api/v1/social/{id}/callback
  int64_t login_ttl_seconds = 10 * 60;
  int64_t clock_skew_seconds = 120;
  int64_t http_timeout_ms = 10'000;
};

class Client {
 public:
  Client(storage::Database& db, const Clock& clock, std::vector<ProviderConfig> providers, ClientOptions options);
  ~Client();

  const std::vector<ProviderConfig>& providers() const { return providers_; }
  // Before serving only (not synchronised): the origin is known once the server listens.
  void SetRedirectBase(std::string base) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    options_.redirect_base = std::move(base);
  }

  // The authorization URL to redirect the browser to. `return_to` must be a local path ("/..."; not
  // "//..."), else "/" is used. Errors: kNotFound (unknown provider), kUnavailable (discovery failed).
  Result<std::string> Begin(const std::string& provider, const std::string& return_to);

  // Finishes a login from the callback's query. Errors: kBadRequest (unknown, expired or reused state,
  // an error from the provider, a token that does not verify), kNotFound (unknown provider),
  // kUnavailable (the provider cannot be reached).
  Result<Completed> Complete(const std::string& provider, const std::string& code, const std::string& state);

 private:
  struct Impl;
  storage::Database& db_;
  const Clock& clock_;
  std::vector<ProviderConfig> providers_;
  ClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

// PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)) without padding.
std::string PkceChallenge(const std::string& verifier);

// ---------------------------------------------------------------------------------------------------
// Building blocks of the Client, exposed for its tests. Not for use elsewhere.
namespace detail {

// --- http_fetch.cpp: a small HTTPS client (libcurl). TLS verified, no redirects followed, bodies
// limited to max_bytes. Only https, or http when allow_http is set and the host is loopback
// (127.0.0.1, localhost, ::1).
struct HttpOptions {
  int64_t timeout_ms = 10'000;
  size_t max_bytes = 1 << 20;
  bool allow_http = false;
};
struct HttpResponse {
  long status = 0;
  std::string body;
  std::string content_type;
  std::string location;       // the Location of a 3xx, resolved against the request URL
};
using FormFields = std::vector<std::pair<std::string, std::string>>;
// kBadRequest: the URL is not allowed; kUnavailable: the request failed or the body is too large.
Status CheckFetchUrl(const std::string& url, bool allow_http);
Result<HttpResponse> HttpGet(const std::string& url, const HttpOptions& options);
// POSTs application/x-www-form-urlencoded; `authorization` is a whole Authorization header value or "".
Result<HttpResponse> HttpPostForm(const std::string& url, const FormFields& form, const std::string& authorization,
                                  const HttpOptions& options);
// application/x-www-form-urlencoded (RFC 6749 appendix B: unreserved characters kept, the rest %XX).
std::string FormEncode(const std::string& text);
// "Basic " + base64(form-encoded id ":" form-encoded secret), RFC 6749 section 2.3.1.
std::string BasicAuthorization(const std::string& client_id, const std::string& client_secret);

// --- discovery.cpp: /.well-known/openid-configuration.
struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
};
std::string DiscoveryUrl(const std::string& issuer);
// Checks that `issuer` equals expected_issuer exactly and that the endpoints are https (or loopback
// http when allow_http). kUnavailable when the document does not qualify.
Result<ProviderMetadata> ParseDiscovery(const std::string& json, const std::string& expected_issuer, bool allow_http);

// --- jwks.cpp: public keys from a JWK Set. RSA (n, e; 2048 to 8192 bits) and EC P-256 (x, y).
struct PublicKey {  // owns an OpenSSL EVP_PKEY
  explicit PublicKey(evp_pkey_st* k) : pkey(k) {}
  ~PublicKey();
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;
  evp_pkey_st* pkey;
};
struct Jwk {
  std::string kid;
  std::string kty;            // "RSA" | "EC"
  std::string alg;            // as published, or ""
  std::shared_ptr<const PublicKey> key;
};
using KeySet = std::vector<Jwk>;
// Keys that cannot be used (other kty or curve, "use" other than "sig", bad numbers) are skipped.
// kUnavailable when the document is not a JWK Set.
Result<KeySet> ParseJwks(const std::string& json);
// The key for `alg` ("RS256" | "ES256") and `kid`; with no kid, the only compatible key. nullptr when none.
const Jwk* FindKey(const KeySet& keys, const std::string& alg, const std::string& kid);

// --- jwt.cpp: compact JWS and ID token checks.
inline constexpr size_t kMaxTokenBytes = 16 * 1024;
struct Jws {
  std::string alg;            // "RS256" | "ES256": anything else is refused while parsing
  std::string kid;            // "" when absent
  std::string signing_input;  // header.payload as received
  std::string signature;      // decoded bytes
  std::string payload;        // decoded JSON text
};
// Splits and decodes a compact JWS; refuses other algs, `crit`, bad base64url, non-JSON headers.
Result<Jws> ParseJws(const std::string& token);
// kBadRequest unless the signature verifies with the key (which must suit jws.alg).
Status VerifySignature(const Jws& jws, const Jwk& key);

struct IdTokenExpectations {
  std::string issuer;
  std::string client_id;
  std::string nonce;
  int64_t now_seconds = 0;
  int64_t skew_seconds = 120;
};
struct IdTokenClaims {
  std::string subject;
  std::string email;
  bool email_verified = false;
  std::string name;
};
// Checks iss, aud/azp, exp, iat, nbf, nonce, sub and email on the decoded payload.
Result<IdTokenClaims> CheckClaims(const std::string& payload_json, const IdTokenExpectations& expect);
// The whole verification: ParseJws, FindKey, VerifySignature, CheckClaims. kBadRequest on any failure.
Result<IdTokenClaims> VerifyIdToken(const std::string& token, const KeySet& keys, const IdTokenExpectations& expect);

}  // namespace detail
}  // namespace tribune::oidc
