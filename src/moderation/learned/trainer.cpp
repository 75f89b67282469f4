#include "moderation/learned/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "text/utf8.hpp"
#include "text/views.hpp"

namespace tribune::moderation::learned {

// ---------------------------------------------------------------------------------------------
// CSV

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view d) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t line = 1;
  size_t i = 0;
  const size_t n = d.size();
  bool record_open = false;  // something of the current record has been read
  while (i < n) {
    char c = d[i];
    if (c == '"' && field.empty()) {
      // Quoted field.
      const size_t start_line = line;
      ++i;
      bool closed = false;
      while (i < n) {
        char q = d[i];
        if (q == '"') {
          if (i + 1 < n && d[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (q == '\n') ++line;
        field.push_back(q);
        ++i;
      }
      if (!closed) {
        return MakeError(ErrorCode::kBadRequest, "CSV: unterminated quoted field starting on line " + std::to_string(start_line));
      }
      record_open = true;
      if (i < n && d[i] != ',' && d[i] != '\n' && d[i] != '\r') {
        return MakeError(ErrorCode::kBadRequest, "CSV: text after a closing quote on line " + std::to_string(line));
      }
      continue;
    }
    if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      record_open = true;
      ++i;
      continue;
    }
    if (c == '\r' && i + 1 < n && d[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      record_open = false;
      ++line;
      ++i;
      continue;
    }
    field.push_back(c);
    record_open = true;
    ++i;
  }
  if (record_open) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Cleaning

namespace {

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  text::AppendUtf8(out, cp);
}

}  // namespace

std::string RepairUtf8(std::string_view s) {
  if (text::IsValidUtf8(s)) return std::string(s);
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b >= 0xC2 && b <= 0xDF) len = 2;
    else if (b >= 0xE0 && b <= 0xEF) len = 3;
    else if (b >= 0xF0 && b <= 0xF4) len = 4;
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
      ++i;
      continue;
    }
    if (len > 1 && i + len <= s.size() && text::IsValidUtf8(s.substr(i, len))) {
      out.append(s.substr(i, len));
      i += len;
      continue;
    }
    AppendUtf8(out, 0xFFFD);
    ++i;
  }
  return out;
}

namespace {

bool IsHandleChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string DecodeEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '&') {
      out.push_back(s[i++]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back(s[i++]);
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out.push_back('&');
    else if (ent == "lt") out.push_back('<');
    else if (ent == "gt") out.push_back('>');
    else if (ent == "quot") out.push_back('"');
    else if (ent == "apos") out.push_back('\'');
    else if (ent.size() >= 2 && ent[0] == '#') {
      uint32_t cp = 0;
      bool ok = true;
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      if (digits.empty()) ok = false;
      for (char c : digits) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0 || cp > 0x10FFFF) { ok = false; break; }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      }
      if (!ok) {
        out.push_back(s[i++]);
        continue;
      }
      AppendUtf8(out, cp);
    } else {
      out.push_back(s[i++]);
      continue;
    }
    i = semi + 1;
  }
  return out;
}

}  // namespace

std::string CleanTweet(std::string_view tweet) {
  const std::string decoded = DecodeEntities(tweet);
  std::string out;
  out.reserve(decoded.size());
  const size_t n = decoded.size();
  for (size_t i = 0; i < n;) {
    const bool at_word_start = i == 0 || !IsHandleChar(decoded[i - 1]);
    if (at_word_start && decoded[i] == '@' && i + 1 < n && IsHandleChar(decoded[i + 1])) {
      ++i;
      while (i < n && IsHandleChar(decoded[i])) ++i;
      out.push_back(' ');
      continue;
    }
    if (at_word_start && decoded.compare(i, 2, "RT") == 0 && (i + 2 == n || !IsHandleChar(decoded[i + 2]))) {
      i += 2;
      out.push_back(' ');
      continue;
    }
    out.push_back(decoded[i++]);
  }
  return RepairUtf8(out);
}

Result<std::vector<Example>> LoadLabelledCsv(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return MakeError(ErrorCode::kUnavailable, "cannot open " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  auto rows = ParseCsv(ss.str());
  if (!rows.ok()) {
    Error e = std::move(rows).error();
    e.message = path + ": " + e.message;
    return e;
  }
  if (rows->empty()) return MakeError(ErrorCode::kBadRequest, path + ": empty file");
  const auto& header = rows->front();
  int class_col = -1, text_col = -1;
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c] == "class") class_col = static_cast<int>(c);
    if (header[c] == "tweet" || header[c] == "text") text_col = static_cast<int>(c);
  }
  if (class_col < 0 || text_col < 0) {
    return MakeError(ErrorCode::kBadRequest, path + ": header needs columns `class` and `tweet`");
  }
  std::vector<Example> out;
  out.reserve(rows->size() - 1);
  for (size_t r = 1; r < rows->size(); ++r) {
    const auto& row = (*rows)[r];
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    if (row.size() <= static_cast<size_t>(std::max(class_col, text_col))) {
      return MakeError(ErrorCode::kBadRequest, path + ": record " + std::to_string(r) + " has too few fields");
    }
    const std::string& cls = row[class_col];
    if (cls != "0" && cls != "1" && cls != "2") {
      return MakeError(ErrorCode::kBadRequest, path + ": record " + std::to_string(r) + ": class '" + cls + "' is not 0, 1 or 2");
    }
    out.push_back(Example{CleanTweet(row[text_col]), cls[0] - '0'});
  }
  return out;
}

