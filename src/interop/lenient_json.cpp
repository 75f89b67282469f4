#include "interop/lenient_json.hpp"

#include <boost/json/value_stack.hpp>

#include <charconv>
#include <cstdint>
#include <limits>
#include <exception>
#include <string>
#include <vector>

namespace tribune::interop {

namespace {

struct Frame {
  bool object;
  size_t count;  // finished members / elements
};

bool IsSpace(unsigned char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsKeyChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '$';
}
int HexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence starting at s[i] (a byte >= 0x80), 0 when invalid (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF).
size_t Utf8Sequence(const unsigned char* s, size_t i, size_t n) {
  const unsigned char c = s[i];
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return i + k < n && s[i + k] >= lo && s[i + k] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

size_t EncodeUtf8(uint32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

class Parser {
 public:
  Parser(std::string_view text, size_t max_depth, boost::json::value_stack& st)
      : s_(reinterpret_cast<const unsigned char*>(text.data())), n_(text.size()), text_(text), max_depth_(max_depth),
        st_(st) {}

  // Empty on success, else the error message.
  std::string Run() {
    Frame inline_frames[64];
    std::vector<Frame> heap;
    Frame* frames = inline_frames;
    if (max_depth_ >= 64) {
      heap.resize(max_depth_ + 1);
      frames = heap.data();
    }
    size_t depth = 0;
    SkipSpace();
    for (;;) {
      // A value starts at i_ (spaces skipped).
      if (i_ >= n_) return Fail("unexpected end of input");
      const unsigned char c = s_[i_];
      if (c == '{' || c == '[') {
        if (depth >= max_depth_) return Fail("nesting deeper than " + std::to_string(max_depth_));
        ++i_;
        frames[depth++] = {c == '{', 0};
        SkipSpace();
        const unsigned char close = c == '{' ? '}' : ']';
        if (i_ < n_ && s_[i_] == close) {
          ++i_;
          --depth;
          if (c == '{')
            st_.push_object(0);
          else
            st_.push_array(0);
        } else {
          if (c == '{' && !Key()) return error_;
          continue;
        }
      } else if (c == '"') {
        ++i_;
        if (!String(false)) return error_;
      } else if (c == '-' || IsDigit(c)) {
        if (!Number()) return error_;
      } else if (c == 't') {
        if (!Literal("true")) return error_;
        st_.push_bool(true);
      } else if (c == 'f') {
        if (!Literal("false")) return error_;
        st_.push_bool(false);
      } else if (c == 'n') {
        if (!Literal("null")) return error_;
        st_.push_null();
      } else {
        return Fail("unexpected character");
      }
      // After a value: close containers until one continues with ','.
      for (;;) {
        SkipSpace();
        if (depth == 0) {
          if (i_ != n_) return Fail("unexpected data after the value");
          return {};
        }
        Frame& f = frames[depth - 1];
        ++f.count;
        if (i_ >= n_) return Fail("unexpected end of input");
        const unsigned char d = s_[i_];
        if (d == ',') {
          ++i_;
          SkipSpace();
          if (f.object && !Key()) return error_;
          break;
        }
        if (d != (f.object ? '}' : ']')) return Fail(f.object ? "expected ',' or '}'" : "expected ',' or ']'");
        ++i_;
        --depth;
        if (f.object)
          st_.push_object(f.count);
        else
          st_.push_array(f.count);
      }
    }
  }

 private:
  void SkipSpace() {
    while (i_ < n_ && IsSpace(s_[i_])) ++i_;
  }

  bool FailB(std::string what) {
    error_ = std::move(what) + " at byte " + std::to_string(i_);
    return false;
  }
  std::string Fail(std::string what) {
    FailB(std::move(what));
    return error_;
  }

  // A member's key (quoted, or unquoted [A-Za-z0-9_$]+), the ':' and the spaces before the value.
  bool Key() {
    if (i_ < n_ && s_[i_] == '"') {
      ++i_;
      if (!String(true)) return false;
    } else {
      const size_t b = i_;
      while (i_ < n_ && IsKeyChar(s_[i_])) ++i_;
      if (i_ == b) return FailB(i_ >= n_ ? "unexpected end of input" : "expected a key");
      st_.push_key(text_.substr(b, i_ - b));
    }
    SkipSpace();
    if (i_ >= n_ || s_[i_] != ':') return FailB("expected ':'");
    ++i_;
    SkipSpace();
    return true;
  }

  // The rest of a string after its opening quote.
  bool String(bool key) {
    size_t start = i_;
    for (;;) {
      while (i_ < n_ && s_[i_] < 0x80 && s_[i_] != '"' && s_[i_] != '\\') ++i_;
      if (i_ >= n_) return FailB("unterminated string");
      const unsigned char c = s_[i_];
      if (c == '"') break;
      if (c >= 0x80) {
        const size_t len = Utf8Sequence(s_, i_, n_);
        if (len == 0) return FailB("invalid UTF-8");
        i_ += len;
        continue;
      }
      // An escape.
      if (i_ > start) st_.push_chars(text_.substr(start, i_ - start));
      const size_t at = i_;
      if (i_ + 1 >= n_) return FailB("unterminated string");
      char out[4];
      size_t len = 1;
      switch (s_[i_ + 1]) {
        case '"': out[0] = '"'; break;
        case '\\': out[0] = '\\'; break;
        case '/': out[0] = '/'; break;
        case 'b': out[0] = '\b'; break;
        case 'f': out[0] = '\f'; break;
        case 'n': out[0] = '\n'; break;
        case 'r': out[0] = '\r'; break;
        case 't': out[0] = '\t'; break;
        case 'u': {
          int32_t cp = Hex4(i_ + 2);
          if (cp < 0) return FailB("invalid \\u escape");
          i_ += 6;
          if (cp >= 0xDC00 && cp <= 0xDFFF) {
            i_ = at;
            return FailB("lone surrogate");
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            const int32_t lo = (i_ + 1 < n_ && s_[i_] == '\\' && s_[i_ + 1] == 'u') ? Hex4(i_ + 2) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) {
              i_ = at;
              return FailB("lone surrogate");
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i_ += 6;
          }
          len = EncodeUtf8(static_cast<uint32_t>(cp), out);
          st_.push_chars(std::string_view(out, len));
          start = i_;
          continue;
        }
        default:
          ++i_;
          return FailB("invalid escape");
      }
      st_.push_chars(std::string_view(out, len));
      i_ += 2;
      start = i_;
    }
    const std::string_view last = text_.substr(start, i_ - start);
    ++i_;  // the closing quote
    if (key)
      st_.push_key(last);
    else
      st_.push_string(last);
    return true;
  }

  // The value of 4 hex digits at s_[k], or -1.
  int32_t Hex4(size_t k) const {
    if (k + 4 > n_) return -1;
    int32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      const int h = HexValue(s_[k + j]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  bool Literal(std::string_view word) {
    if (text_.substr(i_, word.size()) != word) return FailB("invalid literal");
    i_ += word.size();
    return true;
  }

  // RFC 8259 number, typed as boost::json::parse types it: an integer is int64 when it fits, else uint64 when it
  // fits, else double; anything with a fraction or an exponent is double, correctly rounded (std::from_chars;
  // boost's default conversion may be one unit in the last place off), ±infinity past the double range, ±0
  // below it.
  bool Number() {
    const size_t b = i_;
    const bool negative = s_[i_] == '-';
    if (negative) ++i_;
    if (i_ >= n_ || !IsDigit(s_[i_])) return FailB("invalid number");
    const size_t digits_begin = i_;
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < n_ && IsDigit(s_[i_])) ++i_;
    }
    const size_t digits_end = i_;
    bool integer = true;
    size_t frac_begin = i_, frac_end = i_;
    if (i_ < n_ && s_[i_] == '.') {
      integer = false;
      frac_begin = ++i_;
      if (i_ >= n_ || !IsDigit(s_[i_])) return FailB("invalid number");
      while (i_ < n_ && IsDigit(s_[i_])) ++i_;
      frac_end = i_;
    }
    bool exp_negative = false;
    size_t exp_begin = i_;
    if (i_ < n_ && (s_[i_] == 'e' || s_[i_] == 'E')) {
      integer = false;
      ++i_;
      if (i_ < n_ && (s_[i_] == '+' || s_[i_] == '-')) exp_negative = s_[i_++] == '-';
      exp_begin = i_;
      if (i_ >= n_ || !IsDigit(s_[i_])) return FailB("invalid number");
      while (i_ < n_ && IsDigit(s_[i_])) ++i_;
    }
    if (integer) {
      uint64_t v = 0;
      bool overflow = false;
      for (size_t k = digits_begin; k < digits_end && !overflow; ++k) {
        const uint64_t d = s_[k] - '0';
        if (v > (UINT64_MAX - d) / 10)
          overflow = true;
        else
          v = v * 10 + d;
      }
      if (!overflow) {
        if (!negative && v <= static_cast<uint64_t>(INT64_MAX)) {
          st_.push_int64(static_cast<int64_t>(v));
          return true;
        }
        if (!negative) {
          st_.push_uint64(v);
          return true;
        }
        if (v <= static_cast<uint64_t>(INT64_MAX) + 1) {
          st_.push_int64(v == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(v));
          return true;
        }
      }
    }
    double d = 0;
    const char* first = text_.data() + b;
    const char* last = text_.data() + i_;
    const auto [ptr, ec] = std::from_chars(first, last, d);
    if (ec == std::errc::result_out_of_range || ptr != last) {
      // Past the range: which side? The decimal exponent of the first significant digit, roughly.
      int64_t scale = 0;
      bool zero = true;
      size_t k = digits_begin;
      while (k < digits_end && s_[k] == '0') ++k;
      if (k < digits_end) {
        zero = false;
        scale = static_cast<int64_t>(digits_end - k);
      } else {
        k = frac_begin;
        while (k < frac_end && s_[k] == '0') ++k;
        if (k < frac_end) zero = false;
        scale = -static_cast<int64_t>(k - frac_begin);
      }
      int64_t exponent = 0;
      for (size_t e = exp_begin; e < i_ && exponent < 1'000'000'000; ++e) exponent = exponent * 10 + (s_[e] - '0');
      scale += exp_negative ? -exponent : exponent;
      const bool huge = !zero && scale > 0;
      d = huge ? std::numeric_limits<double>::infinity() : 0.0;
      if (negative) d = -d;
    } else if (ec != std::errc()) {
      i_ = b;
      return FailB("invalid number");
    }
    st_.push_double(d);
    return true;
  }

  const unsigned char* s_;
  size_t n_;
  std::string_view text_;
  size_t max_depth_;
  boost::json::value_stack& st_;
  size_t i_ = 0;
  std::string error_;
};

}  // namespace

Result<boost::json::value> ParseLenientJson(std::string_view text, size_t max_depth) {
  try {
    unsigned char temp[4096];
    boost::json::value_stack st(boost::json::storage_ptr(), temp, sizeof temp);
    st.reset();
    Parser parser(text, max_depth, st);
    std::string error = parser.Run();
    if (!error.empty()) return MakeError(ErrorCode::kBadRequest, std::move(error));
    return st.release();
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kBadRequest, std::string("JSON too large: ") + e.what());
  }
}

}  // namespace tribune::interop
