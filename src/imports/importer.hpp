// Start here for imports: `tribune import rss|disqus|wxr` (docs/OPERATIONS.md, "Importing an existing site").
//
// Two passes over the file, each streaming (sources.hpp, constant memory): Validate parses everything and counts
// records without writing, so a malformed, truncated or hostile file is refused before anything is stored; Import
// then stores articles (through news::ArticleService, one write each) and comments (directly, a few hundred per
// write transaction). Every stored record leaves a row in import_map keyed by (source, external id) in the same
// transaction, so a run resumed after a crash finishes the job and a second run imports nothing.
//
// Authors become unclaimed profiles: accounts with status 'imported', no password, and an e-mail column holding
// "imported:<sha256 of the address (or name)>" — not an address, so no login, recovery or mail reaches them; one
// per source author. Comments are published as they were, with their export dates and tree shape (a parent that
// comes after its child is attached at the end), and checked by the moderation engine in "report only" mode: a
// comment the engine would hold or reject stays visible but enters the moderators' "reported" queue with a system
// report (reporter 0) and a decision record (kind 'import') carrying the findings.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "imports/sources.hpp"
#include "moderation/engine.hpp"
#include "news/news.hpp"
#include "storage/database.hpp"

namespace tribune::imports {

struct ImportReport {
  // Read from the file (both passes).
  int64_t articles_read = 0, threads_read = 0, comments_read = 0;
  // Articles (RSS items, WordPress posts) and threads (Disqus).
  int64_t articles_created = 0, articles_duplicate = 0, articles_skipped = 0;  // skipped: drafts, pages, no title...
  int64_t threads_created = 0, threads_matched = 0;
  // Comments.
  int64_t comments_imported = 0, comments_duplicate = 0, comments_deleted = 0, comments_spam = 0;
  int64_t comments_invalid = 0, comments_no_thread = 0, orphans = 0;  // orphans: parent never imported (top level)
  int64_t authors_created = 0;
  int64_t would_hold = 0, would_reject = 0;
  int64_t engine_checks = 0;
  double engine_seconds = 0;
};

// Human-readable lines ("comments imported: 5", "skipped: 2 duplicates", ...), as `tribune import` prints them.
std::string FormatReport(const ImportReport& r, bool validated_only);

struct ImporterOptions {
  std::string language = "en";  // the edition's, for the engine
  int batch = 500;              // comments per write transaction
  // Called after the batch that reaches every 100,000th comment read (long imports show they are alive).
  std::function<void(const ImportReport&)> progress;
};

class Pass;  // pass.hpp

class Importer {
 public:
  // `engine` may be nullptr (no report-only check). The article service must not be shared with a running
  // server: the importer listens to its creates to record import_map rows in the same transaction.
  Importer(storage::Database& db, news::ArticleService& articles, const moderation::Engine* engine, IdGenerator& ids,
           const Clock& clock, ImporterOptions options);
  ~Importer();

  // Pass 1: parse and count, no writes (needs no database). Errors: kBadRequest (malformed or refused file; the
  // message says where).
  static Result<ImportReport> Validate(SourceKind kind, const std::string& path);
  // Pass 2: store. Call after Validate succeeded. Errors: storage errors, kBadRequest if the file changed.
  Result<ImportReport> Import(SourceKind kind, const std::string& path);

  // An article's URL as import_map's "link" rows hold it: scheme, "www.", fragment and trailing slash dropped,
  // host lower-cased.
  static std::string NormaliseLink(std::string_view url);
  // An ASCII slug (a-z, 0-9, '-') of at most 80 characters from a title; "article" when nothing is left.
  static std::string Slugify(std::string_view title);

 private:
  friend class Pass;
  class Recorder;

  storage::Database& db_;
  news::ArticleService& articles_;
  const moderation::Engine* engine_;
  IdGenerator& ids_;
  const Clock& clock_;
  ImporterOptions options_;
  std::unique_ptr<Recorder> recorder_;
};

}  // namespace tribune::imports
