// The importer's articles and threads, the two passes and the report. Comments: comment_batch.cpp.
#include "imports/importer.hpp"

#include <cctype>
#include <chrono>
#include <fstream>

#include "imports/html_text.hpp"
#include "imports/pass.hpp"
#include "text/utf8.hpp"

namespace tribune::imports {

// Writes the import_map rows of an article inside the transaction that creates it.
class Importer::Recorder : public news::ArticleListener {
 public:
  Status Saved(storage::Session& s, const news::Article& a) override {
    if (source.empty()) return Ok{};
    TRIBUNE_TRY(s.Exec("INSERT INTO import_map (source, external_id, local_id, created_at) VALUES ($1, $2, $3, $4)"
                       " ON CONFLICT (source, external_id) DO NOTHING",
                       {source, key, a.id, now}));
    if (!link.empty()) {
      TRIBUNE_TRY(s.Exec("INSERT INTO import_map (source, external_id, local_id, created_at) VALUES ('link', $1, $2, $3)"
                         " ON CONFLICT (source, external_id) DO NOTHING",
                         {link, a.id, now}));
    }
    return Ok{};
  }
  Status Removed(storage::Session&, int64_t) override { return Ok{}; }

  std::string source, key, link;  // of the article being created; empty source: not an import's
  int64_t now = 0;
};

namespace {

std::string CutCodePoints(std::string s, size_t max) {
  size_t pos = 0, n = 0;
  while (pos < s.size() && n < max) {
    text::DecodeCodePoint(s, pos);
    ++n;
  }
  if (pos < s.size()) s.resize(pos);
  return s;
}

// Latin letters with diacritics → ASCII, for slugs (the first 0x250 code points).
char Fold(char32_t cp) {
  static const char* kLatin1 = "AAAAAAACEEEEIIIIDNOOOOO?OUUUUYTsaaaaaaaceeeeiiiidnooooo?ouuuuyty";  // U+00C0..U+00FF
  if (cp >= 0xC0 && cp <= 0xFF) return kLatin1[cp - 0xC0];
  if (cp >= 0x100 && cp <= 0x17F) {
    static const char* kExtA = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
    return kExtA[cp - 0x100];
  }
  return 0;
}

}  // namespace

std::string Importer::Slugify(std::string_view title) {
  std::string out;
  bool dash = false;
  size_t pos = 0;
  while (pos < title.size() && out.size() < 80) {
    const char32_t cp = text::DecodeCodePoint(title, pos);
    char c = 0;
    if (cp < 0x80 && std::isalnum(static_cast<int>(cp))) c = static_cast<char>(std::tolower(static_cast<int>(cp)));
    else if (char f = Fold(cp); f != 0 && std::isalpha(static_cast<unsigned char>(f)))
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(f)));
    if (c == 0) {
      dash = !out.empty();
      continue;
    }
    if (dash) out += '-';
    dash = false;
    out += c;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "article" : out;
}

std::string Importer::NormaliseLink(std::string_view url) {
  std::string u(url);
  while (!u.empty() && std::isspace(static_cast<unsigned char>(u.back()))) u.pop_back();
  if (const size_t hash = u.find('#'); hash != std::string::npos) u.resize(hash);
  if (const size_t scheme = u.find("://"); scheme != std::string::npos) u = u.substr(scheme + 3);
  size_t slash = u.find('/');
  if (slash == std::string::npos) slash = u.size();
  for (size_t i = 0; i < slash; ++i) u[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(u[i])));
  if (u.rfind("www.", 0) == 0) u = u.substr(4);
  while (u.size() > 1 && u.back() == '/') u.pop_back();
  return u.substr(0, 2000);
}

Importer::Importer(storage::Database& db, news::ArticleService& articles, const moderation::Engine* engine,
                   IdGenerator& ids, const Clock& clock, ImporterOptions options)
    : db_(db), articles_(articles), engine_(engine), ids_(ids), clock_(clock), options_(std::move(options)),
      recorder_(std::make_unique<Recorder>()) {
  articles_.AddListener(recorder_.get());
}

Importer::~Importer() = default;

// ---------------------------------------------------------------- Pass

Pass::Pass(Importer& im, SourceKind kind, bool write) : im_(im), kind_(kind), write_(write) {}

std::string Pass::ArticleSource() const { return kind_ == SourceKind::kWxr ? "wxr-post" : "rss"; }
std::string Pass::CommentSource() const { return kind_ == SourceKind::kWxr ? "wxr-comment" : "disqus-post"; }

