// AvatarService against a real temporary SQLite database.
#include <gtest/gtest.h>
#include <vips/vips.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "avatars/avatars.hpp"
#include "support/temp_database.hpp"

namespace tribune::avatars {
namespace {

std::string Png(int w, int h, double grey) {
  InitVips();
  VipsImage* black = nullptr;
  EXPECT_EQ(vips_black(&black, w, h, "bands", 3, nullptr), 0);
  VipsImage* lit = nullptr;
  EXPECT_EQ(vips_linear1(black, &lit, 1.0, grey, "uchar", TRUE, nullptr), 0);
  g_object_unref(black);
  void* buf = nullptr;
  size_t len = 0;
  EXPECT_EQ(vips_pngsave_buffer(lit, &buf, &len, nullptr), 0);
  g_object_unref(lit);
  std::string s(static_cast<const char*>(buf), len);
  g_free(buf);
  return s;
}

class AvatarServiceTest : public ::testing::Test {
 protected:
  void AddAccount(int64_t id, const std::string& name, const std::string& status = "active") {
    ASSERT_TRUE(tmp.db()
                    .Write([&](storage::Session& s) -> Status {
                      TRIBUNE_TRY(s.Exec("INSERT INTO accounts (id, email, display_name, password_hash, status, "
                                         "created_at) VALUES ($1, $2, $3, 'x', $4, 1)",
                                         {id, "u" + std::to_string(id) + "@example.com", name, status}));
                      return Ok{};
                    })
                    .ok());
  }
  int64_t HasAvatar(int64_t id) {
    return tmp.Count("SELECT has_avatar FROM accounts WHERE id = " + std::to_string(id));
  }
  int64_t Rows(int64_t id) { return tmp.Count("SELECT COUNT(*) FROM avatars WHERE account_id = " + std::to_string(id)); }

  testing::TempDatabase tmp;
  FakeClock clock;
  AvatarService service{tmp.db(), clock, AvatarOptions{}};
};

TEST_F(AvatarServiceTest, DefaultUntilUploadedThenStoredThenRemoved) {
  AddAccount(1001, "alice");
  auto def = service.Get(1001);
  ASSERT_TRUE(def.ok()) << def.error().message;
  EXPECT_EQ(def->content_type, "image/svg+xml");
  EXPECT_NE(def->bytes.find(">A</text>"), std::string::npos);
  EXPECT_EQ(def->etag, DefaultAvatar(1001, "alice").etag);
  EXPECT_EQ(HasAvatar(1001), 0);

  auto up = service.Upload(1001, Png(640, 480, 80), "image/png");
  ASSERT_TRUE(up.ok()) << up.error().message;
  EXPECT_EQ(HasAvatar(1001), 1);
  EXPECT_EQ(Rows(1001), 1);
  EXPECT_EQ(tmp.Count("SELECT updated_at FROM avatars WHERE account_id = 1001"), clock.NowMicros());
  auto got = service.Get(1001);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->content_type, "image/webp");
  EXPECT_EQ(got->bytes, up->bytes);
  EXPECT_EQ(got->etag, up->etag);

  // Replacing keeps one row and changes the etag.
  ASSERT_TRUE(service.Put(1001, Png(300, 300, 200), "").ok());
  EXPECT_EQ(Rows(1001), 1);
  auto again = service.Get(1001);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->etag, up->etag);

  ASSERT_TRUE(service.Remove(1001).ok());
  EXPECT_EQ(HasAvatar(1001), 0);
  EXPECT_EQ(Rows(1001), 0);
  auto back = service.Get(1001);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->content_type, "image/svg+xml");
  EXPECT_TRUE(service.Remove(1001).ok());  // idempotent
}

TEST_F(AvatarServiceTest, BadUploadsStoreNothing) {
  AddAccount(1002, "bob");
  const std::string png = Png(64, 64, 10);
  EXPECT_EQ(service.Put(1002, "not an image", "image/png").error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(service.Put(1002, png, "image/jpeg").error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(service.Put(1002, png.substr(0, png.size() / 2), "image/png").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(Rows(1002), 0);
  EXPECT_EQ(HasAvatar(1002), 0);
  // A bad upload leaves an existing avatar alone.
  ASSERT_TRUE(service.Put(1002, png, "image/png").ok());
  const auto before = service.Get(1002);
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(service.Put(1002, png.substr(0, 100), "image/png").ok());
  EXPECT_EQ(service.Get(1002)->etag, before->etag);
  EXPECT_EQ(HasAvatar(1002), 1);
}

TEST_F(AvatarServiceTest, DeletedAndMissingAccountsHaveNone) {
  AddAccount(1003, "carol", "deleted");
  EXPECT_EQ(service.Put(1003, Png(64, 64, 10), "image/png").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Rows(1003), 0);
  EXPECT_EQ(HasAvatar(1003), 0);
  EXPECT_EQ(service.Get(1003).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service.Put(999999, Png(64, 64, 10), "image/png").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Rows(999999), 0);
  EXPECT_EQ(service.Get(999999).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(service.Remove(999999).ok());
  AddAccount(1005, "erin", "purged");  // no generated default either: nobody is there any more
  const auto purged = service.Get(1005);
  ASSERT_FALSE(purged.ok());
  EXPECT_EQ(purged.error().code, ErrorCode::kNotFound);
  const Status put = service.Put(1005, Png(64, 64, 10), "image/png");
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::kNotFound);
}

TEST_F(AvatarServiceTest, AccountDeletedAfterUploadShowsNothing) {
  AddAccount(1004, "dave");
  ASSERT_TRUE(service.Put(1004, Png(64, 64, 10), "image/png").ok());
  ASSERT_TRUE(tmp.db()
                  .Write([](storage::Session& s) -> Status {
                    TRIBUNE_TRY(s.Exec("UPDATE accounts SET status = 'deleted' WHERE id = 1004"));
                    return Ok{};
                  })
                  .ok());
  EXPECT_EQ(service.Get(1004).error().code, ErrorCode::kNotFound);
  // The purge job erases it inside its own transaction.
  ASSERT_TRUE(tmp.db().Write([](storage::Session& s) { return EraseAvatar(s, 1004); }).ok());
  EXPECT_EQ(Rows(1004), 0);
  EXPECT_EQ(HasAvatar(1004), 0);
}

TEST_F(AvatarServiceTest, ConcurrentUploads) {
  for (int64_t id = 2000; id < 2008; ++id) AddAccount(id, "user" + std::to_string(id));
  const std::string png = Png(800, 600, 120);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int64_t id = 2000; id < 2008; ++id) {
    threads.emplace_back([&, id] {
      for (int i = 0; i < 3; ++i) ok += service.Put(id, png, "image/png").ok() ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 24);
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM avatars"), 8);
  EXPECT_EQ(tmp.Count("SELECT COUNT(*) FROM accounts WHERE has_avatar = 1"), 8);
}

}  // namespace
}  // namespace tribune::avatars
