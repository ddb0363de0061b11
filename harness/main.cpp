// aurora-harness: the command-line fault harness of the aurora toolkit.
//
// It drives the deterministic model of Aurora's quorum storage (docs/harness.md) from scenario
// files (docs/scenario-language.md and docs/scenario-extensions.md) and from random seeds:
//   aurora-harness run FILE.scn      replay a scenario, print its story, judge it, draw it
//   aurora-harness check FILE.scn    parse and validate a scenario without running it
//   aurora-harness explore --seeds A..B   swarm testing: one random faulty run per seed
//   aurora-harness draw TRACE.jsonl  draw a saved trace again, without running it
//   aurora-harness vocabulary        every step and config key of the language
//   aurora-harness experiment NAME   a measurement on the model (replica lag, failover
//                                    downtime) as CSV, and its plot through gnuplot
// Every run prints its seed first and, on failure, the exact command that reproduces it.
// Exit status: 0 pass, 1 a run failed (an expectation, an invariant, the final check),
// 2 a usage error (bad option, unreadable or malformed scenario, an output that cannot be
// written, missing Graphviz or gnuplot), always found before anything runs.
// Each subcommand is its own translation unit (commands.hpp lists them: run_command.cpp,
// check_command.cpp, explore_command.cpp, draw_command.cpp, experiment_command.cpp,
// vocabulary_command.cpp); this file
// only parses the command line. docs/harness.md is the reference for every option.
#include <CLI/CLI.hpp>
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>

#include "aurora/harness/vocabulary.hpp"
#include "cli_common.hpp"
#include "commands.hpp"

