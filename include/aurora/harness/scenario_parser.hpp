// The scenario parser: text in the scenario language to a `scenario` value, or precise errors.
//
// It follows docs/scenario-language.md section by section ("Lexical", "Header statements", "Steps",
// "Outcomes", "Errors") plus this project's extensions (docs/scenario-extensions.md). Each line
// is cut into tokens (words, and the punctuation `|` `->` `,` `=`; `#` starts a comment), then
// parsed as one statement: `seed`, `config` or `at`. Every mistake is reported as
// `<file>:<line>:<column>: <message>`, 1-based, the column (in bytes) of the offending token;
// parsing goes on with the next line, so one run reports up to `scenario_limits::max_errors`.
//
// The parser is total: any input, however malformed (it is fuzzed), returns either a scenario or
// errors. It never reads out of bounds, never loops, and throws nothing but std::bad_alloc.
// Names are checked against the configuration; `config` lines must precede the first step, so
// the configuration is final when steps are read. Every bound of `scenario_limits` is checked
// here (durations, LAL, steps, distinct clients and keys), so that whatever the parser accepts
// runs to a verdict without reaching a limit of the model. What it leaves out: running anything.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/harness/scenario.hpp"
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

// ---- Tokens ------------------------------------------------------------------------------------

enum class token_kind { word, bar, arrow, comma, equals, end };

struct token {
  token_kind kind = token_kind::end;
  std::string_view text;  // empty for `end`
  int column = 1;         // 1-based; for `end`, just after the last token
};

// Spaces and tabs separate words; a carriage return counts as a space (CRLF files).
inline bool is_blank(char each) { return each == ' ' || each == '\t' || each == '\r'; }

inline bool ends_word(std::string_view line, std::size_t at) {
  const char each = line[at];
  if (is_blank(each) || each == '#' || each == '|' || each == ',' || each == '=') return true;
  return each == '-' && at + 1 < line.size() && line[at + 1] == '>';
}

inline token_kind punctuation_kind(std::string_view line, std::size_t at) {
  switch (line[at]) {
    case '|': return token_kind::bar;
    case ',': return token_kind::comma;
    case '=': return token_kind::equals;
    case '-': return ends_word(line, at) ? token_kind::arrow : token_kind::word;
    default: return token_kind::word;
  }
}

// The token at or after `from` in one line (without its newline), skipping blanks; `end` at a
// comment or the end of the line, with the column just after `from`. Tokens are lexed one at a
// time, so a long line never becomes a long vector.
inline token lex_token(std::string_view line, std::size_t from) {
  std::size_t at = from;
  while (at < line.size() && is_blank(line[at])) ++at;
  if (at >= line.size() || line[at] == '#') {
    return token{token_kind::end, {}, static_cast<int>(from) + 1};
  }
  const token_kind kind = punctuation_kind(line, at);
  std::size_t end = at + (kind == token_kind::arrow ? 2 : 1);
  if (kind == token_kind::word) {
    while (end < line.size() && !ends_word(line, end)) ++end;
  }
  return token{kind, line.substr(at, end - at), static_cast<int>(at) + 1};
}

// Where the next token may start: just after this one (`end` stays where it is).
inline std::size_t after(const token& value) {
  return static_cast<std::size_t>(value.column - 1) + value.text.size();
}

// Reads one line token by token. Tokens are returned by value: they are small (a view).
class token_cursor {
 public:
  explicit token_cursor(std::string_view line) : line_(line), current_(lex_token(line, 0)) {}

  // The token `ahead` places on (0: the current one); past the end, the `end` token.
  [[nodiscard]] token peek(int ahead = 0) const {
    token value = current_;
    for (int step = 0; step < ahead && value.kind != token_kind::end; ++step) {
      value = lex_token(line_, after(value));
    }
    return value;
  }
  // The current token, then moves on; the cursor stays on `end` once it gets there.
  token next() {
    const token value = current_;
    current_ = lex_token(line_, after(value));
    return value;
  }
  [[nodiscard]] bool peek_word(std::string_view word) const {
    return current_.kind == token_kind::word && current_.text == word;
  }
  bool accept(token_kind kind) {
    if (current_.kind != kind) return false;
    next();
    return true;
  }

