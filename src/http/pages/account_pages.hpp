// Pages for the links in account mails (confirm, restore, reset), the social sign-up, and the privacy policy.
#pragma once

#include <string>

#include "accounts/accounts.hpp"
#include "http/http.hpp"

namespace tribune::http {

struct AccountPageContext {
  accounts::AccountService& accounts;
  std::string site_name;
  std::string privacy_contact;
};

void RegisterAccountPages(Router& router, AccountPageContext& ctx);

}  // namespace tribune::http
