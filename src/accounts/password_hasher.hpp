// argon2id password hashing (libsodium) with a bound on how many hashes run at once, so a burst of
// logins cannot exhaust memory (each hash takes `memory_kib`).
#pragma once

#include <cstddef>
#include <semaphore>
#include <string>

namespace tribune::accounts {

class PasswordHasher {
 public:
  // memory_kib >= 19456 and passes >= 2 in production; tests may pass less to run fast.
  PasswordHasher(size_t memory_kib, unsigned long long passes, int concurrency);

  // The PHC-format string ("$argon2id$v=19$m=...") of a new salted hash. Blocks while `concurrency`
  // hashes are running. Thread-safe.
  std::string Hash(const std::string& password);

  // True when `password` matches `encoded`. Same cost as Hash.
  bool Verify(const std::string& encoded, const std::string& password);

  // Spends the time of a Verify without a real account (login with an unknown e-mail).
  void VerifyDummy(const std::string& password);

 private:
  size_t memory_bytes_;
  unsigned long long passes_;
  std::counting_semaphore<64> slots_;
  std::string dummy_hash_;
};

}  // namespace tribune::accounts
