// Web Push cryptography on OpenSSL 3's EVP API: P-256 keys from raw bytes (EVP_PKEY_fromdata), ECDH
// (EVP_PKEY_derive), HKDF-SHA-256 by hand over HMAC, AES-128-GCM, and ES256 (EVP_DigestSign, DER converted to
// the JWS R || S form). No exceptions escape; every OpenSSL object is owned by a unique_ptr.
#include "notify/crypto.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>

#include "common/random.hpp"
#include "notify/crypto_internal.hpp"

namespace tribune::notify {
namespace {

constexpr size_t kPrivateKeyBytes = 32;
constexpr size_t kPublicKeyBytes = 65;
constexpr size_t kAuthBytes = 16;
constexpr size_t kSaltBytes = 16;
constexpr size_t kTagBytes = 16;
constexpr uint32_t kRecordSize = 4096;
constexpr size_t kHeaderBytes = kSaltBytes + 4 + 1 + kPublicKeyBytes;  // 86
constexpr int64_t kTokenLifetime = 12 * 3600;
constexpr int64_t kTokenMinRemaining = 3600;
constexpr size_t kMaxCachedAudiences = 1024;

struct PkeyDeleter { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct PkeyCtxDeleter { void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); } };
struct CipherCtxDeleter { void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); } };
struct MdCtxDeleter { void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); } };
struct BnDeleter { void operator()(BIGNUM* b) const { BN_clear_free(b); } };
struct BnCtxDeleter { void operator()(BN_CTX* c) const { BN_CTX_free(c); } };
struct BldDeleter { void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); } };
struct ParamDeleter { void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); } };
struct GroupDeleter { void operator()(EC_GROUP* g) const { EC_GROUP_free(g); } };
struct PointDeleter { void operator()(EC_POINT* p) const { EC_POINT_free(p); } };
struct SigDeleter { void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); } };
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter>;
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;

const unsigned char* U8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* U8(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }
Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }
Error Internal(std::string message) { return MakeError(ErrorCode::kInternal, std::move(message)); }

// Fetched once for the whole process (explicit fetches skip the per-call implicit lookup); never freed.
const EVP_MD* Sha256() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
const EVP_CIPHER* Aes128Gcm() {
  static const EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  return cipher;
}

// An EC P-256 EVP_PKEY from a raw private scalar and/or an uncompressed public point (either may be empty).
Pkey FromRaw(std::string_view private_key, std::string_view public_key) {
  std::unique_ptr<OSSL_PARAM_BLD, BldDeleter> bld(OSSL_PARAM_BLD_new());
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0)) return nullptr;
  Bn priv;
  if (!private_key.empty()) {
    priv.reset(BN_secure_new());
    if (!priv || !BN_bin2bn(U8(private_key), static_cast<int>(private_key.size()), priv.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get())) {
      return nullptr;
    }
  }
  if (!public_key.empty() &&
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_key.data(), public_key.size())) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamDeleter> params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0) return nullptr;
  EVP_PKEY* pkey = nullptr;
  const int selection = private_key.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) <= 0) return nullptr;
  return Pkey(pkey);
}

// A parameters-only P-256 key, made once: duplicating it is much cheaper than building the group by name again
// (EC_GROUP_new_by_curve_name costs about 8 us), for every peer key imported and every ephemeral key generated.
const EVP_PKEY* P256Template() {
  static EVP_PKEY* const tmpl = [] {
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"), 0),
                           OSSL_PARAM_construct_end()};
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* pkey = nullptr;
    if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
        EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_KEY_PARAMETERS, params) <= 0) {
      return static_cast<EVP_PKEY*>(nullptr);
    }
    return pkey;
  }();
  return tmpl;
}

// A peer's public key, checked: 65 bytes, 0x04 prefix, on the curve (P-256's cofactor is 1, so the quick
// check — on the curve, not infinity — is the whole check; the full one costs another scalar multiplication).
Pkey PublicFromRaw(std::string_view public_key) {
  if (public_key.size() != kPublicKeyBytes || public_key[0] != 0x04 || !P256Template()) return nullptr;
  Pkey pkey(EVP_PKEY_dup(const_cast<EVP_PKEY*>(P256Template())));
  if (!pkey || EVP_PKEY_set1_encoded_public_key(pkey.get(), U8(public_key), public_key.size()) != 1) return nullptr;
  PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!check || EVP_PKEY_public_check_quick(check.get()) != 1) return nullptr;
  return pkey;
}

