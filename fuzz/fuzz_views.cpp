// fuzz_views: text::BuildViews (fold, skeleton, de-leet, squeeze, words) on valid UTF-8; other inputs are
// skipped (BuildViews requires valid UTF-8: the engine validates first).
// Invariants, for folded, skeleton, deleet, squeezed and Squeeze1(squeezed):
//   - start and end have one entry per byte of the view's text;
//   - start is non-decreasing, start[i] < end[i] <= input size;
//   - ToOriginal of the whole view is an in-bounds range;
// and every word is a non-empty range of `folded` that AtWordBoundaries can inspect.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "text/utf8.hpp"
#include "text/views.hpp"

namespace {

using namespace tribune;

void CheckView(const char* name, const text::View& v, size_t input_size) {
  const size_t n = v.text.size();
  FUZZ_CHECK(v.start.size() == n && v.end.size() == n, "%s: text %zu bytes, start %zu, end %zu", name, n,
             v.start.size(), v.end.size());
  for (size_t i = 0; i < n; ++i) {
    FUZZ_CHECK(i == 0 || v.start[i - 1] <= v.start[i], "%s: start[%zu]=%u < start[%zu]=%u", name, i, v.start[i],
               i - 1, v.start[i - 1]);
    FUZZ_CHECK(v.start[i] < v.end[i], "%s: byte %zu maps to [%u, %u)", name, i, v.start[i], v.end[i]);
    FUZZ_CHECK(v.end[i] <= input_size, "%s: end[%zu]=%u > input size %zu", name, i, v.end[i], input_size);
  }
  if (n > 0) {
    const auto [s, e] = v.ToOriginal(0, n);
    FUZZ_CHECK(s <= e && e <= input_size, "%s: ToOriginal(0, %zu) = [%zu, %zu) on a %zu-byte input", name, n, s,
               e, input_size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!text::IsValidUtf8(input)) return -1;  // not added to the corpus

  const text::TextViews v = text::BuildViews(input);
  FUZZ_CHECK(v.original.data() == input.data() && v.original.size() == size, "original does not alias the input");
  CheckView("folded", v.folded, size);
  CheckView("skeleton", v.skeleton, size);
  CheckView("deleet", v.deleet, size);
  CheckView("squeezed", v.squeezed, size);
  CheckView("squeeze1", text::Squeeze1(v.squeezed), size);
  FUZZ_CHECK(v.deleet.text.size() == v.skeleton.text.size(), "deleet %zu bytes, skeleton %zu",
             v.deleet.text.size(), v.skeleton.text.size());

  for (const text::Word& w : v.words) {
    FUZZ_CHECK(w.begin < w.end && w.end <= v.folded.text.size(), "word [%zu, %zu) in a %zu-byte folded view",
               w.begin, w.end, v.folded.text.size());
    (void)text::AtWordBoundaries(v.folded.text, w.begin, w.end);
  }
  return 0;
}
