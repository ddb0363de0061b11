// `aurora-harness explore --seeds A..B`: swarm testing over a range of seeds.
//
// Each seed is one independent, single-threaded, deterministic run made by
// `harness::explore_one` (include/aurora/harness/explore.hpp: the fault mix and the scenario
// are sampled from the seed). `--jobs J` runs J seeds at a time on J threads; results are
// printed in seed order, so the output does not depend on J (except the wall-clock figures of
// the summary, the only place where wall time appears). A failing seed is saved as
// DIR/seed-N.scn (the scenario actually run, with its seed and configuration) and replayed with
// tracing on into DIR/seed-N.jsonl and DIR/seed-N.dot; the replay must fail the same way, or
// the explorer says so loudly (that would be a determinism bug).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aurora/harness/explore.hpp"
#include "aurora/harness/scenario_parser.hpp"
#include "aurora/harness/scenario_printer.hpp"
#include "aurora/trace/dot_writer.hpp"
#include "aurora/trace/jsonl_writer.hpp"
#include "cli_common.hpp"
#include "commands.hpp"
#include "verdict_text.hpp"

namespace aurora::cli {

struct explore_limits_cli {
  static constexpr std::uint64_t max_seeds = 10'000'000;  // per invocation
  static constexpr int max_jobs = 64;
};

// What the summary needs from one seed (the full result is dropped once it is judged).
struct seed_outcome {
  std::uint64_t seed = 0;
  bool passed = true;
  int steps_run = 0;
  int faults_skipped = 0;
  int writes_unavailable = 0;
  std::uint64_t events = 0;
  double wall_ms = 0;
  std::vector<std::string> problems;  // each failed expectation, violation, final check
  std::vector<std::string> invariants;
  std::string saved_as;     // DIR/seed-N.scn
  std::string replay_note;  // set when the replay did not fail the same way
  sim::probes probes;
};

inline std::vector<std::string> problems_of(const harness::explore_result& run) {
  std::vector<std::string> problems;
  for (const std::string& each : run.result.unmet) problems.push_back("expectation: " + each);
  for (const check::violation& each : run.result.violations) {
    problems.push_back(violation_text(each, run.plan.steps.size()));
  }
  if (run.result.final_check_failure) {
    problems.push_back("final check: " + *run.result.final_check_failure);
  }
  if (run.aborted) problems.push_back("run stopped: " + *run.aborted);
  return problems;
}

// The saved scenario: a comment header that says where it came from, then the scenario.
inline std::string saved_scenario_text(const harness::explore_result& run,
                                       const explore_settings& settings,
                                       const std::vector<std::string>& problems,
                                       const std::string& path) {
  std::string text = "# Found by: aurora-harness explore --seeds " + std::to_string(run.seed) +
                     " --steps " + std::to_string(settings.steps) + " --profile " +
                     settings.profile + "\n";
  if (settings.cluster != "fixed") text.insert(text.size() - 1, " --cluster " + settings.cluster);
  if (settings.variant) text.insert(text.size() - 1, " --variant " + *settings.variant);
  text += "# Fault mix of this seed: " + run.mix.describe() + "\n";
  text += "# " + std::to_string(run.faults_skipped) +
          " drawn fault(s) were left out: outside the profile when they would have applied.\n";
  for (const std::string& each : problems) text += "# " + each + "\n";
  text += "# Reproduce: aurora-harness run " + path + "\n";
  return text + harness::print_scenario(run.plan);
}

// Replays the saved text with tracing on and writes its JSON Lines and DOT beside it.
// Returns a note when the replay does not fail (it always should: runs are deterministic).
inline std::string save_traces(const std::string& text, const std::string& base) {
  const harness::scenario plan = harness::parse_scenario_or_throw(text, base + ".scn");
  harness::run_options options;
  options.trace = true;
  harness::runner replay(plan, options);
  bool failed = true;
  try {
    failed = !replay.run().passed();
  } catch (const sim::event_limit_exceeded&) {
    failed = true;
  }
  {
    std::ofstream out = open_output(base + ".jsonl", "explore");
    trace::write_jsonl(replay.model().trace(), out);
  }
  std::ofstream out = open_output(base + ".dot", "explore");
  const std::string name = std::filesystem::path(base).filename().string();
  trace::dot_options options_dot;
  options_dot.title = name + ".scn";
  trace::write_dot(replay.model().trace(), out, options_dot);
  return failed ? std::string() : "the replay of " + base + ".scn PASSED: a determinism bug";
}

inline std::mutex& out_dir_mutex() {
  static std::mutex lock;
  return lock;
}

inline void save_failure(const harness::explore_result& run, const explore_settings& settings,
                         seed_outcome& outcome) {
  {
    const std::lock_guard<std::mutex> hold(out_dir_mutex());
    std::filesystem::create_directories(settings.out_dir);
  }
  const std::string base =
      (std::filesystem::path(settings.out_dir) / ("seed-" + std::to_string(run.seed))).string();
  outcome.saved_as = base + ".scn";
  const std::string text = saved_scenario_text(run, settings, outcome.problems, outcome.saved_as);
  {
    std::ofstream out = open_output(outcome.saved_as, "explore");
    out << text;
  }
  outcome.replay_note = save_traces(text, base);
}

// The parsed options every seed runs with.
struct explore_plan {
  harness::fault_profile profile = harness::fault_profile::safe;
  db::teaching_variant variant = db::teaching_variant::safe;
  harness::explore_shape shape = harness::explore_shape::fixed;
};

// Saves a failing seed; a file system error (the disk filled up, the directory was removed
// since explore checked it) is reported with the seed, not thrown out of a worker thread.
inline void try_save_failure(const harness::explore_result& run, const explore_settings& settings,
                             seed_outcome& outcome) {
  try {
    save_failure(run, settings, outcome);
  } catch (const std::exception& error) {
    outcome.saved_as.clear();
    outcome.replay_note = std::string("could not save the failure: ") + error.what();
  }
}

inline seed_outcome explore_seed(std::uint64_t seed, const explore_settings& settings,
                                 const explore_plan& plan) {
  const auto started = std::chrono::steady_clock::now();
  const harness::explore_result run =
      harness::explore_one(seed, settings.steps, plan.profile, plan.variant, plan.shape);
  const auto finished = std::chrono::steady_clock::now();  // saving a failure is not counted
  seed_outcome outcome;
  outcome.seed = seed;
  outcome.passed = run.passed();
  outcome.steps_run = static_cast<int>(run.plan.steps.size());
  outcome.faults_skipped = run.faults_skipped;
  outcome.writes_unavailable = run.writes_unavailable;
  outcome.events = run.events;
  outcome.probes = run.probes;
  if (!outcome.passed) {
    outcome.problems = problems_of(run);
    for (const check::violation& each : run.result.violations) {
      outcome.invariants.push_back(each.invariant);
    }
    if (run.result.final_check_failure) outcome.invariants.push_back("final check");
    if (run.aborted) outcome.invariants.push_back("event limit");
    try_save_failure(run, settings, outcome);
  }
  outcome.wall_ms = std::chrono::duration<double, std::milli>(finished - started).count();
  return outcome;
}

// Totals for the summary, accumulated in seed order.
struct explore_totals {
  std::uint64_t run = 0, passed = 0;
  std::vector<std::uint64_t> failed;
  std::map<std::string, int> failures_by_invariant;
  std::uint64_t writes_unavailable = 0, seeds_with_stalls = 0;
  std::uint64_t steps = 0, faults_skipped = 0, events = 0;
  std::vector<seed_outcome> slowest;  // the three slowest by wall time
  sim::probes probes;
};

inline void print_failure(const seed_outcome& each) {
  std::cout << "seed " << each.seed << ": FAIL\n";
  for (const std::string& problem : each.problems) std::cout << "  " << problem << '\n';
  if (!each.saved_as.empty()) {
    std::cout << "  saved: " << each.saved_as << " (and .jsonl, .dot beside it)\n";
  }
  if (!each.replay_note.empty()) std::cout << "  WARNING: " << each.replay_note << '\n';
  if (!each.saved_as.empty()) {
    std::cout << "  reproduce: aurora-harness run " << each.saved_as << '\n';
  }
}

inline void add_to_totals(explore_totals& totals, seed_outcome each) {
  ++totals.run;
  if (each.passed) ++totals.passed;
  if (!each.passed) {
    totals.failed.push_back(each.seed);
    std::vector<std::string> names = each.invariants;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const std::string& name : names) ++totals.failures_by_invariant[name];
    print_failure(each);
  }
  totals.writes_unavailable += static_cast<std::uint64_t>(each.writes_unavailable);
  totals.seeds_with_stalls += each.writes_unavailable > 0 ? 1 : 0;
  totals.steps += static_cast<std::uint64_t>(each.steps_run);
  totals.faults_skipped += static_cast<std::uint64_t>(each.faults_skipped);
  totals.events += each.events;
  totals.probes.add(each.probes);
  each.probes = {};
  each.problems.clear();
  totals.slowest.push_back(std::move(each));
  std::stable_sort(
      totals.slowest.begin(), totals.slowest.end(),
      [](const seed_outcome& a, const seed_outcome& b) { return a.wall_ms > b.wall_ms; });
  if (totals.slowest.size() > 3) totals.slowest.pop_back();
}

