// The spool-directory transport, for development and servers without SMTP.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>

#include "mail/mail.hpp"

namespace tribune::mail {
namespace {

std::string Sanitise(std::string_view message_id) {
  std::string out;
  for (char c : message_id) {
    if (c == '<' || c == '>') continue;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '-' || c == '_' || c == '@';
    out += ok ? c : '_';
  }
  if (out.size() > 200) out.resize(200);
  if (out.empty() || out[0] == '.') out.insert(0, "m");
  return out;
}

std::string UtcStamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  return buf;
}

class FileTransport final : public Transport {
 public:
  explicit FileTransport(std::string directory) : dir_(std::move(directory)) {}

  SendResult Send(const Envelope& envelope) override {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return {SendOutcome::kTransient, "cannot create " + dir_.string() + ": " + ec.message()};
    std::string name = UtcStamp() + "-" + Sanitise(envelope.message_id) + ".eml";
    std::filesystem::path final_path = dir_ / name;
    std::filesystem::path temp_path = dir_ / (".tmp-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(counter_.fetch_add(1)) + "-" + name);
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) return {SendOutcome::kTransient, "open " + temp_path.string() + ": " + std::strerror(errno)};
    const char* p = envelope.message.data();
    size_t left = envelope.message.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Fail(fd, temp_path, "write");
      p += n;
      left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) return Fail(fd, temp_path, "fsync");
    ::close(fd);
    std::filesystem::rename(temp_path, final_path, ec);
    if (ec) {
      std::filesystem::remove(temp_path, ec);
      return {SendOutcome::kTransient, "rename to " + final_path.string() + " failed"};
    }
    return {SendOutcome::kSent, "written to " + final_path.string()};
  }

  std::string Describe() const override { return "files in " + dir_.string(); }

 private:
  static SendResult Fail(int fd, const std::filesystem::path& temp, const char* what) {
    std::string detail = std::string(what) + " " + temp.string() + ": " + std::strerror(errno);
    ::close(fd);
    std::error_code ec;
    std::filesystem::remove(temp, ec);
    return {SendOutcome::kTransient, detail};
  }

  std::filesystem::path dir_;
  std::atomic<int64_t> counter_{0};
};

}  // namespace

std::unique_ptr<Transport> MakeFileTransport(std::string directory) {
  return std::make_unique<FileTransport>(std::move(directory));
}

}  // namespace tribune::mail
