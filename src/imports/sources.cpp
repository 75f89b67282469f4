#include "imports/sources.hpp"

#include <cctype>
#include <ctime>
#include <optional>

#include "imports/xml_stream.hpp"

namespace tribune::imports {

const char* SourceName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kRss: return "rss";
    case SourceKind::kDisqus: return "disqus";
    case SourceKind::kWxr: return "wxr";
  }
  return "?";
}

namespace {

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Attr(const std::vector<XmlAttr>& attrs, std::string_view name, std::string_view ns = "") {
  for (const auto& a : attrs) {
    if (a.name.name == name && (a.name.ns == ns || (ns.empty() && a.name.ns.empty()))) return a.value;
  }
  return "";
}

bool IsHttpUrl(std::string_view u) { return u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0; }

bool IsTrue(std::string_view s) { return Trim(s) == "true" || Trim(s) == "1"; }

constexpr size_t kMaxTags = 20;

// ---------------------------------------------------------------- RSS 2.0 and Atom
class FeedHandler : public XmlHandler {
 public:
  explicit FeedHandler(RecordSink& sink) : sink_(sink) {}

  void Start(const XmlName& n, const std::vector<XmlAttr>& attrs, int depth) override {
    if (depth == 1) {
      if (!n.Is("rss") && !n.Is("feed", "atom") && n.name != "RDF") {
        error = "not an RSS or Atom feed: the root element is <" + n.name + ">";
      }
      atom_ = n.Is("feed", "atom");
      return;
    }
    if (!in_item_ && (n.Is("item") || n.Is("entry", "atom"))) {
      in_item_ = true;
      item_depth_ = depth;
      item_ = {};
      return;
    }
    if (!in_item_) return;
    if (n.Is("enclosure") && Attr(attrs, "type").rfind("image/", 0) == 0 && item_.image_url.empty()) {
      item_.image_url = Attr(attrs, "url");
    } else if ((n.Is("content", "media") || n.Is("thumbnail", "media")) && item_.image_url.empty()) {
      const std::string medium = Attr(attrs, "medium"), type = Attr(attrs, "type");
      if (n.name == "thumbnail" || medium == "image" || type.rfind("image/", 0) == 0) item_.image_url = Attr(attrs, "url");
    } else if (n.Is("link", "atom")) {
      const std::string rel = Attr(attrs, "rel");
      if ((rel.empty() || rel == "alternate") && item_.link.empty()) item_.link = Attr(attrs, "href");
      if (rel == "enclosure" && Attr(attrs, "type").rfind("image/", 0) == 0 && item_.image_url.empty()) {
        item_.image_url = Attr(attrs, "href");
      }
    } else if (n.Is("category", "atom") && item_.tags.size() < kMaxTags) {
      const std::string term = Trim(Attr(attrs, "term"));
      if (!term.empty()) item_.tags.push_back(term);
    }
  }

  void End(const XmlName& n, std::string_view text, int depth) override {
    if (!in_item_) return;
    if (depth == item_depth_) {
      in_item_ = false;
      if (item_.key.empty()) item_.key = item_.link;
      if (!IsHttpUrl(item_.image_url)) item_.image_url.clear();
      sink_.Article(item_);
      if (!sink_.error.empty()) error = sink_.error;
      return;
    }
    if (depth != item_depth_ + 1 && !(n.Is("name", "atom") && depth == item_depth_ + 2)) return;
    if (n.Is("title") || n.Is("title", "atom")) item_.title = Trim(text);
    else if (n.Is("link")) item_.link = Trim(text);
    else if (n.Is("guid") || n.Is("id", "atom")) item_.key = Trim(text);
    else if (n.Is("description") || n.Is("summary", "atom")) item_.summary_html = std::string(text);
    else if (n.Is("encoded", "content") || n.Is("content", "atom")) item_.content_html = std::string(text);
    else if (n.Is("pubDate") || n.Is("date", "dc") || n.Is("published", "atom")) item_.published_at = ParseDate(text);
    else if (n.Is("updated", "atom")) { if (item_.published_at == 0) item_.published_at = ParseDate(text); }
    else if (n.Is("category") && item_.tags.size() < kMaxTags) {
      std::string t = Trim(text);
      if (!t.empty()) item_.tags.push_back(std::move(t));
    } else if (n.Is("creator", "dc") || n.Is("author") || n.Is("name", "atom")) item_.author = Trim(text);
  }