Result<std::optional<int64_t>> Pass::Mapped(const std::string& source, const std::string& key) {
  TRIBUNE_ASSIGN(auto rows, im_.db_.Read("SELECT local_id FROM import_map WHERE source = $1 AND external_id = $2",
                                         {source, key}));
  if (rows.empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows[0].Int(0));
}

Result<std::string> Pass::UniqueSlug(const std::string& base) {
  for (int n = 1; n < 1000; ++n) {
    std::string slug = n == 1 ? base : base.substr(0, 80) + "-" + std::to_string(n);
    TRIBUNE_ASSIGN(auto rows, im_.db_.Read("SELECT 1 FROM articles WHERE edition_id = $1 AND slug = $2",
                                           {im_.articles_.edition(), slug}));
    if (rows.empty()) return slug;
  }
  return MakeError(ErrorCode::kConflict, "no free slug for \"" + base + "\"");
}

Result<int64_t> Pass::CreateArticle(news::NewArticle a, const std::string& source, const std::string& key,
                                    const std::string& link) {
  TRIBUNE_ASSIGN(a.slug, UniqueSlug(Importer::Slugify(a.title)));
  Importer::Recorder& rec = *im_.recorder_;
  rec.source = source;
  rec.key = key;
  rec.link = link.empty() ? "" : Importer::NormaliseLink(link);
  rec.now = im_.clock_.NowMicros();
  auto created = im_.articles_.Create(a, 0);
  rec.source.clear();
  if (!created.ok()) return std::move(created).error();
  return created->id;
}

void Pass::Article(const SourceArticle& a) {
  ++report_.articles_read;
  if (!write_) return;
  const std::string key = a.key.substr(0, 2000);
  if (!a.importable || key.empty()) {
    ++report_.articles_skipped;
    return;
  }
  auto known = Mapped(ArticleSource(), key);
  if (!known.ok()) return Fail(known.error().message);
  if (*known) {
    ++report_.articles_duplicate;
    if (kind_ == SourceKind::kWxr) threads_[key] = {**known, ""};
    return;
  }
  news::NewArticle na;
  na.title = CutCodePoints(HtmlToPlain(a.title, 4000), 300);
  if (text::IsBlank(na.title)) na.title = CutCodePoints(HtmlToPlain(a.summary_html, 4000), 300);
  if (text::IsBlank(na.title)) {
    ++report_.articles_skipped;
    return;
  }
  const bool has_content = !text::IsBlank(a.content_html);
  na.body = HtmlToMarkdown(has_content ? a.content_html : a.summary_html, 190'000);
  if (has_content && !a.summary_html.empty()) na.lead = CutCodePoints(HtmlToPlain(a.summary_html, 8000), 2000);
  for (const auto& t : a.tags) {
    std::string tag = CutCodePoints(HtmlToPlain(t, 400), 64);
    if (!text::IsBlank(tag) && na.tags.size() < 20) na.tags.push_back(std::move(tag));
  }
  if (a.image_url.size() <= 2000 && text::IsValidUtf8(a.image_url) && !text::HasForbiddenControls(a.image_url))
    na.image.url = a.image_url;
  na.byline = CutCodePoints(HtmlToPlain(a.author, 800), 200);
  if (a.published_at > 0) na.published_at = a.published_at;
  auto id = CreateArticle(std::move(na), ArticleSource(), key, a.link);
  if (!id.ok()) return Fail("article \"" + key + "\": " + id.error().message);
  ++report_.articles_created;
  if (kind_ == SourceKind::kWxr) threads_[key] = {*id, ""};
}

void Pass::Thread(const SourceThread& t) {
  ++report_.threads_read;
  if (!write_) return;
  if (threads_.size() + pending_threads_.size() >= 5'000'000) return Fail("more than 5,000,000 threads");
  pending_threads_[t.key] = t;  // resolved when its first post comes (many exported threads have none)
}

Result<int64_t> Pass::ResolveThread(const std::string& key) {
  if (auto it = threads_.find(key); it != threads_.end()) return it->second.article_id;
  auto pending = pending_threads_.find(key);
  if (pending == pending_threads_.end()) return int64_t{0};
  const SourceThread t = pending->second;
  pending_threads_.erase(pending);
  // Imported before, or the article this thread's link names: an RSS/WXR import's link, or /articles/<slug>.
  TRIBUNE_ASSIGN(auto known, Mapped("disqus-thread", t.key));
  int64_t id = known.value_or(0);
  if (id == 0 && !t.link.empty()) {
    TRIBUNE_ASSIGN(auto by_link, Mapped("link", Importer::NormaliseLink(t.link)));
    id = by_link.value_or(0);
    if (id == 0) {
      const std::string norm = Importer::NormaliseLink(t.link);
      if (const size_t at = norm.find("/articles/"); at != std::string::npos) {
        std::string slug = norm.substr(at + 10);
        if (const size_t q = slug.find_first_of("?/"); q != std::string::npos) slug.resize(q);
        if (auto a = im_.articles_.GetBySlug(slug); a.ok()) id = a->id;
      }
    }
    if (id != 0) {
      TRIBUNE_TRY(im_.db_.Write([&](storage::Session& s) -> Status {
        TRIBUNE_TRY(s.Exec("INSERT INTO import_map (source, external_id, local_id, created_at)"
                           " VALUES ('disqus-thread', $1, $2, $3) ON CONFLICT (source, external_id) DO NOTHING",
                           {t.key, id, im_.clock_.NowMicros()}));
        return Ok{};
      }));
    }
    if (id != 0) ++report_.threads_matched;
  }
  if (id == 0) {
    news::NewArticle na;
    na.title = CutCodePoints(HtmlToPlain(t.title, 4000), 300);
    if (text::IsBlank(na.title)) na.title = CutCodePoints(t.link.empty() ? "Discussion " + t.key : t.link, 300);
    if (t.created_at > 0) na.published_at = t.created_at;
    TRIBUNE_ASSIGN(id, CreateArticle(std::move(na), "disqus-thread", t.key, t.link));
    ++report_.threads_created;
  }
  threads_[key] = {id, ""};
  return id;
}

void Pass::Fail(const std::string& message) {
  if (error.empty()) error = message;
}

// ---------------------------------------------------------------- the passes

namespace {

Result<ImportReport> Run(Pass& pass, SourceKind kind, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kBadRequest, "cannot open " + path);
  TRIBUNE_TRY(ParseSource(kind, in, pass));
  if (!pass.error.empty()) return MakeError(ErrorCode::kBadRequest, pass.error);
  TRIBUNE_TRY(pass.Finish());
  return pass.report();
}

}  // namespace

