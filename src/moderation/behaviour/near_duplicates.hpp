// The near-duplicate index behind rule `flash_mob`: the comments of a sliding time window, clustered by
// estimated similarity of their fingerprints (fingerprint.hpp), with per-cluster member and distinct-
// account counts.
//
// Design:
//   - Ring: the windowed comments in the order added, in a circular array indexed by a 64-bit sequence
//     number (links and the table store its low 32 bits; the window never holds 2^32 comments). An entry
//     is 72 bytes: event id, account, time, cluster, prev/next cluster links, and a 32-byte b-bit
//     signature (low 4 bits of each of the 64 minimums) to verify candidates. Expiry pops the oldest end.
//     Comparable fingerprints enter with their LSH band keys; shorter texts of 4-8 words (ExactOnly) enter
//     with one key of their normalised form and link only to identical texts; shorter ones never enter.
//   - Candidates: LSH banding, `bands` bands of `rows` minimums each (8 × 2 by default: a pair at Jaccard
//     0.5 becomes a candidate with probability 0.90, at 0.3 with 0.53, at 0.1 with 0.08; a campaign needs
//     only one link per comment to any earlier member). 8 × 3 (0.66 at 0.5, 0.20 at 0.3) caught 91–93 % of
//     the campaign comments of bench/campaign_eval against 97–98 % for 8 × 2, with 0.30 % vs 0.38 % of
//     organic comments flagged: paraphrases sit at Jaccard 0.3–0.5, where candidates, not the threshold,
//     limited recall. One table maps a band key to the
//     most recent comment holding it: bucketised cuckoo hashing, 8-byte slots (32-bit key, 32-bit
//     sequence) in 64-byte buckets, a key in one of two buckets, so a lookup reads at most two cache lines
//     (linear probing at 85 % load had a p99 of 100+ µs per check at 1M: long runs of cold memory). Slots of
//     expired comments are stale: skipped by lookups, reused first by inserts (so a steady window does
//     not fill the table), dropped when the table is rebuilt at 93 % occupancy to 70 % live. Rebuilds
//     happen while the window grows (each ×1.33; near 1M comments of distinct text one pauses for up to
//     0.7 s) unless Reserve sized the table up front.
//   - Verification: a candidate links when its b-bit estimate of the Jaccard similarity (corrected for
//     the 1/16 chance that two 4-bit values agree by accident) is ≥ min_similarity. A candidate in a
//     cluster that scores at least half the threshold has the cluster's 16 newest members compared too
//     (campaign variants differ from each other; the newest holder of a band key may not be the closest).
//   - Clusters: a comment that links to nothing is a singleton (no cluster record). Linking creates or
//     joins a cluster; linking to several merges them, the older id surviving. A cluster keeps its
//     members as a doubly-linked list through the ring sorted by sequence (appending is O(1); a merge
//     moves the smaller clusters into the largest, costing their members plus the largest's members newer
//     than their oldest; the merged cluster takes the oldest id), and the index
//     keeps one (cluster, account) → count table for distinct-account counts. Expiry pops a cluster's
//     oldest member in O(1).
//   - Bounds: at most max_entries comments (the oldest are dropped early past that, counted in Stats);
//     times below the last added one count as the last one, so clock skew cannot reorder the ring.
//     Adding 100,000 identical comments is one cluster and constant work per add.
//   - Measured at 1,000,000 windowed comments (bench/behaviour_bench.cpp, one core): memory_bytes 129 B
//     per comment for tweet-like text (RSS 138 B), 148 B when no two comments share a band key (RSS 157 B),
//     183 B when besides every comment is in a 2-member cluster of two accounts. MakeFingerprint + Probe +
//     Add: p50 10.5 µs, p99 17-19 µs.
// Not thread-safe: the behaviour monitor holds a lock around it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "moderation/behaviour/fingerprint.hpp"

