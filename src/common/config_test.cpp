#include "common/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace tribune {
namespace {

// An environment block in the form Config::Load expects, built without touching the real one.
class FakeEnv {
 public:
  FakeEnv(std::initializer_list<std::string> entries) : entries_(entries) {
    for (auto& e : entries_) pointers_.push_back(e.data());
    pointers_.push_back(nullptr);
  }
  char** get() { return pointers_.data(); }

 private:
  std::vector<std::string> entries_;
  std::vector<char*> pointers_;
};

// A uniquely named TOML file that is removed when the test ends (tests may run in parallel).
class TempToml {
 public:
  explicit TempToml(const std::string& content) {
    std::string templ = testing::TempDir() + "tribune_config_XXXXXX";
    const int fd = mkstemp(templ.data());
    EXPECT_GE(fd, 0);
    EXPECT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    close(fd);
    path_ = templ;
  }
  ~TempToml() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Config, DefaultsHoldTheShippedValues) {
  const Config config = Config::Defaults();
  EXPECT_TRUE(config.GetBool("captcha.required"));
  EXPECT_EQ(config.GetInt("comments.max_length"), 5000);
  EXPECT_EQ(config.GetInt("storage.read_connections"), 4);
  EXPECT_EQ(config.GetString("server.listen"), "127.0.0.1:8080");
  EXPECT_EQ(config.GetString("site.base_url"), "");
  EXPECT_EQ(config.GetString("moderation.engine"), "rules");
}

TEST(Config, LoadWithoutFileOrEnvironmentGivesTheDefaults) {
  FakeEnv env({"PATH=/usr/bin", "HOME=/root"});
  auto config = Config::Load("", env.get());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->GetBool("captcha.required"));
  EXPECT_EQ(config->GetInt("comments.max_length"), 5000);
}

TEST(Config, LoadAcceptsANullEnvironment) {
  auto config = Config::Load("", nullptr);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->GetInt("server.worker_threads"), 64);
}

TEST(Config, LocalFileOverridesDefaults) {
  TempToml file(R"(
[captcha]
required = false

[comments]
max_length = 2000

[server]
listen = "0.0.0.0:9000"
)");
  FakeEnv env({});
  auto config = Config::Load(file.path(), env.get());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_FALSE(config->GetBool("captcha.required"));
  EXPECT_EQ(config->GetInt("comments.max_length"), 2000);
  EXPECT_EQ(config->GetString("server.listen"), "0.0.0.0:9000");
  EXPECT_EQ(config->GetInt("comments.page_max"), 200);  // untouched keys keep their defaults
}

TEST(Config, EnvironmentOverridesLocalFile) {
  TempToml file("[comments]\nmax_length = 2000\n[storage]\nread_connections = 8\n");
  FakeEnv env({"TRIBUNE_COMMENTS_MAX_LENGTH=3000", "TRIBUNE_CAPTCHA_REQUIRED=off",
               "TRIBUNE_SERVER_LISTEN=[::]:80", "TRIBUNE_LOG_TARGET="});
  auto config = Config::Load(file.path(), env.get());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->GetInt("comments.max_length"), 3000);
  EXPECT_EQ(config->GetInt("storage.read_connections"), 8);
  EXPECT_FALSE(config->GetBool("captcha.required"));
  EXPECT_EQ(config->GetString("server.listen"), "[::]:80");
  EXPECT_EQ(config->GetString("log.target"), "");  // set-but-empty is a value for strings
}

TEST(Config, EnvironmentNamesUseUpperCaseSectionAndKey) {
  FakeEnv env({"TRIBUNE_STORAGE_READ_CONNECTIONS=16", "tribune_storage_max_batch=1"});
  auto config = Config::Load("", env.get());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->GetInt("storage.read_connections"), 16);
  EXPECT_EQ(config->GetInt("storage.max_batch"), 512);  // lower-case names are not ours
}

TEST(Config, EnvironmentBoolAcceptsTheUsualSpellings) {
  for (const char* yes : {"true", "TRUE", "1", "yes", "Yes", "on", "ON"}) {
    FakeEnv env(
        {std::string("TRIBUNE_LIMITS_ENABLED=false"), std::string("TRIBUNE_CAPTCHA_REQUIRED=") + yes});
    auto config = Config::Load("", env.get());
    ASSERT_TRUE(config.ok()) << yes << ": " << config.error().message;
    EXPECT_TRUE(config->GetBool("captcha.required")) << yes;
    EXPECT_FALSE(config->GetBool("limits.enabled"));
  }
  for (const char* no : {"false", "False", "0", "no", "NO", "off", "Off"}) {
    FakeEnv env({std::string("TRIBUNE_CAPTCHA_REQUIRED=") + no});
    auto config = Config::Load("", env.get());
    ASSERT_TRUE(config.ok()) << no << ": " << config.error().message;
    EXPECT_FALSE(config->GetBool("captcha.required")) << no;
  }
}

TEST(Config, BadEnvironmentBoolIsAnErrorNamingTheVariable) {
  FakeEnv env({"TRIBUNE_CAPTCHA_REQUIRED=maybe"});
  auto config = Config::Load("", env.get());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(Contains(config.error().message, "TRIBUNE_CAPTCHA_REQUIRED")) << config.error().message;
}

TEST(Config, BadEnvironmentIntegersAreErrors) {
  for (const char* bad : {"", "12abc", "1.5", " 8", "8 ", "0x10", "+", "99999999999999999999"}) {
    FakeEnv env({std::string("TRIBUNE_SERVER_THREADS=") + bad});
    auto config = Config::Load("", env.get());
    ASSERT_FALSE(config.ok()) << "accepted \"" << bad << "\"";
    EXPECT_TRUE(Contains(config.error().message, "TRIBUNE_SERVER_THREADS")) << config.error().message;
  }
}

