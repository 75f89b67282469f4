// For unit tests that run a real npm tool (the SMTP sink, the OIDC provider, the ALTCHA solver): where the
// repository (with its package.json and node_modules) is, and where node is. Tests skip when either is missing.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

namespace tribune::testing {

// TRIBUNE_SOURCE_DIR, else the first directory above the working directory or the test binary that holds
// package.json and `marker` (a path relative to the repository root).
inline std::optional<std::filesystem::path> RepoRoot(const std::string& marker) {
  namespace fs = std::filesystem;
  const auto is_root = [&](const fs::path& p) { return fs::exists(p / "package.json") && fs::exists(p / marker); };
  if (const char* env = std::getenv("TRIBUNE_SOURCE_DIR"); env && *env && is_root(env)) return fs::path(env);
  std::error_code ec;
  for (fs::path start : {fs::current_path(ec), fs::read_symlink("/proc/self/exe", ec).parent_path()}) {
    for (fs::path p = start; !p.empty(); p = p.parent_path()) {
      if (is_root(p)) return p;
      if (p == p.parent_path()) break;
    }
  }
  return std::nullopt;
}

// TRIBUNE_NODE, else `node` on PATH.
inline std::optional<std::string> FindNode() {
  if (const char* env = std::getenv("TRIBUNE_NODE"); env && *env && ::access(env, X_OK) == 0) return std::string(env);
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / "node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace tribune::testing
