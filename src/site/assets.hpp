// Start here for the site's front-end files. Everything under web/ is compiled into the binary
// (cmake/EmbedAssets.cmake); this header finds a file by its path under web/ and gives what serving it
// needs: bytes, a gzip copy, the content type and a version hash for cache-busting URLs.
// Immutable after start; thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tribune::site {

struct EmbeddedFile {
  const char* path;  // relative to web/, e.g. "static/site.css"
  std::string_view bytes;
};

namespace embedded {
extern const EmbeddedFile kFiles[];
extern const size_t kFileCount;
}  // namespace embedded

struct Asset {
  std::string path;          // "static/site.css"
  std::string_view bytes;    // the file as written
  std::string gzip;          // gzip -9 of bytes (empty for formats that are compressed already)
  std::string content_type;  // from the extension; text types carry charset=utf-8
  std::string version;       // 16 hex digits of a hash of the bytes
  // The same bytes as shareable response bodies (sent without copying).
  std::shared_ptr<const std::string> shared, shared_gzip;
};

// The file at `path` under web/, or nullptr.
const Asset* FindAsset(std::string_view path);
// Every embedded file (templates and strings included).
const std::vector<Asset>& AllAssets();
// The URL a page links to for static/<name>: "/static/<name>?v=<version>" (or "/static/<name>" if unknown).
std::string StaticUrl(std::string_view name);

}  // namespace tribune::site
