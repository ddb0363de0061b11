// `aurora-harness run FILE.scn`: replay one scenario, tell its story, judge it.
//
// The output is a deterministic transcript (no wall-clock time in it): the seed and every
// effective configuration value first, so the run can be reproduced; one line per step as it
// completes (simulated completion time, the step, its outcome, and its expectation); invariant
// violations as soon as the checker sees them; the final check; then PASS, or FAIL with every
// unmet expectation, every violation and the exact command that reproduces the run. Traces
// (JSON Lines, Graphviz DOT, SVG through `dot`) are written only when asked for, because
// recording every message costs time.
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
#include "cli_common.hpp"
#include "commands.hpp"
#include "trace_output.hpp"
#include "verdict_text.hpp"

namespace aurora::cli {

// "config protection_groups=1 nodes_per_az=2 replicas=0 op_timeout=1s lal=1000 variant=safe
// failover=auto detection_time=10s recreate_time=300s promotion_time=0us dns_ttl=5s ...", then
// "instance db1 az=a tier=1 size=1" per instance: every value the model runs with, defaults
// included.
inline std::string effective_config_line(const ops::setup& config) {
  const bool manual = config.failover.policy == ops::failover_policy::manual;
  std::string text = "config protection_groups=" + std::to_string(config.protection_groups) +
                     " nodes_per_az=" + std::to_string(config.nodes_per_az) +
                     " replicas=" + std::to_string(config.replicas) +
                     " op_timeout=" + sim::to_string(config.op_timeout) +
                     " lal=" + std::to_string(config.lal) +
                     " variant=" + std::string(db::to_string(config.variant)) +
                     " failover=" + (manual ? "manual" : "auto") +
                     " detection_time=" + sim::to_string(config.failover.detection) +
                     " recreate_time=" + sim::to_string(config.failover.recreate) +
                     " promotion_time=" + sim::to_string(config.failover.promotion) +
                     " dns_ttl=" + sim::to_string(config.dns.ttl) +
                     " dns_propagation=" + sim::to_string(config.dns.propagation) +
                     " proxy_borrow_timeout=" + sim::to_string(config.proxy.borrow_timeout);
  const db::cluster_config cluster = config.main();
  for (int number = 1; number <= 1 + config.replicas; ++number) {
    const db::instance_spec spec = cluster.spec(number);
    text += "\ninstance db" + std::to_string(number) + " az=" + std::string(1, spec.az) +
            " tier=" + std::to_string(spec.tier) + " size=" + std::to_string(spec.size);
  }
  for (const auto& [name, options] : config.clients) {
    text += "\n" + harness::print_client(name, options);
  }
  return text;
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

int run_command(const run_settings& settings) {
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
