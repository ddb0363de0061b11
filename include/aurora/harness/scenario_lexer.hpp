// The lexer of the scenario language, and the values every statement reads: tokens, syntax
// errors, integers, seeds, durations and percentages.
//
// docs/scenario-language.md, "Lexical": each line is cut into tokens (words, and the
// punctuation `|` `->` `,` `=`; `#` starts a comment), one at a time, so that a long line never
// becomes a long vector. A mistake throws `syntax_error` (the column and the message), which the
// parser (scenario_parser.hpp) catches once per line and reports as `file:line:column: message`.
// Every value is bounded here by `scenario_limits` (durations at most 400 days).
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "aurora/harness/scenario.hpp"
#include "aurora/sim/time.hpp"

namespace aurora::harness::detail {

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

// The units of a duration, in microseconds; 0 for an unknown unit. `min`, `h` and `d` are the
// scenario language's version 2 additions (`5min`, `72h`, `35d`: backups and retention).
inline std::int64_t unit_us(std::string_view unit) {
  if (unit == "us") return 1;
  if (unit == "ms") return 1'000;
  if (unit == "s") return 1'000'000;
  if (unit == "min") return 60'000'000;
  if (unit == "h") return 3'600'000'000;
  if (unit == "d") return 86'400'000'000;
  return 0;
}
inline constexpr std::string_view duration_units = "us, ms, s, min, h or d";

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

// `<digits><unit>` with unit us, ms, s, min, h or d: `250us`, `5ms`, `2s`, `5min`, at most
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
    fail(value, bad + "expected a whole number and a unit (" + std::string(duration_units) +
                    "), e.g. 5ms");
  }
  if (sign != 0) fail(value, bad + "durations cannot be negative");
  if (unit.empty()) fail(value, bad + "missing unit (" + std::string(duration_units) + ")");
  const std::int64_t scale = unit_us(unit);
  if (scale == 0) {
    fail(value, bad + "unknown unit '" + std::string(unit) + "' (expected " +
                    std::string(duration_units) + ")");
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

}  // namespace aurora::harness::detail
