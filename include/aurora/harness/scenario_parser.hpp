// The scenario parser: text in the scenario language to a `scenario` value, or precise errors.
//
// It follows docs/scenario-language.md section by section ("Lexical", "Header statements", "Steps",
// "Outcomes", "Errors") plus this project's extensions (docs/scenario-extensions.md). Each line
// is cut into tokens (words, and the punctuation `|` `->` `,` `=`; `#` starts a comment), then
// parsed as one statement: `seed`, `config` or `at`. Every mistake is reported as
// `<file>:<line>:<column>: <message>`, 1-based, the column (in bytes) of the offending token;
// parsing goes on with the next line, so one run reports up to `scenario_limits::max_errors`.
// The lexer and the values (scenario_lexer.hpp), the `config` keys (scenario_config_parser.hpp)
// and the faults and actions (scenario_fault_parser.hpp) have headers of their own; this one
// holds the statements, the steps, the client operations and their outcomes.
//
// The parser is total: any input, however malformed (it is fuzzed), returns either a scenario or
// errors. It never reads out of bounds, never loops, and throws nothing but std::bad_alloc.
// Names are checked against the configuration; `config` lines must precede the first step, so
// the configuration is final when steps are read. Every bound of `scenario_limits` is checked
// here (durations, LAL, steps, distinct clients and keys), so that whatever the parser accepts
// runs to a verdict without reaching a limit of the model. What it leaves out: running anything.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/harness/scenario.hpp"
#include "aurora/harness/scenario_config_parser.hpp"
#include "aurora/harness/scenario_fault_parser.hpp"
#include "aurora/harness/scenario_lexer.hpp"
#include "aurora/harness/vocabulary.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::harness {

struct parse_error {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes, of the offending token
  std::string message;
  std::string text;  // "<file>:<line>:<column>: <message>"
};

struct parse_result {
  std::optional<scenario> value;    // set exactly when `errors` is empty
  std::vector<parse_error> errors;  // in source order; at most scenario_limits::max_errors

  [[nodiscard]] bool ok() const { return value.has_value(); }

  // Every error's `text`, one per line.
  [[nodiscard]] std::string error_text() const {
    std::string joined;
    for (const parse_error& each : errors) joined += each.text + "\n";
    return joined;
  }
};

namespace detail {

// ---- The parser --------------------------------------------------------------------------------

class scenario_parser {
 public:
  explicit scenario_parser(std::string_view file_name) : file_(file_name) {}

  parse_result run(std::string_view text) {
    if (text.size() > scenario_limits::max_bytes) {
      add_error(1, 1,
                "scenario is too large (" + std::to_string(text.size()) + " bytes; at most " +
                    std::to_string(scenario_limits::max_bytes) + ")");
      return finish();
    }
    std::size_t start = 0;
    while (start <= text.size() && errors_.size() < scenario_limits::max_errors) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      ++line_;
      parse_line(text.substr(start, end - start));
      start = end + 1;
    }
    return finish();
  }

 private:
  parse_result finish() {
    close_header();
    // `instance` lines are judged when the header ends, after lines below them: line order.
    std::stable_sort(
        errors_.begin(), errors_.end(),
        [](const parse_error& left, const parse_error& right) { return left.line < right.line; });
    parse_result result;
    if (errors_.empty()) result.value = std::move(result_);
    result.errors = std::move(errors_);
    AURORA_ASSERT(result.value.has_value() == result.errors.empty(),
                  "a parse gives a scenario or errors, never both and never neither");
    return result;
  }

  void add_error(int line, int column, std::string message) {
    if (errors_.size() >= scenario_limits::max_errors) return;
    std::string text = file_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
    errors_.push_back(parse_error{line, column, message, text + message});
  }

  void parse_line(std::string_view line) {
    token_cursor cursor(line);
    try {
      parse_statement(cursor);
    } catch (const syntax_error& error) {
      add_error(line_, error.column, error.message);
    }
  }

