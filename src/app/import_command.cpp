// `tribune import rss|disqus|wxr FILE|URL [--data DIR]`: an existing site's articles and comments (src/imports).
// The file is read twice: once to validate it (nothing is written when it is malformed or hostile), once to
// store it; re-running imports nothing twice.
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "app/commands.hpp"
#include "app/services.hpp"
#include "imports/fetch.hpp"
#include "imports/importer.hpp"

namespace tribune::app {

int ImportCommand(CommandContext& ctx) {
  const std::string kind_name = ctx.positional.empty() ? "" : ctx.positional.front();
  imports::SourceKind kind;
  if (kind_name == "rss") kind = imports::SourceKind::kRss;
  else if (kind_name == "disqus") kind = imports::SourceKind::kDisqus;
  else if (kind_name == "wxr") kind = imports::SourceKind::kWxr;
  else {
    std::fprintf(stderr, "tribune: import: say what to import: rss, disqus or wxr (got \"%s\")\n", kind_name.c_str());
    return 2;
  }
  if (ctx.positional.size() != 2) {
    std::fprintf(stderr, "tribune: import %s: give exactly one %s\n", kind_name.c_str(),
                 kind == imports::SourceKind::kRss ? "FILE or http(s) URL" : "FILE");
    return 2;
  }
  std::string path = ctx.positional[1];
  std::string temp;
  if (imports::IsHttpUrl(path)) {
    if (kind != imports::SourceKind::kRss) {
      std::fprintf(stderr, "tribune: import %s: download the export and give its FILE\n", kind_name.c_str());
      return 2;
    }
    auto fetched = imports::FetchToTempFile(path);
    if (!fetched.ok()) {
      std::fprintf(stderr, "tribune: import rss: %s\n", fetched.error().message.c_str());
      return 1;
    }
    temp = *fetched;
    path = temp;
  }
  struct Cleanup {
    std::string file;
    ~Cleanup() { if (!file.empty()) ::unlink(file.c_str()); }
  } cleanup{temp};

  const auto t0 = std::chrono::steady_clock::now();
  auto checked = imports::Importer::Validate(kind, path);
  if (!checked.ok()) {
    std::fprintf(stderr, "tribune: import %s: %s: %s\nnothing was imported\n", kind_name.c_str(),
                 ctx.positional[1].c_str(), checked.error().message.c_str());
    return 1;
  }
  std::printf("%s", imports::FormatReport(*checked, /*validated_only=*/true).c_str());
  std::fflush(stdout);

  auto built = BuildServices(ctx.config, ctx.data_dir);
  if (!built.ok()) {
    std::fprintf(stderr, "tribune: %s\n", built.error().message.c_str());
    return 1;
  }
  Services& s = **built;
  const int64_t total = checked->comments_read;
  imports::ImporterOptions options{.language = ctx.config.GetString("site.default_edition")};
  options.progress = [&](const imports::ImportReport& r) {
    std::fprintf(stderr, "tribune: import %s: %lld of %lld comments read, %lld imported\n", kind_name.c_str(),
                 static_cast<long long>(r.comments_read), static_cast<long long>(total),
                 static_cast<long long>(r.comments_imported));
  };
  imports::Importer importer(*s.db, *s.articles, s.engine.get(), *s.ids, s.clock, std::move(options));
  auto report = importer.Import(kind, path);
  if (!report.ok()) {
    std::fprintf(stderr,
                 "tribune: import %s: %s\nwhat was stored before the error is kept; run the same command again to "
                 "finish (nothing is imported twice)\n",
                 kind_name.c_str(), report.error().message.c_str());
    return 1;
  }
  std::printf("%s", imports::FormatReport(*report, false).c_str());
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("elapsed: %.2f s\n", secs);
  return 0;
}

}  // namespace tribune::app
