#include "moderation/behaviour/monitor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace tribune::moderation::behaviour {

namespace {

constexpr int64_t kMinute = 60LL * 1000000;
constexpr int64_t kDay = 86400LL * 1000000;

}  // namespace

// How much each event moves an account's standing (before decay).
double StandingChange(StandingEvent e) {
  switch (e) {
    case StandingEvent::kRejected: return 1.0;
    case StandingEvent::kInsultFinding: return 0.5;
    case StandingEvent::kReportReceived: return 0.5;
    case StandingEvent::kModeratorRejected: return 1.5;
    case StandingEvent::kModeratorApproved: return -0.5;
    case StandingEvent::kHeld: return 0.25;
  }
  return 0;
}

namespace {

// Rules whose findings in an accepted comment lower its author's standing: aggression toward people.
bool IsAggression(std::string_view rule) {
  return rule == "insult_threat" || rule == "hate" || rule == "insult_publisher" || rule == "trolling";
}

std::string Duration(int64_t us) {
  const int64_t minutes = us / kMinute;
  char buf[48];
  if (minutes < 1) std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(us / 1000000));
  else if (minutes < 120) std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(minutes));
  else std::snprintf(buf, sizeof buf, "%.1f h", static_cast<double>(minutes) / 60.0);
  return buf;
}