// A fresh P-256 key pair as an EVP_PKEY.
Pkey NewKey() {
  if (!P256Template()) return nullptr;
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(P256Template()), nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_keygen(ctx.get(), &pkey) <= 0) return nullptr;
  return Pkey(pkey);
}

bool RawPublic(EVP_PKEY* pkey, std::string& out) {
  out.assign(kPublicKeyBytes, '\0');
  size_t len = 0;
  return EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, U8(out), out.size(), &len) == 1 &&
         len == kPublicKeyBytes && out[0] == 0x04;
}

Result<std::string> Derive(EVP_PKEY* own, EVP_PKEY* peer) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
  // The peer was checked by PublicFromRaw: no second (full, costly) validation here.
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 0) <= 0) {
    return Internal("ECDH setup failed");
  }
  std::string secret(32, '\0');
  size_t len = secret.size();
  if (EVP_PKEY_derive(ctx.get(), U8(secret), &len) <= 0 || len != 32) return Internal("ECDH failed");
  return secret;
}

std::string Hmac(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (!HMAC(Sha256(), key.data(), static_cast<int>(key.size()), U8(data), data.size(), U8(out), &len) || len != 32) {
    out.clear();
  }
  return out;
}

// HKDF-Expand for output no longer than one hash (T(1) only, as every length here is <= 32).
std::string Expand(std::string_view prk, std::string info, size_t length) {
  info.push_back('\x01');
  std::string t = Hmac(prk, info);
  t.resize(length);
  return t;
}

// Encrypts `record` (plaintext || 0x02) in place of `out`'s tail: out += ciphertext || tag.
bool Seal(const internal::PushKeys& keys, std::string_view record, std::string& out) {
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), Aes128Gcm(), U8(keys.cek), U8(keys.nonce), nullptr) != 1) return false;
  const size_t at = out.size();
  out.resize(at + record.size() + kTagBytes);
  int len = 0, fin = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + at;
  if (EVP_EncryptUpdate(ctx.get(), dst, &len, U8(record), static_cast<int>(record.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &fin) != 1 || static_cast<size_t>(len + fin) != record.size()) {
    return false;
  }
  return EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, dst + record.size()) == 1;
}

Result<std::string> EncryptWithKey(std::string_view ua_public, std::string_view auth_secret, std::string_view plaintext,
                                   EVP_PKEY* sender, std::string_view sender_public, std::string_view salt) {
  if (auth_secret.size() != kAuthBytes) return Bad("the push subscription's auth secret is not 16 bytes");
  if (plaintext.size() > kMaxPushPlaintext) return Bad("the push message is longer than 3993 bytes");
  if (salt.size() != kSaltBytes) return Bad("the salt is not 16 bytes");
  Pkey peer = PublicFromRaw(ua_public);
  if (!peer) return Bad("the push subscription's p256dh key is not a P-256 public key");
  TRIBUNE_ASSIGN(const std::string ecdh, Derive(sender, peer.get()));
  const internal::PushKeys keys = internal::DeriveKeys(ecdh, auth_secret, ua_public, sender_public, salt);
  std::string body;
  body.reserve(kHeaderBytes + plaintext.size() + 1 + kTagBytes);
  body.append(salt);
  for (int shift = 24; shift >= 0; shift -= 8) body.push_back(static_cast<char>((kRecordSize >> shift) & 0xff));
  body.push_back(static_cast<char>(kPublicKeyBytes));
  body.append(sender_public);
  std::string record;
  record.reserve(plaintext.size() + 1);
  record.append(plaintext);
  record.push_back('\x02');  // the padding delimiter of the last (only) record, no padding
  if (!Seal(keys, record, body)) return Internal("AES-GCM encryption failed");
  return body;
}

