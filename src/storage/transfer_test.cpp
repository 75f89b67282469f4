// SQLite → PostgreSQL transfer (`tribune migrate`). The hashing tests run everywhere; the transfer itself
// when TRIBUNE_TEST_POSTGRES names a server (`make pg-unit`, CI), and says it skipped otherwise.
#include "storage/transfer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "support/temp_database.hpp"

namespace tribune::storage {
namespace {

using tribune::testing::CreatePostgresDatabase;
using tribune::testing::DropPostgresDatabase;
using tribune::testing::TestPostgresUrl;

std::string Digest(const std::vector<ColumnKind>& kinds, const std::vector<std::vector<Value>>& rows) {
  TableHasher h(kinds);
  for (const auto& r : rows) h.Add(Row(r));
  return h.HexDigest();
}

const std::vector<ColumnKind> kKinds = {ColumnKind::kInteger, ColumnKind::kReal, ColumnKind::kText,
                                        ColumnKind::kInteger};

TEST(TableHasher, SameValuesSameDigestWhateverTheBackendType) {
  // SQLite gives an integer column as int64; a backend may give it as a double (numeric), or a real as an integer.
  const auto a = Digest(kKinds, {{int64_t{42}, 0.5, std::string("x"), nullptr}, {int64_t{-7}, 3.0, std::string(""), int64_t{1}}});
  const auto b = Digest(kKinds, {{42.0, 0.5, std::string("x"), nullptr}, {int64_t{-7}, int64_t{3}, std::string(""), 1.0}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 64u);
  // The empty table has a digest too (of nothing).
  EXPECT_EQ(Digest(kKinds, {}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TableHasher, ADifferentValueGivesADifferentDigest) {
  const std::vector<Value> base = {int64_t{42}, 0.1, std::string("héllo"), nullptr};
  const auto d = Digest(kKinds, {base});
  auto changed = [&](size_t i, Value v) {
    auto r = base;
    r[i] = std::move(v);
    return Digest(kKinds, {r});
  };
  EXPECT_NE(d, changed(0, int64_t{43}));
  EXPECT_NE(d, changed(1, 0.1 + 1e-16));  // %.17g tells neighbouring doubles apart
  EXPECT_NE(d, changed(2, std::string("hello")));
  EXPECT_NE(d, changed(3, int64_t{0}));   // NULL is not 0 ...
  EXPECT_NE(Digest({ColumnKind::kText}, {{nullptr}}), Digest({ColumnKind::kText}, {{std::string("")}}));  // ... nor ""
  // Value boundaries are unambiguous: ("ab", "c") is not ("a", "bc"); row boundaries too.
  const std::vector<ColumnKind> tt = {ColumnKind::kText, ColumnKind::kText};
  EXPECT_NE(Digest(tt, {{std::string("ab"), std::string("c")}}), Digest(tt, {{std::string("a"), std::string("bc")}}));
  EXPECT_NE(Digest({ColumnKind::kInteger}, {{int64_t{1}}, {int64_t{2}}}),
            Digest({ColumnKind::kInteger}, {{int64_t{2}}, {int64_t{1}}}));  // order matters
}

// A SQLite source with the real schema and rows in several tables, and a fresh PostgreSQL target.
class TransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = TestPostgresUrl();
    if (base_.empty()) GTEST_SKIP() << "TRIBUNE_TEST_POSTGRES is not set: no PostgreSQL to transfer to";
    dir_ = std::filesystem::temp_directory_path() / ("tribune-transfer-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto src = OpenSqlite({.path = (dir_ / "tribune.db").string(), .read_connections = 1});
    ASSERT_TRUE(src.ok()) << src.error().message;
    src_ = std::move(src).value();
    url_ = CreatePostgresDatabase(base_);
    auto dst = OpenPostgres({.url = url_, .read_connections = 2});
    ASSERT_TRUE(dst.ok()) << dst.error().message;
    dst_ = std::move(dst).value();
  }
  void TearDown() override {
    if (dst_) dst_->Close();
    dst_.reset();
    src_.reset();
    if (!url_.empty()) DropPostgresDatabase(base_, url_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  static void Exec(Database& db, const std::string& sql, const Params& params = {}) {
    Status st = db.Write([&](Session& s) -> Status {
      auto r = s.Exec(sql, params);
      if (!r.ok()) return std::move(r).error();
      return Ok{};
    });
    ASSERT_TRUE(st.ok()) << sql << ": " << st.error().message;
  }

  Rows Read(Database& db, const std::string& sql) {
    auto rows = db.Read(sql);
    EXPECT_TRUE(rows.ok()) << sql << ": " << (rows.ok() ? "" : rows.error().message);
    return rows.ok() ? std::move(rows).value() : Rows{};
  }

  static constexpr int64_t kBigId = (int64_t{1} << 62) + 12345;
  const std::string kText = "Grüße, \"quoted\" and 'single' — 日本語 \\ %s $1";

  void Fill() {
    Database& s = *src_;
    Exec(s, "INSERT INTO meta (key, value) VALUES ('b', 'two'), ('a', 'one'), ('Z', 'upper'), ('é', 'accent')");
    Exec(s, "INSERT INTO editions (id, name, language, created_at) VALUES ('en', 'English', 'en', 1)");
    Exec(s, "INSERT INTO accounts (id, email, display_name, password_hash, created_at, terms_accepted_at) "
            "VALUES ($1, 'a@example.com', $2, 'h', 5, NULL), (7, 'b@example.com', 'B', 'h', 6, 99)",
         {kBigId, kText});
    Exec(s, "INSERT INTO account_roles (account_id, role) VALUES ($1, 'admin'), ($1, 'reader'), (7, 'reader')", {kBigId});
    Exec(s, "INSERT INTO articles (id, edition_id, slug, title, language, author_id, short_code, published_at, "
            "created_at, updated_at) VALUES (100, 'en', 's', $1, 'en', $2, 'abc', 1, 1, 1)",
         {kText, kBigId});
    Status st = s.Write([&](Session& w) -> Status {
      for (int i = 1; i <= 1234; ++i) {  // more than a page and an INSERT batch
        auto r = w.Exec("INSERT INTO comments (article_id, id, parent_id, author_id, body, body_html, status, "
                        "created_at) VALUES (100, $1, $2, 7, $3, '<p>x</p>', 'published', $1)",
                        {int64_t{i}, i > 1 ? Value{int64_t{1}} : Value{nullptr}, "comment " + std::to_string(i) + " " + kText});
        if (!r.ok()) return std::move(r).error();
      }
      return Ok{};
    });
    ASSERT_TRUE(st.ok()) << st.error().message;
    Exec(s, "INSERT INTO account_standing (account_id, edition, standing, updated_at) VALUES (7, 'en', $1, 1), "
            "($2, 'en', -1e-300, 2)", {0.1 + 0.2, kBigId});
    Exec(s, "INSERT INTO moderation_decisions (id, comment_id, kind, action, engine, findings_json, text_sha256, "
            "created_at) VALUES (41, 1, 'post', 'publish', 'rules', '[]', 'ab', 1)");
  }

  std::filesystem::path dir_;
  std::string base_, url_;
  std::unique_ptr<Database> src_, dst_;
};

TEST_F(TransferTest, CopiesEveryTableWithEqualCountsAndChecksums) {
  Fill();
  int done_tables = 0;
  auto report = Transfer(*src_, *dst_, [&](const TransferProgress& p) { done_tables += p.done; });
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(done_tables, static_cast<int>(report->tables.size()));
  std::map<std::string, TableCheck> by_name;
  for (const auto& t : report->tables) {
    EXPECT_TRUE(t.ok()) << t.table << ": " << t.source_rows << "/" << t.target_rows << " " << t.source_sha256 << " "
                        << t.target_sha256;
    EXPECT_NE(t.table, "schema_migrations");
    by_name[t.table] = t;
  }
  EXPECT_EQ(by_name["comments"].target_rows, 1234);
  EXPECT_EQ(by_name["meta"].target_rows, 4);
  EXPECT_EQ(by_name["account_roles"].target_rows, 3);
  EXPECT_EQ(report->rows, 4 + 1 + 2 + 3 + 1 + 1234 + 2 + 1);
  // Parents before children.
  auto pos = [&](const std::string& name) {
    for (size_t i = 0; i < report->tables.size(); ++i)
      if (report->tables[i].table == name) return i;
    return report->tables.size();
  };
  EXPECT_LT(pos("accounts"), pos("account_roles"));
  EXPECT_LT(pos("editions"), pos("articles"));
  EXPECT_LT(pos("accounts"), pos("articles"));

  // Values read back as they were written.
  auto acc = Read(*dst_, "SELECT id, display_name, terms_accepted_at FROM accounts ORDER BY id");
  ASSERT_EQ(acc.size(), 2u);
  EXPECT_EQ(acc[0].Int(0), 7);
  EXPECT_EQ(acc[0].Int(2), 99);
  EXPECT_EQ(acc[1].Int(0), kBigId);
  EXPECT_EQ(acc[1].Text(1), kText);
  EXPECT_TRUE(acc[1].IsNull(2));
  auto st = Read(*dst_, "SELECT standing FROM account_standing ORDER BY account_id");
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].Double(0), 0.1 + 0.2);  // bit for bit
  EXPECT_EQ(st[1].Double(0), -1e-300);
  auto c = Read(*dst_, "SELECT count(*), count(parent_id), max(body) FROM comments");
  EXPECT_EQ(c[0].Int(0), 1234);
  EXPECT_EQ(c[0].Int(1), 1233);
  auto meta = Read(*dst_, "SELECT value FROM meta WHERE key = 'é'");
  ASSERT_EQ(meta.size(), 1u);
  EXPECT_EQ(meta[0].Text(0), "accent");

  // The identity sequence continues after the copied ids.
  Exec(*dst_, "INSERT INTO moderation_decisions (kind, action, engine, findings_json, text_sha256, created_at) "
              "VALUES ('post', 'hold', 'rules', '[]', 'cd', 2)");
  auto ids = Read(*dst_, "SELECT max(id) FROM moderation_decisions");
  EXPECT_EQ(ids[0].Int(0), 42);

  // Verify alone agrees... until a row changes on one side.
  auto again = Verify(*src_, *dst_);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_FALSE(again->ok());  // the decision just added
  for (const auto& t : again->tables) EXPECT_EQ(t.ok(), t.table != "moderation_decisions") << t.table;
}

TEST_F(TransferTest, ARowChangedAfterwardsShowsAsAMismatch) {
  Fill();
  auto report = Transfer(*src_, *dst_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_TRUE(report->ok());
  auto same = Verify(*src_, *dst_);
  ASSERT_TRUE(same.ok()) << same.error().message;
  EXPECT_TRUE(same->ok());
  Exec(*dst_, "UPDATE comments SET body = body || '!' WHERE id = 777");
  auto v = Verify(*src_, *dst_);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_FALSE(v->ok());
  for (const auto& t : v->tables) {
    if (t.table == "comments") {
      EXPECT_EQ(t.source_rows, t.target_rows);  // same count, different checksum
      EXPECT_NE(t.source_sha256, t.target_sha256);
    } else {
      EXPECT_TRUE(t.ok()) << t.table;
    }
  }
}

TEST_F(TransferTest, ANonEmptyTargetIsRefusedAndLeftAsItWas) {
  Fill();
  ASSERT_TRUE(Transfer(*src_, *dst_).ok());
  const auto before = Verify(*src_, *dst_);
  ASSERT_TRUE(before.ok());
  Exec(*src_, "INSERT INTO meta (key, value) VALUES ('new', 'row')");
  auto second = Transfer(*src_, *dst_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_NE(second.error().message.find("not empty"), std::string::npos) << second.error().message;
  EXPECT_NE(second.error().message.find("meta"), std::string::npos) << second.error().message;
  auto rows = Read(*dst_, "SELECT count(*) FROM meta");
  EXPECT_EQ(rows[0].Int(0), 4);  // the new source row was not copied
  auto c = Read(*dst_, "SELECT count(*) FROM comments");
  EXPECT_EQ(c[0].Int(0), 1234);  // nor anything twice
}

TEST_F(TransferTest, OnlyOneTableWithARowIsEnoughToRefuse) {
  Exec(*dst_, "INSERT INTO meta (key, value) VALUES ('secret', 'x')");
  Fill();
  auto r = Transfer(*src_, *dst_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(Read(*dst_, "SELECT count(*) FROM accounts")[0].Int(0), 0);
}

TEST_F(TransferTest, InvalidUtf8IsCopiedRepairedAndReportedAsAMismatch) {
  Exec(*src_, "INSERT INTO meta (key, value) VALUES ('bad', $1), ('good', 'fine')", {std::string("a\xff" "b")});
  auto report = Transfer(*src_, *dst_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_FALSE(report->ok());
  for (const auto& t : report->tables) EXPECT_EQ(t.ok(), t.table != "meta") << t.table;
  EXPECT_EQ(Read(*dst_, "SELECT value FROM meta WHERE key = 'bad'")[0].Text(0), "a\xEF\xBF\xBD" "b");
}

TEST_F(TransferTest, AValueThatDoesNotFitItsColumnStopsBeforeWriting) {
  Fill();
  // SQLite keeps text that does not look like a number in an INTEGER column; PostgreSQL would refuse it.
  Exec(*src_, "UPDATE accounts SET created_at = 'yesterday' WHERE id = 7");
  auto r = Transfer(*src_, *dst_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(r.error().message.find("accounts.created_at"), std::string::npos) << r.error().message;
  EXPECT_EQ(Read(*dst_, "SELECT count(*) FROM editions")[0].Int(0), 0);
}

TEST_F(TransferTest, AnIdentityColumnTheSourceLeftNullIsFilledByTheTarget) {
  // As moderation_window.seq: NULL on SQLite, GENERATED ALWAYS AS IDENTITY on PostgreSQL.
  Exec(*src_, "CREATE TABLE zz_events (id INTEGER PRIMARY KEY, seq INTEGER, what TEXT NOT NULL)");
  Exec(*dst_, "CREATE TABLE zz_events (id BIGINT PRIMARY KEY, seq BIGINT GENERATED ALWAYS AS IDENTITY, what TEXT NOT NULL)");
  Exec(*src_, "INSERT INTO zz_events (id, seq, what) VALUES (30, NULL, 'c'), (10, NULL, 'a'), (20, 5, 'b')");
  auto report = Transfer(*src_, *dst_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->ok());
  for (const auto& t : report->tables) {
    if (t.table != "zz_events") continue;
    EXPECT_EQ(t.target_rows, 3);
    EXPECT_EQ(t.generated_columns, std::vector<std::string>{"seq"});
  }
  auto rows = Read(*dst_, "SELECT id, seq FROM zz_events ORDER BY id");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].Int(1), 5);                // kept
  EXPECT_LT(rows[0].Int(1), rows[2].Int(1));   // filled in primary-key order
  Exec(*dst_, "INSERT INTO zz_events (id, what) VALUES (40, 'd')");
  auto last = Read(*dst_, "SELECT seq FROM zz_events WHERE id = 40");
  EXPECT_GT(last[0].Int(0), std::max<int64_t>(5, rows[2].Int(1)));  // the sequence moved past every copied value
}

TEST_F(TransferTest, ATargetWithADifferentSchemaIsRefused) {
  Exec(*dst_, "ALTER TABLE meta ADD COLUMN extra TEXT");
  auto r = Transfer(*src_, *dst_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(r.error().message.find("meta.extra"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace tribune::storage
