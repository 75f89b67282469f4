// The near-duplicate index (see near_duplicates.hpp for the design).
#include "moderation/behaviour/near_duplicates.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <new>

namespace tribune::moderation::behaviour {
namespace {

using detail::Mix64;

int64_t SaturatingSub(int64_t a, int64_t b) {  // b >= 0
  return a < std::numeric_limits<int64_t>::min() + b ? std::numeric_limits<int64_t>::min() : a - b;
}

constexpr int kBucketSlots = 8;            // one 64-byte cache line
constexpr double kTableMaxLoad = 0.93;     // rebuild when live + stale slots reach this share
constexpr double kTableRebuildLoad = 0.7;  // live share right after a rebuild
constexpr size_t kMinTableBuckets = 128;
constexpr int kMaxKicks = 500;
constexpr uint64_t kRebuildEverySeq = 1ULL << 30;  // stale low-32-bit sequences must never look live
constexpr size_t kProbeExpiredWalk = 4096;
// A candidate in a cluster scoring at least kExpandFloor × min_similarity is a near miss: up to
// kExpandMembers of the cluster's newest members are compared too.
constexpr double kExpandFloor = 0.5;
constexpr int kExpandMembers = 16;

}  // namespace

// ---- memory ----

namespace detail {

constexpr size_t kHugePage = size_t{2} << 20;

void* AllocateLarge(size_t bytes, size_t align) {
  if (bytes < 2 * kHugePage) return ::operator new(bytes, std::align_val_t(align));
  const size_t size = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* raw = mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const uintptr_t begin = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t start = (begin + kHugePage - 1) & ~(kHugePage - 1);
  if (start > begin) munmap(raw, start - begin);  // trim to a 2 MiB-aligned block
  if (begin + size + kHugePage > start + size)
    munmap(reinterpret_cast<void*>(start + size), begin + kHugePage - start);
  madvise(reinterpret_cast<void*>(start), size, MADV_HUGEPAGE);  // best effort
  return reinterpret_cast<void*>(start);
}

void FreeLarge(void* p, size_t bytes, size_t align) noexcept {
  if (bytes < 2 * kHugePage)
    ::operator delete(p, std::align_val_t(align));
  else
    munmap(p, (bytes + kHugePage - 1) / kHugePage * kHugePage);
}

}  // namespace detail

// ---- band table ----

std::pair<size_t, size_t> NearDuplicateIndex::Buckets(uint32_t key) const {
  const uint64_t n = table_.size();
  const size_t b1 = (static_cast<uint64_t>(key) * n) >> 32;
  size_t b2 = (static_cast<uint64_t>(static_cast<uint32_t>(Mix64(key))) * n) >> 32;
  if (b2 == b1) b2 = b1 + 1 == n ? 0 : b1 + 1;
  return {b1, b2};
}

const uint64_t* NearDuplicateIndex::TableFind(uint32_t key) const {
  const auto [b1, b2] = Buckets(key);
  for (const size_t b : {b1, b2})
    for (const uint64_t& v : table_[b].slot)
      if (static_cast<uint32_t>(v >> 32) == key) return &v;  // keys are never 0, empty slots are
  return nullptr;
}

void NearDuplicateIndex::TableInsert(uint32_t key, uint32_t low_seq) {
  uint64_t value = static_cast<uint64_t>(key) << 32 | low_seq;
  if (const uint64_t* slot = TableFind(key))
    *const_cast<uint64_t*>(slot) = value;
  else if (!TablePlace(value))
    RebuildTable(table_.size() + table_.size() / 4 + 1, value);
}

// Places `value` (its key absent) in an empty or stale slot of one of its two buckets, else evicts a random
// live entry into that entry's other bucket (cuckoo), up to kMaxKicks times. On failure `value` holds the
// entry left without a slot.
bool NearDuplicateIndex::TablePlace(uint64_t& value) {
  for (int kick = 0; kick <= kMaxKicks; ++kick) {
    // A stale slot first: at a steady window the slots of expired comments absorb the new keys and the
    // occupied count (which triggers rebuilds) does not grow.
    const auto [b1, b2] = Buckets(static_cast<uint32_t>(value >> 32));
    uint64_t* empty = nullptr;
    for (const size_t b : {b1, b2}) {
      for (uint64_t& v : table_[b].slot) {
        if (v == 0) {
          if (empty == nullptr) empty = &v;
        } else if (!Live(FullSeq(static_cast<uint32_t>(v)))) {
          v = value;
          return true;
        }
      }
    }
    if (empty != nullptr) {
      *empty = value;
      ++table_occupied_;
      return true;
    }
    kick_rng_ ^= kick_rng_ << 13;
    kick_rng_ ^= kick_rng_ >> 7;
    kick_rng_ ^= kick_rng_ << 17;
    std::swap(table_[(kick_rng_ >> 40) & 1 ? b1 : b2].slot[kick_rng_ % kBucketSlots], value);
  }
  return false;
}

// A table of at least `min_buckets` with the live entries (and `extra` unless 0), live at
// kTableRebuildLoad; grows further in the (rare) case kicks run out.
void NearDuplicateIndex::RebuildTable(size_t min_buckets, uint64_t extra) {
  auto old = std::move(table_);
  size_t live = extra != 0;
  for (const Bucket& bucket : old)
    for (const uint64_t v : bucket.slot) live += v != 0 && Live(FullSeq(static_cast<uint32_t>(v)));
  size_t n =
      std::max({kMinTableBuckets, min_buckets,
                static_cast<size_t>(static_cast<double>(live) / (kBucketSlots * kTableRebuildLoad)) + 1});
  for (;; n += n / 4 + 1) {
    table_.assign(n, Bucket{});
    table_occupied_ = 0;
    uint64_t pending = extra;
    bool ok = extra == 0 || TablePlace(pending);
    for (const Bucket& bucket : old) {
      for (const uint64_t v : bucket.slot) {
        if (!ok) break;
        if (v == 0 || !Live(FullSeq(static_cast<uint32_t>(v)))) continue;
        pending = v;
        ok = TablePlace(pending);
      }
    }
    if (ok) break;
  }
  table_rebuild_seq_ = next_seq_;
  ++table_rebuilds_;
}

// ---- ring and clusters ----

NearDuplicateIndex::NearDuplicateIndex(IndexOptions options) : options_(options) {
  options_.bands = std::clamp(options_.bands, 1, kMaxBands);
  options_.rows = std::clamp(options_.rows, 1, kMinHashes / options_.bands);
  options_.max_entries = std::clamp<size_t>(options_.max_entries, 1, size_t{1} << 31);
  options_.window_us = std::max<int64_t>(options_.window_us, 0);
  table_.assign(kMinTableBuckets, Bucket{});
}

void NearDuplicateIndex::Reserve(size_t entries) {
  entries = std::min(entries, options_.max_entries);
  if (entries > ring_.size()) ResizeRing(entries);
  const size_t buckets =
      static_cast<size_t>(static_cast<double>(entries) * options_.bands / (kBucketSlots * kTableRebuildLoad));
  if (buckets > table_.size()) RebuildTable(buckets, 0);
}

void NearDuplicateIndex::ResizeRing(size_t size) {
  decltype(ring_) grown(size);
  for (uint64_t s = head_seq_; s < next_seq_; ++s) grown[s % size] = ring_[s % ring_.size()];
  ring_ = std::move(grown);
}

void NearDuplicateIndex::PopOldest() {
  const Entry& e = At(head_seq_);
  if (e.cluster != kNone) {
    const uint32_t ci = e.cluster;
    Cluster& c = clusters_[ci];
    assert(c.head == static_cast<uint32_t>(head_seq_));  // the oldest entry is the oldest of its cluster
    --c.members;
    if (account_counts_.Decrement(ci, e.account_id) == 0) --c.accounts;
    if (e.next == static_cast<uint32_t>(head_seq_)) {
      cluster_by_id_.erase(c.id);
      free_clusters_.push_back(ci);
    } else {
      c.head = e.next;
      At(FullSeq(e.next)).prev = e.next;
    }
  }
  ++head_seq_;
}

uint32_t NearDuplicateIndex::NewCluster(uint64_t seq) {
  uint32_t ci;
  if (!free_clusters_.empty()) {
    ci = free_clusters_.back();
    free_clusters_.pop_back();
  } else {
    ci = static_cast<uint32_t>(clusters_.size());
    clusters_.push_back({});
  }
  Entry& e = At(seq);
  const uint32_t low = static_cast<uint32_t>(seq);
  clusters_[ci] = Cluster{e.event_id, low, low, 1, 1};
  e.cluster = ci;
  e.prev = e.next = low;
  account_counts_.Increment(ci, e.account_id);
  cluster_by_id_[e.event_id] = ci;
  return ci;
}

// Moves the members of `src_cluster` (or the single unclustered entry `src_head` when kNone) into `dst`,
// keeping dst's list sorted: insertion walks back from dst's tail, so it costs the moved members plus the
// dst members newer than the oldest moved one. The caller fixes dst's id.
void NearDuplicateIndex::MergeInto(uint32_t dst, uint64_t src_head, uint32_t src_cluster) {
  std::vector<uint64_t> moved;
  for (uint64_t s = src_head;;) {
    moved.push_back(s);
    const Entry& e = At(s);
    if (src_cluster == kNone || e.next == static_cast<uint32_t>(s)) break;
    s = FullSeq(e.next);
  }
  Cluster& d = clusters_[dst];
  bool have_pos = true;
  uint64_t pos = FullSeq(d.tail);
  for (auto it = moved.rbegin(); it != moved.rend(); ++it) {
    const uint64_t s = *it;
    const uint32_t low = static_cast<uint32_t>(s);
    while (have_pos && pos > s) {
      const uint32_t prev = At(pos).prev;
      if (prev == static_cast<uint32_t>(pos))
        have_pos = false;
      else
        pos = FullSeq(prev);
    }
    Entry& e = At(s);
    if (!have_pos) {  // new head
      Entry& old_head = At(FullSeq(d.head));
      e.prev = low;
      e.next = d.head;
      old_head.prev = low;
      d.head = low;
    } else {
      Entry& p = At(pos);
      const bool was_tail = p.next == static_cast<uint32_t>(pos);
      e.prev = static_cast<uint32_t>(pos);
      e.next = was_tail ? low : p.next;
      if (was_tail)
        d.tail = low;
      else
        At(FullSeq(p.next)).prev = low;
      p.next = low;
    }
    if (src_cluster != kNone) account_counts_.Decrement(src_cluster, e.account_id);
    e.cluster = dst;
    ++d.members;
    if (account_counts_.Increment(dst, e.account_id) == 1) ++d.accounts;
  }
  if (src_cluster != kNone) {
    cluster_by_id_.erase(clusters_[src_cluster].id);
    clusters_[src_cluster].members = 0;
    free_clusters_.push_back(src_cluster);
  }
}

std::vector<NearDuplicateIndex::Match> NearDuplicateIndex::FindMatches(const uint32_t* keys, int bands,
                                                                       double threshold,
                                                                       const detail::BBitSignature& sig,
                                                                       int64_t cutoff) const {
  std::vector<Match> matches;
  uint64_t seen[kMaxBands];
  int n_seen = 0;
  uint32_t expanded[kMaxBands];
  int n_expanded = 0;
  for (int b = 0; b < bands; ++b) {
    const uint64_t* slot = TableFind(keys[b]);
    if (slot == nullptr) continue;
    const uint64_t s = FullSeq(static_cast<uint32_t>(*slot));
    if (!Live(s) || std::find(seen, seen + n_seen, s) != seen + n_seen) continue;
    seen[n_seen++] = s;
    const Entry& e = At(s);
    if (e.time_us < cutoff) continue;
    const double sim = detail::BBitSimilarity(e.sig, sig.w);
    if (sim >= threshold) {
      matches.push_back({s, sim});
    } else if (bands > 1 && e.cluster != kNone && sim >= options_.min_similarity * kExpandFloor &&
               std::find(expanded, expanded + n_expanded, e.cluster) == expanded + n_expanded) {
      // A near miss in a cluster: a campaign's variants differ, so compare with its newest members too.
      expanded[n_expanded++] = e.cluster;
      uint64_t m = FullSeq(clusters_[e.cluster].tail);
      for (int k = 0; k < kExpandMembers; ++k) {
        const Entry& x = At(m);
        if (x.time_us < cutoff) break;
        const double xs = m == s ? 0 : detail::BBitSimilarity(x.sig, sig.w);
        if (xs >= options_.min_similarity) {
          matches.push_back({m, xs});
          break;
        }
        if (x.prev == static_cast<uint32_t>(m)) break;
        m = FullSeq(x.prev);
      }
    }
  }
  return matches;
}

int NearDuplicateIndex::Keys(const Fingerprint& fp, uint32_t* keys) const {
  if (fp.Comparable()) {
    detail::BandKeys(fp, options_.bands, options_.rows, keys);
    return options_.bands;
  }
  // A short text has one key, from its whole normalised form (salted apart from the band keys).
  const uint32_t key = static_cast<uint32_t>(detail::Mix64(fp.exact ^ 0x65786163746f6e6cULL) >> 32);
  keys[0] = key == 0 ? 1 : key;
  return 1;
}

double NearDuplicateIndex::Threshold(const Fingerprint& fp) const {
  return fp.Comparable() ? options_.min_similarity : 1.0;  // short texts: every minimum equal
}

ClusterInfo NearDuplicateIndex::InfoOf(uint32_t ci, int64_t account_id, double similarity,
                                       int64_t now_us) const {
  const Cluster& c = clusters_[ci];
  ClusterInfo info;
  info.id = c.id;
  info.members = c.members;
  info.accounts = c.accounts;
  info.account_members = account_counts_.Get(ci, account_id);
  info.similarity = similarity;
  info.first_us = At(FullSeq(c.head)).time_us;
  info.last_us = std::max(now_us, At(FullSeq(c.tail)).time_us);
  return info;
}

ClusterInfo NearDuplicateIndex::Add(int64_t event_id, const Fingerprint& fp, int64_t account_id,
                                    int64_t time_us) {
  const int64_t t = std::max(time_us, last_time_us_);
  last_time_us_ = t;
  const int64_t cutoff = SaturatingSub(t, options_.window_us);
  while (head_seq_ < next_seq_ && At(head_seq_).time_us < cutoff) PopOldest();

  ClusterInfo alone{0, 1, 1, 1, 0, t, t};
  if (!fp.Indexable()) return alone;
  if (next_seq_ - head_seq_ >= options_.max_entries) {
    PopOldest();
    ++dropped_early_;
  }

  const detail::BBitSignature sig = detail::MakeBBitSignature(fp);
  uint32_t keys[kMaxBands];
  const int bands = Keys(fp, keys);
  const std::vector<Match> matches = FindMatches(keys, bands, Threshold(fp), sig, cutoff);

  if (next_seq_ - head_seq_ >= ring_.size())
    ResizeRing(std::min(options_.max_entries, std::max<size_t>(1024, ring_.size() + ring_.size() / 2)));
  const uint64_t seq = next_seq_++;
  const uint32_t low = static_cast<uint32_t>(seq);
  At(seq) = Entry{event_id, account_id, t, kNone, low, low, 0, {sig.w[0], sig.w[1], sig.w[2], sig.w[3]}};
  for (int b = 0; b < bands; ++b) TableInsert(keys[b], low);
  if (static_cast<double>(table_occupied_) >
          kTableMaxLoad * static_cast<double>(table_.size() * kBucketSlots) ||
      next_seq_ - table_rebuild_seq_ > kRebuildEverySeq)
    RebuildTable(0, 0);
  if (matches.empty()) return alone;

  // The merged cluster takes the oldest id among the matches (an unclustered entry's would-be id is its event
  // id); the largest matched cluster's record absorbs the others, so a merge moves the smaller side.
  double best = 0;
  uint32_t dst = kNone;
  int64_t survivor_id = std::numeric_limits<int64_t>::max();
  uint64_t oldest_single = 0;
  int64_t oldest_single_id = std::numeric_limits<int64_t>::max();
  for (const Match& m : matches) {
    best = std::max(best, m.similarity);
    const Entry& e = At(m.seq);
    if (e.cluster == kNone) {
      if (e.event_id < oldest_single_id) oldest_single_id = e.event_id, oldest_single = m.seq;
      survivor_id = std::min(survivor_id, e.event_id);
    } else {
      survivor_id = std::min(survivor_id, clusters_[e.cluster].id);
      if (dst == kNone || clusters_[e.cluster].members > clusters_[dst].members) dst = e.cluster;
    }
  }
  if (dst == kNone) dst = NewCluster(oldest_single);
  for (const Match& m : matches) {
    const Entry& e = At(m.seq);
    if (e.cluster == dst) continue;  // also the earlier members of clusters merged just now
    if (e.cluster == kNone)
      MergeInto(dst, m.seq, kNone);
    else
      MergeInto(dst, FullSeq(clusters_[e.cluster].head), e.cluster);
  }
  if (clusters_[dst].id != survivor_id) {
    cluster_by_id_.erase(clusters_[dst].id);
    clusters_[dst].id = survivor_id;
    cluster_by_id_[survivor_id] = dst;
  }
  // Append the new entry: it is the newest of all.
  Cluster& d = clusters_[dst];
  Entry& e = At(seq);
  At(FullSeq(d.tail)).next = low;
  e.prev = d.tail;
  e.cluster = dst;
  d.tail = low;
  ++d.members;
  if (account_counts_.Increment(dst, account_id) == 1) ++d.accounts;
  return InfoOf(dst, account_id, best, t);
}

ClusterInfo NearDuplicateIndex::Probe(const Fingerprint& fp, int64_t account_id, int64_t now_us) const {
  const int64_t t = std::max(now_us, last_time_us_);
  const int64_t cutoff = SaturatingSub(t, options_.window_us);
  ClusterInfo info{0, 1, 1, 1, 0, t, t};
  if (!fp.Indexable() || head_seq_ == next_seq_) return info;
  uint32_t keys[kMaxBands];
  const int bands = Keys(fp, keys);
  const std::vector<Match> matches = FindMatches(keys, bands, Threshold(fp), detail::MakeBBitSignature(fp), cutoff);
  if (matches.empty()) return info;

  // The largest matched cluster is counted from its counts (minus members already out of the window);
  // the other matched clusters and unclustered entries are walked.
  uint32_t largest = kNone;
  std::vector<uint32_t> clusters;
  std::vector<uint64_t> singles;
  for (const Match& m : matches) {
    info.similarity = std::max(info.similarity, m.similarity);
    const uint32_t ci = At(m.seq).cluster;
    if (ci == kNone) {
      singles.push_back(m.seq);
    } else if (std::find(clusters.begin(), clusters.end(), ci) == clusters.end()) {
      clusters.push_back(ci);
      if (largest == kNone || clusters_[ci].members > clusters_[largest].members) largest = ci;
    }
  }
  info.id = std::numeric_limits<int64_t>::max();
  info.first_us = t;
  std::vector<int64_t> expired;  // accounts of the largest cluster's members out of the window
  uint32_t members = 0, accounts = 0;
  if (largest != kNone) {
    const Cluster& c = clusters_[largest];
    uint64_t s = FullSeq(c.head);
    for (size_t walked = 0; walked < kProbeExpiredWalk && At(s).time_us < cutoff; ++walked) {
      expired.push_back(At(s).account_id);
      if (At(s).next == static_cast<uint32_t>(s)) break;
      s = FullSeq(At(s).next);
    }
    std::sort(expired.begin(), expired.end());
    members = c.members - static_cast<uint32_t>(expired.size());
    accounts = c.accounts;
    for (auto i = expired.begin(); i != expired.end();) {  // an account all of whose members expired
      const auto j = std::upper_bound(i, expired.end(), *i);
      accounts -= account_counts_.Get(largest, *i) == static_cast<uint32_t>(j - i);
      i = j;
    }
    if (members > 0) info.first_us = std::min(info.first_us, At(s).time_us);
    info.id = c.id;
  }
  auto live_in_largest = [&](int64_t account) -> uint32_t {
    if (largest == kNone) return 0;
    const auto range = std::equal_range(expired.begin(), expired.end(), account);
    return account_counts_.Get(largest, account) - static_cast<uint32_t>(range.second - range.first);
  };
  std::vector<int64_t> others;
  auto take = [&](const Entry& e) {
    if (e.time_us < cutoff) return;
    others.push_back(e.account_id);
    info.first_us = std::min(info.first_us, e.time_us);
  };
  for (uint32_t ci : clusters) {
    if (ci == largest) continue;
    info.id = std::min(info.id, clusters_[ci].id);
    for (uint64_t s = FullSeq(clusters_[ci].head);; s = FullSeq(At(s).next)) {
      take(At(s));
      if (At(s).next == static_cast<uint32_t>(s)) break;
    }
  }
  for (uint64_t s : singles) {
    info.id = std::min(info.id, At(s).event_id);
    take(At(s));
  }
  members += static_cast<uint32_t>(others.size());
  const uint32_t own = live_in_largest(account_id) +
                       static_cast<uint32_t>(std::count(others.begin(), others.end(), account_id));
  std::sort(others.begin(), others.end());
  others.erase(std::unique(others.begin(), others.end()), others.end());
  for (int64_t a : others) accounts += live_in_largest(a) == 0;
  info.members = members + 1;
  info.accounts = accounts + (own == 0 ? 1 : 0);
  info.account_members = own + 1;
  return info;
}

std::vector<Member> NearDuplicateIndex::Members(int64_t cluster_id, int64_t now_us) const {
  std::vector<Member> out;
  const auto it = cluster_by_id_.find(cluster_id);
  if (it == cluster_by_id_.end()) return out;
  const Cluster& c = clusters_[it->second];
  const int64_t cutoff = SaturatingSub(now_us, options_.window_us);
  out.reserve(c.members);
  for (uint64_t s = FullSeq(c.head);; s = FullSeq(At(s).next)) {
    const Entry& e = At(s);
    if (e.time_us >= cutoff) out.push_back({e.event_id, e.account_id, e.time_us});
    if (e.next == static_cast<uint32_t>(s)) break;
  }
  return out;
}

std::optional<int64_t> NearDuplicateIndex::ClusterOf(int64_t event_id) const {
  uint64_t lo = head_seq_, hi = next_seq_;  // first entry with event id >= event_id
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (At(mid).event_id < event_id)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo != next_seq_ && At(lo).event_id == event_id) {
    return At(lo).cluster == kNone ? std::nullopt : std::optional<int64_t>(clusters_[At(lo).cluster].id);
  }
  // Concurrent posts may be added slightly out of id order (ids are taken before the commit, entries added
  // after it), which can hide an entry from the binary search: look at every entry (moderator views only).
  for (uint64_t seq = head_seq_; seq < next_seq_; ++seq) {
    if (At(seq).event_id == event_id) {
      return At(seq).cluster == kNone ? std::nullopt : std::optional<int64_t>(clusters_[At(seq).cluster].id);
    }
  }
  return std::nullopt;
}

NearDuplicateIndex::Stats NearDuplicateIndex::stats() const {
  Stats st;
  st.entries = next_seq_ - head_seq_;
  st.clusters = cluster_by_id_.size();
  st.dropped_early = dropped_early_;
  st.table_slots = table_.size() * kBucketSlots;
  st.table_rebuilds = table_rebuilds_;
  // unordered_map: a bucket pointer each plus one heap node (next pointer + pair, rounded by malloc) per id.
  st.memory_bytes = ring_.capacity() * sizeof(Entry) + table_.capacity() * sizeof(Bucket) +
                    clusters_.capacity() * sizeof(Cluster) + free_clusters_.capacity() * sizeof(uint32_t) +
                    account_counts_.memory_bytes() + cluster_by_id_.bucket_count() * sizeof(void*) +
                    cluster_by_id_.size() * 32;
  return st;
}

}  // namespace tribune::moderation::behaviour
