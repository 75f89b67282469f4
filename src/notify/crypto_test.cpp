// Web Push cryptography: RFC 8291 Section 5's example byte for byte (and Appendix A's intermediate values),
// round trips and refusals, RFC 8292 VAPID tokens verified with OpenSSL, the signer's token cache.
#include "notify/crypto.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "common/random.hpp"
#include "notify/crypto_internal.hpp"

namespace tribune::notify {
namespace {

// RFC 8291 Section 5 ("Push Message Encryption Example") and Appendix A ("Intermediate Values for Encryption").
constexpr const char* kPlaintext = "When I grow up, I want to be a watermelon";
constexpr const char* kUaPublic =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
constexpr const char* kUaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
constexpr const char* kAsPublic =
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
constexpr const char* kAsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
constexpr const char* kAuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
constexpr const char* kSalt = "DGv6ra1nlYgDCS1FRnbzlw";
constexpr const char* kBody =
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmY"
    "WAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexS"
    "gSxsj_Qulcy4a-fN";
constexpr const char* kEcdhSecret = "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs";
constexpr const char* kPrkKey = "Snr3JMxaHVDXHWJn5wdC52WjpCtd2EIEGBykDcZW32k";
constexpr const char* kIkm = "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg";
constexpr const char* kPrk = "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc";
constexpr const char* kCek = "oIhVW04MRdy2XN9CiKLxTg";
constexpr const char* kNonce = "4h_95klXJ5E_qnoN";

std::string D(const char* b64) {
  auto bytes = Base64UrlDecode(b64);
  EXPECT_TRUE(bytes.has_value()) << b64;
  return bytes.value_or("");
}

KeyPair RfcSender() { return KeyPair{D(kAsPrivate), D(kAsPublic)}; }

// ---- RFC 8291 ---------------------------------------------------------------------------------------------

TEST(PushCryptoRfc8291, ExampleBodyByteForByte) {
  auto body = EncryptWith(D(kUaPublic), D(kAuthSecret), kPlaintext, RfcSender(), D(kSalt));
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(Base64UrlEncode(*body), kBody);
  EXPECT_EQ(body->size(), 86u + 41u + 1u + 16u);
}

TEST(PushCryptoRfc8291, SenderPublicKeyIsOptionalAndMustMatch) {
  auto body = EncryptWith(D(kUaPublic), D(kAuthSecret), kPlaintext, KeyPair{D(kAsPrivate), ""}, D(kSalt));
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_EQ(Base64UrlEncode(*body), kBody);
  auto mismatch = EncryptWith(D(kUaPublic), D(kAuthSecret), kPlaintext, KeyPair{D(kAsPrivate), D(kUaPublic)}, D(kSalt));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, ErrorCode::kBadRequest);
}

TEST(PushCryptoRfc8291, ExampleDecrypts) {
  auto plain = Decrypt(D(kUaPrivate), D(kUaPublic), D(kAuthSecret), D(kBody));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(*plain, kPlaintext);
}

TEST(PushCryptoRfc8291, IntermediateValues) {
  auto secret = internal::EcdhSecret(D(kAsPrivate), D(kUaPublic));
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_EQ(Base64UrlEncode(*secret), kEcdhSecret);
  auto ua_side = internal::EcdhSecret(D(kUaPrivate), D(kAsPublic));
  ASSERT_TRUE(ua_side.ok());
  EXPECT_EQ(Base64UrlEncode(*ua_side), kEcdhSecret);

  const auto keys = internal::DeriveKeys(*secret, D(kAuthSecret), D(kUaPublic), D(kAsPublic), D(kSalt));
  EXPECT_EQ(Base64UrlEncode(keys.prk_key), kPrkKey);
  EXPECT_EQ(Base64UrlEncode(keys.ikm), kIkm);
  EXPECT_EQ(Base64UrlEncode(keys.prk), kPrk);
  EXPECT_EQ(Base64UrlEncode(keys.cek), kCek);
  EXPECT_EQ(Base64UrlEncode(keys.nonce), kNonce);
}

TEST(PushCryptoRfc8291, ExampleTamperedOrWrongSecretIsRefused) {
  std::string body = D(kBody);
  body[100] ^= 0x01;
  auto tampered = Decrypt(D(kUaPrivate), D(kUaPublic), D(kAuthSecret), body);
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().code, ErrorCode::kBadRequest);
  std::string auth = D(kAuthSecret);
  auth[0] ^= 0x01;
  auto wrong_auth = Decrypt(D(kUaPrivate), D(kUaPublic), auth, D(kBody));
  ASSERT_FALSE(wrong_auth.ok());
  EXPECT_EQ(wrong_auth.error().code, ErrorCode::kBadRequest);
  auto truncated = Decrypt(D(kUaPrivate), D(kUaPublic), D(kAuthSecret), D(kBody).substr(0, 100));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, ErrorCode::kBadRequest);
}

