// `aurora-harness run FILE.scn`: replay one scenario, tell its story, judge it.
//
// The output is a deterministic transcript (no wall-clock time in it): the seed and every
// effective configuration value first, so the run can be reproduced; one line per step as it
// completes (simulated completion time, the step, its outcome, and its expectation); invariant
// violations as soon as the checker sees them; the final check; then PASS, or FAIL with every
// unmet expectation, every violation and the exact command that reproduces the run. Traces
// (JSON Lines, Graphviz DOT, SVG through `dot`) are written only when asked for, because
// recording every message costs time.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario_printer.hpp"
#include "aurora/trace/dot_writer.hpp"
#include "aurora/trace/jsonl_writer.hpp"
#include "cli_common.hpp"

namespace aurora::cli {

struct run_settings {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> variant;
  std::string jsonl_path, dot_path, svg_path, window;
  bool quiet = false;
  bool show_gossip = false;
};

inline db::teaching_variant parse_variant_option(const std::string& name) {
  if (const auto variant = db::parse_teaching_variant(name)) return *variant;
  throw usage_error("--variant: unknown variant '" + name + "': expected one of " +
                    teaching_variant_list());
}

// Every output the run will write, checked before it starts (a run is not thrown away because
// its trace cannot be saved).
inline void check_outputs(const run_settings& settings) {
  if (!settings.jsonl_path.empty()) check_output_file(settings.jsonl_path, "--jsonl");
  if (!settings.dot_path.empty()) check_output_file(settings.dot_path, "--dot");
  if (!settings.svg_path.empty()) check_output_file(settings.svg_path, "--svg");
}

// "config protection_groups=1 nodes_per_az=2 replicas=0 op_timeout=1s lal=1000 variant=safe":
// every value the model runs with, defaults included.
inline std::string effective_config_line(const ops::setup& config) {
  return "config protection_groups=" + std::to_string(config.protection_groups) +
         " nodes_per_az=" + std::to_string(config.nodes_per_az) +
         " replicas=" + std::to_string(config.replicas) +
         " op_timeout=" + sim::to_string(config.op_timeout) + " lal=" + std::to_string(config.lal) +
         " variant=" + std::string(db::to_string(config.variant));
}

// "step 3", "before step 1" or "the final check", for a violation's 0-based step.
inline std::string step_name(int step, std::size_t step_count) {
  if (step < 0) return "before step 1";
  if (static_cast<std::size_t>(step) >= step_count) return "the final check";
  return "step " + std::to_string(step + 1);
}

inline std::string violation_text(const check::violation& each, std::size_t step_count) {
  return each.invariant + " at " + step_name(each.step, step_count) + ", " +
         time_text(each.at.count_us()) + ": " + each.reason;
}

// Prints the story of a run as the runner reports it.
class run_printer {
 public:
  run_printer(const harness::scenario& plan, bool quiet) : plan_(plan), quiet_(quiet) {}

  // One completed step (or the final check); first any violation found before it.
  void on_report(const harness::step_report& line, const harness::run_result& so_far) {
    print_new_violations(so_far);
    if (quiet_) return;
    const bool failed = !line.expectation_met;
    const std::string number =
        line.index < 0 ? std::string("final") : "step " + std::to_string(line.index + 1);
    std::string text = pad(failed ? "!!" : "  ", 3) + pad(number, 8) +
                       pad_left(time_text(line.at.count_us()), 12) + "  " + pad(line.text, 30) +
                       "  " + (line.expected.empty() ? line.outcome : pad(line.outcome, 12));
    if (!line.expected.empty()) {
      text += failed ? "  <-- FAILED: expected " + line.expected : "  expected " + line.expected;
    }
    std::cout << text << '\n';
  }

  void print_new_violations(const harness::run_result& so_far) {
    for (; violations_printed_ < so_far.violations.size(); ++violations_printed_) {
      const check::violation& each = so_far.violations[violations_printed_];
      if (quiet_) continue;
      std::cout << "!! VIOLATION " << violation_text(each, plan_.steps.size()) << '\n';
    }
  }