 private:
  std::string_view line_;
  token current_;
};

// ---- Errors ------------------------------------------------------------------------------------

// Thrown inside the parser only, caught once per line: the column and message of the mistake.
struct syntax_error {
  int column = 1;
  std::string message;
};

[[noreturn]] inline void fail(const token& at, std::string message) {
  throw syntax_error{at.column, std::move(message)};
}

// A token as an error message shows it: quoted, unprintable bytes escaped, long ones cut.
inline std::string describe(const token& value) {
  if (value.kind == token_kind::end) return "end of line";
  constexpr std::size_t shown_max = 40;
  std::string text = "'";
  for (std::size_t at = 0; at < value.text.size() && at < shown_max; ++at) {
    const auto byte = static_cast<unsigned char>(value.text[at]);
    if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
      text += static_cast<char>(byte);
      continue;
    }
    constexpr char hex[] = "0123456789abcdef";
    text += "\\x";
    text += hex[byte >> 4];
    text += hex[byte & 0xf];
  }
  if (value.text.size() > shown_max) text += "...";
  return text + "'";
}

[[noreturn]] inline void fail_expected(const token& found, std::string_view what) {
  fail(found, "expected " + std::string(what) + ", found " + describe(found));
}

// ---- Numbers -----------------------------------------------------------------------------------

// `-?[0-9]+`
inline bool is_integer_text(std::string_view text) {
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  if (text.empty()) return false;
  for (const char each : text) {
    if (each < '0' || each > '9') return false;
  }
  return true;
}

// An integer token; `what` names the expected value in the message.
inline std::int64_t parse_int64(const token& value, std::string_view what) {
  if (value.kind != token_kind::word || !is_integer_text(value.text)) fail_expected(value, what);
  std::int64_t result = 0;
  const char* first = value.text.data();
  const char* last = first + value.text.size();
  const auto [end, error] = std::from_chars(first, last, result);
  if (error != std::errc() || end != last) {
    fail(value, "integer " + describe(value) + " does not fit in 64 bits");
  }
  return result;
}

inline std::uint64_t parse_seed_value(const token& value) {
  const std::string message =
      "seed must be an integer from 0 to 18446744073709551615, found " + describe(value);
  if (value.kind != token_kind::word || !is_integer_text(value.text) || value.text[0] == '-') {
    fail(value, message);
  }
  std::uint64_t result = 0;
  const char* last = value.text.data() + value.text.size();
  const auto [end, error] = std::from_chars(value.text.data(), last, result);
  if (error != std::errc() || end != last) fail(value, message);
  return result;
}

inline std::int64_t unit_us(std::string_view unit) {
  if (unit == "us") return 1;
  if (unit == "ms") return 1'000;
  if (unit == "s") return 1'000'000;
  return 0;
}

inline bool is_letters(std::string_view text) {
  for (const char each : text) {
    if ((each < 'a' || each > 'z') && (each < 'A' || each > 'Z')) return false;
  }
  return true;
}

// "34560000s, which is 400 days": the largest duration, as the messages name it.
inline std::string max_duration_text() {
  const std::int64_t seconds = scenario_limits::max_duration.count_us() / 1'000'000;
  return std::to_string(seconds) + "s, which is " + std::to_string(seconds / 86'400) + " days";
}

// `<digits><unit>` with unit us, ms or s: `250us`, `5ms`, `2s`, at most
// `scenario_limits::max_duration`. `what` names the duration.
inline sim::duration parse_duration(const token& value, std::string_view what) {
  if (value.kind != token_kind::word) fail_expected(value, what);
  const std::string_view text = value.text;
  const std::size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  std::size_t digits_end = sign;
  while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9') {
    ++digits_end;
  }
  const std::string_view unit = text.substr(digits_end);
  const std::string bad = "bad duration " + describe(value) + ": ";
  if (digits_end == sign || !is_letters(unit)) {
    fail(value, bad + "expected a whole number and a unit (us, ms or s), e.g. 5ms");
  }
  if (sign != 0) fail(value, bad + "durations cannot be negative");
  if (unit.empty()) fail(value, bad + "missing unit (us, ms or s)");
  const std::int64_t scale = unit_us(unit);
  if (scale == 0) {
    fail(value, bad + "unknown unit '" + std::string(unit) + "' (expected us, ms or s)");
  }
  std::int64_t count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + digits_end, count);
  if (error != std::errc() || count > scenario_limits::max_duration.count_us() / scale) {
    fail(value, bad + "too large (at most " + max_duration_text() + ")");
  }
  return sim::us(count * scale);
}

