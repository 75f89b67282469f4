// Start here for Web Push (RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID; crypto in crypto.hpp).
//
// A browser's subscription (its push service's endpoint URL and keys) is stored with the topics it wants.
// A service that causes a notification calls PushOutbox::Enqueue inside its own write transaction: the message
// is stored once and fanned out to the matching subscriptions as delivery rows in the same statement, so the
// notification exists exactly when the change does. The PushWorker (one thread per server; several servers
// may share a database) claims due deliveries under a lease, encrypts each for its subscription, signs with
// the site's VAPID key and posts them through a PushClient with bounded concurrency — at most `per_origin`
// at once to one push service, so a service that hangs holds a few slots until the timeout, never the rest.
// Outcomes: 2xx delivered; 404/410 the subscription is gone (deleted with everything queued for it);
// 429/5xx/network errors retried with exponential backoff and jitter, honouring Retry-After; any other 4xx
// failed for good. Delivery is at least once: a worker that dies mid-send leaves a lease that expires and
// the delivery is sent again; the service worker shows it under the message's tag, replacing a duplicate.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "notify/crypto.hpp"
#include "storage/database.hpp"

namespace tribune::notify {

// Which endpoints the site will post to.
struct EndpointPolicy {
  // http://localhost, http://127.0.0.1 and http://[::1] endpoints (any port) are accepted (tests, the local
  // web-push-testing service); otherwise an endpoint is https on a host that is not a private, loopback,
  // link-local or otherwise special address.
  bool allow_localhost = false;
  // When not empty, only these hosts (or their subdomains, for entries written ".example.com") are accepted.
  std::vector<std::string> hosts;
  size_t max_length = 2048;
};

struct Endpoint {
  std::string url;     // as given
  std::string origin;  // scheme://host[:port], lower case: the VAPID audience
  std::string host;
};

// Checks an endpoint URL against the policy. Errors: kBadRequest with the reason.
Result<Endpoint> ParseEndpoint(std::string_view url, const EndpointPolicy& policy);
// True for addresses a server must not be made to call: loopback, private (RFC 1918, fc00::/7), link-local,
// CGNAT, multicast, unspecified, documentation and other reserved ranges, IPv4-mapped forms of those.
bool IsSpecialAddress(std::string_view ip_literal);

struct SubscriptionInput {
  std::string endpoint;
  std::string p256dh;  // base64url, 65 bytes decoded
  std::string auth;    // base64url, 16 bytes decoded
  std::vector<std::string> topics;
  std::optional<int64_t> account_id;  // the signed-in reader, or none
  std::string language = "en";        // the reader's language for the notification texts
  std::string client_address;         // for the per-address limit ("" : not limited)
  bool merge = false;                 // keep the topics already stored for this endpoint, adding these
};

struct Subscription {
  int64_t id = 0;
  std::string endpoint;
  std::string origin;
  std::optional<int64_t> account_id;
  std::string language;
  std::vector<std::string> topics;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> last_success_at;
};

struct SubscriptionOptions {
  EndpointPolicy endpoints;
  size_t max_topics = 32;
  size_t max_per_account = 20;  // a reader's devices; the least recently updated is dropped beyond it
  std::vector<std::string> languages = {"en"};  // the editions: breaking:<language> must name one
  // Returns whether an article exists (article:<id> topics); nullptr accepts any id.
  std::function<bool(int64_t)> article_exists;
  // Subscriptions one client address may store per hour (anyone may subscribe; 0: no limit).
  int per_address_hour = 30;
  // Count them in the database (rate_events, bucket "push:<address or IPv6 /64>") rather than in this process's
  // memory: set when several servers share the database (PostgreSQL), so that the limit holds for the site.
  bool shared_limit = false;
};

class SubscriptionService {
 public:
  SubscriptionService(storage::Database& db, const Clock& clock, IdGenerator& ids, SubscriptionOptions options);