namespace tribune::moderation::behaviour {

namespace detail {
// Blocks of 4 MiB and more come from 2 MiB-aligned anonymous mappings marked MADV_HUGEPAGE, smaller ones from
// operator new. The ring and the band table are read at random: with 4 KiB pages a 1M-comment window misses
// the TLB on most reads, which on a virtualised host (measured here: Firecracker) costs ~100 µs now and
// then; huge pages took the p99 of a check from 85-127 µs to ~20 µs.
void* AllocateLarge(size_t bytes, size_t align);
void FreeLarge(void* p, size_t bytes, size_t align) noexcept;
template <class T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding
  T* allocate(size_t n) { return static_cast<T*>(AllocateLarge(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, size_t n) noexcept { FreeLarge(p, n * sizeof(T), alignof(T)); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};
}  // namespace detail

struct IndexOptions {
  int64_t window_us = 24LL * 3600 * 1000000;
  // Chosen with bench/behaviour_bench.cpp --tune (5-gram shingles, 8 × 3 bands, 4 draws of campaigns):
  // of spintax campaign comments 99.4-100 % end in clusters of ≥ 5 accounts (campaigns of only 8
  // comments: 94.8-97.1 %); of organic tweets (the Comparable ones) 0.39-0.45 % do, nearly all real
  // repeats (song lyrics, memes, a spam bot's template). 0.40 gives 97.8-99.3 % (8-comment campaigns
  // 89-96 %) and 0.37-0.40 %; 0.5 gives 91-93 % (78-82 %) and 0.29-0.33 %.
  double min_similarity = 0.35;
  // Hard bound; past it the oldest entries are dropped early (counted in Stats).
  size_t max_entries = 4'000'000;
  int bands = 8;  // LSH bands (1..32) of `rows` minimums each; bands × rows ≤ kMinHashes
  int rows = 2;
};

struct ClusterInfo {
  int64_t id =
      0;  // 0: no similar comment in the window; else a stable cluster id (event id of its first member)
  uint32_t members = 0;   // comments of the cluster in the window (for Probe: counting the probed one)
  uint32_t accounts = 0;  // distinct accounts among them (for Probe: counting the probing account)
  uint32_t account_members =
      0;                  // members by the probing/adding account (self-repetition), counting the probed one
  double similarity = 0;  // best estimated similarity to a member
  int64_t first_us = 0, last_us = 0;  // times of the oldest and newest member in the window
};

struct Member {
  int64_t event_id;
  int64_t account_id;
  int64_t time_us;
};

class NearDuplicateIndex {  // not thread-safe: the lead's monitor holds a lock around it
 public:
  explicit NearDuplicateIndex(IndexOptions options = {});

  // What Add would report, without changing anything. Ignores entries older than now_us - window.
  // With id 0 the counts describe the probed comment alone (members = accounts = account_members = 1).
  // Members of a cluster that fell out of the window but were not yet expired by an Add are discounted by
  // walking them (at most 4096 per cluster; more are only possible when no Add ran for a long time).
  ClusterInfo Probe(const Fingerprint& fp, int64_t account_id, int64_t now_us) const;
  // Adds a comment (event ids are unique, increasing as added); expires what fell out of the window; returns
  // its cluster after adding (id 0 only when not Comparable or no similar member; the counts are then 1).
  // Matching two clusters merges them (the older id survives). Times may go backwards (clock skew): a time
  // below the last added one is treated as the last one. Comments that are not Indexable are not stored.
  ClusterInfo Add(int64_t event_id, const Fingerprint& fp, int64_t account_id, int64_t time_us);
  // Sizes the ring and the band table for `entries` windowed comments (at most max_entries) up front, so
  // that growing to them costs no rebuild pauses (each rebuild while growing re-places every band key: about
  // 0.7 s at 1M windowed comments of distinct text). Optional.
  void Reserve(size_t entries);
  // Every member in the window, oldest first.
  std::vector<Member> Members(int64_t cluster_id, int64_t now_us) const;
  // Cluster id of a windowed event (0 → nullopt). Binary search over the ring (event ids increase), then a
  // scan of the whole ring when concurrent adds came slightly out of id order.
  std::optional<int64_t> ClusterOf(int64_t event_id) const;

  struct Stats {
    size_t entries = 0;
    size_t clusters = 0;
    size_t memory_bytes = 0;  // from container capacities: ring, band table, clusters, account counts, ids
    uint64_t dropped_early = 0;
    size_t table_slots = 0;  // band table capacity (for the benchmark)
    uint64_t table_rebuilds = 0;
  };
  Stats stats() const;

  const IndexOptions& options() const { return options_; }

 private:
  static constexpr uint32_t kNone = 0xffffffffu;
  static constexpr int kMaxBands = 32;

  struct Entry {
    int64_t event_id;
    int64_t account_id;
    int64_t time_us;
    uint32_t cluster;  // index into clusters_, or kNone
    uint32_t prev;     // low 32 bits of the previous member's sequence; its own when first
    uint32_t next;     // the same for the next member; its own when last
    uint32_t unused;
    uint64_t sig[4];  // 4-bit minimums, 16 per word
  };
  struct Cluster {
    int64_t id;
    uint32_t head, tail;  // low 32 bits of the oldest and newest member's sequence
    uint32_t members, accounts;
  };
  struct Match {
    uint64_t seq;
    double similarity;
  };

  // (cluster, account) → member count, open addressing with linear probing and backward-shift deletion (no
  // tombstones). Grows at 70 % load and never shrinks (bounded by the largest number of clustered members).
  class AccountCounts {
   public:
    uint32_t Get(uint32_t cluster, int64_t account) const {
      return slots_.empty() ? 0 : slots_[Find(cluster, account)].count;
    }
    uint32_t Increment(uint32_t cluster, int64_t account) {  // returns the new count
      if ((used_ + 1) * 10 > slots_.size() * 7) Grow();
      Slot& s = slots_[Find(cluster, account)];
      if (s.count == 0) s = Slot{account, cluster, 0}, ++used_;
      return ++s.count;
    }
    uint32_t Decrement(uint32_t cluster, int64_t account) {  // returns the new count (requires a count)
      size_t i = slots_.empty() ? 0 : Find(cluster, account);
      if (slots_.empty() || slots_[i].count == 0) return 0;
      if (--slots_[i].count != 0) return slots_[i].count;
      --used_;
      const size_t mask = slots_.size() - 1;
      for (size_t j = (i + 1) & mask; slots_[j].count != 0; j = (j + 1) & mask) {
        const size_t home = Home(slots_[j].cluster, slots_[j].account);    // j moves into the hole at i
        if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {  // unless home is in (i, j]
          slots_[i] = slots_[j];
          slots_[j].count = 0;
          i = j;
        }
      }
      return 0;
    }
    size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

   private:
    struct Slot {
      int64_t account;
      uint32_t cluster;
      uint32_t count;  // 0: empty
    };
    size_t Home(uint32_t cluster, int64_t account) const {
      return detail::Mix64(static_cast<uint64_t>(account) * 0x9e3779b97f4a7c15ULL ^ cluster) &
             (slots_.size() - 1);
    }
    size_t Find(uint32_t cluster, int64_t account) const {  // its slot, or the empty slot ending its chain
      size_t i = Home(cluster, account);
      while (slots_[i].count != 0 && (slots_[i].account != account || slots_[i].cluster != cluster))
        i = (i + 1) & (slots_.size() - 1);
      return i;
    }
    void Grow() {
      std::vector<Slot> old = std::move(slots_);
      slots_.assign(std::max<size_t>(64, old.size() * 2), Slot{0, 0, 0});
      for (const Slot& s : old)
        if (s.count != 0) slots_[Find(s.cluster, s.account)] = s;
    }
    std::vector<Slot> slots_;
    size_t used_ = 0;
  };

  uint64_t FullSeq(uint32_t low) const {
    return next_seq_ - static_cast<uint32_t>(static_cast<uint32_t>(next_seq_) - low);
  }
  bool Live(uint64_t seq) const { return seq >= head_seq_ && seq < next_seq_; }
  Entry& At(uint64_t seq) { return ring_[seq % ring_.size()]; }
  const Entry& At(uint64_t seq) const { return ring_[seq % ring_.size()]; }

  // Candidates through `bands` keys, linked at estimated similarity >= threshold.
  std::vector<Match> FindMatches(const uint32_t* keys, int bands, double threshold, const detail::BBitSignature& sig,
                                 int64_t cutoff) const;
  // A fingerprint's table keys (the LSH bands; one key of its normalised form for a short text) and count.
  int Keys(const Fingerprint& fp, uint32_t* keys) const;
  // The similarity that links: min_similarity, or 1.0 (identical) for a short text.
  double Threshold(const Fingerprint& fp) const;
  std::pair<size_t, size_t> Buckets(uint32_t key) const;  // the two buckets `key` may live in
  const uint64_t* TableFind(uint32_t key) const;  // the slot holding `key` (low 32 bits: its sequence)
  void TableInsert(uint32_t key, uint32_t low_seq);
  bool TablePlace(uint64_t& value);
  void RebuildTable(size_t min_buckets, uint64_t extra);
  void PopOldest();
  void ResizeRing(size_t size);
  uint32_t NewCluster(uint64_t seq);
  void MergeInto(uint32_t dst, uint64_t src_head, uint32_t src_cluster);
  ClusterInfo InfoOf(uint32_t cluster, int64_t account_id, double similarity, int64_t now_us) const;

  IndexOptions options_;
  std::vector<Entry, detail::HugePageAllocator<Entry>> ring_;  // up to max_entries; sequence s at s % size()
  uint64_t head_seq_ = 0;                                      // oldest live entry
  uint64_t next_seq_ = 0;                                      // one past the newest
  int64_t last_time_us_ = INT64_MIN;
  struct alignas(64) Bucket {
    uint64_t slot[8];  // (band key << 32) | low sequence; 0: empty
  };
  std::vector<Bucket, detail::HugePageAllocator<Bucket>>
      table_;  // bucketised cuckoo: a key in one of two buckets
  size_t table_occupied_ = 0;
  uint64_t table_rebuild_seq_ = 0;
  uint64_t table_rebuilds_ = 0;
  uint64_t kick_rng_ = 0x9e3779b97f4a7c15ULL;  // xorshift state for cuckoo evictions
  std::vector<Cluster> clusters_;
  std::vector<uint32_t> free_clusters_;
  std::unordered_map<int64_t, uint32_t> cluster_by_id_;
  AccountCounts account_counts_;
  uint64_t dropped_early_ = 0;
};

}  // namespace tribune::moderation::behaviour
