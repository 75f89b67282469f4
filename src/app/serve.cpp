#include <algorithm>
#include <cstdio>

#include "app/commands.hpp"
#include "app/maintenance.hpp"
#include "app/services.hpp"
#include "common/log.hpp"
#include "http/auth.hpp"
#include "http/handlers/api.hpp"
#include "http/pages/pages.hpp"
#include "http/http.hpp"

namespace tribune::app {

namespace {

// "HOST:PORT" or "[v6]:PORT".
bool SplitListen(const std::string& listen, std::string& host, uint16_t& port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 >= listen.size()) return false;
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string p = listen.substr(colon + 1);
  if (p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) return false;
  const long v = std::stol(p);
  if (v > 65535) return false;
  port = static_cast<uint16_t>(v);
  return !host.empty();
}

// The pages' settings: [site], [embed], privacy.contact, captcha.required, comments.max_length.
http::SiteConfig SiteConfigFrom(const Config& config) {
  http::SiteConfig c;
  c.name = config.GetString("site.name");
  c.default_lang = site::ParseLang(config.GetString("site.default_edition")).value_or(site::Lang::kEn);
  c.editions.clear();
  for (const auto& e : config.GetList("site.editions")) {
    if (auto l = site::ParseLang(e); l && std::find(c.editions.begin(), c.editions.end(), *l) == c.editions.end()) {
      c.editions.push_back(*l);
    }
  }
  if (std::find(c.editions.begin(), c.editions.end(), c.default_lang) == c.editions.end()) {
    c.editions.insert(c.editions.begin(), c.default_lang);
  }
  c.privacy_contact = config.GetString("privacy.contact");
  c.embed_origins = config.GetList("embed.allowed_origins");
  c.captcha_required = config.GetBool("captcha.required");
  c.comment_max_length = static_cast<int>(config.GetInt("comments.max_length"));
  for (site::Lang l : {site::Lang::kEn, site::Lang::kFr, site::Lang::kRu}) {
    const std::string& url = config.GetString("listen_live." + std::string(site::LangCode(l)));
    if (!url.empty()) c.listen_live[l] = url;
  }
  return c;
}

// Listen Live URLs must be plain http(s) URLs: they go into the pages and the CSP.
Status CheckListenLive(const Config& config) {
  for (const char* lang : {"en", "fr", "ru"}) {
    const std::string key = std::string("listen_live.") + lang;
    const std::string& url = config.GetString(key);
    if (url.empty()) continue;
    if (auto origin = http::MediaOrigin(url); !origin.ok()) {
      return MakeError(ErrorCode::kBadRequest, key + " \"" + url + "\" " + origin.error().message);
    }
  }
  return Ok{};
}

}  // namespace