// ---- Encrypt / Decrypt --------------------------------------------------------------------------------------

struct Subscriber {
  KeyPair keys;
  std::string auth;
};
Subscriber NewSubscriber() {
  auto keys = GenerateKeyPair();
  EXPECT_TRUE(keys.ok());
  return Subscriber{keys.ok() ? *keys : KeyPair{}, std::string(16, '\x5a')};
}

TEST(PushCryptoRoundTrip, Sizes) {
  const Subscriber ua = NewSubscriber();
  for (size_t n : {size_t{0}, size_t{1}, size_t{300}, kMaxPushPlaintext}) {
    std::string plain(n, '\0');
    for (size_t i = 0; i < n; ++i) plain[i] = static_cast<char>(i * 7 + 3);
    auto body = Encrypt(ua.keys.public_key, ua.auth, plain);
    ASSERT_TRUE(body.ok()) << n << ": " << body.error().message;
    EXPECT_EQ(body->size(), 86 + n + 1 + 16);
    EXPECT_EQ(body->substr(16, 5), std::string("\x00\x00\x10\x00\x41", 5));
    EXPECT_TRUE(IsValidPublicKey(body->substr(21, 65)));
    auto back = Decrypt(ua.keys.private_key, ua.keys.public_key, ua.auth, *body);
    ASSERT_TRUE(back.ok()) << n << ": " << back.error().message;
    EXPECT_EQ(*back, plain);
  }
  auto full = Encrypt(ua.keys.public_key, ua.auth, std::string(kMaxPushPlaintext, 'x'));
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->size(), 4096u);
}

TEST(PushCryptoRoundTrip, TooLongIsRefused) {
  const Subscriber ua = NewSubscriber();
  auto body = Encrypt(ua.keys.public_key, ua.auth, std::string(kMaxPushPlaintext + 1, 'x'));
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, ErrorCode::kBadRequest);
}

TEST(PushCryptoRoundTrip, TwoEncryptionsDiffer) {
  const Subscriber ua = NewSubscriber();
  auto a = Encrypt(ua.keys.public_key, ua.auth, "same");
  auto b = Encrypt(ua.keys.public_key, ua.auth, "same");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_NE(a->substr(0, 16), b->substr(0, 16));    // salt
  EXPECT_NE(a->substr(21, 65), b->substr(21, 65));  // ephemeral key
}

TEST(PushCryptoRoundTrip, BadSubscriptionKeysAreRefused) {
  const std::string good = D(kUaPublic);
  std::string off_curve = good;
  off_curve[64] ^= 0x01;
  std::string no_prefix = good;
  no_prefix[0] = 0x00;
  std::string compressed_prefix = good;
  compressed_prefix[0] = 0x02;
  const std::vector<std::string> bad_keys = {
      good.substr(0, 64),          // wrong length
      good + '\0',                 // wrong length
      good.substr(1),              // 0x04 prefix missing (64 bytes)
      no_prefix,                   // 0x04 prefix replaced
      compressed_prefix,           // compressed-point prefix on 65 bytes
      off_curve,                   // not on the curve
      std::string(65, '\0'),       // all zero
      "\x04" + std::string(64, '\0'),  // (0, 0)
      std::string(),
  };
  for (const auto& key : bad_keys) {
    EXPECT_FALSE(IsValidPublicKey(key)) << Base64UrlEncode(key);
    auto body = Encrypt(key, D(kAuthSecret), "hello");
    ASSERT_FALSE(body.ok()) << Base64UrlEncode(key);
    EXPECT_EQ(body.error().code, ErrorCode::kBadRequest);
  }
  for (size_t n : {size_t{0}, size_t{15}, size_t{17}}) {
    auto body = Encrypt(good, std::string(n, 'a'), "hello");
    ASSERT_FALSE(body.ok()) << n;
    EXPECT_EQ(body.error().code, ErrorCode::kBadRequest);
  }
}

// ---- keys ---------------------------------------------------------------------------------------------------

TEST(PushCryptoKeys, FromPrivateDerivesTheRfcPublicKeys) {
  auto as = KeyPairFromPrivate(D(kAsPrivate));
  ASSERT_TRUE(as.ok()) << as.error().message;
  EXPECT_EQ(Base64UrlEncode(as->public_key), kAsPublic);
  EXPECT_EQ(as->private_key, D(kAsPrivate));
  auto ua = KeyPairFromPrivate(D(kUaPrivate));
  ASSERT_TRUE(ua.ok());
  EXPECT_EQ(Base64UrlEncode(ua->public_key), kUaPublic);
}

