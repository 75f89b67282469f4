// The discussion in an iframe for other sites (not built yet).
#include "http/pages/pages.hpp"

namespace tribune::http {

void RegisterEmbedPages(Router&, SiteContext&) {}

}  // namespace tribune::http