 private:
  RecordSink& sink_;
  bool atom_ = false;
  bool in_item_ = false;
  int item_depth_ = 0;
  SourceArticle item_;
};

// ---------------------------------------------------------------- Disqus
class DisqusHandler : public XmlHandler {
 public:
  explicit DisqusHandler(RecordSink& sink) : sink_(sink) {}

  void Start(const XmlName& n, const std::vector<XmlAttr>& attrs, int depth) override {
    if (depth == 1) {
      if (n.name != "disqus") error = "not a Disqus export: the root element is <" + n.name + ">";
      return;
    }
    if (depth == 2) {
      what_ = n.name == "thread" ? kThread : n.name == "post" ? kPost : kOther;
      thread_ = {};
      post_ = {};
      const std::string id = Attr(attrs, "id", "dsq");
      if (what_ == kThread) thread_.key = id;
      if (what_ == kPost) post_.key = id;
      if (what_ != kOther && id.empty()) error = "a <" + n.name + "> without dsq:id";
      return;
    }
    if (what_ == kPost && depth == 3) {
      if (n.name == "thread") post_.thread_key = Attr(attrs, "id", "dsq");
      if (n.name == "parent") post_.parent_key = Attr(attrs, "id", "dsq");
    }
  }

  void End(const XmlName& n, std::string_view text, int depth) override {
    if (depth == 2) {
      if (what_ == kThread) sink_.Thread(thread_);
      if (what_ == kPost) {
        if (post_.thread_key.empty()) error = "post " + post_.key + " names no thread";
        else sink_.Comment(post_);
      }
      what_ = kOther;
      if (error.empty() && !sink_.error.empty()) error = sink_.error;
      return;
    }
    if (what_ == kThread && depth == 3) {
      if (n.name == "link") thread_.link = Trim(text);
      else if (n.name == "title") thread_.title = Trim(text);
      else if (n.name == "createdAt") thread_.created_at = ParseDate(text);
    } else if (what_ == kPost && depth == 3) {
      if (n.name == "message") post_.body_html = std::string(text);
      else if (n.name == "createdAt") post_.created_at = ParseDate(text);
      else if (n.name == "isDeleted") post_.deleted = IsTrue(text);
      else if (n.name == "isSpam") post_.spam = IsTrue(text);
    } else if (what_ == kPost && depth == 4) {
      if (n.name == "name") post_.author_name = Trim(text);
      else if (n.name == "email") post_.author_email = Trim(text);
      else if (n.name == "username") post_.author_username = Trim(text);
    }
  }

 private:
  enum What { kOther, kThread, kPost };
  RecordSink& sink_;
  What what_ = kOther;
  SourceThread thread_;
  SourceComment post_;
};

// ---------------------------------------------------------------- WordPress WXR
class WxrHandler : public XmlHandler {
 public:
  explicit WxrHandler(RecordSink& sink) : sink_(sink) {}

  void Start(const XmlName& n, const std::vector<XmlAttr>& attrs, int depth) override {
    if (depth == 1) {
      if (!n.Is("rss")) error = "not a WordPress export (WXR): the root element is <" + n.name + ">";
      return;
    }
    if (n.Is("item") && depth == 3) {
      in_item_ = true;
      emitted_ = false;
      item_ = {};
      status_.clear();
      type_.clear();
      post_id_.clear();
      return;
    }
    if (!in_item_) return;
    if (n.Is("comment", "wp") && depth == 4) {
      EmitArticle();
      in_comment_ = true;
      comment_ = {};
      approved_.clear();
      comment_type_.clear();
    } else if (n.Is("category") && depth == 4) {
      category_domain_ = Attr(attrs, "domain");
    }
  }

