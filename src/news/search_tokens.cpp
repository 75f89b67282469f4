// Words → index terms. The same function makes the terms of an article (its own language) and of a query (each
// language the query is tried in), so what a reader types lands on what the index holds.
//
// Why not text::BuildViews' `folded` view: it drops diacritics before anything else, and the Snowball stemmers
// need them ("красный" would lose its "й" and keep the adjective ending; French "-ité" would not be seen).
// Here the order is: case fold (NFKC_Casefold), stem, then drop the diacritics of the stem, so "Café" and
// "cafe" still meet.
#include <libstemmer.h>
#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "news/search.hpp"

namespace tribune::news {

namespace {

bool IsMark(UChar32 c) {
  const int8_t t = u_charType(c);
  return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}

// Letters, digits and (outside ASCII) combining marks make terms; everything else separates them.
bool IsTermChar(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return u_isalnum(c) || IsMark(c);
}

bool IsAscii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

struct Normalizers {
  const icu::Normalizer2* nfkc_cf;
  const icu::Normalizer2* nfd;
  const icu::Normalizer2* nfc;
};

const Normalizers& Norm() {
  static const Normalizers n = [] {
    UErrorCode st = U_ZERO_ERROR;
    Normalizers out{icu::Normalizer2::getNFKCCasefoldInstance(st), icu::Normalizer2::getNFDInstance(st),
                    icu::Normalizer2::getNFCInstance(st)};
    if (U_FAILURE(st)) throw std::runtime_error(std::string("ICU normalizers: ") + u_errorName(st));
    return out;
  }();
  return n;
}

// One stemmer per language and thread (a sb_stemmer is not thread-safe); nullptr for a language without one.
class Stemmers {
 public:
  ~Stemmers() {
    for (auto& [lang, s] : by_lang_)
      if (s) sb_stemmer_delete(s);
  }
  sb_stemmer* Get(std::string_view language) {
    std::string key;
    for (char c : language) {
      if (c == '-' || c == '_') break;
      key += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    auto it = by_lang_.find(key);
    if (it != by_lang_.end()) return it->second;
    // libstemmer knows ISO 639-1/-2 codes as aliases ("en", "fr", "ru", ...) beside the names ("english").
    sb_stemmer* s = key.empty() || key.size() > 20 ? nullptr : sb_stemmer_new(key.c_str(), "UTF_8");
    if (by_lang_.size() < 64) by_lang_.emplace(key, s);  // unknown tags: not cached beyond a few
    return s;
  }

 private:
  std::map<std::string, sb_stemmer*, std::less<>> by_lang_;
};

Stemmers& ThreadStemmers() {
  thread_local Stemmers s;
  return s;
}

std::string ToUtf8(const icu::UnicodeString& u) {
  std::string out;
  u.toUTF8String(out);
  return out;
}

std::string StripMarks(const std::string& s) {
  if (IsAscii(s)) return s;
  const Normalizers& n = Norm();
  UErrorCode st = U_ZERO_ERROR;
  const icu::UnicodeString d = n.nfd->normalize(icu::UnicodeString::fromUTF8(s), st);
  icu::UnicodeString kept;
  for (int32_t i = 0; i < d.length();) {
    const UChar32 c = d.char32At(i);
    i += U16_LENGTH(c);
    const int8_t t = u_charType(c);
    if (t != U_NON_SPACING_MARK && t != U_ENCLOSING_MARK) kept.append(c);
  }
  const icu::UnicodeString out = n.nfc->normalize(kept, st);
  return U_SUCCESS(st) ? ToUtf8(out) : s;
}

class Emitter {
 public:
  Emitter(sb_stemmer* stemmer, std::vector<SearchToken>& out) : stemmer_(stemmer), out_(out) {}

  // A piece [b, e) of `text` made only of term characters.
  void Piece(std::string_view text, uint32_t b, uint32_t e) {
    std::string_view piece = text.substr(b, e - b);
    if (IsAscii(piece)) {
      std::string folded(piece);
      for (char& c : folded) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      Emit(folded, b, e);
      return;
    }
    UErrorCode st = U_ZERO_ERROR;
    const icu::UnicodeString f = Norm().nfkc_cf->normalize(icu::UnicodeString::fromUTF8(piece), st);
    if (U_FAILURE(st)) return;
    // Folding may bring separators ("½" → "1⁄2"): split again.
    icu::UnicodeString cur;
    for (int32_t i = 0; i < f.length();) {
      const UChar32 c = f.char32At(i);
      i += U16_LENGTH(c);
      if (IsTermChar(c)) {
        cur.append(c);
      } else if (!cur.isEmpty()) {
        Emit(ToUtf8(cur), b, e);
        cur.remove();
      }
    }
    if (!cur.isEmpty()) Emit(ToUtf8(cur), b, e);
  }