  void parse_statement(token_cursor& cursor) {
    const token keyword = cursor.next();
    if (keyword.kind == token_kind::end) return;  // blank or comment-only line
    const std::string_view word = keyword.kind == token_kind::word ? keyword.text : "";
    if (word == "seed") return parse_seed(cursor, keyword);
    if (word == "config") return parse_config(cursor, keyword);
    if (word == "instance") return parse_instance(cursor, keyword);
    if (word == "client") return parse_client(cursor, keyword);
    if (word == "at") return parse_step(cursor, keyword);
    fail(keyword, "unknown statement " + describe(keyword) +
                      ": expected 'seed', 'config', 'instance', 'client' or 'at'");
  }

  static void expect_end(token_cursor& cursor, std::string_view statement) {
    const token rest = cursor.peek();
    if (rest.kind == token_kind::end) return;
    fail(rest, "unexpected " + describe(rest) + " after the " + std::string(statement) +
                   ": expected end of line");
  }

  // ---- Header --------------------------------------------------------------------------------

  void require_header(const token& keyword) const {
    if (first_step_line_ == 0) return;
    fail(keyword, std::string(keyword.text) + " must come before the first step (line " +
                      std::to_string(first_step_line_) + ")");
  }

  void parse_seed(token_cursor& cursor, const token& keyword) {
    require_header(keyword);
    if (seed_line_ != 0) {
      fail(keyword, "seed is given twice (first at line " + std::to_string(seed_line_) + ")");
    }
    const std::uint64_t seed = parse_seed_value(cursor.next());
    expect_end(cursor, "seed");
    result_.seed = seed;
    seed_line_ = line_;
  }

  // Applies the whole line or nothing.
  void parse_config(token_cursor& cursor, const token& keyword) {
    require_header(keyword);
    if (cursor.peek().kind == token_kind::end) {
      fail(cursor.peek(), "config needs at least one key=value, e.g. config replicas=2");
    }
    config updated = result_.settings;
    std::map<std::string, int, std::less<>> key_lines = config_key_lines_;
    while (cursor.peek().kind != token_kind::end) {
      const token key = cursor.next();
      const config_key_info& entry = check_config_key(key, key_lines);
      if (!cursor.accept(token_kind::equals)) {
        fail_expected(cursor.peek(), "'=' after config key '" + std::string(key.text) + "'");
      }
      set_config_value(updated, entry, cursor.next());
      key_lines.emplace(std::string(key.text), line_);
    }
    result_.settings = updated;
    config_key_lines_ = std::move(key_lines);
  }

  // `instance dbN [az=<a|b|c>] [tier=<0..15>] [size=<1..1000>]`: placement and promotion rank
  // of an instance; that `replicas` creates dbN is checked when the header ends (the `config`
  // line may come later).
  void parse_instance(token_cursor& cursor, const token& keyword) {
    require_header(keyword);
    const token name = cursor.next();
    const int number = name.kind == token_kind::word
                           ? name_index(name.text, "db", 1 + scenario_limits::max_replicas)
                           : 0;
    if (number == 0) fail_expected(name, "an instance name after 'instance' (db1..db16)");
    if (const auto seen = instance_lines_.find(number); seen != instance_lines_.end()) {
      fail(name, "instance db" + std::to_string(number) + " is already described (line " +
                     std::to_string(seen->second.line) + ")");
    }
    db::instance_spec spec;
    std::set<std::string, std::less<>> keys;
    while (cursor.peek().kind != token_kind::end) {
      const token key = cursor.next();
      const bool known = key.kind == token_kind::word &&
                         (key.text == "az" || key.text == "tier" || key.text == "size");
      if (!known)
        fail(key, "unknown instance key " + describe(key) + ": expected az, tier or size");
      if (!keys.emplace(key.text).second) {
        fail(key, "instance key '" + std::string(key.text) + "' is given twice");
      }
      if (!cursor.accept(token_kind::equals)) {
        fail_expected(cursor.peek(), "'=' after instance key '" + std::string(key.text) + "'");
      }
      const token value = cursor.next();
      if (key.text == "az") {
        if (value.kind != token_kind::word || !is_az_letter(value.text)) {
          fail(value, "az must be a, b or c, not " + describe(value));
        }
        spec.az = value.text[0];
      } else if (key.text == "tier") {
        spec.tier = parse_bounded(value, "tier", 0, db::max_promotion_tier);
      } else {
        spec.size = parse_bounded(value, "size", 1, db::max_instance_size);
      }
    }
    instance_lines_.emplace(number, instance_line{line_, name.column});
    if (spec.az == db::round_robin_az(number)) spec.az = 0;  // the default, said aloud
    if (spec != db::instance_spec{}) result_.settings.instances[number] = spec;
  }

