// Downloads a feed for `tribune import rss URL`: http and https only (redirects too, at most 5), at most
// `max_bytes` (50 MB), within `timeout_seconds`; the body goes to a temporary file that the caller removes.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.hpp"

namespace tribune::imports {

struct FetchLimits {
  int64_t max_bytes = 50ll << 20;
  long timeout_seconds = 60;
  long max_redirects = 5;
};

bool IsHttpUrl(const std::string& s);

// Errors: kBadRequest (not http/https, HTTP error status, too large, too many redirects), kUnavailable
// (network, timeout). Returns the path of the temporary file holding the body.
Result<std::string> FetchToTempFile(const std::string& url, const FetchLimits& limits = {});

}  // namespace tribune::imports
