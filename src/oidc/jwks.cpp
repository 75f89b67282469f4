// JSON Web Key Sets (RFC 7517/7518): RSA public keys from n/e and EC P-256 public keys from x/y, built
// with OpenSSL 3's EVP_PKEY_fromdata. Keys we cannot or must not use are skipped, not fatal.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>

#include "common/random.hpp"
#include "oidc/oidc.hpp"

namespace tribune::oidc::detail {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;
constexpr size_t kMaxKeys = 64;

struct BnDeleter {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct BldDeleter {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamDeleter {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct CtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

std::optional<std::string> B64Member(const boost::json::object& jwk, const char* name) {
  const auto* v = jwk.if_contains(name);
  if (!v || !v->is_string()) return std::nullopt;
  auto bytes = Base64UrlDecode(std::string_view(v->as_string()));
  if (!bytes || bytes->empty()) return std::nullopt;
  return bytes;
}

std::string StringMember(const boost::json::object& jwk, const char* name) {
  const auto* v = jwk.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::shared_ptr<const PublicKey> FromData(const char* type, OSSL_PARAM* params) {
  std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) return nullptr;
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0 || !pkey) return nullptr;
  auto key = std::make_shared<PublicKey>(pkey);
  // The public half must make sense (for EC: the point is on the curve).
  std::unique_ptr<EVP_PKEY_CTX, CtxDeleter> check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  return key;
}

std::shared_ptr<const PublicKey> RsaKey(const boost::json::object& jwk) {
  auto n = B64Member(jwk, "n");
  auto e = B64Member(jwk, "e");
  if (!n || !e || e->size() > 8) return nullptr;
  std::unique_ptr<BIGNUM, BnDeleter> bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                                                    static_cast<int>(n->size()), nullptr));
  std::unique_ptr<BIGNUM, BnDeleter> bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                                                    static_cast<int>(e->size()), nullptr));
  if (!bn_n || !bn_e) return nullptr;
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits || !BN_is_odd(bn_e.get()) || BN_is_one(bn_e.get())) return nullptr;
  std::unique_ptr<OSSL_PARAM_BLD, BldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  return FromData("RSA", params.get());
}

std::shared_ptr<const PublicKey> EcP256Key(const boost::json::object& jwk) {
  if (StringMember(jwk, "crv") != "P-256") return nullptr;
  auto x = B64Member(jwk, "x");
  auto y = B64Member(jwk, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) return nullptr;
  std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
  std::unique_ptr<OSSL_PARAM_BLD, BldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size())) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return nullptr;
  return FromData("EC", params.get());
}

}  // namespace

PublicKey::~PublicKey() { EVP_PKEY_free(pkey); }

Result<KeySet> ParseJwks(const std::string& json) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(json, ec);
  if (ec || !doc.is_object()) return MakeError(ErrorCode::kUnavailable, "the JWKS is not a JSON object");
  const auto* keys = doc.as_object().if_contains("keys");
  if (!keys || !keys->is_array()) return MakeError(ErrorCode::kUnavailable, "the JWKS has no keys array");
  KeySet out;
  for (const auto& v : keys->as_array()) {
    if (out.size() >= kMaxKeys) break;
    if (!v.is_object()) continue;
    const auto& jwk = v.as_object();
    const std::string use = StringMember(jwk, "use");
    if (!use.empty() && use != "sig") continue;
    if (const auto* ops = jwk.if_contains("key_ops"); ops && ops->is_array()) {
      bool verify = false;
      for (const auto& op : ops->as_array()) verify = verify || (op.is_string() && op.as_string() == "verify");
      if (!verify) continue;
    }
    if (jwk.contains("d")) continue;  // a private key published by mistake: do not touch it
    Jwk key;
    key.kid = StringMember(jwk, "kid");
    key.kty = StringMember(jwk, "kty");
    key.alg = StringMember(jwk, "alg");
    if (key.kty == "RSA") {
      key.key = RsaKey(jwk);
    } else if (key.kty == "EC") {
      key.key = EcP256Key(jwk);
    }
    if (key.key) out.push_back(std::move(key));
  }
  return out;
}

const Jwk* FindKey(const KeySet& keys, const std::string& alg, const std::string& kid) {
  const std::string kty = alg == "RS256" ? "RSA" : alg == "ES256" ? "EC" : "";
  if (kty.empty()) return nullptr;
  const Jwk* found = nullptr;
  int candidates = 0;
  for (const auto& k : keys) {
    if (k.kty != kty || (!k.alg.empty() && k.alg != alg)) continue;
    if (!kid.empty()) {
      if (k.kid == kid) return &k;
      continue;
    }
    found = &k;
    ++candidates;
  }
  return candidates == 1 ? found : nullptr;
}

}  // namespace tribune::oidc::detail