  // `client <name> [dns=ttl|forever|<duration>] [via=dns|proxy|smart]`: how a client reaches
  // the endpoints (ops/client_options.hpp).
  void parse_client(token_cursor& cursor, const token& keyword) {
    require_header(keyword);
    const token name = cursor.next();
    if (name.kind != token_kind::word || !is_name(name.text)) {
      fail_expected(name, "a client name after 'client' ([a-z][a-z0-9_-]*)");
    }
    if (const auto seen = client_lines_.find(name.text); seen != client_lines_.end()) {
      fail(name, "client " + std::string(name.text) + " is already described (line " +
                     std::to_string(seen->second) + ")");
    }
    note_client(name, name.text);
    ops::client_options options;
    std::set<std::string, std::less<>> keys;
    while (cursor.peek().kind != token_kind::end) {
      const token key = cursor.next();
      const bool known = key.kind == token_kind::word && (key.text == "dns" || key.text == "via");
      if (!known) fail(key, "unknown client key " + describe(key) + ": expected dns or via");
      if (!keys.emplace(key.text).second) {
        fail(key, "client key '" + std::string(key.text) + "' is given twice");
      }
      if (!cursor.accept(token_kind::equals)) {
        fail_expected(cursor.peek(), "'=' after client key '" + std::string(key.text) + "'");
      }
      const token value = cursor.next();
      if (key.text == "via") {
        options.via = parse_client_path(value);
      } else if (value.kind == token_kind::word && value.text == "ttl") {
        options.caching = ops::dns_caching::ttl;
      } else if (value.kind == token_kind::word && value.text == "forever") {
        options.caching = ops::dns_caching::forever;
      } else {
        if (value.kind != token_kind::word || value.text.empty() || value.text[0] < '0' ||
            value.text[0] > '9') {
          fail(value, "dns must be ttl, forever or a duration, not " + describe(value));
        }
        options.caching = ops::dns_caching::fixed;
        options.cache_for = parse_bounded_duration(value, "ttl, forever or a duration for dns",
                                                   "dns", scenario_limits::max_duration);
      }
    }
    client_lines_.emplace(std::string(name.text), line_);
    if (options != ops::client_options{})
      result_.settings.clients[std::string(name.text)] = options;
  }

  static ops::client_path parse_client_path(const token& value) {
    if (value.kind == token_kind::word) {
      if (value.text == "dns") return ops::client_path::dns;
      if (value.text == "proxy") return ops::client_path::proxy;
      if (value.text == "smart") return ops::client_path::smart;
    }
    fail(value, "via must be dns, proxy or smart, not " + describe(value));
  }

  // Every `instance` names an instance that `replicas` creates: checked once the header is over.
  void close_header() {
    if (header_closed_) return;
    header_closed_ = true;
    for (const auto& [number, where] : instance_lines_) {
      if (number <= 1 + result_.settings.replicas) continue;
      add_error(where.line, where.column,
                "unknown instance db" + std::to_string(number) +
                    ": replicas=" + std::to_string(result_.settings.replicas) + " gives " +
                    instance_range(result_.settings));
    }
  }

