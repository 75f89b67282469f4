#include "common/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "common/clock.hpp"

namespace tribune::log {

namespace {

constexpr auto kFlushInterval = std::chrono::milliseconds(200);
// Past this much pending output the flusher is woken early instead of waiting out the interval.
constexpr size_t kWakeBytes = 256 * 1024;
// Past this much the writing thread flushes itself: bounded memory if the sink is slower than the load.
constexpr size_t kMaxBytes = 8 * 1024 * 1024;

// Checked before anything else so that a discarding sink costs one relaxed load per line, and so
// that SetSink("")/Flush() need not create the logger (and its thread) in a process that never logs.
std::atomic<bool> g_discard{false};
std::atomic<bool> g_created{false};

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere to report a failing log sink; drop the output rather than spin.
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// The process-wide writer. Lock order: write_mu_ before mu_. Writers only take mu_ to append; the
// flusher swaps the buffer out under mu_ and writes it under write_mu_ alone, so slow disks do not
// block request threads, and two flushes can never reorder or interleave output.
class Logger {
 public:
  Logger() {
    flusher_ = std::thread([this] { Run(); });
    // Runs before the static destructors of objects created earlier (and after those created later),
    // so lines logged by later-destroyed objects take the synchronous path below.
    std::atexit([] { Instance().Shutdown(); });
  }

  // Never destroyed: other static destructors may still log after exit processing started.
  static Logger& Instance() {
    static Logger* logger = [] {
      auto* created = new Logger();
      g_created.store(true);
      return created;
    }();
    return *logger;
  }

  void Append(std::string_view line) {
    bool wake = false;
    bool flush_now = false;
    {
      std::lock_guard lock(mu_);
      if (fd_ < 0) return;  // the sink became "" after the caller checked g_discard
      const size_t before = buffer_.size();
      buffer_.append(line);
      buffer_.push_back('\n');
      wake = before == 0 || (before < kWakeBytes && buffer_.size() >= kWakeBytes);
      flush_now = stopped_ || buffer_.size() >= kMaxBytes;
    }
    if (flush_now) {
      FlushNow();
    } else if (wake) {
      cv_.notify_one();
    }
  }

  void FlushNow() {
    std::lock_guard write_lock(write_mu_);
    FlushLocked();
  }

  void SetSink(const std::string& target) {
    std::lock_guard write_lock(write_mu_);
    FlushLocked();  // pending lines belong to the old sink
    int fd = -1;
    if (target == "-") {
      fd = STDERR_FILENO;
    } else if (!target.empty()) {
      fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) {
        // Logging must not take the server down; say so once on stderr and keep logging there.
        const std::string msg = "{\"ts\":\"" + FormatRfc3339(SystemClock().NowMicros()) +
                                "\",\"level\":\"error\",\"msg\":\"cannot open log file\",\"path\":\"" +
                                JsonEscape(target) + "\",\"error\":\"" + JsonEscape(std::strerror(errno)) +
                                "\"}\n";
        WriteAll(STDERR_FILENO, msg.data(), msg.size());
        fd = STDERR_FILENO;
      }
    }
    int old_fd;
    {
      std::lock_guard lock(mu_);
      old_fd = fd_;
      fd_ = fd;
    }
    if (old_fd > STDERR_FILENO) ::close(old_fd);
  }

  void Shutdown() {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_one();
    if (flusher_.joinable()) flusher_.join();
    FlushNow();
  }

 private:
  // Caller holds write_mu_.
  void FlushLocked() {
    int fd;
    {
      std::lock_guard lock(mu_);
      if (buffer_.empty()) return;
      out_.swap(buffer_);
      fd = fd_;
    }
    if (fd >= 0) WriteAll(fd, out_.data(), out_.size());
    out_.clear();  // keeps its capacity for the next swap
  }

  void Run() {
    for (;;) {
      {
        std::unique_lock lock(mu_);
        // Sleep without a timeout while idle; once a line arrives, give it at most one interval.
        cv_.wait(lock, [this] { return stopped_ || !buffer_.empty(); });
        if (stopped_) return;
        cv_.wait_for(lock, kFlushInterval, [this] { return stopped_ || buffer_.size() >= kWakeBytes; });
      }
      FlushNow();
    }
  }

  std::mutex write_mu_;
  std::string out_;  // guarded by write_mu_

  std::mutex mu_;
  std::condition_variable cv_;
  std::string buffer_;
  int fd_ = STDERR_FILENO;  // stderr until SetSink says otherwise, so early errors are not lost
  bool stopped_ = false;

  std::thread flusher_;
};

void AppLine(const char* level, std::string_view msg, std::string_view fields_json) {
  if (g_discard.load(std::memory_order_relaxed)) return;
  std::string line;
  line.reserve(64 + msg.size() + fields_json.size());
  line += "{\"ts\":\"";
  line += FormatRfc3339(SystemClock().NowMicros());
  line += "\",\"level\":\"";
  line += level;
  line += "\",\"msg\":\"";
  line += JsonEscape(msg);
  line += '"';
  if (!fields_json.empty()) {
    line += ',';
    line += fields_json;
  }
  line += '}';
  WriteJsonLine(line);
}

void AppendEscape(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default:
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
  }
}

// Length of the valid UTF-8 sequence starting at s[i] (multi-byte only), or 0 if invalid:
// rejects overlong forms, surrogates and code points above U+10FFFF.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

void SetSink(const std::string& target) {
  if (target.empty()) {
    // Stop accepting lines first, then hand what is pending to the old sink and close it.
    g_discard.store(true, std::memory_order_relaxed);
    if (g_created.load()) Logger::Instance().SetSink(target);
    return;
  }
  Logger::Instance().SetSink(target);
  g_discard.store(false, std::memory_order_relaxed);
}

void WriteJsonLine(std::string_view json_object) {
  if (g_discard.load(std::memory_order_relaxed)) return;
  Logger::Instance().Append(json_object);
}

void Info(std::string_view msg, std::string_view fields_json) { AppLine("info", msg, fields_json); }
void Warn(std::string_view msg, std::string_view fields_json) { AppLine("warn", msg, fields_json); }
void Error(std::string_view msg, std::string_view fields_json) { AppLine("error", msg, fields_json); }

void Flush() {
  // Nothing can be pending if the logger was never created; do not start it just to flush.
  if (g_created.load()) Logger::Instance().FlushNow();
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == '"' || c == '\\') {
        AppendEscape(out, c);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      // Log lines carry client input; an invalid byte would make the whole line invalid JSON text.
      out += "\\ufffd";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace tribune::log
