// Properties of the scenario language (docs/scenario-language.md):
//  1. printing a valid scenario and parsing the text gives back an equal scenario, for generated
//     scenarios that use every action, every config key and names valid for their config;
//  2. the parser is total: on any line soup built from the language's own tokens it returns
//     either a scenario (which then roundtrips too) or well-formed `file:line:column: message`
//     errors, never a crash;
//  3. whatever the parser accepts runs to a verdict: `runner::run` returns a result (pass or
//     fail) and throws nothing, for scenarios with extreme values at every bound (the largest
//     LAL and durations, a 1us op_timeout, many clients, more keys than a client can queue).
// The generators are the language generator's (include/aurora/harness/language_generator.hpp,
// which reads the vocabulary) on rapidcheck's shrinkable draws (rc_source.hpp); they build only
// valid scenarios.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "aurora/harness/language_generator.hpp"
#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/harness/scenario_parser.hpp"
#include "aurora/harness/scenario_printer.hpp"
#include "aurora/harness/vocabulary.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/time.hpp"
#include "rc_source.hpp"

// rapidcheck shows a failing scenario as the text it prints to (found by argument lookup).
namespace aurora::harness {
inline void showValue(const scenario& value, std::ostream& os) {
  os << "\n" << print_scenario(value);
}
}  // namespace aurora::harness