inline std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

inline void print_summary(const explore_totals& totals, const explore_settings& settings,
                          double wall_s) {
  std::cout << "summary: " << totals.run << " seed(s) run, " << totals.passed << " passed, "
            << totals.failed.size() << " failed\n";
  std::cout << "failed seeds:";
  if (totals.failed.empty()) std::cout << " none";
  for (const std::uint64_t seed : totals.failed) std::cout << ' ' << seed;
  std::cout << '\n';
  for (const auto& [name, count] : totals.failures_by_invariant) {
    std::cout << "  " << name << ": " << count << " seed(s)\n";
  }
  std::cout << "stalls observed: " << totals.writes_unavailable
            << " write(s) unavailable (not acknowledged within op_timeout) in "
            << totals.seeds_with_stalls << " seed(s)\n";
  std::cout << "steps: " << totals.steps << " performed; " << totals.faults_skipped
            << " drawn fault(s) left out as outside the " << settings.profile << " profile\n";
  std::cout << "rare paths reached:";
  for (const sim::probes::entry& each : totals.probes.all()) {
    std::cout << (&each == &totals.probes.all().front() ? " " : ", ") << each.name << " x"
              << each.count;
  }
  std::cout << '\n' << "slowest seeds:";
  for (const seed_outcome& each : totals.slowest) {
    std::cout << ' ' << each.seed << " (" << each.events << " events, " << fixed(each.wall_ms, 1)
              << " ms)" << (&each == &totals.slowest.back() ? "" : ",");
  }
  std::cout << '\n'
            << "speed: " << fixed(wall_s > 0 ? totals.run / wall_s : 0.0, 1) << " seeds/s ("
            << fixed(wall_s, 1) << " s wall, " << settings.jobs << " job(s), " << totals.events
            << " simulated events)\n";
}