  void End(const XmlName& n, std::string_view text, int depth) override {
    if (!in_item_) return;
    if (depth == 3 && n.Is("item")) {
      EmitArticle();
      in_item_ = false;
      return;
    }
    if (in_comment_ && depth == 4 && n.Is("comment", "wp")) {
      in_comment_ = false;
      comment_.thread_key = item_.key;
      comment_.spam = approved_ != "1" || (!comment_type_.empty() && comment_type_ != "comment");
      if (comment_.parent_key == "0") comment_.parent_key.clear();
      if (emitted_) sink_.Comment(comment_);
      if (!sink_.error.empty()) error = sink_.error;
      return;
    }
    if (in_comment_ && depth == 5) {
      if (n.Is("comment_id", "wp")) comment_.key = Trim(text);
      else if (n.Is("comment_author", "wp")) comment_.author_name = Trim(text);
      else if (n.Is("comment_author_email", "wp")) comment_.author_email = Trim(text);
      else if (n.Is("comment_date_gmt", "wp")) { int64_t t = ParseDate(text); if (t) comment_.created_at = t; }
      else if (n.Is("comment_date", "wp")) { if (!comment_.created_at) comment_.created_at = ParseDate(text); }
      else if (n.Is("comment_content", "wp")) comment_.body_html = std::string(text);
      else if (n.Is("comment_approved", "wp")) approved_ = Trim(text);
      else if (n.Is("comment_type", "wp")) comment_type_ = Trim(text);
      else if (n.Is("comment_parent", "wp")) comment_.parent_key = Trim(text);
      return;
    }
    if (depth != 4) return;
    if (n.Is("title")) item_.title = Trim(text);
    else if (n.Is("link")) item_.link = Trim(text);
    else if (n.Is("guid")) { if (item_.key.empty()) guid_ = Trim(text); }
    else if (n.Is("encoded", "content")) item_.content_html = std::string(text);
    else if (n.Is("encoded", "excerpt")) item_.summary_html = std::string(text);
    else if (n.Is("creator", "dc")) item_.author = Trim(text);
    else if (n.Is("pubDate")) { if (!item_.published_at) item_.published_at = ParseDate(text); }
    else if (n.Is("post_date_gmt", "wp")) { int64_t t = ParseDate(text); if (t) item_.published_at = t; }
    else if (n.Is("post_id", "wp")) post_id_ = Trim(text);
    else if (n.Is("status", "wp")) status_ = Trim(text);
    else if (n.Is("post_type", "wp")) type_ = Trim(text);
    else if (n.Is("category") && (category_domain_ == "post_tag" || category_domain_ == "category") &&
             item_.tags.size() < kMaxTags) {
      std::string t = Trim(text);
      if (!t.empty()) item_.tags.push_back(std::move(t));
    }
  }

 private:
  // The post is complete once its comments start (they come last in an <item>) or the item ends.
  void EmitArticle() {
    if (emitted_) return;
    emitted_ = true;
    item_.key = !post_id_.empty() ? post_id_ : guid_;
    item_.importable = status_ == "publish" && (type_ == "post" || type_.empty()) && !item_.key.empty();
    sink_.Article(item_);
    if (!sink_.error.empty()) error = sink_.error;
  }

  RecordSink& sink_;
  bool in_item_ = false, in_comment_ = false, emitted_ = false;
  SourceArticle item_;
  SourceComment comment_;
  std::string status_, type_, post_id_, guid_, approved_, comment_type_, category_domain_;
};

int Digits(std::string_view s, size_t pos, size_t n, bool& ok) {
  if (pos + n > s.size()) { ok = false; return 0; }
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) { ok = false; return 0; }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int64_t ToMicros(int y, int mo, int d, int h, int mi, int se, int offset_minutes) {
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return 0;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  const int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_minutes * 60LL;
  return secs > 0 ? secs * 1'000'000 : 0;
}

}  // namespace

