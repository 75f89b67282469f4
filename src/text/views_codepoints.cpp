// The per-code-point side of the views: ICU set-up and the CodePointCache's computations.
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include <stdexcept>
#include <string>
#include <unordered_map>

#include "text/views_internal.hpp"

namespace tribune::text::views_internal {
namespace {

// ---------------------------------------------------------------------------------------------
// ICU singletons. Normalizer2 instances are owned by ICU and immutable; the spoof checker is
// opened once and only used through const functions (uspoof_getSkeleton*), which ICU documents
// as thread-safe on a configured checker.

struct Icu {
  const icu::Normalizer2* nfkc_cf = nullptr;
  const icu::Normalizer2* nfd = nullptr;
  const icu::Normalizer2* nfc = nullptr;
  USpoofChecker* spoof = nullptr;
  // Folded skeleton of an ASCII letter or digit → that character ("rn" → 'm', "o" → 'o', "l" → 'l').
  // Lets a non-ASCII look-alike land on the ASCII letter it imitates.
  std::unordered_map<std::string, char> ascii_by_skeleton;
};

std::string ToUtf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

// NFKC_Casefold, then diacritics dropped (NFD, remove Mn/Me), then recomposed (NFC, so Hangul and
// other precomposed bases come back). Returns false on an ICU error.
bool FoldString(const Icu& icu, const icu::UnicodeString& in, icu::UnicodeString& out) {
  UErrorCode st = U_ZERO_ERROR;
  icu::UnicodeString cf = icu.nfkc_cf->normalize(in, st);
  icu::UnicodeString d = icu.nfd->normalize(cf, st);
  if (U_FAILURE(st)) return false;
  icu::UnicodeString kept;
  for (int32_t i = 0; i < d.length();) {
    UChar32 c = d.char32At(i);
    i += U16_LENGTH(c);
    int8_t t = u_charType(c);
    if (t != U_NON_SPACING_MARK && t != U_ENCLOSING_MARK) kept.append(c);
  }
  out = icu.nfc->normalize(kept, st);
  return U_SUCCESS(st);
}

std::string RawSkeleton(const Icu& icu, const icu::UnicodeString& in) {
  UErrorCode st = U_ZERO_ERROR;
  icu::UnicodeString skel;
  uspoof_getSkeletonUnicodeString(icu.spoof, 0, in, skel, &st);
  icu::UnicodeString folded;
  if (U_FAILURE(st) || !FoldString(icu, skel, folded)) return ToUtf8(in);
  return ToUtf8(folded);
}

Icu MakeIcu() {
  Icu icu;
  UErrorCode st = U_ZERO_ERROR;
  icu.nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(st);
  icu.nfd = icu::Normalizer2::getNFDInstance(st);
  icu.nfc = icu::Normalizer2::getNFCInstance(st);
  icu.spoof = uspoof_open(&st);
  if (U_FAILURE(st)) throw std::runtime_error(std::string("ICU initialisation failed: ") + u_errorName(st));
  // Digits first, letters after: a letter wins a shared skeleton ("0" and "o" both fold to "o").
  for (char c : std::string("0123456789abcdefghijklmnopqrstuvwxyz")) {
    icu.ascii_by_skeleton[RawSkeleton(icu, icu::UnicodeString(static_cast<UChar32>(c)))] = c;
  }
  return icu;
}

const Icu& GetIcu() {
  static const Icu icu = MakeIcu();
  return icu;
}

}  // namespace

bool IsInvisible(UChar32 c) {
  return (c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF || c == 0x00AD || c == 0x034F;
}

bool IsMark(UChar32 c) {
  int8_t t = u_charType(c);
  return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}

bool IsAlnum(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return u_isalnum(c);
}

bool IsWordChar(UChar32 c) { return IsAlnum(c) || (c >= 0x80 && IsMark(c)); }

void CodePointCache::ComputeClass(UChar32 c, Entry& e) {
  e.cls = static_cast<uint8_t>((u_isalpha(c) ? kLetter : 0) | (u_isalnum(c) ? kAlnum : 0) |
                               (IsMark(c) ? kMark : 0) | (IsInvisible(c) ? kInvisible : 0));
  e.known |= kKnownClass;
}

void CodePointCache::ComputeFold(UChar32 c, Entry& e) {
  icu::UnicodeString out;
  const std::string s = FoldString(GetIcu(), icu::UnicodeString(c), out) ? ToUtf8(out) : "ï¿½";
  e.fold = Store(s);
  e.known |= kKnownFold;
}

void CodePointCache::ComputeSkeleton(UChar32 c, Entry& e) {
  const Icu& icu = GetIcu();
  std::string skel = RawSkeleton(icu, icu::UnicodeString(c));
  auto it = icu.ascii_by_skeleton.find(skel);
  if (it != icu.ascii_by_skeleton.end()) skel.assign(1, it->second);
  e.skeleton = Store(skel);
  e.known |= kKnownSkeleton;
}

CodePointCache& Cache() {
  thread_local CodePointCache cache;
  return cache;
}

}  // namespace tribune::text::views_internal
