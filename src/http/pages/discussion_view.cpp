#include "http/pages/discussion_view.hpp"

#include <boost/json.hpp>

#include <map>

#include "common/clock.hpp"
#include "http/pages/reader_pages.hpp"
#include "site/i18n.hpp"

namespace tribune::http {

namespace {

site::Data CommentData(site::Lang lang, const discussion::CommentView& c, int depth) {
  site::Data d;
  d.set("id", std::to_string(c.id));
  d.set("parent_id", c.parent_id ? std::to_string(*c.parent_id) : std::string());
  d.set("depth", site::Num(depth));
  d.set("status", c.status);
  d.set("deleted", site::Bool(c.status == "deleted"));
  d.set("pending", site::Bool(c.status == "pending"));
  d.set("edited", site::Bool(c.edited_at.has_value()));
  d.set("author_id", c.status == "deleted" ? std::string() : std::to_string(c.author_id));
  d.set("author", c.status == "deleted" ? std::string() : c.author_name);
  d.set("iso", FormatRfc3339(c.created_at));
  d.set("date", site::FormatDate(lang, c.created_at));
  d.set("body_html", c.body_html);  // the server's safe Markdown rendering
  return d;
}

struct Node {
  const discussion::CommentView* c;
  std::vector<size_t> children;
};

std::string RenderNode(site::Lang lang, const std::vector<Node>& nodes, size_t i, int depth) {
  std::string replies;
  // Deeper replies stay at the last visual level: they are rendered after this comment, as its siblings.
  std::string flattened;
  for (size_t child : nodes[i].children) {
    if (depth < kMaxDepth) {
      replies += RenderNode(lang, nodes, child, depth + 1);
    } else {
      flattened += RenderNode(lang, nodes, child, depth);
    }
  }
  site::Data d = CommentData(lang, *nodes[i].c, depth);
  d.set("replies", replies);
  return site::Render("comment", lang, d) + flattened;
}

}  // namespace

std::string RenderThread(site::Lang lang, const std::vector<discussion::CommentView>& items) {
  std::vector<Node> nodes;
  nodes.reserve(items.size());
  std::map<int64_t, size_t> index;
  std::vector<size_t> roots;
  for (const auto& c : items) {
    const size_t i = nodes.size();
    nodes.push_back({&c, {}});
    index[c.id] = i;
    auto parent = c.parent_id ? index.find(*c.parent_id) : index.end();
    if (parent != index.end()) {
      nodes[parent->second].children.push_back(i);
    } else {
      roots.push_back(i);
    }
  }
  std::string out;
  for (size_t r : roots) out += RenderNode(lang, nodes, r, 1);
  return out;
}

Result<DiscussionRender> RenderDiscussion(SiteContext& ctx, const PageVisit& visit, const news::Article& a,
                                          const std::string& cursor, bool embed) {
  const site::Lang lang = visit.lang;
  discussion::ListQuery q{.article_id = a.id, .cursor = cursor, .limit = 50};
  if (visit.viewer && !embed) q.viewer_id = visit.viewer->account.id;
  TRIBUNE_ASSIGN(auto page, ctx.api.comments.List(q));

  const std::string lq = LangQuery(ctx, lang);
  site::Data d;
  d.set("total", site::Num(page.total));
  d.set("q", lq);
  d.set("embed", site::Bool(embed));
  d.set("comments", RenderThread(lang, page.items));
  d.set("has_comments", site::Bool(!page.items.empty()));
  d.set("later_page", site::Bool(!cursor.empty()));
  // The first page of comments (in the frame, the frame's own page: the article page may not be framed).
  d.set("first_href", (embed ? "/embed/" : "/articles/") + PathSegment(a.slug) + lq + "#discussion");
  d.set("article_href", "/articles/" + a.slug + lq);
  if (page.next_cursor) {
    d.set("next_cursor", *page.next_cursor);
    // In the frame, the next page stays in the frame (the article page may not be framed).
    d.set("next_href", (embed ? "/embed/" : "/articles/") + PathSegment(a.slug) + "?comments=" +
                           PathSegment(*page.next_cursor) +
                           (lq.empty() ? "" : "&lang=" + std::string(site::LangCode(lang))) + "#discussion");
  }
  const bool signed_in = visit.viewer.has_value() && !embed;
  d.set("signed_in", site::Bool(signed_in));
  d.set("can_post", site::Bool(signed_in && visit.viewer->account.status == "active"));
  d.set("max_length", site::Num(ctx.config.comment_max_length));
  d.set("prefix", std::string("compose"));
  const std::string back = "/articles/" + PathSegment(a.slug);
  d.set("login_href", "/login?return=" + PathSegment(back));
  d.set("register_href", "/register?return=" + PathSegment(back));
  // Templates for discussion.js: the same comment markup the server renders, filled in by the script.
  {
    discussion::CommentView sample;
    sample.status = "pending";
    sample.edited_at = 0;
    site::Data t = CommentData(lang, sample, 1);
    t.set("id", std::string());
    t.set("replies", std::string());
    d.set("tpl_comment", site::Render("comment", lang, t));
    sample.status = "deleted";
    site::Data td = CommentData(lang, sample, 1);
    td.set("id", std::string());
    td.set("replies", std::string());
    d.set("tpl_deleted", site::Render("comment", lang, td));
  }
  site::List rules;
  boost::json::array rule_data;
  for (const char* id : kRuleIds) {
    const std::string name(site::T(lang, std::string("rule.") + id + ".name"));
    rules.push_back(site::Object{{"id", std::string(id)}, {"name", name}});
    rule_data.push_back(boost::json::object{{"id", id}, {"name", name}});
  }
  d.set("rules", rules);

  DiscussionRender out;
  out.html = site::Render("discussion", lang, d);
  out.data["article"] = boost::json::object{{"id", std::to_string(a.id)},
                                            {"slug", a.slug},
                                            {"url", back}};
  out.data["next_cursor"] = page.next_cursor ? boost::json::value(*page.next_cursor) : boost::json::value(nullptr);
  out.data["total"] = page.total;
  out.data["max_length"] = ctx.config.comment_max_length;
  out.data["rules"] = std::move(rule_data);
  out.data["embed"] = embed;
  // The raw text of the reader's own comments on this page, for "Edit" (the page shows only the rendering).
  boost::json::object own;
  if (q.viewer_id != 0) {
    for (const auto& c : page.items) {
      if (c.author_id == q.viewer_id && c.status != "deleted") own[std::to_string(c.id)] = c.body;
    }
  }
  out.data["own"] = std::move(own);
  return out;
}

}  // namespace tribune::http
