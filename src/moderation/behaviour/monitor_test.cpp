// Scenarios of the behaviour rules with a fake clock: a cluster growing past N accounts, window expiry,
// floods of every kind, a troll's standing rising and decaying, and bad input staying bounded.
#include "moderation/behaviour/monitor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

namespace tribune::moderation::behaviour {
namespace {

constexpr int64_t kMinute = 60LL * 1000000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kStart = 1'700'000'000LL * 1000000;  // a fixed "now"
constexpr int64_t kOldAccount = kStart - 400 * kDay;

// Paraphrases of one campaign message: a few words swapped, greetings and emoji added.
const std::vector<std::string> kCampaign = {
    "Vote for Maria Lopez on Sunday, she is the only candidate who will fix the roads and cut the taxes in our city!",
    "Friends, vote for Maria Lopez this Sunday: she is the only candidate who will fix our roads and cut taxes in the city",
    "vote for maria lopez on sunday!!! she is the only candidate that will fix the roads and cut the taxes in our city",
    "Please vote for Maria Lopez on Sunday, she is the one candidate who will fix the roads and cut the taxes in our city 🙂",
    "Vote for Maria Lopez on Sunday. She's the only candidate who will fix the roads and cut taxes in our town!",
    "Remember to vote for Maria Lopez on Sunday, she is the only candidate who will fix the roads & cut the taxes in our city",
    "VOTE for Maria Lopez on Sunday - she is the only candidate who will fix the roads and cut the taxes in our city.",
};

const std::vector<std::string> kOrganic = {
    "The council should publish the full budget before anyone votes on the road repairs, otherwise we are guessing.",
    "I drove down Elm Street yesterday and the potholes are worse than last winter, something has to change.",
    "Taxes went up twice in three years and I still have not seen a single new bus line in the northern districts.",
    "Good reporting. I would like to know how the other candidates plan to pay for the repairs they promise.",
    "My neighbour works for the roads department and says the machines are older than most of the staff there.",
};

struct Probe {
  std::vector<Signal> signals;
  bool Has(const std::string& rule) const {
    return std::any_of(signals.begin(), signals.end(), [&](const Signal& s) { return s.rule == rule; });
  }
  const Signal* Get(const std::string& rule) const {
    for (const auto& s : signals) {
      if (s.rule == rule) return &s;
    }
    return nullptr;
  }
};

class MonitorTest : public ::testing::Test {
 protected:
  explicit MonitorTest(BehaviourOptions options = {}) : monitor_(options) {}

  Observation Observe(int64_t account, const std::string& text, int64_t article = 1, int64_t parent_author = 0,
                      int64_t created = kOldAccount) {
    texts_.push_back(text);  // views point into the text
    const text::TextViews views = text::BuildViews(texts_.back(), false);
    return monitor_.Observe({account, created, article, parent_author, now_}, views, "");
  }
  Probe Assess(const Observation& obs, const std::vector<Signal>& content = {}) {
    Probe p;
    monitor_.Assess(obs, content, p.signals);
    return p;
  }
  // Assess, then record as published (or `action`); returns the signals of the check.
  Probe Post(int64_t account, const std::string& text, int64_t article = 1, int64_t parent_author = 0,
             Action action = Action::kPublish, const std::vector<std::string>& rules = {}) {
    const Observation obs = Observe(account, text, article, parent_author);
    Probe p = Assess(obs);
    last_recorded_ = monitor_.Record(++event_, obs, p.Has("flash_mob") ? Action::kHold : action, rules);
    return p;
  }

