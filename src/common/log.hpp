// Logging: one JSON object per line. The access log and the application log share the format.
// Thread-safe; lines are buffered and flushed at least every 200 ms and on Flush()/exit.
#pragma once

#include <string>
#include <string_view>

namespace tribune::log {

// Where lines go: "-" for stderr, a file path (appended), or "" to discard.
void SetSink(const std::string& target);

// Writes a complete JSON object (already serialised, without the newline).
void WriteJsonLine(std::string_view json_object);

// Application events: {"ts":..., "level":"info", "msg":..., <fields>}. `fields_json` is
// serialised members without braces ("\"port\":8080") or empty.
void Info(std::string_view msg, std::string_view fields_json = {});
void Warn(std::string_view msg, std::string_view fields_json = {});
void Error(std::string_view msg, std::string_view fields_json = {});

void Flush();

// Escapes a string for inclusion inside a JSON string literal.
std::string JsonEscape(std::string_view s);

}  // namespace tribune::log
