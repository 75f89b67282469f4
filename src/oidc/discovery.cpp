// OpenID Connect Discovery 1.0: the provider's metadata at issuer + /.well-known/openid-configuration.
// The document's `issuer` must equal the configured one exactly (section 4.3), and its endpoints must
// be https (loopback http only for test providers with allow_http).
#include <boost/json.hpp>
#include <string>

#include "oidc/oidc.hpp"

namespace tribune::oidc::detail {
namespace {

Result<std::string> RequiredUrl(const boost::json::object& doc, const char* name, bool allow_http) {
  const auto* v = doc.if_contains(name);
  if (!v || !v->is_string() || v->as_string().empty()) {
    return MakeError(ErrorCode::kUnavailable, std::string("the discovery document has no ") + name);
  }
  std::string url(v->as_string());
  auto allowed = CheckFetchUrl(url, allow_http);
  if (!allowed.ok()) {
    return MakeError(ErrorCode::kUnavailable, std::string("the discovery document's ") + name + " is not allowed: " +
                                                  allowed.error().message);
  }
  return url;
}

}  // namespace

std::string DiscoveryUrl(const std::string& issuer) {
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/.well-known/openid-configuration";
}

Result<ProviderMetadata> ParseDiscovery(const std::string& json, const std::string& expected_issuer, bool allow_http) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object()) return MakeError(ErrorCode::kUnavailable, "the discovery document is not a JSON object");
  const auto& obj = doc.as_object();
  const auto* iss = obj.if_contains("issuer");
  if (!iss || !iss->is_string() || std::string_view(iss->as_string()) != expected_issuer) {
    return MakeError(ErrorCode::kUnavailable, "the discovery document's issuer is not the configured issuer");
  }
  ProviderMetadata meta;
  meta.issuer = expected_issuer;
  TRIBUNE_ASSIGN(meta.authorization_endpoint, RequiredUrl(obj, "authorization_endpoint", allow_http));
  TRIBUNE_ASSIGN(meta.token_endpoint, RequiredUrl(obj, "token_endpoint", allow_http));
  TRIBUNE_ASSIGN(meta.jwks_uri, RequiredUrl(obj, "jwks_uri", allow_http));
  // If the provider lists what it supports, the code flow and S256 must be among them.
  if (const auto* types = obj.if_contains("response_types_supported"); types && types->is_array()) {
    bool code = false;
    for (const auto& t : types->as_array()) code = code || (t.is_string() && t.as_string() == "code");
    if (!code) return MakeError(ErrorCode::kUnavailable, "the provider does not support the code flow");
  }
  if (const auto* methods = obj.if_contains("code_challenge_methods_supported"); methods && methods->is_array()) {
    bool s256 = false;
    for (const auto& m : methods->as_array()) s256 = s256 || (m.is_string() && m.as_string() == "S256");
    if (!s256) return MakeError(ErrorCode::kUnavailable, "the provider does not support PKCE S256");
  }
  return meta;
}

}  // namespace tribune::oidc::detail
