#include "moderation/policy.hpp"

#define TOML_HEADER_ONLY 1
#include <toml++/toml.h>

#include <algorithm>
#include <functional>
#include <fstream>
#include <sstream>

namespace tribune {
extern const char kPolicyToml[];
}

namespace tribune::moderation {

namespace {

Error Bad(const std::string& where, const std::string& what) {
  return MakeError(ErrorCode::kBadRequest, "policy " + where + ": " + what);
}

Result<Action> ParseAction(const std::string& s, const std::string& where) {
  if (s == "publish") return Action::kPublish;
  if (s == "hold") return Action::kHold;
  if (s == "reject") return Action::kReject;
  return Bad(where, "max_action must be publish, hold or reject, not \"" + s + "\"");
}

Status ApplyActions(const toml::table& t, const std::string& where, double& hold, double& reject) {
  for (auto&& [k, v] : t) {
    const std::string key(k.str());
    auto num = v.value<double>();
    if (!num) return Bad(where, "actions." + key + " must be a number");
    if (key == "hold") hold = *num;
    else if (key == "reject") reject = *num;
    else return Bad(where, "unknown key actions." + key);
  }
  return Ok{};
}

Status ApplyRules(const toml::table& t, const std::string& where, std::map<std::string, RulePolicy, std::less<>>& rules) {
  const auto& known = KnownRules();
  for (auto&& [k, v] : t) {
    const std::string id(k.str());
    if (std::find(known.begin(), known.end(), id) == known.end()) return Bad(where, "unknown rule id \"" + id + "\"");
    const toml::table* rt = v.as_table();
    if (rt == nullptr) return Bad(where, "rules." + id + " must be a table");
    RulePolicy& rp = rules[id];
    for (auto&& [rk, rv] : *rt) {
      const std::string key(rk.str());
      const std::string path = "rules." + id + "." + key;
      if (key == "weight" || key == "cap" || key == "learned_weight") {
        auto num = rv.value<double>();
        if (!num || *num < 0) return Bad(where, path + " must be a non-negative number");
        (key == "weight" ? rp.weight : key == "cap" ? rp.cap : rp.learned_weight) = *num;
      } else if (key == "max_action") {
        auto s = rv.value<std::string>();
        if (!s) return Bad(where, path + " must be a string");
        auto a = ParseAction(*s, where);
        if (!a.ok()) return std::move(a).error();
        rp.max_action = *a;
      } else if (key == "reason") {
        const toml::table* reasons = rv.as_table();
        if (reasons == nullptr) return Bad(where, path + " must be a table of languages");
        for (auto&& [lang, text] : *reasons) {
          auto s = text.value<std::string>();
          if (!s) return Bad(where, path + "." + std::string(lang.str()) + " must be a string");
          rp.reasons[std::string(lang.str())] = *s;
        }
      } else {
        return Bad(where, "unknown key " + path);
      }
    }
  }
  return Ok{};
}

Status ApplyDocument(std::string_view text, const std::string& where, const std::string& edition,
                     std::map<std::string, RulePolicy, std::less<>>& rules, double& hold, double& reject) {
  toml::table doc;
  try {
    doc = toml::parse(text, where);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << e.description() << " at line " << e.source().begin.line << ":" << e.source().begin.column;
    return Bad(where, msg.str());
  }
  for (auto&& [k, v] : doc) {
    const std::string key(k.str());
    const toml::table* t = v.as_table();
    if (t == nullptr) return Bad(where, key + " must be a table");
    if (key == "actions") {
      TRIBUNE_TRY(ApplyActions(*t, where, hold, reject));
    } else if (key == "rules") {
      TRIBUNE_TRY(ApplyRules(*t, where, rules));
    } else if (key == "editions") {
      const toml::table* mine = (*t)[edition].as_table();
      if (mine == nullptr) continue;
      for (auto&& [ek, ev] : *mine) {
        const std::string ekey(ek.str());
        const toml::table* et = ev.as_table();
        if (et == nullptr) return Bad(where, "editions." + edition + "." + ekey + " must be a table");
        if (ekey == "actions") TRIBUNE_TRY(ApplyActions(*et, where, hold, reject));
        else if (ekey == "rules") TRIBUNE_TRY(ApplyRules(*et, where, rules));
        else return Bad(where, "unknown key editions." + edition + "." + ekey);
      }
    } else {
      return Bad(where, "unknown section [" + key + "]");
    }
  }
  if (!(hold > 0 && reject >= hold)) return Bad(where, "thresholds must satisfy 0 < hold <= reject");
  return Ok{};
}

}  // namespace

const std::vector<std::string>& KnownRules() {
  static const std::vector<std::string> kRules = {
      "off_topic",     "hate",       "minors",       "extremism_illegal",        "insult_threat",
      "insult_publisher", "privacy_personal_data", "violence_cruelty", "suicide", "commercial_political_ads",
      "unauthorised_promotion", "profanity", "spam_scheme", "drugs", "malware_links",
      "flash_mob",     "flood",      "trolling",     "form",                     "language"};
  return kRules;
}

Result<Policy> Policy::FromToml(std::string_view shipped, std::string_view local, const std::string& edition) {
  Policy p;
  TRIBUNE_TRY(ApplyDocument(shipped, "data/policy.toml", edition, p.rules_, p.hold_, p.reject_));
  if (!local.empty()) TRIBUNE_TRY(ApplyDocument(local, "local policy", edition, p.rules_, p.hold_, p.reject_));
  return p;
}

Result<Policy> Policy::Load(const std::string& local_file, const std::string& edition) {
  std::string local;
  if (!local_file.empty()) {
    std::ifstream in(local_file);
    if (!in) return Bad(local_file, "cannot read the file");
    std::stringstream ss;
    ss << in.rdbuf();
    local = ss.str();
    if (local.empty()) local = "\n";
  }
  auto p = FromToml(kPolicyToml, local, edition);
  return p;
}

const RulePolicy* Policy::Rule(std::string_view id) const {
  auto it = rules_.find(id);
  return it == rules_.end() ? nullptr : &it->second;
}

Decision Policy::Decide(const std::vector<Signal>& signals, std::string_view ui_language) const {
  // Group the signals by rule, strongest first.
  std::map<std::string, std::vector<const Signal*>> by_rule;
  for (const Signal& s : signals) by_rule[s.rule].push_back(&s);
  Decision d;
  double total = 0;
  double reject_total = 0;  // only rules that may reject: a hold-only rule (form, language) never tips a
                            // held comment into a rejection, it can only bring one to a moderator
  bool reject_capable = false;
  Action ceiling = Action::kPublish;
  for (auto& [rule, list] : by_rule) {
    const RulePolicy* rp = Rule(rule);
    if (rp == nullptr) continue;  // a detector's rule the policy does not know: ignored, never fatal
    std::sort(list.begin(), list.end(), [](const Signal* a, const Signal* b) { return a->confidence > b->confidence; });
    // weight × (strongest + 0.25 × the others), each signal with its own weight: learned signals (the
    // online model) use learned_weight. With one weight this is the formula of data/policy.toml.
    double weighted = 0;
    if (std::none_of(list.begin(), list.end(), [](const Signal* s) { return s->learned; })) {
      double combined = 0;  // (kept in this form so scores stay bit-identical without learned signals)
      for (size_t i = 0; i < list.size(); ++i) combined += (i == 0 ? 1.0 : 0.25) * std::clamp(list[i]->confidence, 0.0, 1.0);
      weighted = rp->weight * combined;
    } else {
      std::vector<double> points;
      points.reserve(list.size());
      for (const Signal* s : list) {
        points.push_back((s->learned ? rp->learned_weight : rp->weight) * std::clamp(s->confidence, 0.0, 1.0));
      }
      std::sort(points.begin(), points.end(), std::greater<>());
      for (size_t i = 0; i < points.size(); ++i) weighted += (i == 0 ? 1.0 : 0.25) * points[i];
    }
    const double score = std::min(rp->cap, weighted);
    if (score <= 0) continue;
    total += score;
    if (rp->max_action == Action::kReject) reject_total += score;
    if (rp->max_action == Action::kReject &&
        std::any_of(list.begin(), list.end(), [](const Signal* s) { return s->may_reject; })) {
      reject_capable = true;
    }
    ceiling = std::max(ceiling, rp->max_action);
    Finding f;
    f.rule = rule;
    f.score = std::round(score * 100) / 100;
    f.confidence = std::clamp(list.front()->confidence, 0.0, 1.0);
    f.max_action = rp->max_action;
    auto reason = rp->reasons.find(std::string(ui_language));
    if (reason == rp->reasons.end()) reason = rp->reasons.find("en");
    f.reason = reason != rp->reasons.end() ? reason->second : rule;
    for (const Signal* s : list) {
      f.spans.insert(f.spans.end(), s->spans.begin(), s->spans.end());
      if (!s->detail.empty()) f.details.push_back(s->detail);
    }
    std::sort(f.spans.begin(), f.spans.end());
    f.spans.erase(std::unique(f.spans.begin(), f.spans.end()), f.spans.end());
    d.findings.push_back(std::move(f));
  }
  std::sort(d.findings.begin(), d.findings.end(), [](const Finding& a, const Finding& b) { return a.score > b.score; });
  if (reject_total >= reject_ && reject_capable) {
    d.action = Action::kReject;
  } else if (total >= hold_ && ceiling >= Action::kHold) {
    d.action = Action::kHold;
  } else {
    d.action = Action::kPublish;
  }
  return d;
}

}  // namespace tribune::moderation
