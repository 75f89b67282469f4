#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "mail/mail.hpp"

namespace tribune::mail {
namespace {

namespace fs = std::filesystem;

TEST(FileTransport, WritesOneEmlFilePerMessageInANewDirectory) {
  fs::path dir = fs::temp_directory_path() / ("tribune-mail-spool-" + std::to_string(::getpid())) / "nested";
  fs::remove_all(dir.parent_path());
  auto transport = MakeFileTransport(dir.string());
  EXPECT_EQ(transport->Describe(), "files in " + dir.string());
  Envelope e{"<abc/../x@news.example>", "no-reply@news.example", "erin@example.com",
             "Subject: hi\r\n\r\nbody\r\n"};
  SendResult r = transport->Send(e);
  ASSERT_EQ(r.outcome, SendOutcome::kSent) << r.detail;
  ASSERT_EQ(transport->Send(Envelope{"<def@news.example>", e.from, e.recipient, "x\r\n"}).outcome,
            SendOutcome::kSent);

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  ASSERT_EQ(files.size(), 2u);  // no temporary file left behind
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string().substr(16) < b.filename().string().substr(16);
  });
  std::string name = files[0].filename().string();
  EXPECT_EQ(name.size(), 16 + std::string("abc_.._x@news.example.eml").size()) << name;
  EXPECT_EQ(name[8], 'T') << name;
  EXPECT_EQ(name.substr(15), "-abc_.._x@news.example.eml") << name;
  std::ifstream in(files[0], std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_EQ(content.str(), e.message);
  fs::remove_all(dir.parent_path());
}

TEST(FileTransport, AnUnwritableDirectoryIsTransient) {
  auto transport = MakeFileTransport("/proc/tribune-cannot-create-this");
  SendResult r = transport->Send(Envelope{"<x@y>", "a@b", "c@d", "m\r\n"});
  EXPECT_EQ(r.outcome, SendOutcome::kTransient);
  EXPECT_FALSE(r.detail.empty());
}

}  // namespace
}  // namespace tribune::mail
