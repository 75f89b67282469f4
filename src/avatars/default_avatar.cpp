// The generated default avatar: the display name's initial, white, on a colour derived from the id.
// Attributes only (no <style>, no script, no external references), so it needs no CSP allowance.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "avatars/avatars.hpp"
#include "common/random.hpp"
#include "text/utf8.hpp"

namespace tribune::avatars {

namespace {

// The first code point of the trimmed name as UTF-8, ASCII letters upper-cased; "?" when there is none
// or it is not well-formed / printable.
std::string Initial(const std::string& name) {
  size_t i = 0;
  while (i < name.size() && (name[i] == ' ' || name[i] == '\t' || name[i] == '\n' || name[i] == '\r')) ++i;
  if (i >= name.size() || !text::IsValidUtf8(name)) return "?";  // overlong forms and surrogates too
  const char32_t cp = text::DecodeCodePoint(name, i);  // U+FFFD for a malformed sequence
  if (cp == 0xFFFD || cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xFFFE) return "?";  // not allowed in XML
  if (cp >= 'a' && cp <= 'z') return std::string(1, static_cast<char>(cp - 'a' + 'A'));
  std::string out;
  text::AppendUtf8(out, cp);
  return text::HtmlEscape(out);
}

double Channel(double c) {  // sRGB → linear, for relative luminance
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

struct Rgb {
  int r, g, b;
};

Rgb FromHsl(double h, double s, double l) {
  const double c = (1 - std::fabs(2 * l - 1)) * s;
  const double hp = h / 60.0;
  const double x = c * (1 - std::fabs(std::fmod(hp, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  if (hp < 1) r = c, g = x;
  else if (hp < 2) r = x, g = c;
  else if (hp < 3) g = c, b = x;
  else if (hp < 4) g = x, b = c;
  else if (hp < 5) r = x, b = c;
  else r = c, b = x;
  const double m = l - c / 2;
  auto to8 = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255)); };
  return {to8(r + m), to8(g + m), to8(b + m)};
}

double ContrastWithWhite(Rgb c) {
  const double lum = 0.2126 * Channel(c.r / 255.0) + 0.7152 * Channel(c.g / 255.0) + 0.0722 * Channel(c.b / 255.0);
  return 1.05 / (lum + 0.05);
}

// A hue from the id's hash; saturation from the palette; lightness lowered until white text reaches
// 4.5:1 (WCAG AA for any text size).
Rgb Background(int64_t account_id) {
  const std::string h = Sha256Hex("avatar-colour:" + std::to_string(account_id));
  const uint32_t v = static_cast<uint32_t>(std::stoul(h.substr(0, 8), nullptr, 16));
  const double hue = v % 360;
  const double saturation = 0.45 + ((v >> 9) % 4) * 0.05;  // 45–60 %
  double lightness = 0.50;
  Rgb rgb = FromHsl(hue, saturation, lightness);
  while (ContrastWithWhite(rgb) < 4.5 && lightness > 0.1) {
    lightness -= 0.01;
    rgb = FromHsl(hue, saturation, lightness);
  }
  return rgb;
}

}  // namespace

Image DefaultAvatar(int64_t account_id, const std::string& display_name) {
  const Rgb bg = Background(account_id);
  char colour[8];
  std::snprintf(colour, sizeof colour, "#%02x%02x%02x", bg.r, bg.g, bg.b);
  Image image;
  image.content_type = "image/svg+xml";
  image.bytes =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"256\" height=\"256\" viewBox=\"0 0 256 256\">"
      "<rect width=\"256\" height=\"256\" fill=\"" + std::string(colour) + "\"/>"
      "<text x=\"128\" y=\"128\" dy=\"0.35em\" text-anchor=\"middle\" fill=\"#ffffff\" font-size=\"128\" "
      "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\">" +
      Initial(display_name) + "</text></svg>";
  image.etag = "\"d-" + Sha256Hex("default-avatar-v1\n" + std::to_string(account_id) + "\n" + display_name).substr(0, 32) + "\"";
  return image;
}

}  // namespace tribune::avatars
