// Per-call latencies in benchmarks: percentiles and the counters every page benchmark reports.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace tribune::bench {

// The p-quantile (0..1) of `v` (reordered in place); 0 for no samples.
inline double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// p50/p90/p99/max of per-call microseconds, and rows per call, as the benchmark's counters.
inline void SetLatencyCounters(benchmark::State& state, std::vector<double>& us, int64_t rows) {
  state.SetItemsProcessed(rows);
  state.counters["rows_per_page"] = us.empty() ? 0 : static_cast<double>(rows) / static_cast<double>(us.size());
  state.counters["p50_us"] = Percentile(us, 0.50);
  state.counters["p90_us"] = Percentile(us, 0.90);
  state.counters["p99_us"] = Percentile(us, 0.99);
  state.counters["max_us"] = us.empty() ? 0 : *std::max_element(us.begin(), us.end());
}

}  // namespace tribune::bench