TEST(PushCryptoKeys, FromPrivateRefusesInvalidScalars) {
  // n, the order of P-256: not a valid scalar, nor is anything above it.
  const std::string order("\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"
                          "\xbc\xe6\xfa\xad\xa7\x17\x9e\x84\xf3\xb9\xca\xc2\xfc\x63\x25\x51",
                          32);
  ASSERT_EQ(order.size(), 32u);
  std::string order_minus_one = order;
  order_minus_one[31] = '\x50';
  for (const std::string& bad : {std::string(32, '\0'), order, std::string(32, '\xff'), std::string(31, '\x01'),
                                 std::string(33, '\x01'), std::string()}) {
    auto pair = KeyPairFromPrivate(bad);
    ASSERT_FALSE(pair.ok()) << Base64UrlEncode(bad);
    EXPECT_EQ(pair.error().code, ErrorCode::kBadRequest);
  }
  EXPECT_TRUE(KeyPairFromPrivate(order_minus_one).ok());
  EXPECT_TRUE(KeyPairFromPrivate(std::string(31, '\0') + '\x01').ok());
}

TEST(PushCryptoKeys, GeneratedPairsAreValidAndConsistent) {
  auto a = GenerateKeyPair();
  auto b = GenerateKeyPair();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->private_key.size(), 32u);
  EXPECT_EQ(a->public_key.size(), 65u);
  EXPECT_TRUE(IsValidPublicKey(a->public_key));
  EXPECT_NE(a->private_key, b->private_key);
  auto again = KeyPairFromPrivate(a->private_key);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_key, a->public_key);
}

TEST(PushCryptoKeys, IsValidPublicKey) {
  EXPECT_TRUE(IsValidPublicKey(D(kUaPublic)));
  EXPECT_TRUE(IsValidPublicKey(D(kAsPublic)));
  EXPECT_FALSE(IsValidPublicKey(D(kUaPublic).substr(0, 33)));  // a compressed-size key
  EXPECT_FALSE(IsValidPublicKey("\x00"));                       // the point at infinity's encoding
}

// ---- VAPID --------------------------------------------------------------------------------------------------

struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct PkeyCtxFree { void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); } };
struct MdCtxFree { void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); } };
struct SigFree { void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); } };
struct BldFree { void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); } };
struct ParamFree { void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); } };

// Verifies a JWS ES256 signature (R || S) over `signed_part` with an uncompressed P-256 public key.
bool VerifyEs256(const std::string& public_key, const std::string& signed_part, const std::string& raw_sig) {
  if (raw_sig.size() != 64) return false;
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, public_key.data(), public_key.size());
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return false;
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> pkey(raw);
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw_sig.data());
  BIGNUM* r = BN_bin2bn(bytes, 32, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 32, 32, nullptr);
  if (!ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
  const bool ok = der_len > 0 &&
                  EVP_DigestVerifyInit_ex(md.get(), nullptr, "SHA256", nullptr, nullptr, pkey.get(), nullptr) == 1 &&
                  EVP_DigestVerify(md.get(), der, static_cast<size_t>(der_len),
                                   reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  OPENSSL_free(der);
  return ok;
}

std::vector<std::string> SplitJwt(const std::string& jwt) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = jwt.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(jwt.substr(start, dot - start));
  }
  parts.push_back(jwt.substr(start));
  return parts;
}

