// X-Coral-Signature (INTEROP.md §2.3): HMAC-SHA256 keyed with the secret string over the exact raw body, as
// comma-separated "sha256=<hex>" elements, one per active secret.
#include <sodium.h>

#include <array>

#include "common/random.hpp"
#include "interop/coral.hpp"

namespace tribune::interop {

namespace {

using Mac = std::array<unsigned char, crypto_auth_hmacsha256_BYTES>;

constexpr size_t kMaxHeaderBytes = 8192;
constexpr int kMaxElements = 16;

Mac HmacSha256(std::string_view key, std::string_view data) {
  Mac mac{};
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&st, mac.data());
  return mac;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 64 hex digits → 32 bytes; false for anything else.
bool DecodeMac(std::string_view hex, Mac& out) {
  if (hex.size() != out.size() * 2) return false;
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string CoralSignature(std::string_view raw_body, std::string_view secret) {
  static constexpr char kHex[] = "0123456789abcdef";
  const Mac mac = HmacSha256(secret, raw_body);
  std::string out = "sha256=";
  out.reserve(7 + 2 * mac.size());
  for (unsigned char b : mac) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

bool VerifyCoralSignature(std::string_view raw_body, std::string_view header, const std::vector<std::string>& secrets) {
  if (header.size() > kMaxHeaderBytes) header = header.substr(0, kMaxHeaderBytes);
  // The MACs are computed only when the header holds a well-formed candidate, once per secret.
  std::vector<Mac> expected;
  bool ok = false;
  int elements = 0;
  while (!header.empty() && elements < kMaxElements) {
    const size_t comma = header.find(',');
    const std::string_view element = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    ++elements;
    const size_t eq = element.find('=');
    if (eq == std::string_view::npos || element.substr(0, eq) != "sha256") continue;
    Mac given{};
    if (!DecodeMac(element.substr(eq + 1), given)) continue;
    if (expected.empty()) {
      InitCrypto();
      for (const std::string& secret : secrets) {
        if (!secret.empty()) expected.push_back(HmacSha256(secret, raw_body));
      }
    }
    // Every comparison runs (no early exit): the time does not say which secret or element matched.
    for (const Mac& mac : expected) ok |= sodium_memcmp(mac.data(), given.data(), mac.size()) == 0;
  }
  return ok;
}

}  // namespace tribune::interop
