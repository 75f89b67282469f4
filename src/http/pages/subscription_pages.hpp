// The "Subscribe" pages (notify/newsletter.hpp): the form on section, tag and article pages
// (web/templates/subscribe_form.mustache), the "check your mailbox" answer, and the pages behind the mailed links:
// /subscriptions/confirm and /subscriptions/unsubscribe (a GET only shows a button: mail scanners fetch links).
#pragma once

#include <string>
#include <vector>

#include "http/pages/site_page.hpp"

namespace tribune::http {

// The data of the subscribe_form partial ("subscribe"): the topics offered ("section:<slug>", "tag:<tag>"; "all"
// is always added last), the first one selected. Empty object when the site has no subscriptions.
site::Data SubscribeFormData(const SiteContext& ctx, site::Lang lang, const std::vector<std::string>& topics);

// The data of the subscriptions_account partial ("news") on /account/notifications: the topics of the signed-in
// reader's own address, each with an Unsubscribe form (POST /account/subscriptions/remove, CSRF token in a field).
site::Data NewsSubscriptionsData(const SiteContext& ctx, site::Lang lang, const std::string& email);

// POST /subscriptions, GET/POST /subscriptions/confirm, GET/POST /subscriptions/unsubscribe,
// POST /account/subscriptions/remove.
void RegisterSubscriptionPages(Router& router, SiteContext& ctx);

}  // namespace tribune::http
