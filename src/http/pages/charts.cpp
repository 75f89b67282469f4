// Server-side SVG charts (see charts.hpp).
#include "http/pages/charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "text/utf8.hpp"

namespace tribune::http::charts {

namespace {

using text::HtmlEscape;

std::string F(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Open(const std::string& id, int w, int h, const std::string& title, const std::string& desc) {
  return "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 " + std::to_string(w) + " " + std::to_string(h) +
         "\" width=\"100%\" aria-labelledby=\"" + id + "-t " + id + "-d\" xmlns=\"http://www.w3.org/2000/svg\">"
         "<title id=\"" + id + "-t\">" + HtmlEscape(title) + "</title><desc id=\"" + id + "-d\">" + HtmlEscape(desc) +
         "</desc>";
}

std::string NoData(const std::string& id, const std::string& title, const std::string& desc, const std::string& text) {
  return Open(id, 640, 80, title, desc) +
         "<rect class=\"frame\" x=\"0.5\" y=\"0.5\" width=\"639\" height=\"79\" fill=\"none\" stroke=\"#8a8a85\"/>"
         "<text class=\"no-data\" x=\"320\" y=\"45\" text-anchor=\"middle\" fill=\"#595959\">" + HtmlEscape(text) +
         "</text></svg>";
}

std::string Legend(const std::vector<Series>& series, int x, int y) {
  std::string out;
  for (const auto& s : series) {
    out += "<rect class=\"" + s.css + "\" x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y - 10) +
           "\" width=\"12\" height=\"12\" fill=\"" + s.color + "\"/><text x=\"" + std::to_string(x + 17) + "\" y=\"" +
           std::to_string(y) + "\" fill=\"#1d1d1f\">" + HtmlEscape(s.name) + "</text>";
    x += 30 + static_cast<int>(s.name.size()) * 7;
  }
  return out;
}

}  // namespace

double NiceStep(double max, int ticks) {
  if (max <= 0 || ticks <= 0) return 1;
  const double raw = max / ticks;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / p;
  const double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * p;
}

std::string Number(double v) {
  if (std::fabs(v - std::round(v)) < 1e-9) return std::to_string(static_cast<long long>(std::llround(v)));
  char buf[32];
  std::snprintf(buf, sizeof buf, std::fabs(v) < 1 ? "%.2g" : "%.1f", v);
  return buf;
}

std::string DrawBars(const BarChart& c) {
  double max = 0;
  for (const auto& r : c.rows) {
    double sum = 0;
    for (double v : r.values) sum += std::max(0.0, v);
    max = std::max(max, sum);
  }
  if (c.rows.empty() || max <= 0) return NoData(c.id, c.title, c.desc, c.no_data);
  const int label_w = 190, plot_w = 400, row_h = 26, top = 34, width = 640;
  const double step = NiceStep(max, 4);
  const double axis_max = std::ceil(max / step) * step;
  const int height = top + static_cast<int>(c.rows.size()) * row_h + 26;
  std::string out = Open(c.id, width, height, c.title, c.desc);
  out += Legend(c.series, label_w, 16);
  const int bottom = top + static_cast<int>(c.rows.size()) * row_h;
  // Ticks and grid lines.
  for (double t = 0; t <= axis_max + step / 2; t += step) {
    const std::string x = F(label_w + t / axis_max * plot_w);
    out += "<line class=\"grid\" x1=\"" + x + "\" y1=\"" + std::to_string(top - 4) + "\" x2=\"" + x + "\" y2=\"" +
           std::to_string(bottom) + "\" stroke=\"#d6d6d0\"/><text class=\"tick\" x=\"" + x + "\" y=\"" +
           std::to_string(bottom + 16) + "\" text-anchor=\"middle\" fill=\"#595959\">" + Number(t) + "</text>";
  }
  int y = top;
  for (const auto& r : c.rows) {
    double x = label_w;
    double sum = 0;
    out += "<g class=\"row\"><text class=\"label\" x=\"" + std::to_string(label_w - 8) + "\" y=\"" +
           std::to_string(y + 17) + "\" text-anchor=\"end\" fill=\"#1d1d1f\">" + HtmlEscape(r.label) + "</text>";
    for (size_t i = 0; i < r.values.size() && i < c.series.size(); ++i) {
      const double v = std::max(0.0, r.values[i]);
      sum += v;
      if (v <= 0) continue;
      const double w = v / axis_max * plot_w;
      out += "<rect class=\"bar " + c.series[i].css + "\" x=\"" + F(x) + "\" y=\"" + std::to_string(y + 4) +
             "\" width=\"" + F(w) + "\" height=\"" + std::to_string(row_h - 8) + "\" fill=\"" + c.series[i].color +
             "\"><title>" + HtmlEscape(r.label) + " — " + HtmlEscape(c.series[i].name) + ": " + Number(v) +
             "</title></rect>";
      x += w;
    }
    out += "<text class=\"value\" x=\"" + F(x + 6) + "\" y=\"" + std::to_string(y + 17) + "\" fill=\"#1d1d1f\">" +
           Number(sum) + "</text></g>";
    y += row_h;
  }
  out += "<line class=\"axis\" x1=\"" + std::to_string(label_w) + "\" y1=\"" + std::to_string(top - 4) + "\" x2=\"" +
         std::to_string(label_w) + "\" y2=\"" + std::to_string(bottom) + "\" stroke=\"#1d1d1f\"/></svg>";
  return out;
}

std::string DrawLines(const LineChart& c) {
  double max = 0;
  for (const auto& p : c.points) {
    for (double v : p.values) max = std::max(max, v);
  }
  if (c.points.empty() || max <= 0) return NoData(c.id, c.title, c.desc, c.no_data);
  const int width = 640, height = 280, left = 56, right = 32, top = 34, bottom = 40;
  const int plot_w = width - left - right, plot_h = height - top - bottom;
  const double step = NiceStep(max, 4);
  const double axis_max = std::ceil(max / step) * step;
  const size_t n = c.points.size();
  auto px = [&](size_t i) { return left + (n == 1 ? plot_w / 2.0 : static_cast<double>(i) * plot_w / (n - 1)); };
  auto py = [&](double v) { return top + plot_h - v / axis_max * plot_h; };
  std::string out = Open(c.id, width, height, c.title, c.desc);
  out += Legend(c.series, left, 16);
  for (double t = 0; t <= axis_max + step / 2; t += step) {
    const std::string y = F(py(t));
    out += "<line class=\"grid\" x1=\"" + std::to_string(left) + "\" y1=\"" + y + "\" x2=\"" +
           std::to_string(width - right) + "\" y2=\"" + y + "\" stroke=\"#d6d6d0\"/><text class=\"tick\" x=\"" +
           std::to_string(left - 6) + "\" y=\"" + F(py(t) + 4) + "\" text-anchor=\"end\" fill=\"#595959\">" +
           Number(t) + "</text>";
  }
  out += "<text class=\"unit\" x=\"4\" y=\"" + std::to_string(top - 8) + "\" fill=\"#595959\">" + HtmlEscape(c.y_label) +
         "</text>";
  const size_t every = std::max<size_t>(1, (n + 5) / 6);
  for (size_t i = 0; i < n; ++i) {
    if (i % every != 0 && i != n - 1) continue;
    out += "<text class=\"tick\" x=\"" + F(px(i)) + "\" y=\"" + std::to_string(height - bottom + 18) +
           "\" text-anchor=\"middle\" fill=\"#595959\">" + HtmlEscape(c.points[i].label) + "</text>";
  }
  out += "<line class=\"axis\" x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(top + plot_h) + "\" x2=\"" +
         std::to_string(width - right) + "\" y2=\"" + std::to_string(top + plot_h) + "\" stroke=\"#1d1d1f\"/>";
  for (size_t s = 0; s < c.series.size(); ++s) {
    std::string pts, dots;
    for (size_t i = 0; i < n; ++i) {
      const double v = s < c.points[i].values.size() ? std::max(0.0, c.points[i].values[s]) : 0;
      pts += (pts.empty() ? "" : " ") + F(px(i)) + "," + F(py(v));
      dots += "<circle class=\"dot " + c.series[s].css + "\" cx=\"" + F(px(i)) + "\" cy=\"" + F(py(v)) +
              "\" r=\"3\" fill=\"" + c.series[s].color + "\"><title>" + HtmlEscape(c.points[i].label) + " — " +
              HtmlEscape(c.series[s].name) + ": " + Number(v) + "</title></circle>";
    }
    out += "<polyline class=\"line " + c.series[s].css + "\" points=\"" + pts + "\" fill=\"none\" stroke=\"" +
           c.series[s].color + "\" stroke-width=\"2\"/>" + dots;
  }
  out += "</svg>";
  return out;
}

}  // namespace tribune::http::charts
