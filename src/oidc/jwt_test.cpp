// ID token verification with keys generated here (RSA 2048, EC P-256): what passes and what is refused.
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "common/random.hpp"
#include "oidc/oidc.hpp"

namespace tribune::oidc {
namespace {

using detail::IdTokenExpectations;
using detail::KeySet;

constexpr int64_t kNow = 1'767'225'600;  // 2026-01-01

struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

Pkey NewRsa() { return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))); }
Pkey NewEc() { return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

std::string BnParam(EVP_PKEY* k, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(k, name, &bn), 1);
  std::string out(pad ? pad : BN_num_bytes(bn), '\0');
  if (pad) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad);
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  BN_free(bn);
  return Base64UrlEncode(out);
}

boost::json::object JwkOf(EVP_PKEY* k, const std::string& kid) {
  boost::json::object jwk{{"kid", kid}, {"use", "sig"}};
  if (EVP_PKEY_is_a(k, "RSA")) {
    jwk["kty"] = "RSA";
    jwk["alg"] = "RS256";
    jwk["n"] = BnParam(k, OSSL_PKEY_PARAM_RSA_N);
    jwk["e"] = BnParam(k, OSSL_PKEY_PARAM_RSA_E);
  } else {
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = BnParam(k, OSSL_PKEY_PARAM_EC_PUB_X, 32);
    jwk["y"] = BnParam(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
  }
  return jwk;
}

KeySet KeysOf(std::initializer_list<std::pair<EVP_PKEY*, std::string>> keys) {
  boost::json::array arr;
  for (const auto& [k, kid] : keys) arr.push_back(JwkOf(k, kid));
  auto parsed = detail::ParseJwks(boost::json::serialize(boost::json::object{{"keys", arr}}));
  EXPECT_TRUE(parsed.ok());
  return parsed.ok() ? *parsed : KeySet{};
}

std::string SignRaw(EVP_PKEY* k, const std::string& input) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, k), 1);
  size_t len = 0;
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()), 1);
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()), 1);
  sig.resize(len);
  if (!EVP_PKEY_is_a(k, "EC")) return sig;
  // DER -> r||s
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(es);
  return raw;
}

std::string Enc(const boost::json::value& v) { return Base64UrlEncode(boost::json::serialize(v)); }

boost::json::object Claims() {
  return {{"iss", "https://op.example"}, {"sub", "user-42"},  {"aud", "client-1"},
          {"exp", kNow + 600},          {"iat", kNow},        {"nonce", "n-0S6_WzA2Mj"},
          {"email", "a@example.test"},  {"email_verified", true}, {"name", "Ann"}};
}

std::string Token(EVP_PKEY* k, const boost::json::object& claims, const std::string& kid = "k1",
                  const std::string& alg = "") {
  const std::string a = !alg.empty() ? alg : EVP_PKEY_is_a(k, "EC") ? "ES256" : "RS256";
  const std::string input = Enc(boost::json::object{{"alg", a}, {"typ", "JWT"}, {"kid", kid}}) + "." + Enc(claims);
  return input + "." + Base64UrlEncode(SignRaw(k, input));
}

IdTokenExpectations Expect() {
  IdTokenExpectations e;
  e.issuer = "https://op.example";
  e.client_id = "client-1";
  e.nonce = "n-0S6_WzA2Mj";
  e.now_seconds = kNow;
  e.skew_seconds = 120;
  return e;
}

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = NewRsa().release();
    rsa2_ = NewRsa().release();
    ec_ = NewEc().release();
    ec2_ = NewEc().release();
  }
  static void TearDownTestSuite() {
    for (auto* k : {rsa_, rsa2_, ec_, ec2_}) EVP_PKEY_free(k);
  }
  static KeySet Keys() { return KeysOf({{rsa_, "k1"}, {ec_, "e1"}}); }
  static bool Refused(const std::string& token, const IdTokenExpectations& e = Expect()) {
    auto r = detail::VerifyIdToken(token, Keys(), e);
    if (r.ok()) return false;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest) << r.error().message;
    return true;
  }
  static inline EVP_PKEY* rsa_ = nullptr;
  static inline EVP_PKEY* rsa2_ = nullptr;
  static inline EVP_PKEY* ec_ = nullptr;
  static inline EVP_PKEY* ec2_ = nullptr;
};

