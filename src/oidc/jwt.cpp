// Compact JWS (RFC 7515) verification for ID tokens, and the ID token claim checks of OpenID Connect
// Core 1.0 section 3.1.3.7. Algorithms: RS256 and ES256 only; `none` and HS* are refused before any
// key is looked at, so an RSA public key can never be used as an HMAC secret.
// Error messages never quote the token.
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "common/random.hpp"
#include "oidc/oidc.hpp"

namespace tribune::oidc::detail {
namespace {

constexpr size_t kMaxSubjectBytes = 255;
constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxNameBytes = 1024;

Error Refused(const std::string& why) { return MakeError(ErrorCode::kBadRequest, "ID token refused: " + why); }

std::optional<boost::json::object> ParseObject(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// A NumericDate (seconds since the epoch) as an integer; nullopt when absent or not a number.
std::optional<int64_t> NumericDate(const boost::json::object& claims, const char* name) {
  const auto* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) {
    const auto u = v->as_uint64();
    return u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ? std::numeric_limits<int64_t>::max()
                                                                            : static_cast<int64_t>(u);
  }
  if (v->is_double()) {
    const double d = v->as_double();
    if (!std::isfinite(d) || std::fabs(d) > 1e15) return std::nullopt;
    return static_cast<int64_t>(std::floor(d));
  }
  return std::nullopt;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct SigDeleter {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

// JWS ES256 signatures are r||s, 32 bytes each; EVP wants the DER ECDSA-Sig-Value.
std::optional<std::string> RawEcdsaToDer(const std::string& raw) {
  if (raw.size() != 64) return std::nullopt;
  std::unique_ptr<ECDSA_SIG, SigDeleter> sig(ECDSA_SIG_new());
  if (!sig) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &p) != len) return std::nullopt;
  return der;
}

}  // namespace

Result<Jws> ParseJws(const std::string& token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return Refused("bad size");
  const size_t dot1 = token.find('.');
  if (dot1 == std::string::npos) return Refused("not a compact JWS");
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos) {
    return Refused("not a compact JWS");
  }
  const std::string_view header_b64(token.data(), dot1);
  const std::string_view payload_b64(token.data() + dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64(token.data() + dot2 + 1, token.size() - dot2 - 1);
  auto header_text = Base64UrlDecode(header_b64);
  if (!header_text || header_text->empty()) return Refused("bad header encoding");
  auto header = ParseObject(*header_text);
  if (!header) return Refused("the header is not a JSON object");
  const auto* alg = header->if_contains("alg");
  if (!alg || !alg->is_string()) return Refused("no alg");
  Jws jws;
  jws.alg = std::string(alg->as_string());
  if (jws.alg != "RS256" && jws.alg != "ES256") return Refused("alg not allowed");
  if (header->contains("crit")) return Refused("unsupported critical header");
  if (const auto* kid = header->if_contains("kid")) {
    if (!kid->is_string() || kid->as_string().size() > 256) return Refused("bad kid");
    jws.kid = std::string(kid->as_string());
  }
  if (payload_b64.empty() || signature_b64.empty()) return Refused("empty part");
  auto payload = Base64UrlDecode(payload_b64);
  if (!payload) return Refused("bad payload encoding");
  auto signature = Base64UrlDecode(signature_b64);
  if (!signature || signature->empty()) return Refused("bad signature encoding");
  jws.signing_input = std::string(token.data(), dot2);
  jws.payload = std::move(*payload);
  jws.signature = std::move(*signature);
  return jws;
}

Status VerifySignature(const Jws& jws, const Jwk& key) {
  if (!key.key || !key.key->pkey) return Refused("no key");
  EVP_PKEY* pkey = key.key->pkey;
  std::string signature;
  if (jws.alg == "RS256") {
    if (!EVP_PKEY_is_a(pkey, "RSA")) return Refused("key type does not match alg");
    if (static_cast<int>(jws.signature.size()) != EVP_PKEY_get_size(pkey)) return Refused("bad signature");
    signature = jws.signature;
  } else if (jws.alg == "ES256") {
    if (!EVP_PKEY_is_a(pkey, "EC")) return Refused("key type does not match alg");
    auto der = RawEcdsaToDer(jws.signature);
    if (!der) return Refused("bad signature");
    signature = std::move(*der);
  } else {
    return Refused("alg not allowed");
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey) != 1) {
    return MakeError(ErrorCode::kInternal, "EVP_DigestVerifyInit failed");
  }
  const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                  signature.size(), reinterpret_cast<const unsigned char*>(jws.signing_input.data()),
                                  jws.signing_input.size());
  if (ok != 1) return Refused("bad signature");
  return {};
}

