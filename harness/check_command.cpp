// `aurora-harness check FILE.scn`: parse and validate a scenario, run nothing.
//
// The scenario is read and parsed exactly as `run` reads it (cli_common.hpp, `load_scenario`);
// every error is printed as `file:line:column: message` (exit status 2), and a valid scenario
// prints its step count (exit status 0).
#include <iostream>
#include <string>

#include "cli_common.hpp"
#include "commands.hpp"

namespace aurora::cli {

int check_command(const std::string& file) {
  const harness::scenario plan = load_scenario(file);
  std::cout << file << ": ok (" << plan.steps.size() << " steps)\n";
  return exit_pass;
}

}  // namespace aurora::cli
