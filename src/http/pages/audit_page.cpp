// /moderation/audit: the append-only log of moderators' actions, newest first, filtered by moderator and by
// kind of target; keyset paging. Like the API, only admins read it.
#include <boost/json.hpp>

#include <map>

#include "accounts/audit.hpp"
#include "http/json_body.hpp"
#include "http/pages/console.hpp"

namespace tribune::http::console {

namespace {

using site::Data;

constexpr int kPageSize = 50;

// "status: pending → rejected, rule: form" from the before/after objects.
std::string Change(const std::string& before_json, const std::string& after_json) {
  boost::system::error_code ec1, ec2;
  auto before = boost::json::parse(before_json, ec1);
  auto after = boost::json::parse(after_json, ec2);
  if (ec2 || !after.is_object()) return "";
  std::string out;
  for (const auto& [key, value] : after.as_object()) {
    if (key == "body") continue;  // edited texts are long; the comment shows them
    std::string was;
    if (!ec1 && before.is_object()) {
      if (const auto* b = before.as_object().if_contains(key)) was = b->is_string() ? std::string(b->as_string()) : boost::json::serialize(*b);
    }
    const std::string now = value.is_string() ? std::string(value.as_string()) : boost::json::serialize(value);
    out += (out.empty() ? "" : ", ") + std::string(key) + ": " + (was.empty() || was == now ? now : was + " → " + now);
  }
  return out;
}

Response Audit(SiteContext& ctx, const Request& req) {
  auto gate = Gate(ctx, req);
  if (auto* r = std::get_if<Response>(&gate)) return std::move(*r);
  const PageVisit& visit = std::get<PageVisit>(gate);
  const site::Lang lang = visit.lang;
  Data d;
  const std::string title = std::string(site::T(lang, "console.audit.title"));
  d.set("title", title);
  if (!visit.viewer->account.HasRole("admin")) {
    d.set("admins_only", site::Bool(true));
    return Page(ctx, visit, "audit", title, site::Render("console_audit", lang, d));
  }
  accounts::AuditQuery q;
  q.limit = kPageSize;
  const std::string type = req.Query("target_type").value_or("");
  if (type == "comment" || type == "account" || type == "appeal" || type == "cluster") q.target_type = type;
  const std::string actor = req.Query("actor").value_or("");
  if (auto a = ParseId(actor)) q.actor_id = *a;
  if (auto c = req.Query("cursor")) {
    if (auto id = ParseId(*c)) q.before_id = *id;
  }
  auto records = accounts::ListAudit(ctx.api.accounts.db(), q);
  if (!records.ok()) return ErrorPage(ctx, visit, 500);
  const std::string lq = LangQuery(ctx, visit);
  const std::string lang_only = lq == "?" ? "" : lq.substr(0, lq.size() - 1);
  auto reads = Reads(ctx);
  std::map<int64_t, std::string> names;
  auto name_of = [&](int64_t id) -> const std::string& {
    auto it = names.find(id);
    if (it == names.end()) {
      auto a = reads.Account(id);
      it = names.emplace(id, a.ok() ? a->display_name : "#" + std::to_string(id)).first;
    }
    return it->second;
  };
  site::List rows;
  for (const auto& r : *records) {
    const auto& e = r.entry;
    Data row;
    row.set("at", site::FormatDate(lang, r.created_at));
    row.set("at_iso", FormatRfc3339(r.created_at));
    row.set("actor", name_of(e.actor_id));
    row.set("actor_href", "/moderation/audit" + lq + "actor=" + std::to_string(e.actor_id));
    row.set("action", e.action);
    row.set("target_type", e.target_type);
    row.set("target_id", std::to_string(e.target_id));
    if (e.target_type == "account") row.set("target_href", "/moderation/accounts/" + std::to_string(e.target_id) + lang_only);
    if (e.target_type == "cluster") row.set("target_href", "/moderation/clusters/" + std::to_string(e.target_id) + lang_only);
    row.set("change", Change(e.before_json, e.after_json));
    row.set("note", e.note);
    rows.push_back(row);
  }
  d.set("rows", rows);
  d.set("empty", site::Bool(rows.empty()));
  site::List types;
  for (const char* t : {"comment", "account", "appeal", "cluster"}) {
    types.push_back(site::Object{{"value", t},
                                 {"label", std::string(site::T(lang, std::string("console.audit.type.") + t))},
                                 {"selected", site::Bool(q.target_type == t)}});
  }
  d.set("types", types);
  d.set("actor", q.actor_id ? std::to_string(q.actor_id) : std::string());
  if (q.actor_id) d.set("actor_name", name_of(q.actor_id));
  d.set("lang_field", std::string(site::LangCode(lang)));
  d.set("keep_lang", site::Bool(lq != "?"));
  if (static_cast<int>(records->size()) == q.limit) {
    d.set("next", "/moderation/audit" + lq + (q.target_type.empty() ? "" : "target_type=" + q.target_type + "&") +
                      (q.actor_id ? "actor=" + std::to_string(q.actor_id) + "&" : "") +
                      "cursor=" + std::to_string(records->back().id));
  }
  return Page(ctx, visit, "audit", title, site::Render("console_audit", lang, d));
}

}  // namespace

void RegisterAuditPage(Router& router, SiteContext& ctx) {
  router.Add("GET", "/moderation/audit", [&ctx](Request& req) { return Audit(ctx, req); });
}

}  // namespace tribune::http::console
