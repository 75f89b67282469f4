// The importer's comments: a batch of a few hundred per write transaction, authors as unclaimed profiles, the
// engine in "report only" mode, and at the end the replies whose parent came later in the file.
#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "common/random.hpp"
#include "imports/html_text.hpp"
#include "imports/pass.hpp"
#include "text/markdown.hpp"
#include "text/utf8.hpp"

namespace tribune::imports {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One profile per source author: the address when the export has one, else the user name, else the name.
std::string AuthorKey(const SourceComment& c) {
  if (!c.author_email.empty()) return Sha256Hex("email:" + Lower(c.author_email));
  if (!c.author_username.empty()) return Sha256Hex("user:" + Lower(c.author_username));
  return Sha256Hex("name:" + Lower(c.author_name.empty() ? "anonymous" : c.author_name));
}

std::string DisplayName(const SourceComment& c) {
  std::string name = HtmlToPlain(!c.author_name.empty() ? c.author_name : c.author_username, 400);
  if (text::IsBlank(name)) name = "Anonymous";
  size_t pos = 0, n = 0;
  while (pos < name.size() && n < 60) {
    text::DecodeCodePoint(name, pos);
    ++n;
  }
  name.resize(pos);
  return name;
}

// "$first, $first+1, ..." for an IN list of `count` parameters.
std::string InList(size_t first, size_t count) {
  std::string s;
  for (size_t i = 0; i < count; ++i) s += (i ? ", $" : "$") + std::to_string(first + i);
  return s;
}

}  // namespace

struct Pass::Ready {
  std::string key, parent_key, author_key, author_name, body, html, context;
  int64_t article_id = 0, created_at = 0;
  moderation::Decision decision;
};

// The engine is thread-safe and the checks are independent: the batch is split over the machine's cores. Its
// time is the wall time of the checks (what they add to the import).
void Pass::CheckAll(std::vector<Ready>& ready) {
  const auto t0 = std::chrono::steady_clock::now();
  const size_t workers = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  auto check = [&](size_t from, size_t step) {
    for (size_t i = from; i < ready.size(); i += step) {
      Ready& r = ready[i];
      r.decision = im_.engine_->Check(moderation::CheckInput{.text = r.body, .article_id = r.article_id,
                                                             .account_id = 0, .language = im_.options_.language,
                                                             .article_text = r.context});
    }
  };
  const size_t n = std::min(workers, ready.size());
  std::vector<std::thread> threads;
  for (size_t w = 1; w < n; ++w) threads.emplace_back(check, w, n);
  check(0, n);
  for (auto& t : threads) t.join();
  report_.engine_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report_.engine_checks += static_cast<int64_t>(ready.size());
}

void Pass::Comment(const SourceComment& c) {
  ++report_.comments_read;
  if (!write_) return;
  if (c.deleted) {
    ++report_.comments_deleted;
    return;
  }
  if (c.spam) {
    ++report_.comments_spam;
    return;
  }
  if (c.key.empty() || c.key.size() > 200) {
    ++report_.comments_invalid;
    return;
  }
  auto article = ResolveThread(c.thread_key);
  if (!article.ok()) return Fail(article.error().message);
  if (*article == 0) {
    ++report_.comments_no_thread;
    return;
  }
  batch_.push_back({c, *article});
  if (static_cast<int>(batch_.size()) >= im_.options_.batch) {
    if (Status st = Flush(); !st.ok()) Fail(st.error().message);
    if (im_.options_.progress && report_.comments_read / 100'000 > progress_mark_) {
      progress_mark_ = report_.comments_read / 100'000;
      im_.options_.progress(report_);
    }
  }
}

