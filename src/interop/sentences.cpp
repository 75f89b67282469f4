#include "interop/sentences.hpp"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <memory>

#include "text/utf8.hpp"

namespace tribune::interop {

namespace {

// The code point at byte i (advancing i); U+FFFD for a bad byte.
UChar32 Next(std::string_view s, size_t& i) { return static_cast<UChar32>(text::DecodeCodePoint(s, i)); }

UChar32 Prev(std::string_view s, size_t& i) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  auto k = static_cast<int32_t>(i);
  UChar32 c;
  U8_PREV(p, 0, k, c);
  i = static_cast<size_t>(k);
  return c < 0 ? 0xFFFD : c;
}

bool Blank(UChar32 c) { return u_isUWhiteSpace(c) || c == 0x200B || c == 0xFEFF; }

// Adds [begin, end) (bytes) trimmed, keeping the UTF-16 count `pos16` of byte `pos` up to date.
void Add(std::string_view text, size_t begin, size_t end, size_t& pos, size_t& pos16, std::vector<Sentence>& out) {
  while (begin < end) {
    size_t k = begin;
    if (!Blank(Next(text, k))) break;
    begin = k;
  }
  while (end > begin) {
    size_t k = end;
    if (!Blank(Prev(text, k))) break;
    end = k;
  }
  if (begin >= end) return;
  Sentence s;
  while (pos < begin) pos16 += Next(text, pos) > 0xFFFF ? 2 : 1;
  s.begin = begin;
  s.begin16 = pos16;
  while (pos < end) pos16 += Next(text, pos) > 0xFFFF ? 2 : 1;
  s.end = end;
  s.end16 = pos16;
  out.push_back(s);
}

}  // namespace

std::vector<Sentence> Sentences(std::string_view text) {
  std::vector<Sentence> out;
  size_t pos = 0, pos16 = 0;
  thread_local std::unique_ptr<icu::BreakIterator> iter;
  UErrorCode st = U_ZERO_ERROR;
  if (!iter) iter.reset(icu::BreakIterator::createSentenceInstance(icu::Locale::getRoot(), st));
  UText* ut = nullptr;
  if (iter && U_SUCCESS(st) && text.size() < (1u << 30)) {
    ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &st);
    if (U_SUCCESS(st)) iter->setText(ut, st);
  }
  if (ut == nullptr || U_FAILURE(st)) {
    if (ut != nullptr) utext_close(ut);
    Add(text, 0, text.size(), pos, pos16, out);
    return out;
  }
  int32_t prev = iter->first();
  for (int32_t b = iter->next(); b != icu::BreakIterator::DONE; prev = b, b = iter->next())
    Add(text, static_cast<size_t>(prev), static_cast<size_t>(b), pos, pos16, out);
  // The iterator keeps a pointer to the text: point it at an empty string before the text goes away.
  UText* empty = utext_openUTF8(ut, "", 0, &st);
  if (U_SUCCESS(st)) iter->setText(empty, st);
  utext_close(empty != nullptr ? empty : ut);
  return out;
}

}  // namespace tribune::interop