  BehaviourMonitor monitor_;
  int64_t now_ = kStart;
  int64_t event_ = 1000;
  Recorded last_recorded_;
  std::deque<std::string> texts_;
};

TEST_F(MonitorTest, ClusterBecomesAFlashMobAtTheFifthAccountAndHoldsTheEarlierMembers) {
  for (int64_t account = 1; account <= 4; ++account) {
    Probe p = Post(account, kCampaign[static_cast<size_t>(account - 1)]);
    EXPECT_FALSE(p.Has("flash_mob")) << "account " << account;
    now_ += 3 * kMinute;
  }
  EXPECT_FALSE(last_recorded_.cluster_reached);
  const int64_t first_event = 1001;
  Probe fifth = Post(5, kCampaign[4]);
  ASSERT_TRUE(fifth.Has("flash_mob"));
  const Signal& s = *fifth.Get("flash_mob");
  EXPECT_GE(s.confidence, 0.55) << "at N accounts the score must reach the hold line (weight 8 x 0.5 = 4)";
  EXPECT_FALSE(s.may_reject);
  EXPECT_NE(s.detail.find("5 accounts"), std::string::npos) << s.detail;
  EXPECT_TRUE(last_recorded_.cluster_reached);
  EXPECT_EQ(last_recorded_.cluster_id, first_event);
  EXPECT_EQ(last_recorded_.to_hold, (std::vector<int64_t>{1001, 1002, 1003, 1004}));
  // The sixth member is flagged when it posts, and nothing is held twice.
  now_ += kMinute;
  EXPECT_TRUE(Post(6, kCampaign[5]).Has("flash_mob"));
  EXPECT_FALSE(last_recorded_.cluster_reached);
  EXPECT_TRUE(last_recorded_.to_hold.empty());
  const ClusterView view = monitor_.Cluster(first_event, now_);
  EXPECT_EQ(view.accounts, 6u);
  ASSERT_EQ(view.members.size(), 6u);
  EXPECT_EQ(view.members.front().event_id, first_event);
  EXPECT_EQ(monitor_.ClusterOf(1003), first_event);
}

TEST_F(MonitorTest, OneAccountRepeatingItselfIsNotAFlashMobButAFlood) {
  Probe p;
  for (int i = 0; i < 5; ++i) {
    p = Post(7, kCampaign[static_cast<size_t>(i)], 1 + i);  // different threads, so only repetition counts
    now_ += 10 * kMinute;
  }
  EXPECT_FALSE(p.Has("flash_mob"));
  ASSERT_TRUE(p.Has("flood"));
  EXPECT_NE(p.Get("flood")->detail.find("repeats itself"), std::string::npos) << p.Get("flood")->detail;
}

TEST_F(MonitorTest, OrganicCommentsOnTheSameSubjectDoNotCluster) {
  for (size_t i = 0; i < kOrganic.size(); ++i) {
    EXPECT_FALSE(Post(static_cast<int64_t>(20 + i), kOrganic[i]).Has("flash_mob"));
    EXPECT_EQ(last_recorded_.cluster_id, 0) << kOrganic[i];
  }
}

TEST_F(MonitorTest, NewAccountsAndBurstsScoreHigherThanAgedAccountsTricklingIn) {
  // Campaign A: aged accounts, one member every 2 hours.
  for (int64_t a = 1; a <= 4; ++a) {
    Post(a, kCampaign[static_cast<size_t>(a - 1)]);
    now_ += 2 * kHour;
  }
  const Probe slow = Assess(Observe(5, kCampaign[4]));
  // Campaign B (another message) from accounts created today, within minutes.
  const std::vector<std::string> other = {
      "Boycott the Harbour Mall this weekend, they fired forty workers for asking about the unpaid overtime hours!",
      "boycott harbour mall this weekend - they fired forty workers for asking about the unpaid overtime hours",
      "Boycott the Harbour Mall this weekend!! They fired forty workers just for asking about unpaid overtime hours",
      "Please boycott the Harbour Mall this weekend, they fired forty workers for asking about the unpaid overtime",
      "Boycott Harbour Mall this weekend: they fired forty workers for asking about the unpaid overtime hours.",
  };
  for (int64_t a = 0; a < 4; ++a) {
    const Observation obs = Observe(100 + a, other[static_cast<size_t>(a)], 2, 0, now_ - kHour);
    monitor_.Record(++event_, obs, Action::kPublish, {});
    now_ += kMinute;
  }
  const Probe fast = Assess(Observe(104, other[4], 2, 0, now_ - kHour));
  ASSERT_TRUE(slow.Has("flash_mob"));
  ASSERT_TRUE(fast.Has("flash_mob"));
  EXPECT_GT(fast.Get("flash_mob")->confidence, slow.Get("flash_mob")->confidence);
  EXPECT_NE(fast.Get("flash_mob")->detail.find("new account"), std::string::npos);
  EXPECT_NE(fast.Get("flash_mob")->detail.find("burst"), std::string::npos);
}

TEST_F(MonitorTest, IdenticalShortSentencesFromTenAccountsWithinAnHourAreAFlashMob) {
  const std::string slogan = "Vote Lopez on Sunday, honest man!";  // too short to compare by similarity
  ASSERT_TRUE(Observe(1, slogan).fingerprint.ExactOnly());
  for (int64_t a = 1; a <= 9; ++a) {
    EXPECT_FALSE(Post(a, slogan).Has("flash_mob")) << "account " << a;
    now_ += 2 * kMinute;
  }
  // A differently worded short text does not join them.
  EXPECT_FALSE(Post(50, "Vote Garcia on Sunday, honest woman!").Has("flash_mob"));
  EXPECT_NE(last_recorded_.cluster_id, 1001);
  const Probe tenth = Post(10, "vote lopez on SUNDAY... honest man");  // the same normalised text
  ASSERT_TRUE(tenth.Has("flash_mob"));
  EXPECT_TRUE(last_recorded_.cluster_reached);
  EXPECT_EQ(last_recorded_.to_hold.size(), 9u);
}

TEST_F(MonitorTest, AShortStockPhraseThroughTheDayIsNotAFlashMob) {
  const std::string thanks = "Great article, thank you so much!";
  ASSERT_TRUE(Observe(1, thanks).fingerprint.ExactOnly());
  for (int64_t a = 1; a <= 30; ++a) {
    EXPECT_FALSE(Post(a, thanks, 1 + a % 7).Has("flash_mob")) << "account " << a;
    now_ += 40 * kMinute;
  }
}

TEST_F(MonitorTest, MembersLeaveWithTheWindow) {
  for (int64_t a = 1; a <= 4; ++a) Post(a, kCampaign[static_cast<size_t>(a - 1)]);
  now_ += 25 * kHour;  // the first four fell out of the 24-hour window
  EXPECT_FALSE(Post(5, kCampaign[4]).Has("flash_mob"));
  EXPECT_EQ(last_recorded_.cluster_id, 0);
  EXPECT_FALSE(monitor_.ClusterOf(1001).has_value());
  EXPECT_TRUE(monitor_.Cluster(1001, now_).members.empty());
}

TEST_F(MonitorTest, AnApprovedClusterIsNotFlaggedAgain) {
  for (int64_t a = 1; a <= 5; ++a) Post(a, kCampaign[static_cast<size_t>(a - 1)]);
  ASSERT_TRUE(last_recorded_.cluster_reached);
  monitor_.ApproveCluster(last_recorded_.cluster_id, now_);
  EXPECT_TRUE(monitor_.ClusterApproved(last_recorded_.cluster_id));
  EXPECT_FALSE(Post(6, kCampaign[5]).Has("flash_mob"));
}

TEST_F(MonitorTest, AnAccountOverItsRateFloods) {
  const BehaviourOptions& o = monitor_.options();
  Probe p;
  for (int i = 0; i < static_cast<int>(o.account_burst); ++i) {
    p = Post(3, kOrganic[static_cast<size_t>(i) % kOrganic.size()] + " (" + std::to_string(i) + ")", 100 + i);
    EXPECT_FALSE(p.Has("flood")) << i;
    now_ += 1000000;  // one a second, each in its own thread
  }
  p = Post(3, "One more remark about the roads, in yet another thread of the site.", 999);
  ASSERT_TRUE(p.Has("flood"));
  EXPECT_NE(p.Get("flood")->detail.find("account over its rate"), std::string::npos);
  // A pause refills the bucket.
  now_ += 30 * kMinute;
  EXPECT_FALSE(Post(3, "Back after a break with a calmer thought about the budget.", 1000).Has("flood"));
}

TEST_F(MonitorTest, ManyShortCommentsInOneThreadFlood) {
  Probe p;
  for (const char* t : {"lol", "first", "asdfgh jklqwr", "???"}) {
    p = Post(4, t);
    now_ += 20 * 1000000;
  }
  ASSERT_TRUE(p.Has("flood"));
  EXPECT_NE(p.Get("flood")->detail.find("short or incoherent"), std::string::npos) << p.Get("flood")->detail;
  // Another account in the same thread is not affected.
  EXPECT_FALSE(Post(5, "lol").Has("flood"));
}

TEST_F(MonitorTest, TwoAccountsLockedInAReplyChainFlood) {
  const uint32_t limit = monitor_.options().chain_replies;
  Probe p;
  for (uint32_t i = 0; i + 1 < limit; ++i) {
    const bool even = i % 2 == 0;
    p = Post(even ? 8 : 9, kOrganic[i % kOrganic.size()] + " Reply " + std::to_string(i), 1, even ? 9 : 8);
    EXPECT_FALSE(p.Has("flood")) << i;
    now_ += 4 * kMinute;
  }
  p = Post(8, "And another answer to you, since you keep replying to everything I write here.", 1, 9);
  ASSERT_TRUE(p.Has("flood"));
  EXPECT_NE(p.Get("flood")->detail.find("reply chain"), std::string::npos);
  // A third account replying to one of them is fine.
  EXPECT_FALSE(Post(10, "I think you both made your points, can we get back to the article?", 1, 8).Has("flood"));
}

class NoLimitsTest : public MonitorTest {
 protected:
  NoLimitsTest() : MonitorTest(BehaviourOptions{.limits_enabled = false}) {}
};

TEST_F(NoLimitsTest, FloodIsOffWhenLimitsAreDisabled) {
  Probe p;
  for (int i = 0; i < 40; ++i) p = Post(3, "ok");
  EXPECT_FALSE(p.Has("flood"));
}

TEST_F(MonitorTest, ATrollsStandingRisesWithRejectionsAndDecays) {
  const std::string calm_text = "A perfectly calm remark about the roads and the council budget here.";
  EXPECT_FALSE(Assess(Observe(11, calm_text)).Has("trolling"));
  Signal insult;
  insult.rule = "insult_threat";
  insult.confidence = 0.5;
  // Refusals for other rules (a phone number) barely count.
  Post(11, "call me on my phone tonight please", 1, 0, Action::kReject, {"privacy_personal_data"});
  EXPECT_NEAR(monitor_.Standing(11, now_), 0.25, 1e-6);
  for (int i = 0; i < 4; ++i) {
    now_ += kHour;
    Post(11, "rejected text number " + std::to_string(i) + " that the engine refused for an insult", 1, 0,
         Action::kReject, {"insult_threat"});
    if (i == 1) {
      // Under standing_hold the standing alone says nothing; with a provocation in the text it adds to it.
      EXPECT_FALSE(Assess(Observe(11, calm_text)).Has("trolling"));
      EXPECT_TRUE(Assess(Observe(11, calm_text), {insult}).Has("trolling"));
    }
  }
  EXPECT_NEAR(monitor_.Standing(11, now_), 4.25, 0.05);
  const Probe held = Assess(Observe(11, calm_text));
  ASSERT_TRUE(held.Has("trolling"));
  EXPECT_GE(held.Get("trolling")->confidence * 6, 4.0) << "past standing_hold the standing alone holds";
  EXPECT_GT(Assess(Observe(11, calm_text), {insult}).Get("trolling")->confidence, held.Get("trolling")->confidence);
  // Two half-lives later the standing is about 1.06: under the hold line; only a provocation still counts.
  now_ += 28 * kDay;
  EXPECT_NEAR(monitor_.Standing(11, now_), 4.25 / 4, 0.05);
  EXPECT_FALSE(Assess(Observe(11, calm_text)).Has("trolling"));
  const Probe provoked = Assess(Observe(11, calm_text), {insult});
  ASSERT_TRUE(provoked.Has("trolling"));
  EXPECT_LT(provoked.Get("trolling")->confidence * 6, 4.0);
  // Three more half-lives and the standing says nothing at all.
  now_ += 42 * kDay;
  EXPECT_FALSE(Assess(Observe(11, calm_text), {insult}).Has("trolling"));
}

TEST_F(MonitorTest, ModeratorsDecisionsMoveTheStanding) {
  monitor_.NoteStanding(12, StandingEvent::kModeratorRejected, now_);
  monitor_.NoteStanding(12, StandingEvent::kReportReceived, now_);
  EXPECT_NEAR(monitor_.Standing(12, now_), 2.0, 1e-9);
  monitor_.NoteStanding(12, StandingEvent::kModeratorApproved, now_);
  EXPECT_NEAR(monitor_.Standing(12, now_), 1.5, 1e-9);
  for (int i = 0; i < 10; ++i) monitor_.NoteStanding(12, StandingEvent::kModeratorApproved, now_);
  EXPECT_EQ(monitor_.Standing(12, now_), 0.0) << "standing never goes below clean";
}

TEST_F(MonitorTest, ObservationRoundTripsAndRejectsGarbage) {
  const Observation obs = Observe(13, kCampaign[0], 4, 5);
  auto back = Observation::Parse(obs.Serialize());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->attempt.account_id, 13);
  EXPECT_EQ(back->attempt.article_id, 4);
  EXPECT_EQ(back->attempt.parent_author_id, 5);
  EXPECT_EQ(back->attempt.time_us, now_);
  EXPECT_EQ(back->letters, obs.letters);
  EXPECT_EQ(back->text_bytes, kCampaign[0].size());
  EXPECT_EQ(back->fingerprint.mins, obs.fingerprint.mins);
  EXPECT_FALSE(Observation::Parse("").has_value());
  EXPECT_FALSE(Observation::Parse(obs.Serialize().substr(0, 40)).has_value());
  std::string bad = obs.Serialize();
  bad[0] = 9;
  EXPECT_FALSE(Observation::Parse(bad).has_value());
}

TEST_F(MonitorTest, ThousandsOfIdenticalOneWordCommentsStayOutOfTheWindow) {
  for (int i = 0; i < 5000; ++i) {
    const Probe p = Post(1000 + i % 50, "ok");
    ASSERT_FALSE(p.Has("flash_mob"));
    now_ += 1000;
  }
  EXPECT_EQ(monitor_.stats().window.entries, 0u) << "one-word comments are not comparable";
}

TEST_F(MonitorTest, AnAccountAtLineRateAndSkewedClocksStayBounded) {
  // 20,000 comments from one account with timestamps that jump back and forth by hours.
  for (int i = 0; i < 20000; ++i) {
    now_ = kStart + (i % 7 == 0 ? -3 * kHour : i * 1000LL);
    Post(77, kCampaign[static_cast<size_t>(i) % kCampaign.size()] + " #" + std::to_string(i % 13), 1 + i % 3);
  }
  const auto st = monitor_.stats();
  EXPECT_LE(st.window.entries, 20000u);
  EXPECT_LE(st.accounts, 1u);
  EXPECT_LE(st.threads, 3u);
  EXPECT_LE(monitor_.Cluster(last_recorded_.cluster_id, now_).accounts, 1u);
  // Still flagged as flooding, never as a flash mob (one account).
  const Probe p = Post(77, kCampaign[0]);
  EXPECT_TRUE(p.Has("flood"));
  EXPECT_FALSE(p.Has("flash_mob"));
}

}  // namespace
}  // namespace tribune::moderation::behaviour
