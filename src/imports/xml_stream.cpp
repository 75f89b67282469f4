#include "imports/xml_stream.hpp"

#include <expat.h>

#include <cstring>
#include <memory>
#include <sstream>

namespace tribune::imports {

namespace {

constexpr char kSep = '\x01';

std::string PrefixFor(std::string_view uri) {
  auto has = [&](std::string_view s) { return uri.find(s) != std::string_view::npos; };
  if (has("wordpress.org/export") && has("excerpt")) return "excerpt";
  if (has("wordpress.org/export")) return "wp";
  if (has("purl.org/rss/1.0/modules/content")) return "content";
  if (has("purl.org/dc/elements")) return "dc";
  if (has("w3.org/2005/Atom")) return "atom";
  if (has("disqus.com/disqus-internals")) return "dsq";
  if (has("search.yahoo.com/mrss")) return "media";
  return "";
}

XmlName Split(const XML_Char* raw) {
  std::string_view s(raw);
  const size_t sep = s.find(kSep);
  if (sep == std::string_view::npos) return {"", std::string(s)};
  return {PrefixFor(s.substr(0, sep)), std::string(s.substr(sep + 1))};
}

// Windows-1252: 0x80..0x9F differ from ISO-8859-1 (the rest are the same code points). -1: unassigned.
constexpr int kCp1252High[32] = {0x20AC, -1,     0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, -1,     0x017D, -1,
                                 -1,     0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, -1,     0x017E, 0x0178};

struct State {
  XML_Parser parser = nullptr;
  XmlHandler* handler = nullptr;
  XmlLimits limits;
  std::vector<std::string> text;  // per open element
  std::vector<XmlName> names;
  std::string error;              // ours, when we stopped the parser
  std::string unknown_encoding;

  void Fail(std::string message) {
    if (error.empty()) error = std::move(message);
    XML_StopParser(parser, XML_FALSE);
  }
};

std::string Where(XML_Parser p) {
  return "line " + std::to_string(XML_GetCurrentLineNumber(p)) + ", column " +
         std::to_string(XML_GetCurrentColumnNumber(p) + 1);
}

void XMLCALL OnStart(void* data, const XML_Char* name, const XML_Char** atts) {
  auto* st = static_cast<State*>(data);
  if (static_cast<int>(st->names.size()) >= st->limits.max_depth) {
    st->Fail("elements nested deeper than " + std::to_string(st->limits.max_depth) + " at " + Where(st->parser));
    return;
  }
  std::vector<XmlAttr> attrs;
  for (int i = 0; atts[i] != nullptr; i += 2) attrs.push_back({Split(atts[i]), atts[i + 1]});
  st->names.push_back(Split(name));
  st->text.emplace_back();
  st->handler->Start(st->names.back(), attrs, static_cast<int>(st->names.size()));
  if (!st->handler->error.empty()) st->Fail(st->handler->error + " (" + Where(st->parser) + ")");
}

void XMLCALL OnEnd(void* data, const XML_Char*) {
  auto* st = static_cast<State*>(data);
  if (st->names.empty()) return;
  st->handler->End(st->names.back(), st->text.back(), static_cast<int>(st->names.size()));
  st->names.pop_back();
  st->text.pop_back();
  if (!st->handler->error.empty()) st->Fail(st->handler->error + " (" + Where(st->parser) + ")");
}

void XMLCALL OnText(void* data, const XML_Char* s, int len) {
  auto* st = static_cast<State*>(data);
  if (st->text.empty()) return;
  std::string& t = st->text.back();
  if (t.size() + static_cast<size_t>(len) > st->limits.max_text) {
    st->Fail("element <" + st->names.back().name + "> holds more than " + std::to_string(st->limits.max_text) +
             " bytes of text at " + Where(st->parser));
    return;
  }
  t.append(s, static_cast<size_t>(len));
}

void XMLCALL OnEntityDecl(void* data, const XML_Char* name, int, const XML_Char*, int, const XML_Char*,
                          const XML_Char*, const XML_Char*, const XML_Char*) {
  auto* st = static_cast<State*>(data);
  st->Fail("the DOCTYPE declares the entity \"" + std::string(name ? name : "") + "\" at " + Where(st->parser) +
           ": files that declare entities are refused (entity expansion and external entities are not allowed)");
}

// An entity the parser did not expand (declared, if anywhere, in an external DTD it never reads).
void XMLCALL OnSkippedEntity(void* data, const XML_Char* name, int) {
  auto* st = static_cast<State*>(data);
  st->Fail("the entity \"" + std::string(name ? name : "") + "\" at " + Where(st->parser) +
           " is not declared in the file: external DTDs and entities are never read");
}

int XMLCALL OnExternalEntity(XML_Parser p, const XML_Char*, const XML_Char*, const XML_Char* system_id,
                             const XML_Char*) {
  auto* st = static_cast<State*>(XML_GetUserData(p));
  if (st->error.empty()) {
    st->error = "the file refers to the external entity \"" + std::string(system_id ? system_id : "") + "\" at " +
                Where(p) + ": external entities are never read";
  }
  return XML_STATUS_ERROR;
}

int XMLCALL OnUnknownEncoding(void* data, const XML_Char* name, XML_Encoding* info) {
  auto* st = static_cast<State*>(data);
  std::string n(name ? name : "");
  std::string lower;
  for (char c : n) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "windows-1252" || lower == "cp1252") {
    for (int i = 0; i < 256; ++i) info->map[i] = (i >= 0x80 && i < 0xA0) ? kCp1252High[i - 0x80] : i;
    info->data = nullptr;
    info->convert = nullptr;
    info->release = nullptr;
    return XML_STATUS_OK;
  }
  st->unknown_encoding = n;
  return XML_STATUS_ERROR;
}

}  // namespace

