// Cryptographic randomness and hashing helpers (libsodium). Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <optional>
#include <string_view>

namespace tribune {

// Initialises libsodium once; safe to call repeatedly. Aborts if the library cannot start.
void InitCrypto();

// n random bytes, encoded base64url without padding (n=32 gives a 256-bit token).
std::string RandomToken(size_t n_bytes = 32);

// SHA-256 of data, lowercase hex. Used to store tokens hashed.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA-256(key, data), base64url without padding.
std::string HmacSha256B64(std::string_view key, std::string_view data);

// Constant-time equality of two strings (false when lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

std::string Base64UrlEncode(std::string_view bytes);

}  // namespace tribune

namespace tribune {
// Decodes base64url without padding; nullopt for anything else.
std::optional<std::string> Base64UrlDecode(std::string_view text);
}  // namespace tribune
