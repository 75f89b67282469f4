// Opaque pagination cursors: a short list of integers (e.g. published_at and id) in base64url.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tribune {

std::string EncodeCursor(const std::vector<int64_t>& keys);

// The keys of a cursor made by EncodeCursor with exactly `count` keys; nullopt for anything else
// (the caller answers 400).
std::optional<std::vector<int64_t>> DecodeCursor(const std::string& cursor, size_t count);

}  // namespace tribune
