// What the discussion services tell the live side (GET /api/v1/articles/{id}/live, src/http/live.hpp) about
// comments whose public face changed. Each call comes AFTER the change committed, from the thread that made
// it. Every place that bumps a thread's version (CommentService::BumpThreadVersion) reports its comments here.
#pragma once

#include <cstdint>

namespace tribune::discussion {

struct CommentEvent {
  enum Kind {
    // The comment is, or may have become, public, or its public text or status changed (posted, approved,
    // edited, deleted into a tombstone, restored with its account). The receiver re-reads it: published or
    // deleted → it is shown as it is now; anything else → it is gone from the public thread.
    kVisible,
    // A comment that was public is not any more (held, rejected, hidden with its account). Never sent for a
    // comment nobody but its author and the moderators saw.
    kRemoved,
  };
  int64_t article_id = 0;
  int64_t comment_id = 0;
  Kind kind = kVisible;
};

// The observer. Implementations are thread-safe and must not block for long (no network I/O).
class CommentEvents {
 public:
  virtual ~CommentEvents() = default;
  virtual void Publish(const CommentEvent& event) = 0;
};

}  // namespace tribune::discussion