namespace {

using namespace aurora::harness;
namespace sim = aurora::sim;
namespace ops = aurora::ops;

template <typename T>
std::optional<T> sometimes(const rc::Gen<T>& gen) {
  if (*rc::gen::arbitrary<bool>()) return *gen;
  return std::nullopt;
}

// The language generator (include/aurora/harness/language_generator.hpp), on rapidcheck's draws:
// every verb and form of the vocabulary, every config key in its bounds, names valid for the
// configuration. Draws shrink towards the first choice and the smallest value.
config gen_config() {
  aurora::properties::rc_source draw;
  return language::draw_config(draw);
}

step gen_step(const config& settings, sim::time_point at, language::drawn_clusters& clusters) {
  aurora::properties::rc_source draw;
  return language::draw_step(draw, settings, at, &clusters);
}

action gen_fault(const config& settings) {
  aurora::properties::rc_source draw;
  return language::draw_fault_or_action(draw, settings);
}

rc::Gen<sim::duration> gen_duration() {
  return rc::gen::exec([] {
    aurora::properties::rc_source draw;
    return language::draw_duration(draw, sim::us(0), scenario_limits::max_duration);
  });
}

// Times never decrease: each step adds a (often zero) delta, stopping at the largest time.
rc::Gen<scenario> gen_scenario() {
  return rc::gen::exec([] {
    scenario value;
    value.seed = sometimes(rc::gen::arbitrary<std::uint64_t>());
    value.settings = gen_config();
    const auto count = *rc::gen::inRange<std::size_t>(0, 30);
    sim::time_point now = *rc::gen::element(sim::us(0), sim::ms(3));
    language::drawn_clusters clusters;
    for (std::size_t index = 0; index < count; ++index) {
      const sim::duration delta = *rc::gen::oneOf(rc::gen::just(sim::us(0)), gen_duration());
      now = std::min(now + delta, scenario_limits::max_duration);
      value.steps.push_back(gen_step(value.settings, now, clusters));
    }
    return value;
  });
}

// ---- Properties --------------------------------------------------------------------------------

RC_GTEST_PROP(scenario_roundtrip, printing_then_parsing_gives_back_an_equal_scenario, ()) {
  const scenario original = *gen_scenario();
  const std::string text = print_scenario(original);
  RC_LOG() << text;
  const parse_result parsed = parse_scenario(text, "printed.scn");
  RC_ASSERT(parsed.errors.empty());
  RC_ASSERT(parsed.ok());
  RC_ASSERT(*parsed.value == original);
  RC_ASSERT(print_scenario(*parsed.value) == text);
  // Each step remembers its line: after the seed, config and instance lines, one line per step.
  const int header_lines = (original.seed ? 1 : 0) +
                           (print_config(original.settings).empty() ? 0 : 1) +
                           static_cast<int>(original.settings.instances.size()) +
                           static_cast<int>(original.settings.clients.size());
  for (std::size_t index = 0; index < parsed.value->steps.size(); ++index) {
    RC_ASSERT(parsed.value->steps[index].line == header_lines + static_cast<int>(index) + 1);
  }
}

// The language's own tokens: every verb and config key of the vocabulary, and the words,
// names, numbers and punctuation around them (some of them wrong on purpose).
const std::vector<std::string>& token_alphabet() {
  static const std::vector<std::string> tokens = [] {
    std::vector<std::string> all = {"seed",
                                    "config",
                                    "at",
                                    "from",
                                    "reader",
                                    "to",
                                    "as",
                                    "expect",
                                    "ok",
                                    "unavailable",
                                    "none",
                                    "az",
                                    "a",
                                    "b",
                                    "c",
                                    "d",
                                    "a1",
                                    "a2",
                                    "b1",
                                    "c2",
                                    "c3",
                                    "db1",
                                    "db2",
                                    "db17",
                                    "x",
                                    "y",
                                    "c1",
                                    "0",
                                    "1",
                                    "-1",
                                    "42",
                                    "99999999999999999999",
                                    "18446744073709551615",
                                    "5ms",
                                    "0us",
                                    "2s",
                                    "5m",
                                    "ms",
                                    "-5ms",
                                    "1.5s",
                                    "20%",
                                    "101%",
                                    "%",
                                    "|",
                                    "->",
                                    "-",
                                    ">",
                                    ",",
                                    "=",
                                    "#",
                                    "\n",
                                    "\r",
                                    "\t",
                                    " ",
                                    "write-quorum-3",
                                    "safe",
                                    "x=1",
                                    "replicas=2",
                                    "X",
                                    "\xff",
                                    std::string(1, '\0')};
    for (const verb_info& each : verbs) all.emplace_back(each.name);
    for (const config_key_info& each : config_keys) all.emplace_back(each.name);
    return all;
  }();
  return tokens;
}

// "file:L:C: message" with L a line of the input and C within that line (or just past it).
bool well_formed(const parse_error& error, const std::vector<std::string>& lines) {
  if (error.line < 1 || error.line > static_cast<int>(lines.size())) return false;
  const auto width = static_cast<int>(lines[static_cast<std::size_t>(error.line - 1)].size());
  if (error.column < 1 || error.column > width + 1 || error.message.empty()) return false;
  return error.text == "soup.scn:" + std::to_string(error.line) + ":" +
                           std::to_string(error.column) + ": " + error.message;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines(1);
  for (const char each : text) {
    if (each == '\n') {
      lines.emplace_back();
    } else {
      lines.back() += each;
    }
  }
  return lines;
}

// Lines that mostly start like statements, then a few tokens, glued or spaced.
std::string gen_soup() {
  const auto line_count = *rc::gen::inRange(1, 8);
  std::string text;
  for (int line = 0; line < line_count; ++line) {
    text += *rc::gen::element<std::string>("", "at 0ms ", "at 1ms ", "at 2s ", "config ", "seed ");
    const auto words = *rc::gen::resize(
        8, rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(token_alphabet())));
    for (const std::string& word : words) {
      text += word;
      text += *rc::gen::element<std::string>("", " ", " ", "\t");
    }
    text += "\n";
  }
  return text;
}

