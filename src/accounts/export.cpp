// The reader's data as one JSON document (GDPR Art. 15 access and Art. 20 portability).
#include <boost/json.hpp>

#include "accounts/accounts.hpp"
#include "notify/prefs.hpp"
#include "notify/push.hpp"

namespace tribune::accounts {

namespace json = boost::json;

namespace {

json::value Time(const storage::Row& r, size_t i) {
  if (r.IsNull(i)) return nullptr;
  return json::value(FormatRfc3339(r.Int(i)));
}

json::value OptId(const storage::Row& r, size_t i) {
  if (r.IsNull(i)) return nullptr;
  return json::value(std::to_string(r.Int(i)));
}

using RowFn = std::function<json::value(const storage::Row&)>;

// The rows of one query, each turned into a JSON value.
Result<json::array> Collect(storage::Session& s, std::string_view sql, const storage::Params& params, const RowFn& fn) {
  auto rows = s.Query(sql, params);
  if (!rows.ok()) return std::move(rows).error();
  json::array out;
  for (const auto& r : *rows) out.push_back(fn(r));
  return out;
}

}  // namespace

Result<std::string> AccountService::ExportJson(int64_t account_id) {
  json::object out;
  TRIBUNE_TRY(db_.ReadTx([&](storage::Session& s) -> Status {
    auto acc = s.Query(
        "SELECT id, email, display_name, status, language, created_at, confirmed_at, terms_accepted_at,"
        " password_changed_at, consent_version, has_avatar FROM accounts WHERE id = $1",
        {account_id});
    if (!acc.ok()) return std::move(acc).error();
    if (acc->empty()) return MakeError(ErrorCode::kNotFound, "No such account.");
    const auto& a = (*acc)[0];
    TRIBUNE_ASSIGN(auto roles, Collect(s, "SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role",
                                       {account_id}, [](const storage::Row& r) { return json::value(r.Text(0)); }));
    out["account"] = json::object{{"id", std::to_string(a.Int(0))},
                                  {"email", a.Text(1)},
                                  {"display_name", a.Text(2)},
                                  {"status", a.Text(3)},
                                  {"language", a.Text(4)},
                                  {"roles", std::move(roles)},
                                  {"created_at", Time(a, 5)},
                                  {"confirmed_at", Time(a, 6)},
                                  {"terms_accepted_at", Time(a, 7)},
                                  {"password_changed_at", Time(a, 8)},
                                  {"privacy_policy_version", a.Int(9)},
                                  {"has_avatar", a.Int(10) != 0}};

    TRIBUNE_ASSIGN(out["consents"],
                   Collect(s, "SELECT document, version, method, created_at FROM consent_log WHERE account_id = $1"
                              " ORDER BY id",
                           {account_id}, [](const storage::Row& r) -> json::value {
                             return json::object{{"document", r.Text(0)},
                                                 {"version", r.Int(1)},
                                                 {"method", r.Text(2)},
                                                 {"at", Time(r, 3)}};
                           }));

    Status inner = Ok{};
    TRIBUNE_ASSIGN(
        out["comments"],
        Collect(s,
                "SELECT c.id, c.article_id, a.title, c.parent_id, c.body, COALESCE(c.hidden_status, c.status),"
                " c.created_at, c.edited_at FROM comments c LEFT JOIN articles a ON a.id = c.article_id"
                " WHERE c.author_id = $1 ORDER BY c.id",
                {account_id}, [&](const storage::Row& r) -> json::value {
                  auto revisions = Collect(
                      s, "SELECT revision, body, created_at FROM comment_revisions WHERE comment_id = $1 ORDER BY revision",
                      {r.Int(0)}, [](const storage::Row& v) -> json::value {
                        return json::object{{"revision", v.Int(0)}, {"body", v.Text(1)}, {"at", Time(v, 2)}};
                      });
                  if (!revisions.ok()) inner = std::move(revisions).error();
                  return json::object{{"id", std::to_string(r.Int(0))},
                                      {"article_id", std::to_string(r.Int(1))},
                                      {"article_title", r.Text(2)},
                                      {"parent_id", OptId(r, 3)},
                                      {"body", r.Text(4)},
                                      {"status", r.Text(5)},
                                      {"created_at", Time(r, 6)},
                                      {"edited_at", Time(r, 7)},
                                      {"revisions", revisions.ok() ? json::value(*revisions) : json::value(nullptr)}};
                }));
    TRIBUNE_TRY(inner);

    TRIBUNE_ASSIGN(out["moderation_decisions"],
                   Collect(s,
                           "SELECT comment_id, kind, action, findings_json, created_at FROM moderation_decisions"
                           " WHERE account_id = $1 ORDER BY id",
                           {account_id}, [](const storage::Row& r) -> json::value {
                             boost::system::error_code ec;
                             json::value findings = json::parse(r.Text(3), ec);
                             if (ec) findings = json::array{};
                             return json::object{{"comment_id", OptId(r, 0)},
                                                 {"kind", r.Text(1)},
                                                 {"action", r.Text(2)},
                                                 {"findings", std::move(findings)},
                                                 {"at", Time(r, 4)}};
                           }));

    TRIBUNE_ASSIGN(out["sessions"],
                   Collect(s,
                           "SELECT created_at, last_seen_at, expires_at, user_agent FROM sessions WHERE account_id = $1"
                           " ORDER BY created_at",
                           {account_id}, [](const storage::Row& r) -> json::value {
                             return json::object{{"created_at", Time(r, 0)},
                                                 {"last_seen_at", Time(r, 1)},
                                                 {"expires_at", Time(r, 2)},
                                                 {"user_agent", r.Text(3)}};
                           }));

    // Notification choices and the browsers that receive pushes (their endpoints are personal data).
    TRIBUNE_ASSIGN(out["email_replies"], notify::PreferenceService::EmailReplies(s, account_id));
    {
      TRIBUNE_ASSIGN(auto subs, notify::SubscriptionService::ForAccount(s, account_id));
      json::array devices;
      for (const auto& d : subs) {
        json::array topics(d.topics.begin(), d.topics.end());
        devices.push_back(json::object{{"endpoint", d.endpoint},
                                       {"created_at", FormatRfc3339(d.created_at)},
                                       {"last_success_at", d.last_success_at ? json::value(FormatRfc3339(*d.last_success_at))
                                                                             : json::value(nullptr)},
                                       {"topics", std::move(topics)}});
      }
      out["push_subscriptions"] = std::move(devices);
    }
    TRIBUNE_ASSIGN(out["social_identities"],
                   Collect(s,
                           "SELECT provider, email, created_at FROM social_identities WHERE account_id = $1"
                           " ORDER BY provider",
                           {account_id}, [](const storage::Row& r) -> json::value {
                             return json::object{{"provider", r.Text(0)}, {"email", r.Text(1)}, {"linked_at", Time(r, 2)}};
                           }));
    TRIBUNE_ASSIGN(out["reports"],
                   Collect(s,
                           "SELECT comment_id, rule, note, created_at, resolved_at FROM comment_reports"
                           " WHERE reporter_id = $1 ORDER BY id",
                           {account_id}, [](const storage::Row& r) -> json::value {
                             return json::object{{"comment_id", std::to_string(r.Int(0))},
                                                 {"rule", r.Text(1)},
                                                 {"note", r.Text(2)},
                                                 {"at", Time(r, 3)},
                                                 {"resolved_at", Time(r, 4)}};
                           }));
    TRIBUNE_ASSIGN(out["sanctions"],
                   Collect(s,
                           "SELECT number, rule, note, final, created_at, lifted_at, lift_note FROM account_blocks"
                           " WHERE account_id = $1 ORDER BY number",
                           {account_id}, [](const storage::Row& r) -> json::value {
                             return json::object{{"block_number", r.Int(0)},
                                                 {"rule", r.Text(1)},
                                                 {"note", r.Text(2)},
                                                 {"final", r.Int(3) != 0},
                                                 {"at", Time(r, 4)},
                                                 {"lifted_at", Time(r, 5)},
                                                 {"lift_note", r.Text(6)}};
                           }));
    TRIBUNE_ASSIGN(out["appeals"],
                   Collect(s,
                           "SELECT subject, explanation, state, created_at, decided_at, note FROM appeals"
                           " WHERE account_id = $1 ORDER BY id",
                           {account_id}, [](const storage::Row& r) -> json::value {
                             return json::object{{"subject", r.Text(0)},
                                                 {"explanation", r.Text(1)},
                                                 {"state", r.Text(2)},
                                                 {"at", Time(r, 3)},
                                                 {"decided_at", Time(r, 4)},
                                                 {"note", r.Text(5)}};
                           }));
    return Ok{};
  }));
  out["exported_at"] = FormatRfc3339(clock_.NowMicros());
  out["format"] = "tribune-export/1";
  return json::serialize(out);
}

}  // namespace tribune::accounts
