// LiveHub on its own: framing, numbering, replay after Last-Event-ID, reset, caps, unsubscribing. The loader
// is a map of comments; the clock is moved by hand; wakers count or signal a condition variable.
#include "http/live.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <thread>
#include <vector>

#include "http/handlers/views.hpp"

namespace tribune::http {
namespace {

using discussion::CommentEvent;
constexpr uint64_t kStart = 1000;

class LiveHubTest : public ::testing::Test {
 protected:
  void Make(LiveOptions o = {}) {
    o.first_sequence = kStart;
    o.now = [this] { return now_; };
    hub_ = std::make_unique<LiveHub>(std::move(o), [this](int64_t id) -> Result<discussion::CommentView> {
      ++loads_;
      std::lock_guard lock(mu_);
      auto it = comments_.find(id);
      if (it == comments_.end()) return MakeError(ErrorCode::kNotFound, "No such comment.");
      return it->second;
    });
  }
  void Put(int64_t id, const std::string& status, const std::string& body = "hello") {
    discussion::CommentView c;
    c.id = id;
    c.article_id = 7;
    c.author_id = 3;
    c.author_name = "Ann";
    c.body = body;
    c.body_html = "<p>" + body + "</p>";
    c.status = status;
    c.created_at = 1'700'000'000'000'000;
    std::lock_guard lock(mu_);
    comments_[id] = c;
  }
  std::shared_ptr<EventStream> Open(std::optional<uint64_t> last = std::nullopt, int64_t article = 7,
                                    const std::string& address = "10.0.0.1") {
    auto s = hub_->Subscribe(article, address, last);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : nullptr;
  }
  static std::string Take(EventStream& s) {
    bool ended = false;
    return s.Take(ended);
  }
  // The data is exactly the listing's comment object.
  std::string Comment(uint64_t id, int64_t comment) {
    std::lock_guard lock(mu_);
    return "id: " + std::to_string(id) + "\nevent: comment\ndata: " +
           boost::json::serialize(CommentJson(comments_.at(comment))) + "\n\n";
  }
  static std::string Removed(uint64_t id, int64_t comment) {
    return "id: " + std::to_string(id) + "\nevent: removed\ndata: {\"id\":\"" + std::to_string(comment) + "\"}\n\n";
  }