std::string JsonString(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20) {
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

namespace internal {

Result<std::string> EcdhSecret(std::string_view private_key, std::string_view peer_public) {
  TRIBUNE_ASSIGN(const KeyPair own, KeyPairFromPrivate(private_key));
  Pkey key = FromRaw(own.private_key, own.public_key);
  Pkey peer = PublicFromRaw(peer_public);
  if (!key || !peer) return Bad("not a P-256 key");
  return Derive(key.get(), peer.get());
}

PushKeys DeriveKeys(std::string_view ecdh_secret, std::string_view auth_secret, std::string_view ua_public,
                    std::string_view as_public, std::string_view salt) {
  PushKeys k;
  k.prk_key = Hmac(auth_secret, ecdh_secret);
  std::string key_info = "WebPush: info";
  key_info.push_back('\0');
  key_info.append(ua_public);
  key_info.append(as_public);
  k.ikm = Expand(k.prk_key, std::move(key_info), 32);
  k.prk = Hmac(salt, k.ikm);
  k.cek = Expand(k.prk, std::string("Content-Encoding: aes128gcm\0", 28), 16);
  k.nonce = Expand(k.prk, std::string("Content-Encoding: nonce\0", 24), 12);
  return k;
}

}  // namespace internal

Result<KeyPair> GenerateKeyPair() {
  Pkey pkey = NewKey();
  if (!pkey) return Internal("P-256 key generation failed");
  KeyPair out;
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) return Internal("no private key");
  Bn priv(raw);
  out.private_key.assign(kPrivateKeyBytes, '\0');
  if (BN_bn2binpad(priv.get(), U8(out.private_key), kPrivateKeyBytes) != kPrivateKeyBytes ||
      !RawPublic(pkey.get(), out.public_key)) {
    return Internal("P-256 key export failed");
  }
  return out;
}

Result<KeyPair> KeyPairFromPrivate(std::string_view private_key) {
  if (private_key.size() != kPrivateKeyBytes) return Bad("a P-256 private key is 32 bytes");
  std::unique_ptr<EC_GROUP, GroupDeleter> group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  std::unique_ptr<BN_CTX, BnCtxDeleter> bn_ctx(BN_CTX_secure_new());
  Bn d(BN_secure_new());
  if (!group || !bn_ctx || !d || !BN_bin2bn(U8(private_key), kPrivateKeyBytes, d.get())) return Internal("OpenSSL");
  // 1 <= d < n
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(group.get())) >= 0) {
    return Bad("not a valid P-256 private key");
  }
  std::unique_ptr<EC_POINT, PointDeleter> q(EC_POINT_new(group.get()));
  KeyPair out{std::string(private_key), std::string(kPublicKeyBytes, '\0')};
  if (!q || EC_POINT_mul(group.get(), q.get(), d.get(), nullptr, nullptr, bn_ctx.get()) != 1 ||
      EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, U8(out.public_key), kPublicKeyBytes,
                         bn_ctx.get()) != kPublicKeyBytes) {
    return Internal("P-256 public key derivation failed");
  }
  return out;
}

bool IsValidPublicKey(std::string_view public_key) { return PublicFromRaw(public_key) != nullptr; }

Result<std::string> Encrypt(std::string_view ua_public, std::string_view auth_secret, std::string_view plaintext) {
  Pkey ephemeral = NewKey();
  std::string sender_public;
  if (!ephemeral || !RawPublic(ephemeral.get(), sender_public)) return Internal("P-256 key generation failed");
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), salt.size()) != 1) return Internal("no random salt");
  return EncryptWithKey(ua_public, auth_secret, plaintext, ephemeral.get(), sender_public,
                        std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size()));
}

Result<std::string> EncryptWith(std::string_view ua_public, std::string_view auth_secret, std::string_view plaintext,
                                const KeyPair& sender, std::string_view salt) {
  TRIBUNE_ASSIGN(const KeyPair own, KeyPairFromPrivate(sender.private_key));
  if (!sender.public_key.empty() && sender.public_key != own.public_key) {
    return Bad("the sender's public key does not match its private key");
  }
  Pkey key = FromRaw(own.private_key, own.public_key);
  if (!key) return Internal("P-256 key import failed");
  return EncryptWithKey(ua_public, auth_secret, plaintext, key.get(), own.public_key, salt);
}