TEST_F(JwtTest, ValidRs256Passes) {
  auto r = detail::VerifyIdToken(Token(rsa_, Claims()), Keys(), Expect());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->subject, "user-42");
  EXPECT_EQ(r->email, "a@example.test");
  EXPECT_TRUE(r->email_verified);
  EXPECT_EQ(r->name, "Ann");
}

TEST_F(JwtTest, ValidEs256Passes) {
  auto r = detail::VerifyIdToken(Token(ec_, Claims(), "e1"), Keys(), Expect());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->subject, "user-42");
}

TEST_F(JwtTest, TamperedPayloadRefused) {
  const std::string good = Token(rsa_, Claims());
  auto claims = Claims();
  claims["sub"] = "admin";
  const size_t d1 = good.find('.'), d2 = good.rfind('.');
  const std::string forged = good.substr(0, d1 + 1) + Enc(claims) + good.substr(d2);
  EXPECT_TRUE(Refused(forged));
  const std::string good_ec = Token(ec_, Claims(), "e1");
  const std::string forged_ec =
      good_ec.substr(0, good_ec.find('.') + 1) + Enc(claims) + good_ec.substr(good_ec.rfind('.'));
  EXPECT_TRUE(Refused(forged_ec));
}

TEST_F(JwtTest, WrongKeyRefused) {
  EXPECT_TRUE(Refused(Token(rsa2_, Claims(), "k1")));
  EXPECT_TRUE(Refused(Token(ec2_, Claims(), "e1")));
}

TEST_F(JwtTest, KeyOfAnotherTypeRefused) {
  // An ES256 token naming the RSA key's kid, and the reverse.
  EXPECT_TRUE(Refused(Token(ec_, Claims(), "k1")));
  EXPECT_TRUE(Refused(Token(rsa_, Claims(), "e1")));
  auto jws = detail::ParseJws(Token(ec_, Claims(), "e1"));
  ASSERT_TRUE(jws.ok());
  const KeySet keys = Keys();
  EXPECT_FALSE(detail::VerifySignature(*jws, keys[0]).ok());  // keys[0] is RSA
  EXPECT_TRUE(detail::VerifySignature(*jws, keys[1]).ok());
}

TEST_F(JwtTest, UnknownKidRefused) { EXPECT_TRUE(Refused(Token(rsa_, Claims(), "nope"))); }

TEST_F(JwtTest, AlgNoneRefused) {
  const std::string input = Enc(boost::json::object{{"alg", "none"}, {"kid", "k1"}}) + "." + Enc(Claims());
  EXPECT_TRUE(Refused(input + "."));
  EXPECT_TRUE(Refused(input + "." + Base64UrlEncode("x")));
  const std::string input2 = Enc(boost::json::object{{"alg", "None"}}) + "." + Enc(Claims());
  EXPECT_TRUE(Refused(input2 + "." + Base64UrlEncode("x")));
}

TEST_F(JwtTest, Hs256WithThePublicKeyAsSecretRefused) {
  // The classic algorithm confusion: HMAC keyed with the RSA public key (PEM and DER).
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio.get(), rsa_), 1);
  char* pem_data = nullptr;
  const long pem_len = BIO_get_mem_data(bio.get(), &pem_data);
  const std::string pem(pem_data, static_cast<size_t>(pem_len));
  for (const char* alg : {"HS256", "HS384", "HS512"}) {
    const std::string input = Enc(boost::json::object{{"alg", alg}, {"kid", "k1"}}) + "." + Enc(Claims());
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, pem.data(), pem.size(),
                        reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, sizeof mac, &mac_len), nullptr);
    EXPECT_TRUE(Refused(input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(mac), mac_len)))) << alg;
  }
}

TEST_F(JwtTest, OtherAlgsRefused) {
  for (const char* alg : {"RS384", "RS512", "PS256", "ES384", "EdDSA", "rs256", "none"}) {
    EXPECT_TRUE(Refused(Token(rsa_, Claims(), "k1", alg))) << alg;
  }
  const std::string input = Enc(boost::json::object{{"kid", "k1"}}) + "." + Enc(Claims());  // no alg
  EXPECT_TRUE(Refused(input + "." + Base64UrlEncode(SignRaw(rsa_, input))));
  const std::string crit =
      Enc(boost::json::object{{"alg", "RS256"}, {"kid", "k1"}, {"crit", boost::json::array{"exp"}}, {"exp", 1}}) +
      "." + Enc(Claims());
  EXPECT_TRUE(Refused(crit + "." + Base64UrlEncode(SignRaw(rsa_, crit))));
}

