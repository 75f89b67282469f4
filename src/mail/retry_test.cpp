#include <gtest/gtest.h>

#include "mail/mail.hpp"

namespace tribune::mail {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

TEST(RetryDelay, DoublesFromTheBaseUpToTheCap) {
  RetryOptions o{.base_delay = seconds(30), .max_delay = seconds(3600), .jitter = 0.0};
  EXPECT_EQ(RetryDelay(o, 2, 0.3), seconds(30));
  EXPECT_EQ(RetryDelay(o, 3, 0.3), seconds(60));
  EXPECT_EQ(RetryDelay(o, 4, 0.3), seconds(120));
  EXPECT_EQ(RetryDelay(o, 8, 0.3), seconds(1920));
  EXPECT_EQ(RetryDelay(o, 9, 0.3), seconds(3600));
  EXPECT_EQ(RetryDelay(o, 500, 0.3), seconds(3600));
}

TEST(RetryDelay, JitterStaysWithinItsBounds) {
  RetryOptions o{.base_delay = seconds(30), .max_delay = seconds(3600), .jitter = 0.5};
  EXPECT_EQ(RetryDelay(o, 2, 0.0), seconds(15));
  EXPECT_EQ(RetryDelay(o, 2, 0.5), seconds(30));
  EXPECT_LE(RetryDelay(o, 2, 0.999999), seconds(45));
  EXPECT_GT(RetryDelay(o, 2, 0.999999), seconds(44));
  for (int attempt = 2; attempt < 20; ++attempt) {
    for (double u : {0.0, 0.25, 0.5, 0.75, 0.9999}) {
      auto d = RetryDelay(o, attempt, u);
      EXPECT_GE(d, seconds(15));
      EXPECT_LE(d, seconds(5400));
    }
  }
}

TEST(RetryDelay, IsNeverZero) {
  RetryOptions o{.base_delay = seconds(0), .max_delay = seconds(0), .jitter = 1.0};
  EXPECT_GT(RetryDelay(o, 2, 0.0), microseconds(0));
}

}  // namespace
}  // namespace tribune::mail
