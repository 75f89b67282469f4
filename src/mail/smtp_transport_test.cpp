// Talks to a real SMTP server: tests/integration/support/smtp_sink.mjs run by node.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "mail/mail.hpp"
#include "support/node_tools.hpp"

extern char** environ;

namespace tribune::mail {
namespace {

namespace fs = std::filesystem;


// `node smtp_sink.mjs 0 --script ...` as a child process, read line by line.
class SmtpSink {
 public:
  ~SmtpSink() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }

  // Empty on success, else why the sink is unavailable (the test skips).
  std::string Start(const std::string& script) {
    auto root = tribune::testing::RepoRoot("tests/integration/support/smtp_sink.mjs");
    if (!root) return "repository root not found (set TRIBUNE_SOURCE_DIR)";
    auto node = tribune::testing::FindNode();
    if (!node) return "node is not installed";
    if (!fs::exists(*root / "node_modules/smtp-server") || !fs::exists(*root / "node_modules/mailparser")) {
      return "node_modules/smtp-server or mailparser missing (run npm install)";
    }
    int pipefd[2];
    if (::pipe(pipefd) != 0) return "pipe failed";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipefd[0]);
    posix_spawn_file_actions_addclose(&actions, pipefd[1]);
    std::string sink = (*root / "tests/integration/support/smtp_sink.mjs").string();
    std::vector<std::string> args = {*node, sink, "0"};
    if (!script.empty()) {
      args.push_back("--script");
      args.push_back(script);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = ::posix_spawn(&pid_, node->c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipefd[1]);
    fd_ = pipefd[0];
    if (rc != 0) {
      pid_ = -1;
      return "cannot start node";
    }
    auto line = ReadLine(std::chrono::seconds(20));
    if (!line || line->rfind("listening ", 0) != 0)
      return "the sink did not start: " + line.value_or("(no output)");
    port_ = std::stoi(line->substr(10));
    return "";
  }

  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (size_t nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  int port_ = 0;
  std::string buffer_;
};

Envelope MakeEnvelope(const std::string& dedup) {
  Mail m;
  m.to = "dave@example.com";
  m.kind = "password_reset";
  m.language = "ru";
  m.vars = {
      {"display_name", "Давид"}, {"link", "http://127.0.0.1:8080/reset?token=" + dedup}, {"minutes", "30"}};
  std::string id = internal::DerivedMessageId(m.kind, dedup, "news.example");
  auto r = Render(m, Identity{.from_address = "no-reply@news.example"}, id, 1'767'225'600'000'000);
  EXPECT_TRUE(r.ok());
  return {id, "no-reply@news.example", m.to, r.ok() ? r->message : ""};
}

TEST(SmtpTransport, ClassifiesRepliesAndDeliversTheMessage) {
  SmtpSink sink;
  if (std::string why = sink.Start("451,550"); !why.empty()) GTEST_SKIP() << "SMTP sink unavailable: " << why;
  auto transport = MakeSmtpTransport({.url = sink.url(), .connect_timeout_ms = 5'000, .timeout_ms = 15'000});
  EXPECT_EQ(transport->Describe(), sink.url());

  SendResult later = transport->Send(MakeEnvelope("a"));
  EXPECT_EQ(later.outcome, SendOutcome::kTransient) << later.detail;
  EXPECT_NE(later.detail.find("451"), std::string::npos) << later.detail;

  SendResult refused = transport->Send(MakeEnvelope("b"));
  EXPECT_EQ(refused.outcome, SendOutcome::kPermanent) << refused.detail;
  EXPECT_NE(refused.detail.find("550"), std::string::npos) << refused.detail;

  Envelope good = MakeEnvelope("c");
  SendResult sent = transport->Send(good);
  ASSERT_EQ(sent.outcome, SendOutcome::kSent) << sent.detail;
  auto line = sink.ReadLine(std::chrono::seconds(10));
  ASSERT_TRUE(line.has_value());
  EXPECT_NE(line->find("\"messageId\":\"" + good.message_id + "\""), std::string::npos) << *line;
  // mailparser decoded the RFC 2047 subject and the quoted-printable text.
  EXPECT_NE(line->find("\"subject\":\"Сброс пароля на Tribune\""), std::string::npos) << *line;
  EXPECT_NE(line->find("Здравствуйте, Давид!"), std::string::npos) << *line;
  EXPECT_NE(line->find("http://127.0.0.1:8080/reset?token=c"), std::string::npos) << *line;
  EXPECT_NE(line->find("\"rcptTo\":[\"dave@example.com\"]"), std::string::npos) << *line;
}

TEST(SmtpTransport, AClosedPortIsTransient) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);
  ::close(s);  // nothing listens there now

  auto transport = MakeSmtpTransport(
      {.url = "smtp://127.0.0.1:" + std::to_string(port), .connect_timeout_ms = 2'000, .timeout_ms = 5'000});
  SendResult r = transport->Send(MakeEnvelope("d"));
  EXPECT_EQ(r.outcome, SendOutcome::kTransient);
  EXPECT_NE(r.detail.find("curl 7"), std::string::npos) << r.detail;  // CURLE_COULDNT_CONNECT
}

}  // namespace
}  // namespace tribune::mail
