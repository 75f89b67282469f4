// Tests of the near-duplicate index: clustering, distinct-account counts, window expiry, merges, Probe,
// clock skew and the bounds on bad input.
#include "moderation/behaviour/near_duplicates.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace tribune::moderation::behaviour {
namespace {

constexpr int64_t kSecond = 1000000;

Fingerprint Fp(const std::string& text) { return MakeFingerprint(text::BuildViews(text, false)); }

// Texts of random letter words: unrelated to each other.
std::string RandomText(std::mt19937_64& rng, int words = 25) {
  std::string s;
  for (int w = 0; w < words; ++w) {
    const int len = 3 + static_cast<int>(rng() % 6);
    for (int i = 0; i < len; ++i) s.push_back(static_cast<char>('a' + rng() % 26));
    s.push_back(' ');
  }
  return s;
}

const std::string kCampaign =
    "The mayor has done an excellent job with the new bike lanes downtown, everyone I know is happy about it "
    "and we should all vote for him again in November.";
// Small paraphrases of kCampaign (greetings, emoji, one word changed).
std::string Variant(int i) {
  static const char* openers[] = {"",        "Hi all! ", "Honestly, ", "Well. ",
                                  "Agree: ", "So: ",     "Yes! ",      "Look, "};
  static const char* closers[] = {"", " 👍", " !!!", " Cheers.", " 🚲", " Really.", " Period.", " :)"};
  std::string s = std::string(openers[i % 8]) + kCampaign + closers[(i / 8) % 8];
  return s;
}

TEST(NearDuplicateIndex, ClusterGrowsPastFiveAccounts) {
  NearDuplicateIndex index;
  const ClusterInfo first = index.Add(100, Fp(Variant(0)), 1, 10 * kSecond);
  EXPECT_EQ(first.id, 0);
  EXPECT_EQ(first.members, 1u);
  ClusterInfo info;
  for (int i = 1; i < 7; ++i) {
    info = index.Add(100 + i, Fp(Variant(i)), 1 + i, (10 + i) * kSecond);
    EXPECT_EQ(info.id, 100) << i;
    EXPECT_EQ(info.members, static_cast<uint32_t>(i + 1));
    EXPECT_EQ(info.accounts, static_cast<uint32_t>(i + 1));
    EXPECT_EQ(info.account_members, 1u);
    EXPECT_GE(info.similarity, 0.5);
  }
  EXPECT_EQ(info.first_us, 10 * kSecond);
  EXPECT_EQ(info.last_us, 16 * kSecond);
  EXPECT_EQ(index.ClusterOf(100), 100);
  EXPECT_EQ(index.ClusterOf(106), 100);
  EXPECT_EQ(index.stats().clusters, 1u);
  const std::vector<Member> members = index.Members(100, 20 * kSecond);
  ASSERT_EQ(members.size(), 7u);
  for (size_t i = 0; i < members.size(); ++i) {
    EXPECT_EQ(members[i].event_id, static_cast<int64_t>(100 + i));
    EXPECT_EQ(members[i].account_id, static_cast<int64_t>(1 + i));
  }
}

TEST(NearDuplicateIndex, SameAccountCountsOnce) {
  NearDuplicateIndex index;
  ClusterInfo info;
  for (int i = 0; i < 5; ++i) info = index.Add(i + 1, Fp(Variant(i)), 42, i * kSecond);
  EXPECT_EQ(info.id, 1);
  EXPECT_EQ(info.members, 5u);
  EXPECT_EQ(info.accounts, 1u);
  EXPECT_EQ(info.account_members, 5u);
  info = index.Add(6, Fp(Variant(5)), 43, 6 * kSecond);
  EXPECT_EQ(info.accounts, 2u);
  EXPECT_EQ(info.account_members, 1u);
}

TEST(NearDuplicateIndex, UnrelatedCommentsStaySingletons) {
  NearDuplicateIndex index;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const ClusterInfo info = index.Add(i + 1, Fp(RandomText(rng)), i, i * kSecond);
    ASSERT_EQ(info.id, 0) << i;
    EXPECT_EQ(info.members, 1u);
  }
  EXPECT_EQ(index.stats().entries, 2000u);
  EXPECT_EQ(index.stats().clusters, 0u);
  EXPECT_FALSE(index.ClusterOf(5).has_value());
}

TEST(NearDuplicateIndex, NotComparableCommentsAreNeverIndexed) {
  NearDuplicateIndex index;
  const Fingerprint fp = Fp("lol");
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(index.Add(i + 1, fp, i, i).id, 0);
  EXPECT_EQ(index.stats().entries, 0u);
  EXPECT_EQ(index.Probe(fp, 1, 10).id, 0);
}

