// The only translation unit that includes Beast and Asio: listener, sessions, worker dispatch,
// graceful shutdown. Handlers never see Beast types.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <csignal>
#include <list>
#include <random>
#include <thread>

#include "common/log.hpp"
#include "http/http.hpp"

namespace tribune::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// What a streaming response (Response::stream) waits on: the heartbeat deadline, cut short by the producer's
// waker, the client leaving or the shutdown. Touched only on its io_context's thread.
struct StreamWait {
  explicit StreamWait(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  bool notified = false;  // the producer has something (set by the posted waker)
  bool done = false;      // the client closed the connection or sent something
  std::array<char, 256> scratch;

  void Wake() { timer.cancel(); }
};

// A connection's state as the shutdown sees it. Touched only on its io_context's thread.
struct Connection {
  beast::tcp_stream* stream;
  bool idle = true;
  StreamWait* streaming = nullptr;  // set while it sends a stream
};

std::string NewRequestId() {
  static const uint32_t prefix = std::random_device{}();
  static std::atomic<uint32_t> counter{0};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", prefix, counter.fetch_add(1, std::memory_order_relaxed));
  return buf;
}

Response Invoke(const Handler& handler, Request& req) {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    log::Error("handler threw", "\"request_id\":\"" + req.request_id + "\",\"what\":\"" + log::JsonEscape(e.what()) +
                                    "\"");
    return ErrorResponse(MakeError(ErrorCode::kInternal, e.what()), req.request_id);
  }
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Router& r)
      : options(std::move(o)), router(r), workers(static_cast<size_t>(std::max(1, options.worker_threads))) {
    const int n = options.io_threads > 0 ? options.io_threads
                                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < n; ++i) {
      ios.push_back(std::make_unique<asio::io_context>(1));
      connections.emplace_back();
    }
  }

  ServerOptions options;
  const Router& router;
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<std::list<Connection>> connections;  // one list per io_context
  asio::thread_pool workers;
  std::unique_ptr<asio::signal_set> signals;
  std::atomic<bool> stopping{false};
  std::atomic<int> active{0};
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  uint16_t bound_port = 0;

  asio::awaitable<Response> Dispatch(Request& req) {
    Router::Match m = router.Find(req.method, req.path);
    if (m.handler == nullptr) {
      if (m.method_not_allowed) {
        Response r = ErrorResponse(MakeError(ErrorCode::kBadRequest, "Method not allowed."), req.request_id);
        r.status = 405;
        co_return r;
      }
      if (const Handler* page = router.NotFoundPage(req)) co_return (*page)(req);
      co_return ErrorResponse(MakeError(ErrorCode::kNotFound, "No such page."), req.request_id);
    }
    req.path_params = std::move(m.params);
    const bool anonymous = req.Header("authorization").empty() && req.Header("cookie").empty();
    Response resp;
    if (m.dispatch == Dispatch::kInline || (m.dispatch == Dispatch::kInlineIfAnonymous && anonymous)) {
      resp = Invoke(*m.handler, req);
    } else {
      const Handler* handler = m.handler;
      resp = co_await asio::co_spawn(
          workers, [&req, handler]() -> asio::awaitable<Response> { co_return Invoke(*handler, req); },
          asio::use_awaitable);
    }
    // A browser following a dead link outside the API (an unknown short link) gets the 404 page, not JSON.
    if (resp.status == 404 && resp.content_type == "application/json" && !resp.stream) {
      if (const Handler* page = router.NotFoundPage(req)) co_return (*page)(req);
    }
    co_return resp;
  }

  Response LimitError(const beast::error_code& ec, const std::string& request_id) {
    if (ec == bhttp::error::header_limit) {
      Response r = ErrorResponse(MakeError(ErrorCode::kPayloadTooLarge, "Request headers are too large."), request_id);
      r.status = 431;
      return r;
    }
    return ErrorResponse(MakeError(ErrorCode::kPayloadTooLarge, "The request body is too large."), request_id);
  }

  asio::awaitable<void> Write(beast::tcp_stream& stream, const Request& req, Response& resp, unsigned version,
                              bool keep_alive) {
    if (resp.shared_body) {
      // A shared page goes out as a view of its buffer, which `resp` keeps alive until the write ends.
      bhttp::response<bhttp::span_body<const char>> res{static_cast<bhttp::status>(resp.status), version};
      res.body() = {resp.shared_body->data(), resp.shared_body->size()};
      co_await WriteMessage(stream, req, resp, res, keep_alive);
    } else {
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(resp.status), version};
      res.body() = std::move(resp.body);
      co_await WriteMessage(stream, req, resp, res, keep_alive);
    }
  }

  template <class Message>
  asio::awaitable<void> WriteMessage(beast::tcp_stream& stream, const Request& req, Response& resp, Message& res,
                                     bool keep_alive) {
    res.set(bhttp::field::server, "tribune");
    if (!resp.content_type.empty()) res.set(bhttp::field::content_type, resp.content_type);  // none on 204 / 304
    res.set("X-Request-Id", req.request_id);
    res.set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : resp.headers) res.insert(k, v);
    res.keep_alive(keep_alive);
    res.prepare_payload();
    if (req.method == "HEAD") {
      // Content-Length of the GET, no body.
      bhttp::response_serializer<typename Message::body_type> sr{res};
      sr.split(true);
      stream.expires_after(std::chrono::milliseconds(options.read_timeout_ms));
      auto [ec, n] = co_await bhttp::async_write_header(stream, sr, kAsTuple);
      if (ec) resp.close = true;
      co_return;
    }
    stream.expires_after(std::chrono::milliseconds(options.read_timeout_ms));
    auto [ec, n] = co_await bhttp::async_write(stream, res, kAsTuple);
    if (ec) resp.close = true;
  }

  // A streaming response: the header without a length, then what the stream produces as it comes (chunks
  // in HTTP/1.1; HTTP/1.0 reads until the close), a ": ping" comment after heartbeat_ms of silence, until the
  // stream ends, the client leaves or the server shuts down. Returns the bytes of body written.
  asio::awaitable<size_t> WriteStream(beast::tcp_stream& stream, const Request& req, Response& resp, unsigned version,
                                      Connection& conn) {
    std::shared_ptr<EventStream> events = resp.stream;
    auto wait = std::make_shared<StreamWait>(stream.get_executor());
    // However the coroutine ends (even destroyed with its io_context), the producer stops calling the waker.
    struct Release {
      EventStream& events;
      Connection& conn;
      ~Release() {
        events.Close();
        conn.streaming = nullptr;
      }
    } release{*events, conn};
    conn.streaming = wait.get();

    const bool chunked = version >= 11;
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(resp.status), version};
    res.set(bhttp::field::server, "tribune");
    res.set(bhttp::field::content_type, resp.content_type);
    res.set("X-Request-Id", req.request_id);
    res.set("X-Content-Type-Options", "nosniff");
    for (auto& [k, v] : resp.headers) res.insert(k, v);
    res.keep_alive(false);
    if (chunked) res.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    stream.expires_after(std::chrono::milliseconds(options.read_timeout_ms));
    if (auto [ec, n] = co_await bhttp::async_write_header(stream, sr, kAsTuple); ec || req.method == "HEAD") {
      co_return 0;
    }
    stream.expires_never();

    // The client sends nothing more on this connection: a read that completes means it closed (or misbehaves).
    stream.socket().async_read_some(asio::buffer(wait->scratch), [wait](const boost::system::error_code&, size_t) {
      wait->done = true;
      wait->Wake();
    });
    std::weak_ptr<StreamWait> weak = wait;
    events->Start([weak, ex = stream.get_executor()] {
      asio::post(ex, [weak] {
        if (auto w = weak.lock()) {
          w->notified = true;
          w->Wake();
        }
      });
    });

    const auto heartbeat = std::chrono::milliseconds(std::max(10, events->heartbeat_ms()));
    auto ping_at = std::chrono::steady_clock::now() + heartbeat;
    size_t bytes = 0;
    bool client_gone = false;
    for (;;) {
      wait->notified = false;
      bool ended = false;
      std::string data = events->Take(ended);
      if (wait->done || stopping) {
        client_gone = wait->done;
        break;
      }
      if (data.empty() && std::chrono::steady_clock::now() >= ping_at) data = ": ping\n\n";
      if (!data.empty()) {
        stream.expires_after(std::chrono::milliseconds(options.read_timeout_ms));
        boost::system::error_code ec;
        if (chunked) {
          std::tie(ec, std::ignore) = co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(data)), kAsTuple);
        } else {
          std::tie(ec, std::ignore) = co_await asio::async_write(stream, asio::buffer(data), kAsTuple);
        }
        stream.expires_never();
        if (ec) {
          client_gone = true;
          break;
        }
        bytes += data.size();
        ping_at = std::chrono::steady_clock::now() + heartbeat;
        continue;  // more may have come meanwhile
      }
      if (ended) break;
      if (wait->notified) continue;
      wait->timer.expires_at(ping_at);
      co_await wait->timer.async_wait(kAsTuple);
    }
    if (chunked && !client_gone) {
      // The end of the body, so the client sees a complete response rather than a cut connection.
      stream.expires_after(std::chrono::milliseconds(std::min(options.read_timeout_ms, 2000)));
      co_await asio::async_write(stream, bhttp::make_chunk_last(), kAsTuple);
    }
    co_return bytes;
  }

  // After refusing a request whose body is still arriving: stop sending, then read and discard what
  // the client is still writing (bounded in bytes and time), so the kernel does not answer its data
  // with a reset that would destroy the 413 before the client reads it.
  asio::awaitable<void> LingeringClose(beast::tcp_stream& stream) {
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.expires_after(std::chrono::seconds(2));
    std::array<char, 16384> scratch;
    size_t drained = 0;
    // Bounded by the 2 s above and by bytes: 32 MB covers a refused upload of three times the image limit (an 11 MB
    // upload was cut at the old 8 MB and the client saw EPIPE instead of its 413).
    while (!ec && drained < (32u << 20)) {
      auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAsTuple);
      ec = read_ec;
      drained += n;
    }
  }

  void AccessLog(const Request& req, int status, size_t bytes, std::chrono::steady_clock::time_point start) {
    if (!options.access_log) return;
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    std::string line = "{\"type\":\"access\",\"request_id\":\"" + req.request_id + "\",\"method\":\"" +
                       log::JsonEscape(req.method) + "\",\"path\":\"" + log::JsonEscape(req.path) +
                       "\",\"status\":" + std::to_string(status) + ",\"bytes\":" + std::to_string(bytes) +
                       ",\"us\":" + std::to_string(us) + ",\"remote\":\"" + req.remote_address + "\"}";
    log::WriteJsonLine(line);
  }

  asio::awaitable<void> Session(size_t index, tcp::socket socket) {
    ++active;
    beast::tcp_stream stream(std::move(socket));
    auto& list = connections[index];
    auto self = list.insert(list.end(), Connection{&stream, true});
    beast::flat_buffer buffer;
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = stream.socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    bool first = true;
    while (!stopping) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
      // The larger limit of the one upload path until the header names the path (Beast checks a Content-Length
      // against the limit as soon as the header is parsed).
      parser.body_limit(std::max(options.body_limit, options.large_body_limit));
      self->idle = true;
      stream.expires_after(std::chrono::milliseconds(first ? options.read_timeout_ms : options.idle_timeout_ms));
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kAsTuple);
      self->idle = false;
      if (!ec && options.large_body_limit > options.body_limit) {
        const std::string_view target = parser.get().target();
        // Only a caller who may be an editor gets the larger limit: a request without a session cookie or a bearer
        // token would be refused with 401 anyway, so it never makes the server hold more than the usual limit.
        const bool credentials = parser.get().count(bhttp::field::cookie) > 0 ||
                                 parser.get().count(bhttp::field::authorization) > 0;
        if (target.substr(0, target.find('?')) != options.large_body_path || !credentials) {
          parser.body_limit(options.body_limit);
          if (auto length = parser.content_length(); length && *length > options.body_limit) ec = bhttp::error::body_limit;
        }
      }
      const auto start = std::chrono::steady_clock::now();
      Request req;
      req.request_id = NewRequestId();
      req.remote_address = remote;
      if (!ec && !parser.is_done()) {
        // curl and others wait for this before sending a body larger than 1 KB.
        if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
          stream.expires_after(std::chrono::milliseconds(options.read_timeout_ms));
          auto [wec, wn] = co_await bhttp::async_write(stream, cont, kAsTuple);
          if (wec) break;
        }
        stream.expires_after(std::chrono::milliseconds(options.read_timeout_ms));
        std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
      }
      if (ec == bhttp::error::header_limit || ec == bhttp::error::body_limit) {
        Response resp = LimitError(ec, req.request_id);
        req.method = "-";
        co_await Write(stream, req, resp, 11, false);
        AccessLog(req, resp.status, 0, start);
        co_await LingeringClose(stream);
        break;
      }
      if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
          ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        // A malformed request line, header or chunk: say so, then close (the stream is out of sync).
        Response resp = ErrorResponse(MakeError(ErrorCode::kBadRequest, "Malformed HTTP request."), req.request_id);
        req.method = "-";
        co_await Write(stream, req, resp, 11, false);
        AccessLog(req, resp.status, 0, start);
        break;
      }
      if (ec) break;  // closed, timed out or cancelled at shutdown
      auto& breq = parser.get();
      req.method = std::string(breq.method_string());
      req.target = std::string(breq.target());
      const size_t qpos = req.target.find('?');
      req.path = PercentDecode(std::string_view(req.target).substr(0, qpos), false);
      if (qpos != std::string::npos) req.query = req.target.substr(qpos + 1);
      req.headers.reserve(16);
      for (const auto& f : breq) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers.emplace_back(std::move(name), std::string(f.value()));
      }
      req.body = std::move(breq.body());
      const bool keep_alive = breq.keep_alive();
      const unsigned version = breq.version();
      Response resp = co_await Dispatch(req);
      if (resp.stream) {
        const size_t streamed = co_await WriteStream(stream, req, resp, version, *self);
        AccessLog(req, resp.status, streamed, start);
        break;
      }
      const size_t bytes = resp.shared_body ? resp.shared_body->size() : resp.body.size();
      const bool keep = keep_alive && !resp.close && !stopping;
      co_await Write(stream, req, resp, version, keep);
      AccessLog(req, resp.status, bytes, start);
      if (!keep || resp.close) break;
      first = false;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    list.erase(self);
    --active;
  }

  asio::awaitable<void> Accept(size_t index) {
    tcp::acceptor& acceptor = *acceptors[index];
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kAsTuple);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        // E.g. too many open files: keep serving the connections we have, and retry a little later
        // instead of spinning on the error.
        asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(kAsTuple);
        continue;
      }
      socket.set_option(tcp::no_delay(true));
      asio::co_spawn(*ios[index], Session(index, std::move(socket)), asio::detached);
    }
  }

  void BeginShutdown() {
    {
      std::lock_guard lock(stop_mu);
      if (stopping.exchange(true)) return;
    }
    stop_cv.notify_all();
    log::Info("shutting down", "\"in_flight_connections\":" + std::to_string(active.load()));
    for (size_t i = 0; i < ios.size(); ++i) {
      asio::post(*ios[i], [this, i] {
        boost::system::error_code ec;
        acceptors[i]->close(ec);
        for (auto& c : connections[i]) {
          if (c.idle) c.stream->socket().cancel(ec);
          // Open streams end now rather than holding the shutdown for its grace period.
          if (c.streaming != nullptr) c.streaming->Wake();
        }
      });
    }
    if (signals) asio::post(*ios[0], [this] { signals->cancel(); });
  }
};

