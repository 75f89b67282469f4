// Lexicon databases: Hyperscan compile, serialisation, the on-disk cache and the per-thread scratch pool.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "moderation/rules/lexicon_internal.hpp"

namespace tribune::moderation {
using namespace lexicon_internal;
namespace fs = std::filesystem;

namespace {

// What the normalisation does to a sample of tricky input: part of the cache key, so a change in
// text::BuildViews invalidates cached databases.
std::string NormalisationProbe() {
  return Normalise(
      "Ｆ.u.c.k fuuuuck sh1t a$$ раураl хуй ёбаный Größe naïve I’ll x y z f*ck ˉ ы ъ ь 0123456789 !|+@ - _ ~ "
      "ÇÀÉÎÕÜ ß ﬁ ǅ Ω ω ς");
}

// ---------------------------------------------------------------------------------------------
// Binary cache I/O.

class Writer {
 public:
  void U32(uint32_t v) { buf_.append(reinterpret_cast<const char*>(&v), 4); }
  void U64(uint64_t v) { buf_.append(reinterpret_cast<const char*>(&v), 8); }
  void F64(double v) { buf_.append(reinterpret_cast<const char*>(&v), 8); }
  void Str(std::string_view s) {
    U64(s.size());
    buf_.append(s.data(), s.size());
  }
  std::string& buf() { return buf_; }

 private:
  std::string buf_;
};

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  bool U32(uint32_t& v) { return Raw(&v, 4); }
  bool U64(uint64_t& v) { return Raw(&v, 8); }
  bool F64(double& v) { return Raw(&v, 8); }
  bool Str(std::string& s) {
    std::string_view v;
    if (!View(v)) return false;
    s.assign(v);
    return true;
  }
  // A length-prefixed blob without copying it (valid while the buffer lives).
  bool View(std::string_view& v) {
    uint64_t n;
    if (!U64(n) || n > b_.size() - pos_) return false;
    v = b_.substr(pos_, n);
    pos_ += n;
    return true;
  }

 private:
  bool Raw(void* p, size_t n) {
    if (b_.size() - pos_ < n) return false;
    std::memcpy(p, b_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  std::string_view b_;
  size_t pos_ = 0;
};

}  // namespace

uint64_t lexicon_internal::Fnv(uint64_t h, std::string_view s) {
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  // Length as a separator so "ab"+"c" and "a"+"bc" differ.
  for (int k = 0; k < 8; ++k) {
    h ^= (s.size() >> (8 * k)) & 0xFF;
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t lexicon_internal::CacheKeySeed() {
  uint64_t key = 1469598103934665603ull;
  key = Fnv(key, "format " + std::to_string(kCacheFormat));
  key = Fnv(key, hs_version());
  hs_platform_info_t platform{};
  if (hs_populate_platform(&platform) == HS_SUCCESS) {  // a database is built for this CPU's features
    key = Fnv(key, std::to_string(platform.tune) + "/" + std::to_string(platform.cpu_features));
  }
  key = Fnv(key, NormalisationProbe());
  return key;
}

std::string lexicon_internal::HexKey(uint64_t k) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(k));
  return buf;
}

// ---------------------------------------------------------------------------------------------

LexiconDetector::Impl::~Impl() {
  for (hs_scratch_t* s : pool) hs_free_scratch(s);
  if (proto_scratch) hs_free_scratch(proto_scratch);
  for (Language& l : languages) {
    if (l.db_short) hs_free_database(l.db_short);
    if (l.db_collapsed) hs_free_database(l.db_collapsed);
  }
}

hs_scratch_t* LexiconDetector::Impl::Acquire() const {
  {
    std::lock_guard<std::mutex> lock(pool_mu);
    if (!pool.empty()) {
      hs_scratch_t* s = pool.back();
      pool.pop_back();
      return s;
    }
  }
  hs_scratch_t* s = nullptr;
  if (hs_clone_scratch(proto_scratch, &s) != HS_SUCCESS) return nullptr;
  return s;
}

void LexiconDetector::Impl::Release(hs_scratch_t* s) const {
  std::lock_guard<std::mutex> lock(pool_mu);
  pool.push_back(s);
}

Status LexiconDetector::Impl::Compile(Language& lang) {
  // Entries whose collapsed form has under three code points go to db_short (their norm, scanned over
  // the squeezed view); every other one to db_collapsed (its collapsed form, scanned over the collapsed
  // text). The collapsed strings live only until hs_compile_lit_multi has copied them.
  std::vector<const char*> sx, cx;
  std::vector<size_t> sl, cl;
  std::vector<unsigned> sid, cid;
  std::string collapsed_pool;
  std::vector<std::pair<size_t, size_t>> collapsed_at;  // offset and length in collapsed_pool
  Collapsed c;
  for (size_t i = 0; i < lang.entries.size(); ++i) {
    const std::string_view norm = lang.Norm(lang.entries[i]);
    Collapse(norm, c);
    if (CodePoints(c.text).size() < 3) {
      sx.push_back(norm.data());
      sl.push_back(norm.size());
      sid.push_back(static_cast<unsigned>(i));
    } else {
      collapsed_at.emplace_back(collapsed_pool.size(), c.text.size());
      collapsed_pool += c.text;
      cid.push_back(static_cast<unsigned>(i));
    }
  }
  for (const auto& [off, len] : collapsed_at) {  // after the pool stopped growing
    cx.push_back(collapsed_pool.data() + off);
    cl.push_back(len);
  }
  auto build = [&](std::vector<const char*>& exprs, std::vector<size_t>& lens, std::vector<unsigned>& ids,
                   hs_database_t** db) -> Status {
    if (exprs.empty()) return Ok{};
    std::vector<unsigned> flags(exprs.size(), 0);
    hs_compile_error_t* err = nullptr;
    if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, db,
                             &err) != HS_SUCCESS) {
      std::string msg = err && err->message ? err->message : "unknown error";
      if (err) hs_free_compile_error(err);
      return MakeError(ErrorCode::kInternal, "lexicon " + lang.code + ": Hyperscan compile failed: " + msg);
    }
    return Ok{};
  };
  TRIBUNE_TRY(build(sx, sl, sid, &lang.db_short));
  TRIBUNE_TRY(build(cx, cl, cid, &lang.db_collapsed));
  return Ok{};
}