  std::mutex mu_;
  std::map<int64_t, discussion::CommentView> comments_;
  std::atomic<int> loads_{0};
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
  std::unique_ptr<LiveHub> hub_;
};

TEST_F(LiveHubTest, OpensWithRetryAndTheCurrentIdThenSendsCommentsAndRemovals) {
  Make();
  auto s = Open();
  int wakes = 0;
  s->Start([&] { ++wakes; });
  EXPECT_EQ(wakes, 1) << "what is already queued (the opening) wakes the server at once";
  EXPECT_EQ(Take(*s), "retry: 3000\nid: 1000\n\n");

  Put(42, "published");
  hub_->Publish({7, 42, CommentEvent::kVisible});
  EXPECT_EQ(wakes, 2);
  const std::string published = Comment(1001, 42);
  EXPECT_NE(published.find("\"body\":\"hello\""), std::string::npos) << published;
  EXPECT_EQ(published.find('\n'), published.find("\nevent")) << "data is one line";
  Put(42, "deleted", "");
  hub_->Publish({7, 42, CommentEvent::kVisible});
  const std::string tombstone = Comment(1002, 42);
  EXPECT_NE(tombstone.find("\"status\":\"deleted\""), std::string::npos) << tombstone;
  Put(42, "pending");
  hub_->Publish({7, 42, CommentEvent::kVisible});  // re-read: no longer public
  hub_->Publish({7, 43, CommentEvent::kVisible});  // gone altogether
  hub_->Publish({7, 44, CommentEvent::kRemoved});
  EXPECT_EQ(Take(*s), published + tombstone + Removed(1003, 42) + Removed(1004, 43) + Removed(1005, 44));
  EXPECT_EQ(Take(*s), "");
  EXPECT_EQ(hub_->last_sequence(), 1005u);
}

TEST_F(LiveHubTest, EventsOfArticlesNobodyWatchesAreDroppedUnread) {
  Make();
  Put(42, "published");
  hub_->Publish({8, 42, CommentEvent::kVisible});
  EXPECT_EQ(loads_, 0);
  EXPECT_EQ(hub_->last_sequence(), kStart) << "no id is spent on them";
  auto s = Open(std::nullopt, 7);
  hub_->Publish({8, 42, CommentEvent::kVisible});
  EXPECT_EQ(loads_, 0) << "another article is watched, not this one";
  EXPECT_EQ(Take(*s), "retry: 3000\nid: 1000\n\n");
}

TEST_F(LiveHubTest, WithSeveralServersIdsCarryTheNodeAndAnotherServersIdAsksForAReset) {
  LiveOptions o;
  o.node = 5;
  Make(o);
  auto first = Open();
  EXPECT_EQ(Take(*first), "retry: 3000\nid: " + std::to_string(kStart * 64 + 5) + "\n\n");
  Put(42, "published", "one");
  hub_->Publish({7, 42, CommentEvent::kVisible});
  const uint64_t one = (kStart + 1) * 64 + 5;
  EXPECT_EQ(Take(*first), Comment(one, 42));
  hub_->Publish({7, 42, CommentEvent::kRemoved});
  EXPECT_EQ(Take(*first), Removed((kStart + 2) * 64 + 5, 42));
  // This server's own id replays what followed it...
  auto again = Open(one);
  EXPECT_EQ(Take(*again), "retry: 3000\n\n" + Removed((kStart + 2) * 64 + 5, 42));
  // ...the same number from server 6 (the client reconnected to another server) cannot be trusted here.
  auto other = Open((kStart + 1) * 64 + 6);
  EXPECT_EQ(Take(*other), "retry: 3000\n\nid: " + std::to_string((kStart + 2) * 64 + 5) + "\nevent: reset\ndata: {}\n\n");
}

TEST_F(LiveHubTest, ReplaysExactlyTheEventsAfterLastEventId) {
  Make();
  auto first = Open();
  Put(42, "published", "one");
  hub_->Publish({7, 42, CommentEvent::kVisible});
  Put(42, "published", "two");
  hub_->Publish({7, 42, CommentEvent::kVisible});
  const std::string two = Comment(1002, 42);
  hub_->Publish({7, 42, CommentEvent::kRemoved});
  first.reset();  // the client went away after receiving 1001
  EXPECT_EQ(hub_->streams(), 0u);

  auto again = Open(1001);
  EXPECT_EQ(Take(*again), "retry: 3000\n\n" + two + Removed(1003, 42));
  auto current = Open(1003);
  EXPECT_EQ(Take(*current), "retry: 3000\n\n") << "nothing missed: nothing replayed, no reset";
  // The replay and what follows it connect without a gap or a repeat.
  hub_->Publish({7, 42, CommentEvent::kRemoved});
  EXPECT_EQ(Take(*again), Removed(1004, 42));
  EXPECT_EQ(Take(*current), Removed(1004, 42));
}

TEST_F(LiveHubTest, ResetsWhenTheIdIsOlderThanWhatIsKept) {
  LiveOptions o;
  o.ring_events = 3;
  Make(o);
  auto s = Open();
  for (int i = 0; i < 5; ++i) hub_->Publish({7, 42, CommentEvent::kRemoved});  // 1001..1005; 1001, 1002 evicted
  const std::string reset = "retry: 3000\n\nid: 1005\nevent: reset\ndata: {}\n\n";
  EXPECT_EQ(Take(*Open(1001)), reset) << "1002 is no longer kept";
  EXPECT_EQ(Take(*Open(1002)), "retry: 3000\n\n" + Removed(1003, 42) + Removed(1004, 42) + Removed(1005, 42));
  EXPECT_EQ(Take(*Open(999)), reset) << "from before the article was watched";
  EXPECT_EQ(Take(*Open(5000)), reset) << "an id this process never gave";
  EXPECT_EQ(Take(*Open(1000, 9)), "retry: 3000\n\nid: 1005\nevent: reset\ndata: {}\n\n")
      << "an article first watched now: what happened before is unknown";
}

TEST_F(LiveHubTest, ResetsWhenTheKeptEventsAged) {
  LiveOptions o;
  o.ring_age = std::chrono::minutes(10);
  Make(o);
  auto s = Open();
  hub_->Publish({7, 42, CommentEvent::kRemoved});  // 1001
  now_ += std::chrono::minutes(5);
  hub_->Publish({7, 43, CommentEvent::kRemoved});  // 1002
  now_ += std::chrono::minutes(6);                 // 1001 is 11 minutes old, 1002 six
  EXPECT_EQ(Take(*Open(1001)), "retry: 3000\n\n" + Removed(1002, 43));
  EXPECT_EQ(Take(*Open(1000)), "retry: 3000\n\nid: 1002\nevent: reset\ndata: {}\n\n");
}

TEST_F(LiveHubTest, ForgetsArticlesNobodyWatchedForTheKeptTime) {
  Make();
  auto s = Open();
  hub_->Publish({7, 42, CommentEvent::kRemoved});  // 1001
  s.reset();
  now_ += std::chrono::minutes(11);
  auto other = Open(std::nullopt, 8);  // sweeps
  hub_->Publish({7, 42, CommentEvent::kRemoved});
  EXPECT_EQ(hub_->last_sequence(), 1001u) << "article 7 is no longer watched: its events are dropped";
  hub_->Publish({8, 43, CommentEvent::kRemoved});  // 1002
  EXPECT_EQ(Take(*Open(1001)), "retry: 3000\n\nid: 1002\nevent: reset\ndata: {}\n\n")
      << "what happened to article 7 after 1001 is unknown";
  EXPECT_EQ(Take(*Open(1002, 8)), "retry: 3000\n\n") << "article 8 stayed watched";
}

TEST_F(LiveHubTest, AResumeOnAForgottenArticleResetsEvenWhenTheSequenceStoodStill) {
  Make();
  auto s = Open();
  hub_->Publish({7, 42, CommentEvent::kRemoved});  // 1001
  s.reset();
  now_ += std::chrono::minutes(11);
  auto other = Open(std::nullopt, 8);              // sweeps article 7
  hub_->Publish({7, 42, CommentEvent::kRemoved});  // dropped, and the sequence stays at 1001
  ASSERT_EQ(hub_->last_sequence(), 1001u);
  EXPECT_EQ(Take(*Open(1001)), "retry: 3000\n\nid: 1001\nevent: reset\ndata: {}\n\n")
      << "the client last saw 1001, but an event of article 7 was dropped after it";
}

TEST_F(LiveHubTest, CapsStreamsInAllAndPerAddress) {
  LiveOptions o;
  o.max_streams = 3;
  o.max_streams_per_address = 2;
  Make(o);
  auto a1 = Open(std::nullopt, 7, "10.0.0.1");
  auto a2 = Open(std::nullopt, 8, "10.0.0.1");
  auto a3 = hub_->Subscribe(7, "10.0.0.1", std::nullopt);
  ASSERT_FALSE(a3.ok());
  EXPECT_EQ(a3.error().code, ErrorCode::kRateLimited);
  EXPECT_GT(a3.error().retry_after_seconds, 0);
  auto b1 = Open(std::nullopt, 7, "10.0.0.2");
  auto b2 = hub_->Subscribe(7, "10.0.0.3", std::nullopt);
  ASSERT_FALSE(b2.ok());
  EXPECT_EQ(b2.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(hub_->streams(), 3u);
  a1->Close();
  EXPECT_EQ(hub_->streams(), 2u);
  EXPECT_TRUE(hub_->Subscribe(7, "10.0.0.1", std::nullopt).ok()) << "a closed stream frees its places";
}

TEST_F(LiveHubTest, AClosedStreamHearsNothingAndClosingTwiceIsHarmless) {
  Make();
  auto s = Open();
  auto other = Open();
  int wakes = 0;
  s->Start([&] { ++wakes; });
  Take(*s);
  s->Close();
  s->Close();
  EXPECT_EQ(hub_->streams(), 1u);
  hub_->Publish({7, 42, CommentEvent::kRemoved});
  EXPECT_EQ(wakes, 1) << "only the opening woke it";
  EXPECT_EQ(Take(*s), "");
  EXPECT_NE(Take(*other), "");
  s.reset();
  other.reset();
  EXPECT_EQ(hub_->streams(), 0u) << "dropping a stream unsubscribes it";
}

TEST_F(LiveHubTest, AClientTooFarBehindIsEnded) {
  LiveOptions o;
  o.max_buffered_bytes = 200;
  Make(o);
  auto s = Open();
  for (int i = 0; i < 10; ++i) hub_->Publish({7, 42, CommentEvent::kRemoved});
  bool ended = false;
  const std::string queued = s->Take(ended);
  EXPECT_TRUE(ended);
  EXPECT_LE(queued.size(), 200u);
  EXPECT_EQ(queued.substr(queued.size() - 2), "\n\n") << "only whole events";
}

// A publisher on another thread, a consumer woken only by the waker: every event arrives, in order.
TEST_F(LiveHubTest, WakesAConsumerOnAnotherThread) {
  Make();
  auto s = Open();
  std::mutex m;
  std::condition_variable cv;
  bool woken = false;
  s->Start([&] {
    std::lock_guard lock(m);
    woken = true;
    cv.notify_one();
  });
  constexpr int kEvents = 500;
  std::thread publisher([&] {
    for (int i = 0; i < kEvents; ++i) hub_->Publish({7, 100 + i, CommentEvent::kRemoved});
  });
  std::string got;
  int seen = 0;
  while (seen < kEvents) {
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return woken; });
      woken = false;
    }
    got += Take(*s);
    seen = 0;
    for (size_t p = got.find("event: removed"); p != std::string::npos; p = got.find("event: removed", p + 1)) ++seen;
  }
  publisher.join();
  EXPECT_EQ(seen, kEvents);
  size_t at = 0;
  for (int i = 0; i < kEvents; ++i) {
    const std::string frame = Removed(kStart + 1 + i, 100 + i);
    const size_t p = got.find(frame, at);
    ASSERT_NE(p, std::string::npos) << "event " << i << " missing or out of order";
    at = p + frame.size();
  }
}

TEST(ParseEventId, AcceptsOnlyDecimalIds) {
  EXPECT_EQ(ParseEventId("0"), 0u);
  EXPECT_EQ(ParseEventId("1712345678901234"), 1712345678901234u);
  EXPECT_EQ(ParseEventId(""), std::nullopt);
  EXPECT_EQ(ParseEventId("12a"), std::nullopt);
  EXPECT_EQ(ParseEventId("-1"), std::nullopt);
  EXPECT_EQ(ParseEventId(" 1"), std::nullopt);
  EXPECT_EQ(ParseEventId("12345678901234567890"), std::nullopt);
}

}  // namespace
}  // namespace tribune::http
