// Render: a template and its variables become one RFC 5322 message (multipart/alternative).
#include <optional>
#include <string>
#include <string_view>

#include "common/random.hpp"
#include "mail/mail.hpp"

namespace tribune::mail {
namespace internal {
namespace {

bool Truthy(const std::string& v) { return !v.empty() && v != "false"; }

}  // namespace

Result<std::string> Expand(std::string_view tmpl, const std::map<std::string, std::string>& vars, bool html) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(pos));
      break;
    }
    out.append(tmpl.substr(pos, open - pos));
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) return MakeError(ErrorCode::kInternal, "mail template: unclosed {{");
    std::string_view tag = tmpl.substr(open + 2, close - open - 2);
    pos = close + 2;
    if (tag.empty()) return MakeError(ErrorCode::kInternal, "mail template: empty {{}}");
    if (tag[0] == '#' || tag[0] == '^') {
      bool invert = tag[0] == '^';
      std::string_view cond = tag.substr(1);
      std::string_view name = cond;
      std::optional<std::string_view> want;
      if (size_t eq = cond.find('='); eq != std::string_view::npos) {
        name = cond.substr(0, eq);
        want = cond.substr(eq + 1);
      }
      std::string end_tag = "{{/" + std::string(name) + "}}";
      size_t end = tmpl.find(end_tag, pos);
      if (end == std::string_view::npos) {
        return MakeError(ErrorCode::kInternal, "mail template: unclosed section " + std::string(name));
      }
      auto it = vars.find(std::string(name));
      if (it == vars.end())
        return MakeError(ErrorCode::kBadRequest, "mail: missing variable " + std::string(name));
      bool on = want ? it->second == *want : Truthy(it->second);
      if (on != invert) {
        TRIBUNE_ASSIGN(std::string inner, Expand(tmpl.substr(pos, end - pos), vars, html));
        out += inner;
      }
      pos = end + end_tag.size();
      continue;
    }
    if (tag[0] == '/') return MakeError(ErrorCode::kInternal, "mail template: stray {{/...}}");
    auto it = vars.find(std::string(tag));
    if (it == vars.end())
      return MakeError(ErrorCode::kBadRequest, "mail: missing variable " + std::string(tag));
    out += html ? HtmlEscape(it->second) : it->second;
  }
  return out;
}

}  // namespace internal

namespace {

using internal::EncodeHeaderText;

bool HasHeaderBreak(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

Status CheckHeaderValue(std::string_view what, std::string_view value) {
  if (HasHeaderBreak(value)) {
    return MakeError(ErrorCode::kBadRequest, "mail: CR, LF or NUL in " + std::string(what));
  }
  return {};
}

std::string FromHeader(const Identity& identity) {
  std::string name = identity.from_name;
  bool plain = !name.empty();
  for (unsigned char c : name) {
    if (c < 0x20 || c > 0x7e) plain = false;
  }
  std::string display;
  if (name.empty()) {
    return identity.from_address;
  } else if (plain && name.find("=?") == std::string::npos && name.size() < 60) {
    display = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') display += '\\';
      display += c;
    }
    display += "\"";
  } else {
    display = EncodeHeaderText(name, 78);  // forces encoded words
  }
  return display + " <" + identity.from_address + ">";
}

std::string HtmlDocument(std::string_view language, const std::string& subject, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"" + std::string(language) +
         "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
         "content=\"width=device-width\">\n<title>" +
         internal::HtmlEscape(subject) +
         "</title>\n</head>\n<body style=\"font-family: sans-serif; line-height: 1.5; color: #222; "
         "max-width: 36em;\">\n" +
         body + "</body>\n</html>\n";
}

}  // namespace

Result<Rendered> Render(const Mail& mail, const Identity& identity, const std::string& message_id,
                        int64_t now_micros) {
  TRIBUNE_TRY(CheckHeaderValue("the recipient address", mail.to));
  if (!internal::IsPlainAddress(mail.to))
    return MakeError(ErrorCode::kBadRequest, "mail: invalid recipient address");
  TRIBUNE_TRY(CheckHeaderValue("the sender address", identity.from_address));
  TRIBUNE_TRY(CheckHeaderValue("the sender name", identity.from_name));
  TRIBUNE_TRY(CheckHeaderValue("the Message-ID", message_id));
  if (!internal::IsPlainAddress(identity.from_address)) {
    return MakeError(ErrorCode::kBadRequest, "mail: invalid sender address");
  }
  const internal::Template* tmpl = internal::FindTemplate(mail.kind, mail.language);
  if (tmpl == nullptr) return MakeError(ErrorCode::kBadRequest, "mail: unknown kind " + mail.kind);
  for (const auto& [name, value] : mail.vars) {
    if (value.find('\0') != std::string::npos) {
      return MakeError(ErrorCode::kBadRequest, "mail: NUL in variable " + name);
    }
  }
  std::map<std::string, std::string> vars = mail.vars;
  vars.try_emplace("site_name", identity.site_name);
  vars.try_emplace("base_url", identity.base_url);

  Rendered r;
  r.message_id = message_id;
  TRIBUNE_ASSIGN(r.subject, internal::Expand(tmpl->subject, vars, false));
  TRIBUNE_TRY(CheckHeaderValue("the subject", r.subject));
  TRIBUNE_ASSIGN(r.text, internal::Expand(tmpl->text, vars, false));
  TRIBUNE_ASSIGN(std::string html_body, internal::Expand(tmpl->html, vars, true));
  const std::string language = mail.language == "fr" || mail.language == "ru" ? mail.language : "en";
  r.html = HtmlDocument(language, r.subject, html_body);

  // The boundary contains "=_", which quoted-printable never produces, so it cannot occur in a part.
  std::string boundary = "=_tribune_" + Sha256Hex(message_id).substr(0, 24);
  std::string& m = r.message;
  m.reserve(r.text.size() + r.html.size() + 1024);
  m += "From: " + FromHeader(identity) + "\r\n";
  m += "To: " + mail.to + "\r\n";
  m += "Subject: " + EncodeHeaderText(r.subject, 9) + "\r\n";
  m += "Date: " + internal::FormatRfc5322Date(now_micros) + "\r\n";
  m += "Message-ID: " + message_id + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "X-Tribune-Mail: " + mail.kind + "\r\n";  // lets readers filter, and tests tell mails apart
  m += "Content-Language: " + language + "\r\n";
  m += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";
  m += "\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\n";
  m += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  m += internal::QuotedPrintable(r.text) + "\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/html; charset=UTF-8\r\n";
  m += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
  m += internal::QuotedPrintable(r.html) + "\r\n";
  m += "--" + boundary + "--\r\n";
  return r;
}

}  // namespace tribune::mail