 private:
  static std::string pad(std::string text, std::size_t width) {
    if (text.size() < width) text.append(width - text.size(), ' ');
    return text;
  }
  static std::string pad_left(std::string text, std::size_t width) {
    if (text.size() < width) text.insert(0, width - text.size(), ' ');
    return text;
  }

  const harness::scenario& plan_;
  bool quiet_;
  std::size_t violations_printed_ = 0;
};

// The command that reproduces this run.
inline std::string reproduce_command(const run_settings& settings, std::uint64_t seed) {
  std::string text = "aurora-harness run " + settings.file + " --seed " + std::to_string(seed);
  if (settings.variant) text += " --variant " + *settings.variant;
  return text;
}

// "rare paths: truncation removed records x3, ...": the sometimes-probes this run reached.
inline void print_rare_paths(const sim::probes& reached) {
  if (reached.all().empty()) return;
  std::string text;
  for (const sim::probes::entry& each : reached.all()) {
    text += (text.empty() ? "" : ", ") + each.name + " x" + std::to_string(each.count);
  }
  std::cout << "rare paths: " << text << '\n';
}

inline int print_verdict(const run_settings& settings, const harness::scenario& plan,
                         const harness::run_result& result,
                         const std::optional<std::string>& aborted) {
  int expectations = 0;
  for (const harness::step& each : plan.steps) expectations += each.expect ? 1 : 0;
  if (result.passed() && !aborted) {
    std::cout << "PASS: " << plan.steps.size() << " steps, " << expectations
              << " expectation(s) met, every invariant held, nothing acknowledged was lost\n";
    return exit_pass;
  }
  std::cout << "FAIL\n";
  for (const std::string& each : result.unmet)
    std::cout << "  expectation failed: " << each << '\n';
  for (const check::violation& each : result.violations) {
    std::cout << "  invariant violated: " << violation_text(each, plan.steps.size()) << '\n';
  }
  if (result.final_check_failure) {
    std::cout << "  final check failed: " << *result.final_check_failure << '\n';
  }
  if (aborted) std::cout << "  run stopped: " << *aborted << '\n';
  std::cout << "reproduce: " << reproduce_command(settings, result.seed) << '\n';
  return exit_fail;
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

inline int run_command(const run_settings& settings) {
  harness::run_options options;
  options.seed = settings.seed;
  if (settings.variant) options.variant = parse_variant_option(*settings.variant);
  options.trace =
      !settings.jsonl_path.empty() || !settings.dot_path.empty() || !settings.svg_path.empty();
  if (!settings.window.empty() && settings.dot_path.empty() && settings.svg_path.empty()) {
    throw usage_error("--window applies to the DOT trace: give --dot FILE or --svg FILE too");
  }
  const std::string dot_program = settings.svg_path.empty() ? std::string() : require_dot();
  const harness::scenario plan = load_scenario(settings.file);
  check_outputs(settings);
  const ops::setup config = harness::setup_for(plan, options);
  const trace::dot_options window = dot_options_for(settings, config.seed, config.variant);

  std::cout << "seed " << config.seed << '\n' << effective_config_line(config) << '\n';
  harness::runner run(plan, options);
  run_printer printer(plan, settings.quiet);
  run.set_listener(
      [&](const harness::step_report& line) { printer.on_report(line, run.partial()); });
  harness::run_result result;
  std::optional<std::string> aborted;
  try {
    for (std::size_t index = 0; index < plan.steps.size(); ++index) {
      run.perform_now(static_cast<int>(index), plan.steps[index]);
    }
    result = run.finish();
  } catch (const sim::event_limit_exceeded& error) {
    aborted = error.what();
    result = run.partial();
  }
  printer.print_new_violations(result);
  std::cout.flush();
  write_traces(settings, run.model().trace(), window, dot_program);
  print_rare_paths(run.model().network().probes());
  return print_verdict(settings, plan, result, aborted);
}

}  // namespace aurora::cli
