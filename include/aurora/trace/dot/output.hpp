// Writing the diagram as DOT text: the nodes of every lane at their positions, the boxes around
// AZs, instances and clients, the time axis, the lane lines (thick while a client operation is in
// flight) and the graph label with its violation banners.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aurora/trace/dot/diagram.hpp"
#include "aurora/trace/dot/fields.hpp"
#include "aurora/trace/dot/geometry.hpp"
#include "aurora/trace/dot/labels.hpp"
#include "aurora/trace/dot/options.hpp"
#include "aurora/trace/dot/text.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace::dot_detail {

inline std::string position(const geometry& g, int x, int y) {
  return "pos=\"" + std::to_string(x) + ',' + std::to_string(g.height - y) + '"';
}

inline void append_lines_html(std::string& out, const std::vector<label_line>& lines) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i != 0) out += "<br/>";
    out += "<font color=\"";
    out += lines[i].color;
    out += "\">";
    if (lines[i].bold) out += "<b>";
    append_html(out, lines[i].text);
    if (lines[i].bold) out += "</b>";
    out += "</font>";
  }
}

constexpr std::string_view red_x =
    "shape=plaintext, fontsize=16, width=0.1, height=0.1, margin=0, "
    "label=<<font color=\"#d50000\"><b>X</b></font>>";

// One node: a labelled box, a red X for a drop, or a small point for the ends of arrows.
inline void write_cell(std::string& out, const geometry& g, std::pair<int, int> key,
                       const cell_look& look) {
  out += "    " + cell_id(key.first, key.second) + " [" +
         position(g, g.x[key.second], g.y[key.first]) + ", ";
  if (look.lines.empty()) {
    if (look.dropped) {
      out += red_x;
    } else {
      out += look.in_step ? "shape=point, width=0.13, color=red, fillcolor=red"
                          : "shape=point, width=0.1, color=\"#263238\", fillcolor=\"#263238\"";
    }
    out += "];\n";
    return;
  }
  if (look.violation) out += "fillcolor=\"#ffcdd2\", ";
  if (look.fault && !look.violation) out += "shape=octagon, style=filled, fillcolor=\"#ffa726\", ";
  if (look.fault && !look.violation && !look.in_step) out += "color=\"#e65100\", ";
  if (look.in_step || look.violation) out += "color=red, penwidth=2, ";
  out += "label=<";
  append_lines_html(out, look.lines);
  out += ">];\n";
}

// A lane: its name on top, its nodes, its name again at the bottom.
inline void write_lane_nodes(std::string& out, const geometry& g, const diagram& d, int c) {
  const std::string& name = d.columns[c].name;
  out += "    h" + std::to_string(c) + " [" + position(g, g.x[c], g.y.front()) +
         ", shape=box, style=\"filled,bold\", color=\"#263238\", fontsize=16, label=<<b>";
  append_html(out, name);
  out += "</b>>];\n";
  for (const auto& [key, look] : g.looks) {
    if (key.second == c) write_cell(out, g, key, look);
  }
  out += "    f" + std::to_string(c) + " [" + position(g, g.x[c], g.y.back()) +
         ", shape=plaintext, fontcolor=\"#78909c\", label=";
  append_quoted(out, name);
  out += "];\n";
}

inline std::string_view group_fill(std::string_view group) {
  if (group.substr(0, 3) == "az_") return "#e3f2fd";
  if (group == "instances") return "#ede7f6";
  if (group == "clients") return "#f1f8e9";
  return "#f5f5f5";
}

// Opens the box (cluster) around display positions [first, end), which share one group.
inline void open_box(std::string& out, const geometry& g, const diagram& d, std::size_t first,
                     std::size_t end) {
  const column& group = d.columns[d.display[first]];
  const int left_lane = d.display[first], right_lane = d.display[end - 1];
  const int left = g.x[left_lane] - g.width[left_lane] / 2 - box_padding;
  const int right = g.x[right_lane] + (g.width[right_lane] + 1) / 2 + box_padding;
  out += "  subgraph cluster_" + group.group + " {\n    bb=\"" + std::to_string(left) + ",0," +
         std::to_string(right) + ',' + std::to_string(g.height) + "\"; label=";
  append_quoted(out, group.group_label);
  out += "; style=\"rounded,filled\"; color=\"#90a4ae\"; fontsize=18; fillcolor=\"";
  out += group_fill(group.group);
  out += "\";\n";
}

