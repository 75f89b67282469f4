// Shared fixture of the account-lifecycle tests: a real SQLite database, a FakeClock, cheap argon2id
// parameters, a real mail outbox (links point at https://news.test), a real Altcha verifier (tiny
// maxnumber: tests solve challenges by brute force) and helpers that read mails and links back.
#pragma once

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "accounts/accounts.hpp"
#include "common/random.hpp"
#include "mail/mail.hpp"
#include "support/temp_database.hpp"

namespace tribune::accounts::testing {

using namespace std::chrono_literals;

inline constexpr const char* kBaseUrl = "https://news.test";
inline constexpr const char* kPassword = "violet kettle harbour";
inline const std::string kCaptchaKey = "lifecycle-test-hmac-key-0123456789abcdef";

inline mail::Identity TestIdentity() {
  mail::Identity id;
  id.from_address = "no-reply@news.test";
  id.site_name = "Tribune Test";
  id.base_url = kBaseUrl;
  id.message_id_domain = "news.test";
  return id;
}

// Standard base64 (btoa) as the ALTCHA widget sends it.
inline std::string StdBase64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

// Solves a challenge by brute force and returns the payload the widget would send.
inline std::string SolveChallenge(const CaptchaChallenge& c) {
  for (int64_t n = 0; n <= c.maxnumber; ++n) {
    if (Sha256Hex(c.salt + std::to_string(n)) == c.challenge) {
      return StdBase64(R"({"algorithm":")" + c.algorithm + R"(","challenge":")" + c.challenge + R"(","number":)" +
                       std::to_string(n) + R"(,"salt":")" + c.salt + R"(","signature":")" + c.signature +
                       R"(","took":7})");
    }
  }
  ADD_FAILURE() << "unsolvable challenge";
  return "";
}

// Undoes the quoted-printable soft breaks and "=3D" so links can be searched in a stored message.
inline std::string Unfold(std::string message) {
  std::string out;
  out.reserve(message.size());
  for (size_t i = 0; i < message.size(); ++i) {
    if (message.compare(i, 3, "=\r\n") == 0) {
      i += 2;
    } else if (message.compare(i, 3, "=3D") == 0) {
      out.push_back('=');
      i += 2;
    } else {
      out.push_back(message[i]);
    }
  }
  return out;
}

// The token of the first link to `path` (e.g. "/confirm") in a stored message, or "".
inline std::string TokenIn(const std::string& message, const std::string& path) {
  const std::string text = Unfold(message);
  const std::string prefix = std::string(kBaseUrl) + path + "?token=";
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return "";
  size_t end = at + prefix.size();
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-' ||
                               text[end] == '_')) {
    ++end;
  }
  return text.substr(at + prefix.size(), end - at - prefix.size());
}

struct StoredMail {
  int64_t account_id = 0;
  std::string kind;
  std::string recipient;
  std::string message;
};

class LifecycleTest : public ::testing::Test {
 protected:
  LifecycleTest()
      : ids_(clock_),
        hasher_(1024, 1, 2),  // cheap argon2id parameters: tests check behaviour, not cost
        altcha_(clock_, kCaptchaKey, {.maxnumber = 64, .ttl_seconds = 600}),
        outbox_(clock_, ids_, TestIdentity()) {
    purge_log_ = std::filesystem::temp_directory_path() /
                 ("tribune-purge-log-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove(purge_log_);
    Reset(DefaultOptions());
  }
  ~LifecycleTest() override { std::filesystem::remove(purge_log_); }

  AccountOptions DefaultOptions() const {
    AccountOptions o;
    o.captcha_required = false;
    o.base_url = kBaseUrl;
    o.purge_log = purge_log_.string();
    return o;
  }
  // A fresh service over the same database (and the same in-memory throttle only if not reset).
  virtual void Reset(const AccountOptions& options, AccountContent* content = nullptr) {
    service_.reset();
    service_ = std::make_unique<AccountService>(tmp_.db(), clock_, ids_, hasher_, options, &altcha_, &outbox_, content);
    ASSERT_TRUE(service_->InitPolicy("Privacy policy, version 1.").ok());
  }
  AccountService& svc() { return *service_; }

  std::string Captcha() { return SolveChallenge(altcha_.Issue()); }

  Account MustRegister(const std::string& email, const std::string& password = kPassword,
                       const std::string& name = "Reader") {
    RegisterRequest r{email, password, name, true, ""};
    if (service_->options().captcha_required) r.captcha = Captcha();
    auto a = service_->Register(r);
    EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error().message);
    return a.ok() ? *a : Account{};
  }
  // Registers and follows the confirmation link.
  Account MustRegisterActive(const std::string& email, const std::string& password = kPassword) {
    Account a = MustRegister(email, password);
    const std::string token = LastToken("confirm_account", "/confirm", a.id);
    EXPECT_TRUE(service_->ConfirmEmail(token).ok());
    a.status = "active";
    return a;
  }

