// The engine as a service (INTEROP.md, docs/INTEGRATIONS.md): Perspective's comments:analyze and
// comments:suggestscore at the site root and under /api/v1/interop/perspective, and Coral's external moderation
// phase and webhooks. Each handler hands the raw request to interop::InteropService and copies its reply.
#include <boost/json.hpp>

#include "http/handlers/api.hpp"
#include "interop/service.hpp"

namespace tribune::http {

namespace {

Response FromReply(interop::Reply reply, std::string_view content_type) {
  Response res;
  res.status = reply.status;
  res.body = std::move(reply.body);
  res.content_type = res.body.empty() ? std::string() : std::string(content_type);
  res.headers = std::move(reply.headers);
  return res;
}

// Tribune's own error bodies (Coral's endpoints) carry the request id like every other API error.
Response WithRequestId(Response res, const Request& req) {
  if (res.status < 400 || res.body.empty()) return res;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(res.body, ec);
  if (!ec && v.is_object() && v.as_object().contains("error") && v.as_object()["error"].is_object()) {
    v.as_object()["error"].as_object()["request_id"] = req.request_id;
    res.body = boost::json::serialize(v);
  }
  return res;
}

// ?key= or X-Goog-Api-Key (Google takes either).
std::string PresentedKey(const Request& req) {
  if (auto key = req.Query("key"); key && !key->empty()) return *key;
  return std::string(req.Header("x-goog-api-key"));
}

std::optional<bool> BoolQuery(const Request& req, std::string_view name) {
  auto v = req.Query(name);
  if (!v) return std::nullopt;
  return *v == "true" || *v == "1" || *v == "yes";
}

constexpr std::string_view kGoogleJson = "application/json; charset=UTF-8";

}  // namespace

void RegisterInteropRoutes(Router& router, ApiContext& ctx) {
  interop::InteropService* s = ctx.interop;
  if (s == nullptr) return;
  // Coral builds `<endpoint>/comments:analyze` from its endpoint field; the path is matched percent-decoded, so
  // `comments%3Aanalyze` arrives here too. Analyze runs inline: it is CPU work of tens of microseconds.
  for (const char* base : {"/v1alpha1", "/api/v1/interop/perspective/v1alpha1"}) {
    router.Add("POST", std::string(base) + "/comments:analyze",
               [s](Request& req) { return FromReply(s->Analyze(req.body, PresentedKey(req)), kGoogleJson); },
               Dispatch::kInline);
    router.Add("POST", std::string(base) + "/comments:suggestscore",
               [s](Request& req) { return FromReply(s->Suggest(req.body, PresentedKey(req)), kGoogleJson); });
  }
  router.Add("POST", "/api/v1/interop/coral/moderation", [s](Request& req) {
    const std::string edition = req.Query("edition").value_or("");
    std::optional<bool> plain_text;  // the phase's format, when its URL says (Coral does not tell in the request)
    if (auto f = req.Query("format")) plain_text = *f == "PLAIN_TEXT" || *f == "plain";
    return WithRequestId(FromReply(s->CoralModerate(req.body, req.Header("x-coral-signature"), edition,
                                                    BoolQuery(req, "approve_on_publish"), plain_text),
                                   "application/json"),
                         req);
  });
  router.Add("POST", "/api/v1/interop/coral/webhook", [s](Request& req) {
    return WithRequestId(FromReply(s->CoralWebhook(req.body, req.Header("x-coral-signature")), "application/json"),
                         req);
  });
}

}  // namespace tribune::http
