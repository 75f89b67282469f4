// The steps of RFC 8291's key schedule, exposed for crypto_test.cpp only (RFC 8291 Appendix A publishes each
// intermediate value). Production code uses crypto.hpp.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace tribune::notify::internal {

// The raw ECDH shared secret (the 32-byte x coordinate) of a P-256 private scalar and a peer's uncompressed
// public point. Errors: kBadRequest for a malformed key or a point not on the curve.
Result<std::string> EcdhSecret(std::string_view private_key, std::string_view peer_public);

struct PushKeys {
  std::string prk_key;  // HKDF-Extract(auth_secret, ecdh_secret)
  std::string ikm;      // HKDF-Expand(PRK_key, "WebPush: info" || 0x00 || ua_public || as_public, 32)
  std::string prk;      // HKDF-Extract(salt, IKM)
  std::string cek;      // HKDF-Expand(PRK, "Content-Encoding: aes128gcm" || 0x00, 16)
  std::string nonce;    // HKDF-Expand(PRK, "Content-Encoding: nonce" || 0x00, 12)
};

// RFC 8291 Section 3.4 and RFC 8188 Section 2.2 (inputs are not checked: callers pass the right sizes).
PushKeys DeriveKeys(std::string_view ecdh_secret, std::string_view auth_secret, std::string_view ua_public,
                    std::string_view as_public, std::string_view salt);

}  // namespace tribune::notify::internal