namespace {

using namespace aurora;

// The help of --variant, from the list of variants itself (db/teaching_variant.hpp).
std::string variant_help(const std::string& what) {
  return what + ": " + cli::teaching_variant_list();
}

// "Steps: write, read, crash, ... Config keys: protection_groups, ...": from the vocabulary.
std::string language_summary() {
  return "Steps: " + harness::verb_list() + ".\nConfig keys: " + harness::config_key_list() +
         ".\n`aurora-harness vocabulary` describes each; docs/scenario-language.md is the "
         "reference.";
}

// The options of a diagram, the same for `run` and `draw`.
void add_drawing_options(CLI::App* command, std::string& dot_path, std::string& svg_path,
                         std::string& window, bool& show_gossip) {
  command->add_option("--dot", dot_path, "Write the space-time diagram (Graphviz DOT)");
  command->add_option("--svg", svg_path, "Render the diagram to SVG with Graphviz dot");
  command->add_option("--window", window,
                      "Draw only steps FROM..TO (as numbered in the output; FROM.. and ..TO "
                      "too), or a span of simulated time such as 5ms..40ms");
  command->add_flag("--show-gossip", show_gossip,
                    "Draw the segments' periodic gossip polls too (hidden by default; the JSON "
                    "Lines trace always has them)");
}

void add_run(CLI::App& app, cli::run_settings& settings, std::string& seed) {
  CLI::App* run = app.add_subcommand("run", "Run a scenario, print each step, judge the run");
  run->add_option("file", settings.file, "The scenario file (.scn)")->required();
  run->add_option("--seed", seed,
                  "PRNG seed, 0 to 18446744073709551615 (overrides the scenario's `seed`)");
  run->add_option("--variant", settings.variant,
                  variant_help("Run an unsafe teaching variant instead of the scenario's"));
  run->add_option("--jsonl", settings.jsonl_path, "Write the trace as JSON Lines to FILE");
  add_drawing_options(run, settings.dot_path, settings.svg_path, settings.window,
                      settings.show_gossip);
  run->add_flag("--quiet,-q", settings.quiet, "Print only the seed, config and verdict");
  run->footer(
      "Exit status: 0 pass, 1 fail, 2 usage error.\n"
      "Example: aurora-harness run harness/scenarios/az-plus-one.scn --svg az.svg\n" +
      language_summary());
}

void add_check(CLI::App& app, std::string& file) {
  CLI::App* check = app.add_subcommand("check", "Parse and validate a scenario, run nothing");
  check->add_option("file", file, "The scenario file (.scn)")->required();
  check->footer("Exit status: 0 valid, 2 errors (printed as file:line:column: message).\n" +
                language_summary());
}

void add_vocabulary(CLI::App& app, cli::vocabulary_settings& settings) {
  CLI::App* vocabulary = app.add_subcommand(
      "vocabulary", "List every step (operation, fault, action) and config key of the language");
  vocabulary->add_flag("--markdown", settings.markdown,
                       "Print the tables of docs/scenario-language.md instead");
  vocabulary->footer(language_summary());
}

void add_explore(CLI::App& app, cli::explore_settings& settings) {
  CLI::App* explore = app.add_subcommand(
      "explore",
      "Swarm testing: a random fault mix and scenario per seed, every invariant checked");
  explore->add_option("--seeds", settings.seeds, "Seeds to run: A..B (both included) or N")
      ->required();
  explore->add_option("--steps", settings.steps, "Steps drawn per seed")->capture_default_str();
  explore
      ->add_option("--profile", settings.profile,
                   "Fault profile: safe (inside AZ+1) or beyond (no destroyed disks, "
                   "any number of crashes and partitions)")
      ->capture_default_str();
  explore->add_option("--variant", settings.variant,
                      variant_help("Model to explore (default safe)"));
  explore->add_option("--jobs,-j", settings.jobs, "Seeds run in parallel, one thread each")
      ->capture_default_str();
  explore
      ->add_option("--cluster", settings.cluster,
                   "Cluster shape: fixed (1 PG, 2 nodes per AZ, as the fault properties) or "
                   "varied (1-2 PGs, 2-3 nodes per AZ, sampled per seed)")
      ->capture_default_str();
  explore
      ->add_option("--out", settings.out_dir,
                   "Where failing seeds are saved (seed-N.scn, .jsonl, .dot)")
      ->capture_default_str();
  explore->footer(
      "Exit status: 0 every seed passed, 1 some seed failed, 2 usage error.\n"
      "Example: aurora-harness explore --seeds 1..2000 --profile beyond --jobs 2");
}

void add_draw(CLI::App& app, cli::draw_settings& settings) {
  CLI::App* draw =
      app.add_subcommand("draw", "Draw a saved JSON Lines trace again, without running it");
  draw->add_option("trace", settings.file, "The trace (.jsonl, from `run --jsonl`)")->required();
  add_drawing_options(draw, settings.dot_path, settings.svg_path, settings.window,
                      settings.show_gossip);
  draw->add_option("--title", settings.title,
                   "The diagram's title (default: the trace's file name; a run's is "
                   "\"FILE.scn, seed N\")");
  draw->footer(
      "Exit status: 0 drawn, 2 usage error (an unreadable trace names its line).\n"
      "Example: aurora-harness draw az.jsonl --window 28ms..50ms --svg az.svg");
}

void add_experiment(CLI::App& app, cli::experiment_settings& settings, std::string& seed) {
  CLI::App* experiment = app.add_subcommand(
      "experiment", "Measure the model: replica lag, or write downtime after a failover (CSV)");
  experiment
      ->add_option("name", settings.name,
                   "replica-lag, failover-downtime or failover-no-replica (docs/experiments.md)")
      ->required();
  experiment->add_option("--csv", settings.csv_path,
                         "Write the CSV table to FILE (default: standard output)");
  experiment->add_option("--svg", settings.svg_path, "Plot the table to FILE with gnuplot");
  experiment->add_option("--seed", seed, "PRNG seed, 0 to 18446744073709551615 (default 1)");
  experiment->footer(
      "Exit status: 0 measured, 2 usage error (an unknown NAME, --svg without gnuplot).\n"
      "Example: aurora-harness experiment replica-lag --csv lag.csv --svg lag.svg");
}

// Runs the chosen subcommand; every usage problem becomes exit status 2 with one message.
int dispatch(CLI::App& app, cli::run_settings& run, const std::string& seed,
             const std::string& check_file, const cli::explore_settings& explore,
             const cli::draw_settings& draw, const cli::vocabulary_settings& vocabulary,
             cli::experiment_settings& experiment, const std::string& experiment_seed) {
  try {
    if (app.got_subcommand("run")) {
      if (app.get_subcommand("run")->count("--seed") > 0) run.seed = cli::parse_seed_option(seed);
      return cli::run_command(run);
    }
    if (app.got_subcommand("check")) return cli::check_command(check_file);
    if (app.got_subcommand("draw")) return cli::draw_command(draw);
    if (app.got_subcommand("vocabulary")) return cli::vocabulary_command(vocabulary);
    if (app.got_subcommand("experiment")) {
      if (app.get_subcommand("experiment")->count("--seed") > 0) {
        experiment.seed = cli::parse_seed_option(experiment_seed);
      }
      return cli::experiment_command(experiment);
    }
    return cli::explore_command(explore);
  } catch (const cli::scenario_errors& errors) {
    std::cerr << errors.what();
    return cli::exit_usage;
  } catch (const usage_error& error) {
    std::cerr << "aurora-harness: " << error.what() << '\n';
    return cli::exit_usage;
  } catch (const std::filesystem::filesystem_error& error) {
    std::cerr << "aurora-harness: " << error.what() << '\n';
    return cli::exit_usage;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"aurora-harness: run, check and explore fault scenarios on the Aurora storage model",
               "aurora-harness"};
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return "aurora-harness: " + std::string(error.what()) +
           "\nRun with --help for more information.\n";
  });
  app.footer("Exit status: 0 pass, 1 fail, 2 usage error. See docs/harness.md.\n" +
             language_summary());
  cli::run_settings run;
  std::string seed;
  std::string check_file;
  cli::explore_settings explore;
  cli::draw_settings draw;
  cli::vocabulary_settings vocabulary;
  cli::experiment_settings experiment;
  std::string experiment_seed;
  add_run(app, run, seed);
  add_check(app, check_file);
  add_explore(app, explore);
  add_draw(app, draw);
  add_vocabulary(app, vocabulary);
  add_experiment(app, experiment, experiment_seed);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);  // prints help, or the error and a hint
    return code == 0 ? cli::exit_pass : cli::exit_usage;
  }
  try {
    return dispatch(app, run, seed, check_file, explore, draw, vocabulary, experiment,
                    experiment_seed);
  } catch (const std::exception& error) {
    std::cerr << "aurora-harness: error: " << error.what() << '\n';
    return cli::exit_fail;
  }
}
