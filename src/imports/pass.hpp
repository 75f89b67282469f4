// One pass of the importer over a file (internal to src/imports): counts records, and when writing stores them.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "imports/importer.hpp"

namespace tribune::imports {

class Pass : public RecordSink {
 public:
  Pass(Importer& im, SourceKind kind, bool write);

  void Article(const SourceArticle& a) override;
  void Thread(const SourceThread& t) override;
  void Comment(const SourceComment& c) override;

  // After the parse: the last batch, then replies whose parent came later in the file.
  Status Finish();
  const ImportReport& report() const { return report_; }

 private:
  struct ThreadInfo {
    int64_t article_id = 0;
    std::string context;  // for the engine's off_topic rule; loaded on first use
  };
  struct Pending {
    SourceComment source;
    int64_t article_id = 0;
  };

  std::string ArticleSource() const;
  std::string CommentSource() const;
  Result<std::optional<int64_t>> Mapped(const std::string& source, const std::string& key);
  Result<std::string> UniqueSlug(const std::string& base);
  Result<int64_t> CreateArticle(news::NewArticle a, const std::string& source, const std::string& key,
                                const std::string& link);
  // The article of a Disqus thread (matched or created on its first post), of a WordPress post; 0: unknown.
  Result<int64_t> ResolveThread(const std::string& key);
  Result<std::string> ContextOf(int64_t article_id);
  struct Ready;  // a comment converted and about to be stored
  void CheckAll(std::vector<Ready>& ready);
  Status Flush();
  Status ResolveParents();
  Result<int64_t> Renumber(storage::Session& s, int64_t article, int64_t old_id);
  void Fail(const std::string& message);

  Importer& im_;
  SourceKind kind_;
  bool write_;
  ImportReport report_;
  std::unordered_map<std::string, ThreadInfo> threads_;          // source key → article
  std::unordered_map<std::string, SourceThread> pending_threads_;  // Disqus threads without a post yet
  std::unordered_map<int64_t, std::string> contexts_;              // article → engine context (bounded)
  std::unordered_map<std::string, int64_t> authors_;               // author key → account (bounded)
  std::vector<Pending> batch_;
  int64_t progress_mark_ = 0;  // hundred-thousands of comments read when progress was last reported
};

}  // namespace tribune::imports
