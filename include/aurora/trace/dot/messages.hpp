// Messages in the diagram: an arrow from each send to each of its deliveries (green for acks),
// ending in a red X at a drop, and a short dashed stub where the window cuts a message; each
// arrow is written once, and only the first of a fan-out from one node is labelled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <range/v3/view/enumerate.hpp>

#include "aurora/trace/dot/diagram.hpp"
#include "aurora/trace/dot/fields.hpp"
#include "aurora/trace/dot/labels.hpp"
#include "aurora/trace/dot/text.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace::dot_detail {

inline std::map<std::uint64_t, message_info> collect_messages(const recorder& source) {
  std::map<std::uint64_t, message_info> messages;
  std::map<std::uint64_t, std::vector<std::size_t>> acks;
  const event_log& events = source.events();
  for (const auto& [i, value] : events | ranges::views::enumerate) {
    if (value.message_id == 0) continue;
    message_info& info = messages[value.message_id];
    if (value.kind == kind::send && !info.send) {
      info.send = i;
      info.ack = info.ack || is_ack_type(field_text(value, key::type));
    } else if (value.kind == kind::deliver || value.kind == kind::drop) {
      info.arrivals.push_back(i);
    } else if (value.kind == kind::ack) {
      info.ack = true;
      acks[value.message_id].push_back(i);
    }
  }
  for (auto& [id, info] : messages) {
    if (info.arrivals.empty() && acks.count(id) != 0) info.arrivals = acks[id];
  }
  return messages;
}

inline void add_edge(diagram& d, const std::string& from, const std::string& to,
                     const std::string& label, bool ack, std::string_view extra) {
  std::string& out = d.message_edges;
  out += "  " + from + " -> " + to + " [";
  if (!label.empty()) {
    out += "xlabel=";
    append_quoted(out, label);
    out += ", ";
  }
  out += ack ? "color=\"#2e7d32\", fontcolor=\"#2e7d32\"" : "color=\"#263238\"";
  if (!extra.empty()) {
    out += ", ";
    out += extra;
  }
  out += "];\n";
}

// Whether a stub beside `column` goes on its left: when the other end's lane is to the left.
inline bool stub_on_left(const diagram& d, int column, int other_end) {
  return other_end >= 0 && d.rank[other_end] < d.rank[column];
}

// The stub of one kind beside the node (level, column) on one side, made on first use.
inline std::string stub_beside(diagram& d, int level, int column, bool left, stub_kind kind) {
  const auto [found, fresh] =
      d.stub_of.emplace(std::make_tuple(level, column, left, kind), d.stubs.size());
  if (fresh) d.stubs.push_back({'s' + std::to_string(d.stubs.size()), level, column, left, kind});
  return d.stubs[found->second].id;
}

// A message arrow, once per (from, to, label); only the first arrow of a fan-out with the same
// label from the same node is labelled.
inline void add_message(diagram& d, const std::string& from, const std::string& to,
                        const std::string& label, bool ack, std::string_view extra) {
  if (!d.drawn.insert({from, to, label}).second) return;
  const bool first = d.labelled.insert({from, label}).second;
  add_edge(d, from, to, first ? label : std::string(), ack, extra);
}

// A message whose send is outside the window: a dashed stub into each arrival inside it.
inline void plan_incoming(diagram& d, const recorder& source, const message_info& info,
                          const std::string& label) {
  const event_log& events = source.events();
  for (const std::size_t a : info.arrivals) {
    if (!d.kept[a]) continue;
    const int level = level_of(d, events[a].t);
    const bool left = stub_on_left(d, d.home[a], find_column(d, events[a].peer));
    const std::string end = stub_beside(d, level, d.home[a], left, stub_kind::incoming);
    add_message(d, end, cell_id(level, d.home[a]), label, info.ack, "style=dashed");
  }
}

// A message sent inside the window: an arrow to each arrival inside it (ending in a red X for
// a drop), a red X beside the sender for a drop at the sender, and a dashed stub when no
// arrival is inside the window.
inline void plan_outgoing(diagram& d, const recorder& source, const message_info& info,
                          const std::string& label) {
  const event_log& events = source.events();
  const std::size_t send = *info.send;
  const std::string from = cell_id(level_of(d, events[send].t), d.home[send]);
  const bool left = stub_on_left(d, d.home[send], find_column(d, events[send].peer));
  bool arrived = false;
  for (const std::size_t a : info.arrivals) {
    if (!d.kept[a]) continue;
    arrived = true;
    const bool dropped = events[a].kind == kind::drop;
    const int level = level_of(d, events[a].t);
    std::string to = cell_id(level, d.home[a]);
    if (dropped && d.home[a] == d.home[send]) {
      d.sender_drops.insert(a);
      to = stub_beside(d, level, d.home[a], left, stub_kind::dropped);
    }
    add_message(d, from, to, label, info.ack, dropped ? "arrowhead=none" : "");
  }
  if (arrived) return;
  const std::string end =
      stub_beside(d, level_of(d, events[send].t), d.home[send], left, stub_kind::outgoing);
  add_message(d, from, end, label, info.ack, "style=dashed");
}

}  // namespace aurora::trace::dot_detail