RC_GTEST_PROP(scenario_parser_total, token_soup_gives_a_scenario_or_well_formed_errors, ()) {
  const std::string text = gen_soup();
  const parse_result result = parse_scenario(text, "soup.scn");
  RC_CLASSIFY(result.ok(), "parsed");
  if (result.ok()) {
    RC_ASSERT(result.errors.empty());
    const parse_result again = parse_scenario(print_scenario(*result.value), "soup.scn");
    RC_ASSERT(again.ok());
    RC_ASSERT(*again.value == *result.value);
    return;
  }
  RC_ASSERT(!result.errors.empty());
  RC_ASSERT(result.errors.size() <= scenario_limits::max_errors);
  const std::vector<std::string> lines = split_lines(text);
  int previous_line = 0;
  for (const parse_error& error : result.errors) {
    RC_ASSERT(well_formed(error, lines));
    RC_ASSERT(error.line > previous_line);  // at most one error per line, in order
    previous_line = error.line;
  }
}

// A mostly valid scenario with one line replaced by soup: still total, and the error (if any)
// points into the right lines.
RC_GTEST_PROP(scenario_parser_total, a_valid_scenario_with_one_mangled_line_is_handled, ()) {
  const scenario original = *gen_scenario();
  std::vector<std::string> lines = split_lines(print_scenario(original));
  const auto at = *rc::gen::inRange<std::size_t>(0, lines.size());
  const auto words =
      *rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(token_alphabet()));
  std::string mangled;
  for (const std::string& word : words) {
    if (word != "\n") mangled += word + " ";
  }
  lines[at] = mangled;
  std::string text;
  for (std::size_t index = 0; index < lines.size(); ++index) {
    text += lines[index] + (index + 1 < lines.size() ? "\n" : "");
  }
  const parse_result result = parse_scenario(text, "soup.scn");
  if (result.ok()) return;
  for (const parse_error& error : result.errors) {
    RC_ASSERT(well_formed(error, lines));
    RC_ASSERT(error.line >= static_cast<int>(at) + 1);  // lines before it were valid
  }
}

// ---- Every accepted scenario runs to a verdict -------------------------------------------------

// Durations at and near the bounds: zero, one microsecond, `max`.
rc::Gen<sim::duration> gen_extreme_duration(sim::duration max) {
  return rc::gen::oneOf(
      rc::gen::element(sim::us(0), sim::us(1), max - sim::us(1), max),
      rc::gen::map(rc::gen::inRange<std::int64_t>(0, max.count_us() + 1), sim::us));
}

// A configuration with values at the bounds: the largest LAL, a 1us op_timeout, 64 protection
// groups, 9 nodes per AZ, 15 replicas, any variant.
config gen_extreme_config() {
  config settings;
  settings.protection_groups = *rc::gen::weightedOneOf<int>(
      {{12, rc::gen::just(1)}, {3, rc::gen::inRange(2, 4)}, {1, rc::gen::just(64)}});
  settings.nodes_per_az = *rc::gen::element(2, 3, scenario_limits::max_nodes_per_az);
  settings.replicas = *rc::gen::element(0, 1, scenario_limits::max_replicas);
  settings.op_timeout =
      *rc::gen::element(sim::us(1), sim::us(7), sim::us(300), sim::ms(5), sim::ms(200), sim::s(1));
  const std::int64_t max_lal = scenario_limits::max_lal;
  settings.lal = *rc::gen::element<std::optional<std::int64_t>>(std::nullopt, 1, 2, 1'000,
                                                                max_lal - 1, max_lal);
  if (*rc::gen::inRange(0, 4) == 0) {
    settings.variant = *aurora::db::parse_teaching_variant(
        *rc::gen::elementOf(aurora::db::teaching_variant_names));
  }
  return settings;
}

// A fault, with extreme delays and slowness.
action gen_extreme_fault(const config& settings) {
  switch (*rc::gen::inRange(0, 4)) {
    case 0:
      return sim::message_delay{*rc::gen::inRange(0, 101),
                                *gen_extreme_duration(scenario_limits::max_message_delay)};
    case 1: {
      aurora::properties::rc_source draw;
      const std::string node = draw.percent(50) ? language::draw_storage_node(draw, settings)
                                                : language::draw_instance(draw, settings);
      return sim::slow{node, *gen_extreme_duration(scenario_limits::max_message_delay)};
    }
    default: return gen_fault(settings);
  }
}

