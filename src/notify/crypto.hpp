// Web Push cryptography with OpenSSL 3: the application server's VAPID key pair (P-256), RFC 8291 message
// encryption ("aes128gcm" content coding of RFC 8188, one record) and RFC 8292 VAPID tokens (JWT, ES256).
//
// Keys travel as raw bytes: a private key is the 32-byte big-endian scalar, a public key the 65-byte
// uncompressed point (0x04 || X || Y) — the forms the Push API and the VAPID "k" parameter use
// (base64url-encoded on the wire). Everything here is thread-safe and allocation-light: the push worker
// encrypts and signs on several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.hpp"

namespace tribune::notify {

// The most plaintext one aes128gcm record of 4096 bytes can carry after RFC 8291's 86-byte header, the
// 16-byte tag and the 1-byte padding delimiter: 4096 - 86 - 16 - 1 = 3993.
inline constexpr size_t kMaxPushPlaintext = 3993;

struct KeyPair {
  std::string private_key;  // 32 bytes
  std::string public_key;   // 65 bytes, uncompressed
};

// A fresh P-256 key pair. Errors: kInternal when OpenSSL fails.
Result<KeyPair> GenerateKeyPair();
// The pair whose private scalar is `private_key` (32 bytes; the public key is derived).
// Errors: kBadRequest when it is not a valid P-256 private key.
Result<KeyPair> KeyPairFromPrivate(std::string_view private_key);
// True when `public_key` is 65 bytes, starts 0x04 and is a point on P-256 (not the point at infinity).
bool IsValidPublicKey(std::string_view public_key);

// RFC 8291: encrypts `plaintext` for a user agent whose subscription holds `ua_public` (p256dh, 65 bytes)
// and `auth_secret` (16 bytes), with a fresh ephemeral key pair and a random 16-byte salt. The result is
// the whole HTTP request body: salt(16) || rs(4, = 4096) || idlen(1, = 65) || keyid(65: the ephemeral
// public key) || ciphertext (one record: plaintext || 0x02, encrypted, with its 16-byte tag).
// Errors: kBadRequest for a key of the wrong size or not on the curve, an auth secret that is not 16 bytes,
// plaintext longer than kMaxPushPlaintext.
Result<std::string> Encrypt(std::string_view ua_public, std::string_view auth_secret, std::string_view plaintext);
// The same with the sender's key pair and salt given: for RFC 8291 Section 5's example and tests.
Result<std::string> EncryptWith(std::string_view ua_public, std::string_view auth_secret, std::string_view plaintext,
                                const KeyPair& sender, std::string_view salt);
// The inverse, as a user agent would decrypt (tests use it to check round trips and the RFC example).
// Errors: kBadRequest when the body is malformed or does not authenticate.
Result<std::string> Decrypt(std::string_view ua_private, std::string_view ua_public, std::string_view auth_secret,
                            std::string_view body);

// RFC 8292: a JWT {"typ":"JWT","alg":"ES256"}.{"aud":audience,"exp":expires_unix,"sub":subject} signed with
// `key` (the signature is the 64-byte R || S form JWS wants, not DER). `audience` is the push service's
// origin ("https://fcm.googleapis.com"), `subject` a "mailto:" or "https:" contact.
Result<std::string> SignVapidToken(const KeyPair& key, std::string_view audience, int64_t expires_unix,
                                   std::string_view subject);
// The Authorization header's value: "vapid t=<jwt>, k=<base64url public key>".
std::string VapidAuthorization(std::string_view jwt, std::string_view public_key);

// Signs once per push-service origin and reuses the token until it has less than an hour left; tokens live
// 12 hours (RFC 8292 allows 24). Thread-safe.
class VapidSigner {
 public:
  VapidSigner(KeyPair key, std::string subject);
  // The Authorization header value for `audience` at `now_unix`.
  Result<std::string> Authorization(std::string_view audience, int64_t now_unix);
  const KeyPair& key() const { return key_; }

 private:
  struct Cached {
    std::string header;
    int64_t expires = 0;
  };
  KeyPair key_;
  std::string subject_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace tribune::notify
