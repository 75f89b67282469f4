#include "http/live.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <deque>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/log.hpp"
#include "http/handlers/views.hpp"

namespace tribune::http {

namespace {

using Clock = std::chrono::steady_clock;

class Subscriber;

struct Entry {
  uint64_t seq = 0;
  Clock::time_point at;
  std::string frame;
};

struct Channel {
  std::deque<Entry> ring;  // oldest first
  // Events of this article up to `floor` are not all in the ring (before the article was watched, or evicted):
  // a client whose last id is below it may have missed some.
  uint64_t floor = 0;
  std::vector<Subscriber*> subs;
  Clock::time_point idle_since;  // when the last stream left
};

}  // namespace

struct LiveHub::Core {
  LiveOptions options;
  Loader loader;
  // Serialises Publish's read of the comment with its numbering: a later event always reflects a later read,
  // so the last event about a comment shows it as it is.
  std::mutex publish_mu;
  mutable std::mutex mu;  // everything below; taken before a Subscriber's own mutex, never after
  uint64_t seq = 0;       // the last id given out
  std::unordered_map<int64_t, Channel> channels;
  std::unordered_map<std::string, size_t> per_address;
  size_t total = 0;
  Clock::time_point last_sweep;

  Clock::time_point Now() const { return options.now ? options.now() : Clock::now(); }
  // The id a client sees for event number `n`.
  uint64_t Wire(uint64_t n) const { return options.node < 0 ? n : n * 64 + static_cast<uint64_t>(options.node); }

  void Trim(Channel& ch, Clock::time_point now) {
    while (!ch.ring.empty() &&
           (ch.ring.size() > options.ring_events || ch.ring.front().at + options.ring_age < now)) {
      ch.floor = std::max(ch.floor, ch.ring.front().seq);
      ch.ring.pop_front();
    }
  }

  // Forgets the articles nobody watched for ring_age; at most once a minute.
  void Sweep(Clock::time_point now) {
    if (now - last_sweep < std::chrono::minutes(1)) return;
    last_sweep = now;
    for (auto it = channels.begin(); it != channels.end();) {
      if (it->second.subs.empty() && it->second.idle_since + options.ring_age < now) {
        it = channels.erase(it);
      } else {
        ++it;
      }
    }
  }

  void Unsubscribe(Subscriber* sub, int64_t article_id, const std::string& address);
};

namespace {

class Subscriber final : public EventStream {
 public:
  Subscriber(std::shared_ptr<LiveHub::Core> core, int64_t article_id, std::string address, std::string first)
      : core_(std::move(core)), article_id_(article_id), address_(std::move(address)), pending_(std::move(first)) {}
  ~Subscriber() override { Close(); }

  void Start(std::function<void()> waker) override {
    std::lock_guard lock(mu_);
    if (closed_) return;
    waker_ = std::move(waker);
    if (!pending_.empty() || ended_) waker_();
  }

  std::string Take(bool& ended) override {
    std::lock_guard lock(mu_);
    ended = ended_;
    return std::exchange(pending_, std::string());
  }

  void Close() override {
    {
      std::lock_guard lock(core_->mu);
      if (!registered_) return;
      registered_ = false;
      core_->Unsubscribe(this, article_id_, address_);
    }
    std::lock_guard lock(mu_);
    closed_ = true;
    waker_ = nullptr;
  }

  int heartbeat_ms() const override { return core_->options.heartbeat_ms; }

  // Under core_->mu.
  void Push(const std::string& frame) {
    std::lock_guard lock(mu_);
    if (closed_ || ended_) return;
    if (pending_.size() + frame.size() > core_->options.max_buffered_bytes) {
      // The client does not keep up: what it has queued goes out, then the stream ends; it reconnects with
      // the last id it got and replays from the ring (or reloads).
      ended_ = true;
    } else {
      pending_ += frame;
    }
    if (waker_) waker_();
  }

  bool registered_ = true;  // guarded by core_->mu

