#include "imports/importer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/temp_database.hpp"

namespace tribune::imports {
namespace {

// Holds texts with "HOLDME", rejects texts with "BADWORD".
class WordEngine : public moderation::Engine {
 public:
  moderation::Decision Check(const moderation::CheckInput& in) const override {
    moderation::Decision d;
    if (in.text.find("BADWORD") != std::string_view::npos) {
      d.action = moderation::Action::kReject;
      d.findings.push_back({"profanity", 9, "Profanity.", {}, {}});
    } else if (in.text.find("HOLDME") != std::string_view::npos) {
      d.action = moderation::Action::kHold;
      d.findings.push_back({"spam", 3, "Looks like spam.", {}, {}});
    }
    return d;
  }
  std::string_view Name() const override { return "words"; }
};

class ImporterTest : public ::testing::Test {
 protected:
  ImporterTest() : ids_(clock_), articles_(tmp_.db(), clock_, ids_, "en"),
                   importer_(tmp_.db(), articles_, &engine_, ids_, clock_, {.language = "en", .batch = 2}) {
    EXPECT_TRUE(articles_.EnsureEdition("Tribune", "en").ok());
  }
  ~ImporterTest() override {
    for (const auto& f : files_) std::filesystem::remove(f);
  }
  std::string File(const std::string& body) {
    std::string path = (std::filesystem::temp_directory_path() /
                        ("tribune-import-test-" + std::to_string(::getpid()) + "-" + std::to_string(files_.size())))
                           .string();
    std::ofstream(path) << body;
    files_.push_back(path);
    return path;
  }
  int64_t Count(const std::string& sql) {
    auto rows = tmp_.db().Read(sql);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }
  int64_t CommentId(const std::string& key) {
    auto rows = tmp_.db().Read("SELECT local_id FROM import_map WHERE source = 'disqus-post' AND external_id = $1", {key});
    return rows.ok() && !rows->empty() ? (*rows)[0].Int(0) : 0;
  }

  testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_;
  news::ArticleService articles_;
  WordEngine engine_;
  Importer importer_;
  std::vector<std::string> files_;
};

std::string Post(const std::string& id, const std::string& thread, const std::string& parent, const std::string& body,
                 const std::string& email, const std::string& extra = "") {
  return "<post dsq:id=\"" + id + "\"><message><![CDATA[" + body + "]]></message><createdAt>2014-03-0" +
         std::to_string(1 + id.size() % 8) + "T10:00:00Z</createdAt>" + extra + "<author><email>" + email +
         "</email><name>Name " + email + "</name></author><thread dsq:id=\"" + thread + "\"/>" +
         (parent.empty() ? "" : "<parent dsq:id=\"" + parent + "\"/>") + "</post>";
}

const char* kHead = "<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">";

TEST_F(ImporterTest, DisqusKeepsTheTreeAndImportsNothingTwice) {
  // p3 replies to p2, which comes after it (and p8 to p3, after both); p5 replies to a deleted post; t2 has no posts (no article made).
  const std::string xml = std::string(kHead) +
      "<thread dsq:id=\"t1\"><link>https://old.example/story-one</link><title>Story &amp; one</title>"
      "<createdAt>2014-01-01T00:00:00Z</createdAt></thread>"
      "<thread dsq:id=\"t2\"><link>https://old.example/empty</link><title>Empty</title></thread>" +
      Post("p1", "t1", "", "<p>First</p>", "a@x.org") + Post("p3", "t1", "p2", "<p>Reply to p2</p>", "b@x.org") +
      Post("p2", "t1", "p1", "<p>Reply to p1 HOLDME</p>", "A@X.org") +
      Post("p8", "t1", "p3", "<p>Reply to p3, stored after p2</p>", "b@x.org") +
      Post("p4", "t1", "", "gone", "c@x.org", "<isDeleted>true</isDeleted>") +
      Post("p5", "t1", "p4", "BADWORD orphan", "c@x.org") +
      Post("p6", "t1", "", "spam", "d@x.org", "<isSpam>true</isSpam>") + "</disqus>";
  const std::string path = File(xml);
  auto checked = Importer::Validate(SourceKind::kDisqus, path);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  EXPECT_EQ(checked->comments_read, 7);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments"), 0);  // validating writes nothing

  auto r = importer_.Import(SourceKind::kDisqus, path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->threads_created, 1);
  EXPECT_EQ(r->comments_imported, 5);
  EXPECT_EQ(r->comments_deleted, 1);
  EXPECT_EQ(r->comments_spam, 1);
  EXPECT_EQ(r->orphans, 1);
  EXPECT_EQ(r->authors_created, 3);  // a@x.org and A@X.org are one author
  EXPECT_EQ(r->would_hold, 1);
  EXPECT_EQ(r->would_reject, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM articles"), 1);

  auto article = articles_.GetBySlug("story-one");
  ASSERT_TRUE(article.ok());
  EXPECT_EQ(article->comment_count, 5);
  const int64_t p1 = CommentId("p1"), p2 = CommentId("p2"), p3 = CommentId("p3"), p5 = CommentId("p5");
  auto parent_of = [&](int64_t id) {
    auto rows = tmp_.db().Read("SELECT parent_id, reply_count FROM comments WHERE id = $1", {id});
    return std::make_pair((*rows)[0].OptInt(0), (*rows)[0].Int(1));
  };
  EXPECT_EQ(parent_of(p1), std::make_pair(std::optional<int64_t>(), int64_t{1}));
  EXPECT_EQ(parent_of(p2), std::make_pair(std::optional<int64_t>(p1), int64_t{1}));
  EXPECT_EQ(parent_of(p3), std::make_pair(std::optional<int64_t>(p2), int64_t{1}));
  EXPECT_EQ(parent_of(CommentId("p8")).first, std::optional<int64_t>(p3));
  EXPECT_GT(CommentId("p8"), p3);
  EXPECT_EQ(parent_of(p5).first, std::nullopt);
  // Threads are shown in id order: p3, stored before its parent, was renumbered after it (and kept its links).
  EXPECT_GT(p3, p2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments WHERE parent_id IS NOT NULL AND parent_id > id"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM import_map m JOIN comments c ON c.id = m.local_id WHERE m.source = 'disqus-post'"),
            5);

  // Report only: everything published; the held and the rejected ones are in the reported queue with findings.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments WHERE status <> 'published'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments WHERE reported_at IS NOT NULL"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comment_reports r JOIN comments c ON c.id = r.comment_id"
                  " WHERE r.reporter_id = 0 AND r.rule = 'profanity'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM moderation_decisions WHERE kind = 'import' AND action = 'reject'"), 1);

