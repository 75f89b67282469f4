// Shared helpers for the fuzz targets: invariant checks that abort (so libFuzzer records the input).
#pragma once

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace tribune::fuzz {

// Prints "invariant violated: ..." and aborts; libFuzzer saves the input as a crash artifact.
[[noreturn]] [[gnu::format(printf, 1, 2)]] inline void Fail(const char* format, ...) {
  std::fputs("invariant violated: ", stderr);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
  std::abort();
}

}  // namespace tribune::fuzz

#define FUZZ_CHECK(cond, ...)                 \
  do {                                        \
    if (!(cond)) ::tribune::fuzz::Fail(__VA_ARGS__); \
  } while (0)
