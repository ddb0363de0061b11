// libFuzzer target for the scenario parser (docs/scenario-language.md; the parser
// "never crashes, and printing a parsed scenario gives back an equivalent scenario").
//
// For every input: parse it; errors must be well formed (`file:line:column: message`, the line
// within the input); if it parses, print it, parse the printed text, and abort unless the two
// scenarios are equal and printing is stable. Build and run with clang's libFuzzer:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I include
//       tests/harness/scenario_fuzz.cpp -o /tmp/scenario_fuzz        (one command)
//   /tmp/scenario_fuzz -max_total_time=60 -max_len=4096 <corpus-dir>
// A good starting corpus is the example scenarios (harness/scenarios/). With
// -DAURORA_FUZZ_STANDALONE (any compiler, no libFuzzer) it builds a program that runs the same
// check on each file named on its command line, to replay a corpus or a crash in CI.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "aurora/harness/scenario_parser.hpp"
#include "aurora/harness/scenario_printer.hpp"

namespace {

[[noreturn]] void fuzz_failure(const char* what, const std::string& detail) {
  std::fprintf(stderr, "scenario_fuzz: %s\n%s\n", what, detail.c_str());
  std::abort();
}

// The length of each line of the input, in bytes.
std::vector<std::size_t> line_lengths(std::string_view text) {
  std::vector<std::size_t> lengths(1, 0);
  for (const char each : text) {
    if (each == '\n') {
      lengths.push_back(0);
    } else {
      ++lengths.back();
    }
  }
  return lengths;
}

// Each error on its own line, in order, with a column inside that line (or just past it).
void check_errors(const aurora::harness::parse_result& result, std::string_view text) {
  if (result.errors.empty()) fuzz_failure("no scenario and no error", std::string(text));
  const std::vector<std::size_t> lengths = line_lengths(text);
  int previous_line = 0;
  for (const aurora::harness::parse_error& error : result.errors) {
    const std::string prefix =
        "fuzz.scn:" + std::to_string(error.line) + ":" + std::to_string(error.column) + ": ";
    const bool line_ok =
        error.line > previous_line && static_cast<std::size_t>(error.line) <= lengths.size();
    const bool column_ok = line_ok && error.column >= 1 &&
                           static_cast<std::size_t>(error.column) <=
                               lengths[static_cast<std::size_t>(error.line - 1)] + 1;
    if (!column_ok || error.message.empty() || error.text != prefix + error.message) {
      fuzz_failure("malformed error", error.text);
    }
    previous_line = error.line;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace aurora::harness;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const parse_result first = parse_scenario(text, "fuzz.scn");
  if (!first.ok()) {
    check_errors(first, text);
    return 0;
  }
  if (!first.errors.empty()) fuzz_failure("a scenario and errors", first.error_text());
  const std::string printed = print_scenario(*first.value);
  const parse_result second = parse_scenario(printed, "printed.scn");
  if (!second.ok()) fuzz_failure("printed text does not parse", printed + second.error_text());
  if (!(*second.value == *first.value)) fuzz_failure("roundtrip changed the scenario", printed);
  if (print_scenario(*second.value) != printed) fuzz_failure("printing is not stable", printed);
  return 0;
}

#ifdef AURORA_FUZZ_STANDALONE
int main(int argc, char** argv) {
  for (int index = 1; index < argc; ++index) {
    std::ifstream file(argv[index], std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  }
  std::printf("scenario_fuzz: %d inputs checked\n", argc - 1);
  return 0;
}
#endif