std::vector<Feature> Featurize(std::string_view text, const FeatureConfig& config) {
  std::vector<Feature> f;
  const text::TextViews views = text::BuildViews(text);
  ExtractFeatures(views.squeezed.text, config, f);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Training

namespace {

struct SplitMix {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
};

template <class T>
void Shuffle(std::vector<T>& v, SplitMix& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.Below(i)]);
}

}  // namespace

LinearModel Train(const std::vector<std::vector<Feature>>& features, const std::vector<int>& labels,
                  const std::vector<size_t>& rows, const FeatureConfig& config, const TrainOptions& options) {
  LinearModel model(config);
  std::vector<float>& w = model.weights();
  std::vector<float> g2(w.size(), 0.0f);  // AdaGrad accumulators
  std::array<float, kNumClasses>& bias = model.bias();
  std::array<float, kNumClasses> bias_g2{};
  const float eps = 1e-6f;

  std::array<long, kNumClasses> counts{};
  for (size_t r : rows) ++counts[labels[r]];
  std::array<float, kNumClasses> class_weight{};
  for (int c = 0; c < kNumClasses; ++c) {
    const double share = counts[c] ? double(rows.size()) / (kNumClasses * double(counts[c])) : 1.0;
    class_weight[c] = static_cast<float>(std::pow(share, double(options.balance)));
  }

  SplitMix rng{options.seed};
  std::vector<size_t> order = rows;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    Shuffle(order, rng);
    for (size_t r : order) {
      const std::vector<Feature>& f = features[r];
      const int y = labels[r];
      const Probabilities p = model.Predict(f);
      std::array<float, kNumClasses> g;
      for (int c = 0; c < kNumClasses; ++c) g[c] = class_weight[y] * (p[c] - (c == y ? 1.0f : 0.0f));
      const float scale = f.empty() ? 0.0f : 1.0f / std::sqrt(static_cast<float>(f.size()));
      for (Feature ft : f) {
        const size_t base = size_t{FeatureBucket(ft)} * kNumClasses;
        const float xs = FeatureSign(ft) * scale;
        for (int c = 0; c < kNumClasses; ++c) {
          const float grad = g[c] * xs + options.l2 * w[base + c];
          g2[base + c] += grad * grad;
          w[base + c] -= options.learning_rate * grad / (std::sqrt(g2[base + c]) + eps);
        }
      }
      for (int c = 0; c < kNumClasses; ++c) {
        bias_g2[c] += g[c] * g[c];
        bias[c] -= options.learning_rate * g[c] / (std::sqrt(bias_g2[c]) + eps);
      }
    }
  }
  return model;
}

std::vector<int> StratifiedFolds(const std::vector<int>& labels, int k, uint64_t seed) {
  std::vector<int> fold(labels.size(), 0);
  SplitMix rng{seed ^ 0x5f0d5f0d5f0d5f0dull};
  for (int c = 0; c < kNumClasses; ++c) {
    std::vector<size_t> idx;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == c) idx.push_back(i);
    }
    Shuffle(idx, rng);
    for (size_t j = 0; j < idx.size(); ++j) fold[idx[j]] = static_cast<int>(j % static_cast<size_t>(k));
  }
  return fold;
}

// ---------------------------------------------------------------------------------------------
// Metrics

long Metrics::total() const {
  long t = 0;
  for (auto& row : confusion) for (long v : row) t += v;
  return t;
}
long Metrics::support(int c) const {
  long s = 0;
  for (long v : confusion[c]) s += v;
  return s;
}
double Metrics::precision(int c) const {
  long col = 0;
  for (int t = 0; t < kNumClasses; ++t) col += confusion[t][c];
  return col ? double(confusion[c][c]) / double(col) : 0;
}
double Metrics::recall(int c) const {
  long s = support(c);
  return s ? double(confusion[c][c]) / double(s) : 0;
}
double Metrics::f1(int c) const {
  double p = precision(c), r = recall(c);
  return p + r > 0 ? 2 * p * r / (p + r) : 0;
}
double Metrics::accuracy() const {
  long t = total(), ok = 0;
  for (int c = 0; c < kNumClasses; ++c) ok += confusion[c][c];
  return t ? double(ok) / double(t) : 0;
}
namespace {
template <class F>
double Weighted(const Metrics& m, F f) {
  double sum = 0;
  long t = m.total();
  for (int c = 0; c < kNumClasses; ++c) sum += f(c) * double(m.support(c));
  return t ? sum / double(t) : 0;
}
}  // namespace
double Metrics::weighted_precision() const { return Weighted(*this, [&](int c) { return precision(c); }); }
double Metrics::weighted_recall() const { return Weighted(*this, [&](int c) { return recall(c); }); }
double Metrics::weighted_f1() const { return Weighted(*this, [&](int c) { return f1(c); }); }