TEST_F(JwtTest, ExpiredRefusedWithinSkewAccepted) {
  auto c = Claims();
  c["exp"] = kNow - 121;
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["exp"] = kNow - 120;
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["exp"] = kNow - 60;  // within the skew
  EXPECT_FALSE(Refused(Token(rsa_, c)));
  c.erase("exp");
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["exp"] = "9999999999";  // a string is not a NumericDate
  EXPECT_TRUE(Refused(Token(rsa_, c)));
}

TEST_F(JwtTest, FutureIatRefused) {
  auto c = Claims();
  c["iat"] = kNow + 121;
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["iat"] = kNow + 100;
  EXPECT_FALSE(Refused(Token(rsa_, c)));
  c.erase("iat");
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["iat"] = kNow;
  c["nbf"] = kNow + 500;
  EXPECT_TRUE(Refused(Token(rsa_, c)));
}

TEST_F(JwtTest, WrongAudienceRefused) {
  auto c = Claims();
  c["aud"] = "client-2";
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["aud"] = boost::json::array{"client-2", "client-3"};
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["aud"] = boost::json::array{"client-1", "client-3"};  // several audiences need azp
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["azp"] = "client-3";
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["azp"] = "client-1";
  EXPECT_FALSE(Refused(Token(rsa_, c)));
  c["aud"] = boost::json::array{"client-1"};
  c.erase("azp");
  EXPECT_FALSE(Refused(Token(rsa_, c)));
  c.erase("aud");
  EXPECT_TRUE(Refused(Token(rsa_, c)));
}

TEST_F(JwtTest, WrongIssuerRefused) {
  auto c = Claims();
  for (const char* iss : {"https://op.example/", "https://evil.example", "http://op.example", "HTTPS://op.example"}) {
    c["iss"] = iss;
    EXPECT_TRUE(Refused(Token(rsa_, c))) << iss;
  }
  c.erase("iss");
  EXPECT_TRUE(Refused(Token(rsa_, c)));
}

TEST_F(JwtTest, WrongNonceRefused) {
  auto c = Claims();
  c["nonce"] = "n-0S6_WzA2Mk";
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c.erase("nonce");
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  auto e = Expect();
  e.nonce = "";
  c["nonce"] = "";
  EXPECT_TRUE(Refused(Token(rsa_, c), e));
}

TEST_F(JwtTest, SubjectAndEmailChecked) {
  auto c = Claims();
  c["sub"] = "";
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["sub"] = std::string(256, 's');
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["sub"] = std::string(255, 's');
  EXPECT_FALSE(Refused(Token(rsa_, c)));
  c["sub"] = 42;
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["sub"] = "u";
  c["email"] = std::string(243, 'e') + "@example.com";  // 255 bytes
  EXPECT_TRUE(Refused(Token(rsa_, c)));
  c["email"] = std::string(242, 'e') + "@example.com";  // 254 bytes
  EXPECT_FALSE(Refused(Token(rsa_, c)));
}

TEST_F(JwtTest, EmailVerifiedMustBeABoolean) {
  auto c = Claims();
  c["email_verified"] = "true";
  auto r = detail::VerifyIdToken(Token(rsa_, c), Keys(), Expect());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->email_verified);
  c["email_verified"] = 1;
  r = detail::VerifyIdToken(Token(rsa_, c), Keys(), Expect());
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->email_verified);
  c.erase("email");
  c.erase("name");
  c["email_verified"] = true;
  r = detail::VerifyIdToken(Token(rsa_, c), Keys(), Expect());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->email, "");
  EXPECT_FALSE(r->email_verified);
  EXPECT_EQ(r->name, "");
}

TEST_F(JwtTest, MalformedCompactStringsRefused) {
  const std::string good = Token(rsa_, Claims());
  const std::string header = good.substr(0, good.find('.'));
  const std::string sig = good.substr(good.rfind('.') + 1);
  for (const std::string& bad : {
           std::string(), std::string("abc"), header, header + "." + Enc(Claims()),  // 1 and 2 parts
           good + ".x", good + ".",                                                   // 4 parts
           "." + Enc(Claims()) + "." + sig, header + ".." + sig,                      // empty parts
           "!!!." + Enc(Claims()) + "." + sig,                                        // bad base64
           header + ".%%%." + sig, header + "." + Enc(Claims()) + ".***",
           header + "=." + Enc(Claims()) + "." + sig,                                  // padding
           Base64UrlEncode("not json") + "." + Enc(Claims()) + "." + sig,             // non-JSON header
           Base64UrlEncode("[\"RS256\"]") + "." + Enc(Claims()) + "." + sig,          // not an object
           header + "." + Base64UrlEncode("not json") + "." + sig,                    // non-JSON payload
           good.substr(0, good.size() - 4),                                            // truncated signature
       }) {
    EXPECT_TRUE(Refused(bad)) << bad;
  }
}

