// Messenger handles and crypto wallet addresses in the original text.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "moderation/rules/promotion_internal.hpp"

namespace tribune::moderation::promo_internal {
namespace {

// Host labels of messenger links written "<label>.me/<name>" ("t.me/shop", "wa.me/79991234567").
constexpr std::array<std::string_view, 7> kMessengerHosts{"telegram", "signal", "t", "wa", "vk", "ig", "m"};
// Separators people write between "t" and "me" to slip past link filters.
constexpr std::array<std::string_view, 8> kDots{"[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}", " dot ", "."};

// Messenger and social network names after which an "@name" or a phone number is a contact handle.
constexpr std::array kMessengerWords{
    Term{"telegram"}, Term{"telega"}, Term{"tg"}, Term{"телеграм", true}, Term{"телег", true}, Term{"тг"},
    Term{"whatsapp"}, Term{"whats app"}, Term{"wa"}, Term{"ватсап", true}, Term{"вацап", true},
    Term{"вотсап", true}, Term{"viber"}, Term{"вайбер", true}, Term{"вибер", true}, Term{"signal"},
    Term{"wechat"}, Term{"skype"}, Term{"скайп", true}, Term{"discord"}, Term{"дискорд", true}, Term{"insta"},
    Term{"instagram"}, Term{"инстаграм", true}, Term{"инста"}, Term{"инсте"}, Term{"инсту"}, Term{"ig"},
    Term{"snapchat"}, Term{"snap"}, Term{"tiktok"}, Term{"тикток", true}, Term{"kik"}, Term{"threema"},
};

constexpr std::array kHandlePrepositions{Term{"on"}, Term{"in"}, Term{"at"}, Term{"via"}, Term{"from"}, Term{"в"},
                                         Term{"на"}, Term{"из"}, Term{"sur"}, Term{"auf"}, Term{"en"}, Term{"por"}};

// Words after which a phone number is an invitation to call ("call 555-201-7788", "звоните 8 912…"). The
// number itself is the privacy rule's; here it only says "contact" for the combinations.
constexpr std::array kPhoneWords{
    Term{"call"}, Term{"text"}, Term{"phone"}, Term{"tel"}, Term{"tel."}, Term{"звоните"}, Term{"звони"},
    Term{"звонить"}, Term{"тел"}, Term{"тел."}, Term{"телефон"}, Term{"appelez"}, Term{"appelle"}, Term{"anrufen"},
    Term{"ruf"}, Term{"llama"}, Term{"llame"}, Term{"llámame"}, Term{"llamar"},
};

constexpr std::string_view kBase58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view kBech32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

bool IsNameChar(char c) { return IsAsciiAlnum(c) || c == '_'; }

// The end of a phone-like run starting at s[i] ('+' or a digit): digits with single spaces, '-', '.',
// '(' or ')' between; 0 unless it holds 7–15 digits.
size_t PhoneEnd(std::string_view s, size_t i) {
  size_t j = i, digits = 0, end = 0;
  if (j < s.size() && s[j] == '+') ++j;
  while (j < s.size() && digits <= 15) {
    if (IsDigit(s[j])) {
      ++digits;
      end = ++j;
    } else if ((s[j] == ' ' || s[j] == '-' || s[j] == '.' || s[j] == '(' || s[j] == ')') && j + 1 < s.size() &&
               (IsDigit(s[j + 1]) || s[j + 1] == '(')) {
      ++j;
    } else {
      break;
    }
  }
  return digits >= 7 && digits <= 15 && !WordAt(s, end) ? end : 0;
}

// "<label><dot>me/<name>" at `i`, spaces allowed around the dot and the slash ("t . me / shop").
size_t MessengerLinkEnd(std::string_view s, std::string_view lower, size_t i) {
  for (std::string_view host : kMessengerHosts) {
    if (lower.compare(i, host.size(), host) != 0) continue;
    size_t j = SkipSpaces(s, i + host.size(), 2);
    size_t dot = 0;
    for (std::string_view d : kDots) {
      std::string_view probe = d == " dot " ? std::string_view("dot ") : d;  // the space before is skipped
      if (lower.compare(j, probe.size(), probe) == 0) {
        dot = probe.size();
        break;
      }
    }
    if (dot == 0) continue;
    j = SkipSpaces(s, j + dot, 2);
    if (lower.compare(j, 2, "me") != 0) continue;
    j = SkipSpaces(s, j + 2, 2);
    if (j >= s.size() || s[j] != '/') continue;
    j = SkipSpaces(s, j + 1, 2);
    if (lower.compare(j, 1, "+") == 0) ++j;
    size_t e = j;
    while (e < s.size() && (IsNameChar(s[e]) || s[e] == '/') && e - j < 64) ++e;
    if (e - j >= 2) return e;
  }
  return 0;
}

// Base58Check (Bitcoin "1…"/"3…", Tron "T…"): the decoded 25 bytes end in the first four bytes of the
// double SHA-256 of the rest. A typo or a random token fails; libsodium provides the hash.
bool Base58CheckValid(std::string_view t) {
  std::array<uint8_t, 32> num{};  // little-endian big number; 35 base58 digits fit in 26 bytes
  size_t len = 0;
  for (char c : t) {
    const size_t v = kBase58.find(c);
    if (v == std::string_view::npos) return false;
    uint32_t carry = static_cast<uint32_t>(v);
    for (size_t k = 0; k < len; ++k) {
      carry += static_cast<uint32_t>(num[k]) * 58;
      num[k] = static_cast<uint8_t>(carry & 0xFF);
      carry >>= 8;
    }
    while (carry > 0) {
      if (len == num.size()) return false;
      num[len++] = static_cast<uint8_t>(carry & 0xFF);
      carry >>= 8;
    }
  }
  size_t zeros = 0;
  while (zeros < t.size() && t[zeros] == '1') ++zeros;
  if (zeros + len != 25) return false;
  std::array<uint8_t, 25> bytes{};
  for (size_t k = 0; k < len; ++k) bytes[zeros + k] = num[len - 1 - k];
  static const bool sodium_ready = sodium_init() >= 0;
  if (!sodium_ready) return false;
  unsigned char h1[crypto_hash_sha256_BYTES], h2[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h1, bytes.data(), 21);
  crypto_hash_sha256(h2, h1, sizeof h1);
  return std::equal(h2, h2 + 4, bytes.begin() + 21);
}

bool IsWallet(std::string_view t) {
  if (t.size() == 42 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    for (size_t k = 2; k < t.size(); ++k) {
      const char c = t[k];
      if (!(IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    }
    return true;
  }
  if (t.size() >= 14 && t.size() <= 74 && (t.compare(0, 3, "bc1") == 0 || t.compare(0, 3, "BC1") == 0)) {
    return Bech32Valid(t);
  }
  if ((t[0] == '1' || t[0] == '3') && t.size() >= 26 && t.size() <= 35) return Base58CheckValid(t);
  if (t[0] == 'T' && t.size() == 34) return Base58CheckValid(t);
  return false;
}

}  // namespace

bool Bech32Valid(std::string_view address) {
  const size_t sep = address.rfind('1');
  if (sep == std::string_view::npos || sep == 0 || address.size() - sep - 1 < 6) return false;
  bool has_lower = false, has_upper = false;
  for (char c : address) {
    has_lower |= c >= 'a' && c <= 'z';
    has_upper |= c >= 'A' && c <= 'Z';
  }
  if (has_lower && has_upper) return false;
  auto low = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  auto feed = [&](uint32_t v) {
    const uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int k = 0; k < 5; ++k) {
      if ((top >> k) & 1) chk ^= kGen[k];
    }
  };
  for (size_t k = 0; k < sep; ++k) feed(static_cast<uint8_t>(low(address[k])) >> 5);
  feed(0);
  for (size_t k = 0; k < sep; ++k) feed(static_cast<uint8_t>(low(address[k])) & 31);
  for (size_t k = sep + 1; k < address.size(); ++k) {
    const size_t v = kBech32.find(low(address[k]));
    if (v == std::string_view::npos) return false;
    feed(static_cast<uint32_t>(v));
  }
  return chk == 1 || chk == 0x2bc830a3;  // bech32 (segwit v0) or bech32m (taproot)
}

namespace {

// Messenger links, also spaced and defanged. The host must start a word ("at.me/x" is no t.me link).
void ScanMessengerLinks(PromoScan& scan) {
  std::string_view s = scan.s, lower = scan.lower;
  const size_t n = s.size();
  size_t done = 0;  // end of the last link found
  for (const uint32_t i : scan.starts) {
    if (scan.Full(PromoKind::kHandle)) return;
    const char c = lower[i];
    if (i < done || !(c == 't' || c == 's' || c == 'w' || c == 'v' || c == 'i' || c == 'm') || (i > 0 && s[i - 1] == '.'))
      continue;
    // Cheap filter first: a short run of ASCII letters followed, perhaps after a space, by a separator.
    size_t j = i;
    while (j < n && j - i <= 8 && lower[j] >= 'a' && lower[j] <= 'z') ++j;
    const size_t k = SkipSpaces(s, j, 2);
    if (j - i > 8 || k >= n || !(lower[k] == '.' || lower[k] == '[' || lower[k] == '(' || lower[k] == '{' ||
                                  lower[k] == 'd'))
      continue;
    if (size_t e = MessengerLinkEnd(s, lower, i); e > 0) {
      scan.Add({PromoKind::kHandle, i, e});
      done = e;
    }
  }
}

// A messenger word, then within kHandleReach bytes on the same line "@name" or a phone number.
void ScanMessengerWords(PromoScan& scan) {
  static const TermIndex kIndex(kMessengerWords);
  std::string_view s = scan.s, lower = scan.lower;
  const size_t n = s.size();
  kIndex.ForEach(lower, scan.starts, [&](size_t at, const Term&, size_t e) {
    if (scan.Full(PromoKind::kHandle)) return false;
    size_t handle_end = 0;
    for (size_t j = e; j < n && j < e + kHandleReach && s[j] != '\n' && handle_end == 0; ++j) {
      if (s[j] == '@' && !WordBefore(s, j)) {
        size_t k = j + 1;
        while (k < n && (IsNameChar(s[k]) || (s[k] == '.' && k + 1 < n && IsNameChar(s[k + 1]))) && k - j <= 33) ++k;
        if (k - j - 1 >= 3) handle_end = k;
      } else if ((s[j] == '+' || IsDigit(s[j])) && !WordBefore(s, j)) {
        handle_end = PhoneEnd(s, j);
        if (handle_end == 0) {
          while (j + 1 < n && (IsDigit(s[j + 1]) || s[j + 1] == '+')) ++j;  // a short number: step over it
        }
      }
    }
    if (handle_end == 0) return true;
    // Already covered by a messenger link or an earlier word ("telegram / tg @x")?
    const bool covered = std::any_of(scan.out.begin(), scan.out.end(), [&](const PromoFeature& f) {
      return f.kind == PromoKind::kHandle && f.begin < handle_end && at < f.end;
    });
    if (!covered) scan.Add({PromoKind::kHandle, at, handle_end});
    return true;
  });
}

// "@name on Telegram": the handle first, the messenger word at most kHandleReach bytes later.
void ScanHandlesBeforeWords(PromoScan& scan) {
  std::string_view s = scan.s, lower = scan.lower;
  const size_t n = s.size();
  std::vector<std::pair<size_t, size_t>> handles;  // found so far (at most kMaxPerKind)
  for (const PromoFeature& f : scan.out) {
    if (f.kind == PromoKind::kHandle) handles.emplace_back(f.begin, f.end);
  }
  for (size_t j = 0; j < n && !scan.Full(PromoKind::kHandle); ++j) {
    if (s[j] != '@' || WordBefore(s, j)) continue;
    size_t k = j + 1;
    while (k < n && IsNameChar(s[k]) && k - j <= 33) ++k;
    if (k - j - 1 < 3) continue;
    if (std::any_of(handles.begin(), handles.end(), [&](const auto& h) { return h.first <= j && j < h.second; })) {
      j = k - 1;
      continue;
    }
    // Only spaces and one preposition between: "@x on Telegram", "@x в телеге" (not "@x; Telegram was down").
    size_t w = SkipSpaces(s, k, 3), e = 0;
    if (w == k) continue;
    for (const Term& p : kHandlePrepositions) {
      if (TermAt(lower, w, p, &e)) {
        w = SkipSpaces(s, e, 3);
        break;
      }
    }
    for (const Term& t : kMessengerWords) {
      if (TermAt(lower, w, t, &e)) {
        scan.Add({PromoKind::kHandle, j, e});
        handles.emplace_back(j, e);
        break;
      }
    }
    j = k - 1;
  }
}

// A phone number after a calling word is a contact.
void ScanPhoneContacts(PromoScan& scan) {
  static const TermIndex kIndex(kPhoneWords);
  std::string_view s = scan.s, lower = scan.lower;
  const size_t n = s.size();
  kIndex.ForEach(lower, scan.starts, [&](size_t at, const Term&, size_t e) {
    if (scan.Full(PromoKind::kContact)) return false;
    for (size_t j = e; j < n && j < e + kHandleReach && s[j] != '\n'; ++j) {
      if ((s[j] == '+' || IsDigit(s[j])) && !WordBefore(s, j)) {
        if (size_t end = PhoneEnd(s, j); end > 0) scan.Add({PromoKind::kContact, at, end});
        break;
      }
    }
    return true;
  });
}

}  // namespace

void ScanHandles(PromoScan& scan) {
  ScanMessengerLinks(scan);
  // A messenger word counts only with an "@name" or a phone number (7+ digits) after it, a handle before
  // a word needs its '@', a contact its digits: without them these scans cannot find anything.
  if (scan.at_sign || scan.digits) ScanMessengerWords(scan);
  if (scan.at_sign) ScanHandlesBeforeWords(scan);
  if (scan.digits) ScanPhoneContacts(scan);
}

void ScanWallets(PromoScan& scan) {
  std::string_view s = scan.s;
  const size_t n = s.size();
  for (size_t i = 0; i < n && !scan.Full(PromoKind::kWallet);) {
    if (!IsAsciiAlnum(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < n && IsAsciiAlnum(s[j])) ++j;
    // The length first: nearly every run is far too short, and the decoding word tests are not needed then.
    if (j - i >= 26 && !WordBefore(s, i) && !WordAt(s, j) && IsWallet(s.substr(i, j - i))) {
      scan.Add({PromoKind::kWallet, i, j});
    }
    i = j;
  }
}

}  // namespace tribune::moderation::promo_internal