  // Authors: unclaimed profiles that nothing can sign in to or mail.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM accounts WHERE status = 'imported' AND password_hash = ''"
                  " AND email LIKE 'imported:%' AND email NOT LIKE '%@%'"),
            3);
  auto shown = tmp_.db().Read("SELECT a.display_name FROM comments c JOIN accounts a ON a.id = c.author_id"
                              " WHERE c.id = $1", {p3});
  EXPECT_EQ((*shown)[0].Text(0), "Name b@x.org");

  auto again = importer_.Import(SourceKind::kDisqus, path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->comments_imported, 0);
  EXPECT_EQ(again->comments_duplicate, 5);
  EXPECT_EQ(again->authors_created, 0);
  EXPECT_EQ(again->threads_created, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM comments"), 5);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM articles"), 1);
  EXPECT_EQ(articles_.Get(article->id)->comment_count, 5);
}

TEST_F(ImporterTest, RssThenDisqusMatchesTheThreadByLink) {
  const std::string rss = File(
      "<rss><channel><item><title>Élan vital: a story</title><link>https://www.old.example/p/1/</link><guid>g1</guid>"
      "<description>&lt;p&gt;Para one&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;&lt;p&gt;two&lt;/p&gt;</description>"
      "<category>Science</category><enclosure url=\"javascript:x\" type=\"image/png\"/></item></channel></rss>");
  auto r = importer_.Import(SourceKind::kRss, rss);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->articles_created, 1);
  auto a = articles_.GetBySlug("elan-vital-a-story");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->body, "Para one\n\ntwo");
  EXPECT_EQ(a->tags, (std::vector<std::string>{"Science"}));
  EXPECT_EQ(a->image.url, "");
  auto again = importer_.Import(SourceKind::kRss, rss);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->articles_created, 0);
  EXPECT_EQ(again->articles_duplicate, 1);

  const std::string disqus = File(std::string(kHead) + "<thread dsq:id=\"9\"><link>http://old.example/p/1</link>"
                                  "<title>other title</title></thread>" + Post("q1", "9", "", "hello", "e@x.org") +
                                  "</disqus>");
  auto d = importer_.Import(SourceKind::kDisqus, disqus);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->threads_matched, 1);
  EXPECT_EQ(d->threads_created, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM articles"), 1);
  EXPECT_EQ(articles_.Get(a->id)->comment_count, 1);
}

TEST_F(ImporterTest, SlugsAndLinks) {
  EXPECT_EQ(Importer::Slugify("  Hello, World! Ça va?  "), "hello-world-ca-va");
  EXPECT_EQ(Importer::Slugify("Привет"), "article");
  EXPECT_EQ(Importer::NormaliseLink("HTTPS://WWW.Example.org/A/b/#c"), "example.org/A/b");
}

}  // namespace
}  // namespace tribune::imports