TEST(NearDuplicateIndex, WindowExpiryDropsMembersButKeepsTheId) {
  IndexOptions options;
  options.window_us = 100 * kSecond;
  NearDuplicateIndex index(options);
  index.Add(1, Fp(Variant(0)), 1, 0);
  index.Add(2, Fp(Variant(1)), 2, 10 * kSecond);
  index.Add(3, Fp(Variant(2)), 2, 20 * kSecond);
  EXPECT_EQ(index.Members(1, 20 * kSecond).size(), 3u);
  EXPECT_EQ(index.Members(1, 105 * kSecond).size(), 2u);  // Members ignores what is out of the window
  // Event 1 leaves the window; the cluster keeps its id while members live.
  ClusterInfo info = index.Add(4, Fp(Variant(3)), 3, 105 * kSecond);
  EXPECT_EQ(info.id, 1);
  EXPECT_EQ(info.members, 3u);
  EXPECT_EQ(info.accounts, 2u);  // accounts 2 and 3
  EXPECT_EQ(info.first_us, 10 * kSecond);
  EXPECT_FALSE(index.ClusterOf(1).has_value());
  EXPECT_EQ(index.ClusterOf(2), 1);
  // Events 2 and 3 (both of account 2) leave.
  info = index.Add(5, Fp(Variant(4)), 4, 121 * kSecond);
  EXPECT_EQ(info.id, 1);
  EXPECT_EQ(info.members, 2u);
  EXPECT_EQ(info.accounts, 2u);
  EXPECT_EQ(index.stats().entries, 2u);
  // Everything leaves: the cluster is gone, a new one starts with a new id.
  info = index.Add(6, Fp(Variant(5)), 5, 1000 * kSecond);
  EXPECT_EQ(info.id, 0);
  EXPECT_EQ(index.stats().clusters, 0u);
  EXPECT_TRUE(index.Members(1, 1000 * kSecond).empty());
  EXPECT_EQ(index.Add(7, Fp(Variant(6)), 6, 1001 * kSecond).id, 6);
}

TEST(NearDuplicateIndex, ProbeCountsOutOfWindowMembersOut) {
  IndexOptions options;
  options.window_us = 100 * kSecond;
  NearDuplicateIndex index(options);
  index.Add(1, Fp(Variant(0)), 1, 0);
  index.Add(2, Fp(Variant(1)), 1, 10 * kSecond);
  index.Add(3, Fp(Variant(2)), 2, 50 * kSecond);
  const ClusterInfo probe = index.Probe(Fp(Variant(3)), 1, 105 * kSecond);  // event 1 is out
  EXPECT_EQ(probe.id, 1);
  EXPECT_EQ(probe.members, 3u);
  EXPECT_EQ(probe.accounts, 2u);
  EXPECT_EQ(probe.account_members, 2u);
  EXPECT_EQ(probe.first_us, 10 * kSecond);
}

// Three parts of a message: A = s1 s2 and B = s2 s3 share only the short s2 (Jaccard about 0.25); the bridge
// s1 s2 s3 is close to both (about 0.6).
const std::string kS1 =
    "The council should stop wasting our money on consultants and fix the potholes on Main Street. ";
const std::string kS2 = "Nobody there ever answers my letters. ";
const std::string kS3 =
    "Everybody in this neighbourhood pays taxes and deserves streets that do not destroy their cars.";

TEST(NearDuplicateIndex, MatchingTwoClustersMergesThem) {
  NearDuplicateIndex index;
  const std::string a = kS1 + kS2, b = kS2 + kS3;
  ASSERT_LT(EstimateSimilarity(Fp(a), Fp(b)), 0.35);
  ASSERT_GE(EstimateSimilarity(Fp(a), Fp(kS1 + kS2 + kS3)), 0.55);
  ASSERT_GE(EstimateSimilarity(Fp(b), Fp(kS1 + kS2 + kS3)), 0.55);
  EXPECT_EQ(index.Add(1, Fp(a), 1, 1).id, 0);
  EXPECT_EQ(index.Add(2, Fp(b), 2, 2).id, 0);
  EXPECT_EQ(index.Add(3, Fp("Hi! " + a), 3, 3).id, 1);
  EXPECT_EQ(index.Add(4, Fp("Yes. " + b), 4, 4).id, 2);
  EXPECT_EQ(index.Add(5, Fp(b + " :)"), 5, 5).id, 2);
  EXPECT_EQ(index.stats().clusters, 2u);
  const ClusterInfo probe = index.Probe(Fp(kS1 + kS2 + kS3), 1, 6);
  const ClusterInfo info = index.Add(6, Fp(kS1 + kS2 + kS3), 1, 6);
  EXPECT_EQ(info.id, 1);  // the older id survives
  EXPECT_EQ(info.members, 6u);
  EXPECT_EQ(info.accounts, 5u);
  EXPECT_EQ(info.account_members, 2u);
  EXPECT_EQ(probe.id, info.id);
  EXPECT_EQ(probe.members, info.members);
  EXPECT_EQ(probe.accounts, info.accounts);
  EXPECT_EQ(probe.account_members, info.account_members);
  EXPECT_EQ(index.stats().clusters, 1u);
  for (int64_t e = 1; e <= 6; ++e) EXPECT_EQ(index.ClusterOf(e), 1) << e;
  const std::vector<Member> members = index.Members(1, 6);
  ASSERT_EQ(members.size(), 6u);
  for (size_t i = 0; i < members.size(); ++i) EXPECT_EQ(members[i].event_id, static_cast<int64_t>(i + 1));
  EXPECT_TRUE(index.Members(2, 6).empty());
}