 private:
  void Emit(const std::string& folded, uint32_t b, uint32_t e) {
    if (folded.size() > kMaxTermBytes) return;
    std::string term = folded;
    if (stemmer_ != nullptr) {
      const sb_symbol* r =
          sb_stemmer_stem(stemmer_, reinterpret_cast<const sb_symbol*>(folded.data()), static_cast<int>(folded.size()));
      if (r != nullptr) term.assign(reinterpret_cast<const char*>(r), static_cast<size_t>(sb_stemmer_length(stemmer_)));
    }
    term = StripMarks(term);
    if (term.empty()) return;
    out_.push_back({std::move(term), b, e});
  }

  sb_stemmer* stemmer_;
  std::vector<SearchToken>& out_;
};

// Splits the word [b, e) of `text` into runs of term characters.
void SplitWord(std::string_view text, int32_t b, int32_t e, Emitter& emit) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  int32_t run = -1;
  for (int32_t i = b; i < e;) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(p, i, e, c);
    const bool term = c >= 0 && IsTermChar(c);
    if (term && run < 0) run = at;
    if (!term && run >= 0) {
      emit.Piece(text, static_cast<uint32_t>(run), static_cast<uint32_t>(at));
      run = -1;
    }
  }
  if (run >= 0) emit.Piece(text, static_cast<uint32_t>(run), static_cast<uint32_t>(e));
}

icu::BreakIterator* WordIterator() {
  thread_local std::unique_ptr<icu::BreakIterator> iter;
  if (!iter) {
    UErrorCode st = U_ZERO_ERROR;
    iter.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), st));
    if (U_FAILURE(st)) iter.reset();
  }
  return iter.get();
}

}  // namespace

std::vector<SearchToken> Tokenize(std::string_view utf8, std::string_view language, bool stem) {
  std::vector<SearchToken> out;
  if (utf8.empty()) return out;
  Emitter emit(stem ? ThreadStemmers().Get(language) : nullptr, out);
  const auto n = static_cast<int32_t>(utf8.size());
  if (IsAscii(utf8)) {
    // ASCII: ICU's words split at every non-alphanumeric are exactly the alphanumeric runs.
    SplitWord(utf8, 0, n, emit);
    return out;
  }
  icu::BreakIterator* iter = WordIterator();
  if (iter == nullptr) {
    SplitWord(utf8, 0, n, emit);
    return out;
  }
  UErrorCode st = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, utf8.data(), n, &st);
  if (U_FAILURE(st)) return out;
  iter->setText(ut, st);
  if (U_SUCCESS(st)) {
    int32_t prev = iter->first();
    for (int32_t pos = iter->next(); pos != icu::BreakIterator::DONE; prev = pos, pos = iter->next()) {
      if (iter->getRuleStatus() >= UBRK_WORD_NONE_LIMIT) SplitWord(utf8, prev, pos, emit);
    }
  }
  utext_close(ut);
  return out;
}

std::string TermText(std::string_view utf8, std::string_view language) {
  std::string out;
  for (const SearchToken& t : Tokenize(utf8, language)) {
    if (!out.empty()) out += ' ';
    out += t.term;
  }
  return out;
}

std::vector<std::string> StemmerLanguages() {
  std::vector<std::string> out;
  for (const char** l = sb_stemmer_list(); l && *l; ++l) out.emplace_back(*l);
  return out;
}

std::string MarkdownPlain(std::string_view md) {
  std::string out(md);
  bool line_start = true;
  for (size_t i = 0; i < out.size(); ++i) {
    char& c = out[i];
    if (line_start && (c == '#' || c == '>')) {
      c = ' ';
      continue;
    }
    if (c == '\n') {
      line_start = true;
      continue;
    }
    if (c != ' ' && c != '\t') line_start = false;
    if (c == '*' || c == '`' || c == '[' || (c == '!' && i + 1 < out.size() && out[i + 1] == '[')) {
      c = ' ';
    } else if (c == ']') {
      c = ' ';
      // "](target)": the link's target is not text a reader sees.
      if (i + 1 < out.size() && out[i + 1] == '(') {
        const size_t close = out.find_first_of(")\n", i + 2);
        if (close != std::string::npos && out[close] == ')' && close - i < 2048) {
          for (size_t k = i + 1; k <= close; ++k) out[k] = ' ';
          i = close;
        }
      }
    }
  }
  return out;
}

}  // namespace tribune::news
