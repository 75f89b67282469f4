// The community standards (/standards): what they are for, the 19 rules and the language rule (anchors
// #rule-<id> that decisions link to), how decisions are explained, sanctions and appeals. Registering means
// accepting them.
#include "http/pages/discussion_view.hpp"
#include "http/pages/reader_pages.hpp"
#include "site/i18n.hpp"

namespace tribune::http {

Response StandardsPage(SiteContext& ctx, const Request& req) {
  const PageVisit visit = Visit(ctx, req);
  const site::Lang lang = visit.lang;
  site::List rules;
  for (const char* id : kRuleIds) {
    if (std::string_view(id) == "language") continue;
    const std::string key = std::string("rule.") + id;
    rules.push_back(site::Object{{"id", std::string(id)},
                                 {"name", std::string(site::T(lang, key + ".name"))},
                                 {"text", std::string(site::T(lang, key + ".text"))}});
  }
  site::Data d;
  d.set("rules", rules);
  d.set("site_name", ctx.config.name);
  d.set("q", LangQuery(ctx, lang));
  Frame f;
  f.title = std::string(site::T(lang, "standards.title"));
  f.content = site::Render("standards", lang, d);
  f.styles = {"reader.css"};
  f.body_class = "standards-page";
  f.canonical = "/standards";
  return PageResponse(ctx, visit, std::move(f));
}

}  // namespace tribune::http
