// The moderators' console (not built yet).
#include "http/pages/pages.hpp"

namespace tribune::http {

void RegisterConsolePages(Router&, SiteContext&) {}

}  // namespace tribune::http
