// `aurora-harness draw TRACE.jsonl`: draw a saved trace again, without running anything.
//
// A run's JSON Lines trace (`run --jsonl`) holds its lanes, its events and their steps
// (docs/trace-events.md); `draw` reads it back (trace/jsonl_reader.hpp) and writes the same
// space-time diagram the run would have drawn, as DOT and, through Graphviz `dot`, as SVG. The
// options are the run's: `--window` (steps or simulated times) and `--show-gossip` mean what they
// mean there, and the drawing goes through the run's own code (trace_output.hpp). A trace knows
// neither its scenario's file name nor its seed, which a run puts in the diagram's title: the
// title is the trace's file name unless `--title` gives one, so `--title "az-plus-one.scn, seed 7"`
// draws exactly what `run az-plus-one.scn --dot` drew.
//
// A trace that cannot be read is a usage error (exit status 2) that names the file and the line.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

#include "aurora/trace/jsonl_reader.hpp"
#include "aurora/trace/recorder.hpp"
#include "cli_common.hpp"
#include "commands.hpp"
#include "trace_output.hpp"

namespace aurora::cli {

// The run's settings for the same outputs, window and gossip choice.
inline run_settings as_run_settings(const draw_settings& settings) {
  run_settings outputs;
  outputs.file = settings.file;
  outputs.dot_path = settings.dot_path;
  outputs.svg_path = settings.svg_path;
  outputs.window = settings.window;
  outputs.show_gossip = settings.show_gossip;
  return outputs;
}

// The run's DOT options for this window (`dot_options_for`, which also checks `--window`), with
// the drawing's own title in front of the window's part of the title: a run is titled
// "<file>, seed <n>" and then, for a window, ", steps 3..7" or ", 5ms..40ms".
inline trace::dot_options draw_options(const draw_settings& settings) {
  constexpr std::uint64_t no_seed = 0;
  constexpr db::teaching_variant safe = db::teaching_variant::safe;
  run_settings untitled = as_run_settings(settings);
  trace::dot_options options = dot_options_for(untitled, no_seed, safe);
  untitled.window.clear();
  const std::size_t run_title = dot_options_for(untitled, no_seed, safe).title.size();
  const std::string title = settings.title.empty()
                                ? std::filesystem::path(settings.file).filename().string()
                                : settings.title;
  options.title = title + options.title.substr(run_title);
  return options;
}

// The trace read back, or a usage error: "t.jsonl: line 3: unknown kind 'x'".
inline trace::recorder read_trace(const std::string& path) {
  std::istringstream text(read_text_file(path));
  try {
    return trace::read_jsonl(text);
  } catch (const trace::jsonl_error& error) {
    throw usage_error(path + ": " + error.what());
  }
}

int draw_command(const draw_settings& settings) {
  if (settings.dot_path.empty() && settings.svg_path.empty()) {
    throw usage_error("draw: give --dot FILE or --svg FILE (or both)");
  }
  const std::string dot_program = settings.svg_path.empty() ? std::string() : require_dot();
  const run_settings outputs = as_run_settings(settings);
  check_outputs(outputs);
  const trace::dot_options options = draw_options(settings);
  const trace::recorder recorded = read_trace(settings.file);
  write_traces(outputs, recorded, options, dot_program);
  std::cout << settings.file << ": drew " << recorded.events().size() << " events on "
            << recorded.lanes().size() << " lanes\n";
  return exit_pass;
}

}  // namespace aurora::cli
