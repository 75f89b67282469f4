#include "http/handlers/api.hpp"

namespace tribune::http {

void RegisterHealth(Router& router) {
  router.Add("GET", "/healthz", [](Request&) { return Json(200, R"({"status":"ok"})"); }, Dispatch::kInline);
}

}  // namespace tribune::http
