// What an interop endpoint answers: a status, a JSON body (empty for 204) and extra headers. Kept apart from
// http::Response so the interop library has no HTTP dependency; the handlers copy it over.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tribune::interop {

struct Reply {
  int status = 200;
  std::string body;  // JSON, or empty (204)
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Retry-After
};

}  // namespace tribune::interop
