#include "accounts/password_hasher.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "common/random.hpp"

namespace tribune::accounts {

namespace {
struct SlotGuard {
  std::counting_semaphore<64>& s;
  explicit SlotGuard(std::counting_semaphore<64>& sem) : s(sem) { s.acquire(); }
  ~SlotGuard() { s.release(); }
};
}  // namespace

PasswordHasher::PasswordHasher(size_t memory_kib, unsigned long long passes, int concurrency)
    : memory_bytes_(memory_kib * 1024), passes_(passes), slots_(std::clamp(concurrency, 1, 64)) {
  InitCrypto();
  dummy_hash_ = Hash(RandomToken(16));
}

std::string PasswordHasher::Hash(const std::string& password) {
  SlotGuard guard(slots_);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), passes_, memory_bytes_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("argon2id: out of memory");
  }
  return out;
}

bool PasswordHasher::Verify(const std::string& encoded, const std::string& password) {
  SlotGuard guard(slots_);
  return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::VerifyDummy(const std::string& password) { (void)Verify(dummy_hash_, password); }

}  // namespace tribune::accounts
