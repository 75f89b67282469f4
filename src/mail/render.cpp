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

// The name a tag opens ("#name", "^name=value", "@name") or closes ("/name"), else empty.
std::string_view TagName(std::string_view tag) {
  if (tag.empty() || (tag[0] != '#' && tag[0] != '^' && tag[0] != '@' && tag[0] != '/')) return {};
  std::string_view name = tag.substr(1);
  if (tag[0] != '/' && tag[0] != '@') name = name.substr(0, name.find('='));
  return name;
}

// Where the {{/name}} closing the block opened just before `pos` starts, skipping nested blocks
// of the same name; npos if unclosed.
size_t FindClose(std::string_view tmpl, size_t pos, std::string_view name) {
  int depth = 0;
  while (true) {
    size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) return open;
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) return close;
    std::string_view tag = tmpl.substr(open + 2, close - open - 2);
    if (TagName(tag) == name) {
      if (tag[0] != '/') {
        ++depth;
      } else if (depth-- == 0) {
        return open;
      }
    }
    pos = close + 2;
  }
}

Result<std::string> ExpandIn(std::string_view tmpl, const std::map<std::string, std::string>& vars, bool html,
                             const std::vector<Item>& items, bool in_repeat) {
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
    if (tag[0] == '@') {
      std::string name(tag.substr(1));
      if (name.empty()) return MakeError(ErrorCode::kInternal, "mail template: {{@}} without a name");
      if (in_repeat) return MakeError(ErrorCode::kInternal, "mail template: nested repeat " + name);
      if (name != "items") return MakeError(ErrorCode::kInternal, "mail template: unknown list " + name);
      size_t end = FindClose(tmpl, pos, name);
      if (end == std::string_view::npos) {
        return MakeError(ErrorCode::kInternal, "mail template: unclosed repeat " + name);
      }
      std::string_view inner = tmpl.substr(pos, end - pos);
      // Refused even when there are no rows, so a bad template fails in every test.
      if (inner.find("{{@") != std::string_view::npos) {
        return MakeError(ErrorCode::kInternal, "mail template: nested repeat in " + name);
      }
      for (const Item& item : items) {
        std::map<std::string, std::string> layered = vars;
        for (const auto& [field, value] : item) layered.insert_or_assign(field, value);
        TRIBUNE_ASSIGN(std::string row, ExpandIn(inner, layered, html, items, true));
        out += row;
      }
      pos = end + name.size() + 5;  // "{{/" name "}}"
      continue;
    }
    if (tag[0] == '#' || tag[0] == '^') {
      bool invert = tag[0] == '^';
      std::string_view cond = tag.substr(1);
      std::string_view name = cond;
      std::optional<std::string_view> want;
      if (size_t eq = cond.find('='); eq != std::string_view::npos) {
        name = cond.substr(0, eq);
        want = cond.substr(eq + 1);
      }
      if (name.empty()) return MakeError(ErrorCode::kInternal, "mail template: section without a name");
      size_t end = FindClose(tmpl, pos, name);
      if (end == std::string_view::npos) {
        return MakeError(ErrorCode::kInternal, "mail template: unclosed section " + std::string(name));
      }
      auto it = vars.find(std::string(name));
      if (it == vars.end())
        return MakeError(ErrorCode::kBadRequest, "mail: missing variable " + std::string(name));
      bool on = want ? it->second == *want : Truthy(it->second);
      if (on != invert) {
        TRIBUNE_ASSIGN(std::string inner, ExpandIn(tmpl.substr(pos, end - pos), vars, html, items, in_repeat));
        out += inner;
      }
      pos = end + name.size() + 5;
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

}  // namespace

Result<std::string> Expand(std::string_view tmpl, const std::map<std::string, std::string>& vars, bool html,
                           const std::vector<Item>& items) {
  return ExpandIn(tmpl, vars, html, items, false);
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

// RFC 5322 caps a line at 998 characters; the header line is "List-Unsubscribe: <" URL ">".
constexpr size_t kMaxUnsubscribeUrl = 998 - 20;

// An absolute http(s) URL that can stand between RFC 2369's angle brackets on one header line:
// printable ASCII only (so no CR, LF, NUL, space or other controls), no '<' or '>'.
Status CheckUnsubscribeUrl(std::string_view url) {
  auto bad = [](std::string why) { return MakeError(ErrorCode::kBadRequest, "mail: unsubscribe_url " + why); };
  std::string lower;
  for (char c : url.substr(0, 8)) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  size_t rest = lower.rfind("https://", 0) == 0 ? 8 : lower.rfind("http://", 0) == 0 ? 7 : 0;
  if (rest == 0) return bad("is not an http(s) URL");
  if (url.size() == rest) return bad("has no host");
  if (url.size() > kMaxUnsubscribeUrl) return bad("is too long for a header line");
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>') return bad("contains a character a header cannot hold");
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
  for (const auto& item : mail.items) {
    for (const auto& [name, value] : item) {
      if (value.find('\0') != std::string::npos) {
        return MakeError(ErrorCode::kBadRequest, "mail: NUL in item field " + name);
      }
    }
  }
  if (!mail.unsubscribe_url.empty()) TRIBUNE_TRY(CheckUnsubscribeUrl(mail.unsubscribe_url));
  std::map<std::string, std::string> vars = mail.vars;
  vars.try_emplace("site_name", identity.site_name);
  vars.try_emplace("base_url", identity.base_url);
  if (!mail.unsubscribe_url.empty()) vars.try_emplace("unsubscribe_link", mail.unsubscribe_url);

  Rendered r;
  r.message_id = message_id;
  TRIBUNE_ASSIGN(r.subject, internal::Expand(tmpl->subject, vars, false, mail.items));
  TRIBUNE_TRY(CheckHeaderValue("the subject", r.subject));
  TRIBUNE_ASSIGN(r.text, internal::Expand(tmpl->text, vars, false, mail.items));
  TRIBUNE_ASSIGN(std::string html_body, internal::Expand(tmpl->html, vars, true, mail.items));
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
  if (!mail.unsubscribe_url.empty()) {
    // One line (checked under 998 characters): an RFC 2369 URL is not folded inside its brackets.
    m += "List-Unsubscribe: <" + mail.unsubscribe_url + ">\r\n";
    m += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  }
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