  // ---- Steps ---------------------------------------------------------------------------------

  void parse_step(token_cursor& cursor, const token& keyword) {
    close_header();
    if (first_step_line_ == 0) first_step_line_ = line_;
    if (result_.steps.size() >= scenario_limits::max_steps) {
      fail(keyword, "too many steps (at most " + std::to_string(scenario_limits::max_steps) + ")");
    }
    const token time = cursor.next();
    step value;
    value.at = parse_duration(time, "a time after 'at', e.g. 5ms");
    if (!result_.steps.empty() && value.at < result_.steps.back().at) {
      const step& previous = result_.steps.back();
      fail(time, "time " + sim::to_string(value.at) + " is before the previous step's " +
                     sim::to_string(previous.at) + " (line " + std::to_string(previous.line) +
                     "): times must not decrease");
    }
    const token verb = cursor.peek();
    step_keys_.clear();
    value.what = parse_action(cursor);
    const token client = parse_suffix(cursor, value);
    if (is_client_operation(value.what)) {
      note_client(client.kind == token_kind::end ? verb : client, client_of(value));
    }
    value.line = line_;
    result_.steps.push_back(std::move(value));
    for (const std::string_view key : step_keys_) keys_seen_.emplace(key);
  }

  // ---- Distinct keys and clients -------------------------------------------------------------

  // A key of the step being parsed; new keys are counted once the whole step has parsed.
  void note_key(const token& key) {
    if (keys_seen_.contains(key.text)) return;
    if (keys_seen_.size() + step_keys_.size() >= scenario_limits::max_keys) {
      fail(key, "too many keys: " + describe(key) + " would be key " +
                    std::to_string(scenario_limits::max_keys + 1) + " of the scenario (at most " +
                    std::to_string(scenario_limits::max_keys) + " distinct keys)");
    }
    step_keys_.push_back(key.text);
  }

  // The step's client (`as`, or the default c1 at the action), last in the step.
  void note_client(const token& at, std::string_view name) {
    if (name == final_check_client) {
      fail(at, "'" + std::string(name) +
                   "' is reserved for the final check's own client: choose another client name");
    }
    if (clients_seen_.contains(name)) return;
    if (clients_seen_.size() >= scenario_limits::max_clients) {
      fail(at, "too many clients: '" + std::string(name) + "' would be client " +
                   std::to_string(scenario_limits::max_clients + 1) + " of the scenario (at most " +
                   std::to_string(scenario_limits::max_clients) + " distinct clients)");
    }
    clients_seen_.emplace(name);
  }

  // The verb, from the vocabulary (vocabulary.hpp), then its arguments.
  action parse_action(token_cursor& cursor) {
    const token verb = cursor.next();
    const verb_info* known = verb.kind == token_kind::word ? find_verb(verb.text) : nullptr;
    if (known == nullptr) {
      if (verb.kind == token_kind::end) fail_expected(verb, "an action after the time");
      fail(verb, "unknown action " + describe(verb) + ": expected " + verb_list());
    }
    if (known->name == write_op::verb) return parse_write(cursor);
    if (known->name == read_op::verb) return parse_read(cursor);
    if (known->name == ops::clone::verb) return ops::action{parse_clone(cursor)};
    return parse_fault(result_.settings, cursor, *known);
  }

  static void check_key(const token& key, std::string_view after) {
    if (key.kind != token_kind::word) {
      fail_expected(key, "a key name after '" + std::string(after) + "'");
    }
    if (!is_name(key.text)) {
      fail(key, describe(key) + " is not a key name: expected [a-z][a-z0-9_-]*, at most " +
                    std::to_string(scenario_limits::max_name_length) + " characters");
    }
  }

