#include "http/http.hpp"

namespace tribune::http {

namespace {
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') { ++i; continue; }
    const size_t j = path.find('/', i);
    const size_t end = j == std::string_view::npos ? path.size() : j;
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}
}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler, Dispatch dispatch) {
  Route r{std::move(method), {}, std::move(handler), dispatch};
  for (auto s : Split(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  const auto parts = Split(path);
  for (const Route& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    bool ok = true;
    std::map<std::string, std::string> params;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& seg = r.segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        params.emplace(seg.substr(1, seg.size() - 2), std::string(parts[i]));
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok) continue;
    if (r.method != method && !(method == "HEAD" && r.method == "GET")) {
      m.method_not_allowed = true;
      continue;
    }
    m.handler = &r.handler;
    m.dispatch = r.dispatch;
    m.params = std::move(params);
    m.method_not_allowed = false;
    return m;
  }
  return m;
}

const Handler* Router::NotFoundPage(const Request& req) const {
  if (!not_found_page_ || (req.method != "GET" && req.method != "HEAD")) return nullptr;
  if (req.path.starts_with("/api/") || req.Header("accept").find("text/html") == std::string_view::npos) return nullptr;
  return &not_found_page_;
}

}  // namespace tribune::http
