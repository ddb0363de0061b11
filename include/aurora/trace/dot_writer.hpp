// Graphviz DOT output of a recorded run: a space-time diagram (traces/README.md
// says how to read it; the use it is made for: a teacher projects a failure trace in class).
//
// Layout. Every participant is a lane, a vertical column headed (and footed) by its name;
// storage nodes are boxed by availability zone (`subgraph cluster_az_a`), instances and clients
// in boxes of their own, run-wide events on an unboxed "run" lane at the left, and a time axis
// left of everything. Every storage lane is drawn, so that the AZ boxes always look the same;
// an instance, client or other lane with no event in the window is left out (unless nothing at
// all is in the window). Time runs downwards: each distinct event time in the window is one
// row, so rows are evenly spaced whatever the gap between them, and the axis prints each row's
// time. Events of one lane at one row share one node (a multi-line label).
//
// Quiet rows (`dot_options::collapse_quiet_rows`, on by default). A row that holds only the
// ends of arrows (sends, deliveries, drops: no label) is merged with the quiet rows right after
// it while they carry the same message types in the same step, no lane gets different kinds of
// ends, and no message would be sent and received inside the merged row (so every arrow still
// points down). A fan-out's six deliveries, a fan-in's acks, or a retry and the drop of the
// previous try then take one row, whose axis label is a span (`20.519–20.657 ms`).
//
// The writer places every node itself and asks Graphviz only to draw (`layout=nop`, which
// `dot -Tsvg file` honours): lanes are exactly straight by construction, and a 2,000-event trace
// renders in half a second. Letting dot rank and place the same grid (rank=same rows, weighted
// lane chains) gave the same picture for small traces but took 15-30 s at 2,000 events, minutes
// with edge labels, because dot's x placement is superlinear in rows x lanes. Column widths come
// from a generous estimate of label widths, so boxes never overlap.
//
// Content. A message is an arrow from its `send` to its `deliver` (green for acks), ending in a
// red X at a `drop`, labelled with its type and summary (once when they are equal); a message
// that leaves or enters the window is a short dashed stub. Faults are orange octagons, on every
// storage lane of an AZ when the fault names one; a partition's full text is on the first lane
// it names and a short `✂ partition` on the others. LSN points (`VDL 1007`) and client
// operations (`write x=1`, `read x -> 1`) are compact labels, and a client lane is thick while
// an operation is in flight. Other events print their fields, except one that names the lane
// itself (`instance=db1` on db1), in at most two lines. A `violation` is a red box, the nodes of
// its step are outlined in red, and the graph label carries a red banner.
//
// Steps. `event::step`, a violation's `step` field and `dot_options::step_from/step_to` are
// 0-based indices; every label prints steps 1-based, as the harness and the runner do
// ("step 3" is index 2).
//
// Output is byte-identical for identical recorder contents: node ids come from rows and columns
// (`n<row>_<column>`, columns numbered in the recorder's lane order whether drawn or not),
// positions are integers, and only ordered containers are iterated.
//
// Deliberately left out: time-proportional spacing (rows are logical), and routing arrows
// around nodes (they are straight lines, as in a Lamport diagram).
//
// The stages are one header each, under dot/: options.hpp (what to draw), text.hpp (escaping,
// wrapping, times), fields.hpp and labels.hpp (what an event's node says), diagram.hpp (the
// model), faults.hpp, rows.hpp, columns.hpp and messages.hpp (building it), geometry.hpp (where
// everything goes) and output.hpp (the DOT text).
#pragma once

#include <ostream>
#include <string>

#include "aurora/trace/dot/columns.hpp"
#include "aurora/trace/dot/diagram.hpp"
#include "aurora/trace/dot/geometry.hpp"
#include "aurora/trace/dot/messages.hpp"
#include "aurora/trace/dot/options.hpp"
#include "aurora/trace/dot/output.hpp"
#include "aurora/trace/dot/rows.hpp"
#include "aurora/trace/recorder.hpp"

namespace aurora::trace {

namespace dot_detail {

// The model of the events in the window: columns, rows, cells, message arrows and stubs.
inline diagram build_diagram(const recorder& source, const dot_options& options) {
  diagram d;
  add_columns_and_rows(d, source, options);
  assign_rows(d, source, options);
  place_events(d, source);
  order_columns(d);
  for (const auto& [id, info] : collect_messages(source)) {
    const std::string label = info.send ? message_label(source.events()[*info.send]) : "";
    if (info.send && d.kept[*info.send]) {
      plan_outgoing(d, source, info, label);
    } else {
      plan_incoming(d, source, info, label);
    }
  }
  return d;
}

}  // namespace dot_detail

// Writes the space-time diagram of the recorded events inside the options' window.
inline void write_dot(const recorder& source, std::ostream& out, const dot_options& options = {}) {
  const dot_detail::diagram d = dot_detail::build_diagram(source, options);
  dot_detail::geometry g;
  dot_detail::measure(g, d, source);
  dot_detail::place_columns(g, d);
  std::string text =
      "digraph trace {\n"
      "  graph [layout=nop, splines=line, outputorder=edgesfirst, fontname=\"Helvetica\",\n"
      "         fontsize=14, labelloc=t];\n"
      "  node [fontname=\"Helvetica\", fontsize=14, shape=box, style=\"rounded,filled\",\n"
      "        fillcolor=white, color=\"#78909c\", margin=\"0.08,0.03\", height=0.3];\n"
      "  edge [fontname=\"Helvetica\", fontsize=13, arrowsize=0.8, penwidth=1.4];\n";
  dot_detail::write_graph_label(text, source, options);
  dot_detail::write_time_axis(text, g, d);
  dot_detail::write_lanes(text, g, d);
  dot_detail::write_lane_lines(text, d, source);
  text += d.message_edges;
  text += "}\n";
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace aurora::trace