// Seeds run on worker threads; the main thread prints results in seed order as they arrive.
class explore_pool {
 public:
  explore_pool(std::uint64_t first, std::uint64_t count, const explore_settings& settings,
               const explore_plan& plan)
      : first_(first), count_(count), settings_(settings), plan_(plan), results_(count) {}

  explore_totals run() {
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    const auto threads = static_cast<std::uint64_t>(settings_.jobs);
    for (std::uint64_t index = 0; index < std::min(threads, count_); ++index) {
      workers.emplace_back([this] { work(); });
    }
    explore_totals totals;
    const bool progress = ::isatty(STDERR_FILENO) != 0;
    auto shown = started;
    for (std::uint64_t index = 0; index < count_; ++index) {
      std::unique_lock<std::mutex> hold(lock_);
      while (!results_[index]) {
        ready_.wait_for(hold, std::chrono::milliseconds(250));
        const auto now = std::chrono::steady_clock::now();
        if (progress && now - shown >= std::chrono::milliseconds(250)) {
          show_progress(started);
          shown = now;
        }
      }
      seed_outcome each = std::move(*results_[index]);
      results_[index].reset();
      hold.unlock();
      if (progress && !each.passed) std::cerr << "\r\033[K" << std::flush;  // then the report
      add_to_totals(totals, std::move(each));
    }
    for (std::thread& each : workers) each.join();
    if (progress) std::cerr << "\r\033[K" << std::flush;
    return totals;
  }

