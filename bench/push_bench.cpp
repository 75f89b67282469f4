// Benchmarks of Web Push cryptography (src/notify/crypto.hpp), what the push worker pays per message:
//
//   BM_PushEncrypt            notify::Encrypt of a 300-byte JSON payload (an ephemeral P-256 key pair, ECDH,
//                             HKDF-SHA-256, AES-128-GCM): messages/s
//   BM_VapidSign              notify::SignVapidToken, no cache (an ES256 signature): tokens/s
//   BM_VapidAuthorization     VapidSigner::Authorization with the token cached (the usual case): headers/s
//   BM_PushEncryptAndSign     one Encrypt + one cached Authorization, the per-message cost; 1 thread (items/s
//                             per CPU second = messages/s per core) and 2 threads (real time, both threads'
//                             messages together). The goal is >= 5,000 messages/s per core.
//
// Numbers are reported, never asserted.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "notify/crypto.hpp"

namespace {

using namespace tribune;

constexpr int64_t kNow = 1'700'000'000;
const std::array<const char*, 3> kAudiences = {"https://fcm.googleapis.com", "https://updates.push.services.mozilla.com",
                                               "https://web.push.apple.com"};

notify::KeyPair MustKeyPair() {
  auto key = notify::GenerateKeyPair();
  if (!key.ok()) {
    std::fprintf(stderr, "GenerateKeyPair: %s\n", key.error().message.c_str());
    std::abort();
  }
  return *key;
}

// A notification as the push worker sends it: about 300 bytes of JSON.
std::string Payload() {
  std::string json =
      R"({"type":"reply","title":"New reply to your comment","body":"Alex replied: I see your point about the )"
      R"(council budget, but the water prices went up twice this year already.","url":"https://news.example.org/)"
      R"(articles/2024/council-budget#comment-1234567","tag":"reply-1234567","ts":1700000000})";
  json.resize(300, ' ');
  return json;
}

struct Fixture {
  notify::KeyPair subscriber = MustKeyPair();
  std::string auth = std::string(16, '\x42');
  std::string payload = Payload();
  notify::KeyPair vapid = MustKeyPair();
  notify::VapidSigner signer{vapid, "mailto:push@news.example.org"};
};
Fixture& F() {
  static Fixture f;
  return f;
}

void BM_PushEncrypt(benchmark::State& state) {
  auto& f = F();
  for (auto _ : state) {
    auto body = notify::Encrypt(f.subscriber.public_key, f.auth, f.payload);
    if (!body.ok()) {
      state.SkipWithError(body.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(body->data());
  }
  state.counters["payload_bytes"] = static_cast<double>(f.payload.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PushEncrypt)->MinTime(1.0)->Unit(benchmark::kMicrosecond);

void BM_VapidSign(benchmark::State& state) {
  auto& f = F();
  for (auto _ : state) {
    auto jwt = notify::SignVapidToken(f.vapid, kAudiences[0], kNow + 12 * 3600, "mailto:push@news.example.org");
    if (!jwt.ok()) {
      state.SkipWithError(jwt.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(jwt->data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VapidSign)->MinTime(1.0)->Unit(benchmark::kMicrosecond);

void BM_VapidAuthorization(benchmark::State& state) {
  auto& f = F();
  size_t i = 0;
  for (auto _ : state) {
    auto header = f.signer.Authorization(kAudiences[i++ % kAudiences.size()], kNow);
    if (!header.ok()) {
      state.SkipWithError(header.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(header->data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VapidAuthorization)->MinTime(1.0)->Unit(benchmark::kMicrosecond);

void BM_PushEncryptAndSign(benchmark::State& state) {
  auto& f = F();
  size_t i = static_cast<size_t>(state.thread_index());
  for (auto _ : state) {
    auto body = notify::Encrypt(f.subscriber.public_key, f.auth, f.payload);
    auto header = f.signer.Authorization(kAudiences[i++ % kAudiences.size()], kNow);
    if (!body.ok() || !header.ok()) {
      state.SkipWithError("encrypt or sign failed");
      break;
    }
    benchmark::DoNotOptimize(body->data());
    benchmark::DoNotOptimize(header->data());
  }
  state.SetItemsProcessed(state.iterations());
}
// 1 thread on CPU time: items_per_second is messages per CPU second (per core).
BENCHMARK(BM_PushEncryptAndSign)->MinTime(1.0)->Unit(benchmark::kMicrosecond);
// 2 threads on real time: items_per_second is both threads' messages per wall second.
BENCHMARK(BM_PushEncryptAndSign)->Threads(2)->MinTime(1.0)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