Server::Server(ServerOptions options, const Router& router) : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() = default;

Status Server::Listen() {
  auto& o = impl_->options;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(o.host, ec);
  if (ec) return MakeError(ErrorCode::kBadRequest, "invalid listen address " + o.host);
  uint16_t port = o.port;
  for (auto& io : impl_->ios) {
    auto acceptor = std::make_unique<tcp::acceptor>(*io);
    tcp::endpoint ep(address, port);
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      // Every io_context gets its own acceptor on the same port; the kernel spreads connections.
      int one = 1;
      if (::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        ec = boost::system::error_code(errno, boost::system::system_category());
    }
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return MakeError(ErrorCode::kUnavailable, "cannot listen on " + o.host + ":" + std::to_string(port) + ": " + ec.message());
    port = acceptor->local_endpoint().port();
    impl_->acceptors.push_back(std::move(acceptor));
  }
  impl_->bound_port = port;
  return Ok{};
}

uint16_t Server::port() const { return impl_->bound_port; }

void Server::Shutdown() { impl_->BeginShutdown(); }

void Server::Run() {
  Impl& impl = *impl_;
  impl.signals = std::make_unique<asio::signal_set>(*impl.ios[0], SIGINT, SIGTERM);
  impl.signals->async_wait([&impl](const boost::system::error_code& ec, int) {
    if (!ec) impl.BeginShutdown();
  });
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (size_t i = 0; i < impl.ios.size(); ++i) {
    guards.push_back(asio::make_work_guard(*impl.ios[i]));
    asio::co_spawn(*impl.ios[i], impl.Accept(i), asio::detached);
  }
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl.ios.size(); ++i) threads.emplace_back([&impl, i] { impl.ios[i]->run(); });
  std::thread watcher([&impl] {
    {
      std::unique_lock lock(impl.stop_mu);
      impl.stop_cv.wait(lock, [&impl] { return impl.stopping.load(); });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(impl.options.shutdown_grace_ms);
    while (impl.active > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    for (auto& io : impl.ios) io->stop();
  });
  impl.ios[0]->run();
  watcher.join();
  for (auto& t : threads) t.join();
  impl.workers.join();
}

}  // namespace tribune::http