// Steps a few milliseconds apart at most, so that a run stays short in simulated time (its wall
// time follows its simulated span: thousands of events per simulated second and group).
std::vector<step> gen_extreme_steps(const config& settings) {
  std::vector<step> steps;
  sim::time_point now = *rc::gen::element(sim::us(0), sim::ms(3));
  const auto count = *rc::gen::inRange<std::size_t>(0, 25);
  const std::int64_t gap_max_us = settings.protection_groups > 8 ? 2'000 : 50'000;
  language::drawn_clusters clusters;
  for (std::size_t index = 0; index < count; ++index) {
    now = now + sim::us(*rc::gen::inRange<std::int64_t>(0, gap_max_us));
    step next = gen_step(settings, now, clusters);
    // A clone stays: later steps may name its cluster (`on`).
    const auto* operation = std::get_if<ops::action>(&next.what);
    const bool clone = operation != nullptr && std::holds_alternative<ops::clone>(*operation);
    if (!is_client_operation(next.what) && !clone && *rc::gen::arbitrary<bool>()) {
      next.what = gen_extreme_fault(settings);
    }
    if (is_client_operation(next.what) && next.as_client && !is_name(*next.as_client)) {
      next.as_client.reset();
    }
    steps.push_back(std::move(next));
  }
  return steps;
}

// Optional bulk at the end, one kind per case at most: more keys than one client may queue
// (1,025 or more written, so the final check reads them back in batches), many clients at once,
// or more operations queued on one client than the old queue bound (1,024).
void add_bulk(scenario& value) {
  const sim::time_point at = value.steps.empty() ? sim::us(0) : value.steps.back().at;
  switch (*rc::gen::inRange(0, 12)) {
    case 0: {  // keys: two writes of 1,000 and 25 keys
      for (const std::size_t keys : {std::size_t{1'000}, std::size_t{25}}) {
        write_op many;
        for (std::size_t index = 0; index < keys; ++index) {
          many.puts.emplace_back("m" + std::to_string(keys) + "-" + std::to_string(index), 1);
        }
        value.steps.push_back(step{at, many, std::nullopt, std::nullopt, 0});
      }
      break;
    }
    case 1:  // clients: 300 of them, one write each, at once
      for (int index = 0; index < 300; ++index) {
        value.steps.push_back(
            step{at, write_op{{{"x", index}}}, "w" + std::to_string(index), std::nullopt, 0});
      }
      break;
    case 2:  // queue: 1,025 reads on one client, at once
      for (int index = 0; index < 1'025; ++index) {
        value.steps.push_back(step{at, read_op{"x", {}}, "q", std::nullopt, 0});
      }
      break;
    default: break;
  }
}

rc::Gen<scenario> gen_extreme_scenario() {
  return rc::gen::exec([] {
    scenario value;
    value.seed = *rc::gen::arbitrary<std::uint64_t>();
    value.settings = gen_extreme_config();
    value.steps = gen_extreme_steps(value.settings);
    add_bulk(value);
    return value;
  });
}

// The promise of `aurora-harness check`: a scenario it accepts, `run` takes to a verdict (exit
// 0 or 1). No usage_error, no runaway guard, no broken internal assertion (which would abort).
RC_GTEST_PROP(scenario_verdict, every_accepted_scenario_runs_to_a_verdict, ()) {
  const scenario generated = *gen_extreme_scenario();
  const parse_result parsed = parse_scenario(print_scenario(generated), "extreme.scn");
  RC_ASSERT(parsed.ok());  // the generator stays inside the language's bounds
  run_result result;
  try {
    runner run(*parsed.value, {});
    result = run.run();
  } catch (const std::exception& error) {
    RC_FAIL(std::string("the run stopped without a verdict: ") + error.what());
  }
  RC_ASSERT(!result.steps.empty());
  RC_ASSERT(result.steps.back().index == -1);  // the final check reported last
  RC_CLASSIFY(result.passed(), "passed");
  RC_CLASSIFY(!result.passed(), "failed");
}

}  // namespace
