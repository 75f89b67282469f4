// PushClient over libcurl's multi interface: many requests in flight on one thread, each with its own timeout.
#include <curl/curl.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <cstring>
#include <ctime>
#include <mutex>
#include <unordered_map>

#include "notify/push.hpp"

namespace tribune::notify {

namespace {

constexpr size_t kMaxAnswer = 512;  // what we keep of a service's answer, for the log

struct Transfer {
  int64_t delivery_id = 0;
  std::string body;
  curl_slist* headers = nullptr;
  std::string answer;
  int64_t retry_after_s = -1;
  bool refused_address = false;
  bool allow_localhost = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  if (t->answer.size() < kMaxAnswer) t->answer.append(data, std::min(len, kMaxAnswer - t->answer.size()));
  return len;
}

// Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3).
int64_t ParseRetryAfter(std::string value) {
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
  while (!value.empty() && value.front() == ' ') value.erase(value.begin());
  if (value.empty()) return -1;
  if (value.find_first_not_of("0123456789") == std::string::npos) {
    return value.size() > 9 ? 999'999'999 : std::stoll(value);
  }
  const time_t at = curl_getdate(value.c_str(), nullptr);
  if (at < 0) return -1;
  const time_t now = std::time(nullptr);
  return at > now ? static_cast<int64_t>(at - now) : 0;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  constexpr std::string_view kName = "retry-after:";
  if (len > kName.size() && len < 200 && strncasecmp(data, kName.data(), kName.size()) == 0) {
    t->retry_after_s = ParseRetryAfter(std::string(data + kName.size(), len - kName.size()));
  }
  return len;
}

// Refuses, before connecting, an address the site must not call (a public name that resolves privately).
curl_socket_t OnOpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  char ip[INET6_ADDRSTRLEN] = {};
  bool loopback = false;
  if (address->family == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&address->addr);
    inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
    loopback = (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
  } else if (address->family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&address->addr);
    inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
    loopback = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
  } else {
    t->refused_address = true;
    return CURL_SOCKET_BAD;
  }
  if (IsSpecialAddress(ip) && !(t->allow_localhost && loopback)) {
    t->refused_address = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

class CurlPushClient final : public PushClient {
 public:
  explicit CurlPushClient(PushClientOptions options) : options_(std::move(options)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, 512L);
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  }

  ~CurlPushClient() override {
    for (auto& [easy, t] : transfers_) {
      curl_multi_remove_handle(multi_, easy);
      curl_easy_cleanup(easy);
      curl_slist_free_all(t->headers);
    }
    curl_multi_cleanup(multi_);
  }

  void Submit(PushRequest request) override {
    auto t = std::make_unique<Transfer>();
    t->delivery_id = request.delivery_id;
    t->body = std::move(request.body);
    t->allow_localhost = options_.allow_localhost;
    for (const std::string& h : request.headers) t->headers = curl_slist_append(t->headers, h.c_str());
    // curl would add "Expect: 100-continue" for larger bodies: a round trip push services do not need.
    t->headers = curl_slist_append(t->headers, "Expect:");
    CURL* easy = curl_easy_init();
    if (easy == nullptr) {
      finished_.push_back({t->delivery_id, PushResponse{0, "curl_easy_init failed", -1}});
      curl_slist_free_all(t->headers);
      return;
    }
    curl_easy_setopt(easy, CURLOPT_URL, request.endpoint.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, options_.allow_localhost ? "http,https" : "https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    // No proxy from the environment: it would connect on our behalf, past the address check below.
    curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Over TLS, wait for an HTTP/2 connection being set up rather than open another (push services multiplex);
    // plain http (a local service in tests) is HTTP/1.1, where waiting would serialise the requests.
    if (request.endpoint.rfind("https://", 0) == 0) curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, t.get());
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
      finished_.push_back({t->delivery_id, PushResponse{0, "curl_multi_add_handle failed", -1}});
      curl_easy_cleanup(easy);
      curl_slist_free_all(t->headers);
      return;
    }
    transfers_.emplace(easy, std::move(t));
  }

  std::vector<std::pair<int64_t, PushResponse>> Poll(std::chrono::milliseconds wait) override {
    int running = 0;
    curl_multi_perform(multi_, &running);
    // Wait only when nothing has finished yet.
    if (finished_.empty() && !transfers_.empty() && static_cast<size_t>(running) == transfers_.size()) {
      curl_multi_poll(multi_, nullptr, 0, static_cast<int>(wait.count()), nullptr);
      curl_multi_perform(multi_, &running);
    }
    std::vector<std::pair<int64_t, PushResponse>> out = std::move(finished_);
    finished_.clear();
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      auto it = transfers_.find(easy);
      if (it == transfers_.end()) continue;
      Transfer& t = *it->second;
      PushResponse r;
      if (msg->data.result == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        r.status = static_cast<int>(status);
        r.detail = t.answer;
        r.retry_after_s = t.retry_after_s;
      } else {
        r.detail = t.refused_address ? "the endpoint's host resolves to an address the site must not call"
                                     : curl_easy_strerror(msg->data.result);
        // A refused address will not change on a retry: report it as a client error.
        if (t.refused_address) r.status = 400;
      }
      out.emplace_back(t.delivery_id, std::move(r));
      curl_multi_remove_handle(multi_, easy);
      curl_easy_cleanup(easy);
      curl_slist_free_all(t.headers);
      transfers_.erase(it);
    }
    return out;
  }

  size_t InFlight() const override { return transfers_.size() + finished_.size(); }

 private:
  PushClientOptions options_;
  CURLM* multi_ = nullptr;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> transfers_;
  std::vector<std::pair<int64_t, PushResponse>> finished_;
};

}  // namespace

std::unique_ptr<PushClient> MakeCurlPushClient(PushClientOptions options) {
  return std::make_unique<CurlPushClient>(std::move(options));
}

}  // namespace tribune::notify
