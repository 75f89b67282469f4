#include "common/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tribune::log {
namespace {

// A fresh, uniquely named log file; the sink goes back to stderr and the file is removed afterwards,
// because the logger is process-wide and other tests run in the same process.
class LogFileTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string templ = testing::TempDir() + "tribune_log_XXXXXX";
    const int fd = mkstemp(templ.data());
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = templ;
    SetSink(path_);
  }
  void TearDown() override {
    SetSink("-");
    std::remove(path_.c_str());
  }

  std::vector<std::string> ReadLines() const {
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  std::string ReadAll() const {
    std::ifstream in(path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string path_;
};

// The application format starts {"ts":"2026-11-30T12:00:00.123Z", — 24 characters of timestamp.
constexpr std::string_view kTsPrefix = R"({"ts":")";
constexpr size_t kTsLength = 24;

bool HasTimestamp(const std::string& line) {
  if (line.compare(0, kTsPrefix.size(), kTsPrefix) != 0 || line.size() < kTsPrefix.size() + kTsLength + 2) {
    return false;
  }
  const std::string_view ts = std::string_view(line).substr(kTsPrefix.size(), kTsLength);
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  for (size_t i = 0; i < kShape.size(); ++i) {
    const bool ok = kShape[i] == 'd' ? (ts[i] >= '0' && ts[i] <= '9') : ts[i] == kShape[i];
    if (!ok) return false;
  }
  return line.compare(kTsPrefix.size() + kTsLength, 2, "\",") == 0;
}

// The line with its "ts" member removed, for exact comparison of the rest.
std::string WithoutTimestamp(const std::string& line) {
  return "{" + line.substr(kTsPrefix.size() + kTsLength + 2);
}

TEST(JsonEscape, LeavesPlainTextAlone) {
  EXPECT_EQ(JsonEscape(""), "");
  EXPECT_EQ(JsonEscape("hello, world / 42 <b>'x'</b>"), "hello, world / 42 <b>'x'</b>");
}

TEST(JsonEscape, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(JsonEscape(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(JsonEscape(R"(C:\path)"), R"(C:\\path)");
}

TEST(JsonEscape, EscapesControlCharacters) {
  EXPECT_EQ(JsonEscape("a\nb\rc\td\be\ff"), R"(a\nb\rc\td\be\ff)");
  EXPECT_EQ(JsonEscape(std::string("\x01\x1f", 2)), R"(\u0001\u001f)");
  EXPECT_EQ(JsonEscape(std::string("a\0b", 3)), R"(a\u0000b)");
  EXPECT_EQ(JsonEscape("\x7f"), "\x7f");  // DEL needs no escape in JSON
}

TEST(JsonEscape, PassesValidUtf8Through) {
  const std::string text = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad";  // café € 😀 中
  EXPECT_EQ(JsonEscape(text), text);
}

TEST(JsonEscape, ReplacesInvalidUtf8SoTheLineStaysValid) {
  EXPECT_EQ(JsonEscape(std::string("a\xff") + "b"), R"(a\ufffdb)");
  EXPECT_EQ(JsonEscape("\xc3"), R"(\ufffd)");                      // truncated sequence
  EXPECT_EQ(JsonEscape("\xc0\xaf"), R"(\ufffd\ufffd)");            // overlong '/'
  EXPECT_EQ(JsonEscape("\xed\xa0\x80"), R"(\ufffd\ufffd\ufffd)");  // UTF-16 surrogate
}

TEST_F(LogFileTest, WrittenLinesAreCompleteAfterFlush) {
  WriteJsonLine(R"({"a":1})");
  WriteJsonLine(R"({"b":"two"})");
  Flush();
  EXPECT_EQ(ReadAll(), "{\"a\":1}\n{\"b\":\"two\"}\n");
}

TEST_F(LogFileTest, LinesReachTheFileWithoutAnExplicitFlush) {
  WriteJsonLine(R"({"late":true})");
  // The flusher runs at least every 200 ms; allow generous slack for a loaded machine.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ReadAll().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(ReadAll(), "{\"late\":true}\n");
}

TEST_F(LogFileTest, SinkAppendsToAnExistingFile) {
  WriteJsonLine(R"({"n":1})");
  SetSink(path_);  // reopening must not truncate
  WriteJsonLine(R"({"n":2})");
  Flush();
  EXPECT_EQ(ReadAll(), "{\"n\":1}\n{\"n\":2}\n");
}

TEST_F(LogFileTest, InfoWarnErrorProduceTheApplicationFormat) {
  Info("server \"started\"", R"("port":8080)");
  Warn("slow");
  Error("broken\nline", R"("code":"x","n":2)");
  Flush();
  const std::vector<std::string> lines = ReadLines();
  ASSERT_EQ(lines.size(), 3u);
  for (const std::string& line : lines) EXPECT_TRUE(HasTimestamp(line)) << line;
  EXPECT_EQ(WithoutTimestamp(lines[0]), R"({"level":"info","msg":"server \"started\"","port":8080})");
  EXPECT_EQ(WithoutTimestamp(lines[1]), R"({"level":"warn","msg":"slow"})");
  EXPECT_EQ(WithoutTimestamp(lines[2]), R"({"level":"error","msg":"broken\nline","code":"x","n":2})");
}

TEST_F(LogFileTest, EmptySinkDiscards) {
  WriteJsonLine(R"({"kept":1})");
  SetSink("");  // pending lines still go to the old sink
  WriteJsonLine(R"({"dropped":1})");
  Info("dropped too");
  Flush();
  EXPECT_EQ(ReadAll(), "{\"kept\":1}\n");
}

TEST_F(LogFileTest, ConcurrentWritersProduceOnlyWholeLines) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (i % 2 == 0) {
          WriteJsonLine("{\"thread\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + ",\"pad\":\"" +
                        std::string(static_cast<size_t>(i % 300), 'x') + "\"}");
        } else {
          Info("concurrent", "\"thread\":" + std::to_string(t) + ",\"i\":" + std::to_string(i));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  Flush();

  const std::vector<std::string> lines = ReadLines();
  ASSERT_EQ(lines.size(), size_t{kThreads} * kPerThread);
  std::vector<int> per_thread(kThreads, 0);
  for (const std::string& line : lines) {
    ASSERT_FALSE(line.empty());
    ASSERT_EQ(line.front(), '{') << line;
    ASSERT_EQ(line.back(), '}') << line;
    const size_t at = line.find("\"thread\":");
    ASSERT_NE(at, std::string::npos) << line;
    ++per_thread[std::stoi(line.substr(at + 9))];
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(per_thread[t], kPerThread) << "thread " << t;
}

}  // namespace
}  // namespace tribune::log