TEST(PushCryptoVapid, TokenShapeAndSignature) {
  auto key = GenerateKeyPair();
  ASSERT_TRUE(key.ok());
  auto jwt = SignVapidToken(*key, "https://fcm.googleapis.com", 1700043200, "mailto:push@example.org");
  ASSERT_TRUE(jwt.ok()) << jwt.error().message;
  const auto parts = SplitJwt(*jwt);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(Base64UrlDecode(parts[0]).value_or("?"), R"({"typ":"JWT","alg":"ES256"})");
  EXPECT_EQ(Base64UrlDecode(parts[1]).value_or("?"),
            R"({"aud":"https://fcm.googleapis.com","exp":1700043200,"sub":"mailto:push@example.org"})");
  const auto sig = Base64UrlDecode(parts[2]);
  ASSERT_TRUE(sig.has_value());
  ASSERT_EQ(sig->size(), 64u);
  const std::string signed_part = parts[0] + "." + parts[1];
  EXPECT_TRUE(VerifyEs256(key->public_key, signed_part, *sig));
  // The check can fail: another key, or another message, does not verify.
  auto other = GenerateKeyPair();
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(VerifyEs256(other->public_key, signed_part, *sig));
  EXPECT_FALSE(VerifyEs256(key->public_key, signed_part + "x", *sig));
}

TEST(PushCryptoVapid, PayloadIsValidJsonWhenClaimsNeedEscaping) {
  auto key = KeyPairFromPrivate(D(kAsPrivate));
  ASSERT_TRUE(key.ok());
  auto jwt = SignVapidToken(*key, "https://push.example\"\\", 5, "mailto:a\nb@example.org");
  ASSERT_TRUE(jwt.ok());
  const auto payload = Base64UrlDecode(SplitJwt(*jwt)[1]);
  ASSERT_TRUE(payload.has_value());
  boost::system::error_code ec;
  const auto v = boost::json::parse(*payload, ec);
  ASSERT_FALSE(ec) << *payload;
  EXPECT_EQ(v.at("aud").as_string(), "https://push.example\"\\");
  EXPECT_EQ(v.at("sub").as_string(), "mailto:a\nb@example.org");
  EXPECT_EQ(v.at("exp").as_int64(), 5);
}

TEST(PushCryptoVapid, BadKeyIsRefused) {
  auto jwt = SignVapidToken(KeyPair{std::string(31, '\x01'), ""}, "https://a.example", 1, "mailto:x@example.org");
  ASSERT_FALSE(jwt.ok());
  EXPECT_EQ(jwt.error().code, ErrorCode::kBadRequest);
}

TEST(PushCryptoVapid, AuthorizationFormat) {
  EXPECT_EQ(VapidAuthorization("aaa.bbb.ccc", D(kAsPublic)), std::string("vapid t=aaa.bbb.ccc, k=") + kAsPublic);
}

int64_t ExpOf(const std::string& header) {
  const std::string prefix = "vapid t=";
  EXPECT_EQ(header.compare(0, prefix.size(), prefix), 0) << header;
  const std::string jwt = header.substr(prefix.size(), header.find(", k=") - prefix.size());
  const auto payload = Base64UrlDecode(SplitJwt(jwt).at(1));
  if (!payload) return -1;
  return boost::json::parse(*payload).at("exp").as_int64();
}

TEST(PushCryptoVapid, SignerReusesTokenUntilAnHourIsLeft) {
  auto key = GenerateKeyPair();
  ASSERT_TRUE(key.ok());
  VapidSigner signer(*key, "mailto:push@example.org");
  const int64_t t0 = 1'700'000'000;
  auto first = signer.Authorization("https://fcm.googleapis.com", t0);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(ExpOf(*first), t0 + 12 * 3600);
  EXPECT_NE(first->find(", k=" + Base64UrlEncode(key->public_key)), std::string::npos);

  // ECDSA signatures are randomised, so an equal header means the cached token was reused.
  auto later = signer.Authorization("https://fcm.googleapis.com", t0 + 11 * 3600 - 1);  // 3601 s left
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(*later, *first);

  const int64_t t1 = t0 + 11 * 3600;  // exactly one hour left: re-sign
  auto renewed = signer.Authorization("https://fcm.googleapis.com", t1);
  ASSERT_TRUE(renewed.ok());
  EXPECT_NE(*renewed, *first);
  EXPECT_EQ(ExpOf(*renewed), t1 + 12 * 3600);
  auto after = signer.Authorization("https://fcm.googleapis.com", t1 + 60);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *renewed);
}

TEST(PushCryptoVapid, SignerKeepsOneTokenPerAudience) {
  auto key = GenerateKeyPair();
  ASSERT_TRUE(key.ok());
  VapidSigner signer(*key, "https://news.example.org/contact");
  const int64_t now = 1'700'000'000;
  auto fcm = signer.Authorization("https://fcm.googleapis.com", now);
  auto moz = signer.Authorization("https://updates.push.services.mozilla.com", now);
  ASSERT_TRUE(fcm.ok() && moz.ok());
  EXPECT_NE(*fcm, *moz);
  auto fcm_again = signer.Authorization("https://fcm.googleapis.com", now + 10);
  auto moz_again = signer.Authorization("https://updates.push.services.mozilla.com", now + 10);
  ASSERT_TRUE(fcm_again.ok() && moz_again.ok());
  EXPECT_EQ(*fcm_again, *fcm);
  EXPECT_EQ(*moz_again, *moz);
  const std::string jwt = moz->substr(8, moz->find(", k=") - 8);
  const auto payload = Base64UrlDecode(SplitJwt(jwt).at(1));
  ASSERT_TRUE(payload.has_value());
  EXPECT_EQ(boost::json::parse(*payload).at("aud").as_string(), "https://updates.push.services.mozilla.com");
}

}  // namespace
}  // namespace tribune::notify