TEST(NearDuplicateIndex, ProbeChangesNothingAndPredictsAdd) {
  NearDuplicateIndex index;
  std::mt19937_64 rng(3);
  for (int i = 0; i < 50; ++i) index.Add(i + 1, Fp(RandomText(rng)), 1000 + i, i);
  for (int i = 0; i < 4; ++i) index.Add(100 + i, Fp(Variant(i)), 1 + i % 2, 100 + i);
  const NearDuplicateIndex::Stats before = index.stats();
  const ClusterInfo probe = index.Probe(Fp(Variant(9)), 2, 200);
  const ClusterInfo again = index.Probe(Fp(Variant(9)), 2, 200);
  EXPECT_EQ(index.stats().entries, before.entries);
  EXPECT_EQ(index.stats().clusters, before.clusters);
  EXPECT_FALSE(index.ClusterOf(200).has_value());
  EXPECT_EQ(index.Members(100, 200).size(), 4u);
  EXPECT_EQ(probe.members, again.members);
  const ClusterInfo added = index.Add(200, Fp(Variant(9)), 2, 200);
  EXPECT_EQ(probe.id, 100);
  EXPECT_EQ(probe.id, added.id);
  EXPECT_EQ(probe.members, 5u);
  EXPECT_EQ(probe.members, added.members);
  EXPECT_EQ(probe.accounts, added.accounts);
  EXPECT_EQ(probe.accounts, 2u);
  EXPECT_EQ(probe.account_members, 3u);
  EXPECT_EQ(probe.account_members, added.account_members);
  EXPECT_EQ(probe.last_us, added.last_us);
  EXPECT_EQ(probe.first_us, added.first_us);
  EXPECT_EQ(index.Probe(Fp(RandomText(rng)), 2, 300).id, 0);
}

TEST(NearDuplicateIndex, ClockGoingBackwardsCountsAsTheLastTime) {
  IndexOptions options;
  options.window_us = 100 * kSecond;
  NearDuplicateIndex index(options);
  index.Add(1, Fp(Variant(0)), 1, 1000 * kSecond);
  ClusterInfo info = index.Add(2, Fp(Variant(1)), 2, 5 * kSecond);  // skewed clock
  EXPECT_EQ(info.id, 1);
  EXPECT_EQ(info.last_us, 1000 * kSecond);
  info = index.Add(3, Fp(Variant(2)), 3, -4 * kSecond);
  EXPECT_EQ(info.members, 3u);
  EXPECT_EQ(index.Members(1, 1000 * kSecond).back().time_us, 1000 * kSecond);
  // A jump of years ahead expires everything; later times are pinned to it and still cluster.
  const int64_t later = 1000 * kSecond + 20LL * 365 * 24 * 3600 * kSecond;
  EXPECT_EQ(index.Add(4, Fp(Variant(3)), 4, later).id, 0);
  EXPECT_EQ(index.stats().entries, 1u);
  info = index.Add(5, Fp(Variant(4)), 5, 2000 * kSecond);
  EXPECT_EQ(info.id, 4);
  EXPECT_EQ(info.first_us, later);
  EXPECT_EQ(info.last_us, later);
  // Extreme times do not overflow.
  EXPECT_EQ(index.Add(6, Fp(Variant(5)), 6, INT64_MAX).members, 1u);
  NearDuplicateIndex fresh(options);
  fresh.Add(1, Fp(Variant(0)), 1, INT64_MIN);
  EXPECT_EQ(fresh.Add(2, Fp(Variant(1)), 2, INT64_MIN).members, 2u);
}