TEST(Config, EnvironmentIntegersMayBeNegativeOrLarge) {
  FakeEnv env({"TRIBUNE_SERVER_THREADS=-1", "TRIBUNE_SERVER_BODY_LIMIT_BYTES=9223372036854775807"});
  auto config = Config::Load("", env.get());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->GetInt("server.threads"), -1);
  EXPECT_EQ(config->GetInt("server.body_limit_bytes"), INT64_MAX);
}

TEST(Config, UnrelatedTribuneVariablesAreIgnored) {
  FakeEnv env({"TRIBUNE_DATA_DIR=/var/lib/tribune", "TRIBUNE_NOPE", "TRIBUNE_CAPTCHA_REQUIRED=no"});
  auto config = Config::Load("", env.get());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_FALSE(config->GetBool("captcha.required"));
}

TEST(Config, MissingLocalFileIsAnError) {
  FakeEnv env({});
  auto config = Config::Load(testing::TempDir() + "tribune_no_such_config.toml", env.get());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(Contains(config.error().message, "tribune_no_such_config.toml")) << config.error().message;
}

TEST(Config, ParseErrorReportsLineAndColumn) {
  TempToml file("[server]\nthreads = 4\nlisten = \n");
  FakeEnv env({});
  auto config = Config::Load(file.path(), env.get());
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(Contains(config.error().message, "line 3:")) << config.error().message;
  EXPECT_TRUE(Contains(config.error().message, file.path())) << config.error().message;
}

TEST(Config, UnknownKeyInLocalFileIsAnError) {
  TempToml file("[captcha]\nrequird = false\n");
  FakeEnv env({});
  auto config = Config::Load(file.path(), env.get());
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(Contains(config.error().message, "\"captcha.requird\"")) << config.error().message;
}

TEST(Config, UnknownSectionOrTopLevelKeyInLocalFileIsAnError) {
  FakeEnv env({});
  {
    TempToml file("[captca]\nrequired = false\n");
    auto config = Config::Load(file.path(), env.get());
    ASSERT_FALSE(config.ok());
    EXPECT_TRUE(Contains(config.error().message, "captca.required")) << config.error().message;
  }
  {
    TempToml file("[captca]\n");
    auto config = Config::Load(file.path(), env.get());
    ASSERT_FALSE(config.ok());
    EXPECT_TRUE(Contains(config.error().message, "captca")) << config.error().message;
  }
  {
    TempToml file("required = false\n");
    auto config = Config::Load(file.path(), env.get());
    ASSERT_FALSE(config.ok());
    EXPECT_TRUE(Contains(config.error().message, "\"required\"")) << config.error().message;
  }
  {
    TempToml file("[server.tls]\ncert = \"x\"\n");
    auto config = Config::Load(file.path(), env.get());
    ASSERT_FALSE(config.ok());
    EXPECT_TRUE(Contains(config.error().message, "server.tls")) << config.error().message;
  }
}

TEST(Config, WrongTypeInLocalFileIsAnError) {
  FakeEnv env({});
  for (const char* body : {"[captcha]\nrequired = \"yes\"\n", "[comments]\nmax_length = 50.5\n",
                           "[server]\nlisten = 8080\n", "[server]\nlisten = [\"a\"]\n"}) {
    TempToml file(body);
    auto config = Config::Load(file.path(), env.get());
    ASSERT_FALSE(config.ok()) << body;
    EXPECT_EQ(config.error().code, ErrorCode::kBadRequest);
    EXPECT_TRUE(Contains(config.error().message, " must be ")) << config.error().message;
  }
}

TEST(Config, EmptySectionOfAKnownNameIsAccepted) {
  TempToml file("[captcha]\n");
  FakeEnv env({});
  auto config = Config::Load(file.path(), env.get());
  ASSERT_TRUE(config.ok()) << config.error().message;
}

TEST(Config, SetOverridesAKnownKey) {
  Config config = Config::Defaults();
  ASSERT_TRUE(config.Set("comments.max_length", int64_t{100}).ok());
  ASSERT_TRUE(config.Set("captcha.required", false).ok());
  ASSERT_TRUE(config.Set("site.name", std::string("Herald")).ok());
  EXPECT_EQ(config.GetInt("comments.max_length"), 100);
  EXPECT_FALSE(config.GetBool("captcha.required"));
  EXPECT_EQ(config.GetString("site.name"), "Herald");
}

TEST(Config, SetRejectsUnknownKeys) {
  Config config = Config::Defaults();
  const Status status = config.Set("comments.max_lenght", int64_t{100});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(Contains(status.error().message, "comments.max_lenght")) << status.error().message;
}

TEST(Config, SetRejectsTheWrongType) {
  Config config = Config::Defaults();
  EXPECT_FALSE(config.Set("comments.max_length", std::string("100")).ok());
  EXPECT_FALSE(config.Set("captcha.required", int64_t{1}).ok());
  EXPECT_FALSE(config.Set("site.name", std::vector<std::string>{"a"}).ok());
  EXPECT_FALSE(config.Set("comments.max_length", 1.0).ok());
  EXPECT_EQ(config.GetInt("comments.max_length"), 5000);  // unchanged after the failures
}

TEST(ConfigDeathTest, GettersAbortOnUnknownKeyOrWrongType) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const Config config = Config::Defaults();
  EXPECT_DEATH(config.GetInt("comments.nope"), "unknown key \"comments.nope\"");
  EXPECT_DEATH(config.GetBool("comments.max_length"), "comments.max_length");
  EXPECT_DEATH(config.GetList("site.name"), "site.name");
}

}  // namespace
}  // namespace tribune