// A duration no longer than `max`, named `what` in the message: "delay must be at most 10s, not
// 11s".
inline sim::duration parse_bounded_duration(const token& value, std::string_view expected,
                                            std::string_view what, sim::duration max) {
  const sim::duration result = parse_duration(value, expected);
  if (result > max) {
    fail(value, std::string(what) + " must be at most " + sim::to_string(max) + ", not " +
                    sim::to_string(result));
  }
  return result;
}

// `<digits>%` from 0 to 100.
inline int parse_percent(const token& value) {
  const std::string_view text = value.text;
  const bool shaped = value.kind == token_kind::word && text.size() >= 2 && text.back() == '%' &&
                      is_integer_text(text.substr(0, text.size() - 1));
  if (!shaped) fail_expected(value, "a percentage like 20%");
  const std::string_view digits = text.substr(0, text.size() - 1);
  std::int64_t percent = -1;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), percent);
  if (error != std::errc() || percent < 0 || percent > 100) {
    fail(value, "percentage must be between 0% and 100%, not " + std::string(text));
  }
  return static_cast<int>(percent);
}

// ---- Names -------------------------------------------------------------------------------------

enum name_kinds : unsigned { storage_nodes = 1, instances = 2, azs = 4 };

inline bool looks_like_numbered(std::string_view text, std::string_view prefix) {
  return text.size() > prefix.size() && text.substr(0, prefix.size()) == prefix &&
         is_integer_text(text.substr(prefix.size())) && text[prefix.size()] != '-';
}

inline bool looks_like_storage_node(std::string_view text) {
  return !text.empty() && is_az_letter(text.substr(0, 1)) &&
         looks_like_numbered(text, text.substr(0, 1));
}

// "a1..a2, b1..b2, c1..c2" for nodes_per_az = 2.
inline std::string storage_node_range(const config& settings) {
  std::string text;
  for (const char az : {'a', 'b', 'c'}) {
    if (!text.empty()) text += ", ";
    text += std::string(1, az) + "1";
    if (settings.nodes_per_az > 1) {
      text += ".." + std::string(1, az) + std::to_string(settings.nodes_per_az);
    }
  }
  return text;
}

inline std::string instance_range(const config& settings) {
  return settings.replicas == 0 ? "db1" : "db1..db" + std::to_string(1 + settings.replicas);
}

// What an action accepts, for messages: "a storage node (a1..a2, ...) or an instance (db1)".
inline std::string describe_kinds(const config& settings, unsigned kinds) {
  std::vector<std::string> parts;
  if (kinds & storage_nodes) {
    parts.push_back("a storage node (" + storage_node_range(settings) + ")");
  }
  if (kinds & instances) parts.push_back("an instance (" + instance_range(settings) + ")");
  if (kinds & azs) parts.push_back("an AZ (az a, az b, az c)");
  std::string text = parts.empty() ? std::string() : parts[0];
  for (std::size_t at = 1; at < parts.size(); ++at) {
    text += (at + 1 == parts.size() ? " or " : ", ") + parts[at];
  }
  return text;
}

