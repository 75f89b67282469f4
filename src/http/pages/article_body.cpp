// Inline related items and the responsive lead picture of the article page.
#include "http/pages/article_body.hpp"

#include "avatars/article_images.hpp"
#include "http/pages/reader_pages.hpp"
#include "site/templates.hpp"
#include "text/markdown.hpp"

namespace tribune::http {

namespace {

constexpr std::string_view kMarker = "<p>[related]</p>\n";

}  // namespace

std::string BodyWithRelated(SiteContext& ctx, site::Lang lang, const news::Article& a) {
  std::string html = text::RenderMarkdown(a.body);
  std::string cards;
  if (!a.related.empty()) {
    auto related = ctx.api.articles.VisibleRelated(a);
    if (related.ok() && !related->empty()) {
      site::Data d;
      d.set("cards", RenderCards(ctx, lang, *related, true));
      cards = site::Render("related_inline", lang, d) + "\n";
    }
  }
  if (size_t at = html.find(kMarker); at != std::string::npos) {
    html.replace(at, kMarker.size(), cards);
    return html;
  }
  if (cards.empty()) return html;
  size_t at = 0;
  for (int i = 0; i < 2; ++i) {
    at = html.find("</p>\n", at);
    if (at == std::string::npos) return html + cards;
    at += 5;
  }
  html.insert(at, cards);
  return html;
}

std::optional<site::Object> PictureData(SiteContext& ctx, const std::string& url) {
  const auto id = avatars::UploadedImageId(url);
  if (!id || ctx.api.images == nullptr) return std::nullopt;
  auto info = ctx.api.images->Info(*id);
  if (!info.ok()) return std::nullopt;
  std::string webp, jpg, src;
  const std::string base = url + "/";
  for (const auto& [w, h] : info->sizes) {
    const std::string ws = std::to_string(w);
    webp += (webp.empty() ? "" : ", ") + base + ws + ".webp " + ws + "w";
    jpg += (jpg.empty() ? "" : ", ") + base + ws + ".jpg " + ws + "w";
    if (src.empty() || w <= 960) src = base + ws + ".jpg";
  }
  return site::Object{{"webp", webp},
                      {"jpg", jpg},
                      {"src", src},
                      {"width", std::to_string(info->width)},
                      {"height", std::to_string(info->height)},
                      {"sizes", "(max-width: 760px) 100vw, 760px"}};
}

}  // namespace tribune::http
