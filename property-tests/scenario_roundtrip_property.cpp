// Properties of the scenario language (docs/scenario-language.md):
//  1. printing a valid scenario and parsing the text gives back an equal scenario, for generated
//     scenarios that use every action, every config key and names valid for their config;
//  2. the parser is total: on any line soup built from the language's own tokens it returns
//     either a scenario (which then roundtrips too) or well-formed `file:line:column: message`
//     errors, never a crash;
//  3. whatever the parser accepts runs to a verdict: `runner::run` returns a result (pass or
//     fail) and throws nothing, for scenarios with extreme values at every bound (the largest
//     LAL and durations, a 1us op_timeout, many clients, more keys than a client can queue).
// The generators below build only valid scenarios, so they double as a description of what the
// language accepts.
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

#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/harness/scenario_parser.hpp"
#include "aurora/harness/scenario_printer.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/time.hpp"

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

constexpr std::int64_t duration_max_us = scenario_limits::max_duration.count_us();

template <typename T>
std::optional<T> sometimes(const rc::Gen<T>& gen) {
  if (*rc::gen::arbitrary<bool>()) return *gen;
  return std::nullopt;
}

// ---- Generators --------------------------------------------------------------------------------

// Any non-negative duration, biased to the small round values scenarios use.
rc::Gen<sim::duration> gen_duration() {
  return rc::gen::oneOf(rc::gen::map(rc::gen::inRange<std::int64_t>(0, 2'000), sim::us),
                        rc::gen::map(rc::gen::inRange<std::int64_t>(0, 2'000), sim::ms),
                        rc::gen::map(rc::gen::inRange<std::int64_t>(0, 100), sim::s),
                        rc::gen::map(rc::gen::inRange<std::int64_t>(0, duration_max_us), sim::us),
                        rc::gen::just(scenario_limits::max_duration));
}

// A duration from zero to `max`, biased to the small round values scenarios use.
rc::Gen<sim::duration> gen_duration_up_to(sim::duration max) {
  return rc::gen::map(gen_duration(), [max](sim::duration value) { return std::min(value, max); });
}

// `[a-z][a-z0-9_-]*`, often a word the language also uses as a keyword.
rc::Gen<std::string> gen_name() {
  static const std::vector<std::string> keywords = {
      "as",          "expect", "from", "reader", "to", "az",  "write", "read", "heal", "ok", "none",
      "unavailable", "c1",     "seed", "config", "at", "db1", "a1",    "x",    "y",    "k-", "a_"};
  const rc::Gen<char> first = rc::gen::inRange('a', static_cast<char>('z' + 1));
  const rc::Gen<char> rest = rc::gen::elementOf(std::string("abcxyz0129_-"));
  return rc::gen::oneOf(rc::gen::elementOf(keywords), rc::gen::exec([first, rest] {
                          std::string name(1, *first);
                          const auto tail =
                              *rc::gen::resize(12, rc::gen::container<std::string>(rest));
                          return name + tail;
                        }));
}

rc::Gen<config> gen_config() {
  return rc::gen::exec([] {
    config settings;
    if (*rc::gen::arbitrary<bool>()) {
      settings.protection_groups = *rc::gen::inRange(1, scenario_limits::max_protection_groups + 1);
      settings.nodes_per_az = *rc::gen::inRange(scenario_limits::min_nodes_per_az,
                                                scenario_limits::max_nodes_per_az + 1);
      settings.replicas = *rc::gen::inRange(0, scenario_limits::max_replicas + 1);
      settings.op_timeout =
          *rc::gen::suchThat(gen_duration_up_to(scenario_limits::max_op_timeout),
                             [](sim::duration value) { return value > sim::us(0); });
      settings.lal = sometimes(rc::gen::inRange<std::int64_t>(1, scenario_limits::max_lal + 1));
      settings.variant = *aurora::db::parse_teaching_variant(
          *rc::gen::elementOf(aurora::db::teaching_variant_names));
    }
    return settings;
  });
}

rc::Gen<std::string> gen_storage_node(const config& settings) {
  return rc::gen::elementOf(storage_node_names(settings));
}

rc::Gen<std::string> gen_instance(const config& settings) {
  return rc::gen::elementOf(instance_names(settings));
}

rc::Gen<sim::target> gen_target(const config& settings) {
  return rc::gen::oneOf(
      rc::gen::map(gen_storage_node(settings),
                   [](std::string name) {
                     return sim::target{std::move(name), false};
                   }),
      rc::gen::map(gen_instance(settings),
                   [](std::string name) {
                     return sim::target{std::move(name), false};
                   }),
      rc::gen::map(rc::gen::element<std::string>("a", "b", "c"), [](std::string letter) {
        return sim::target{std::move(letter), true};
      }));
}

bool overlaps_any(const sim::target& member, const std::vector<sim::target>& set) {
  for (const sim::target& other : set) {
    if (targets_overlap(member, other)) return true;
  }
  return false;
}

// Two non-empty sets with no participant in common, on the same side or across.
sim::partition gen_partition(const config& settings) {
  const auto candidates =
      *rc::gen::nonEmpty(rc::gen::container<std::vector<sim::target>>(gen_target(settings)));
  sim::partition value;
  value.one_way = *rc::gen::arbitrary<bool>();
  for (const sim::target& each : candidates) {
    if (overlaps_any(each, value.left) || overlaps_any(each, value.right)) continue;
    (*rc::gen::arbitrary<bool>() ? value.left : value.right).push_back(each);
  }
  if (value.left.empty() || value.right.empty()) {
    value.left = {sim::target{"a1", false}};
    value.right = {sim::target{"b1", false}};
  }
  return value;
}

// A fault, or an action of the control plane.
action gen_fault(const config& settings) {
  const rc::Gen<int> percent = rc::gen::inRange(0, 101);
  switch (*rc::gen::inRange(0, 10)) {
    case 0: return sim::crash{*gen_target(settings)};
    case 1: return sim::restart{*gen_target(settings)};
    case 2: return sim::destroy{*gen_storage_node(settings)};
    case 3: return gen_partition(settings);
    case 4: return sim::heal{};
    case 5: return sim::message_loss{*percent};
    case 6: return sim::message_duplication{*percent};
    case 7:
      return sim::message_delay{*percent, *gen_duration_up_to(scenario_limits::max_message_delay)};
    case 8: {
      const std::string node = *rc::gen::oneOf(gen_storage_node(settings), gen_instance(settings));
      return sim::slow{node, *gen_duration_up_to(scenario_limits::max_message_delay)};
    }
    default: return ops::action{ops::failover{sometimes(gen_instance(settings))}};
  }
}

write_op gen_write() {
  const auto count = *rc::gen::inRange<std::size_t>(1, 6);
  write_op value;
  while (value.puts.size() < count) {
    const std::string key = *gen_name();
    bool fresh = true;
    for (const auto& [each, number] : value.puts) fresh = fresh && each != key;
    if (fresh) value.puts.emplace_back(key, *rc::gen::arbitrary<std::int64_t>());
  }
  return value;
}

read_op gen_read(const config& settings) {
  read_op value{*gen_name(), std::nullopt};
  switch (*rc::gen::inRange(0, 3)) {
    case 0: break;
    case 1: value.from = *gen_instance(settings); break;
    default: value.from = "reader"; break;
  }
  return value;
}

std::optional<expectation> gen_expectation(bool read) {
  using kind = expectation::kind;
  switch (*rc::gen::inRange(0, read ? 5 : 3)) {
    case 0: return std::nullopt;
    case 1: return expectation{kind::ok, 0};
    case 2: return expectation{kind::unavailable, 0};
    case 3: return expectation{kind::none, 0};
    default: return expectation{kind::value, *rc::gen::arbitrary<std::int64_t>()};
  }
}

step gen_step(const config& settings, sim::time_point at) {
  step value;
  value.at = at;
  switch (*rc::gen::inRange(0, 3)) {
    case 0: value.what = gen_write(); break;
    case 1: value.what = gen_read(settings); break;
    default: value.what = gen_fault(settings); break;
  }
  if (is_client_operation(value.what)) {
    value.as_client = sometimes(gen_name());
    value.expect = gen_expectation(std::holds_alternative<read_op>(value.what));
  }
  return value;
}

// Times never decrease: each step adds a (often zero) delta, stopping at the largest time.
rc::Gen<scenario> gen_scenario() {
  return rc::gen::exec([] {
    scenario value;
    value.seed = sometimes(rc::gen::arbitrary<std::uint64_t>());
    value.settings = *gen_config();
    const auto count = *rc::gen::inRange<std::size_t>(0, 30);
    sim::time_point now = *rc::gen::element(sim::us(0), sim::ms(3));
    for (std::size_t index = 0; index < count; ++index) {
      const sim::duration delta = *rc::gen::oneOf(rc::gen::just(sim::us(0)), gen_duration());
      now = std::min(now + delta, scenario_limits::max_duration);
      value.steps.push_back(gen_step(value.settings, now));
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
  // Each step remembers its line: after the seed and config lines, one line per step.
  const int header_lines =
      (original.seed ? 1 : 0) + (print_config(original.settings).empty() ? 0 : 1);
  for (std::size_t index = 0; index < parsed.value->steps.size(); ++index) {
    RC_ASSERT(parsed.value->steps[index].line == header_lines + static_cast<int>(index) + 1);
  }
}

const std::vector<std::string>& token_alphabet() {
  static const std::vector<std::string> tokens = {"seed",
                                                  "config",
                                                  "at",
                                                  "write",
                                                  "read",
                                                  "from",
                                                  "reader",
                                                  "crash",
                                                  "restart",
                                                  "destroy",
                                                  "partition",
                                                  "heal",
                                                  "failover",
                                                  "to",
                                                  "loss",
                                                  "duplicate",
                                                  "delay",
                                                  "slow",
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
                                                  "replicas",
                                                  "nodes_per_az",
                                                  "protection_groups",
                                                  "op_timeout",
                                                  "lal",
                                                  "variant",
                                                  "write-quorum-3",
                                                  "safe",
                                                  "x=1",
                                                  "replicas=2",
                                                  "X",
                                                  "\xff",
                                                  std::string(1, '\0')};
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
      const std::string node = *rc::gen::oneOf(gen_storage_node(settings), gen_instance(settings));
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
  for (std::size_t index = 0; index < count; ++index) {
    now = now + sim::us(*rc::gen::inRange<std::int64_t>(0, gap_max_us));
    step next = gen_step(settings, now);
    if (!is_client_operation(next.what) && *rc::gen::arbitrary<bool>()) {
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
        value.steps.push_back(step{at, read_op{"x", std::nullopt}, "q", std::nullopt, 0});
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
