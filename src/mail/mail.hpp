// Start here for e-mail: the durable outbox, the templates, and the senders (SMTP over libcurl, or
// files in a spool directory when no SMTP server is configured).
//
// A service that causes a mail calls Outbox::Enqueue inside its own write transaction, so the mail
// exists exactly when the change does. An OutboxWorker (one thread) later claims due mails, hands
// them to a Transport, and records the outcome: sent; a transient failure (SMTP 4xx, network
// errors) retried with exponential backoff and jitter; a permanent failure (SMTP 5xx) or too many
// attempts marks the mail failed. The Message-ID is the de-duplication key: enqueueing the same
// key twice stores one mail.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/result.hpp"
#include "storage/database.hpp"

namespace tribune::mail {

// What a service asks to send. The template `kind` with `vars` in `language` makes the subject,
// the plain-text part and the HTML part; values are escaped for HTML by the renderer.
struct Mail {
  std::string to;                           // a normalised address
  std::string kind;                         // a template name, see KnownKinds()
  std::string language = "en";              // en | fr | ru; others fall back to en
  std::map<std::string, std::string> vars;  // {{name}} placeholders: link, display_name, site_name, ...
  int64_t account_id = 0;                   // whose personal data the mail holds (0: nobody's)
  // Same key, same Message-ID: enqueued once. Empty: a fresh id per mail.
  std::string dedup_key;
  // Non-empty: the headers "List-Unsubscribe: <URL>" and "List-Unsubscribe-Post:
  // List-Unsubscribe=One-Click" (RFC 2369, RFC 8058), and the variable unsubscribe_link (unless vars
  // has it). An http(s) URL of printable ASCII without spaces or <>, at most 978 bytes; else kBadRequest.
  // The URL must accept a POST with the body "List-Unsubscribe=One-Click" and no cookies.
  std::string unsubscribe_url;
  // The rows of a {{@items}}...{{/items}} repeat (see internal::Template), e.g. a digest's entries.
  std::vector<std::map<std::string, std::string>> items;
};

// Who the mails are from, and the names the templates use.
struct Identity {
  std::string from_address = "no-reply@localhost";
  std::string from_name = "Tribune";
  std::string site_name = "Tribune";
  std::string base_url = "http://127.0.0.1:8080";  // no trailing slash
  std::string message_id_domain = "localhost";
};

// The template names the renderer knows.
const std::vector<std::string>& KnownKinds();

struct Rendered {
  std::string message_id;  // "<...@domain>"
  std::string subject;
  std::string text;
  std::string html;
  std::string message;     // the whole RFC 5322 message (MIME multipart/alternative, CRLF)
};

// Renders `mail` from its template. Errors: kBadRequest (unknown kind, a missing variable or item
// field, CR/LF or NUL in the address or a header value, a bad unsubscribe_url).
Result<Rendered> Render(const Mail& mail, const Identity& identity, const std::string& message_id, int64_t now_micros);

class Outbox {
 public:
  Outbox(const Clock& clock, IdGenerator& ids, Identity identity);

  // Renders `mail` and stores it in the caller's write transaction; a mail whose dedup_key was
  // queued before is not stored again. Errors: Render's, storage errors.
  Status Enqueue(storage::Session& session, const Mail& mail);

  const Identity& identity() const { return identity_; }
  // Before serving only (not synchronised): the origin is known once the server listens.
  void SetBaseUrl(const std::string& url) { identity_.base_url = url; }