TEST(NearDuplicateIndex, MaxEntriesDropsTheOldestEarly) {
  IndexOptions options;
  options.max_entries = 100;
  NearDuplicateIndex index(options);
  std::mt19937_64 rng(11);
  for (int i = 0; i < 250; ++i) index.Add(i + 1, Fp(RandomText(rng)), i, i);
  NearDuplicateIndex::Stats st = index.stats();
  EXPECT_EQ(st.entries, 100u);
  EXPECT_EQ(st.dropped_early, 150u);
  EXPECT_FALSE(index.ClusterOf(150).has_value());
  // A cluster loses its dropped members like expired ones.
  for (int i = 0; i < 150; ++i) index.Add(1000 + i, Fp(Variant(i)), i % 7, 1000 + i);
  const ClusterInfo info = index.Add(2000, Fp(Variant(0)), 1, 2000);
  EXPECT_EQ(info.members, 100u);
  EXPECT_EQ(info.accounts, 7u);
  EXPECT_EQ(index.stats().entries, 100u);
  EXPECT_EQ(index.Members(info.id, 2000).size(), 100u);
}

TEST(NearDuplicateIndex, LineRateAddsFromOneAccountStayBounded) {
  IndexOptions options;
  options.max_entries = 10000;
  NearDuplicateIndex index(options);
  std::mt19937_64 rng(5);
  std::vector<Fingerprint> texts;
  for (int i = 0; i < 64; ++i) texts.push_back(Fp(RandomText(rng)));
  texts.push_back(Fp(kCampaign));
  ClusterInfo info;
  for (int i = 0; i < 100000; ++i) info = index.Add(i + 1, texts[i % texts.size()], 77, i);
  const NearDuplicateIndex::Stats st = index.stats();
  EXPECT_EQ(st.entries, 10000u);
  EXPECT_EQ(st.dropped_early, 90000u);
  EXPECT_EQ(st.clusters, texts.size());  // one per repeated text
  EXPECT_EQ(info.accounts, 1u);
  EXPECT_LT(st.memory_bytes, 10000u * 400);
}

TEST(NearDuplicateIndex, ManyIdenticalCommentsAreOneCluster) {
  NearDuplicateIndex index;
  const Fingerprint fp = Fp(kCampaign);
  ClusterInfo info;
  for (int i = 0; i < 100000; ++i) info = index.Add(i + 1, fp, i % 30000, i * 10);
  EXPECT_EQ(info.id, 1);
  EXPECT_EQ(info.members, 100000u);
  EXPECT_EQ(info.accounts, 30000u);
  EXPECT_EQ(info.account_members, 4u);  // accounts 0..9999 posted 4 times
  EXPECT_DOUBLE_EQ(info.similarity, 1.0);
  const NearDuplicateIndex::Stats st = index.stats();
  EXPECT_EQ(st.clusters, 1u);
  EXPECT_EQ(st.entries, 100000u);
  EXPECT_LT(st.memory_bytes, 100000u * 200);
  EXPECT_EQ(index.Members(1, 1000000).size(), 100000u);
}

// Counts against a model recomputed from Members() while members expire and accounts come and go (the
// (cluster, account) table's deletions included).
TEST(NearDuplicateIndex, CountsMatchMembersUnderChurn) {
  IndexOptions options;
  options.window_us = 100;
  NearDuplicateIndex index(options);
  std::mt19937_64 rng(17);
  std::vector<Fingerprint> texts;
  for (int i = 0; i < 4; ++i) texts.push_back(Fp(RandomText(rng)));
  int64_t now = 0;
  for (int i = 0; i < 4000; ++i) {
    now += static_cast<int64_t>(rng() % 4);
    const int64_t account = static_cast<int64_t>(rng() % 40);
    const ClusterInfo info = index.Add(i + 1, texts[rng() % texts.size()], account, now);
    if (info.id == 0) continue;
    const std::vector<Member> members = index.Members(info.id, now);
    std::set<int64_t> accounts;
    uint32_t own = 0;
    for (const Member& m : members) {
      accounts.insert(m.account_id);
      own += m.account_id == account;
    }
    ASSERT_EQ(info.members, members.size()) << i;
    ASSERT_EQ(info.accounts, accounts.size()) << i;
    ASSERT_EQ(info.account_members, own) << i;
    ASSERT_EQ(info.first_us, members.front().time_us) << i;
    ASSERT_EQ(members.back().event_id, i + 1);
  }
  EXPECT_EQ(index.stats().clusters, texts.size());
}

TEST(NearDuplicateIndex, ReserveKeepsTheContents) {
  NearDuplicateIndex index;
  for (int i = 0; i < 3; ++i) index.Add(i + 1, Fp(Variant(i)), i, i);
  const size_t before = index.stats().memory_bytes;
  index.Reserve(100000);
  EXPECT_GT(index.stats().memory_bytes, before + 100000 * 72);
  EXPECT_EQ(index.ClusterOf(3), 1);
  EXPECT_EQ(index.Add(4, Fp(Variant(3)), 3, 4).members, 4u);
  EXPECT_EQ(index.Members(1, 4).size(), 4u);
}

}  // namespace
}  // namespace tribune::moderation::behaviour
