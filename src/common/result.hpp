// The error vocabulary of Tribune: every fallible function returns Result<T>.
// One place (http/errors.cpp) maps an ErrorCode to an HTTP status and the API.md error object.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tribune {

// Codes follow API.md's error codes; kUnavailable and kInternal are 5xx.
enum class ErrorCode {
  kBadRequest,
  kUnauthenticated,
  kForbidden,
  kNotFound,
  kConflict,
  kPayloadTooLarge,
  kUnsupportedMediaType,
  kRateLimited,
  kCaptchaFailed,
  kConsentRequired,
  kAccountBlocked,
  kGone,
  kRejected,
  kUnavailable,
  kInternal,
};

// The snake_case name API.md uses for a code ("bad_request", ...).
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Extra members of the JSON error object as serialised JSON object members without braces,
  // e.g. R"("findings":[...])". Empty when none.
  std::string extra_json;
  // For kRateLimited: the Retry-After seconds (0: the HTTP layer's default).
  int64_t retry_after_seconds = 0;
};

inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message), {}}; }

// A value or an Error. Cheap to move; check ok() before value().
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                 // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}             // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Ok) {}                                             // NOLINT
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

// Propagates an error from an expression returning Result<...>.
#define TRIBUNE_TRY(expr)                                  \
  do {                                                     \
    auto&& tribune_try_r_ = (expr);                        \
    if (!tribune_try_r_.ok()) return std::move(tribune_try_r_).error(); \
  } while (0)

// Declares `decl` from the value of a Result expression, or returns its error.
//   TRIBUNE_ASSIGN(auto account, service.FindById(id));
#define TRIBUNE_CONCAT_INNER(a, b) a##b
#define TRIBUNE_CONCAT(a, b) TRIBUNE_CONCAT_INNER(a, b)
#define TRIBUNE_ASSIGN(decl, expr) TRIBUNE_ASSIGN_IMPL(TRIBUNE_CONCAT(tribune_assign_r_, __LINE__), decl, expr)
#define TRIBUNE_ASSIGN_IMPL(tmp, decl, expr)     \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return std::move(tmp).error();  \
  decl = std::move(tmp).value()

}  // namespace tribune
