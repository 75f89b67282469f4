// The editors' pages (editor_pages.cpp): /editor and the article form.
#pragma once

#include "http/http.hpp"
#include "http/pages/site_page.hpp"

namespace tribune::http {

void RegisterEditorPages(Router& router, SiteContext& ctx);

}  // namespace tribune::http