Status LexiconDetector::Impl::AllocScratch() {
  for (const Language& l : languages) {
    for (hs_database_t* db : {l.db_short, l.db_collapsed}) {
      if (db && hs_alloc_scratch(db, &proto_scratch) != HS_SUCCESS)
        return MakeError(ErrorCode::kInternal, "lexicon: cannot allocate Hyperscan scratch");
    }
  }
  return Ok{};
}

std::string LexiconDetector::Impl::Serialise(uint64_t key) const {
  Writer w;
  w.buf().append("TRLEXDB", 8);
  w.U32(kCacheFormat);
  w.U64(key);
  w.U32(static_cast<uint32_t>(rules.size()));
  for (const auto& r : rules) w.Str(r);
  w.U32(static_cast<uint32_t>(languages.size()));
  for (const Language& l : languages) {
    w.Str(l.code);
    w.U32(static_cast<uint32_t>(l.entries.size()));
    // Entries raw (trivially copyable, same machine: the key holds the CPU features) and the pool.
    w.Str(std::string_view(reinterpret_cast<const char*>(l.entries.data()), l.entries.size() * sizeof(Entry)));
    w.Str(l.pool);
    w.U32(static_cast<uint32_t>(l.endings.size()));
    for (const auto& s : l.endings) w.Str(s);
    w.U32(static_cast<uint32_t>(l.markers.size()));
    for (const auto& s : l.markers) w.Str(s);
    w.U32(static_cast<uint32_t>(l.fillers.size()));
    for (const auto& s : l.fillers) w.Str(s);
    for (hs_database_t* db : {l.db_short, l.db_collapsed}) {
      if (!db) {
        w.Str("");
        continue;
      }
      char* bytes = nullptr;
      size_t len = 0;
      if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS) return {};
      w.Str(std::string_view(bytes, len));
      std::free(bytes);
    }
  }
  return std::move(w.buf());
}