Signal WholeText(const char* rule, double confidence, std::string detail, size_t text_size) {
  Signal s;
  s.rule = rule;
  s.confidence = std::clamp(confidence, 0.0, 1.0);
  s.detail = std::move(detail);
  if (text_size > 0) s.spans.emplace_back(0, text_size);
  s.may_reject = false;  // behaviour is evidence about the account's conduct: at most a hold
  return s;
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

// Letters and "incoherence" from the squeezed view (lower case, leet read as letters). A text is
// incoherent when it has letters but no word of three or more, or when most of its long Latin words have
// no vowel (keyboard mashing: "sdfgh jkkl").
void MeasureText(std::string_view s, uint32_t& letters, bool& incoherent) {
  letters = 0;
  uint32_t words = 0, long_words = 0, vowelless = 0, len = 0;
  bool vowel = false, latin = true;
  auto end_word = [&] {
    if (len >= 3) ++words;
    if (len >= 5 && latin) {
      ++long_words;
      if (!vowel) ++vowelless;
    }
    len = 0;
    vowel = false;
    latin = true;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool ascii_letter = c >= 'a' && c <= 'z';
    const bool multibyte_lead = c >= 0xC0;
    if (ascii_letter || multibyte_lead) {
      ++letters;
      ++len;
      if (ascii_letter && IsVowel(static_cast<char>(c))) vowel = true;
      if (multibyte_lead) latin = false;
    } else if (c >= 0x80) {
      // continuation byte of the current letter
    } else {
      end_word();
    }
  }
  end_word();
  incoherent = letters > 0 && (words == 0 || (long_words >= 2 && vowelless * 2 >= long_words));
}

void PutI64(std::string& out, int64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out.append(b, 8);
}

int64_t GetI64(const char* p) {
  int64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

double StandingChange(Action action, const std::vector<std::string>& rules) {
  const bool aggression = std::any_of(rules.begin(), rules.end(), [](const std::string& r) { return IsAggression(r); });
  // A refused insult is what a troll leaves behind; a refused phone number or link is not.
  if (action == Action::kReject) return aggression ? StandingChange(StandingEvent::kRejected) : 0.25;
  return aggression ? StandingChange(StandingEvent::kInsultFinding) : 0;
}

std::string Observation::Serialize() const {
  std::string out;
  out.push_back(1);  // format version
  PutI64(out, attempt.account_id);
  PutI64(out, attempt.account_created_us);
  PutI64(out, attempt.article_id);
  PutI64(out, attempt.parent_author_id);
  PutI64(out, attempt.time_us);
  PutI64(out, letters);
  PutI64(out, text_bytes);
  out.push_back(incoherent ? 1 : 0);
  out += fingerprint.Serialize();
  return out;
}

std::optional<Observation> Observation::Parse(std::string_view bytes) {
  constexpr size_t kHead = 1 + 7 * 8 + 1;
  if (bytes.size() < kHead || bytes[0] != 1) return std::nullopt;
  Observation o;
  const char* p = bytes.data() + 1;
  o.attempt.account_id = GetI64(p);
  o.attempt.account_created_us = GetI64(p + 8);
  o.attempt.article_id = GetI64(p + 16);
  o.attempt.parent_author_id = GetI64(p + 24);
  o.attempt.time_us = GetI64(p + 32);
  const int64_t letters = GetI64(p + 40);
  if (letters < 0 || letters > UINT32_MAX) return std::nullopt;
  o.letters = static_cast<uint32_t>(letters);
  const int64_t text_bytes = GetI64(p + 48);
  if (text_bytes < 0 || text_bytes > UINT32_MAX) return std::nullopt;
  o.text_bytes = static_cast<uint32_t>(text_bytes);
  const char inc = p[56];
  if (inc != 0 && inc != 1) return std::nullopt;
  o.incoherent = inc == 1;
  auto fp = Fingerprint::Parse(bytes.substr(kHead));
  if (!fp) return std::nullopt;
  o.fingerprint = *fp;
  return o;
}

BehaviourMonitor::BehaviourMonitor(BehaviourOptions options)
    : options_(options),
      window_(IndexOptions{.window_us = options.window_us,
                           .min_similarity = options.min_similarity,
                           .max_entries = options.max_window_entries}) {
  options_.cluster_accounts = std::max<uint32_t>(options_.cluster_accounts, 2);
  options_.standing_half_life_days = std::max(options_.standing_half_life_days, 0.01);
}

Observation BehaviourMonitor::Observe(const Attempt& attempt, const text::TextViews& views,
                                      std::string_view article_text) const {
  Observation obs;
  obs.attempt = attempt;
  if (article_text.empty()) {
    obs.fingerprint = MakeFingerprint(views, nullptr);
  } else {
    std::shared_ptr<const ArticleShingles> shingles = ArticleShinglesFor(attempt.article_id, article_text);
    obs.fingerprint = MakeFingerprint(views, shingles.get());
  }
  obs.text_bytes = static_cast<uint32_t>(views.original.size());
  MeasureText(views.squeezed.text, obs.letters, obs.incoherent);
  return obs;
}

std::shared_ptr<const ArticleShingles> BehaviourMonitor::ArticleShinglesFor(int64_t article_id,
                                                                           std::string_view article_text) const {
  const size_t hash = std::hash<std::string_view>{}(article_text);
  {
    std::lock_guard lock(articles_mu_);
    auto it = articles_.find(article_id);
    if (it != articles_.end() && it->second.text_hash == hash) return it->second.shingles;
  }
  auto shingles = std::make_shared<const ArticleShingles>(ArticleShingles::Of(article_text));
  std::lock_guard lock(articles_mu_);
  if (articles_.size() >= kArticleCache) articles_.clear();  // a crude bound: articles are few and re-built fast
  articles_[article_id] = {hash, shingles};
  return shingles;
}

double BehaviourMonitor::Decayed(double standing, int64_t from_us, int64_t to_us) const {
  if (standing <= 0 || to_us <= from_us) return std::max(standing, 0.0);
  const double days = static_cast<double>(to_us - from_us) / static_cast<double>(kDay);
  return standing * std::exp2(-days / options_.standing_half_life_days);
}

double BehaviourMonitor::TokensAt(const Bucket& b, double burst, double per_minute, int64_t now_us) const {
  if (b.at_us == 0) return burst;  // never seen: a full bucket
  const double minutes = static_cast<double>(std::max<int64_t>(now_us - b.at_us, 0)) / static_cast<double>(kMinute);
  return std::min(burst, b.tokens + minutes * per_minute);
}

void BehaviourMonitor::Assess(const Observation& obs, const std::vector<Signal>& content,
                              std::vector<Signal>& out) const {
  std::lock_guard lock(mu_);
  // One probe of the window serves both flash_mob (other accounts) and flood (the account's own repeats).
  ClusterInfo cluster;
  if (obs.fingerprint.Indexable()) cluster = window_.Probe(obs.fingerprint, obs.attempt.account_id, obs.attempt.time_us);
  AssessFlashMob(obs, cluster, out);
  if (options_.limits_enabled) AssessFlood(obs, cluster, out);
  AssessTrolling(obs, content, out);
}

bool BehaviourMonitor::IsCampaign(const ClusterInfo& c, const Fingerprint& fp, int64_t now_us) const {
  if (c.id == 0) return false;
  if (!fp.ExactOnly()) return c.accounts >= options_.cluster_accounts;
  // A short sentence is also what many readers write on their own ("Great article, thank you very much"):
  // identical short copies are a campaign only from twice as many accounts, all within an hour.
  return c.accounts >= 2 * options_.cluster_accounts && std::max(c.last_us, now_us) - c.first_us <= kShortBurstUs;
}

void BehaviourMonitor::AssessFlashMob(const Observation& obs, const ClusterInfo& c, std::vector<Signal>& out) const {
  const Attempt& a = obs.attempt;
  if (!IsCampaign(c, obs.fingerprint, a.time_us) || approved_.contains(c.id)) return;
  // rspamd-style: tanh(accounts / limit), raised by a burst (the cluster grew within an hour) and by a
  // young account; at the limit the score is already past the hold line.
  double confidence = std::tanh(static_cast<double>(c.accounts) / options_.cluster_accounts);
  const int64_t span = std::max<int64_t>(c.last_us, a.time_us) - c.first_us;
  const bool burst = span <= 60 * kMinute;
  if (burst) confidence += 0.1;
  const bool young = a.account_created_us > 0 && a.time_us - a.account_created_us < options_.new_account_us;
  if (young) confidence += 0.1;
  char detail[200];
  std::snprintf(detail, sizeof detail, "flash mob: cluster %lld, %u accounts, %u comments in %s%s%s; similarity %.2f",
                static_cast<long long>(c.id), c.accounts, c.members, Duration(span).c_str(), burst ? " (burst)" : "",
                young ? "; new account" : "", c.similarity);
  out.push_back(WholeText("flash_mob", confidence, detail, obs.text_bytes));
}

void BehaviourMonitor::AssessFlood(const Observation& obs, const ClusterInfo& cluster, std::vector<Signal>& out) const {
  const Attempt& a = obs.attempt;
  const int64_t now = a.time_us;
  std::string reasons;
  double confidence = 0;
  auto add = [&](double c, const std::string& why) {
    confidence = std::max(confidence, c);
    if (!reasons.empty()) reasons += "; ";
    reasons += why;
  };
  char buf[160];
  if (auto it = accounts_.find(a.account_id); it != accounts_.end()) {
    const double tokens = TokensAt(it->second.bucket, options_.account_burst, options_.account_per_minute, now);
    if (tokens < 1) {
      std::snprintf(buf, sizeof buf, "account over its rate (%.0f at once, then %.1f a minute)",
                    options_.account_burst, options_.account_per_minute);
      add(std::min(1.0, 0.7 + 0.03 * (1 - tokens)), buf);
    }
  }
  if (auto it = threads_.find({a.account_id, a.article_id}); it != threads_.end()) {
    const ThreadState& t = it->second;
    const double tokens = TokensAt(t.bucket, options_.thread_burst, options_.thread_per_minute, now);
    if (tokens < 1) {
      std::snprintf(buf, sizeof buf, "over the rate in this thread (%.0f at once, then %.1f a minute)",
                    options_.thread_burst, options_.thread_per_minute);
      add(std::min(1.0, 0.7 + 0.03 * (1 - tokens)), buf);
    }
    const bool is_short = obs.letters < kShortLetters || obs.incoherent;
    const bool in_run = now - t.run_start_us <= options_.run_us;
    if (is_short && in_run && t.short_run + 1 >= options_.short_run) {
      std::snprintf(buf, sizeof buf, "%u short or incoherent comments in this thread", t.short_run + 1);
      add(0.75, buf);
    }
  }
  if (cluster.id != 0 && cluster.account_members >= options_.self_repeats) {
    std::snprintf(buf, sizeof buf, "the account repeats itself: %u near-identical comments", cluster.account_members);
    add(0.75, buf);
  }
  if (a.parent_author_id != 0 && a.parent_author_id != a.account_id) {
    const auto key = std::make_tuple(a.article_id, std::min(a.account_id, a.parent_author_id),
                                     std::max(a.account_id, a.parent_author_id));
    if (auto it = chains_.find(key); it != chains_.end() && now - it->second.start_us <= options_.chain_us &&
                                     it->second.replies + 1 >= options_.chain_replies) {
      std::snprintf(buf, sizeof buf, "two accounts locked in a reply chain: %u replies in %s",
                    it->second.replies + 1, Duration(now - it->second.start_us).c_str());
      add(0.7, buf);
    }
  }
  if (confidence > 0) out.push_back(WholeText("flood", confidence, "flood: " + reasons, obs.text_bytes));
}

void BehaviourMonitor::AssessTrolling(const Observation& obs, const std::vector<Signal>& content,
                                      std::vector<Signal>& out) const {
  const Attempt& a = obs.attempt;
  auto it = accounts_.find(a.account_id);
  if (it == accounts_.end()) return;
  const double standing = Decayed(it->second.standing, it->second.standing_at_us, a.time_us);
  if (standing < kStandingFloor) return;
  bool provocation = false;
  for (const Signal& s : content) provocation = provocation || IsAggression(s.rule);
  // The standing alone speaks only from standing_hold on (0.67 x weight 6 = the hold line), so a middling
  // history does not tip unrelated weak findings into a hold; with a provocation in the text it adds to
  // that finding from the floor up.
  if (standing < options_.standing_hold && !provocation) return;
  double confidence = std::min(0.9, 0.67 * standing / options_.standing_hold);
  if (provocation) confidence += 0.3;
  char detail[160];
  std::snprintf(detail, sizeof detail, "trolling: the account's standing is %.1f (rejections, reports, insults; half-life %.0f days)%s",
                standing, options_.standing_half_life_days, provocation ? " and this comment provokes" : "");
  out.push_back(WholeText("trolling", confidence, detail, obs.text_bytes));
}

Recorded BehaviourMonitor::Record(int64_t event_id, const Observation& obs, Action action,
                                  const std::vector<std::string>& rules, bool replay) {
  std::lock_guard lock(mu_);
  const Attempt& a = obs.attempt;
  // Clock skew: times never run backwards inside the window; a jump forward simply expires what is old.
  const int64_t now = std::max(a.time_us, last_time_us_);
  last_time_us_ = now;

  Recorded r;
  if (obs.fingerprint.Indexable()) {
    const ClusterInfo c = window_.Add(event_id, obs.fingerprint, a.account_id, now);
    r.cluster_id = c.id;
    if (IsCampaign(c, obs.fingerprint, now)) {
      auto [it, inserted] = reached_.try_emplace(c.id, now);
      it->second = now;
      if (auto ap = approved_.find(c.id); ap != approved_.end()) ap->second = now;
      if (inserted && !approved_.contains(c.id)) {
        r.cluster_reached = true;
        for (const Member& m : window_.Members(c.id, now)) {
          if (m.event_id != event_id) r.to_hold.push_back(m.event_id);
        }
      }
    }
  }

  AccountState& acc = accounts_[a.account_id];
  acc.bucket.tokens = TokensAt(acc.bucket, options_.account_burst, options_.account_per_minute, now) - 1;
  acc.bucket.tokens = std::max(acc.bucket.tokens, -options_.account_burst);  // bounded debt: a pause heals it
  acc.bucket.at_us = now;
  acc.last_us = now;

  ThreadState& t = threads_[{a.account_id, a.article_id}];
  t.bucket.tokens = TokensAt(t.bucket, options_.thread_burst, options_.thread_per_minute, now) - 1;
  t.bucket.tokens = std::max(t.bucket.tokens, -options_.thread_burst);
  t.bucket.at_us = now;
  t.last_us = now;
  if (obs.letters < kShortLetters || obs.incoherent) {
    if (now - t.run_start_us > options_.run_us || t.short_run == 0) {
      t.run_start_us = now;
      t.short_run = 0;
    }
    ++t.short_run;
  }

  if (a.parent_author_id != 0 && a.parent_author_id != a.account_id) {
    ChainState& ch = chains_[std::make_tuple(a.article_id, std::min(a.account_id, a.parent_author_id),
                                             std::max(a.account_id, a.parent_author_id))];
    if (ch.replies == 0 || now - ch.start_us > options_.chain_us) {
      ch.start_us = now;
      ch.replies = 0;
    }
    ++ch.replies;
  }

  if (const double delta = StandingChange(action, rules); delta != 0 && !replay) AddStanding(acc, delta, now);

  if (++records_since_sweep_ >= kSweepEvery) ForgetIdle(now);
  return r;
}

void BehaviourMonitor::AddStanding(AccountState& acc, double delta, int64_t now_us) {
  acc.standing = std::max(0.0, Decayed(acc.standing, acc.standing_at_us, now_us) + delta);
  acc.standing_at_us = now_us;
  acc.last_us = std::max(acc.last_us, now_us);
}

void BehaviourMonitor::NoteStanding(int64_t account_id, StandingEvent event, int64_t time_us) {
  std::lock_guard lock(mu_);
  AddStanding(accounts_[account_id], StandingChange(event), std::max(time_us, last_time_us_));
}

void BehaviourMonitor::RestoreStanding(int64_t account_id, double standing, int64_t at_us) {
  std::lock_guard lock(mu_);
  AccountState& acc = accounts_[account_id];
  acc.standing = std::max(standing, 0.0);
  acc.standing_at_us = at_us;
  acc.last_us = std::max(acc.last_us, at_us);
}

double BehaviourMonitor::Standing(int64_t account_id, int64_t now_us) const {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(account_id);
  if (it == accounts_.end()) return 0;
  return Decayed(it->second.standing, it->second.standing_at_us, now_us);
}

void BehaviourMonitor::ForgetIdle(int64_t now) {
  records_since_sweep_ = 0;
  const int64_t half_life = static_cast<int64_t>(options_.standing_half_life_days * static_cast<double>(kDay));
  // Buckets are full again after burst / rate minutes; standing under the floor says nothing.
  const int64_t bucket_us = static_cast<int64_t>(options_.account_burst / std::max(options_.account_per_minute, 0.01)) * kMinute;
  for (auto it = accounts_.begin(); it != accounts_.end();) {
    const AccountState& s = it->second;
    const bool bucket_full = now - s.bucket.at_us >= bucket_us;
    const bool clean = Decayed(s.standing, s.standing_at_us, now) < kStandingFloor / 4 || now - s.standing_at_us > 8 * half_life;
    it = bucket_full && clean ? accounts_.erase(it) : std::next(it);
  }
  const int64_t thread_us =
      std::max(options_.run_us,
               static_cast<int64_t>(options_.thread_burst / std::max(options_.thread_per_minute, 0.01)) * kMinute);
  std::erase_if(threads_, [&](const auto& kv) { return now - kv.second.last_us > thread_us; });
  std::erase_if(chains_, [&](const auto& kv) { return now - kv.second.start_us > options_.chain_us; });
  std::erase_if(reached_, [&](const auto& kv) { return now - kv.second > options_.window_us; });
  std::erase_if(approved_, [&](const auto& kv) { return now - kv.second > options_.window_us; });
  // Still over the bound (a flood of distinct accounts): forget the oldest activity first.
  if (accounts_.size() > options_.max_accounts) {
    std::vector<std::pair<int64_t, int64_t>> by_age;
    by_age.reserve(accounts_.size());
    for (const auto& [id, s] : accounts_) by_age.emplace_back(s.last_us, id);
    const size_t drop = accounts_.size() - options_.max_accounts * 9 / 10;
    std::nth_element(by_age.begin(), by_age.begin() + static_cast<ptrdiff_t>(drop), by_age.end());
    for (size_t i = 0; i < drop; ++i) accounts_.erase(by_age[i].second);
    dropped_accounts_ += drop;
  }
}

void BehaviourMonitor::ApproveCluster(int64_t cluster_id, int64_t now_us) {
  std::lock_guard lock(mu_);
  approved_[cluster_id] = std::max(now_us, last_time_us_);
}

bool BehaviourMonitor::ClusterApproved(int64_t cluster_id) const {
  std::lock_guard lock(mu_);
  return approved_.contains(cluster_id);
}

void BehaviourMonitor::Reserve(size_t entries) {
  std::lock_guard lock(mu_);
  window_.Reserve(std::min(entries, options_.max_window_entries));
}

std::optional<int64_t> BehaviourMonitor::ClusterOf(int64_t event_id) const {
  std::lock_guard lock(mu_);
  return window_.ClusterOf(event_id);
}

ClusterView BehaviourMonitor::Cluster(int64_t cluster_id, int64_t now_us) const {
  std::lock_guard lock(mu_);
  ClusterView v;
  v.id = cluster_id;
  v.members = window_.Members(cluster_id, std::max(now_us, last_time_us_));
  std::vector<int64_t> accounts;
  for (const Member& m : v.members) accounts.push_back(m.account_id);
  std::sort(accounts.begin(), accounts.end());
  v.accounts = static_cast<uint32_t>(std::unique(accounts.begin(), accounts.end()) - accounts.begin());
  return v;
}

BehaviourMonitor::Stats BehaviourMonitor::stats() const {
  std::lock_guard lock(mu_);
  return {window_.stats(), accounts_.size(), threads_.size(), dropped_accounts_};
}

}  // namespace tribune::moderation::behaviour
