// `tribune demo seed`: the demo edition's articles (data/demo/articles.json, compiled in), an admin
// account with a generated password, and a few comments, so `make run` shows a living site.
#include <boost/json.hpp>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app/commands.hpp"
#include "app/services.hpp"
#include "common/random.hpp"

namespace tribune {
extern const char kDemoArticlesJson[];
}

namespace tribune::app {

namespace json = boost::json;

namespace {

constexpr const char* kAdminEmail = "admin@example.org";

// The admin password is generated once and kept beside the database (mode 0600).
std::string AdminPassword(const std::string& data_dir) {
  const auto path = std::filesystem::path(data_dir) / "admin-password.txt";
  if (std::ifstream in(path); in) {
    std::string line;
    std::getline(in, line);
    if (!line.empty()) return line;
  }
  std::string password = RandomToken(12);
  std::ofstream(path) << password << "\n";
  ::chmod(path.c_str(), 0600);
  return password;
}

}  // namespace

int DemoSeed(CommandContext& ctx) {
  auto built = BuildServices(ctx.config, ctx.data_dir);
  if (!built.ok()) {
    std::fprintf(stderr, "tribune: %s\n", built.error().message.c_str());
    return 1;
  }
  Services& s = **built;
  const std::string password = AdminPassword(ctx.data_dir);
  auto admin = s.accounts->EnsureAccountWithRole(kAdminEmail, password, "Desk Editor", "admin");
  if (admin.ok()) admin = s.accounts->EnsureAccountWithRole(kAdminEmail, password, "Desk Editor", "editor");
  if (!admin.ok()) {
    std::fprintf(stderr, "tribune: %s\n", admin.error().message.c_str());
    return 1;
  }
  auto reader = s.accounts->EnsureAccountWithRole("reader@example.org", password, "Alex Reader", "reader");
  auto second = s.accounts->EnsureAccountWithRole("sam@example.org", password, "Sam Harbour", "reader");

  const json::value doc = json::parse(kDemoArticlesJson);
  int created = 0;
  const int64_t now = s.clock.NowMicros();
  int64_t age_minutes = 0;
  for (const auto& item : doc.as_array()) {
    const auto& o = item.as_object();
    news::NewArticle a;
    a.slug = std::string(o.at("slug").as_string());
    if (s.articles->GetBySlug(a.slug).ok()) continue;
    a.title = std::string(o.at("title").as_string());
    a.lead = std::string(o.at("lead").as_string());
    a.body = std::string(o.at("body").as_string());
    a.section = std::string(o.at("section").as_string());
    for (const auto& t : o.at("tags").as_array()) a.tags.emplace_back(t.as_string());
    const auto& img = o.at("image").as_object();
    a.image = {std::string(img.at("url").as_string()), std::string(img.at("caption").as_string()),
               std::string(img.at("credit").as_string())};
    if (o.contains("language")) a.language = std::string(o.at("language").as_string());
    if (o.contains("kind")) a.kind = std::string(o.at("kind").as_string());
    if (o.contains("byline")) a.byline = std::string(o.at("byline").as_string());
    // An editors' pick stays recommended for a week after seeding.
    if (o.contains("recommended") && o.at("recommended").as_bool()) a.recommended_until = now + 7LL * 86'400'000'000;
    age_minutes += 47;
    a.published_at = now - age_minutes * 60'000'000;
    auto article = s.articles->Create(a, admin->id);
    if (!article.ok()) {
      std::fprintf(stderr, "tribune: demo article %s: %s\n", a.slug.c_str(), article.error().message.c_str());
      return 1;
    }
    ++created;
    if (reader.ok() && second.ok() && o.contains("comments")) {
      // Each comment names its author (reader, second, editor) and may answer an earlier one ("reply_to": index).
      std::vector<std::optional<int64_t>> ids;
      for (const auto& c : o.at("comments").as_array()) {
        const auto& co = c.as_object();
        const std::string who = co.contains("author") ? std::string(co.at("author").as_string()) : "reader";
        const int64_t author = who == "editor" ? admin->id : who == "second" ? second->id : reader->id;
        std::optional<int64_t> parent;
        if (co.contains("reply_to")) {
          const auto i = static_cast<size_t>(co.at("reply_to").as_int64());
          if (i < ids.size()) parent = ids[i];
        }
        auto posted = s.comments->Post({author, false}, article->id, std::string(co.at("body").as_string()), parent);
        ids.push_back(posted.ok() ? std::optional<int64_t>(posted->id) : std::nullopt);
      }
    }
  }
  s.db->Close();
  std::printf("demo: %d new articles; sign in as %s with password %s\n", created, kAdminEmail, password.c_str());
  return 0;
}

}  // namespace tribune::app
