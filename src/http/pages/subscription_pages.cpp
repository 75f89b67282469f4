// The "Subscribe" pages: the form's answer and the pages behind the links of subscription mails. They work without
// JavaScript. None of them acts for a signed-in reader: the mailbox is the proof (the confirmation token, or the
// signed unsubscribe token), so they need no session and no CSRF token. The unsubscribe POST is also RFC 8058's
// one-click unsubscribe, which mail clients send to the List-Unsubscribe URL (token in the query, body
// "List-Unsubscribe=One-Click", no cookies).
#include "http/pages/subscription_pages.hpp"

#include "http/pages/account_pages.hpp"
#include "http/pages/reader_pages.hpp"
#include "notify/newsletter.hpp"
#include "site/i18n.hpp"

namespace tribune::http {

namespace {

using site::Data;
using site::Lang;

std::string TopicLabel(Lang lang, const std::string& topic) {
  if (topic.starts_with("section:")) return site::Format(lang, "subs.topic.section", {{"name", SectionName(lang, topic.substr(8))}});
  if (topic.starts_with("tag:")) return site::Format(lang, "subs.topic.tag", {{"name", topic.substr(4)}});
  return std::string(site::T(lang, "subs.topic.all"));
}

// The page's frame: reader.css (the form) and account.css (the boxes); never cached, not indexed, and no Referer
// (tokens travel in these URLs).
Response Show(const SiteContext& ctx, const PageVisit& visit, std::string_view title_key, Data d, int status = 200) {
  d.set("home", EditionHome(ctx, visit.lang));
  d.set("q", LangQuery(ctx, visit.lang));
  Frame f;
  f.title = std::string(site::T(visit.lang, title_key));
  f.content = site::Render("subscriptions", visit.lang, d);
  f.styles = {"account.css", "reader.css"};
  f.body_class = "account";
  f.noindex = true;
  Response r = PageResponse(ctx, visit, std::move(f), status, {.no_store = true});
  for (auto& [name, value] : r.headers) {
    if (name == "Referrer-Policy") value = "no-referrer";
  }
  return r;
}

int StatusOf(const Error& e) {
  return e.code == ErrorCode::kGone ? 410 : e.code == ErrorCode::kRateLimited ? 429 : e.code >= ErrorCode::kUnavailable ? 500 : 400;
}

Response LinkFailed(const SiteContext& ctx, const PageVisit& visit, const Error& e) {
  if (StatusOf(e) == 500) return ErrorPage(ctx, visit, 500);
  Data d;
  d.set("failed", std::string(site::T(visit.lang, StatusOf(e) == 410 ? "subs.error.gone" : "subs.error.invalid")));
  return Show(ctx, visit, "subs.error.title", std::move(d), StatusOf(e));
}

Response NotEnabled(const SiteContext& ctx, const Request& req) { return ErrorPage(ctx, Visit(ctx, req), 404); }

// The form's POST: "check your mailbox" (the same for every address), or the form again with what was wrong.
Response Subscribe(SiteContext& ctx, const Request& req) {
  if (ctx.api.newsletters == nullptr) return NotEnabled(ctx, req);
  notify::NewsletterRequest in;
  in.email = FormField(req, "email");
  in.topic = FormField(req, "topic");
  in.language = FormField(req, "language");
  const PageVisit visit = Visit(ctx, req, site::ParseLang(in.language));
  if (in.language.empty()) in.language = std::string(site::LangCode(visit.lang));
  in.client_address = ClientAddress(req, ctx.api.trusted_proxies);
  const Status st = ctx.api.newsletters->Subscribe(in);
  if (st.ok()) {
    Data d;
    d.set("sent", site::Bool(true));
    return Show(ctx, visit, "subs.sent.title", std::move(d), 200);
  }
  const int status = StatusOf(st.error());
  if (status == 500) return ErrorPage(ctx, visit, 500);
  const std::string& m = st.error().message;
  const char* key = status == 429                    ? "subs.error.too_many"
                    : m.starts_with("email")         ? "subs.error.email"
                    : m.starts_with("language")      ? "subs.error.language"
                                                     : "subs.error.topic";
  Data d;
  d.set("failed", std::string(site::T(visit.lang, key)));
  // The form again, with the address kept (a topic that does not exist is not offered again).
  const bool topic_ok = notify::IsNewsletterTopicSyntax(in.topic) && std::string_view(key) != "subs.error.topic";
  Data form = SubscribeFormData(ctx, visit.lang, topic_ok && in.topic != "all" ? std::vector{in.topic} : std::vector<std::string>{});
  if (in.email.size() <= 254) form.set("email", in.email);
  d.set("subscribe", form);
  Response r = Show(ctx, visit, "subs.error.title", std::move(d), status);
  if (status == 429 && st.error().retry_after_seconds > 0) {
    r.headers.emplace_back("Retry-After", std::to_string(st.error().retry_after_seconds));
  }
  return r;
}

std::string TokenOf(const Request& req) {
  if (auto t = req.Query("token"); t && !t->empty()) return t->size() > 512 ? "" : *t;
  return FormField(req, "token");
}

Response ConfirmForm(SiteContext& ctx, const Request& req) {
  if (ctx.api.newsletters == nullptr) return NotEnabled(ctx, req);
  const PageVisit visit = Visit(ctx, req);
  const std::string token = TokenOf(req);
  auto topic = ctx.api.newsletters->PeekConfirm(token);  // changes nothing
  if (!topic.ok()) return LinkFailed(ctx, visit, topic.error());
  Data d;
  d.set("confirm", site::Object{{"token", token}, {"topic", TopicLabel(visit.lang, *topic)}});
  return Show(ctx, visit, "subs.confirm.title", std::move(d));
}

Response Confirm(SiteContext& ctx, const Request& req) {
  if (ctx.api.newsletters == nullptr) return NotEnabled(ctx, req);
  const PageVisit visit = Visit(ctx, req);
  auto topic = ctx.api.newsletters->Confirm(FormField(req, "token"));
  if (!topic.ok()) return LinkFailed(ctx, visit, topic.error());
  Data d;
  d.set("confirmed", site::Object{{"topic", TopicLabel(visit.lang, *topic)}});
  return Show(ctx, visit, "subs.confirm.title", std::move(d));
}

Response UnsubscribeForm(SiteContext& ctx, const Request& req) {
  if (ctx.api.newsletters == nullptr) return NotEnabled(ctx, req);
  const PageVisit visit = Visit(ctx, req);
  const std::string token = TokenOf(req);
  const Status st = ctx.api.newsletters->VerifyUnsubscribe(token);  // changes nothing: scanners fetch links
  if (!st.ok()) return LinkFailed(ctx, visit, st.error());
  Data d;
  const std::string lang = req.Query("lang").value_or("");
  d.set("unsub", site::Object{{"token", token}, {"amp_lang", site::ParseLang(lang) ? "&lang=" + lang : ""}});
  return Show(ctx, visit, "subs.unsub.title", std::move(d));
}

Response Unsubscribe(SiteContext& ctx, const Request& req) {
  if (ctx.api.newsletters == nullptr) return NotEnabled(ctx, req);
  const PageVisit visit = Visit(ctx, req);
  const Status st = ctx.api.newsletters->Unsubscribe(TokenOf(req));
  if (!st.ok()) return LinkFailed(ctx, visit, st.error());
  Data d;
  d.set("unsubscribed", site::Bool(true));
  return Show(ctx, visit, "subs.unsub.title", std::move(d));
}

// A signed-in reader removes one topic of their own address (the notifications page's form).
Response RemoveOwn(SiteContext& ctx, Request& req) {
  auto auth = account_pages::FormWriter(ctx, req);
  if (!auth.ok()) return account_pages::SeeOther("/login?return=/account/notifications");
  if (ctx.api.newsletters == nullptr || auth->account.status != "active") return NotEnabled(ctx, req);
  const PageVisit visit = Visit(ctx, req);
  const Status st = ctx.api.newsletters->RemoveTopic(auth->account.email, FormField(req, "topic"));
  if (!st.ok() && st.error().code >= ErrorCode::kUnavailable) return ErrorPage(ctx, visit, 500);
  // An unknown topic (removed already, in another tab) leaves the list as it is: the page shows what is left.
  const std::string q = LangQuery(ctx, visit.lang);
  return account_pages::SeeOther("/account/notifications" + q + (q.empty() ? "?" : "&") + "saved=1");
}

}  // namespace

Data NewsSubscriptionsData(const SiteContext& ctx, Lang lang, const std::string& email) {
  if (ctx.api.newsletters == nullptr) return Data(Data::type::bool_false);
  auto topics = ctx.api.newsletters->TopicsOf(email);
  if (!topics.ok()) return Data(Data::type::bool_false);
  site::List list;
  for (const auto& t : *topics) {
    list.push_back(site::Object{{"topic", t.topic}, {"label", TopicLabel(lang, t.topic)}, {"confirmed", site::Bool(t.confirmed)}});
  }
  return site::Object{{"address", email}, {"topics", list}, {"none", site::Bool(topics->empty())}};
}

Data SubscribeFormData(const SiteContext& ctx, Lang lang, const std::vector<std::string>& topics) {
  if (ctx.api.newsletters == nullptr) return Data(Data::type::bool_false);
  site::List choices;
  bool first = true;
  for (const std::string& t : topics) {
    if (t == "all" || !notify::IsNewsletterTopicSyntax(t)) continue;
    choices.push_back(site::Object{{"value", t}, {"label", TopicLabel(lang, t)}, {"selected", site::Bool(first)}});
    first = false;
  }
  choices.push_back(site::Object{{"value", "all"}, {"label", TopicLabel(lang, "all")}, {"selected", site::Bool(first)}});
  const bool push = ctx.api.push_subscriptions != nullptr && !ctx.api.vapid_public_key.empty();
  return site::Object{{"choices", choices},
                      {"language", std::string(site::LangCode(lang))},
                      {"q", LangQuery(ctx, lang)},
                      {"push", site::Bool(push)}};
}

void RegisterSubscriptionPages(Router& router, SiteContext& ctx) {
  auto add = [&](const char* method, const char* path, Response (*fn)(SiteContext&, const Request&)) {
    router.Add(method, path, [&ctx, fn](Request& req) { return fn(ctx, req); });
  };
  add("POST", "/subscriptions", Subscribe);
  add("GET", "/subscriptions/confirm", ConfirmForm);
  add("POST", "/subscriptions/confirm", Confirm);
  add("GET", "/subscriptions/unsubscribe", UnsubscribeForm);
  add("POST", "/subscriptions/unsubscribe", Unsubscribe);
  router.Add("POST", "/account/subscriptions/remove", [&ctx](Request& req) { return RemoveOwn(ctx, req); });
}

}  // namespace tribune::http