  // `write k=v [k=v ...]`: pairs go on while a word is followed by `=`.
  write_op parse_write(token_cursor& cursor) {
    write_op value;
    std::map<std::string_view, int, std::less<>> seen;
    do {
      const token key = cursor.next();
      check_key(key, "write");
      if (!cursor.accept(token_kind::equals)) {
        fail_expected(cursor.peek(), "'=' after key '" + std::string(key.text) + "'");
      }
      const std::int64_t number =
          parse_int64(cursor.next(), "an integer value for key '" + std::string(key.text) + "'");
      if (!seen.emplace(key.text, key.column).second) {
        fail(key, "key '" + std::string(key.text) + "' is written twice in one write");
      }
      if (value.puts.size() >= scenario_limits::max_puts_per_write) {
        fail(key, "too many keys in one write (at most " +
                      std::to_string(scenario_limits::max_puts_per_write) + ")");
      }
      note_key(key);
      value.puts.emplace_back(std::string(key.text), number);
    } while (cursor.peek().kind == token_kind::word && cursor.peek(1).kind == token_kind::equals);
    // `to dbN` (through that instance's endpoint) and `hold <duration>`, in either order. The
    // instance is checked once `on` says whose it is.
    std::optional<token> to;
    while (cursor.peek_word("to") || cursor.peek_word("hold")) {
      const token word = cursor.next();
      if (word.text == "to") {
        if (to) fail(word, "'to' is given twice");
        to = cursor.next();
      } else {
        if (value.hold > sim::us(0)) fail(word, "'hold' is given twice");
        value.hold = parse_hold(cursor.next());
      }
    }
    if (auto on = parse_cluster(cursor)) value.on = std::move(*on);
    if (to) value.to = parse_instance_of(value.on, *to, "write ... to");
    return value;
  }

  // An instance of cluster `on`: one of main's (`db1` ..), or a clone's only instance
  // `<clone>-db1`.
  std::string parse_instance_of(const std::string& on, const token& name,
                                std::string_view action) const {
    if (on == main_cluster) return parse_name(result_.settings, name, instances, action);
    const std::string writer = on + "-db1";
    if (name.kind != token_kind::word) fail_expected(name, "an instance of " + on + ": " + writer);
    if (name.text != writer) {
      fail(name, "unknown instance " + describe(name) + " of cluster " + on +
                     ": a clone has one "
                     "instance, " +
                     writer);
    }
    return writer;
  }

  // `clone as NAME`: NAME becomes a cluster that later steps may name with `on`.
  ops::clone parse_clone(token_cursor& cursor) {
    const token word = cursor.next();
    if (word.kind != token_kind::word || word.text != "as") {
      fail_expected(word, "'as' and the new cluster's name after 'clone', e.g. clone as dev1");
    }
    const token name = cursor.next();
    if (name.kind != token_kind::word || !is_name(name.text)) {
      fail_expected(name, "a cluster name after 'clone as' ([a-z][a-z0-9_-]*, at most " +
                              std::to_string(scenario_limits::max_name_length) + " characters)");
    }
    if (const auto known = cluster_lines_.find(name.text); known != cluster_lines_.end()) {
      fail(name,
           "cluster '" + std::string(name.text) + "' exists already" +
               (known->second == 0 ? std::string(" (the production cluster)")
                                   : " (created at line " + std::to_string(known->second) + ")"));
    }
    cluster_lines_.emplace(std::string(name.text), line_);
    return ops::clone{std::string(name.text)};
  }

  // `hold <duration>`: positive, at most max_op_timeout (the run waits for it to commit).
  static sim::duration parse_hold(const token& value) {
    const sim::duration hold = parse_bounded_duration(value, "a duration after 'hold', e.g. 2s",
                                                      "hold", scenario_limits::max_op_timeout);
    if (hold <= sim::us(0)) fail(value, "hold must be positive: leave it out for no hold");
    return hold;
  }

