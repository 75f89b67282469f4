// INTEROP.md §4.2 byte for byte, and the shipped engine, for the Coral unit tests.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <mutex>
#include <vector>

#include "interop/perspective_test_support.hpp"
#include "moderation/engine.hpp"

namespace tribune::interop::testvec {

// 520 bytes, no trailing newline, SHA-256 2740ee38…
inline constexpr std::string_view kBody =
    "{\n"
    "  \"action\": \"NEW\",\n"
    "  \"comment\": {\n"
    "    \"body\": \"Visit my shop at cheap-watches.example for 50% off! Use code SAVE50\",\n"
    "    \"parentID\": null\n"
    "  },\n"
    "  \"author\": {\n"
    "    \"id\": \"baf4e943-3594-4fcc-b2ba-3e8de7a76352\",\n"
    "    \"role\": \"COMMENTER\"\n"
    "  },\n"
    "  \"story\": {\n"
    "    \"id\": \"245b3856-b0a0-4d2f-a6bb-58c71f18d6a6\",\n"
    "    \"url\": \"https://news.example/2020/09/20/wechat-ruling/\"\n"
    "  },\n"
    "  \"site\": {\n"
    "    \"id\": \"a4bede88-2d2c-4424-bc18-4322a9e285a6\"\n"
    "  },\n"
    "  \"tenantID\": \"19ba5794-7eeb-4d46-a81b-c00c61672501\",\n"
    "  \"tenantDomain\": \"news.example\"\n"
    "}";
inline constexpr std::string_view kBodySha256 = "2740ee3853a01274b44c3bc39403dfb383e2e09ffe6b8f3cef027bd9b3a2c19b";
inline constexpr std::string_view kTenant = "19ba5794-7eeb-4d46-a81b-c00c61672501";
inline constexpr std::string_view kStory = "245b3856-b0a0-4d2f-a6bb-58c71f18d6a6";
inline constexpr std::string_view kAuthor = "baf4e943-3594-4fcc-b2ba-3e8de7a76352";

inline const std::string kSecret1 = "empsec_3f1c3f1c3f1c3f1c3f1c3f1c3f1c3f1c3f1c3f1c3f1c3f1c3f1c3f1c3f1c3f1c";
inline const std::string kSecret2 = "empsec_a7e2a7e2a7e2a7e2a7e2a7e2a7e2a7e2a7e2a7e2a7e2a7e2a7e2a7e2a7e2a7e2";
inline constexpr std::string_view kHeader1 = "sha256=968cf790c7d1684c23b3c36ee889473f0efa72ce681b383c3a7385b5bbcddd33";
inline constexpr std::string_view kHeader2 = "sha256=f220ed3e7f7073fad6dfcde03c824e029f1ca7d4b570390ec69626ff580df78a";
inline constexpr std::string_view kRotationHeader =
    "sha256=968cf790c7d1684c23b3c36ee889473f0efa72ce681b383c3a7385b5bbcddd33,"
    "sha256=f220ed3e7f7073fad6dfcde03c824e029f1ca7d4b570390ec69626ff580df78a";

inline constexpr std::string_view kExpectedRejected =
    R"({"status":"REJECTED","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_SPAM"}],)"
    R"("moderationAction":{"status":"REJECTED","rejectionReason":{"code":"AD",)"
    R"("detailedExplanation":"unauthorised_promotion: advertises a shop"}}})";
inline constexpr std::string_view kExpectedHeld =
    R"({"status":"SYSTEM_WITHHELD","actions":[{"actionType":"FLAG","reason":"COMMENT_DETECTED_SPAM"}]})";

// The shipped policy and lexicons: the same engine the Perspective tests use, built once per test binary.
inline const moderation::RuleEngine& ShippedEngine() { return testing::RealEngine(); }

// Returns a fixed decision and remembers the texts it saw.
class FixedEngine final : public moderation::Engine {
 public:
  explicit FixedEngine(moderation::Decision d) : decision_(std::move(d)) {}
  moderation::Decision Check(const moderation::CheckInput& input) const override {
    std::lock_guard lock(mu_);
    texts_.emplace_back(input.text);
    return decision_;
  }
  std::string_view Name() const override { return "fixed"; }
  std::vector<std::string> texts() const {
    std::lock_guard lock(mu_);
    return texts_;
  }

 private:
  moderation::Decision decision_;
  mutable std::mutex mu_;
  mutable std::vector<std::string> texts_;
};

}  // namespace tribune::interop::testvec
