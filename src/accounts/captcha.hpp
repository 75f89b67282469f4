// ALTCHA v1 proof-of-work captcha (https://altcha.org): the server issues a challenge, the reader's
// browser (the npm `altcha` widget) finds the number, the server verifies the solution.
//
// challenge = hex(SHA-256(salt + decimal number)), signature = hex(HMAC-SHA-256(key, challenge)); the
// salt carries its expiry as `?expires=<unix seconds>&` (the trailing `&` is altcha-lib's delimiter
// that keeps the number from being spliced into the parameters; salts without it are accepted too),
// covered by the signature. A solution is the standard base64 (btoa) of the JSON {algorithm, challenge,
// number, salt, signature, took} as the widget sends it (`took`, its solving time in ms, optional).
// Verification is strict: the algorithm on an allow-list, the number a JSON integer in [0, maxnumber],
// no unknown or duplicate members, comparisons in constant time, an unexpired salt. Replays are
// refused by storing the used signature (Consume) in the same write transaction as the action the
// captcha protects.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::accounts {

struct CaptchaChallenge {
  std::string algorithm;  // "SHA-256"
  std::string challenge;  // lowercase hex
  int64_t maxnumber = 0;
  std::string salt;       // "<random hex>?expires=<unix seconds>&"
  std::string signature;  // lowercase hex
};

// What a verified solution leaves to record in the protected action's transaction.
struct CaptchaProof {
  std::string signature;
  int64_t expires_at = 0;  // microseconds since the epoch
};

class CaptchaVerifier {
 public:
  virtual ~CaptchaVerifier() = default;
  // Checks a solution without touching the database. Errors: kCaptchaFailed.
  virtual Result<CaptchaProof> Verify(const std::string& payload) const = 0;
};

struct AltchaOptions {
  int64_t maxnumber = 100'000;    // the work: the browser tries up to this many hashes
  int64_t ttl_seconds = 20 * 60;  // how long a challenge stays solvable
};

class Altcha final : public CaptchaVerifier {
 public:
  // `hmac_key`: at least 32 bytes of secret.
  Altcha(const Clock& clock, std::string hmac_key, AltchaOptions options = {});

  CaptchaChallenge Issue() const;
  Result<CaptchaProof> Verify(const std::string& payload) const override;

 private:
  const Clock& clock_;
  std::string key_;
  AltchaOptions options_;
};

// Deletes the remembered solutions that have expired (ConsumeCaptcha does it now and then).
Status ForgetExpiredCaptchas(storage::Session& session, int64_t now_micros);

// Records a used solution in the caller's write transaction (and forgets expired ones now and then).
// Errors: kCaptchaFailed when the signature was used before.
Status ConsumeCaptcha(storage::Session& session, const CaptchaProof& proof, int64_t now_micros);

}  // namespace tribune::accounts