// The message for a name that is not one of `kinds` in this configuration.
inline std::string unknown_name_message(const config& settings, std::string_view text,
                                        unsigned kinds, std::string_view action) {
  const std::string name = "'" + std::string(text) + "'";
  const std::string takes = std::string(action) + " takes " + describe_kinds(settings, kinds);
  if (is_storage_node(settings, text)) return takes + ", not the storage node " + name;
  if (is_instance(settings, text)) return takes + ", not the instance " + name;
  if ((kinds & storage_nodes) && looks_like_storage_node(text)) {
    return "unknown storage node " + name +
           ": nodes_per_az=" + std::to_string(settings.nodes_per_az) + " gives " +
           storage_node_range(settings);
  }
  if ((kinds & instances) && looks_like_numbered(text, "db")) {
    return "unknown instance " + name + ": replicas=" + std::to_string(settings.replicas) +
           " gives " + instance_range(settings);
  }
  return "unknown name " + name + ": " + takes;
}

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
    if (word == "at") return parse_step(cursor, keyword);
    fail(keyword, "unknown statement " + describe(keyword) + ": expected 'seed', 'config' or 'at'");
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
      check_config_key(key, key_lines);
      if (!cursor.accept(token_kind::equals)) {
        fail_expected(cursor.peek(), "'=' after config key '" + std::string(key.text) + "'");
      }
      set_config_value(updated, key.text, cursor.next());
      key_lines.emplace(std::string(key.text), line_);
    }
    result_.settings = updated;
    config_key_lines_ = std::move(key_lines);
  }

  static constexpr std::string_view config_keys[] = {
      "protection_groups", "nodes_per_az", "replicas", "op_timeout", "lal", "variant"};

  static void check_config_key(const token& key,
                               const std::map<std::string, int, std::less<>>& key_lines) {
    if (key.kind != token_kind::word) fail_expected(key, "a config key");
    bool known = false;
    for (const std::string_view each : config_keys) known = known || each == key.text;
    if (!known) {
      fail(key, "unknown config key " + describe(key) +
                    ": expected protection_groups, nodes_per_az, replicas, op_timeout, lal or "
                    "variant");
    }
    const auto previous = key_lines.find(key.text);
    if (previous != key_lines.end()) {
      fail(key, "config key '" + std::string(key.text) + "' is already set (line " +
                    std::to_string(previous->second) + ")");
    }
  }

  static int parse_bounded(const token& value, std::string_view key, std::int64_t low,
                           std::int64_t high) {
    const std::int64_t number = parse_int64(value, "an integer for " + std::string(key));
    if (number < low || number > high) {
      fail(value, std::string(key) + " must be between " + std::to_string(low) + " and " +
                      std::to_string(high) + ", not " + std::to_string(number));
    }
    return static_cast<int>(number);
  }

  static void set_config_value(config& settings, std::string_view key, const token& value) {
    if (key == "protection_groups") {
      settings.protection_groups =
          parse_bounded(value, key, 1, scenario_limits::max_protection_groups);
    } else if (key == "nodes_per_az") {
      settings.nodes_per_az = parse_bounded(value, key, scenario_limits::min_nodes_per_az,
                                            scenario_limits::max_nodes_per_az);
    } else if (key == "replicas") {
      settings.replicas = parse_bounded(value, key, 0, scenario_limits::max_replicas);
    } else if (key == "op_timeout") {
      settings.op_timeout = parse_bounded_duration(value, "a duration for op_timeout, e.g. 500ms",
                                                   "op_timeout", scenario_limits::max_op_timeout);
      if (settings.op_timeout <= sim::us(0)) fail(value, "op_timeout must be positive, not 0");
    } else if (key == "lal") {
      settings.lal = parse_int64(value, "an integer for lal");
      if (*settings.lal < 1 || *settings.lal > scenario_limits::max_lal) {
        fail(value, "lal must be 1.." + std::to_string(scenario_limits::max_lal) + ", not " +
                        std::to_string(*settings.lal));
      }
    } else {
      settings.variant = parse_variant(value);
    }
  }

  static db::teaching_variant parse_variant(const token& value) {
    if (value.kind == token_kind::word) {
      if (const auto variant = db::parse_teaching_variant(value.text)) return *variant;
    }
    std::string known;
    for (const std::string_view name : db::teaching_variant_names) {
      known += (known.empty() ? "" : ", ") + std::string(name);
    }
    fail(value, "unknown variant " + describe(value) + ": expected one of " + known);
  }

  // ---- Steps ---------------------------------------------------------------------------------

  void parse_step(token_cursor& cursor, const token& keyword) {
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

  action parse_action(token_cursor& cursor) {
    const token verb = cursor.next();
    if (verb.kind == token_kind::word && verb.text == "write") return parse_write(cursor);
    if (verb.kind == token_kind::word && verb.text == "read") return parse_read(cursor);
    return parse_fault(cursor, verb);
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
    return value;
  }

  read_op parse_read(token_cursor& cursor) {
    const token key = cursor.next();
    check_key(key, "read");
    note_key(key);
    read_op value{std::string(key.text), std::nullopt};
    if (!cursor.peek_word("from")) return value;
    cursor.next();
    const token source = cursor.next();
    if (source.kind == token_kind::word && source.text == "reader") {
      value.from = "reader";
    } else {
      value.from = parse_name(source, instances, "read ... from");
    }
    return value;
  }

  // ---- Faults --------------------------------------------------------------------------------

  action parse_fault(token_cursor& cursor, const token& verb) const {
    const std::string_view word = verb.kind == token_kind::word ? verb.text : std::string_view();
    if (word == "crash") return sim::crash{parse_target(cursor, "crash")};
    if (word == "restart") return sim::restart{parse_target(cursor, "restart")};
    if (word == "destroy") return sim::destroy{parse_name(cursor, storage_nodes, "destroy")};
    if (word == "partition") return sim::fault{parse_partition(cursor)};
    if (word == "heal") return sim::heal{};
    if (word == "failover") return ops::action{parse_failover(cursor)};
    if (word == "loss") return sim::message_loss{parse_percent(cursor.next())};
    if (word == "duplicate") return sim::message_duplication{parse_percent(cursor.next())};
    if (word == "delay") {
      const int percent = parse_percent(cursor.next());
      return sim::message_delay{percent,
                                parse_bounded_duration(cursor.next(), "a delay, e.g. 5ms", "delay",
                                                       scenario_limits::max_message_delay)};
    }
    if (word == "slow") {
      std::string node = parse_name(cursor, storage_nodes | instances, "slow");
      return sim::slow{std::move(node),
                       parse_bounded_duration(cursor.next(), "a delay, e.g. 10ms", "slow",
                                              scenario_limits::max_message_delay)};
    }
    if (verb.kind == token_kind::end) fail_expected(verb, "an action after the time");
    fail(verb, "unknown action " + describe(verb) +
                   ": expected write, read, crash, restart, destroy, partition, heal, failover, "
                   "loss, duplicate, delay or slow");
  }

  // One participant name of `kinds` (no AZ) in this configuration.
  std::string parse_name(const token& name, unsigned kinds, std::string_view action) const {
    if (name.kind != token_kind::word) fail_expected(name, describe_kinds(result_.settings, kinds));
    const bool storage = (kinds & storage_nodes) && is_storage_node(result_.settings, name.text);
    const bool instance = (kinds & instances) && is_instance(result_.settings, name.text);
    if (storage || instance) return std::string(name.text);
    if (name.text == "az") {
      fail(name, std::string(action) + " takes " + describe_kinds(result_.settings, kinds) +
                     ", not an AZ");
    }
    fail(name, unknown_name_message(result_.settings, name.text, kinds, action));
  }

  std::string parse_name(token_cursor& cursor, unsigned kinds, std::string_view action) const {
    return parse_name(cursor.next(), kinds, action);
  }

  // A storage node, an instance, or `az X`.
  sim::target parse_target(token_cursor& cursor, std::string_view action) const {
    if (!cursor.peek_word("az")) {
      return sim::target{parse_name(cursor, storage_nodes | instances | azs, action), false};
    }
    cursor.next();
    const token letter = cursor.next();
    if (letter.kind != token_kind::word || !is_az_letter(letter.text)) {
      fail(letter, "expected an AZ letter after 'az' (a, b or c), found " + describe(letter));
    }
    return sim::target{std::string(letter.text), true};
  }

  sim::fault parse_partition(token_cursor& cursor) const {
    sim::partition value;
    parse_partition_set(cursor, value, false);
    const token separator = cursor.next();
    if (separator.kind != token_kind::bar && separator.kind != token_kind::arrow) {
      fail_expected(separator, "',', '|' or '->' in the partition");
    }
    value.one_way = separator.kind == token_kind::arrow;
    parse_partition_set(cursor, value, true);
    return value;
  }

  // `<member>[,<member>...]` into the left or right set; no member may overlap another.
  void parse_partition_set(token_cursor& cursor, sim::partition& value, bool right) const {
    std::vector<sim::target>& set = right ? value.right : value.left;
    do {
      const token first = cursor.peek();
      sim::target member = parse_target(cursor, "partition");
      check_overlap(first, member, set, "in this set");
      if (right) check_overlap(first, member, value.left, "on the other side of the partition");
      set.push_back(std::move(member));
    } while (cursor.accept(token_kind::comma));
  }

  static void check_overlap(const token& at, const sim::target& member,
                            const std::vector<sim::target>& others, std::string_view where) {
    for (const sim::target& other : others) {
      if (!targets_overlap(member, other)) continue;
      const std::string name = "'" + sim::to_string(member) + "'";
      if (member == other) fail(at, name + " is already " + std::string(where));
      fail(at, name + " overlaps '" + sim::to_string(other) + "' " + std::string(where));
    }
  }

  ops::failover parse_failover(token_cursor& cursor) const {
    if (cursor.peek_word("to")) {
      cursor.next();
      return ops::failover{parse_name(cursor, instances, "failover to")};
    }
    const token rest = cursor.peek();
    if (rest.kind == token_kind::word && rest.text != "as" && rest.text != "expect") {
      fail(rest, "expected 'to' or end of line after 'failover', found " + describe(rest) +
                     " (write: failover to " + std::string(rest.text) + ")");
    }
    return ops::failover{};
  }

  // ---- `as` and `expect` ---------------------------------------------------------------------

  // Returns the client's token (`end` when there is no `as`).
  static token parse_suffix(token_cursor& cursor, step& value) {
    const bool fault = !is_client_operation(value.what);
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
      if (fault) fail(keyword, "a fault has no outcome: 'expect' applies only to read and write");
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
    fail(rest, "unexpected " + describe(rest) + ": expected 'as', 'expect' or end of line");
  }

  static expectation parse_outcome(const token& outcome, const action& what) {
    using kind = expectation::kind;
    const bool read = std::holds_alternative<read_op>(what);
    if (outcome.kind == token_kind::word && outcome.text == "ok") return {kind::ok, 0};
    if (outcome.kind == token_kind::word && outcome.text == "unavailable") {
      return {kind::unavailable, 0};
    }
    const bool none = outcome.kind == token_kind::word && outcome.text == "none";
    const bool number = outcome.kind == token_kind::word && is_integer_text(outcome.text);
    if ((none || number) && !read) {
      fail(outcome, "'expect " + std::string(outcome.text) +
                        "' applies only to reads: a write can expect ok or unavailable");
    }
    if (none) return {kind::none, 0};
    if (number) return {kind::value, parse_int64(outcome, "an integer")};
    if (outcome.kind == token_kind::end) {
      fail_expected(outcome, "an outcome after 'expect' (ok, unavailable, none or an integer)");
    }
    fail(outcome,
         "unknown outcome " + describe(outcome) + ": expected ok, unavailable, none or an integer");
  }

  std::string file_;
  scenario result_;
  std::vector<parse_error> errors_;
  int line_ = 0;             // the line being parsed, 1-based
  int seed_line_ = 0;        // where `seed` was given, 0 if not yet
  int first_step_line_ = 0;  // the first `at` line, 0 if none yet: the header is over after it
  std::map<std::string, int, std::less<>> config_key_lines_;  // config key -> its line
  std::set<std::string, std::less<>> keys_seen_;              // distinct keys of the steps so far
  std::set<std::string, std::less<>> clients_seen_;  // distinct clients of the steps so far
  std::vector<std::string_view> step_keys_;          // keys new in the step being parsed
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