 private:
  const Clock& clock_;
  IdGenerator& ids_;
  Identity identity_;
};

enum class SendOutcome { kSent, kTransient, kPermanent };

struct SendResult {
  SendOutcome outcome = SendOutcome::kSent;
  std::string detail;  // the server's reply or the network error, for the log and last_error
};

struct Envelope {
  std::string message_id;
  std::string from;        // bare address
  std::string recipient;   // bare address
  std::string message;     // RFC 5322, CRLF
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Delivers one message. Must not throw; classifies every failure.
  virtual SendResult Send(const Envelope& envelope) = 0;
  // For the log: "smtp://host:port" or "files in DIR".
  virtual std::string Describe() const = 0;
};

struct SmtpOptions {
  std::string url;               // smtp://host:port or smtps://host:port
  bool starttls = false;         // require STARTTLS on smtp://
  bool verify_tls = true;        // check the server's certificate and name
  std::string username;          // empty: no AUTH
  std::string password;
  int64_t connect_timeout_ms = 10'000;
  int64_t timeout_ms = 30'000;   // the whole transaction
};

// SMTP with libcurl. A 4xx reply or a network/timeout error is transient, a 5xx reply permanent.
std::unique_ptr<Transport> MakeSmtpTransport(SmtpOptions options);
// Writes each message to DIR/<time>-<message id>.eml (created if missing), atomically (temp file +
// rename). There is no server to refuse a mail; an I/O error (disk full, permissions) is transient.
std::unique_ptr<Transport> MakeFileTransport(std::string directory);

struct RetryOptions {
  int max_attempts = 8;
  std::chrono::seconds base_delay{30};    // first retry after about this long
  std::chrono::seconds max_delay{3600};
  double jitter = 0.5;                    // each delay is multiplied by a random factor in [1 - j, 1 + j]
};

// The delay before attempt `attempt` (>= 2), with jitter drawn from `unit` in [0, 1).
std::chrono::microseconds RetryDelay(const RetryOptions& options, int attempt, double unit);

struct WorkerStats {
  int sent = 0;
  int retried = 0;
  int failed = 0;
};

// Sends due mails from the outbox. Several workers (threads or servers) may run on one database:
// a mail is claimed in a write transaction before it is sent. Time comes from the clock, so tests
// call RunOnce after moving a FakeClock.
class OutboxWorker {
 public:
  OutboxWorker(storage::Database& db, const Clock& clock, Transport& transport, std::string from_address,
               RetryOptions retry, int batch = 32);
  ~OutboxWorker();

  // Sends every mail due at the clock's now (up to `batch` per round, rounds until none is due).
  Result<WorkerStats> RunOnce();
  // A background thread calling RunOnce every `poll` and whenever Wake() is called.
  void Start(std::chrono::milliseconds poll);
  void Wake();
  // Stops the thread after its current round. Idempotent.
  void Stop();

 private:
  void Loop(std::chrono::milliseconds poll);

  storage::Database& db_;
  const Clock& clock_;
  Transport& transport_;
  std::string from_address_;
  RetryOptions retry_;
  int batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

// Implementation details shared by the mail sources and their tests; not for other modules.
namespace internal {

// One template: {{name}} placeholders; {{#name}}...{{/name}} is kept when the variable is non-empty
// and not "false", {{#name=value}}...{{/name}} when it equals value; {{^...}} inverts either.
// Sections nest, also with the same name ({{#n}}{{#n=1}}...{{/n}}{{/n}}).
// {{@items}}...{{/items}} repeats its inner text once per row of Mail::items (nothing when there
// are none), each row's fields layered over the variables (a field shadows a variable of the same
// name; HTML-escaped like any value); placeholders and sections inside see both. A field or
// variable missing from a row is kBadRequest; a repeat inside a repeat, or a list other than
// "items", is refused as a malformed template (kInternal).
struct Template {
  std::string_view kind;
  std::string_view subject;
  std::string_view text;
  std::string_view html;  // the body fragment; Render wraps it in a document
};

// Per-language tables (templates_en.cpp, templates_fr.cpp, templates_ru.cpp).
const std::vector<Template>& TemplatesEn();
const std::vector<Template>& TemplatesFr();
const std::vector<Template>& TemplatesRu();

// The template for kind in language (falling back to en), or nullptr for an unknown kind.
const Template* FindTemplate(std::string_view kind, std::string_view language);

using Item = std::map<std::string, std::string>;

// Expands placeholders, sections and the {{@items}} repeat. html: values are HTML-escaped. Errors:
// kBadRequest for a missing variable or field, kInternal for a malformed template.
Result<std::string> Expand(std::string_view tmpl, const std::map<std::string, std::string>& vars, bool html,
                           const std::vector<Item>& items = {});

std::string HtmlEscape(std::string_view s);
// A header value as RFC 2047 encoded words (UTF-8, base64) when it is not plain short ASCII;
// `used` is the length already on the first line ("Subject: ").
std::string EncodeHeaderText(std::string_view value, size_t used);
// Quoted-printable with CRLF line ends, lines <= 76 characters.
std::string QuotedPrintable(std::string_view text);
// "Thu, 01 Jan 2026 00:00:00 +0000".
std::string FormatRfc5322Date(int64_t micros);
// "<hash@domain>" derived from kind and dedup_key (same inputs, same id).
std::string DerivedMessageId(std::string_view kind, std::string_view dedup_key, std::string_view domain);
// A plausible bare address: one '@', no spaces, controls, or <>()[],;:\".
bool IsPlainAddress(std::string_view address);

}  // namespace internal

}  // namespace tribune::mail
