#include "site/assets.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace tribune::site {

namespace {

std::string TypeFor(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "json" || ext == "webmanifest") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "html" || ext == "mustache") return "text/html; charset=utf-8";
  if (ext == "txt" || ext == "md") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool Compressible(std::string_view type) {
  return type.starts_with("text/") || type.starts_with("application/json") || type.starts_with("image/svg");
}

std::string Gzip(std::string_view in) {
  z_stream z{};
  if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&z, in.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

std::string Version(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: a cache key, not a security boundary
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<Asset> Build() {
  std::vector<Asset> all;
  for (size_t i = 0; i < embedded::kFileCount; ++i) {
    const EmbeddedFile& f = embedded::kFiles[i];
    Asset a{f.path, f.bytes, {}, TypeFor(f.path), Version(f.bytes)};
    if (Compressible(a.content_type) && f.path[0] == 's') a.gzip = Gzip(f.bytes);  // static/ and sw.js
    a.shared = std::make_shared<const std::string>(f.bytes);
    if (!a.gzip.empty()) a.shared_gzip = std::make_shared<const std::string>(a.gzip);
    all.push_back(std::move(a));
  }
  std::sort(all.begin(), all.end(), [](const Asset& a, const Asset& b) { return a.path < b.path; });
  return all;
}

}  // namespace

const std::vector<Asset>& AllAssets() {
  static const std::vector<Asset> all = Build();
  return all;
}

const Asset* FindAsset(std::string_view path) {
  const auto& all = AllAssets();
  auto it = std::lower_bound(all.begin(), all.end(), path, [](const Asset& a, std::string_view p) { return a.path < p; });
  return it != all.end() && it->path == path ? &*it : nullptr;
}

std::string StaticUrl(std::string_view name) {
  std::string path = "static/";
  path += name;
  const Asset* a = FindAsset(path);
  return "/" + path + (a ? "?v=" + a->version : "");
}

}  // namespace tribune::site
