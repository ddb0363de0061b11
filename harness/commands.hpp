// The subcommands of aurora-harness: what each takes, and its entry point.
//
// Each subcommand is one translation unit (run_command.cpp, check_command.cpp,
// explore_command.cpp, draw_command.cpp, experiment_command.cpp, vocabulary_command.cpp), so
// they compile in parallel and a change to one rebuilds only it; main.cpp parses the command line
// into these settings and calls one of them. Every entry point returns the exit status
// (cli_common.hpp: 0 pass, 1 fail) and throws `usage_error` (exit status 2) for anything wrong with
// its input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace aurora::cli {

struct run_settings {
  std::string file;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> variant;
  std::string jsonl_path, dot_path, svg_path, window;
  bool quiet = false;
  bool show_gossip = false;
};

struct explore_settings {
  std::string seeds;
  int steps = 40;
  std::string profile = "safe";
  std::optional<std::string> variant;
  int jobs = 1;
  std::string out_dir = "explore-failures";
  std::string cluster = "fixed";
};

struct draw_settings {
  std::string file;  // the JSON Lines trace
  std::string dot_path, svg_path, window, title;
  bool show_gossip = false;
};

struct experiment_settings {
  std::string name;  // replica-lag, failover-downtime or failover-no-replica
  std::string csv_path, svg_path;
  std::uint64_t seed = 1;
};

struct vocabulary_settings {
  bool markdown = false;  // the tables of docs/scenario-language.md
};

// `aurora-harness run FILE.scn` (run_command.cpp).
int run_command(const run_settings& settings);
// `aurora-harness check FILE.scn` (check_command.cpp).
int check_command(const std::string& file);
// `aurora-harness explore --seeds A..B` (explore_command.cpp).
int explore_command(const explore_settings& settings);
// `aurora-harness draw TRACE.jsonl` (draw_command.cpp).
int draw_command(const draw_settings& settings);
// `aurora-harness experiment NAME` (experiment_command.cpp).
int experiment_command(const experiment_settings& settings);
// `aurora-harness vocabulary [--markdown]` (vocabulary_command.cpp).
int vocabulary_command(const vocabulary_settings& settings);

}  // namespace aurora::cli
