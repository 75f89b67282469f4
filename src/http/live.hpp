// Live updates of a discussion (GET /api/v1/articles/{id}/live, Server-Sent Events). The LiveHub hears the
// discussion services (discussion::CommentEvents), numbers each change of a watched thread, keeps the recent
// ones per article for clients that reconnect (Last-Event-ID), and hands them to the open streams. No Beast
// here: the server (server.cpp) drives each stream through the http::EventStream interface.
//
// The wire format, one message per change (see docs/api.yaml):
//   retry: 3000                     once, at the start (with `id: <n>` when the client gave no Last-Event-ID)
//   id: <n>  event: comment  data: <the comment object of GET .../comments>   published, edited, tombstone
//   id: <n>  event: removed  data: {"id":"<comment id>"}                       no longer public
//   id: <n>  event: reset    data: {}        the Last-Event-ID is older than what is kept: reload the thread
//   : ping                                   every heartbeat_ms of silence (written by the server)
// Ids are decimal, increase within a server process, and start above the previous process's (they begin at
// the start time in microseconds), so an id from before a restart asks for a reset. Servers sharing a database
// (LiveOptions::node) put their node slot in the id's last 6 bits: a client that reconnects to another server
// than the one that numbered its last event gets a reset, never a wrong replay.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "discussion/discussion.hpp"
#include "discussion/events.hpp"
#include "http/http.hpp"

namespace tribune::http {

struct LiveOptions {
  size_t max_streams = 10000;           // open streams in all; more answer 503 unavailable
  size_t max_streams_per_address = 20;  // per client address; more answer 429 rate_limited (0: no limit)
  size_t ring_events = 256;             // kept per article for reconnecting clients
  std::chrono::milliseconds ring_age = std::chrono::minutes(10);  // and for at most this long
  int heartbeat_ms = 20000;
  int retry_ms = 3000;                  // the `retry:` advice to EventSource clients
  size_t max_buffered_bytes = 1 << 20;  // a client this far behind is ended (it reconnects and replays)
  uint64_t first_sequence = 0;          // the last id "already used"; 0: microseconds since the epoch now
  int node = -1;                        // -1: the only server; 0..63: the slot of one of several (ids × 64 + slot)
  // The clock of the ring's age and of sweeping idle articles; empty: steady_clock (tests move it by hand).
  std::function<std::chrono::steady_clock::time_point()> now;
};

class LiveHub final : public discussion::CommentEvents {
 public:
  // Reads a comment as it is now (CommentService::Get); kNotFound when it is gone.
  using Loader = std::function<Result<discussion::CommentView>(int64_t comment_id)>;

  LiveHub(LiveOptions options, Loader loader);
  ~LiveHub() override;
  LiveHub(const LiveHub&) = delete;
  LiveHub& operator=(const LiveHub&) = delete;

  // From the discussion services, after the commit; any thread. Events of articles nobody watched in the
  // last ring_age are dropped without reading anything.
  void Publish(const discussion::CommentEvent& event) override;

  // A new stream of the article's changes, starting with the `retry:` line and, when `last_event_id` is given,
  // the kept events after it (or a reset when it is older than what is kept). Closing (or dropping) the stream
  // unsubscribes it. Errors: kUnavailable (max_streams), kRateLimited (max_streams_per_address).
  // The caller checks that the article exists.
  Result<std::shared_ptr<EventStream>> Subscribe(int64_t article_id, const std::string& address,
                                                 std::optional<uint64_t> last_event_id);

  size_t streams() const;           // open streams
  uint64_t last_sequence() const;   // the id of the newest event (or the starting point)

  struct Core;  // shared with the streams, which may outlive the hub

 private:
  std::shared_ptr<Core> core_;
};

// A Last-Event-ID as this hub writes them: 1 to 19 decimal digits. nullopt for anything else.
std::optional<uint64_t> ParseEventId(std::string_view text);

}  // namespace tribune::http