Result<std::string> Decrypt(std::string_view ua_private, std::string_view ua_public, std::string_view auth_secret,
                            std::string_view body) {
  if (auth_secret.size() != kAuthBytes) return Bad("the auth secret is not 16 bytes");
  if (body.size() < kHeaderBytes + kTagBytes + 1) return Bad("the push message is too short");
  const auto* b = U8(body);
  const uint32_t rs = (uint32_t{b[16]} << 24) | (uint32_t{b[17]} << 16) | (uint32_t{b[18]} << 8) | b[19];
  if (b[20] != kPublicKeyBytes) return Bad("the push message's key id is not a P-256 public key");
  const std::string_view salt = body.substr(0, kSaltBytes);
  const std::string_view sender_public = body.substr(21, kPublicKeyBytes);
  const std::string_view ciphertext = body.substr(kHeaderBytes);
  if (rs < kTagBytes + 2 || ciphertext.size() > rs) return Bad("the push message holds more than one record");
  TRIBUNE_ASSIGN(const KeyPair own, KeyPairFromPrivate(ua_private));
  if (own.public_key != ua_public) return Bad("the user agent's public key does not match its private key");
  Pkey key = FromRaw(own.private_key, own.public_key);
  Pkey peer = PublicFromRaw(sender_public);
  if (!key) return Internal("P-256 key import failed");
  if (!peer) return Bad("the push message's key id is not a P-256 public key");
  TRIBUNE_ASSIGN(const std::string ecdh, Derive(key.get(), peer.get()));
  const internal::PushKeys keys = internal::DeriveKeys(ecdh, auth_secret, ua_public, sender_public, salt);

  const size_t n = ciphertext.size() - kTagBytes;
  std::string tag(ciphertext.substr(n));
  std::string plain(n, '\0');
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter> ctx(EVP_CIPHER_CTX_new());
  int len = 0, fin = 0;
  if (!ctx || EVP_DecryptInit_ex2(ctx.get(), Aes128Gcm(), U8(keys.cek), U8(keys.nonce), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), U8(plain), &len, U8(ciphertext), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, U8(tag)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), U8(plain) + len, &fin) != 1) {
    return Bad("the push message does not authenticate");
  }
  // RFC 8188 Section 2: plaintext || delimiter || zero padding; the last record's delimiter is 0x02.
  const size_t last = plain.find_last_not_of('\0');
  if (last == std::string::npos || plain[last] != '\x02') return Bad("the push message's padding is malformed");
  plain.resize(last);
  return plain;
}

Result<std::string> SignVapidToken(const KeyPair& key, std::string_view audience, int64_t expires_unix,
                                   std::string_view subject) {
  if (key.private_key.size() != kPrivateKeyBytes) return Bad("the VAPID private key is not 32 bytes");
  if (!key.public_key.empty() && key.public_key.size() != kPublicKeyBytes) {
    return Bad("the VAPID public key is not 65 bytes");
  }
  Pkey pkey = FromRaw(key.private_key, key.public_key);
  if (!pkey) return Bad("the VAPID key is not a P-256 key pair");
  std::string jwt = Base64UrlEncode(R"({"typ":"JWT","alg":"ES256"})");
  jwt.push_back('.');
  jwt += Base64UrlEncode("{\"aud\":" + JsonString(audience) + ",\"exp\":" + std::to_string(expires_unix) +
                         ",\"sub\":" + JsonString(subject) + "}");

  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> md(EVP_MD_CTX_new());
  std::array<unsigned char, 80> der{};  // a P-256 DER ECDSA-Sig-Value is at most 72 bytes
  size_t der_len = der.size();
  if (!md || EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, pkey.get(), nullptr) != 1 ||
      EVP_DigestSign(md.get(), der.data(), &der_len, U8(jwt), jwt.size()) != 1) {
    return Internal("ES256 signing failed");
  }
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, SigDeleter> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return Internal("ES256 signature parsing failed");
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(64, '\0');
  if (BN_bn2binpad(r, U8(raw), 32) != 32 || BN_bn2binpad(s, U8(raw) + 32, 32) != 32) {
    return Internal("ES256 signature conversion failed");
  }
  jwt.push_back('.');
  jwt += Base64UrlEncode(raw);
  return jwt;
}

std::string VapidAuthorization(std::string_view jwt, std::string_view public_key) {
  std::string out = "vapid t=";
  out.append(jwt);
  out += ", k=";
  out += Base64UrlEncode(public_key);
  return out;
}

VapidSigner::VapidSigner(KeyPair key, std::string subject) : key_(std::move(key)), subject_(std::move(subject)) {}

Result<std::string> VapidSigner::Authorization(std::string_view audience, int64_t now_unix) {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(std::string(audience)); it != cache_.end() &&
                                                       it->second.expires - now_unix > kTokenMinRemaining) {
      return it->second.header;
    }
  }
  // Signed outside the lock: two threads may both sign on a miss, and the later one's token is kept.
  const int64_t expires = now_unix + kTokenLifetime;
  TRIBUNE_ASSIGN(const std::string jwt, SignVapidToken(key_, audience, expires, subject_));
  std::string header = VapidAuthorization(jwt, key_.public_key);
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxCachedAudiences && !cache_.contains(std::string(audience))) cache_.clear();
  cache_[std::string(audience)] = Cached{header, expires};
  return header;
}

}  // namespace tribune::notify
