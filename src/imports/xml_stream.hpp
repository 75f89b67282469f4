// A streaming XML reader over expat for the importers: constant memory whatever the file size, and safe on
// hostile files. Refuses any DOCTYPE that declares entities (billion laughs, XXE), never reads an external
// entity or DTD, caps element depth and the text kept per element; reports the line and column of every error.
// Encodings: UTF-8, UTF-16, ISO-8859-1 and US-ASCII (expat's own); any other declared encoding is refused by name.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace tribune::imports {

// An element as the handlers see it. `ns` is a short prefix for the namespaces the importers know
// ("wp", "content", "dc", "atom", "dsq", "media", "excerpt"; "" for none or an unknown one), `name` the local name.
struct XmlName {
  std::string ns, name;
  bool Is(std::string_view n, std::string_view prefix = "") const { return name == n && ns == prefix; }
};

struct XmlAttr {
  XmlName name;
  std::string value;
};

class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  // `depth` is 1 for the root element.
  virtual void Start(const XmlName& name, const std::vector<XmlAttr>& attrs, int depth) = 0;
  // `text` is the element's own character data (capped at XmlLimits::max_text bytes; see Truncated).
  virtual void End(const XmlName& name, std::string_view text, int depth) = 0;
  // A handler may stop the parse with an error (e.g. a record that breaks a limit).
  std::string error;
};

struct XmlLimits {
  int max_depth = 64;
  size_t max_text = 8u << 20;  // bytes of character data kept per element; more is an error
};

// Parses the whole stream, calling the handler. Errors (kBadRequest): malformed XML, a refused DOCTYPE,
// an unsupported encoding, bytes invalid for the declared encoding, limits; each message names line and column.
Status ParseXml(std::istream& in, XmlHandler& handler, const XmlLimits& limits = {});
Status ParseXmlString(std::string_view xml, XmlHandler& handler, const XmlLimits& limits = {});

}  // namespace tribune::imports