TEST_F(JwtTest, HugeTokenRefused) {
  auto c = Claims();
  c["padding"] = std::string(20'000, 'x');
  const std::string huge = Token(rsa_, c);
  ASSERT_GT(huge.size(), detail::kMaxTokenBytes);
  EXPECT_TRUE(Refused(huge));
  EXPECT_TRUE(Refused(std::string(10'000'000, 'a')));
}

TEST_F(JwtTest, Es256SignatureMustBeRawRS) {
  const std::string good = Token(ec_, Claims(), "e1");
  const std::string input = good.substr(0, good.rfind('.'));
  // A DER signature, as OpenSSL produces it, is not a JWS ES256 signature.
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  ASSERT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, ec_), 1);
  unsigned char der[128];
  size_t len = sizeof der;
  ASSERT_EQ(EVP_DigestSign(ctx.get(), der, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EXPECT_TRUE(Refused(input + "." + Base64UrlEncode(std::string(reinterpret_cast<char*>(der), len))));
  EXPECT_TRUE(Refused(input + "." + Base64UrlEncode(std::string(64, '\0'))));
}

TEST(PkceTest, Rfc7636AppendixB) {
  // RFC 7636 Appendix B: the 32 octets, their base64url (the verifier), and its S256 challenge.
  const unsigned char octets[32] = {116, 24,  223, 180, 151, 153, 224, 37, 79, 250, 96,  125, 216, 173, 187, 186,
                                    22,  212, 37,  77,  105, 214, 191, 240, 91, 88, 5,   88,  83,  132, 141, 121};
  const std::string verifier = Base64UrlEncode(std::string(reinterpret_cast<const char*>(octets), sizeof octets));
  EXPECT_EQ(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  EXPECT_EQ(PkceChallenge(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(PkceTest, RandomVerifierIsRfcCompliant) {
  const std::string v = RandomToken(32);
  EXPECT_EQ(v.size(), 43u);
  EXPECT_EQ(v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"),
            std::string::npos);
}

TEST(JwksTest, UnusableKeysSkipped) {
  Pkey rsa = NewRsa(), ec = NewEc();
  Pkey small(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)));
  auto off_curve = JwkOf(ec.get(), "bad-point");
  std::string y = *Base64UrlDecode(std::string_view(off_curve["y"].as_string()));
  y[31] ^= 1;
  off_curve["y"] = Base64UrlEncode(y);
  auto enc = JwkOf(rsa.get(), "enc");
  enc["use"] = "enc";
  auto priv = JwkOf(rsa.get(), "priv");
  priv["d"] = "AQAB";
  auto p384 = JwkOf(ec.get(), "p384");
  p384["crv"] = "P-384";
  boost::json::array keys{JwkOf(rsa.get(), "good-rsa"), JwkOf(ec.get(), "good-ec"), JwkOf(small.get(), "small"),
                          off_curve, enc, priv, p384,
                          boost::json::object{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}},
                          boost::json::object{{"kty", "RSA"}, {"kid", "junk"}, {"n", "!!"}, {"e", "AQAB"}}, 42};
  auto parsed = detail::ParseJwks(boost::json::serialize(boost::json::object{{"keys", keys}}));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[0].kid, "good-rsa");
  EXPECT_EQ((*parsed)[1].kid, "good-ec");
  EXPECT_EQ(detail::FindKey(*parsed, "RS256", "good-rsa"), &(*parsed)[0]);
  EXPECT_EQ(detail::FindKey(*parsed, "ES256", "good-rsa"), nullptr);
  EXPECT_EQ(detail::FindKey(*parsed, "RS256", ""), &(*parsed)[0]);  // the only RSA key
  EXPECT_EQ(detail::FindKey(*parsed, "HS256", "good-rsa"), nullptr);
  EXPECT_FALSE(detail::ParseJwks("not json").ok());
  EXPECT_FALSE(detail::ParseJwks("{\"keys\":{}}").ok());
}

TEST(DiscoveryTest, IssuerMustMatchExactly) {
  const std::string doc = R"({"issuer":"https://op.example","authorization_endpoint":"https://op.example/auth",
      "token_endpoint":"https://op.example/token","jwks_uri":"https://op.example/jwks"})";
  auto ok = detail::ParseDiscovery(doc, "https://op.example", false);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->token_endpoint, "https://op.example/token");
  EXPECT_FALSE(detail::ParseDiscovery(doc, "https://op.example/", false).ok());
  EXPECT_FALSE(detail::ParseDiscovery(doc, "https://OP.example", false).ok());
  EXPECT_FALSE(detail::ParseDiscovery("[]", "https://op.example", false).ok());
  EXPECT_EQ(detail::DiscoveryUrl("https://op.example/"), "https://op.example/.well-known/openid-configuration");
}