Result<IdTokenClaims> CheckClaims(const std::string& payload_json, const IdTokenExpectations& expect) {
  auto parsed = ParseObject(payload_json);
  if (!parsed) return Refused("the payload is not a JSON object");
  const auto& c = *parsed;

  const auto* iss = c.if_contains("iss");
  if (!iss || !iss->is_string() || expect.issuer.empty() || std::string_view(iss->as_string()) != expect.issuer) {
    return Refused("wrong issuer");
  }

  const auto* aud = c.if_contains("aud");
  if (!aud || expect.client_id.empty()) return Refused("wrong audience");
  size_t audiences = 0;
  bool ours = false;
  if (aud->is_string()) {
    audiences = 1;
    ours = aud->as_string() == expect.client_id;
  } else if (aud->is_array()) {
    for (const auto& a : aud->as_array()) {
      if (!a.is_string()) return Refused("wrong audience");
      ++audiences;
      ours = ours || a.as_string() == expect.client_id;
    }
  }
  if (!ours) return Refused("wrong audience");
  const auto* azp = c.if_contains("azp");
  if (azp && (!azp->is_string() || azp->as_string() != expect.client_id)) return Refused("wrong azp");
  if (audiences > 1 && !azp) return Refused("several audiences and no azp");

  const auto exp = NumericDate(c, "exp");
  if (!exp || *exp <= expect.now_seconds - expect.skew_seconds) return Refused("expired");
  const auto iat = NumericDate(c, "iat");
  if (!iat || *iat > expect.now_seconds + expect.skew_seconds) return Refused("issued in the future");
  if (c.contains("nbf")) {
    const auto nbf = NumericDate(c, "nbf");
    if (!nbf || *nbf > expect.now_seconds + expect.skew_seconds) return Refused("not yet valid");
  }

  const auto* nonce = c.if_contains("nonce");
  if (!nonce || !nonce->is_string() || expect.nonce.empty() ||
      !ConstantTimeEquals(std::string_view(nonce->as_string()), expect.nonce)) {
    return Refused("wrong nonce");
  }

  IdTokenClaims out;
  const auto* sub = c.if_contains("sub");
  if (!sub || !sub->is_string() || sub->as_string().empty() || sub->as_string().size() > kMaxSubjectBytes) {
    return Refused("bad sub");
  }
  out.subject = std::string(sub->as_string());
  if (const auto* email = c.if_contains("email"); email && !email->is_null()) {
    if (!email->is_string() || email->as_string().size() > kMaxEmailBytes) return Refused("bad email");
    out.email = std::string(email->as_string());
  }
  if (const auto* verified = c.if_contains("email_verified"); verified && verified->is_bool()) {
    out.email_verified = verified->as_bool();
  }
  if (out.email.empty()) out.email_verified = false;
  if (const auto* name = c.if_contains("name"); name && name->is_string() && name->as_string().size() <= kMaxNameBytes) {
    out.name = std::string(name->as_string());
  }
  return out;
}

Result<IdTokenClaims> VerifyIdToken(const std::string& token, const KeySet& keys, const IdTokenExpectations& expect) {
  TRIBUNE_ASSIGN(Jws jws, ParseJws(token));
  const Jwk* key = FindKey(keys, jws.alg, jws.kid);
  if (!key) return Refused("no key for its kid");
  TRIBUNE_TRY(VerifySignature(jws, *key));
  return CheckClaims(jws.payload, expect);
}

}  // namespace tribune::oidc::detail
