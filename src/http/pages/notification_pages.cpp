// The reader's notification pages. /account/notifications (signed in): e-mail notices of replies (off, at once,
// or a daily digest) and the browsers that receive push notifications, each with its topics in words and a
// Remove button. Both work as plain forms (the CSRF token in a field); follow.js sends them to the JSON API.
// /unsubscribe?token= is the link of every notice mail: a GET only shows a button (mail scanners follow links),
// a POST stops the notices. That POST is also RFC 8058's one-click unsubscribe, which mail clients send without
// a cookie (body "List-Unsubscribe=One-Click"): the signed token is the proof, so it needs no CSRF token.
#include <boost/json/object.hpp>

#include <charconv>

#include "http/pages/account_pages.hpp"
#include "http/pages/reader_pages.hpp"
#include "http/pages/subscription_pages.hpp"
#include "notify/prefs.hpp"
#include "notify/push.hpp"

namespace tribune::http {

namespace {

namespace json = boost::json;
using site::Data;
using site::Lang;

constexpr const char* kPath = "/account/notifications";

// "/account/notifications" with the page's language and an optional flag: "?lang=fr&saved=1".
std::string Here(const SiteContext& ctx, Lang lang, std::string_view flag = "") {
  std::string q = LangQuery(ctx, lang);
  if (!flag.empty()) q += (q.empty() ? "?" : "&") + std::string(flag) + "=1";
  return kPath + q;
}

// The frame of these pages: account.css, follow.js (the enhancements), never cached, no index.
Response Show(const SiteContext& ctx, const PageVisit& visit, std::string_view title_key, std::string_view tpl,
              Data d, int status = 200, bool no_referrer = false, json::object data = {}) {
  d.set("q", LangQuery(ctx, visit.lang));
  Frame f;
  f.title = std::string(site::T(visit.lang, title_key));
  f.content = site::Render(tpl, visit.lang, d);
  f.styles = {"account.css"};
  if (!data.empty()) f.scripts = {"follow.js"};
  f.data = std::move(data);
  f.body_class = "account";
  f.noindex = true;
  Response r = PageResponse(ctx, visit, std::move(f), status, {.no_store = true});
  if (no_referrer) {
    for (auto& [name, value] : r.headers) {
      if (name == "Referrer-Policy") value = "no-referrer";  // the token is in the URL
    }
  }
  return r;
}

bool PushOn(const SiteContext& ctx) {
  return ctx.api.push_subscriptions != nullptr && !ctx.api.vapid_public_key.empty();
}

// The push service of an origin in words: whose browser it is. Anything else is shown as its host.
std::string ServiceName(std::string_view origin) {
  std::string_view host = origin;
  if (auto p = host.find("://"); p != std::string_view::npos) host = host.substr(p + 3);
  if (auto p = host.find_first_of(":/"); p != std::string_view::npos) host = host.substr(0, p);
  auto under = [&](std::string_view domain) {
    return host == domain.substr(1) || (host.size() > domain.size() && host.ends_with(domain));
  };
  if (host == "fcm.googleapis.com" || host == "android.googleapis.com") return "Chrome / Android";
  if (under(".mozilla.com")) return "Firefox";
  if (under(".push.apple.com")) return "Safari";
  if (under(".notify.windows.com")) return "Edge / Windows";
  return std::string(host);
}

const char* LangName(std::string_view code) {
  if (code == "fr") return "Français";
  if (code == "ru") return "Русский";
  if (code == "en") return "English";
  return nullptr;
}

// One topic in words; an article's topic names (and links) the article.
site::Object Topic(SiteContext& ctx, Lang lang, const std::string& topic) {
  if (topic == "replies") return site::Object{{"text", std::string(site::T(lang, "notif.topic.replies"))}};
  if (topic.starts_with("breaking:")) {
    const std::string code = topic.substr(9);
    const char* name = LangName(code);
    return site::Object{{"text", site::Format(lang, "notif.topic.breaking", {{"edition", name ? name : code}})}};
  }
  if (topic.starts_with("article:")) {
    int64_t id = 0;
    const std::string digits = topic.substr(8);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (ec == std::errc() && end == digits.data() + digits.size()) {
      if (auto a = ctx.api.articles.Get(id); a.ok()) {
        return site::Object{{"text", std::string(site::T(lang, "notif.topic.article"))},
                            {"article", site::Object{{"title", a->title}, {"href", "/articles/" + a->slug}}}};
      }
    }
    return site::Object{{"text", std::string(site::T(lang, "notif.topic.article_gone"))}};
  }
  return site::Object{{"text", topic}};
}

Response Settings(SiteContext& ctx, const Request& req, int status = 200, std::string error = "") {
  const PageVisit visit = Visit(ctx, req);
  if (!visit.viewer) return account_pages::SeeOther(std::string("/login?return=") + kPath);
  const Lang lang = visit.lang;
  const int64_t account = visit.viewer->account.id;
  Data d;
  d.set("csrf", visit.viewer->csrf_token);
  d.set("action", Here(ctx, lang));
  if (req.Query("saved")) d.set("saved", site::Bool(true));
  if (req.Query("removed")) d.set("removed", site::Bool(true));
  if (!error.empty()) d.set("error", error);
  if (ctx.api.notification_prefs != nullptr) {
    auto mode = ctx.api.notification_prefs->EmailReplies(account);
    if (!mode.ok()) return ErrorPage(ctx, visit, 500);
    d.set("email", site::Object{{"off", site::Bool(*mode == "off")},
                                {"immediate", site::Bool(*mode == "immediate")},
                                {"daily", site::Bool(*mode == "daily")},
                                {"address", visit.viewer->account.email}});
  }
  if (PushOn(ctx)) {
    auto subs = ctx.api.push_subscriptions->ForAccount(account);
    if (!subs.ok()) return ErrorPage(ctx, visit, 500);
    site::List devices;
    for (const auto& s : *subs) {
      site::List topics;
      for (const auto& t : s.topics) topics.push_back(Topic(ctx, lang, t));
      const std::string id = std::to_string(s.id);
      devices.push_back(site::Object{
          {"id", id},
          {"name", ServiceName(s.origin)},
          {"topics", topics},
          {"since", site::FormatDay(lang, s.created_at)},
          {"last", s.last_success_at ? site::FormatDate(lang, *s.last_success_at)
                                     : std::string(site::T(lang, "notif.devices.never"))},
          {"remove", "/account/notifications/devices/" + id + "/remove" + LangQuery(ctx, lang)}});
    }
    d.set("push", site::Object{{"devices", devices}, {"none", site::Bool(devices.empty())}});
  }
  // Only an address the reader confirmed owning shows (and may cancel) its news subscriptions.
  if (visit.viewer->account.status == "active") d.set("news", NewsSubscriptionsData(ctx, lang, visit.viewer->account.email));
  json::object data{{"page", "notifications"}};
  return Show(ctx, visit, "notif.title", "notifications", std::move(d), status, false, std::move(data));
}

Response SaveSettings(SiteContext& ctx, Request& req) {
  auto auth = account_pages::FormWriter(ctx, req);
  if (!auth.ok()) return account_pages::SeeOther(std::string("/login?return=") + kPath);
  const Lang lang = Visit(ctx, req).lang;
  if (ctx.api.notification_prefs == nullptr) return Settings(ctx, req, 404);
  const std::string mode = FormField(req, "email_replies");
  const Status st = ctx.api.notification_prefs->SetEmailReplies(auth->account.id, mode);
  if (!st.ok()) {
    const bool ours = st.error().code >= ErrorCode::kUnavailable;
    return Settings(ctx, req, ours ? 500 : 400, std::string(site::T(lang, ours ? "error.failed" : "notif.email.bad")));
  }
  return account_pages::SeeOther(Here(ctx, lang, "saved"));
}

Response RemoveDevice(SiteContext& ctx, Request& req) {
  auto auth = account_pages::FormWriter(ctx, req);
  if (!auth.ok()) return account_pages::SeeOther(std::string("/login?return=") + kPath);
  const Lang lang = Visit(ctx, req).lang;
  if (!PushOn(ctx)) return Settings(ctx, req, 404);
  int64_t id = 0;
  const std::string& raw = req.path_params["id"];
  auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
  // Someone else's device, or none: the same answer as an unknown id (the list shows what is left).
  if (ec != std::errc() || end != raw.data() + raw.size() || id <= 0) {
    return Settings(ctx, req, 404, std::string(site::T(lang, "notif.devices.unknown")));
  }
  const Status st = ctx.api.push_subscriptions->Remove(auth->account.id, id);
  if (!st.ok()) {
    const bool ours = st.error().code >= ErrorCode::kUnavailable;
    return Settings(ctx, req, ours ? 500 : 404,
                    std::string(site::T(lang, ours ? "error.failed" : "notif.devices.unknown")));
  }
  return account_pages::SeeOther(Here(ctx, lang, "removed"));
}

// The visit of an unsubscribe page: the language of the account the token names, unless ?lang= says otherwise.
PageVisit UnsubscribeVisit(SiteContext& ctx, const Request& req, std::optional<int64_t> account) {
  std::optional<Lang> lang;
  if (account && !req.Query("lang")) {
    if (auto a = ctx.api.accounts.FindById(*account); a.ok()) lang = site::ParseLang(a->language);
  }
  return Visit(ctx, req, lang);
}

Response UnsubscribePage(SiteContext& ctx, const PageVisit& visit, Data d, int status,
                         std::string_view title_key = "notif.unsub.title") {
  return Show(ctx, visit, title_key, "unsubscribe", std::move(d), status, true);
}

Response BadToken(SiteContext& ctx, const Request& req) {
  Data d;
  d.set("bad", site::Bool(true));
  return UnsubscribePage(ctx, Visit(ctx, req), std::move(d), 400, "error.title");
}

// The token travels in the URL (the mail's List-Unsubscribe link); the page's own form repeats it in the body.
std::string TokenOf(const Request& req) {
  if (auto t = req.Query("token"); t && !t->empty()) return *t;
  return FormField(req, "token");
}

Response UnsubscribeForm(SiteContext& ctx, const Request& req) {
  if (ctx.api.notification_prefs == nullptr) return ErrorPage(ctx, Visit(ctx, req), 404);
  const std::string token = TokenOf(req);
  auto account = ctx.api.notification_prefs->Verify(token);  // changes nothing: scanners fetch links
  if (!account.ok()) return BadToken(ctx, req);
  const PageVisit visit = UnsubscribeVisit(ctx, req, *account);
  Data d;
  d.set("form", site::Object{{"token", token}});
  return UnsubscribePage(ctx, visit, std::move(d), 200);
}

Response Unsubscribe(SiteContext& ctx, const Request& req) {
  if (ctx.api.notification_prefs == nullptr) return ErrorPage(ctx, Visit(ctx, req), 404);
  auto account = ctx.api.notification_prefs->Unsubscribe(TokenOf(req));
  if (!account.ok()) {
    if (account.error().code >= ErrorCode::kUnavailable) return ErrorPage(ctx, Visit(ctx, req), 500);
    return BadToken(ctx, req);
  }
  const PageVisit visit = UnsubscribeVisit(ctx, req, *account);
  Data d;
  d.set("done", site::Object{{"settings", Here(ctx, visit.lang)}});
  return UnsubscribePage(ctx, visit, std::move(d), 200, "notif.unsub.done");
}

}  // namespace

void RegisterNotificationPages(Router& router, SiteContext& ctx) {
  router.Add("GET", kPath, [&ctx](Request& req) { return Settings(ctx, req); });
  router.Add("POST", kPath, [&ctx](Request& req) { return SaveSettings(ctx, req); });
  router.Add("POST", "/account/notifications/devices/{id}/remove",
             [&ctx](Request& req) { return RemoveDevice(ctx, req); });
  router.Add("GET", "/unsubscribe", [&ctx](Request& req) { return UnsubscribeForm(ctx, req); });
  router.Add("POST", "/unsubscribe", [&ctx](Request& req) { return Unsubscribe(ctx, req); });
}

}  // namespace tribune::http
