// SMTP delivery with the libcurl easy API: one handle per message, so Send is thread-safe.
#include <curl/curl.h>

#include <cstring>
#include <mutex>
#include <string>

#include "mail/mail.hpp"

namespace tribune::mail {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t nitems, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t n = std::min(size * nitems, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, n);
  up->pos += n;
  return n;
}

class SmtpTransport final : public Transport {
 public:
  explicit SmtpTransport(SmtpOptions options) : options_(std::move(options)) { GlobalInit(); }

  SendResult Send(const Envelope& envelope) override {
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return {SendOutcome::kTransient, "curl_easy_init failed"};
    char errbuf[CURL_ERROR_SIZE] = {};
    std::string from = "<" + envelope.from + ">";
    std::string rcpt = "<" + envelope.recipient + ">";
    curl_slist* recipients = curl_slist_append(nullptr, rcpt.c_str());
    Upload upload{&envelope.message};

    curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(envelope.message.size()));
    if (options_.starttls) curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    if (!options_.verify_tls) {
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!options_.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
    }

    CURLcode rc = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);

    if (rc == CURLE_OK) return {SendOutcome::kSent, "250"};
    std::string detail = "curl " + std::to_string(static_cast<int>(rc)) + " (" + curl_easy_strerror(rc) + ")";
    if (reply != 0) detail += ", reply " + std::to_string(reply);
    if (errbuf[0] != '\0') detail += ": " + std::string(errbuf);
    // A refused login is the server's configuration, not this mail's fault: retry it later.
    if (rc != CURLE_LOGIN_DENIED && reply >= 500 && reply <= 599) return {SendOutcome::kPermanent, detail};
    return {SendOutcome::kTransient, detail};
  }

  std::string Describe() const override { return options_.url; }

 private:
  SmtpOptions options_;
};

}  // namespace

std::unique_ptr<Transport> MakeSmtpTransport(SmtpOptions options) {
  return std::make_unique<SmtpTransport>(std::move(options));
}

}  // namespace tribune::mail