  std::vector<StoredMail> Mails(const std::string& kind = "") {
    auto rows = tmp_.db().Read(
        "SELECT COALESCE(account_id, 0), kind, recipient, message FROM mail_outbox WHERE $1 = '' OR kind = $1"
        " ORDER BY id",
        {kind});
    EXPECT_TRUE(rows.ok());
    std::vector<StoredMail> out;
    if (!rows.ok()) return out;
    for (const auto& r : *rows) out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Text(3)});
    return out;
  }
  // The token in the newest mail of `kind` (of `account_id` when non-zero).
  std::string LastToken(const std::string& kind, const std::string& path, int64_t account_id = 0) {
    std::string token;
    for (const auto& m : Mails(kind)) {
      if (account_id == 0 || m.account_id == account_id) token = TokenIn(m.message, path);
    }
    EXPECT_FALSE(token.empty()) << "no " << kind << " mail with a " << path << " link";
    return token;
  }

  int64_t Count(const std::string& sql) { return tmp_.Count(sql); }
  int64_t Count(const std::string& sql, const storage::Params& params) {
    auto rows = tmp_.db().Read(sql, params);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
    return rows.ok() ? (*rows)[0].Int(0) : -1;
  }
  std::string Text(const std::string& sql, const storage::Params& params) {
    auto rows = tmp_.db().Read(sql, params);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
    if (!rows.ok() || rows->empty()) return "<no row>";
    return (*rows)[0].IsNull(0) ? "<null>" : (*rows)[0].Text(0);
  }
  // The first column of every row (text), joined with ",".
  std::string Joined(const std::string& sql) {
    auto rows = tmp_.db().Read(sql);
    EXPECT_TRUE(rows.ok()) << (rows.ok() ? "" : rows.error().message);
    std::string out;
    if (rows.ok())
      for (const auto& r : *rows) out += (out.empty() ? "" : ",") + r.Text(0);
    return out;
  }
  std::string StatusOf(int64_t id) { return Text("SELECT status FROM accounts WHERE id = $1", {id}); }
  tribune::Status Exec(const std::string& sql, const storage::Params& params = {}) {
    return tmp_.db().Write([&](storage::Session& s) -> tribune::Status {
      TRIBUNE_TRY(s.Exec(sql, params));
      return Ok{};
    });
  }
  std::string PurgeLog() {
    std::ifstream in(purge_log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  ::tribune::testing::TempDatabase tmp_;
  FakeClock clock_;
  IdGenerator ids_;
  PasswordHasher hasher_;
  Altcha altcha_;
  mail::Outbox outbox_;
  std::filesystem::path purge_log_;
  std::unique_ptr<AccountService> service_;
};

// "ok" or the API name of the error ("gone", "bad_request", ...): readable in failure messages.
template <typename T>
std::string CodeOf(const Result<T>& r) {
  return r.ok() ? "ok" : ErrorCodeName(r.error().code);
}

}  // namespace tribune::accounts::testing
