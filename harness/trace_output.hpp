// The traces a run writes, and `draw` writes again: JSON Lines, Graphviz DOT (with a window of
// steps or simulated time, gossip polls hidden unless asked for) and SVG through `dot`.
// `run` (run_command.cpp) and `draw` (draw_command.cpp) share these, so a saved trace redrawn
// gives the run's own DOT, byte for byte.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include "aurora/db/teaching_variant.hpp"
#include "aurora/trace/dot_writer.hpp"
#include "aurora/trace/jsonl_writer.hpp"
#include "aurora/trace/recorder.hpp"
#include "cli_common.hpp"
#include "commands.hpp"

namespace aurora::cli {

// Every output the run will write, checked before it starts (a run is not thrown away because
// its trace cannot be saved).
inline void check_outputs(const run_settings& settings) {
  if (!settings.jsonl_path.empty()) check_output_file(settings.jsonl_path, "--jsonl");
  if (!settings.dot_path.empty()) check_output_file(settings.dot_path, "--dot");
  if (!settings.svg_path.empty()) check_output_file(settings.svg_path, "--svg");
}

// `--window 5ms..40ms`: a window of simulated time (either end may be left open).
inline bool set_time_window(trace::dot_options& options, const std::string& window) {
  const std::size_t dots = window.find("..");
  if (dots == std::string::npos) return false;
  const std::string from = window.substr(0, dots), to = window.substr(dots + 2);
  const auto start = parse_duration_text(from), end = parse_duration_text(to);
  if ((!from.empty() && !start) || (!to.empty() && !end) || (!start && !end)) return false;
  if (start && end && *end < *start) {
    throw usage_error("--window: the range '" + window + "' is empty (its start is after its end)");
  }
  options.time_from = start;
  options.time_to = end;
  return true;
}

// The DOT options: a title, and the window of `--window FROM..TO`, either step numbers
// (1-based, as printed) or simulated times with a unit (`5ms..40ms`).
inline trace::dot_options dot_options_for(const run_settings& settings, std::uint64_t seed,
                                          db::teaching_variant variant) {
  trace::dot_options options;
  options.title =
      std::filesystem::path(settings.file).filename().string() + ", seed " + std::to_string(seed);
  if (variant != db::teaching_variant::safe) {
    options.title += ", variant " + std::string(db::to_string(variant));
  }
  if (settings.window.empty()) return options;
  if (set_time_window(options, settings.window)) {
    options.title += ", " + settings.window;
    return options;
  }
  range steps;
  try {
    steps = parse_range(settings.window, "--window", true);
  } catch (const usage_error&) {
    throw usage_error(
        "--window: expected steps FROM..TO (e.g. 3..7, 3.. or ..7) or simulated "
        "times (e.g. 5ms..40ms), found '" +
        settings.window + "'");
  }
  if ((steps.from && *steps.from == 0) || (steps.to && *steps.to == 0)) {
    throw usage_error("--window: steps are numbered from 1, as the run prints them");
  }
  if (steps.from) options.step_from = static_cast<int>(*steps.from - 1);
  if (steps.to) options.step_to = static_cast<int>(*steps.to - 1);
  options.title += ", steps " + settings.window;
  return options;
}

// True for the events of a gossip poll: every segment asks a peer every few milliseconds
// whether it misses anything (storage_node.hpp), which buries a diagram in arrows. Replies,
// which carry records, are kept.
inline bool is_gossip_poll(const trace::event& value) {
  if (value.message_id == 0) return false;
  for (const trace::field& each : value.fields) {
    if (each.key != "type") continue;
    const auto* type = std::get_if<std::string>(&each.value);
    return type != nullptr && *type == "gossip";
  }
  return false;
}

// The events the diagram draws: all of them with --show-gossip, otherwise all but gossip polls.
inline trace::recorder events_to_draw(const trace::recorder& recorded, bool show_gossip) {
  trace::recorder kept;
  kept.set_enabled(true);
  for (const trace::lane& each : recorded.lanes()) kept.add_lane(each);
  for (const trace::event& each : recorded.events()) {
    if (!show_gossip && is_gossip_poll(each)) continue;
    kept.set_step(each.step);
    kept.record(each);
  }
  return kept;
}

// Writes the traces asked for; the SVG goes through a temporary DOT when --dot is not given.
inline void write_traces(const run_settings& settings, const trace::recorder& recorded,
                         const trace::dot_options& options, const std::string& dot_program) {
  if (!settings.jsonl_path.empty()) {
    std::ofstream out = open_output(settings.jsonl_path, "--jsonl");
    trace::write_jsonl(recorded, out);
  }
  if (settings.dot_path.empty() && settings.svg_path.empty()) return;
  const bool temporary = settings.dot_path.empty();
  const std::string dot_path =
      temporary ? settings.svg_path + ".tmp-" + std::to_string(::getpid()) + ".dot"
                : settings.dot_path;
  {
    std::ofstream out = open_output(dot_path, temporary ? "--svg" : "--dot");
    trace::write_dot(events_to_draw(recorded, settings.show_gossip), out, options);
  }
  if (settings.svg_path.empty()) return;
  try {
    render_svg(dot_program, dot_path, settings.svg_path);
  } catch (...) {
    if (temporary) std::filesystem::remove(dot_path);
    throw;
  }
  if (temporary) std::filesystem::remove(dot_path);
}

}  // namespace aurora::cli
