// Start here for HTTP. Request/Response are plain structs (no Beast in headers, so handler files
// compile fast); the Router maps method + path pattern to a handler; the Server (Beast + Asio, C++20
// coroutines, one io_context per I/O thread) reads requests, runs handlers and writes responses.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace tribune::http {

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // as sent: path and query
  std::string path;     // percent-decoded path
  std::string query;    // raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_address;
  std::string request_id;
  std::map<std::string, std::string> path_params;  // filled by the router

  // First header with this lower-case name, or "".
  std::string_view Header(std::string_view lower_name) const;
  // Decoded query parameter; nullopt when absent.
  std::optional<std::string> Query(std::string_view name) const;
  // A cookie's value, or "".
  std::string Cookie(std::string_view name) const;
};

// A response body written while it is produced (Server-Sent Events, src/http/live.hpp). The server calls
// Start, Take and Close on the connection's I/O thread; the producer calls the waker from any thread.
class EventStream {
 public:
  virtual ~EventStream() = default;
  // Before the first Take: `waker` is to be called (from any thread, cheaply, without blocking) whenever Take
  // has something new or the stream ended. It may be called after Close has begun, never after Close returned.
  virtual void Start(std::function<void()> waker) = 0;
  // What is ready to send since the last call ("" when nothing); `ended`: nothing more will come.
  virtual std::string Take(bool& ended) = 0;
  // The server stopped writing (client gone, shutdown, write error). Idempotent.
  virtual void Close() = 0;
  // The longest the server lets the connection stay silent: then it writes the comment line ": ping".
  virtual int heartbeat_ms() const = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, sent instead of `body` without copying (cached pages shared between responses).
  std::shared_ptr<const std::string> shared_body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by the server when it must close the connection after this response.
  bool close = false;
  // When set, the body is this stream (`body` is ignored): the server sends the header without a length
  // (chunked), writes what the stream produces until it ends, the client leaves or the server shuts down,
  // then closes the connection. Read and idle timeouts do not apply while it runs.
  std::shared_ptr<EventStream> stream;
};

using Handler = std::function<Response(Request&)>;

// Whether a handler may wait (on a commit, a password hash): such handlers run on the worker pool,
// the rest run on the I/O thread that read the request. kInlineIfAnonymous: inline unless the request
// carries credentials (resolving them may write: a session's last-seen time).
enum class Dispatch { kInline, kWorker, kInlineIfAnonymous };

class Router {
 public:
  // Pattern segments in braces are parameters: "/api/v1/articles/{id}/comments".
  void Add(std::string method, std::string pattern, Handler handler, Dispatch dispatch = Dispatch::kWorker);

  struct Match {
    const Handler* handler = nullptr;
    Dispatch dispatch = Dispatch::kInline;
    std::map<std::string, std::string> params;
    bool method_not_allowed = false;  // the path exists with another method
  };
  Match Find(std::string_view method, std::string_view path) const;

  // What a browser gets for an unknown page (a GET outside /api/ that accepts text/html) instead of the
  // JSON 404; runs inline on the I/O thread, so it must not wait.
  void SetNotFoundPage(Handler handler) { not_found_page_ = std::move(handler); }
  const Handler* NotFoundPage(const Request& req) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
    Dispatch dispatch;
  };
  std::vector<Route> routes_;
  Handler not_found_page_;
};

// JSON responses.
Response Json(int status, std::string body);
Response Json(int status, std::shared_ptr<const std::string> body);
// The API.md error object: {"error":{"code","message","request_id",...extra}}.
Response ErrorResponse(const Error& error, const std::string& request_id);
int StatusFor(ErrorCode code);

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;       // 0 picks a free port
  int io_threads = 0;         // 0: one per core
  int worker_threads = 64;
  size_t header_limit = 16 * 1024;
  size_t body_limit = 1 << 20;
  int read_timeout_ms = 15000;
  int idle_timeout_ms = 60000;
  int shutdown_grace_ms = 10000;
  bool access_log = true;
  // Requests to this path (the query aside) with a session cookie or an Authorization header may carry up to
  // large_body_limit bytes (image uploads); 0: none.
  std::string large_body_path;
  size_t large_body_limit = 0;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  // Binds and listens. Errors: kUnavailable (address in use, ...).
  Status Listen();
  uint16_t port() const;
  // Serves until Shutdown() or SIGTERM/SIGINT; returns after in-flight requests finished (or the grace
  // period ran out) and every thread stopped.
  void Run();
  // Stops accepting, lets in-flight requests finish, closes idle connections. Thread-safe.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tribune::http

namespace tribune::http {
// Decodes %XX escapes (and '+' as space in query strings). Malformed escapes are kept as they are.
std::string PercentDecode(std::string_view s, bool plus_is_space);
}  // namespace tribune::http