bool LexiconDetector::Impl::Deserialise(std::string_view bytes, uint64_t key) {
  if (bytes.size() < 8 || std::memcmp(bytes.data(), "TRLEXDB", 8) != 0) return false;
  Reader r(bytes.substr(8));
  uint32_t format, n;
  uint64_t k;
  if (!r.U32(format) || format != kCacheFormat || !r.U64(k) || k != key || !r.U32(n)) return false;
  std::vector<std::string> rs(n);
  for (auto& s : rs)
    if (!r.Str(s)) return false;
  if (!r.U32(n) || n != language_codes.size()) return false;
  std::vector<Language> ls(n);
  bool ok = true;
  for (Language& l : ls) {
    uint32_t m;
    if (!r.Str(l.code) || !r.U32(m)) {
      ok = false;
      break;
    }
    std::string_view raw;
    ok = r.View(raw) && raw.size() == size_t{m} * sizeof(Entry) && r.Str(l.pool);
    if (!ok) break;
    l.entries.resize(m);
    if (m > 0) std::memcpy(l.entries.data(), raw.data(), raw.size());
    for (const Entry& e : l.entries) {
      ok = ok && e.rule <= rs.size() && size_t{e.norm_off} + e.norm_len <= l.pool.size() &&
           size_t{e.term_off} + e.term_len <= l.pool.size();
    }
    ok = ok && r.U32(m);
    if (!ok) break;
    l.endings.resize(m);
    for (auto& s : l.endings) ok = ok && r.Str(s);
    ok = ok && r.U32(m);
    if (!ok) break;
    l.markers.resize(m);
    for (auto& s : l.markers) ok = ok && r.Str(s);
    ok = ok && r.U32(m);
    if (!ok) break;
    l.fillers.resize(m);
    for (auto& s : l.fillers) ok = ok && r.Str(s);
    for (hs_database_t** db : {&l.db_short, &l.db_collapsed}) {
      std::string_view blob;
      ok = ok && r.View(blob);
      if (ok && !blob.empty()) ok = hs_deserialize_database(blob.data(), blob.size(), db) == HS_SUCCESS;
    }
    if (!ok) break;
  }
  if (!ok) {
    for (Language& l : ls) {
      if (l.db_short) hs_free_database(l.db_short);
      if (l.db_collapsed) hs_free_database(l.db_collapsed);
    }
    return false;
  }
  rules = std::move(rs);
  languages = std::move(ls);
  return true;
}

void LexiconDetector::Impl::LoadCache(const fs::path& cache_file, uint64_t key) {
  if (!cache_file.empty()) {
    // One read into a buffer of the file's size (a stringstream would hold two or three copies).
    std::error_code ec;
    const auto size = fs::file_size(cache_file, ec);
    std::ifstream in(cache_file, std::ios::binary);
    if (!ec && in) {
      std::string bytes(size, '\0');
      if (in.read(bytes.data(), static_cast<std::streamsize>(size)) && in.gcount() == static_cast<std::streamsize>(size))
        from_cache = Deserialise(bytes, key);
    }
  }
  if (from_cache) {
    for (Language& lang : languages) Finish(lang);
    if (!AllocScratch().ok()) {  // a cache Hyperscan will not run here: rebuild it
      from_cache = false;
      if (proto_scratch) hs_free_scratch(proto_scratch);
      proto_scratch = nullptr;
      for (Language& l : languages) {
        if (l.db_short) hs_free_database(l.db_short);
        if (l.db_collapsed) hs_free_database(l.db_collapsed);
      }
    }
  }
}

void LexiconDetector::Impl::StoreCache(const std::string& cache_dir, const fs::path& cache_file,
                                       uint64_t key) const {
  // Best effort: write a temporary file and rename it into place.
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  const std::string bytes = Serialise(key);
  if (!bytes.empty()) {
    const fs::path tmp = cache_file.string() + ".tmp" + std::to_string(reinterpret_cast<uintptr_t>(this));
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (out)
      fs::rename(tmp, cache_file, ec);
    else
      fs::remove(tmp, ec);
    // Databases of earlier lexicon versions are dead weight (about 25 MB each): remove them.
    for (const auto& entry : fs::directory_iterator(cache_dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("lexicon-", 0) == 0 && entry.path().extension() == ".hsdb" && entry.path() != cache_file)
        fs::remove(entry.path(), ec);
    }
  }
}

}  // namespace tribune::moderation