  // `on <cluster>`: through that cluster's endpoints: the production cluster `main` (the
  // default) or one that a `clone as` step created on an earlier line. None without `on`.
  std::optional<std::string> parse_cluster(token_cursor& cursor) const {
    if (!cursor.peek_word("on")) return std::nullopt;
    cursor.next();
    const token name = cursor.next();
    if (name.kind != token_kind::word) fail_expected(name, "a cluster name after 'on'");
    if (!cluster_lines_.contains(name.text)) {
      std::string known;
      for (const auto& [each, line] : cluster_lines_) known += (known.empty() ? "" : ", ") + each;
      fail(name, "unknown cluster " + describe(name) + ": expected " + known +
                     " (a `clone as` step on an earlier line creates a cluster)");
    }
    return std::string(name.text);
  }

  read_op parse_read(token_cursor& cursor) {
    const token key = cursor.next();
    check_key(key, "read");
    note_key(key);
    read_op value{std::string(key.text), {}, std::string(main_cluster)};
    std::optional<token> source;
    if (cursor.peek_word("from")) {
      cursor.next();
      source = cursor.next();
    }
    if (auto on = parse_cluster(cursor)) value.on = std::move(*on);
    if (source && source->kind == token_kind::word && source->text == ops::endpoint::reader_word) {
      value.from = ops::endpoint::reader();
    } else if (source) {
      value.from = ops::endpoint::instance(parse_instance_of(value.on, *source, "read ... from"));
    }
    return value;
  }

  // ---- `as` and `expect` ---------------------------------------------------------------------

  // Returns the client's token (`end` when there is no `as`).
  static token parse_suffix(token_cursor& cursor, step& value) {
    const bool fault = !is_client_operation(value.what);
    const auto* operation = std::get_if<ops::action>(&value.what);
    const bool has_outcome = operation != nullptr && ops::has_outcome(*operation);
    token client;
    if (cursor.peek_word("as")) {
      const token keyword = cursor.next();
      if (fault) fail(keyword, "'as' applies only to client operations (read, write), not faults");
      client = cursor.next();
      if (client.kind != token_kind::word || !is_name(client.text)) {
        fail_expected(client, "a client name after 'as' ([a-z][a-z0-9_-]*, at most " +
                                  std::to_string(scenario_limits::max_name_length) +
                                  " characters)");
      }
      value.as_client = std::string(client.text);
    }
    if (cursor.peek_word("expect")) {
      const token keyword = cursor.next();
      if (fault && !has_outcome) {
        fail(keyword, "a fault has no outcome: 'expect' applies only to read, write and clone");
      }
      value.expect = parse_outcome(cursor.next(), value.what);
    }
    check_step_end(cursor.peek(), value);
    return client;
  }

  static void check_step_end(const token& rest, const step& value) {
    if (rest.kind == token_kind::end) return;
    if (rest.kind == token_kind::word && rest.text == "as") {
      fail(rest, value.as_client ? "'as' is given twice" : "'as' must come before 'expect'");
    }
    if (rest.kind == token_kind::word && rest.text == "expect") {
      fail(rest, "'expect' is given twice");
    }
    if (!is_client_operation(value.what)) {
      fail(rest, "unexpected " + describe(rest) + " after the fault: expected end of line");
    }
    const bool write_word =
        (rest.text == "to" || rest.text == "hold") && std::holds_alternative<write_op>(value.what);
    const bool read_word = rest.text == "from" && std::holds_alternative<read_op>(value.what);
    if (rest.kind == token_kind::word && (write_word || read_word)) {
      fail(rest, "'" + std::string(rest.text) + "' must come before 'on', 'as' and 'expect'");
    }
    if (rest.kind == token_kind::word && rest.text == "on") {
      fail(rest, "'on' must come after the action's own words, before 'as' and 'expect'");
    }
    fail(rest, "unexpected " + describe(rest) + ": expected 'as', 'expect' or end of line");
  }

