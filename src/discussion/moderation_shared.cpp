// Moderators' decisions and the behaviour monitors of several servers sharing one database: the deciding
// server changes its own monitor and announces the change; the others apply it to theirs.
#include <charconv>
#include <string_view>
#include <vector>

#include "common/log.hpp"
#include "discussion/moderation.hpp"

namespace tribune::discussion {

namespace {

bool ParseInt(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

Status ModerationService::Share() {
  if (!options_.shared || options_.monitor == nullptr) return Ok{};
  return db_.Listen(kBehaviourChannel, [this](const std::string& payload) { Heard(payload); });
}

Status ModerationService::CatchUp() {
  // What the other servers posted is part of the clusters a moderator sees and decides.
  if (!options_.shared || options_.monitor == nullptr) return Ok{};
  return comments_.CatchUpWindow();
}

void ModerationService::Announce(const std::string& what) {
  if (!options_.shared) return;
  if (Status st = db_.Notify(kBehaviourChannel, std::to_string(db_.NodeSlot()) + "," + what); !st.ok()) {
    log::Warn("behaviour: announcement failed", "\"error\":\"" + log::JsonEscape(st.error().message) + "\"");
  }
}

void ModerationService::Heard(const std::string& payload) {
  if (options_.monitor == nullptr) return;
  const auto f = Split(payload);
  int64_t slot = 0, id = 0, time = 0;
  if (f.size() < 4 || !ParseInt(f[0], slot) || slot == db_.NodeSlot() || !ParseInt(f[2], id)) return;
  if (f[1] == "standing" && f.size() == 5 && ParseInt(f[4], time) && (f[3] == "approved" || f[3] == "rejected")) {
    options_.monitor->NoteStanding(id,
                                   f[3] == "approved" ? moderation::behaviour::StandingEvent::kModeratorApproved
                                                      : moderation::behaviour::StandingEvent::kModeratorRejected,
                                   time);
  } else if (f[1] == "cluster" && f.size() == 4 && ParseInt(f[3], time)) {
    options_.monitor->ApproveCluster(id, time);
  }
}

}  // namespace tribune::discussion
