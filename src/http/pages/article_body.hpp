// The article page's body with its inline related items, and the <picture> of an uploaded lead image.
#pragma once

#include <optional>
#include <string>

#include "http/pages/site_page.hpp"
#include "news/news.hpp"

namespace tribune::http {

// The body's Markdown as HTML, with the related articles that readers may see as cards in an <aside>: at the
// paragraph that is exactly "[related]" (removed when there is nothing to show), else after the second
// paragraph, else at the end.
std::string BodyWithRelated(SiteContext& ctx, site::Lang lang, const news::Article& a);

// For an image.url naming an uploaded image ("/images/{id}"): {webp, jpg (srcsets), src, width, height, sizes};
// nullopt for other URLs or an image that is gone.
std::optional<site::Object> PictureData(SiteContext& ctx, const std::string& url);

}  // namespace tribune::http