 private:
  std::shared_ptr<LiveHub::Core> core_;
  const int64_t article_id_;
  const std::string address_;
  std::mutex mu_;
  std::string pending_;
  std::function<void()> waker_;
  bool ended_ = false;
  bool closed_ = false;
};

std::string Frame(uint64_t id, std::string_view type, std::string_view data) {
  std::string f = "id: ";
  f += std::to_string(id);
  f += "\nevent: ";
  f += type;
  f += "\ndata: ";
  f += data;
  f += "\n\n";
  return f;
}

}  // namespace

void LiveHub::Core::Unsubscribe(Subscriber* sub, int64_t article_id, const std::string& address) {
  if (auto it = channels.find(article_id); it != channels.end()) {
    auto& subs = it->second.subs;
    subs.erase(std::remove(subs.begin(), subs.end(), sub), subs.end());
    if (subs.empty()) it->second.idle_since = Now();
  }
  if (auto it = per_address.find(address); it != per_address.end() && --it->second == 0) per_address.erase(it);
  --total;
}

LiveHub::LiveHub(LiveOptions options, Loader loader) : core_(std::make_shared<Core>()) {
  core_->options = std::move(options);
  core_->loader = std::move(loader);
  core_->seq = core_->options.first_sequence;
  if (core_->seq == 0) {
    core_->seq = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
  }
  core_->last_sweep = core_->Now();
}

LiveHub::~LiveHub() = default;

void LiveHub::Publish(const discussion::CommentEvent& event) {
  Core& c = *core_;
  {
    std::lock_guard lock(c.mu);
    if (!c.channels.contains(event.article_id)) return;
  }
  std::lock_guard serial(c.publish_mu);
  std::string type = "removed";
  std::string data;
  if (event.kind == discussion::CommentEvent::kVisible) {
    auto view = c.loader(event.comment_id);
    if (!view.ok() && view.error().code != ErrorCode::kNotFound) {
      log::Error("live: comment not loaded", "\"comment_id\":\"" + std::to_string(event.comment_id) +
                                                 "\",\"error\":\"" + log::JsonEscape(view.error().message) + "\"");
      return;
    }
    if (view.ok() && (view->status == "published" || view->status == "deleted")) {
      type = "comment";
      data = boost::json::serialize(CommentJson(*view));
    }
  }
  if (type == "removed") data = "{\"id\":\"" + IdString(event.comment_id) + "\"}";

  std::lock_guard lock(c.mu);
  auto it = c.channels.find(event.article_id);
  if (it == c.channels.end()) return;
  Channel& ch = it->second;
  const auto now = c.Now();
  const uint64_t id = ++c.seq;
  ch.ring.push_back({id, now, Frame(c.Wire(id), type, data)});
  c.Trim(ch, now);
  for (Subscriber* sub : ch.subs) sub->Push(ch.ring.back().frame);
}

Result<std::shared_ptr<EventStream>> LiveHub::Subscribe(int64_t article_id, const std::string& address,
                                                        std::optional<uint64_t> last_event_id) {
  Core& c = *core_;
  std::lock_guard lock(c.mu);
  const auto now = c.Now();
  c.Sweep(now);
  if (c.total >= c.options.max_streams) {
    return MakeError(ErrorCode::kUnavailable, "Too many live streams are open; try again later.");
  }
  const size_t per_address = c.per_address.contains(address) ? c.per_address.at(address) : 0;
  if (c.options.max_streams_per_address > 0 && per_address >= c.options.max_streams_per_address) {
    Error e = MakeError(ErrorCode::kRateLimited, "Too many live streams from this address.");
    e.retry_after_seconds = 30;
    return e;
  }
  auto [it, created] = c.channels.try_emplace(article_id);
  Channel& ch = it->second;
  if (created) ch.floor = c.seq;
  c.Trim(ch, now);

  std::string first = "retry: " + std::to_string(c.options.retry_ms) + "\n";
  // An id another server numbered (several servers on one database) means nothing here.
  std::optional<uint64_t> last = last_event_id;
  bool foreign = false;
  if (last && c.options.node >= 0) {
    foreign = *last % 64 != static_cast<uint64_t>(c.options.node);
    last = *last / 64;
  }
  if (!last) {
    // An id without data moves an EventSource's last id without an event: a reconnect resumes from here.
    first += "id: " + std::to_string(c.Wire(c.seq)) + "\n\n";
  } else if (created || foreign || *last < ch.floor || *last > c.seq) {
    // A channel made just now kept nothing while nobody watched: what the client missed is unknown.
    first += "\n" + Frame(c.Wire(c.seq), "reset", "{}");
  } else {
    first += "\n";
    for (const Entry& e : ch.ring) {
      if (e.seq > *last) first += e.frame;
    }
  }
  auto sub = std::make_shared<Subscriber>(core_, article_id, address, std::move(first));
  ch.subs.push_back(sub.get());
  ++c.per_address[address];
  ++c.total;
  return std::shared_ptr<EventStream>(std::move(sub));
}

size_t LiveHub::streams() const {
  std::lock_guard lock(core_->mu);
  return core_->total;
}

uint64_t LiveHub::last_sequence() const {
  std::lock_guard lock(core_->mu);
  return core_->seq;
}

std::optional<uint64_t> ParseEventId(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  return v;
}

}  // namespace tribune::http