// The lanes, each group of them in its box; the run lane unboxed; then the stubs.
inline void write_lanes(std::string& out, const geometry& g, const diagram& d) {
  for (std::size_t first = 0, end = 0; first < d.display.size(); first = end) {
    const std::string& group = d.columns[d.display[first]].group;
    while (end < d.display.size() && d.columns[d.display[end]].group == group) ++end;
    if (group != "run") open_box(out, g, d, first, end);
    for (std::size_t p = first; p < end; ++p) write_lane_nodes(out, g, d, d.display[p]);
    if (group != "run") out += "  }\n";
  }
  for (const stub& each : d.stubs) {
    const auto [x, y] = stub_position(g, d, each);
    out += "  " + each.id + " [" + position(g, x, y) + ", ";
    out += each.kind == stub_kind::dropped ? red_x : "shape=point, style=invis, width=0.05";
    out += "];\n";
  }
}

// The time axis: one label per row, joined by a thin line.
inline void write_time_axis(std::string& out, const geometry& g, const diagram& d) {
  out += "  time_h [" + position(g, g.axis_x, g.y.front()) +
         ", shape=plaintext, fontsize=16, label=<<b>time</b>>];\n";
  for (std::size_t r = 0; r < d.rows.size(); ++r) {
    out += "  t" + std::to_string(r + 1) + " [" + position(g, g.axis_x, g.y[r + 1]) +
           ", shape=plaintext, label=\"" + time_span_text(d.rows[r].first_us, d.rows[r].last_us) +
           "\"];\n";
  }
  out += "  time_f [" + position(g, g.axis_x, g.y.back()) +
         ", shape=point, style=invis, width=0.05];\n  time_h";
  for (std::size_t r = 0; r < d.rows.size(); ++r) out += " -> t" + std::to_string(r + 1);
  out += " -> time_f [color=\"#b0bec5\", arrowhead=none, penwidth=1];\n";
}

inline bool is_completion(std::string_view of) {
  return of == kind::ok || of == kind::fail || of == kind::info;
}

// Whether a client operation is open where the lane enters the window: its first invoke or
// completion inside the window is a completion.
inline bool open_at_start(const diagram& d, const recorder& source, int c) {
  for (const auto& [key, node] : d.cells) {
    if (key.second != c) continue;
    for (const std::size_t i : node.events) {
      const std::string& what = source.events()[i].kind;
      if (what == kind::invoke) return false;
      if (is_completion(what)) return true;
    }
  }
  return false;
}

// Each lane as a line from its name through its nodes to its name at the bottom; thick while
// a client operation is open (from `invoke` to `ok`, `fail` or `info`).
inline void write_lane_lines(std::string& out, const diagram& d, const recorder& source) {
  out += "  {\n    edge [color=\"#b0bec5\", arrowhead=none, penwidth=1];\n";
  for (const int c : d.display) {
    std::string previous = 'h' + std::to_string(c);
    bool open_operation = open_at_start(d, source, c);
    const auto segment = [&](const std::string& next) {
      out += "    " + previous + " -> " + next;
      out += open_operation ? " [penwidth=5, color=\"#90caf9\"];\n" : ";\n";
      previous = next;
    };
    for (const auto& [key, node] : d.cells) {
      if (key.second != c) continue;
      segment(cell_id(key.first, key.second));
      for (const std::size_t i : node.events) {
        const std::string& what = source.events()[i].kind;
        if (what == kind::invoke) open_operation = true;
        if (is_completion(what)) open_operation = false;
      }
    }
    segment('f' + std::to_string(c));
  }
  out += "  }\n";
}

// The graph label: the title, a red banner per violation (at most three; its step 1-based, as
// the harness prints it), and a legend.
inline void write_graph_label(std::string& out, const recorder& source,
                              const dot_options& options) {
  std::string label;
  if (!options.title.empty()) {
    label += "<font point-size=\"22\"><b>";
    append_html(label, options.title);
    label += "</b></font><br/>";
  }
  int shown = 0;
  for (const event& value : source.events()) {
    if (value.kind != kind::violation || shown++ == 3) continue;
    label += "<font color=\"#d50000\" point-size=\"18\"><b>VIOLATION at step ";
    label += step_text(integer_field(value, key::step).value_or(value.step));
    label += ", " + time_text(value.t.count_us()) + ": ";
    append_html(label, field_text(value, key::invariant) + ": " + field_text(value, key::reason));
    label += "</b></font><br/>";
  }
  label +=
      "<font color=\"#546e7a\">time runs down; arrows are messages (green: acks, "
      "dashed: cut by the window, red X: dropped); thick blue: a client operation in "
      "flight</font>";
  out += "  label=<" + label + ">;\n";
}

}  // namespace aurora::trace::dot_detail
