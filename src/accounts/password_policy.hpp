// What makes a password too easy to guess, beyond its length (OWASP ASVS 2.1.7): one of the most common
// passwords (data/passwords/common.txt, embedded), such a word with digits or symbols appended, a
// repetition ("passwordpassword", "abcabcabcabc"), a run of the keyboard or the alphabet ("123456789012"),
// too few distinct characters, or little more than the reader's own e-mail address or name. No composition
// rules (ASVS 2.1.9): a long passphrase of plain words passes.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace tribune::accounts {

// Errors: kBadRequest saying why, without echoing the password.
Status CheckPasswordStrength(std::string_view password, std::string_view email, std::string_view display_name);

}  // namespace tribune::accounts
