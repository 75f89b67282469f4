// The external phase's request body (INTEROP.md §2.2) and Tribune's error body for Coral.
#include <boost/json.hpp>

#include "interop/coral.hpp"

namespace tribune::interop {

namespace {

constexpr size_t kMaxDepth = 32;

Error Bad(std::string message) { return MakeError(ErrorCode::kBadRequest, std::move(message)); }

// Reads `obj[key]` into `out`: a string, or (when `nullable`) null → "". Missing: an error when `required`.
Status ReadString(const boost::json::object& obj, std::string_view key, std::string_view path, bool required,
                  bool nullable, std::string& out) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr) {
    if (required) return Bad("missing field " + std::string(path));
    return Ok{};
  }
  if (v->is_string()) {
    out.assign(v->get_string().data(), v->get_string().size());
    return Ok{};
  }
  if (nullable && v->is_null()) return Ok{};
  return Bad(std::string(path) + (nullable ? " must be a string or null" : " must be a string"));
}

// `obj[key]` as an object (nullptr when missing and not required).
Result<const boost::json::object*> ReadObject(const boost::json::object& obj, std::string_view key, bool required) {
  const boost::json::value* v = obj.if_contains(key);
  if (v == nullptr) {
    if (required) return Bad("missing field " + std::string(key));
    return static_cast<const boost::json::object*>(nullptr);
  }
  if (!v->is_object()) return Bad(std::string(key) + " must be an object");
  return &v->get_object();
}

}  // namespace

Result<CoralRequest> ParseCoralRequest(std::string_view raw_body) {
  boost::json::parse_options opts;
  opts.max_depth = kMaxDepth;
  boost::system::error_code ec;
  boost::json::monotonic_resource mr;
  const boost::json::value root = boost::json::parse(raw_body, ec, &mr, opts);
  if (ec) return Bad("malformed JSON body");
  if (!root.is_object()) return Bad("the body must be a JSON object");
  const boost::json::object& o = root.get_object();

  CoralRequest r;
  TRIBUNE_TRY(ReadString(o, "action", "action", true, false, r.action));
  if (r.action != "NEW" && r.action != "EDIT") return Bad("action must be NEW or EDIT");

  TRIBUNE_ASSIGN(const boost::json::object* comment, ReadObject(o, "comment", true));
  TRIBUNE_TRY(ReadString(*comment, "body", "comment.body", true, false, r.body));
  TRIBUNE_TRY(ReadString(*comment, "parentID", "comment.parentID", false, true, r.parent_id));

  TRIBUNE_ASSIGN(const boost::json::object* author, ReadObject(o, "author", true));
  TRIBUNE_TRY(ReadString(*author, "id", "author.id", true, false, r.author_id));
  TRIBUNE_TRY(ReadString(*author, "role", "author.role", false, false, r.author_role));

  TRIBUNE_ASSIGN(const boost::json::object* story, ReadObject(o, "story", true));
  TRIBUNE_TRY(ReadString(*story, "id", "story.id", true, false, r.story_id));
  TRIBUNE_TRY(ReadString(*story, "url", "story.url", false, false, r.story_url));

  TRIBUNE_ASSIGN(const boost::json::object* site, ReadObject(o, "site", false));
  if (site != nullptr) TRIBUNE_TRY(ReadString(*site, "id", "site.id", false, false, r.site_id));

  TRIBUNE_TRY(ReadString(o, "tenantID", "tenantID", true, false, r.tenant_id));
  TRIBUNE_TRY(ReadString(o, "tenantDomain", "tenantDomain", false, false, r.tenant_domain));
  return r;
}

Reply CoralError(ErrorCode code, std::string_view message) {
  int status = 400;
  switch (code) {
    case ErrorCode::kUnauthenticated: status = 401; break;
    case ErrorCode::kConflict: status = 409; break;
    case ErrorCode::kPayloadTooLarge: status = 413; break;
    case ErrorCode::kUnavailable: status = 503; break;
    case ErrorCode::kInternal: status = 500; break;
    default: status = 400; break;
  }
  Reply reply;
  reply.status = status;
  reply.body = "{\"error\":{\"code\":\"";
  reply.body += ErrorCodeName(code);
  reply.body += "\",\"message\":";
  reply.body += boost::json::serialize(boost::json::string_view(message.data(), message.size()));
  reply.body += "}}";
  return reply;
}

}  // namespace tribune::interop