Result<std::string> Pass::ContextOf(int64_t article_id) {
  if (auto it = contexts_.find(article_id); it != contexts_.end()) return it->second;
  if (contexts_.size() > 1000) contexts_.clear();
  // Any status: a thread's article may have been unpublished or scheduled since (a reader's Get would fail the batch).
  TRIBUNE_ASSIGN(auto a, im_.articles_.GetForEditor(article_id));
  std::string tags;
  for (const auto& t : a.tags) tags += (tags.empty() ? "" : " ") + t;
  std::string ctx = moderation::ArticleContext(a.title, tags, a.lead, a.body.substr(0, 20'000));
  contexts_[article_id] = ctx;
  return ctx;
}

Status Pass::Flush() {
  if (batch_.empty()) return Ok{};
  const std::string source = CommentSource();
  // Duplicates first (cheap), so a second run neither converts nor checks anything.
  std::vector<Pending> work;
  work.swap(batch_);
  {
    storage::Params params{source};
    for (const auto& p : work) params.push_back(p.source.key);
    TRIBUNE_ASSIGN(auto rows, im_.db_.Read("SELECT external_id FROM import_map WHERE source = $1 AND external_id IN (" +
                                               InList(2, work.size()) + ")",
                                           params));
    std::unordered_map<std::string, bool> seen;
    for (const auto& r : rows) seen[r.Text(0)] = true;
    std::erase_if(work, [&](const Pending& p) {
      if (!seen.count(p.source.key)) {
        seen[p.source.key] = true;  // the same key twice in one batch: the second is a duplicate
        return false;
      }
      ++report_.comments_duplicate;
      return true;
    });
  }
  std::vector<Ready> ready;
  ready.reserve(work.size());
  for (const auto& p : work) {
    Ready r;
    r.key = p.source.key;
    r.parent_key = p.source.parent_key.substr(0, 200);
    r.author_key = AuthorKey(p.source);
    r.author_name = DisplayName(p.source);
    r.body = HtmlToMarkdown(p.source.body_html, 20'000, kind_ == SourceKind::kWxr);
    if (text::IsBlank(r.body)) {
      ++report_.comments_invalid;
      continue;
    }
    r.html = text::RenderMarkdown(r.body);
    r.article_id = p.article_id;
    r.created_at = p.source.created_at > 0 ? p.source.created_at : im_.clock_.NowMicros();
    if (im_.engine_ != nullptr) {
      TRIBUNE_ASSIGN(r.context, ContextOf(r.article_id));
    }
    ready.push_back(std::move(r));
  }
  if (ready.empty()) return Ok{};
  if (im_.engine_ != nullptr) CheckAll(ready);

  ImportReport delta;
  std::vector<std::pair<std::string, int64_t>> new_authors;
  const int64_t now = im_.clock_.NowMicros();
  const std::string engine_name = im_.engine_ ? std::string(im_.engine_->Name()) : "";
  TRIBUNE_TRY(im_.db_.Write([&](storage::Session& s) -> Status {
    delta = {};
    new_authors.clear();
    // The parents already stored (earlier batches, earlier runs), in one query.
    std::map<std::string, std::pair<int64_t, int64_t>> parents;  // key → (comment, article)
    {
      storage::Params params{source};
      for (const auto& r : ready) if (!r.parent_key.empty()) params.push_back(r.parent_key);
      if (params.size() > 1) {
        TRIBUNE_ASSIGN(auto rows, s.Query("SELECT external_id, local_id, article_id FROM import_map WHERE source = $1"
                                          " AND external_id IN (" + InList(2, params.size() - 1) + ")",
                                          params));
        for (const auto& row : rows) parents[row.Text(0)] = {row.Int(1), row.Int(2)};
      }
    }
    std::map<int64_t, int64_t> published;  // article → comments added
    std::unordered_map<std::string, int64_t> local_authors;
    for (const Ready& r : ready) {
      int64_t author = 0;
      if (auto it = authors_.find(r.author_key); it != authors_.end()) author = it->second;
      else if (auto jt = local_authors.find(r.author_key); jt != local_authors.end()) author = jt->second;
      else {
        const std::string email = "imported:" + r.author_key;
        TRIBUNE_ASSIGN(const int64_t inserted,
                       s.Exec("INSERT INTO accounts (id, email, display_name, password_hash, status, created_at)"
                              " VALUES ($1, $2, $3, '', 'imported', $4) ON CONFLICT (email) DO NOTHING",
                              {im_.ids_.Next(), email, r.author_name, now}));
        delta.authors_created += inserted;
        TRIBUNE_ASSIGN(auto row, s.Query("SELECT id FROM accounts WHERE email = $1", {email}));
        if (row.empty()) return MakeError(ErrorCode::kInternal, "imported author vanished");
        author = row[0].Int(0);
        local_authors[r.author_key] = author;
        new_authors.emplace_back(r.author_key, author);
      }
      const int64_t id = im_.ids_.Next();
      std::optional<int64_t> parent;
      bool pending = false;
      if (!r.parent_key.empty()) {
        auto it = parents.find(r.parent_key);
        if (it != parents.end() && it->second.second == r.article_id) parent = it->second.first;
        else pending = it == parents.end();
      }
      TRIBUNE_ASSIGN(const int64_t mapped,
                     s.Exec("INSERT INTO import_map (source, external_id, local_id, article_id, pending_parent,"
                            " created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (source, external_id) DO NOTHING",
                            {source, r.key, id, r.article_id,
                             pending ? storage::Value(r.parent_key) : storage::Value(nullptr), now}));
      if (mapped == 0) {  // imported meanwhile
        ++delta.comments_duplicate;
        continue;
      }
      parents[r.key] = {id, r.article_id};
      const bool report = r.decision.action != moderation::Action::kPublish;
      TRIBUNE_TRY(s.Exec(
          "INSERT INTO comments (article_id, id, parent_id, author_id, body, body_html, status, created_at,"
          " report_count, reported_at) VALUES ($1, $2, $3, $4, $5, $6, 'published', $7, $8, $9)",
          {r.article_id, id, parent ? storage::Value(*parent) : storage::Value(nullptr), author, r.body, r.html,
           r.created_at, int64_t{report ? 1 : 0}, report ? storage::Value(now) : storage::Value(nullptr)}));
      if (parent) {
        TRIBUNE_TRY(s.Exec("UPDATE comments SET reply_count = reply_count + 1 WHERE article_id = $1 AND id = $2",
                           {r.article_id, *parent}));
      }
      ++published[r.article_id];
      ++delta.comments_imported;
      if (report) {
        const char* action = moderation::ActionName(r.decision.action);
        (r.decision.action == moderation::Action::kReject ? delta.would_reject : delta.would_hold)++;
        TRIBUNE_TRY(s.Exec(
            "INSERT INTO moderation_decisions (id, comment_id, article_id, account_id, kind, action, engine,"
            " findings_json, text_sha256, created_at) VALUES ($1, $2, $3, $4, 'import', $5, $6, $7, $8, $9)",
            {im_.ids_.Next(), id, r.article_id, author, std::string(action), engine_name,
             moderation::FindingsToJson(r.decision.findings), Sha256Hex(r.body), now}));
        const std::string rule = r.decision.findings.empty() ? "import" : r.decision.findings.front().rule;
        TRIBUNE_TRY(s.Exec(
            "INSERT INTO comment_reports (id, comment_id, article_id, reporter_id, rule, note, created_at)"
            " VALUES ($1, $2, $3, 0, $4, $5, $6)",
            {im_.ids_.Next(), id, r.article_id, rule.substr(0, 40),
             std::string("Imported comment: the engine would ") + action + " it.", now}));
      }
    }
    for (const auto& [article, n] : published) {
      TRIBUNE_TRY(s.Exec("UPDATE articles SET comment_count = comment_count + $2 WHERE id = $1", {article, n}));
    }
    return Ok{};
  }));
  report_.authors_created += delta.authors_created;
  report_.comments_duplicate += delta.comments_duplicate;
  report_.comments_imported += delta.comments_imported;
  report_.would_hold += delta.would_hold;
  report_.would_reject += delta.would_reject;
  if (authors_.size() > 100'000) authors_.clear();  // bounded: a miss costs one query
  for (auto& [k, v] : new_authors) authors_[k] = v;
  return Ok{};
}

// A comment stored before its parent has a lower id, and threads are shown in id order: it (and the replies it got
// meanwhile, depth first) takes new ids after everything, so every reply follows its parent.
Result<int64_t> Pass::Renumber(storage::Session& s, int64_t article, int64_t old_id) {
  const int64_t id = im_.ids_.Next();
  TRIBUNE_TRY(s.Exec("UPDATE comments SET id = $3 WHERE article_id = $1 AND id = $2", {article, old_id, id}));
  TRIBUNE_TRY(s.Exec("UPDATE import_map SET local_id = $3 WHERE local_id = $1 AND article_id = $2", {old_id, article, id}));
  TRIBUNE_TRY(s.Exec("UPDATE moderation_decisions SET comment_id = $2 WHERE comment_id = $1", {old_id, id}));
  TRIBUNE_TRY(s.Exec("UPDATE comment_reports SET comment_id = $2 WHERE comment_id = $1", {old_id, id}));
  TRIBUNE_ASSIGN(auto children, s.Query("SELECT id FROM comments WHERE article_id = $1 AND parent_id = $2 ORDER BY id",
                                        {article, old_id}));
  TRIBUNE_TRY(s.Exec("UPDATE comments SET parent_id = $3 WHERE article_id = $1 AND parent_id = $2", {article, old_id, id}));
  for (const auto& c : children) {
    TRIBUNE_ASSIGN(const int64_t moved, Renumber(s, article, c.Int(0)));
    (void)moved;
  }
  return id;
}

Status Pass::ResolveParents() {
  const std::string source = CommentSource();
  std::string after;
  for (;;) {
    TRIBUNE_ASSIGN(auto rows, im_.db_.Read("SELECT external_id, pending_parent FROM import_map"
                                           " WHERE source = $1 AND pending_parent IS NOT NULL AND external_id > $2"
                                           " ORDER BY external_id LIMIT 500",
                                           {source, after}));
    if (rows.empty()) return Ok{};
    int64_t orphans = 0;
    TRIBUNE_TRY(im_.db_.Write([&](storage::Session& s) -> Status {
      orphans = 0;
      for (const auto& r : rows) {
        auto find = [&](const std::string& key) {
          return s.Query("SELECT local_id, article_id FROM import_map WHERE source = $1 AND external_id = $2",
                         {source, key});
        };
        TRIBUNE_ASSIGN(auto child, find(r.Text(0)));  // its id now (a cascade may have moved it)
        TRIBUNE_ASSIGN(auto parent, find(r.Text(1)));
        if (!child.empty() && !parent.empty() && parent[0].Int(1) == child[0].Int(1)) {
          const int64_t article = child[0].Int(1);
          int64_t id = child[0].Int(0);
          const int64_t parent_id = parent[0].Int(0);
          TRIBUNE_TRY(s.Exec("UPDATE comments SET parent_id = $3 WHERE article_id = $1 AND id = $2",
                             {article, id, parent_id}));
          TRIBUNE_TRY(s.Exec("UPDATE comments SET reply_count = reply_count + 1 WHERE article_id = $1 AND id = $2",
                             {article, parent_id}));
          if (id < parent_id) {
            TRIBUNE_ASSIGN(id, Renumber(s, article, id));
          }
        } else {
          ++orphans;  // deleted, spam or never exported: the reply stays at the top level
        }
        TRIBUNE_TRY(s.Exec("UPDATE import_map SET pending_parent = NULL WHERE source = $1 AND external_id = $2",
                           {source, r.Text(0)}));
      }
      return Ok{};
    }));
    report_.orphans += orphans;
    after = rows.back().Text(0);
  }
}

Status Pass::Finish() {
  if (!write_) return Ok{};
  TRIBUNE_TRY(Flush());
  return ResolveParents();
}

}  // namespace tribune::imports
