// Where every node of the diagram goes: what each node shows (its look), its estimated size,
// the width of each column, the height of each row, and the position of every node and stub.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aurora/trace/dot/diagram.hpp"
#include "aurora/trace/dot/faults.hpp"
#include "aurora/trace/dot/labels.hpp"
#include "aurora/trace/dot/text.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace::dot_detail {

struct cell_look {
  std::vector<label_line> lines;
  bool fault = false, violation = false, dropped = false, in_step = false;
};

// What the node of `column` shows: its events' lines (a partition's short marker where the
// partition is not at home), its shape and its outline.
inline cell_look look_of(const diagram& d, const recorder& source, const cell& node, int column) {
  cell_look look;
  for (const std::size_t i : node.events) {
    const event& value = source.events()[i];
    if (is_partition(value) && d.home[i] != column) {
      look.lines.push_back({std::string(partition_marker), "#000000", true});
    } else {
      add_event_lines(look.lines, value);
    }
    look.fault = look.fault || value.kind == kind::fault;
    look.violation = look.violation || value.kind == kind::violation;
    look.dropped = look.dropped || (value.kind == kind::drop && value.message_id != 0 &&
                                    d.sender_drops.count(i) == 0);
    look.in_step = look.in_step || d.violation_steps.count(value.step) != 0;
  }
  if (look.dropped && !look.lines.empty()) look.lines.push_back({"X", "#d50000", true});
  return look;
}

// Geometry. Graphviz only draws (`layout=nop`): the writer places every node itself on a grid
// of lanes and rows, so lanes are exactly vertical and a 2,000-event trace renders in a second,
// where dot's own placement of a grid that size takes tens of seconds. Lengths are in points
// (1/72 inch), measured from the top; text widths are estimated generously from character
// counts, so that columns are always wide enough for what Graphviz then draws.

constexpr int font_size = 14;         // node labels
constexpr int header_font_size = 16;  // lane names
constexpr int line_height = 18;
constexpr int column_gap = 30;        // between two lanes in one box
constexpr int box_padding = 14;       // between a box's border and its lanes
constexpr int box_gap = 20;           // between two boxes
constexpr int box_label_height = 30;  // the band above the lane names for the box's label
constexpr int row_gap = 12;
constexpr int stub_rise = 18;  // a stub's loose end is this far below or above its node

// Counts characters (UTF-8 lead bytes), the widest Latin letters and every non-ASCII character
// (a dash, a symbol from a fallback font) as one and a half.
inline int text_width(std::string_view text, int size, bool bold) {
  int half_characters = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xc0) == 0x80) continue;
    const bool wide = c == 'M' || c == 'W' || c == 'm' || c == 'w' || byte >= 0x80;
    half_characters += wide ? 3 : 2;
  }
  return half_characters * size * (bold ? 72 : 64) / 200;
}

// The estimated (width, height) of a node.
inline std::pair<int, int> look_size(const cell_look& look) {
  if (look.lines.empty()) return look.dropped ? std::pair{16, 20} : std::pair{10, 10};
  int width = 0;
  for (const label_line& line : look.lines) {
    width = std::max(width, text_width(line.text, font_size, line.bold));
  }
  width += 18;
  int height = static_cast<int>(look.lines.size()) * line_height + 8;
  if (look.fault && !look.violation) {  // an octagon around the text
    width += 14;
    height = height * 5 / 4 + 6;
  }
  return {width, height};
}

struct geometry {
  std::map<std::pair<int, int>, cell_look> looks;  // per cell, same keys as diagram::cells
  std::vector<int> x, width;                       // per column: centre and width
  std::vector<int> y;                              // per level: centre
  int axis_x = 0, axis_width = 0, height = 0;
};

// Column widths and row heights from what the nodes show; the y of every level.
inline void measure(geometry& g, const diagram& d, const recorder& source) {
  const std::size_t levels = d.rows.size() + 2;
  std::vector<int> row_height(levels, 22);
  row_height.front() = 30;
  g.width.assign(d.columns.size(), 40);
  for (std::size_t c = 0; c < d.columns.size(); ++c) {
    g.width[c] = std::max(g.width[c], text_width(d.columns[c].name, header_font_size, true) + 24);
  }
  for (const auto& [key, node] : d.cells) {
    const cell_look& look =
        g.looks.emplace(key, look_of(d, source, node, key.second)).first->second;
    const auto [width, height] = look_size(look);
    g.width[key.second] = std::max(g.width[key.second], width);
    row_height[key.first] = std::max(row_height[key.first], height);
  }
  g.axis_width = text_width("time", header_font_size, true) + 8;
  for (const row_span& row : d.rows) {
    const std::string text = time_span_text(row.first_us, row.last_us);
    g.axis_width = std::max(g.axis_width, text_width(text, font_size, false) + 8);
  }
  g.y.assign(levels, 0);
  int top = box_label_height;
  for (std::size_t level = 0; level < levels; ++level) {
    if (level != 0) top += row_gap;
    g.y[level] = top + row_height[level] / 2;
    top += row_height[level];
  }
  g.height = top + box_padding;
}

// The x of every lane: the time axis, then the lanes left to right, boxes apart.
inline void place_columns(geometry& g, const diagram& d) {
  g.x.assign(d.columns.size(), 0);
  g.axis_x = g.axis_width / 2;
  int x = g.axis_width + box_gap;
  for (std::size_t p = 0; p < d.display.size(); ++p) {
    const int c = d.display[p];
    if (p == 0) {
      x += box_padding;
    } else if (d.columns[d.display[p - 1]].group != d.columns[c].group) {
      x += 2 * box_padding + box_gap;
    } else {
      x += column_gap;
    }
    g.x[c] = x + g.width[c] / 2;
    x += g.width[c];
  }
}

// Where a stub goes: beside its node, toward (at most halfway to) the neighbouring lane.
inline std::pair<int, int> stub_position(const geometry& g, const diagram& d, const stub& each) {
  const int side = each.left ? -1 : 1;
  const int x = g.x[each.column];
  const int neighbour = d.position[each.column] + side;
  int reach = 50;
  if (neighbour >= 0 && neighbour < static_cast<int>(d.display.size())) {
    reach = std::min(70, std::abs(g.x[d.display[neighbour]] - x) / 2);
  }
  const auto found = g.looks.find({each.level, each.column});
  const int half_width = found == g.looks.end() ? 5 : look_size(found->second).first / 2;
  reach = std::max(reach, half_width + 24);
  int y = g.y[each.level];
  if (each.kind == stub_kind::outgoing) y += stub_rise;
  if (each.kind == stub_kind::incoming) y -= stub_rise;
  return {x + side * reach, y};
}

}  // namespace aurora::trace::dot_detail
