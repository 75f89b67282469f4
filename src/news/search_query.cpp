// The readers' query syntax, parsed here and never handed to FTS5 or to_tsquery as it was typed: the engines
// only see quoted terms this file wrote.
#include <algorithm>

#include "news/search.hpp"
#include "text/utf8.hpp"

namespace tribune::news {

namespace {

Error Bad(const std::string& message) { return MakeError(ErrorCode::kBadRequest, message); }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::vector<std::string> SplitSpaces(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    const size_t b = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > b) out.emplace_back(s.substr(b, i - b));
  }
  return out;
}

}  // namespace

Result<ParsedQuery> ParseQuery(std::string_view q) {
  if (q.size() > kMaxQueryBytes) {
    return Bad("The search is too long: at most " + std::to_string(kMaxQueryBytes) + " bytes.");
  }
  if (!text::IsValidUtf8(q)) return Bad("The search holds bytes that are not UTF-8 text.");
  if (text::HasForbiddenControls(q)) return Bad("The search holds control characters.");
  if (text::IsBlank(q)) return Bad("Type something to search for.");
  ParsedQuery out;
  size_t i = 0;
  while (i < q.size()) {
    while (i < q.size() && IsSpace(q[i])) ++i;
    if (i >= q.size()) break;
    QueryTerm t;
    if (q[i] == '-' && i + 1 < q.size() && !IsSpace(q[i + 1])) {
      t.exclude = true;
      ++i;
    }
    if (q[i] == '"') {
      const size_t close = q.find('"', i + 1);
      if (close == std::string_view::npos) return Bad("A quote is not closed: end the phrase with \".");
      t.phrase = true;
      t.words = SplitSpaces(q.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      const size_t b = i;
      while (i < q.size() && !IsSpace(q[i]) && q[i] != '"') ++i;
      std::string word(q.substr(b, i - b));
      while (!word.empty() && word.back() == '*') {
        word.pop_back();
        t.prefix = true;
      }
      if (!word.empty()) t.words.push_back(std::move(word));
    }
    if (t.words.empty()) continue;
    out.terms.push_back(std::move(t));
    if (out.terms.size() > kMaxQueryTerms) {
      return Bad("The search has too many terms: at most " + std::to_string(kMaxQueryTerms) + " words or phrases.");
    }
  }
  if (std::none_of(out.terms.begin(), out.terms.end(), [](const QueryTerm& t) { return !t.exclude; })) {
    return Bad(out.terms.empty() ? "Type something to search for."
                                 : "Add a word to look for: a search cannot be only exclusions.");
  }
  return out;
}

Result<CompiledQuery> CompileQuery(const ParsedQuery& parsed, const std::vector<std::string>& languages) {
  std::vector<std::string> langs;
  for (const auto& l : languages)
    if (std::find(langs.begin(), langs.end(), l) == langs.end()) langs.push_back(l);
  if (langs.empty()) langs.push_back("");
  CompiledQuery out;
  for (const QueryTerm& t : parsed.terms) {
    CompiledTerm c;
    c.prefix = t.prefix;
    c.exclude = t.exclude;
    const std::string text = Join(t.words, " ");
    for (const std::string& lang : langs) {
      std::vector<std::string> variant;
      for (SearchToken& tok : Tokenize(text, lang, /*stem=*/!t.prefix)) variant.push_back(std::move(tok.term));
      if (variant.empty()) continue;
      if (t.prefix && text::CountCodePoints(variant.back()) < kMinPrefixChars) {
        return Bad("A word before * needs at least " + std::to_string(kMinPrefixChars) + " letters.");
      }
      if (variant.size() > kMaxPhraseWords) {
        return Bad("A phrase may hold at most " + std::to_string(kMaxPhraseWords) + " words.");
      }
      if (std::find(c.variants.begin(), c.variants.end(), variant) == c.variants.end()) {
        c.variants.push_back(std::move(variant));
      }
    }
    if (!c.variants.empty()) out.terms.push_back(std::move(c));
  }
  if (std::none_of(out.terms.begin(), out.terms.end(), [](const CompiledTerm& t) { return !t.exclude; })) {
    return Bad("Nothing to search for: type a word with letters or digits.");
  }
  return out;
}

namespace {

// Terms hold letters, digits and marks only (search_tokens.cpp); the quotes are still escaped, so nothing a
// reader typed could ever end a string early.
std::string FtsString(const std::vector<std::string>& phrase, bool prefix) {
  std::string s = "\"";
  for (size_t i = 0; i < phrase.size(); ++i) {
    if (i) s += ' ';
    for (char c : phrase[i]) {
      if (c == '"') s += '"';
      s += c;
    }
  }
  s += '"';
  if (prefix) s += " *";
  return s;
}

std::string FtsTerm(const CompiledTerm& t) {
  std::vector<std::string> alts;
  for (const auto& v : t.variants) alts.push_back(FtsString(v, t.prefix));
  return alts.size() == 1 ? alts[0] : "(" + Join(alts, " OR ") + ")";
}

std::string Lexeme(const std::string& term) {
  std::string s = "'";
  for (char c : term) {
    if (c == '\'' || c == '\\') s += c == '\'' ? '\'' : '\\';
    s += c;
  }
  return s + "'";
}

std::string TsTerm(const CompiledTerm& t) {
  std::vector<std::string> alts;
  for (const auto& v : t.variants) {
    std::vector<std::string> lexemes;
    for (const auto& w : v) lexemes.push_back(Lexeme(w));
    if (t.prefix) lexemes.back() += ":*";
    alts.push_back(lexemes.size() == 1 ? lexemes[0] : "(" + Join(lexemes, " <-> ") + ")");
  }
  return alts.size() == 1 ? alts[0] : "(" + Join(alts, " | ") + ")";
}

}  // namespace

std::string Fts5Match(const CompiledQuery& q) {
  std::vector<std::string> pos, neg;
  for (const auto& t : q.terms) (t.exclude ? neg : pos).push_back(FtsTerm(t));
  std::string s = "(" + Join(pos, " AND ") + ")";
  if (!neg.empty()) s += " NOT (" + Join(neg, " OR ") + ")";
  return s;
}

std::string TsQueryText(const CompiledQuery& q) {
  std::vector<std::string> parts;
  for (const auto& t : q.terms) parts.push_back((t.exclude ? "!" : "") + TsTerm(t));
  return Join(parts, " & ");
}

}  // namespace tribune::news