  // Stores (or replaces: the endpoint is the identity) a subscription with exactly these topics.
  // 'replies' needs an account. Errors: kBadRequest (endpoint, keys, topics), kUnauthenticated ('replies'
  // without an account), kNotFound (article:<id> of no article), kRateLimited (per_address_hour; retry_after set).
  Result<Subscription> Subscribe(const SubscriptionInput& input);
  // Deletes the subscription of this endpoint and what is queued for it; true when there was one. Whoever
  // holds the endpoint may: it is the browser's secret (the push service's capability URL).
  Result<bool> Unsubscribe(std::string_view endpoint);
  // Adds and removes topics of the subscription of this endpoint (the browser proves it holds it by knowing it).
  // A signed-in caller's account becomes the subscription's. Removing every topic deletes the subscription (the
  // result has no topics). Errors: kNotFound (no such subscription), kBadRequest/kUnauthenticated/kNotFound as
  // Subscribe for the topics.
  Result<Subscription> ChangeTopics(std::string_view endpoint, const std::vector<std::string>& add,
                                    const std::vector<std::string>& remove, std::optional<int64_t> account_id);
  // The subscription of this endpoint, if the site holds one (a browser asks what it receives).
  Result<std::optional<Subscription>> Find(std::string_view endpoint);
  // An account's subscriptions (its devices), newest first.
  Result<std::vector<Subscription>> ForAccount(int64_t account_id);
  // The same in the caller's transaction (the data export reads it there).
  static Result<std::vector<Subscription>> ForAccount(storage::Session& s, int64_t account_id);
  // Deletes one of an account's subscriptions by id. Errors: kNotFound.
  Status Remove(int64_t account_id, int64_t subscription_id);
  // Deletes every subscription of an account (the account is deleted or purged).
  static Status RemoveAll(storage::Session& s, int64_t account_id);

  const SubscriptionOptions& options() const { return options_; }

 private:
  Status CheckTopics(const SubscriptionInput& input) const;
  // Counts a subscription from `address` in the last hour's window. Errors: kRateLimited.
  Status Admit(const std::string& address);
  // The same in rate_events, checked and counted in one write (options_.shared_limit).
  Status AdmitShared(const std::string& key, int64_t now);

  storage::Database& db_;
  const Clock& clock_;
  IdGenerator& ids_;
  SubscriptionOptions options_;
  std::mutex limit_mu_;
  std::unordered_map<std::string, std::deque<int64_t>> recent_;  // per address, times of the last hour
  int64_t next_sweep_ = 0;  // shared_limit: when this process next deletes every expired "push:" row
};

// A notification to send. The payload is the JSON the service worker reads: {title, body, url, tag}.
struct PushMessage {
  std::string key;      // de-duplication key: a second Enqueue with the same key stores nothing
  std::string title;
  std::string body;
  std::string url;      // a site path ("/articles/slug#c123"); the service worker opens only same-site URLs
  std::string tag;      // the notification tag (replaces a shown notification with the same tag); default: key
  int64_t ttl_seconds = 86'400;
  std::string urgency = "normal";  // very-low | low | normal | high
  std::string topic;    // RFC 8030 Topic: up to 32 base64url characters; empty: none
  int64_t deliver_at = 0;  // micros; the deliveries are due then (0: at once)
};

// Whom a message goes to.
struct Audience {
  std::string topic;                      // subscriptions with this topic
  std::optional<int64_t> account_id;      // ... and (if set) belonging to this account
  std::optional<int64_t> except_account;  // ... but not to this account's (the comment's own author)
  bool keep_when_empty = false;           // store the message (its key) even when nobody matches
  // When the key was queued before and its deliveries are not yet due (deliver_at in the future), add the
  // matching subscriptions that it does not reach yet (a digest-like notice that grows until it goes out).
  bool add_to_existing = false;
};

struct Enqueued {
  int64_t message_id = 0;   // 0 when the key was queued before, or nobody matched (and !keep_when_empty)
  int64_t recipients = 0;
};

// The payload (JSON) of a message, with the body shortened so that the whole fits the encrypted record.
std::string PayloadJson(const PushMessage& message);

class PushOutbox {
 public:
  PushOutbox(const Clock& clock, IdGenerator& ids) : clock_(clock), ids_(ids) {}
  // Stores the message and one delivery per matching subscription in the caller's transaction. A message with
  // no recipient is not stored unless the audience says keep_when_empty. Errors: kBadRequest (urgency, topic, ttl), storage errors.
  Result<Enqueued> Enqueue(storage::Session& session, const PushMessage& message, const Audience& audience);