 private:
  void work() {
    while (true) {
      const std::uint64_t index = next_.fetch_add(1);
      if (index >= count_) return;
      seed_outcome outcome = explore_seed(first_ + index, settings_, plan_);
      const std::lock_guard<std::mutex> hold(lock_);
      results_[index] = std::move(outcome);
      ++done_;
      if (!results_[index]->passed) ++failed_;
      ready_.notify_one();
    }
  }

  // "[explore] 523/2000 seeds, 0 failed, 412.0 seeds/s" on one line of the terminal.
  void show_progress(std::chrono::steady_clock::time_point started) const {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << "\r\033[K[explore] " << done_ << "/" << count_ << " seeds, " << failed_
              << " failed, " << fixed(seconds > 0 ? done_ / seconds : 0.0, 1) << " seeds/s"
              << std::flush;
  }

  std::uint64_t first_, count_;
  const explore_settings& settings_;
  explore_plan plan_;
  std::vector<std::optional<seed_outcome>> results_;
  std::atomic<std::uint64_t> next_{0};
  std::mutex lock_;
  std::condition_variable ready_;
  std::uint64_t done_ = 0, failed_ = 0;  // guarded by lock_
};

inline explore_plan parse_explore_plan(const explore_settings& settings) {
  explore_plan plan;
  const auto profile = harness::parse_fault_profile(settings.profile);
  if (!profile) {
    throw usage_error("--profile: unknown profile '" + settings.profile +
                      "': expected safe or beyond");
  }
  const auto shape = harness::parse_explore_shape(settings.cluster);
  if (!shape) {
    throw usage_error("--cluster: unknown shape '" + settings.cluster +
                      "': expected fixed or varied");
  }
  plan.profile = *profile;
  plan.shape = *shape;
  if (settings.variant) plan.variant = parse_variant_option(*settings.variant);
  return plan;
}

inline void check_explore_bounds(const explore_settings& settings, std::uint64_t count) {
  if (count == 0 || count > explore_limits_cli::max_seeds) {
    throw usage_error("--seeds: at most " + std::to_string(explore_limits_cli::max_seeds) +
                      " seeds per run");
  }
  if (settings.steps < 0 || settings.steps > harness::explore_limits::max_steps) {
    throw usage_error("--steps must be 0.." + std::to_string(harness::explore_limits::max_steps));
  }
  if (settings.jobs < 1 || settings.jobs > explore_limits_cli::max_jobs) {
    throw usage_error("--jobs must be 1.." + std::to_string(explore_limits_cli::max_jobs));
  }
}

int explore_command(const explore_settings& settings) {
  const range seeds = parse_range(settings.seeds, "--seeds", false);
  const std::uint64_t count = *seeds.to - *seeds.from + 1;  // 0 when the range is every seed
  check_explore_bounds(settings, count);
  const explore_plan plan = parse_explore_plan(settings);
  check_output_directory(settings.out_dir, "--out");
  std::cout << "explore seeds " << *seeds.from << ".." << *seeds.to << " steps=" << settings.steps
            << " profile=" << settings.profile << " variant=" << db::to_string(plan.variant)
            << " cluster=" << settings.cluster << " jobs=" << settings.jobs
            << " out=" << settings.out_dir << '\n'
            << std::flush;
  const auto started = std::chrono::steady_clock::now();
  explore_pool pool(*seeds.from, count, settings, plan);
  const explore_totals totals = pool.run();
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_summary(totals, settings, wall_s);
  return totals.failed.empty() ? exit_pass : exit_fail;
}

}  // namespace aurora::cli
