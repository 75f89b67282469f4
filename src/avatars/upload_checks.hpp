// The checks and conversions that avatar_image.cpp and article_images.cpp share (libvips C API). Internal.
#pragma once

#include <vips/vips.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace tribune::avatars::upload {

struct ImageUnref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, ImageUnref>;

struct GFree {
  void operator()(void* p) const { g_free(p); }
};

// kBadRequest "The image could not be read." (clears libvips's error buffer).
Error Unreadable();
// "Image/JPEG; charset=x " → "image/jpeg"; image/jpg and image/pjpeg count as image/jpeg.
std::string NormaliseType(std::string_view declared);
// The loader libvips would pick is the one for the sniffed type (never magick, svg, ...).
bool LoaderMatches(const char* loader, const std::string& type);
// 8-bit sRGB without alpha (flattened onto white).
Result<ImagePtr> ToOpaqueSrgb(ImagePtr image);
// A private copy of the header without the upload's metadata (EXIF, XMP, IPTC, ICC, comments), so none of it can
// reach an encoded file.
Result<ImagePtr> WithoutMetadata(ImagePtr image);
// Whether every chunk up to IEND / the EOI marker is there (the loaders pad truncated files silently).
bool PngIsComplete(std::string_view b);
bool JpegIsComplete(std::string_view b);
// A WebP file without EXIF, XMP and ICC chunks; nullopt if the container is malformed.
std::optional<std::string> StripWebpMetadata(const std::string& in);

}  // namespace tribune::avatars::upload