  static expectation parse_outcome(const token& outcome, const action& what) {
    using kind = expectation::kind;
    if (!is_client_operation(what)) return parse_operation_outcome(outcome, what);
    if (outcome.kind == token_kind::word && outcome.text == "completed") {
      fail(outcome,
           "'expect completed' applies only to operational steps (clone): a client "
           "operation can expect ok, unavailable, refused, none or an integer");
    }
    const bool read = std::holds_alternative<read_op>(what);
    if (outcome.kind == token_kind::word && outcome.text == "ok") return {kind::ok, 0};
    if (outcome.kind == token_kind::word && outcome.text == "unavailable") {
      return {kind::unavailable, 0};
    }
    if (outcome.kind == token_kind::word && outcome.text == "refused") return {kind::refused, 0};
    const bool none = outcome.kind == token_kind::word && outcome.text == "none";
    const bool number = outcome.kind == token_kind::word && is_integer_text(outcome.text);
    if ((none || number) && !read) {
      fail(outcome, "'expect " + std::string(outcome.text) +
                        "' applies only to reads: a write can expect ok, unavailable or refused");
    }
    if (none) return {kind::none, 0};
    if (number) return {kind::value, parse_int64(outcome, "an integer")};
    if (outcome.kind == token_kind::end) {
      fail_expected(outcome,
                    "an outcome after 'expect' (ok, unavailable, refused, none or an integer)");
    }
    fail(outcome, "unknown outcome " + describe(outcome) +
                      ": expected ok, unavailable, refused, none or an integer");
  }

  // `clone`: completed or refused (it did nothing).
  static expectation parse_operation_outcome(const token& outcome, const action& what) {
    using kind = expectation::kind;
    if (outcome.kind == token_kind::word && outcome.text == "completed")
      return {kind::completed, 0};
    if (outcome.kind == token_kind::word && outcome.text == "refused") return {kind::refused, 0};
    const std::string verb(verb_of(what).name);
    if (outcome.kind == token_kind::end) {
      fail_expected(outcome, "an outcome after 'expect' (completed or refused)");
    }
    fail(outcome, "'expect " + std::string(outcome.text) + "' does not apply to " + verb +
                      ": expected completed or refused");
  }

  std::string file_;
  scenario result_;
  std::vector<parse_error> errors_;
  int line_ = 0;             // the line being parsed, 1-based
  int seed_line_ = 0;        // where `seed` was given, 0 if not yet
  int first_step_line_ = 0;  // the first `at` line, 0 if none yet: the header is over after it
  struct instance_line {
    int line = 0;
    int column = 0;
  };
  std::map<int, instance_line> instance_lines_;  // `instance` statements, by instance number
  std::map<std::string, int, std::less<>> client_lines_;  // `client` statements, by name
  bool header_closed_ = false;
  std::map<std::string, int, std::less<>> config_key_lines_;  // config key -> its line
  std::set<std::string, std::less<>> keys_seen_;              // distinct keys of the steps so far
  std::set<std::string, std::less<>> clients_seen_;  // distinct clients of the steps so far
  // The clusters steps may name with `on`: main (line 0), then each `clone as` step's.
  std::map<std::string, int, std::less<>> cluster_lines_{{std::string(main_cluster), 0}};
  std::vector<std::string_view> step_keys_;  // keys new in the step being parsed
};

}  // namespace detail

// Parses a whole scenario. `file_name` only prefixes the error messages.
inline parse_result parse_scenario(std::string_view text, std::string_view file_name) {
  return detail::scenario_parser(file_name).run(text);
}

// For programs and tests that treat a bad scenario as bad input: throws `usage_error` whose
// message is every error, one per line.
inline scenario parse_scenario_or_throw(std::string_view text, std::string_view file_name) {
  parse_result result = parse_scenario(text, file_name);
  if (!result.ok()) throw usage_error(result.error_text());
  return std::move(*result.value);
}

}  // namespace aurora::harness