CrossValidation CrossValidate(const std::vector<std::vector<Feature>>& features, const std::vector<int>& labels,
                              const FeatureConfig& config, const TrainOptions& options, int folds, double threshold,
                              int threads) {
  const std::vector<int> fold = StratifiedFolds(labels, folds, options.seed);
  std::vector<Probabilities> predicted(labels.size());
  auto run_fold = [&](int k) {
    std::vector<size_t> train;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (fold[i] != k) train.push_back(i);
    }
    LinearModel m = Train(features, labels, train, config, options);
    for (size_t i = 0; i < labels.size(); ++i) {
      if (fold[i] == k) predicted[i] = m.Predict(features[i]);  // each i written by one fold only
    }
  };
  threads = std::max(1, std::min(threads, folds));
  for (int start = 0; start < folds; start += threads) {
    std::vector<std::thread> pool;
    for (int k = start; k < std::min(folds, start + threads); ++k) pool.emplace_back(run_fold, k);
    for (auto& t : pool) t.join();
  }

  CrossValidation cv;
  cv.threshold = threshold;
  std::vector<Metrics> per_fold(folds);
  for (size_t i = 0; i < labels.size(); ++i) {
    const Probabilities& p = predicted[i];
    int arg = 0;
    for (int c = 1; c < kNumClasses; ++c) {
      if (p[c] > p[arg]) arg = c;
    }
    cv.pooled.Add(labels[i], arg);
    per_fold[fold[i]].Add(labels[i], arg);
    auto count = [&](ThresholdCounts& t, bool fired, bool truth) {
      if (fired && truth) ++t.tp;
      else if (fired) ++t.fp;
      else if (truth) ++t.fn;
    };
    count(cv.hate_at, p[kHate] >= threshold, labels[i] == kHate);
    count(cv.offensive_at, p[kOffensive] >= threshold, labels[i] == kOffensive);
    count(cv.toxic_at, p[kHate] + p[kOffensive] >= threshold, labels[i] != kNeither);
  }
  for (const Metrics& m : per_fold) cv.fold_weighted_f1.push_back(m.weighted_f1());
  return cv;
}

std::string FormatReport(const CrossValidation& cv) {
  const Metrics& m = cv.pooled;
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-10s %9s %9s %9s %9s\n", "class", "precision", "recall", "f1", "support");
  out += buf;
  for (int c = 0; c < kNumClasses; ++c) {
    std::snprintf(buf, sizeof buf, "%-10s %9.3f %9.3f %9.3f %9ld\n", ClassName(c), m.precision(c), m.recall(c), m.f1(c),
                  m.support(c));
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "%-10s %9.3f %9.3f %9.3f %9ld\n", "weighted", m.weighted_precision(), m.weighted_recall(),
                m.weighted_f1(), m.total());
  out += buf;
  std::snprintf(buf, sizeof buf, "accuracy %.3f\n", m.accuracy());
  out += buf;
  out += "weighted F1 per fold:";
  double mean = 0;
  for (double f : cv.fold_weighted_f1) {
    std::snprintf(buf, sizeof buf, " %.3f", f);
    out += buf;
    mean += f;
  }
  mean /= cv.fold_weighted_f1.empty() ? 1 : double(cv.fold_weighted_f1.size());
  double var = 0;
  for (double f : cv.fold_weighted_f1) var += (f - mean) * (f - mean);
  var /= cv.fold_weighted_f1.size() > 1 ? double(cv.fold_weighted_f1.size() - 1) : 1;
  std::snprintf(buf, sizeof buf, "  (mean %.3f, sd %.3f)\n", mean, std::sqrt(var));
  out += buf;
  out += "confusion [true \\ predicted]: hate offensive neither\n";
  for (int t = 0; t < kNumClasses; ++t) {
    std::snprintf(buf, sizeof buf, "  %-10s %6ld %9ld %7ld\n", ClassName(t), m.confusion[t][0], m.confusion[t][1],
                  m.confusion[t][2]);
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "at P >= %.2f (what the detector emits):\n", cv.threshold);
  out += buf;
  auto line = [&](const char* name, const ThresholdCounts& t) {
    std::snprintf(buf, sizeof buf, "  %-28s precision %.3f recall %.3f (tp %ld fp %ld fn %ld)\n", name, t.precision(),
                  t.recall(), t.tp, t.fp, t.fn);
    out += buf;
  };
  line("hate", cv.hate_at);
  line("offensive", cv.offensive_at);
  line("hate+offensive vs neither", cv.toxic_at);
  return out;
}

}  // namespace tribune::moderation::learned
