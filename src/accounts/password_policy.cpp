#include "accounts/password_policy.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_set>

namespace tribune::accounts {

extern const char kCommonPasswords[];

namespace {

const std::unordered_set<std::string>& Common() {
  static const std::unordered_set<std::string> words = [] {
    std::unordered_set<std::string> out;
    std::string_view all(kCommonPasswords);
    while (!all.empty()) {
      const size_t nl = all.find('\n');
      std::string_view line = all.substr(0, nl);
      all = nl == std::string_view::npos ? std::string_view() : all.substr(nl + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty() || line.rfind("#!comment", 0) == 0) continue;
      std::string w(line);
      std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return std::tolower(c); });
      out.insert(std::move(w));
    }
    return out;
  }();
  return words;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool IsAsciiAlnum(unsigned char c) { return std::isalnum(c) != 0; }

// "password" from "password2024!!", "p@ssword" stays itself.
std::string WithoutTrailingNoise(const std::string& s) {
  size_t end = s.size();
  while (end > 0 && !std::isalpha(static_cast<unsigned char>(s[end - 1]))) --end;
  return s.substr(0, end);
}

// The shortest unit that the whole string repeats, or the string itself.
std::string_view RepeatedUnit(std::string_view s) {
  for (size_t n = 1; n <= s.size() / 2; ++n) {
    if (s.size() % n != 0) continue;
    bool same = true;
    for (size_t i = n; i < s.size() && same; ++i) same = s[i] == s[i - n];
    if (same) return s.substr(0, n);
  }
  return s;
}

// Every step +1 or every step -1 (ASCII), e.g. "123456789012"... wrapping 9→0 counts as a step.
bool IsRun(std::string_view s) {
  if (s.size() < 4) return false;
  for (int dir : {1, -1}) {
    bool run = true;
    for (size_t i = 1; i < s.size() && run; ++i) {
      const int a = static_cast<unsigned char>(s[i - 1]);
      const int b = static_cast<unsigned char>(s[i]);
      const bool digit_wrap = std::isdigit(a) && std::isdigit(b) && ((b - a + 10) % 10 == (dir + 10) % 10);
      run = b - a == dir || digit_wrap;
    }
    if (run) return true;
  }
  return false;
}

constexpr const char* kQwertyRows[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};

bool IsKeyboardWalk(std::string_view s) {
  if (s.size() < 6) return false;
  for (const char* row : kQwertyRows) {
    const std::string r(row);
    const std::string twice = r + r;
    if (twice.find(s) != std::string::npos) return true;
    std::string rev(twice.rbegin(), twice.rend());
    if (rev.find(s) != std::string::npos) return true;
  }
  return false;
}

Error Weak(const char* why) {
  return MakeError(ErrorCode::kBadRequest, std::string("This password is too easy to guess: ") + why +
                                               ". A few unrelated words make a strong one.");
}

}  // namespace

Status CheckPasswordStrength(std::string_view password, std::string_view email, std::string_view display_name) {
  const std::string lower = Lower(password);
  const auto& common = Common();
  if (common.count(lower) || common.count(WithoutTrailingNoise(lower))) return Weak("it is one of the most common");
  const std::string_view unit = RepeatedUnit(lower);
  if (unit.size() < lower.size() && (unit.size() <= 4 || common.count(std::string(unit)) || IsRun(unit))) {
    return Weak("it repeats itself");
  }
  if (IsRun(lower) || IsKeyboardWalk(lower)) return Weak("it is a run of neighbouring keys or letters");
  std::set<char> distinct(lower.begin(), lower.end());
  if (distinct.size() < 5) return Weak("it uses fewer than five different characters");
  // Little more than the reader's own address or name.
  auto strip = [&](std::string s, std::string_view part) {
    const std::string p = Lower(part);
    if (p.size() < 4) return s;
    for (size_t at = s.find(p); at != std::string::npos; at = s.find(p)) s.erase(at, p.size());
    return s;
  };
  std::string rest = lower;
  const size_t at = email.find('@');
  rest = strip(rest, email);
  rest = strip(rest, email.substr(0, at));
  rest = strip(rest, display_name);
  size_t alnum = 0;
  for (unsigned char c : rest) alnum += IsAsciiAlnum(c) || c >= 0x80 ? 1 : 0;
  if (rest.size() < lower.size() && alnum < 6) return Weak("it is mostly your e-mail address or name");
  return Ok{};
}

}  // namespace tribune::accounts
