#include "imports/fetch.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace tribune::imports {

namespace {

struct Sink {
  std::FILE* file = nullptr;
  int64_t written = 0;
  int64_t max = 0;
  bool too_large = false;
};

size_t OnData(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * n;
  if (sink->written + static_cast<int64_t>(bytes) > sink->max) {
    sink->too_large = true;
    return 0;  // aborts the transfer
  }
  sink->written += static_cast<int64_t>(bytes);
  return std::fwrite(data, 1, bytes, sink->file);
}

}  // namespace

bool IsHttpUrl(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

Result<std::string> FetchToTempFile(const std::string& url, const FetchLimits& limits) {
  if (!IsHttpUrl(url)) return MakeError(ErrorCode::kBadRequest, "only http:// and https:// URLs can be fetched");
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/tribune-import-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return MakeError(ErrorCode::kUnavailable, "cannot create a temporary file");
  Sink sink{::fdopen(fd, "wb"), 0, limits.max_bytes, false};
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, limits.max_redirects);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, limits.timeout_seconds);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_bytes));
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "Tribune-import/0.1");
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  const CURLcode rc = curl_easy_perform(c);
  std::fclose(sink.file);
  if (rc != CURLE_OK) {
    ::unlink(path.c_str());
    if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      return MakeError(ErrorCode::kBadRequest, url + ": larger than " + std::to_string(limits.max_bytes) + " bytes");
    }
    std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    const bool client = rc == CURLE_HTTP_RETURNED_ERROR || rc == CURLE_TOO_MANY_REDIRECTS ||
                        rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT;
    return MakeError(client ? ErrorCode::kBadRequest : ErrorCode::kUnavailable, url + ": " + why);
  }
  return path;
}

}  // namespace tribune::imports
