#include "moderation/learned/online_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <mutex>

#include "text/utf8.hpp"
#include "text/views.hpp"

namespace tribune::moderation::learned {

namespace {

constexpr float kAlpha = 0.1f;        // naive Bayes: Laplace smoothing per bucket
constexpr float kLearningRate = 0.05f;  // logistic: AdaGrad base rate
constexpr uint32_t kMaxClasses = 64;   // parse limit (21 rule ids + "ok" in practice)

// log(count + α) for small integer counts: a feature look-up must not call log() per class.
struct LogTable {
  static constexpr int kSize = 4096;
  std::array<float, kSize> v;
  LogTable() {
    for (int i = 0; i < kSize; ++i) v[i] = std::log(static_cast<float>(i) + kAlpha);
  }
  float operator()(float count) const {
    return count < kSize ? v[static_cast<int>(count)] : std::log(count + kAlpha);
  }
};
const LogTable& Logs() {
  static const LogTable t;
  return t;
}

void Softmax(std::vector<double>& s) {
  double mx = *std::max_element(s.begin(), s.end());
  double sum = 0;
  for (double& x : s) sum += (x = std::exp(x - mx));
  for (double& x : s) x /= sum;
}

class Writer {
 public:
  void Bytes(const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }
  template <class T>
  void Put(T v) {
    Bytes(&v, sizeof v);  // little-endian hosts only (x86-64, arm64), as classifier.cpp
  }
  std::string out;
};

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  template <class T>
  bool Get(T& v) {
    if (b_.size() - pos_ < sizeof v) return false;
    std::memcpy(&v, b_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return true;
  }
  bool Str(size_t n, std::string& s) {
    if (b_.size() - pos_ < n) return false;
    s.assign(b_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  size_t pos() const { return pos_; }

 private:
  std::string_view b_;
  size_t pos_ = 0;
};

Error Bad(const std::string& what) { return MakeError(ErrorCode::kUnavailable, "online model: " + what); }

}  // namespace

OnlineModel::OnlineModel(OnlineOptions options) : options_(options) {
  config_.hash_bits = std::clamp<uint32_t>(options_.hash_bits, 10, 20);
  options_.hash_bits = config_.hash_bits;
}

std::shared_lock<std::shared_mutex> OnlineModel::ReadLock() const {
  { std::lock_guard pass(turnstile_); }
  return std::shared_lock(mu_);
}

std::unique_lock<std::shared_mutex> OnlineModel::WriteLock() const {
  std::lock_guard hold(turnstile_);
  return std::unique_lock(mu_);
}

OnlineOptions OnlineModel::options() const {
  std::shared_lock lock = ReadLock();
  return options_;
}

void OnlineModel::set_min_examples(uint64_t n) {
  std::unique_lock lock = WriteLock();
  options_.min_examples = n;
}

std::vector<Feature> OnlineModel::Featurize(std::string_view text) const {
  std::vector<Feature> out;
  if (text.empty() || !text::IsValidUtf8(text)) return out;
  const text::TextViews views = text::BuildViews(text, false);
  ExtractFeatures(views.squeezed.text, config_, out);
  return out;
}

int OnlineModel::ClassIndexLocked(std::string_view label) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == label) return static_cast<int>(i);
  return -1;
}

int OnlineModel::AddClassLocked(std::string_view label) {
  const size_t old_k = names_.size(), new_k = old_k + 1, buckets = config_.buckets();
  auto grow = [&](std::vector<float>& t) {
    std::vector<float> n(buckets * new_k, 0.0f);
    if (!t.empty())
      for (size_t b = 0; b < buckets; ++b) std::copy_n(&t[b * old_k], old_k, &n[b * new_k]);
    t.swap(n);
  };
  grow(table_);
  if (options_.algorithm == OnlineAlgorithm::kLogistic) grow(adagrad_);
  names_.emplace_back(label);
  examples_.push_back(0);
  totals_.push_back(0);
  bias_.push_back(0);
  bias_adagrad_.push_back(0);
  return static_cast<int>(old_k);
}

void OnlineModel::Update(std::string_view text, std::string_view label, int64_t now_us) {
  UpdateFeatures(Featurize(text), label, now_us);
}

void OnlineModel::UpdateFeatures(const std::vector<Feature>& features, std::string_view label, int64_t now_us) {
  if (label.empty() || features.empty()) return;
  std::unique_lock lock = WriteLock();
  if (names_.empty()) AddClassLocked(kOk);
  int c = ClassIndexLocked(label);
  if (c < 0) {
    if (names_.size() >= kMaxClasses) return;
    c = AddClassLocked(label);
  }
  const size_t k = Stride();
  const uint32_t mask = static_cast<uint32_t>(config_.buckets() - 1);
  if (options_.algorithm == OnlineAlgorithm::kNaiveBayes) {
    for (Feature f : features) table_[(FeatureBucket(f) & mask) * k + c] += 1.0f;
    totals_[c] += static_cast<double>(features.size());
  } else {
    // One AdaGrad step of softmax regression.
    const float x = 1.0f / std::sqrt(static_cast<float>(features.size()));
    std::vector<double> s(bias_.begin(), bias_.end());
    for (Feature f : features) {
      const float* w = &table_[(FeatureBucket(f) & mask) * k];
      const float v = FeatureSign(f) * x;
      for (size_t j = 0; j < k; ++j) s[j] += w[j] * v;
    }
    Softmax(s);
    std::vector<float> g(k);
    for (size_t j = 0; j < k; ++j) g[j] = static_cast<float>(s[j] - (static_cast<int>(j) == c ? 1.0 : 0.0));
    for (Feature f : features) {
      const size_t base = (FeatureBucket(f) & mask) * k;
      const float v = FeatureSign(f) * x;
      for (size_t j = 0; j < k; ++j) {
        const float grad = g[j] * v;
        if (grad == 0.0f) continue;
        float& acc = adagrad_[base + j];
        acc += grad * grad;
        table_[base + j] -= kLearningRate * grad / std::sqrt(acc);
      }
    }
    for (size_t j = 0; j < k; ++j) {
      if (g[j] == 0.0f) continue;
      bias_adagrad_[j] += g[j] * g[j];
      bias_[j] -= kLearningRate * g[j] / std::sqrt(bias_adagrad_[j]);
    }
  }
  ++examples_[c];
  ++updates_;
  last_update_us_ = now_us;
}

std::vector<RuleProbability> OnlineModel::Predict(std::string_view text) const { return PredictFeatures(Featurize(text)); }

std::vector<RuleProbability> OnlineModel::PredictFeatures(const std::vector<Feature>& features) const {
  std::vector<RuleProbability> out;
  std::shared_lock lock = ReadLock();
  const size_t k = Stride();
  if (k < 2) return out;
  std::vector<double> s(k, 0.0);
  if (!features.empty()) {
    const uint32_t mask = static_cast<uint32_t>(config_.buckets() - 1);
    if (options_.algorithm == OnlineAlgorithm::kNaiveBayes) {
      const LogTable& L = Logs();
      std::vector<float> sum(k, 0.0f);
      for (Feature f : features) {
        const float* row = &table_[(FeatureBucket(f) & mask) * k];
        for (size_t j = 0; j < k; ++j) sum[j] += L(row[j]);
      }
      uint64_t n_examples = 0;
      for (uint64_t e : examples_) n_examples += e;
      const double n = static_cast<double>(features.size());
      const double vocab = kAlpha * static_cast<double>(config_.buckets());
      for (size_t j = 0; j < k; ++j) {
        const double prior = std::log((examples_[j] + 1.0) / (n_examples + static_cast<double>(k)));
        const double loglik = sum[j] - n * std::log(totals_[j] + vocab);
        s[j] = prior + loglik / std::sqrt(n);
      }
    } else {
      const float x = 1.0f / std::sqrt(static_cast<float>(features.size()));
      for (size_t j = 0; j < k; ++j) s[j] = bias_[j];
      for (Feature f : features) {
        const float* w = &table_[(FeatureBucket(f) & mask) * k];
        const float v = FeatureSign(f) * x;
        for (size_t j = 0; j < k; ++j) s[j] += w[j] * v;
      }
    }
    Softmax(s);
  }
  const uint64_t ok_examples = examples_[0];
  for (size_t j = 1; j < k; ++j) {
    RuleProbability r;
    r.rule = names_[j];
    r.probability = features.empty() ? 0.0 : s[j];
    r.examples = examples_[j];
    r.abstaining = features.empty() || examples_[j] < options_.min_examples || ok_examples < options_.min_examples;
    out.push_back(std::move(r));
  }
  return out;
}

OnlineStats OnlineModel::Stats() const {
  OnlineStats st;
  {
    std::shared_lock lock = ReadLock();
    for (size_t j = 0; j < names_.size(); ++j) st.examples.emplace_back(names_[j], examples_[j]);
    st.updates = updates_;
    st.last_update_us = last_update_us_;
    st.memory_bytes = (table_.capacity() + adagrad_.capacity()) * sizeof(float) +
                      names_.size() * (sizeof(std::string) + sizeof(uint64_t) + sizeof(double) + 2 * sizeof(float));
  }
  st.serialized_bytes = Serialize().size();
  return st;
}

std::string OnlineModel::Serialize() const {
  std::shared_lock lock = ReadLock();
  Writer w;
  w.Bytes(kMagic, sizeof kMagic);
  w.Put<uint32_t>(kVersion);
  w.Put<uint32_t>(static_cast<uint32_t>(options_.algorithm));
  w.Put<uint32_t>(config_.hash_bits);
  w.Put<uint32_t>(config_.flags);
  w.Put<uint32_t>(config_.char_min);
  w.Put<uint32_t>(config_.char_max);
  w.Put<uint32_t>(config_.hash_seed);
  w.Put<uint64_t>(updates_);
  w.Put<int64_t>(last_update_us_);
  const size_t k = Stride();
  w.Put<uint32_t>(static_cast<uint32_t>(k));
  for (size_t j = 0; j < k; ++j) {
    w.Put<uint16_t>(static_cast<uint16_t>(names_[j].size()));
    w.Bytes(names_[j].data(), names_[j].size());
    w.Put<uint64_t>(examples_[j]);
    w.Put<double>(totals_[j]);
    w.Put<float>(bias_[j]);
    w.Put<float>(bias_adagrad_[j]);
  }
  const bool logistic = options_.algorithm == OnlineAlgorithm::kLogistic;
  const size_t buckets = k == 0 ? 0 : config_.buckets();
  auto nonzero = [&](size_t b) {
    for (size_t j = 0; j < k; ++j)
      if (table_[b * k + j] != 0.0f || (logistic && adagrad_[b * k + j] != 0.0f)) return true;
    return false;
  };
  uint32_t cells = 0;
  for (size_t b = 0; b < buckets; ++b) cells += nonzero(b);
  w.Put<uint32_t>(cells);
  for (size_t b = 0; b < buckets; ++b) {
    if (!nonzero(b)) continue;
    w.Put<uint32_t>(static_cast<uint32_t>(b));
    w.Bytes(&table_[b * k], k * sizeof(float));
    if (logistic) w.Bytes(&adagrad_[b * k], k * sizeof(float));
  }
  w.Put<uint64_t>(Fnv1a64(w.out));
  return std::move(w.out);
}

Result<std::unique_ptr<OnlineModel>> OnlineModel::Parse(std::string_view bytes, uint64_t min_examples) {
  if (bytes.size() < sizeof kMagic + 8) return Bad("too short (" + std::to_string(bytes.size()) + " bytes)");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return Bad("bad magic (not a Tribune online model)");
  uint64_t stored_sum;
  std::memcpy(&stored_sum, bytes.data() + bytes.size() - 8, 8);
  const std::string_view body = bytes.substr(0, bytes.size() - 8);
  Reader r(body.substr(sizeof kMagic));
  uint32_t version = 0, algorithm = 0;
  if (!r.Get(version)) return Bad("truncated header");
  if (version != kVersion) return Bad("unsupported version " + std::to_string(version));
  if (Fnv1a64(body) != stored_sum) return Bad("checksum mismatch (corrupted or truncated)");
  if (!r.Get(algorithm)) return Bad("truncated header");
  if (algorithm > 1) return Bad("unknown algorithm " + std::to_string(algorithm));
  FeatureConfig cfg;
  if (!r.Get(cfg.hash_bits) || !r.Get(cfg.flags) || !r.Get(cfg.char_min) || !r.Get(cfg.char_max) ||
      !r.Get(cfg.hash_seed)) {
    return Bad("truncated header");
  }
  if (cfg.hash_bits < 10 || cfg.hash_bits > 20) return Bad("hash_bits " + std::to_string(cfg.hash_bits) + " out of range");
  if (cfg.flags == 0 || cfg.flags > 7) return Bad("bad feature flags");
  if ((cfg.flags & kCharNgrams) && (cfg.char_min < 1 || cfg.char_max > 8 || cfg.char_min > cfg.char_max)) {
    return Bad("bad character n-gram range");
  }
  OnlineOptions options;
  options.algorithm = static_cast<OnlineAlgorithm>(algorithm);
  options.hash_bits = cfg.hash_bits;
  options.min_examples = min_examples;
  auto m = std::make_unique<OnlineModel>(options);
  m->config_ = cfg;
  uint32_t k = 0;
  if (!r.Get(m->updates_) || !r.Get(m->last_update_us_) || !r.Get(k)) return Bad("truncated header");
  if (k > kMaxClasses) return Bad("too many classes (" + std::to_string(k) + ")");
  for (uint32_t j = 0; j < k; ++j) {
    uint16_t len = 0;
    std::string name;
    uint64_t ex = 0;
    double total = 0;
    float bias = 0, bias_acc = 0;
    if (!r.Get(len) || !r.Str(len, name) || !r.Get(ex) || !r.Get(total) || !r.Get(bias) || !r.Get(bias_acc)) {
      return Bad("truncated class table");
    }
    if (name.empty() || m->ClassIndexLocked(name) >= 0) return Bad("empty or duplicate class name");
    if (!std::isfinite(total) || total < 0 || !std::isfinite(bias) || !std::isfinite(bias_acc) || bias_acc < 0) {
      return Bad("bad numbers for class " + name);
    }
    if (j == 0 && name != kOk) return Bad("first class must be \"ok\"");
    m->names_.push_back(std::move(name));
    m->examples_.push_back(ex);
    m->totals_.push_back(total);
    m->bias_.push_back(bias);
    m->bias_adagrad_.push_back(bias_acc);
  }
  const bool logistic = options.algorithm == OnlineAlgorithm::kLogistic;
  const size_t buckets = cfg.buckets();
  if (k > 0) {
    m->table_.assign(buckets * k, 0.0f);
    if (logistic) m->adagrad_.assign(buckets * k, 0.0f);
  }
  uint32_t cells = 0;
  if (!r.Get(cells)) return Bad("truncated cell count");
  if (k == 0 && cells != 0) return Bad("cells without classes");
  const size_t cell_bytes = 4 + k * sizeof(float) * (logistic ? 2 : 1);
  if ((body.size() - sizeof kMagic - r.pos()) != static_cast<size_t>(cells) * cell_bytes) {
    return Bad("size mismatch: " + std::to_string(cells) + " cells do not fill the remaining bytes");
  }
  int64_t last = -1;
  for (uint32_t i = 0; i < cells; ++i) {
    uint32_t b = 0;
    r.Get(b);
    if (b >= buckets || static_cast<int64_t>(b) <= last) return Bad("bucket out of range or out of order");
    last = b;
    for (uint32_t j = 0; j < k; ++j) r.Get(m->table_[size_t{b} * k + j]);
    if (logistic)
      for (uint32_t j = 0; j < k; ++j) r.Get(m->adagrad_[size_t{b} * k + j]);
    for (uint32_t j = 0; j < k; ++j) {
      const float v = m->table_[size_t{b} * k + j];
      // Naive Bayes cells are counts (a negative one would index the log table out of range).
      if (!std::isfinite(v) || (!logistic && v < 0) || (logistic && !(m->adagrad_[size_t{b} * k + j] >= 0))) {
        return Bad("bad value in bucket " + std::to_string(b));
      }
    }
  }
  return m;
}

}  // namespace tribune::moderation::learned
