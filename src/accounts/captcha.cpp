#include "accounts/captcha.hpp"

#include <sodium.h>

#include <boost/json/basic_parser_impl.hpp>
#include <chrono>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "common/random.hpp"

namespace tribune::accounts {
namespace {

constexpr std::string_view kAlgorithm = "SHA-256";
constexpr size_t kMaxPayloadBytes = 4096;
constexpr size_t kSaltRandomBytes = 12;         // 24 hex characters, like altcha-lib
constexpr size_t kMaxSaltLength = 128;
constexpr int64_t kClockSkewSeconds = 60;       // tolerated for an `expires` beyond now + ttl
constexpr int64_t kMicrosPerSecond = 1'000'000;

Error Invalid() { return MakeError(ErrorCode::kCaptchaFailed, "The captcha answer is not valid."); }
Error Expired() { return MakeError(ErrorCode::kCaptchaFailed, "The captcha expired; solve a new one."); }

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string ToHex(const unsigned char* bytes, size_t n) {
  std::string hex(n * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, n);
  hex.resize(n * 2);
  return hex;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_memzero(&st, sizeof st);
  return ToHex(mac, sizeof mac);
}

// Uniform in [0, max] from libsodium's CSPRNG.
int64_t RandomUpTo(int64_t max) {
  if (max < static_cast<int64_t>(std::numeric_limits<uint32_t>::max())) {
    return static_cast<int64_t>(randombytes_uniform(static_cast<uint32_t>(max) + 1));
  }
  const uint64_t bound = static_cast<uint64_t>(max) + 1;  // max < 2^63, so no overflow
  const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % bound;
  uint64_t r;
  do {
    randombytes_buf(&r, sizeof r);
  } while (r >= limit);
  return static_cast<int64_t>(r % bound);
}

std::optional<std::string> DecodeStandardBase64(std::string_view text) {
  // The widget sends btoa(JSON.stringify(...)): standard alphabet, with padding.
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

// One scalar member of the solution object.
struct Member {
  enum class Kind { kString, kInt, kOther } kind = Kind::kOther;
  std::string text;
  int64_t integer = 0;
};

// A boost::json SAX handler accepting exactly one flat object of scalars with distinct keys (the
// DOM parser silently keeps one of duplicate keys, which would let two readings of one payload differ).
struct FlatObjectHandler {
  static constexpr std::size_t max_array_size = 0;
  static constexpr std::size_t max_object_size = 16;
  static constexpr std::size_t max_string_size = 512;
  static constexpr std::size_t max_key_size = 32;

  std::map<std::string, Member, std::less<>> members;
  std::string key;
  std::string text;
  int depth = 0;

  static bool Fail(boost::json::error_code& ec) {
    ec = boost::json::error::syntax;
    return false;
  }
  bool Put(Member m, boost::json::error_code& ec) {
    if (depth != 1) return Fail(ec);
    if (!members.emplace(std::move(key), std::move(m)).second) return Fail(ec);
    key.clear();
    return true;
  }

  bool on_document_begin(boost::json::error_code&) { return true; }
  bool on_document_end(boost::json::error_code&) { return true; }
  bool on_array_begin(boost::json::error_code& ec) { return Fail(ec); }
  bool on_array_end(std::size_t, boost::json::error_code& ec) { return Fail(ec); }
  bool on_object_begin(boost::json::error_code& ec) {
    if (depth != 0) return Fail(ec);
    depth = 1;
    return true;
  }
  bool on_object_end(std::size_t, boost::json::error_code&) {
    depth = 2;  // nothing may follow
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    text.append(s.data(), s.size());
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, boost::json::error_code& ec) {
    text.append(s.data(), s.size());
    Member m{Member::Kind::kString, std::move(text), 0};
    text.clear();
    return Put(std::move(m), ec);
  }
  bool on_key_part(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, boost::json::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_number_part(boost::json::string_view, boost::json::error_code&) { return true; }
  bool on_int64(int64_t i, boost::json::string_view, boost::json::error_code& ec) {
    return Put(Member{Member::Kind::kInt, {}, i}, ec);
  }
  bool on_uint64(uint64_t, boost::json::string_view, boost::json::error_code& ec) {
    return Put(Member{}, ec);  // beyond int64: never a valid number
  }
  bool on_double(double, boost::json::string_view, boost::json::error_code& ec) { return Put(Member{}, ec); }
  bool on_bool(bool, boost::json::error_code& ec) { return Put(Member{}, ec); }
  bool on_null(boost::json::error_code& ec) { return Put(Member{}, ec); }
  bool on_comment_part(boost::json::string_view, boost::json::error_code& ec) { return Fail(ec); }
  bool on_comment(boost::json::string_view, boost::json::error_code& ec) { return Fail(ec); }
};

std::optional<std::map<std::string, Member, std::less<>>> ParseFlatObject(std::string_view json) {
  boost::json::basic_parser<FlatObjectHandler> parser(boost::json::parse_options{});
  boost::json::error_code ec;
  const size_t n = parser.write_some(false, json.data(), json.size(), ec);
  if (ec || n != json.size() || !parser.done() || parser.handler().depth != 2) return std::nullopt;
  return std::move(parser.handler().members);
}

const Member* Find(const std::map<std::string, Member, std::less<>>& m, std::string_view key, Member::Kind kind) {
  auto it = m.find(key);
  if (it == m.end() || it->second.kind != kind) return nullptr;
  return &it->second;
}

// "<hex>?expires=<digits>" with an optional trailing "&" (altcha-lib >= 1.3 appends it so that the
// number cannot be spliced into the parameters). Returns the expiry in unix seconds.
std::optional<int64_t> SaltExpires(std::string_view salt) {
  if (salt.size() < 10 || salt.size() > kMaxSaltLength) return std::nullopt;
  const size_t q = salt.find('?');
  if (q == std::string_view::npos || q < 8 || !IsLowerHex(salt.substr(0, q))) return std::nullopt;
  std::string_view params = salt.substr(q + 1);
  if (!params.empty() && params.back() == '&') params.remove_suffix(1);
  constexpr std::string_view kPrefix = "expires=";
  if (params.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view digits = params.substr(kPrefix.size());
  if (!IsDigits(digits) || digits.size() > 12 || digits[0] == '0') return std::nullopt;
  return std::stoll(std::string(digits));
}

}  // namespace

Altcha::Altcha(const Clock& clock, std::string hmac_key, AltchaOptions options)
    : clock_(clock), key_(std::move(hmac_key)), options_(options) {
  InitCrypto();
  if (key_.size() < 32) throw std::invalid_argument("captcha: the HMAC key needs at least 32 bytes");
  if (options_.maxnumber < 1 || options_.maxnumber > (int64_t{1} << 53)) {
    throw std::invalid_argument("captcha: maxnumber out of range");
  }
  if (options_.ttl_seconds < 1) throw std::invalid_argument("captcha: ttl_seconds must be positive");
}

CaptchaChallenge Altcha::Issue() const {
  unsigned char random[kSaltRandomBytes];
  randombytes_buf(random, sizeof random);
  const int64_t now_seconds = clock_.NowMicros() / kMicrosPerSecond;
  CaptchaChallenge c;
  c.algorithm = std::string(kAlgorithm);
  c.maxnumber = options_.maxnumber;
  c.salt = ToHex(random, sizeof random) + "?expires=" + std::to_string(now_seconds + options_.ttl_seconds) + "&";
  c.challenge = Sha256Hex(c.salt + std::to_string(RandomUpTo(options_.maxnumber)));
  c.signature = HmacSha256Hex(key_, c.challenge);
  return c;
}

Result<CaptchaProof> Altcha::Verify(const std::string& payload) const {
  if (payload.empty() || payload.size() > kMaxPayloadBytes) return Invalid();
  auto json = DecodeStandardBase64(payload);
  if (!json) return Invalid();
  auto members = ParseFlatObject(*json);
  if (!members) return Invalid();

  // The widget's keys: algorithm, challenge, number, salt, signature, took (and `test` only in its
  // test mode, whose self-made challenges carry no signature and are refused anyway).
  size_t expected = 5;
  if (auto it = members->find("took"); it != members->end()) {
    if (it->second.kind != Member::Kind::kInt || it->second.integer < 0) return Invalid();
    ++expected;
  }
  const Member* algorithm = Find(*members, "algorithm", Member::Kind::kString);
  const Member* challenge = Find(*members, "challenge", Member::Kind::kString);
  const Member* number = Find(*members, "number", Member::Kind::kInt);
  const Member* salt = Find(*members, "salt", Member::Kind::kString);
  const Member* signature = Find(*members, "signature", Member::Kind::kString);
  if (!algorithm || !challenge || !number || !salt || !signature || members->size() != expected) return Invalid();

  if (algorithm->text != kAlgorithm) return Invalid();
  if (number->integer < 0 || number->integer > options_.maxnumber) return Invalid();
  if (challenge->text.size() != 64 || !IsLowerHex(challenge->text)) return Invalid();
  if (signature->text.size() != 64 || !IsLowerHex(signature->text)) return Invalid();
  const auto expires = SaltExpires(salt->text);
  if (!expires) return Invalid();

  const std::string computed = Sha256Hex(salt->text + std::to_string(number->integer));
  const bool challenge_ok = ConstantTimeEquals(computed, challenge->text);
  const bool signature_ok = ConstantTimeEquals(HmacSha256Hex(key_, computed), signature->text);
  if (!(challenge_ok & signature_ok)) return Invalid();

  // Only a genuine challenge learns that it expired.
  const int64_t now_micros = clock_.NowMicros();
  const int64_t now_seconds = now_micros / kMicrosPerSecond;
  if (*expires > now_seconds + options_.ttl_seconds + kClockSkewSeconds) return Invalid();
  if (*expires * kMicrosPerSecond <= now_micros) return Expired();
  return CaptchaProof{signature->text, *expires * kMicrosPerSecond};
}

Status ForgetExpiredCaptchas(storage::Session& session, int64_t now_micros) {
  TRIBUNE_TRY(session.Exec("DELETE FROM captcha_used WHERE expires_at < $1", {now_micros}));
  return Ok{};
}

Status ConsumeCaptcha(storage::Session& session, const CaptchaProof& proof, int64_t now_micros) {
  InitCrypto();
  if (randombytes_uniform(64) == 0) TRIBUNE_TRY(ForgetExpiredCaptchas(session, now_micros));
  auto changed = session.Exec(
      "INSERT INTO captcha_used (signature, expires_at) VALUES ($1, $2) ON CONFLICT (signature) DO NOTHING",
      {proof.signature, proof.expires_at});
  if (!changed.ok()) return std::move(changed).error();
  if (*changed == 0) return MakeError(ErrorCode::kCaptchaFailed, "This captcha was already used.");
  return Ok{};
}

}  // namespace tribune::accounts