TEST(DiscoveryTest, EndpointsMustBeHttps) {
  const std::string http_doc = R"({"issuer":"http://127.0.0.1:9","authorization_endpoint":"http://127.0.0.1:9/a",
      "token_endpoint":"http://127.0.0.1:9/t","jwks_uri":"http://127.0.0.1:9/j"})";
  EXPECT_FALSE(detail::ParseDiscovery(http_doc, "http://127.0.0.1:9", false).ok());
  EXPECT_TRUE(detail::ParseDiscovery(http_doc, "http://127.0.0.1:9", true).ok());
  const std::string remote = R"({"issuer":"http://op.example","authorization_endpoint":"http://op.example/a",
      "token_endpoint":"http://op.example/t","jwks_uri":"http://op.example/j"})";
  EXPECT_FALSE(detail::ParseDiscovery(remote, "http://op.example", true).ok());
  const std::string no_jwks = R"({"issuer":"https://op.example","authorization_endpoint":"https://op.example/a",
      "token_endpoint":"https://op.example/t"})";
  EXPECT_FALSE(detail::ParseDiscovery(no_jwks, "https://op.example", false).ok());
}

TEST(HttpFetchTest, UrlPolicy) {
  EXPECT_TRUE(detail::CheckFetchUrl("https://op.example/x", false).ok());
  EXPECT_FALSE(detail::CheckFetchUrl("http://op.example/x", false).ok());
  EXPECT_FALSE(detail::CheckFetchUrl("http://op.example/x", true).ok());
  EXPECT_FALSE(detail::CheckFetchUrl("http://127.0.0.1:8/x", false).ok());
  EXPECT_TRUE(detail::CheckFetchUrl("http://127.0.0.1:8/x", true).ok());
  EXPECT_TRUE(detail::CheckFetchUrl("http://localhost/x", true).ok());
  EXPECT_TRUE(detail::CheckFetchUrl("http://[::1]:8/x", true).ok());
  // Boost.URL 1.81 reads this host as 127.0.0.1; curl (which fetches) does not.
  EXPECT_FALSE(detail::CheckFetchUrl("http://127.0.0.1.evil.example/x", true).ok());
  EXPECT_FALSE(detail::CheckFetchUrl("http://localhost.evil.example/x", true).ok());
  EXPECT_FALSE(detail::CheckFetchUrl("http://127.0.0.1@evil.example/x", true).ok());
  EXPECT_FALSE(detail::CheckFetchUrl("file:///etc/passwd", true).ok());
  EXPECT_FALSE(detail::CheckFetchUrl("ftp://op.example/", true).ok());
  EXPECT_FALSE(detail::CheckFetchUrl("https://user:pw@op.example/", false).ok());
  EXPECT_FALSE(detail::CheckFetchUrl("/relative", false).ok());
  auto r = detail::HttpGet("file:///etc/passwd", {.allow_http = true});
  EXPECT_FALSE(r.ok());
}

TEST(HttpFetchTest, FormEncodingAndBasicAuth) {
  EXPECT_EQ(detail::FormEncode("a b+c/d?e=f&g~h"), "a%20b%2Bc%2Fd%3Fe%3Df%26g~h");
  // RFC 6749 2.3.1: id and secret are form-encoded before base64.
  EXPECT_EQ(detail::BasicAuthorization("tribune-test", "secret"), "Basic dHJpYnVuZS10ZXN0OnNlY3JldA==");
  EXPECT_EQ(detail::BasicAuthorization("a:b", "c d"), "Basic YSUzQWI6YyUyMGQ=");
}

}  // namespace
}  // namespace tribune::oidc
