// A small HTTPS client for the OpenID Connect back channel (discovery, JWKS, token endpoint), on
// libcurl. TLS is verified, redirects are not followed, only http(s) is spoken, bodies are bounded.
// Nothing here logs request or response bodies: they carry codes and tokens.
#include <curl/curl.h>
#include <openssl/evp.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "oidc/oidc.hpp"

namespace tribune::oidc::detail {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool IsLoopbackHost(std::string_view host) {
  return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1";
}

struct Sink {
  std::string body;
  size_t max_bytes = 0;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * nmemb;
  if (sink->body.size() + n > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->body.append(data, n);
  return n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct CurluDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::string UrlPart(CURLU* u, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, 0) != CURLUE_OK || !value) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

Result<HttpResponse> Perform(const std::string& url, const std::string* post_body, const std::string& authorization,
                             const HttpOptions& options) {
  TRIBUNE_TRY(CheckFetchUrl(url, options.allow_http));
  InitCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return MakeError(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* c = curl.get();

  Sink sink;
  sink.max_bytes = options.max_bytes;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&headers](const std::string& h) {
    curl_slist* next = curl_slist_append(headers.get(), h.c_str());
    if (next) {
      (void)headers.release();
      headers.reset(next);
    }
  };
  add_header("Accept: application/json");
  if (!authorization.empty()) add_header("Authorization: " + authorization);
  if (post_body) add_header("Content-Type: application/x-www-form-urlencoded");

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, options.allow_http ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout_ms));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(c, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "Tribune-OIDC/1");
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl decodes; the sink bounds the result
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  if (post_body) {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body->size()));
  } else {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }

  const CURLcode rc = curl_easy_perform(c);
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return MakeError(ErrorCode::kUnavailable, "the provider's response is too large");
  }
  if (rc != CURLE_OK) {
    return MakeError(ErrorCode::kUnavailable, std::string("cannot reach the provider: ") + curl_easy_strerror(rc));
  }
  HttpResponse out;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  const char* ct = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) out.content_type = ct;
  const char* location = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) out.location = location;
  out.body = std::move(sink.body);
  return out;
}

}  // namespace

Status CheckFetchUrl(const std::string& url, bool allow_http) {
  // Parsed with curl's own URL parser, the one that will do the fetch: no disagreement about the host.
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return MakeError(ErrorCode::kBadRequest, "not an absolute URL");
  if (!parsed->encoded_path().empty() && parsed->encoded_path().front() != '/') {
    return MakeError(ErrorCode::kBadRequest, "not a valid URL");
  }
  std::unique_ptr<CURLU, CurluDeleter> cu(curl_url());
  if (!cu || curl_url_set(cu.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return MakeError(ErrorCode::kBadRequest, "not a valid URL");
  }
  const std::string scheme = UrlPart(cu.get(), CURLUPART_SCHEME);
  const std::string host = UrlPart(cu.get(), CURLUPART_HOST);
  if (!UrlPart(cu.get(), CURLUPART_USER).empty() || !UrlPart(cu.get(), CURLUPART_PASSWORD).empty() ||
      parsed->has_userinfo()) {
    return MakeError(ErrorCode::kBadRequest, "URL with credentials");
  }
  if (host.empty()) return MakeError(ErrorCode::kBadRequest, "URL without a host");
  if (scheme == "https") return {};
  if (scheme == "http" && allow_http && IsLoopbackHost(host)) return {};
  return MakeError(ErrorCode::kBadRequest, "only https URLs are allowed");
}

Result<HttpResponse> HttpGet(const std::string& url, const HttpOptions& options) {
  return Perform(url, nullptr, "", options);
}

Result<HttpResponse> HttpPostForm(const std::string& url, const FormFields& form, const std::string& authorization,
                                  const HttpOptions& options) {
  std::string body;
  for (const auto& [name, value] : form) {
    if (!body.empty()) body += '&';
    body += FormEncode(name);
    body += '=';
    body += FormEncode(value);
  }
  return Perform(url, &body, authorization, options);
}

std::string FormEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char ch : text) {
    const bool unreserved = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                            ch == '-' || ch == '.' || ch == '_' || ch == '~';
    if (unreserved) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

std::string BasicAuthorization(const std::string& client_id, const std::string& client_secret) {
  const std::string raw = FormEncode(client_id) + ":" + FormEncode(client_secret);
  std::string b64(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  b64.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return "Basic " + b64;
}

}  // namespace tribune::oidc::detail
