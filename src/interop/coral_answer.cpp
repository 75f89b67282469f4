// An engine decision as Coral's external-phase answer (INTEROP.md §3.3), byte-exact: written by hand so that
// the keys come in the order of §4.2's expected answers.
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include "interop/coral.hpp"
#include "interop/rule_map.hpp"

namespace tribune::interop {

namespace {

using moderation::Action;
using moderation::Finding;

void AppendJsonString(std::string& out, std::string_view s) {
  out += boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}

std::string_view FlagOf(const Finding& f) {
  const RuleMapping* m = MappingFor(f.rule);
  return m != nullptr ? m->coral_flag : kFlagToxic;
}

// "actions":[…] — one FLAG per distinct reason, in the order of the findings; nothing when there are none.
void AppendActions(std::string& out, const std::vector<Finding>& findings) {
  std::string_view seen[2];
  size_t n = 0;
  for (const Finding& f : findings) {
    const std::string_view flag = FlagOf(f);
    if ((n > 0 && seen[0] == flag) || (n > 1 && seen[1] == flag)) continue;
    out += n == 0 ? "\"actions\":[" : ",";
    out += "{\"actionType\":\"FLAG\",\"reason\":\"";
    out += flag;
    out += "\"}";
    seen[n++] = flag;
    if (n == 2) break;  // both reasons there are
  }
  if (n > 0) out += ']';
}

// The finding that names the rejection: the top-scoring one whose rule may reject, else the top-scoring one.
const Finding* RejectingFinding(const std::vector<Finding>& findings) {
  const Finding* best = nullptr;
  const Finding* best_rejecting = nullptr;
  for (const Finding& f : findings) {
    if (best == nullptr || f.score > best->score) best = &f;
    if (f.max_action == Action::kReject && (best_rejecting == nullptr || f.score > best_rejecting->score)) {
      best_rejecting = &f;
    }
  }
  return best_rejecting != nullptr ? best_rejecting : best;
}

void AppendRejectionReason(std::string& out, const Finding* f) {
  out += "\"rejectionReason\":{\"code\":\"";
  const RuleMapping* m = f != nullptr ? MappingFor(f->rule) : nullptr;
  if (f == nullptr) {
    out += "OTHER\"}";
    return;
  }
  out += m != nullptr ? m->rejection_code : std::string_view("OTHER");
  out += '"';
  if (m != nullptr && m->legal_grounds) {
    out += ",\"legalGrounds\":";
    AppendJsonString(out, f->reason);
  }
  out += ",\"detailedExplanation\":";
  AppendJsonString(out, f->rule + ": " + f->reason);
  const std::string_view custom = m != nullptr ? m->custom_reason : std::string_view(f->rule);
  if (!custom.empty()) {
    out += ",\"customReason\":";
    AppendJsonString(out, custom);
  }
  out += '}';
}

}  // namespace

Reply CoralAnswer(const moderation::Decision& decision, bool approve_on_publish) {
  Reply reply;
  const auto& findings = decision.findings;
  std::string& out = reply.body;
  switch (decision.action) {
    case Action::kPublish:
      if (findings.empty()) {
        if (approve_on_publish) {
          out = R"({"status":"APPROVED"})";
        } else {
          reply.status = 204;
        }
        return reply;
      }
      out = "{";
      AppendActions(out, findings);
      out += '}';
      return reply;
    case Action::kHold:
      out = R"({"status":"SYSTEM_WITHHELD")";
      if (!findings.empty()) {
        out += ',';
        AppendActions(out, findings);
      }
      out += '}';
      return reply;
    case Action::kReject:
      out = R"({"status":"REJECTED")";
      if (!findings.empty()) {
        out += ',';
        AppendActions(out, findings);
      }
      out += R"(,"moderationAction":{"status":"REJECTED",)";
      AppendRejectionReason(out, RejectingFinding(findings));
      out += "}}";
      return reply;
  }
  reply.status = 204;
  return reply;
}

}  // namespace tribune::interop
