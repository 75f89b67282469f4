// Small accessible SVG charts drawn on the server (the console's dashboard): no script, no inline style — SVG
// presentation attributes and classes that web/static/console.css styles. Every chart is role="img" with a
// <title> and <desc>, text labels and axis ticks; every text is HTML-escaped. Empty data draws a "no data" state.
#pragma once

#include <string>
#include <vector>

namespace tribune::http::charts {

struct Series {
  std::string name;   // legend text
  std::string css;    // class of its marks: "s0", "s1", ...
  std::string color;  // fill/stroke attribute (the class may override it)
};

// Horizontal stacked bars: one row per category, one segment per series.
struct BarChart {
  std::string id;        // unique in the page (title/desc ids)
  std::string title;
  std::string desc;
  std::string no_data;   // shown when every value is 0
  std::vector<Series> series;
  struct Row {
    std::string label;
    std::vector<double> values;  // one per series
  };
  std::vector<Row> rows;
};

// Lines over evenly spaced points.
struct LineChart {
  std::string id;
  std::string title;
  std::string desc;
  std::string no_data;   // shown when there are no points or every value is 0
  std::string y_label;   // unit of the vertical axis
  std::vector<Series> series;
  struct Point {
    std::string label;           // x tick text (shown for a few points)
    std::vector<double> values;  // one per series
  };
  std::vector<Point> points;
};

std::string DrawBars(const BarChart& chart);
std::string DrawLines(const LineChart& chart);

// A "nice" axis step (1, 2 or 5 times a power of ten) so that about `ticks` steps cover max.
double NiceStep(double max, int ticks);
// A number for a label: integers without decimals, others with one.
std::string Number(double v);

}  // namespace tribune::http::charts