 private:
  const Clock& clock_;
  IdGenerator& ids_;
};

// One HTTP POST to a push service.
struct PushRequest {
  int64_t delivery_id = 0;
  std::string endpoint;
  std::string origin;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
};

struct PushResponse {
  int status = 0;             // the HTTP status; 0 for a network error or a timeout; -1 never sent
  std::string detail;         // the error, or the start of the service's answer
  int64_t retry_after_s = -1; // Retry-After in seconds when the service sent one
};

// Posts requests concurrently. Used from one thread.
class PushClient {
 public:
  virtual ~PushClient() = default;
  // Starts a request; its response comes out of Poll.
  virtual void Submit(PushRequest request) = 0;
  // Waits up to `wait` for progress and returns the requests that finished.
  virtual std::vector<std::pair<int64_t, PushResponse>> Poll(std::chrono::milliseconds wait) = 0;
  virtual size_t InFlight() const = 0;
};

struct PushClientOptions {
  int64_t connect_timeout_ms = 5'000;
  int64_t timeout_ms = 15'000;  // the whole exchange: a service that hangs gives its slot back after this
  bool allow_localhost = false; // else a connection to a special address (see IsSpecialAddress) is refused
  std::string user_agent = "Tribune";
};
// libcurl's multi interface: HTTP/2 multiplexing where the service offers it, connection reuse, no redirects.
std::unique_ptr<PushClient> MakeCurlPushClient(PushClientOptions options);

struct PushWorkerOptions {
  size_t concurrency = 256;  // requests in flight
  size_t per_origin = 64;    // of which to one push service
  int max_attempts = 8;
  std::chrono::seconds base_delay{30};
  std::chrono::seconds max_delay{3600};
  std::chrono::seconds max_retry_after{86'400};
  double jitter = 0.5;
  // A claimed delivery belongs to its worker this long; then another worker may send it again (the first died).
  // Claims hold up to 4 × per_origin deliveries of one service, so this must exceed 4 request timeouts.
  std::chrono::seconds lease{120};
};

struct PushStats {
  int64_t delivered = 0;
  int64_t retried = 0;
  int64_t expired = 0;  // subscriptions deleted after 404/410
  int64_t failed = 0;
};

class PushWorker {
 public:
  PushWorker(storage::Database& db, const Clock& clock, VapidSigner& signer, PushClient& client,
             PushWorkerOptions options);
  ~PushWorker();

  // Sends everything due at the clock's now and waits for every answer (tests; the benchmark).
  Result<PushStats> RunOnce();
  // A background thread that keeps up to `concurrency` requests in flight, claiming due deliveries as slots
  // free up, polling the database every `poll` and at once after Wake().
  void Start(std::chrono::milliseconds poll);
  void Wake();
  void Stop();  // idempotent; abandons nothing: unanswered deliveries are retried after their lease
  PushStats Totals() const;

 private:
  struct Held;  // a claimed delivery, queued or in flight
  // Claims up to `limit` due deliveries (skipping services that already hold their share) into the queue.
  Result<size_t> Claim(size_t limit, int64_t now);
  // At stop: deliveries claimed but never sent go back to pending, their attempt not spent.
  void ReleaseQueued();
  // Whether a claim now could add work: no service held yet, or one with room for a good batch.
  bool Refillable() const;
  // Submits queued deliveries while slots are free: `concurrency` in all, `per_origin` to one service.
  void Pump(int64_t now);
  // Takes what finished (the deliveries that could not be sent, then what the client answers) without waiting
  // longer than the outcomes in hand may wait for their commit.
  void Step();
  struct Done;
  // Releases the finished deliveries' slots at once; their outcomes wait in finished_ for Flush.
  void Finish(std::vector<std::pair<int64_t, PushResponse>> done);
  // Commits the finished outcomes beside the next rounds of sending, once there are many or the oldest has
  // waited kGather (or `force`).
  Status Flush(bool force);
  Status Commit(std::vector<Done>& outcomes, int64_t now);
  // Waits for the commit in progress, if any, and returns its status.
  Status Settle();
  void Loop(std::chrono::milliseconds poll);

  storage::Database& db_;
  const Clock& clock_;
  VapidSigner& signer_;
  PushClient& client_;
  PushWorkerOptions options_;
  // Worker thread only:
  std::map<int64_t, std::unique_ptr<Held>> held_;             // by delivery id
  std::vector<int64_t> queue_;                                // claimed, not yet submitted, oldest first
  std::map<std::string, size_t> held_per_origin_;             // queued + in flight
  std::map<std::string, size_t> sending_per_origin_;          // in flight
  std::vector<std::pair<int64_t, PushResponse>> unsent_;      // claimed but not sendable
  std::vector<Done> finished_;                                // outcomes not yet committed
  std::chrono::steady_clock::time_point first_finished_;
  std::future<Status> recording_;                             // the outcomes being committed
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  PushStats totals_;
  std::thread thread_;
};

}  // namespace tribune::notify