namespace {

class Counter : public RecordSink {
 public:
  void Article(const SourceArticle&) override { ++report.articles_read; }
  void Thread(const SourceThread&) override { ++report.threads_read; }
  void Comment(const SourceComment&) override { ++report.comments_read; }
  ImportReport report;
};

}  // namespace

Result<ImportReport> Importer::Validate(SourceKind kind, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kBadRequest, "cannot open " + path);
  Counter counter;
  TRIBUNE_TRY(ParseSource(kind, in, counter));
  return counter.report;
}

Result<ImportReport> Importer::Import(SourceKind kind, const std::string& path) {
  Pass pass(*this, kind, /*write=*/true);
  return Run(pass, kind, path);
}

std::string FormatReport(const ImportReport& r, bool validated_only) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  auto n = [](int64_t v) { return std::to_string(v); };
  if (validated_only) {
    line("checked: " + n(r.articles_read) + " articles, " + n(r.threads_read) + " threads, " + n(r.comments_read) +
         " comments");
    return out;
  }
  line("articles created: " + n(r.articles_created));
  line("threads: " + n(r.threads_created) + " created, " + n(r.threads_matched) + " matched to existing articles");
  line("comments imported: " + n(r.comments_imported));
  line("authors created: " + n(r.authors_created));
  line("skipped: " + n(r.articles_duplicate + r.comments_duplicate) + " duplicates (" + n(r.articles_duplicate) +
       " articles, " + n(r.comments_duplicate) + " comments)");
  line("skipped: " + n(r.comments_deleted) + " deleted, " + n(r.comments_spam) + " spam or unapproved");
  line("skipped: " + n(r.articles_skipped) + " articles not published or without a title, " +
       n(r.comments_invalid) + " empty comments, " + n(r.comments_no_thread) + " comments without a thread");
  line("replies whose parent was not imported (kept at the top level): " + n(r.orphans));
  line("engine (report only): " + n(r.would_hold) + " would hold, " + n(r.would_reject) +
       " would reject — in the moderators' \"reported\" queue");
  if (r.engine_checks > 0) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "engine: %lld checks, %.2f s, %.1f us per comment",
                  static_cast<long long>(r.engine_checks), r.engine_seconds,
                  r.engine_seconds * 1e6 / static_cast<double>(r.engine_checks));
    line(buf);
  }
  return out;
}

}  // namespace tribune::imports
