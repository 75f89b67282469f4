// Every word-list rule (profanity, insult_threat, hate, drugs, suicide, …): the lexicons under data/lexicons.
//
// Layout: data/lexicons/<lang>/<rule>.txt, one file per rule (the file name is the rule id), plus
//   allow.txt          words and phrases a match may lie inside without counting (Scunthorpe, cocktail)
//   second_person.txt  words that address the reader ("you", "ты", "du") and, marked with a leading "+",
//                      filler words ("are", "such", "a"): an insult_threat match with an address up to six
//                      words before it or three after it, only fillers between, gains +0.35 confidence
// A file starts with `#` lines naming the source and licence of its seed material. Then one entry a line:
//   term<TAB>weight<TAB>flags
// weight in (0, 1] is the confidence a match gives; flags is a comma list of
//   word       the term is a whole word or phrase (the default)
//   prefix     the term starts a word: "fuck" matches "fuckers"; the evidence span is the whole word
//   inflect    the term plus one of the language's common endings: "idiot" matches "idiots", "идиотом"
//   substring  the term anywhere inside a word (rare: "motherfucker"); the span is the whole word
//   local      counts only when the edition's language is this file's language (for words that are
//              innocent in a neighbouring language: English "dick" is German for "fat")
//   addressed  counts only when aimed at the reader (see second_person.txt): "you are pathetic"
//   cue        context, not a finding: a word that turns the rule's needs_cue entries on ("buy", "how to")
//   needs_cue  counts only when a cue of the same rule (in any loaded language) stands within ~100 bytes
//              before or after it, outside its own span: "cocaine" alone is news, "buy cocaine" is not
//   threat     the entry is a threat, not an insult ("i will kill you"): the signal's detail ends in " [threat]",
//              which is how the Perspective API tells THREAT and SEVERE_TOXICITY evidence of insult_threat
//              (interop/rule_map.hpp IsThreat); every entry of the threats section of insult_threat.txt has it
// A term may hold alternatives in braces, expanded at load time: "{i will|i'll|ima} {kill|shoot} {you|u}".
// A term with an apostrophe also matches without it ("you're" → "youre"). Terms are normalised by the
// same function as the text (text::BuildViews, `squeezed` view), so write them plainly.
// allow.txt entries are words or phrases; a leading or trailing `*` lets the word go on to that side
// ("*страху*" allows every word containing "страху").
//
// Matching: per language one Hyperscan literal database of the terms with every run of a letter cut to
// one, scanned over the `squeezed` view cut the same way. A hit is an exact match of the term where the
// runs of the text equal the term's (the outer two may be longer: "kkill" holds "kill"), and catches
// "fuuuuck" → "fuuck" → "fuck" where the text repeats a letter more than the term does, so "as" never
// matches "ass". Terms that shrink below three characters that way ("ass" → "as") sit in a second, small
// database scanned over the squeezed view itself. (There used to be two full databases, one per view;
// with 178k expanded entries the second one cost 17 MB of cache file and memory and a scan per text.)
// Masked words ("f*ck", "s**t", "f#@k", "b*tches") are a second, small pass: a word of letters and mask
// characters (* # @ _) matches a profanity or hate term of at most 8 letters with the masks as
// wildcards, at 0.8 × the term's weight.
//
// Languages: Detect runs EVERY loaded language on every text (comments mix languages; a Russian insult
// on the English edition is still an insult); entries flagged `local` count only on their own edition.
// Signals: one per rule and occurrence (overlapping matches of one rule merge, keeping the strongest),
// spans in original byte offsets covering the obfuscated word, detail "lexicon <lang>/<rule>: <term>" (plus
// " (masked)", " (with \"<cue>\")" and " [threat]" when they apply).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "moderation/detector.hpp"

namespace tribune::moderation {

// Counts per language and rule, after template expansion and normalisation (duplicates merged).
struct LexiconStats {
  std::string language;
  std::string rule;  // a rule id, or "allow"
  size_t entries = 0;
};

class LexiconDetector final : public Detector {
 public:
  // Reads <lexicon_dir>/<lang>/*.txt for each of `languages` and compiles the matchers. When `cache_dir`
  // is non-empty, compiled matchers are stored there (created if missing), keyed by a hash of the
  // lexicon files, the Hyperscan version and the text normalisation, and loaded from there next time.
  // A cache that cannot be read or written is ignored (rebuilt). Errors: kUnavailable when a language
  // directory is missing or unreadable, kBadRequest for a malformed entry (file and line named),
  // kInternal when Hyperscan refuses a database.
  // `publisher_names` (site.publisher_names: "Tribune", "The Daily Tribune") become `cue` entries of rule
  // insult_publisher, so the insults of insult_publisher.txt flagged needs_cue count when aimed at the
  // publication by name ("Tribune's hacks are liars"), as they do near "this rag" or "your editors".
  static Result<std::unique_ptr<LexiconDetector>> Load(const std::string& lexicon_dir,
                                                       std::vector<std::string> languages,
                                                       const std::string& cache_dir = "",
                                                       const std::vector<std::string>& publisher_names = {});
  ~LexiconDetector() override;
  LexiconDetector(const LexiconDetector&) = delete;
  LexiconDetector& operator=(const LexiconDetector&) = delete;

  std::string_view Name() const override { return "lexicon"; }
  // Thread-safe (Hyperscan scratch comes from a pool); never throws; linear in the text.
  void Detect(const DetectorInput& input, std::vector<Signal>& out) const override;

  std::vector<LexiconStats> Stats() const;
  bool loaded_from_cache() const;

  struct Impl;

 private:
  LexiconDetector(const std::string& lexicon_dir, std::vector<std::string> languages);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tribune::moderation