int Serve(CommandContext& ctx) {
  Config& config = ctx.config;
  if (auto it = ctx.flags.find("listen"); it != ctx.flags.end()) (void)config.Set("server.listen", it->second);
  log::SetSink(config.GetString("log.target"));
  std::string host;
  uint16_t port = 0;
  if (!SplitListen(config.GetString("server.listen"), host, port)) {
    std::fprintf(stderr, "tribune: server.listen must be HOST:PORT, not \"%s\"\n",
                 config.GetString("server.listen").c_str());
    return 2;
  }
  if (Status st = CheckListenLive(config); !st.ok()) {
    std::fprintf(stderr, "tribune: %s\n", st.error().message.c_str());
    return 2;
  }
  auto services = BuildServices(config, ctx.data_dir);
  if (!services.ok()) {
    std::fprintf(stderr, "tribune: %s\n", services.error().message.c_str());
    return 1;
  }
  Services& s = **services;

  http::ServerOptions options;
  options.host = host;
  options.port = port;
  options.io_threads = static_cast<int>(config.GetInt("server.threads"));
  options.worker_threads = static_cast<int>(config.GetInt("server.worker_threads"));
  options.header_limit = static_cast<size_t>(config.GetInt("server.header_limit_bytes"));
  options.body_limit = static_cast<size_t>(config.GetInt("server.body_limit_bytes"));
  options.read_timeout_ms = static_cast<int>(config.GetInt("server.read_timeout_ms"));
  options.idle_timeout_ms = static_cast<int>(config.GetInt("server.idle_timeout_ms"));
  options.shutdown_grace_ms = static_cast<int>(config.GetInt("server.shutdown_grace_ms"));
  options.access_log = config.GetBool("log.access");

  http::Router router;
  http::Auth auth(*s.accounts);
  http::ApiContext api{*s.accounts,  *s.articles, *s.comments, *s.moderation, auth, *s.engine, config.GetString("site.default_edition"),
                       config.GetString("site.base_url"),
                       static_cast<int>(config.GetInt("comments.page_default")),
                       static_cast<int>(config.GetInt("comments.page_max"))};
  api.privacy_contact = config.GetString("privacy.contact");
  api.trusted_proxies = config.GetList("server.trusted_proxies");
  api.captcha = s.captcha.get();
  api.avatars = s.avatars.get();
  api.images = s.article_images.get();
  options.large_body_path = "/api/v1/images";
  options.large_body_limit = s.article_images->options().max_upload_bytes + 1;  // one more: the service says 413
  api.social = s.social.get();
  api.reports = s.reports.get();
  api.sanctions = s.sanctions.get();
  api.queue = s.queue.get();
  api.live = s.live.get();
  api.push_subscriptions = s.push_subscriptions.get();
  api.notification_prefs = s.notification_prefs.get();
  api.breaking = s.breaking.get();
  api.newsletters = s.newsletters.get();
  api.vapid_public_key = s.vapid_public_key;
  api.reader_views = s.reader_views.get();
  api.panels = s.panels.get();
  api.search = s.search.get();
  api.interop = s.interop.get();
  // --engine-only: the engine as a service beside another comment system (docs/INTEGRATIONS.md) — no site, no
  // mail or push workers; maintenance only prunes Coral's decision records.
  const bool engine_only = ctx.flags.count("engine-only") > 0;
  auth.SetSanctions(s.sanctions.get());
  Maintenance maintenance(s);
  if (config.GetBool("testing.clock_control")) {
    log::Warn("testing.clock_control is on: POST /api/v1/testing/clock moves this server's clock");
    api.advance_clock = [&s, &maintenance](int64_t seconds) -> Status {
      s.clock.Advance(std::chrono::seconds(seconds));
      TRIBUNE_TRY(maintenance.RunDue());
      (void)s.mail_worker->RunOnce();
      if (s.push_worker) s.push_worker->Wake();
      (void)s.articles->FlushViews();  // tests read the view counts right after
      return Ok{};
    };
  }
  http::SiteContext site{api, SiteConfigFrom(config)};
  if (engine_only) {
    http::RegisterEngineOnlyApi(router, api);
  } else {
    http::RegisterApi(router, api);
    http::RegisterSite(router, site);
  }

  // The interop engines in use are built before the server listens, so that "listening" means ready: Coral's
  // edition when Coral is configured, and the editions of the API keys (a key made later for another edition
  // gets 503 with Retry-After while its engine is built).
  {
    std::vector<std::string> editions;
    if (engine_only || !config.GetList("interop.coral_secrets").empty()) {
      const std::string coral = config.GetString("interop.coral_edition");
      editions.push_back(coral.empty() ? config.GetString("site.default_edition") : coral);
    }
    if (auto keys = s.api_keys->List(); keys.ok()) {
      for (const auto& k : *keys) {
        if (!k.revoked_at) editions.push_back(k.edition);
      }
    }
    std::sort(editions.begin(), editions.end());
    editions.erase(std::unique(editions.begin(), editions.end()), editions.end());
    for (const auto& e : editions) {
      if (auto built = s.interop_engines->For(e); !built.ok()) {
        log::Warn("interop engine not built", "\"edition\":\"" + log::JsonEscape(e) + "\",\"error\":\"" +
                                                  log::JsonEscape(built.error().message) + "\"");
      }
    }
  }
  http::Server server(options, router);
  if (Status st = server.Listen(); !st.ok()) {
    std::fprintf(stderr, "tribune: %s\n", st.error().message.c_str());
    return 1;
  }
  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const std::string origin = "http://" + shown_host + ":" + std::to_string(server.port());
  if (api.base_url.empty()) {
    api.base_url = origin;
    s.SetBaseUrl(origin);
  }
  if (!engine_only) {
    s.mail_worker->Start(std::chrono::milliseconds(std::max<int64_t>(10, config.GetInt("mail.poll_ms"))));
    if (s.push_worker) s.push_worker->Start(std::chrono::milliseconds(std::max<int64_t>(10, config.GetInt("push.poll_ms"))));
  }
  maintenance.SetEngineOnly(engine_only);
  maintenance.Start(std::chrono::hours(1));
  log::Info("listening", "\"url\":\"" + origin + "\",\"data\":\"" + log::JsonEscape(ctx.data_dir) + "\"" +
                             (engine_only ? ",\"mode\":\"engine-only\"" : ""));
  std::printf("listening on %s\n", origin.c_str());
  std::fflush(stdout);
  server.Run();
  maintenance.Stop();
  s.mail_worker->Stop();
  if (s.push_worker) s.push_worker->Stop();
  s.interop.reset();
  s.coral.reset();  // its decision records still on their way go to the database before it closes
  // Views counted since the last flush, and what the model learned since its last save, go to the database
  // before it closes.
  if (Status st = s.articles->StopViews(); !st.ok()) log::Error("views not saved", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
  // Decisions made just before the stop are still on their way back from the database (shared mode): wait for them.
  if (!s.model->Drain(std::chrono::seconds(2))) log::Warn("model: decisions announced before the stop may not all be saved");
  if (Status st = s.model->Flush(); !st.ok()) log::Error("model not saved", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
  s.db->Close();
  log::Info("stopped");
  log::Flush();
  return 0;
}

}  // namespace tribune::app
