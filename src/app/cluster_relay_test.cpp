#include "app/cluster_relay.hpp"

#include <gtest/gtest.h>

namespace tribune::app {
namespace {

using discussion::CommentEvent;

TEST(ClusterRelay, EventsRoundTripThroughTheNotificationPayload) {
  for (const CommentEvent& e : {CommentEvent{7, 96498444618694656, CommentEvent::kVisible},
                                CommentEvent{1, 2, CommentEvent::kRemoved}}) {
    auto back = ClusterRelay::Decode(ClusterRelay::Encode(e));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->article_id, e.article_id);
    EXPECT_EQ(back->comment_id, e.comment_id);
    EXPECT_EQ(back->kind, e.kind);
  }
  EXPECT_EQ(ClusterRelay::Encode({7, 8, CommentEvent::kRemoved}), "7,8,removed");
}

TEST(ClusterRelay, AnythingElseIsIgnored) {
  for (const char* bad : {"", ",", "7,8", "7,8,", "7,,visible", ",8,visible", "x,8,visible", "7,8,shown", "7,8,visible,9",
                          "7 ,8,visible", "99999999999999999999,8,visible", "7,8,VISIBLE"}) {
    EXPECT_FALSE(ClusterRelay::Decode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace tribune::app