Status ParseXml(std::istream& in, XmlHandler& handler, const XmlLimits& limits) {
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, void (*)(XML_Parser)> parser(XML_ParserCreateNS(nullptr, kSep),
                                                                                   XML_ParserFree);
  if (!parser) return MakeError(ErrorCode::kInternal, "out of memory creating the XML parser");
  State st;
  st.parser = parser.get();
  st.handler = &handler;
  st.limits = limits;
  XML_Parser p = parser.get();
  XML_SetUserData(p, &st);
  XML_SetElementHandler(p, OnStart, OnEnd);
  XML_SetCharacterDataHandler(p, OnText);
  XML_SetEntityDeclHandler(p, OnEntityDecl);
  XML_SetExternalEntityRefHandler(p, OnExternalEntity);
  XML_SetSkippedEntityHandler(p, OnSkippedEntity);
  XML_SetUnknownEncodingHandler(p, OnUnknownEncoding, &st);
  XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
  constexpr int kChunk = 1 << 16;
  for (;;) {
    void* buf = XML_GetBuffer(p, kChunk);
    if (buf == nullptr) return MakeError(ErrorCode::kInternal, "out of memory reading the XML file");
    in.read(static_cast<char*>(buf), kChunk);
    const std::streamsize got = in.gcount();
    if (in.bad()) return MakeError(ErrorCode::kBadRequest, "could not read the file");
    const bool final = got < kChunk;
    if (XML_ParseBuffer(p, static_cast<int>(got), final) != XML_STATUS_OK) {
      if (!st.error.empty()) return MakeError(ErrorCode::kBadRequest, st.error);
      if (!st.unknown_encoding.empty()) {
        return MakeError(ErrorCode::kBadRequest, "the file declares the encoding \"" + st.unknown_encoding +
                                                     "\", which is not supported (use UTF-8, UTF-16, ISO-8859-1, "
                                                     "US-ASCII or windows-1252)");
      }
      return MakeError(ErrorCode::kBadRequest, std::string("malformed XML at ") + Where(p) + ": " +
                                                   XML_ErrorString(XML_GetErrorCode(p)));
    }
    if (final) break;
  }
  return Ok{};
}

Status ParseXmlString(std::string_view xml, XmlHandler& handler, const XmlLimits& limits) {
  std::istringstream in{std::string(xml)};
  return ParseXml(in, handler, limits);
}

}  // namespace tribune::imports
