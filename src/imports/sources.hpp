// The three formats `tribune import` reads, as streams of records: RSS 2.0 / Atom feeds (articles), the Disqus
// XML export (threads and posts) and WordPress WXR (posts and their comments). Each parser reads the file once,
// in constant memory (one record at a time), and hands every record to a RecordSink as soon as it is complete.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace tribune::imports {

enum class SourceKind { kRss, kDisqus, kWxr };
const char* SourceName(SourceKind kind);  // "rss" | "disqus" | "wxr"

// An article of a feed or a WordPress post.
struct SourceArticle {
  std::string key;           // GUID (or link when there is none) / Atom id / wp:post_id
  std::string title, link;
  std::string summary_html;  // description / summary / excerpt
  std::string content_html;  // content:encoded / Atom content
  std::string author;
  int64_t published_at = 0;  // microseconds; 0: not given
  std::vector<std::string> tags;
  std::string image_url;
  bool importable = true;    // WXR: a published post; false for drafts, attachments, pages...
};

// A Disqus thread: the page a discussion belongs to.
struct SourceThread {
  std::string key, link, title;
  int64_t created_at = 0;
};

// A Disqus post or a WordPress comment.
struct SourceComment {
  std::string key;
  std::string thread_key;  // the Disqus thread / the WordPress post (SourceArticle::key)
  std::string parent_key;  // empty: top level
  std::string body_html;
  std::string author_name, author_email, author_username;
  int64_t created_at = 0;
  bool deleted = false, spam = false;  // Disqus isDeleted/isSpam; WXR: not approved, trash, spam, pingbacks
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void Article(const SourceArticle& a) = 0;
  virtual void Thread(const SourceThread& t) = 0;
  virtual void Comment(const SourceComment& c) = 0;
  std::string error;  // set to stop the parse
};

// Errors (kBadRequest): malformed or refused XML (see xml_stream.hpp), or a file of another format.
Status ParseSource(SourceKind kind, std::istream& in, RecordSink& sink);

// RFC 822 (RSS), ISO 8601 / RFC 3339 (Atom, Disqus) and "YYYY-MM-DD HH:MM:SS" UTC (WXR *_gmt) → microseconds
// since the epoch; 0 when it is none of them.
int64_t ParseDate(std::string_view text);

}  // namespace tribune::imports