int64_t ParseDate(std::string_view raw) {
  const std::string s = Trim(raw);
  bool ok = true;
  // ISO 8601: 2013-01-02T03:04:05(.fff)(Z|+hh:mm), or WXR's "2013-01-02 03:04:05".
  if (s.size() >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ')) {
    const int y = Digits(s, 0, 4, ok), mo = Digits(s, 5, 2, ok), d = Digits(s, 8, 2, ok);
    const int h = Digits(s, 11, 2, ok), mi = Digits(s, 14, 2, ok), se = Digits(s, 17, 2, ok);
    if (!ok) return 0;
    size_t i = 19;
    if (i < s.size() && s[i] == '.') while (++i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {}
    int offset = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-') && i + 6 <= s.size()) {
      offset = Digits(s, i + 1, 2, ok) * 60 + Digits(s, i + 4, 2, ok);
      if (s[i] == '-') offset = -offset;
    }
    return ok ? ToMicros(y, mo, d, h, mi, se, offset) : 0;
  }
  // RFC 822: [Tue, ]10 Jun 2003 04:00:00 (GMT|UT|Z|EST|+hhmm)
  std::string_view v = s;
  if (const size_t comma = v.find(','); comma != std::string_view::npos) v = v.substr(comma + 1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  size_t p = 0;
  int d = 0;
  while (p < v.size() && std::isdigit(static_cast<unsigned char>(v[p]))) d = d * 10 + (v[p++] - '0');
  if (p == 0 || p + 5 > v.size() || v[p] != ' ') return 0;
  int mo = 0;
  for (int m = 0; m < 12; ++m) if (v.substr(p + 1, 3) == kMonths[m]) mo = m + 1;
  if (mo == 0) return 0;
  p += 5;
  int y = 0;
  const size_t ys = p;
  while (p < v.size() && std::isdigit(static_cast<unsigned char>(v[p]))) y = y * 10 + (v[p++] - '0');
  if (p - ys == 2) y += y < 50 ? 2000 : 1900;
  if (p + 9 > v.size() || v[p] != ' ') return 0;
  const int h = Digits(v, p + 1, 2, ok), mi = Digits(v, p + 4, 2, ok);
  int se = 0;
  p += 6;
  if (p < v.size() && v[p] == ':') { se = Digits(v, p + 1, 2, ok); p += 3; }
  if (!ok) return 0;
  while (p < v.size() && v[p] == ' ') ++p;
  int offset = 0;
  const std::string_view zone = v.substr(p);
  if (!zone.empty() && (zone[0] == '+' || zone[0] == '-') && zone.size() >= 5) {
    offset = Digits(zone, 1, 2, ok) * 60 + Digits(zone, 3, 2, ok);
    if (zone[0] == '-') offset = -offset;
  } else if (zone == "EST") offset = -300;
  else if (zone == "EDT") offset = -240;
  else if (zone == "CST") offset = -360;
  else if (zone == "CDT") offset = -300;
  else if (zone == "MST") offset = -420;
  else if (zone == "MDT") offset = -360;
  else if (zone == "PST") offset = -480;
  else if (zone == "PDT") offset = -420;
  return ok ? ToMicros(y, mo, d, h, mi, se, offset) : 0;
}

Status ParseSource(SourceKind kind, std::istream& in, RecordSink& sink) {
  switch (kind) {
    case SourceKind::kRss: {
      FeedHandler h(sink);
      return ParseXml(in, h);
    }
    case SourceKind::kDisqus: {
      DisqusHandler h(sink);
      return ParseXml(in, h);
    }
    case SourceKind::kWxr: {
      WxrHandler h(sink);
      return ParseXml(in, h);
    }
  }
  return MakeError(ErrorCode::kBadRequest, "unknown source");
}

}  // namespace tribune::imports
