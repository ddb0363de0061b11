// Graphviz DOT output of a recorded run: a space-time diagram (traces/README.md
// says how to read it; the use it is made for: a teacher projects a failure trace in class).
//
// Layout. Every participant is a lane, a vertical column headed (and footed) by its name;
// storage nodes are boxed by availability zone (`subgraph cluster_az_a`), instances and clients
// in boxes of their own, run-wide events on an unboxed "run" lane at the left, and a time axis
// left of everything. Every storage lane is drawn, so that the AZ boxes always look the same;
// an instance, client or other lane with no event in the window is left out (unless nothing at
// all is in the window). Time runs downwards: each distinct event time in the window is one
// row, so rows are evenly spaced whatever the gap between them, and the axis prints each row's
// time. Events of one lane at one row share one node (a multi-line label).
//
// Quiet rows (`dot_options::collapse_quiet_rows`, on by default). A row that holds only the
// ends of arrows (sends, deliveries, drops: no label) is merged with the quiet rows right after
// it while they carry the same message types in the same step, no lane gets different kinds of
// ends, and no message would be sent and received inside the merged row (so every arrow still
// points down). A fan-out's six deliveries, a fan-in's acks, or a retry and the drop of the
// previous try then take one row, whose axis label is a span (`20.519–20.657 ms`).
//
// The writer places every node itself and asks Graphviz only to draw (`layout=nop`, which
// `dot -Tsvg file` honours): lanes are exactly straight by construction, and a 2,000-event trace
// renders in half a second. Letting dot rank and place the same grid (rank=same rows, weighted
// lane chains) gave the same picture for small traces but took 15-30 s at 2,000 events, minutes
// with edge labels, because dot's x placement is superlinear in rows x lanes. Column widths come
// from a generous estimate of label widths, so boxes never overlap.
//
// Content. A message is an arrow from its `send` to its `deliver` (green for acks), ending in a
// red X at a `drop`, labelled with its type and summary (once when they are equal); a message
// that leaves or enters the window is a short dashed stub. Faults are orange octagons, on every
// storage lane of an AZ when the fault names one; a partition's full text is on the first lane
// it names and a short `✂ partition` on the others. LSN points (`VDL 1007`) and client
// operations (`write x=1`, `read x -> 1`) are compact labels, and a client lane is thick while
// an operation is in flight. Other events print their fields, except one that names the lane
// itself (`instance=db1` on db1), in at most two lines. A `violation` is a red box, the nodes of
// its step are outlined in red, and the graph label carries a red banner.
//
// Steps. `event::step`, a violation's `step` field and `dot_options::step_from/step_to` are
// 0-based indices; every label prints steps 1-based, as the harness and the runner do
// ("step 3" is index 2).
//
// Output is byte-identical for identical recorder contents: node ids come from rows and columns
// (`n<row>_<column>`, columns numbered in the recorder's lane order whether drawn or not),
// positions are integers, and only ordered containers are iterated.
//
// Deliberately left out: time-proportional spacing (rows are logical), and routing arrows
// around nodes (they are straight lines, as in a Lamport diagram).
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/sim/time.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

namespace aurora::trace {

struct dot_options {
  std::string title;  // graph label; empty = none
  // Keep only events whose step is in [from, to] (-1 = open). 0-based, like `event::step`.
  int step_from = -1, step_to = -1;
  std::optional<sim::time_point> time_from, time_to;  // keep only events in this time window
  // Merge consecutive rows that hold only arrow ends of the same message types (see the top of
  // this file); false gives every distinct time a row of its own.
  bool collapse_quiet_rows = true;
};

namespace dot_detail {

// ---------------------------------------------------------------------------------------------
// Text: escaping, wrapping, times.

// Length of the valid UTF-8 sequence that starts at text[i], or 0 if the byte there starts none.
// Graphviz warns about invalid UTF-8, so such bytes are written as '?'.
inline std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t length = lead < 0x80           ? 1
                             : (lead >> 5) == 0x6  ? 2
                             : (lead >> 4) == 0xe  ? 3
                             : (lead >> 3) == 0x1e ? 4
                                                   : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  }
  return length;
}

inline bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// Copies text into `out`: multi-byte UTF-8 sequences pass through (invalid bytes become '?'),
// and each single-byte character goes to `escape(out, c)`. The one walk both escapers share.
template <class escaper>
void append_escaped(std::string& out, std::string_view text, escaper&& escape) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_length(text, i);
    if (length != 1) {
      if (length == 0) out += '?';
      out.append(text.substr(i, length));
      i += std::max<std::size_t>(length, 1);
      continue;
    }
    escape(out, text[i++]);
  }
}

// Text inside an HTML-like label: markup characters as entities, a backslash doubled (Graphviz
// expands \N, \G ... in HTML labels too, after decoding entities), a newline as a line break,
// other control characters as spaces.
inline void append_html(std::string& out, std::string_view text) {
  append_escaped(out, text, [](std::string& into, char c) {
    switch (c) {
      case '&': into += "&amp;"; break;
      case '<': into += "&lt;"; break;
      case '>': into += "&gt;"; break;
      case '"': into += "&quot;"; break;
      case '\\': into += "\\\\"; break;
      case '\n': into += "<br/>"; break;
      default: into += is_control(c) ? ' ' : c;
    }
  });
}

// A DOT quoted string, quotes included: quote and backslash escaped, a newline as \n.
inline void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  append_escaped(out, text, [](std::string& into, char c) {
    if (c == '"' || c == '\\') {
      into += '\\';
      into += c;
    } else if (c == '\n') {
      into += "\\n";
    } else {
      into += is_control(c) ? ' ' : c;
    }
  });
  out += '"';
}

// Splits text into lines of at most `width` characters at spaces (longer words stay whole).
inline std::vector<std::string> wrap(std::string_view text, std::size_t width) {
  std::vector<std::string> lines(1);
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    const bool full = lines.back().size() + 1 + word.size() > width;
    if (!lines.back().empty() && full) lines.emplace_back();
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back().append(word);
    start = end + 1;
  }
  return lines;
}

// Microseconds as milliseconds with three decimals: 1250 -> "1.250 ms".
inline std::string time_text(std::int64_t t_us) {
  const bool negative = t_us < 0;
  const auto bits = static_cast<std::uint64_t>(t_us);
  const std::uint64_t magnitude = negative ? std::uint64_t{0} - bits : bits;
  std::string text = negative ? "-" : "";
  text += std::to_string(magnitude / 1000);
  text += '.';
  text += std::to_string(magnitude % 1000 + 1000).substr(1);
  text += " ms";
  return text;
}

// A row's time: "1.250 ms", or a span "1.250–1.400 ms" for merged rows.
inline std::string time_span_text(std::int64_t first_us, std::int64_t last_us) {
  if (first_us == last_us) return time_text(first_us);
  std::string first = time_text(first_us);
  first.resize(first.size() - 3);  // without " ms"
  return first + "\xe2\x80\x93" + time_text(last_us);
}

// A 0-based step index as people count steps, from 1 ("step 3" is index 2).
inline std::string step_text(std::int64_t step) { return std::to_string(step + 1); }

// The first `size` bytes of text, shortened so as not to split a UTF-8 sequence.
inline std::string utf8_prefix(std::string_view text, std::size_t size) {
  if (size >= text.size()) return std::string(text);
  while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xc0) == 0x80) --size;
  return std::string(text.substr(0, size));
}

// ---------------------------------------------------------------------------------------------
// Fields.

inline const field_value* find_field(const event& value, std::string_view key) {
  for (const field& entry : value.fields) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

inline std::optional<std::int64_t> integer_field(const event& value, std::string_view key) {
  const field_value* found = find_field(value, key);
  if (found == nullptr) return std::nullopt;
  if (const auto* integer = std::get_if<std::int64_t>(found)) return *integer;
  return std::nullopt;
}

// A field value as compact text; `separator` joins the pairs of a key -> value map.
inline std::string value_text(const field_value& value, std::string_view separator = " ") {
  if (std::holds_alternative<std::monostate>(value)) return "none";
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* boolean = std::get_if<bool>(&value)) return *boolean ? "true" : "false";
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  std::string text;
  for (const auto& [key, number] : std::get<key_values>(value)) {
    if (!text.empty()) text += separator;
    text += key;
    text += separator == " " ? "=" : " -> ";
    text += number ? std::to_string(*number) : "none";
  }
  return text;
}

inline std::string field_text(const event& value, std::string_view key) {
  const field_value* found = find_field(value, key);
  return found == nullptr ? std::string() : value_text(*found);
}

// Whether a field only repeats the name of the event's own lane (`instance=db1` on db1).
inline bool names_own_lane(const event& value, const field& entry) {
  const auto* text = std::get_if<std::string>(&entry.value);
  return text != nullptr && !value.lane.empty() && *text == value.lane;
}

// Every field as `key=value`, for kinds without a dedicated label; a field that names the
// event's own lane is left out, and a `step` is printed 1-based.
inline std::string fields_text(const event& value) {
  std::string text;
  for (const field& entry : value.fields) {
    if (names_own_lane(value, entry)) continue;
    if (!text.empty()) text += ' ';
    text += entry.key;
    text += '=';
    const auto* step = std::get_if<std::int64_t>(&entry.value);
    text += entry.key == key::step && step != nullptr ? step_text(*step) : value_text(entry.value);
  }
  return text;
}

// True when a message type names an acknowledgement: "ack", "write_ack", "ack-batch".
inline bool is_ack_type(std::string_view type) {
  std::string word;
  for (std::size_t i = 0; i <= type.size(); ++i) {
    if (i < type.size() && std::isalnum(static_cast<unsigned char>(type[i])) != 0) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(type[i])));
      continue;
    }
    if (word == "ack" || word == "acks") return true;
    word.clear();
  }
  return false;
}

// The label of a message arrow: the send's `type` and `summary` fields, when present; the
// summary once when it only repeats the type (`reply`, not `reply reply`).
inline std::string message_label(const event& send) {
  std::string label = field_text(send, key::type);
  const std::string summary = field_text(send, key::summary);
  if (summary == label) return label;
  if (!label.empty() && !summary.empty()) label += ' ';
  return label + summary;
}

// ---------------------------------------------------------------------------------------------
// Labels of events: one or more lines, each with a colour and weight.

struct label_line {
  std::string text;
  std::string_view color = "#202020";
  bool bold = false;
};

// invoke / ok / fail / info: `write x=1`, `ok`, `read x -> 1`, `fail`, `info (timeout)`.
inline label_line client_line(const event& value) {
  const std::string op = field_text(value, key::op);
  const field_value* keys = find_field(value, key::value);
  std::string reason = field_text(value, key::reason);
  if (reason.empty()) reason = field_text(value, key::error);
  if (value.kind == kind::invoke) {
    std::string text = op.empty() ? std::string(kind::invoke) : op;
    if (keys != nullptr && op == "read" && std::holds_alternative<key_values>(*keys)) {
      for (const auto& entry : std::get<key_values>(*keys)) text += ' ' + entry.first;
    } else if (keys != nullptr) {
      text += ' ' + value_text(*keys);
    }
    return {text, "#0d47a1", true};
  }
  if (value.kind == kind::ok && op == "read" && keys != nullptr) {
    return {"read " + value_text(*keys, ", "), "#1b5e20", true};
  }
  std::string text = value.kind;
  if (!reason.empty()) text += " (" + reason + ")";
  if (value.kind == kind::ok) return {text, "#1b5e20", true};
  if (value.kind == kind::fail) return {text, "#b71c1c", true};
  return {text, "#6a1b9a", true};
}

// vcl, vdl, scl, pgcl, epoch, truncate, recovery: `VDL 1007`, `epoch 2`. The point is the
// `lsn` or `value` field, or the field named like the kind (`epoch`), or else every field.
inline label_line lsn_point_line(const event& value) {
  const bool paper_point =
      value.kind == kind::vcl || value.kind == kind::vdl || value.kind == kind::scl || value.kind == kind::pgcl;
  std::string text;
  for (const char c : value.kind) {
    text += paper_point ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
  }
  std::string point = field_text(value, key::lsn);
  if (point.empty()) point = field_text(value, key::value);
  if (point.empty()) point = field_text(value, value.kind);
  if (point.empty()) point = fields_text(value);
  if (!point.empty()) text += ' ' + point;
  const bool volume_point = value.kind == kind::vcl || value.kind == kind::vdl;
  return {text, volume_point ? "#0d47a1" : "#37474f", volume_point};
}

inline bool is_lsn_point(std::string_view of) {
  return of == kind::vcl || of == kind::vdl || of == kind::scl || of == kind::pgcl ||
         of == kind::epoch || of == kind::truncate || of == kind::recovery;
}

inline bool is_client_kind(std::string_view of) {
  return of == kind::invoke || of == kind::ok || of == kind::fail || of == kind::info;
}

// True for the events that are drawn as the ends of arrows rather than as text.
inline bool is_message_end(const event& value) {
  if (value.message_id == 0) return false;
  return value.kind == kind::send || value.kind == kind::deliver || value.kind == kind::drop ||
         value.kind == kind::ack;
}

constexpr std::size_t label_width = 30;  // characters per line of a node label
constexpr std::size_t label_limit = 90;  // a field list longer than this is cut ("...")

// Adds the line wrapped to `width`; empty parts are left out (Graphviz rejects an empty <font>).
inline void add_wrapped(std::vector<label_line>& lines, const label_line& line, std::size_t width) {
  for (std::string& part : wrap(line.text, width)) {
    if (!part.empty()) lines.push_back({std::move(part), line.color, line.bold});
  }
}

// Adds a field list in at most two lines where its words allow: lines of `label_width`
// characters when two of them are enough, wider ones otherwise; cut beyond `label_limit`.
inline void add_two_lines(std::vector<label_line>& lines, label_line line) {
  if (line.text.size() > label_limit) line.text = utf8_prefix(line.text, label_limit - 3) + "...";
  std::size_t width = label_width;
  while (width < line.text.size() && wrap(line.text, width).size() > 2) ++width;
  add_wrapped(lines, line, width);
}

// The text lines an event contributes to its node (none for the ends of message arrows).
inline void add_event_lines(std::vector<label_line>& lines, const event& value) {
  constexpr std::size_t width = label_width;
  if (is_message_end(value)) return;
  if (value.kind == kind::violation) {
    add_wrapped(lines, {"VIOLATION " + field_text(value, key::invariant), "#b71c1c", true}, width);
    add_wrapped(lines, {field_text(value, key::reason), "#b71c1c", false}, width);
  } else if (value.kind == kind::fault) {
    std::string text = field_text(value, key::fault);
    if (text.empty()) text = "fault " + fields_text(value);
    add_wrapped(lines, {text, "#000000", true}, width);
  } else if (value.kind == kind::ack) {
    std::string text = "ack from " + field_text(value, key::from);
    const std::string lsn = field_text(value, key::lsn);
    if (!lsn.empty()) text += " lsn " + lsn;
    add_wrapped(lines, {text, "#1b5e20", false}, width);
  } else if (is_client_kind(value.kind)) {
    add_wrapped(lines, client_line(value), width);
  } else if (is_lsn_point(value.kind)) {
    add_two_lines(lines, lsn_point_line(value));
  } else {
    add_two_lines(lines, {value.kind + ' ' + fields_text(value), "#37474f", false});
  }
}

// ---------------------------------------------------------------------------------------------
// The diagram model: columns, rows, cells and messages, computed before anything is written.

struct column {
  std::string name;
  std::string group;        // cluster name after "cluster_": "az_a", "instances", "run"
  std::string group_label;  // "AZ a"
  char az = 0;
  bool storage = false;
};

// One node of a lane: its events at one time.
struct cell {
  std::vector<std::size_t> events;
};

// The loose end of a message that the window cuts (an invisible point a little above or below
// the lane's node), or the red X of a message dropped at its sender; beside the lane's node on
// the side of the message's other end.
enum class stub_kind { outgoing, incoming, dropped };

struct stub {
  std::string id;  // "s3"
  int level = 0;
  int column = 0;  // the lane whose node it sits beside
  bool left = false;
  stub_kind kind = stub_kind::outgoing;
};

struct message_info {
  std::optional<std::size_t> send;
  std::vector<std::size_t> arrivals;  // deliver and drop events; ack events when there are none
  bool ack = false;
};

// A row: the span of distinct event times it shows (one time unless quiet rows were merged).
struct row_span {
  std::int64_t first_us = 0, last_us = 0;
};

struct diagram {
  std::vector<bool> kept;           // per event: inside the window
  std::vector<std::int64_t> times;  // distinct kept times, ascending
  std::vector<int> level_of_time;   // per entry of `times`: its row's level
  std::vector<row_span> rows;       // row r is level r + 1
  std::vector<column> columns;
  std::vector<int> display;   // the drawn columns' indices, left to right
  std::vector<int> position;  // per drawn column: its index in `display`
  std::vector<int> rank;      // per column, drawn or not: its place in the left-to-right order
  std::map<std::string, int> column_of;
  int run_column = -1;
  // (level, column) -> node. Levels 1 .. rows.size() are the rows; level 0 holds the lane
  // names and level rows.size() + 1 the names again at the bottom.
  std::map<std::pair<int, int>, cell> cells;
  std::vector<int> home;  // per event: the column of its (first) node; -1 if cut
  std::set<std::int64_t> violation_steps;
  std::vector<stub> stubs;
  std::map<std::tuple<int, int, bool, stub_kind>, std::size_t> stub_of;
  std::set<std::size_t> sender_drops;  // drops drawn as a stub X rather than on their lane
  std::set<std::tuple<std::string, std::string, std::string>> drawn;  // (from, to, label)
  std::set<std::pair<std::string, std::string>> labelled;             // (from, label)
  std::string message_edges;
};

inline bool in_window(const event& value, const dot_options& options) {
  if (options.step_from >= 0 && value.step < options.step_from) return false;
  if (options.step_to >= 0 && value.step > options.step_to) return false;
  if (options.time_from && value.t < *options.time_from) return false;
  if (options.time_to && value.t > *options.time_to) return false;
  return true;
}

// A cluster name made only of letters, digits and underscores.
inline std::string cluster_key(std::string_view text) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  std::string key;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '_') {
      key += c;
    } else {
      key += 'x';
      key += hex_digits[byte >> 4];
      key += hex_digits[byte & 0xf];
    }
  }
  return key;
}

inline column column_for(const lane& source) {
  column result{source.name, "others", "other", source.az, source.role == "storage"};
  if (source.role == "storage" && source.az != 0) {
    result.group = "az_" + cluster_key(std::string(1, source.az));
    result.group_label = "AZ " + std::string(1, source.az);
  } else if (source.role == "storage") {
    result.group = result.group_label = "storage";
  } else if (source.role == "instance") {
    result.group = result.group_label = "instances";
  } else if (source.role == "client") {
    result.group = result.group_label = "clients";
  }
  return result;
}

inline int add_column(diagram& d, column value) {
  const int index = static_cast<int>(d.columns.size());
  d.column_of.emplace(value.name, index);  // the first lane of a name wins
  d.columns.push_back(std::move(value));
  return index;
}

inline int find_column(const diagram& d, const std::string& name) {
  const auto found = d.column_of.find(name);
  return name.empty() || found == d.column_of.end() ? -1 : found->second;
}

// The words of a fault's text: `partition db1 | az a,az b` -> partition db1 az a az b.
inline std::vector<std::string> fault_words(const event& value) {
  std::vector<std::string> words(1);
  for (const char c : field_text(value, key::fault)) {
    if (c == ' ' || c == ',' || c == '|' || c == '-' || c == '>') {
      if (!words.back().empty()) words.emplace_back();
    } else {
      words.back() += c;
    }
  }
  return words;
}

// Adds column `c` to `found` unless it is there already or is no column (-1).
inline void add_unique(std::vector<int>& found, int c) {
  if (c >= 0 && std::find(found.begin(), found.end(), c) == found.end()) found.push_back(c);
}

// Fallback for a fault recorded without `lanes` (today only a failover, which
// ops/deployment.hpp records): the columns are read from the fault's text, its lane first, then
// every storage lane of an AZ it names (`az b`) and, for a fault without a lane, each lane it
// names. This goes once every emitter records lanes.
inline std::vector<int> fault_columns_from_text(const diagram& d, const event& value) {
  const std::vector<std::string> words = fault_words(value);
  std::vector<int> found;
  add_unique(found, find_column(d, value.lane));
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "az" && i + 1 < words.size() && words[i + 1].size() == 1) {
      for (int c = 0; c < static_cast<int>(d.columns.size()); ++c) {
        if (d.columns[c].storage && d.columns[c].az == words[i + 1][0]) add_unique(found, c);
      }
      ++i;  // the AZ's letter is not a lane name
    } else if (value.lane.empty()) {
      add_unique(found, find_column(d, words[i]));
    }
  }
  return found;
}

// The columns a fault is drawn on, the first one first: the lanes the network recorded that it
// touched (the `lanes` field, names joined by ','), in that order.
inline std::vector<int> fault_columns(const diagram& d, const event& value) {
  const field_value* lanes = find_field(value, key::lanes);
  const auto* names = lanes == nullptr ? nullptr : std::get_if<std::string>(lanes);
  if (names == nullptr) return fault_columns_from_text(d, value);
  std::vector<int> found;
  for (const std::string& name : split_lane_names(*names)) {
    add_unique(found, find_column(d, name));
  }
  return found;
}

// A partition names many lanes; its full text is drawn on the first, this on the others.
constexpr std::string_view partition_marker = "\xe2\x9c\x82 partition";  // scissors

inline bool is_partition(const event& value) {
  return value.kind == kind::fault && fault_words(value).front() == "partition";
}

// The columns an event is drawn on; empty means the run lane.
inline std::vector<int> event_columns(const diagram& d, const event& value) {
  if (value.kind == kind::fault) return fault_columns(d, value);
  const int own = find_column(d, value.lane);
  if (own < 0) return {};
  return {own};
}

// The index of a kept event's time in `d.times`.
inline std::size_t time_index(const diagram& d, sim::time_point t) {
  const auto found = std::lower_bound(d.times.begin(), d.times.end(), t.count_us());
  return static_cast<std::size_t>(found - d.times.begin());
}

inline int level_of(const diagram& d, sim::time_point t) {
  return d.level_of_time[time_index(d, t)];
}

inline std::string cell_id(int level, int column) {
  return 'n' + std::to_string(level) + '_' + std::to_string(column);
}

// Columns from the recorder's lanes and from lanes that only events name; rows from times.
inline void add_columns_and_rows(diagram& d, const recorder& source, const dot_options& options) {
  const std::vector<event>& events = source.events();
  for (const lane& each : source.lanes()) add_column(d, column_for(each));
  d.kept.assign(events.size(), false);
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!in_window(events[i], options)) continue;
    d.kept[i] = true;
    d.times.push_back(events[i].t.count_us());
    if (!events[i].lane.empty() && d.column_of.count(events[i].lane) == 0) {
      add_column(d, column_for(lane{events[i].lane, 0, "other"}));
    }
  }
  std::sort(d.times.begin(), d.times.end());
  d.times.erase(std::unique(d.times.begin(), d.times.end()), d.times.end());
}

// ---------------------------------------------------------------------------------------------
// Rows: one per distinct time, runs of quiet rows merged (dot_options::collapse_quiet_rows).

// What merging needs to know about the events at one time, or at a run of merged times.
struct row_summary {
  bool quiet = true;  // only arrow ends (send, deliver, drop, ack), each on a known lane
  std::set<std::pair<int, std::string>> signature;  // (step, message type) of every event
  std::map<int, std::set<std::string>> ends;        // per column: the kinds of its arrow ends
  std::set<std::uint64_t> sent, arrived;            // message ids
};

// The type of every message: its send's `type` field, or else the first of its ends that has one.
inline std::map<std::uint64_t, std::string> message_types(const recorder& source) {
  std::map<std::uint64_t, std::string> types;
  for (const event& value : source.events()) {
    if (value.message_id == 0) continue;
    std::string type = field_text(value, key::type);
    std::string& known = types[value.message_id];
    if (value.kind == kind::send || known.empty()) known = std::move(type);
  }
  return types;
}

// Adds one kept event to the summary of its time.
inline void summarize(row_summary& row, const diagram& d, const event& value,
                      const std::map<std::uint64_t, std::string>& types) {
  const int c = find_column(d, value.lane);
  if (!is_message_end(value) || c < 0) {
    row.quiet = false;
    return;
  }
  row.signature.insert({value.step, types.at(value.message_id)});
  row.ends[c].insert(value.kind);
  (value.kind == kind::send ? row.sent : row.arrived).insert(value.message_id);
}

// Whether a row may join the run of quiet rows before it: both quiet, the same message types in
// the same step, no lane with different kinds of ends, no arrival of a message sent in the run
// (its arrow would be flat).
inline bool can_join(const row_summary& run, const row_summary& row) {
  if (!run.quiet || !row.quiet || run.signature != row.signature) return false;
  for (const std::uint64_t id : row.arrived) {
    if (run.sent.count(id) != 0) return false;
  }
  for (const auto& [c, kinds] : row.ends) {
    const auto found = run.ends.find(c);
    if (found != run.ends.end() && found->second != kinds) return false;
  }
  return true;
}

// Gives every distinct time its level: a row of its own, or the run of quiet rows it joins.
inline void assign_rows(diagram& d, const recorder& source, const dot_options& options) {
  const std::vector<event>& events = source.events();
  const std::map<std::uint64_t, std::string> types = message_types(source);
  std::vector<row_summary> summaries(d.times.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (d.kept[i]) summarize(summaries[time_index(d, events[i].t)], d, events[i], types);
  }
  row_summary run;
  for (std::size_t k = 0; k < d.times.size(); ++k) {
    if (options.collapse_quiet_rows && k != 0 && can_join(run, summaries[k])) {
      run.sent.insert(summaries[k].sent.begin(), summaries[k].sent.end());
      run.ends.insert(summaries[k].ends.begin(), summaries[k].ends.end());
      d.rows.back().last_us = d.times[k];
    } else {
      run = std::move(summaries[k]);
      d.rows.push_back({d.times[k], d.times[k]});
    }
    d.level_of_time.push_back(static_cast<int>(d.rows.size()));
  }
}

// ---------------------------------------------------------------------------------------------
// Cells and columns.

// Puts every kept event into its cells, adding the run lane if some event needs it.
inline void place_events(diagram& d, const recorder& source) {
  const std::vector<event>& events = source.events();
  d.home.assign(events.size(), -1);
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!d.kept[i]) continue;
    std::vector<int> targets = event_columns(d, events[i]);
    if (targets.empty()) {
      if (d.run_column < 0) d.run_column = add_column(d, column{"run", "run", "", 0, false});
      targets.push_back(d.run_column);
    }
    d.home[i] = targets.front();
    const int level = level_of(d, events[i].t);
    for (const int c : targets) d.cells[{level, c}].events.push_back(i);
  }
  for (const event& value : events) {
    if (value.kind != kind::violation) continue;
    d.violation_steps.insert(integer_field(value, key::step).value_or(value.step));
  }
}

// Whether each column is drawn: a storage lane always (so that the AZ boxes keep their shape),
// another lane when it has a node in the window, and every lane when the window is empty.
inline std::vector<bool> drawn_columns(const diagram& d) {
  std::vector<bool> drawn(d.columns.size(), d.cells.empty());
  for (std::size_t c = 0; c < d.columns.size(); ++c) {
    if (d.columns[c].storage) drawn[c] = true;
  }
  for (const auto& [key, node] : d.cells) drawn[key.second] = true;
  return drawn;
}

// Left to right: the run lane, then each group where its first lane is, lanes in added order.
// `rank` orders every lane (it tells which side a lane is on); `display` and `position` hold
// only the drawn ones.
inline void order_columns(diagram& d) {
  std::vector<int> order;
  if (d.run_column >= 0) order.push_back(d.run_column);
  std::vector<std::string> groups;
  for (const column& each : d.columns) {
    if (each.group != "run" && std::find(groups.begin(), groups.end(), each.group) == groups.end())
      groups.push_back(each.group);
  }
  for (const std::string& group : groups) {
    for (int c = 0; c < static_cast<int>(d.columns.size()); ++c) {
      if (d.columns[c].group == group) order.push_back(c);
    }
  }
  const std::vector<bool> drawn = drawn_columns(d);
  d.rank.assign(d.columns.size(), 0);
  d.position.assign(d.columns.size(), -1);
  for (std::size_t p = 0; p < order.size(); ++p) {
    d.rank[order[p]] = static_cast<int>(p);
    if (!drawn[order[p]]) continue;
    d.position[order[p]] = static_cast<int>(d.display.size());
    d.display.push_back(order[p]);
  }
}

// ---------------------------------------------------------------------------------------------
// Messages: arrows, and stubs where the window cuts them.

inline std::map<std::uint64_t, message_info> collect_messages(const recorder& source) {
  std::map<std::uint64_t, message_info> messages;
  std::map<std::uint64_t, std::vector<std::size_t>> acks;
  const std::vector<event>& events = source.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const event& value = events[i];
    if (value.message_id == 0) continue;
    message_info& info = messages[value.message_id];
    if (value.kind == kind::send && !info.send) {
      info.send = i;
      info.ack = info.ack || is_ack_type(field_text(value, key::type));
    } else if (value.kind == kind::deliver || value.kind == kind::drop) {
      info.arrivals.push_back(i);
    } else if (value.kind == kind::ack) {
      info.ack = true;
      acks[value.message_id].push_back(i);
    }
  }
  for (auto& [id, info] : messages) {
    if (info.arrivals.empty() && acks.count(id) != 0) info.arrivals = acks[id];
  }
  return messages;
}

inline void add_edge(diagram& d, const std::string& from, const std::string& to,
                     const std::string& label, bool ack, std::string_view extra) {
  std::string& out = d.message_edges;
  out += "  " + from + " -> " + to + " [";
  if (!label.empty()) {
    out += "xlabel=";
    append_quoted(out, label);
    out += ", ";
  }
  out += ack ? "color=\"#2e7d32\", fontcolor=\"#2e7d32\"" : "color=\"#263238\"";
  if (!extra.empty()) {
    out += ", ";
    out += extra;
  }
  out += "];\n";
}

// Whether a stub beside `column` goes on its left: when the other end's lane is to the left.
inline bool stub_on_left(const diagram& d, int column, int other_end) {
  return other_end >= 0 && d.rank[other_end] < d.rank[column];
}

// The stub of one kind beside the node (level, column) on one side, made on first use.
inline std::string stub_beside(diagram& d, int level, int column, bool left, stub_kind kind) {
  const auto [found, fresh] =
      d.stub_of.emplace(std::make_tuple(level, column, left, kind), d.stubs.size());
  if (fresh) d.stubs.push_back({'s' + std::to_string(d.stubs.size()), level, column, left, kind});
  return d.stubs[found->second].id;
}

// A message arrow, once per (from, to, label); only the first arrow of a fan-out with the same
// label from the same node is labelled.
inline void add_message(diagram& d, const std::string& from, const std::string& to,
                        const std::string& label, bool ack, std::string_view extra) {
  if (!d.drawn.insert({from, to, label}).second) return;
  const bool first = d.labelled.insert({from, label}).second;
  add_edge(d, from, to, first ? label : std::string(), ack, extra);
}

// A message whose send is outside the window: a dashed stub into each arrival inside it.
inline void plan_incoming(diagram& d, const recorder& source, const message_info& info,
                          const std::string& label) {
  const std::vector<event>& events = source.events();
  for (const std::size_t a : info.arrivals) {
    if (!d.kept[a]) continue;
    const int level = level_of(d, events[a].t);
    const bool left = stub_on_left(d, d.home[a], find_column(d, events[a].peer));
    const std::string end = stub_beside(d, level, d.home[a], left, stub_kind::incoming);
    add_message(d, end, cell_id(level, d.home[a]), label, info.ack, "style=dashed");
  }
}

// A message sent inside the window: an arrow to each arrival inside it (ending in a red X for
// a drop), a red X beside the sender for a drop at the sender, and a dashed stub when no
// arrival is inside the window.
inline void plan_outgoing(diagram& d, const recorder& source, const message_info& info,
                          const std::string& label) {
  const std::vector<event>& events = source.events();
  const std::size_t send = *info.send;
  const std::string from = cell_id(level_of(d, events[send].t), d.home[send]);
  const bool left = stub_on_left(d, d.home[send], find_column(d, events[send].peer));
  bool arrived = false;
  for (const std::size_t a : info.arrivals) {
    if (!d.kept[a]) continue;
    arrived = true;
    const bool dropped = events[a].kind == kind::drop;
    const int level = level_of(d, events[a].t);
    std::string to = cell_id(level, d.home[a]);
    if (dropped && d.home[a] == d.home[send]) {
      d.sender_drops.insert(a);
      to = stub_beside(d, level, d.home[a], left, stub_kind::dropped);
    }
    add_message(d, from, to, label, info.ack, dropped ? "arrowhead=none" : "");
  }
  if (arrived) return;
  const std::string end =
      stub_beside(d, level_of(d, events[send].t), d.home[send], left, stub_kind::outgoing);
  add_message(d, from, end, label, info.ack, "style=dashed");
}

inline diagram build_diagram(const recorder& source, const dot_options& options) {
  diagram d;
  add_columns_and_rows(d, source, options);
  assign_rows(d, source, options);
  place_events(d, source);
  order_columns(d);
  for (const auto& [id, info] : collect_messages(source)) {
    const std::string label = info.send ? message_label(source.events()[*info.send]) : "";
    if (info.send && d.kept[*info.send]) {
      plan_outgoing(d, source, info, label);
    } else {
      plan_incoming(d, source, info, label);
    }
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// Looks: what each node shows, computed once, used both to size the grid and to write it.

struct cell_look {
  std::vector<label_line> lines;
  bool fault = false, violation = false, dropped = false, in_step = false;
};

// What the node of `column` shows: its events' lines (a partition's short marker where the
// partition is not at home), its shape and its outline.
inline cell_look look_of(const diagram& d, const recorder& source, const cell& node, int column) {
  cell_look look;
  for (const std::size_t i : node.events) {
    const event& value = source.events()[i];
    if (is_partition(value) && d.home[i] != column) {
      look.lines.push_back({std::string(partition_marker), "#000000", true});
    } else {
      add_event_lines(look.lines, value);
    }
    look.fault = look.fault || value.kind == kind::fault;
    look.violation = look.violation || value.kind == kind::violation;
    look.dropped = look.dropped ||
                   (value.kind == kind::drop && value.message_id != 0 && d.sender_drops.count(i) == 0);
    look.in_step = look.in_step || d.violation_steps.count(value.step) != 0;
  }
  if (look.dropped && !look.lines.empty()) look.lines.push_back({"X", "#d50000", true});
  return look;
}

// ---------------------------------------------------------------------------------------------
// Geometry. Graphviz only draws (`layout=nop`): the writer places every node itself on a grid
// of lanes and rows, so lanes are exactly vertical and a 2,000-event trace renders in a second,
// where dot's own placement of a grid that size takes tens of seconds. Lengths are in points
// (1/72 inch), measured from the top; text widths are estimated generously from character
// counts, so that columns are always wide enough for what Graphviz then draws.

constexpr int font_size = 14;         // node labels
constexpr int header_font_size = 16;  // lane names
constexpr int line_height = 18;
constexpr int column_gap = 30;        // between two lanes in one box
constexpr int box_padding = 14;       // between a box's border and its lanes
constexpr int box_gap = 20;           // between two boxes
constexpr int box_label_height = 30;  // the band above the lane names for the box's label
constexpr int row_gap = 12;
constexpr int stub_rise = 18;  // a stub's loose end is this far below or above its node

// Counts characters (UTF-8 lead bytes), the widest Latin letters and every non-ASCII character
// (a dash, a symbol from a fallback font) as one and a half.
inline int text_width(std::string_view text, int size, bool bold) {
  int half_characters = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xc0) == 0x80) continue;
    const bool wide = c == 'M' || c == 'W' || c == 'm' || c == 'w' || byte >= 0x80;
    half_characters += wide ? 3 : 2;
  }
  return half_characters * size * (bold ? 72 : 64) / 200;
}

// The estimated (width, height) of a node.
inline std::pair<int, int> look_size(const cell_look& look) {
  if (look.lines.empty()) return look.dropped ? std::pair{16, 20} : std::pair{10, 10};
  int width = 0;
  for (const label_line& line : look.lines) {
    width = std::max(width, text_width(line.text, font_size, line.bold));
  }
  width += 18;
  int height = static_cast<int>(look.lines.size()) * line_height + 8;
  if (look.fault && !look.violation) {  // an octagon around the text
    width += 14;
    height = height * 5 / 4 + 6;
  }
  return {width, height};
}

struct geometry {
  std::map<std::pair<int, int>, cell_look> looks;  // per cell, same keys as diagram::cells
  std::vector<int> x, width;                       // per column: centre and width
  std::vector<int> y;                              // per level: centre
  int axis_x = 0, axis_width = 0, height = 0;
};

// Column widths and row heights from what the nodes show; the y of every level.
inline void measure(geometry& g, const diagram& d, const recorder& source) {
  const std::size_t levels = d.rows.size() + 2;
  std::vector<int> row_height(levels, 22);
  row_height.front() = 30;
  g.width.assign(d.columns.size(), 40);
  for (std::size_t c = 0; c < d.columns.size(); ++c) {
    g.width[c] = std::max(g.width[c], text_width(d.columns[c].name, header_font_size, true) + 24);
  }
  for (const auto& [key, node] : d.cells) {
    const cell_look& look =
        g.looks.emplace(key, look_of(d, source, node, key.second)).first->second;
    const auto [width, height] = look_size(look);
    g.width[key.second] = std::max(g.width[key.second], width);
    row_height[key.first] = std::max(row_height[key.first], height);
  }
  g.axis_width = text_width("time", header_font_size, true) + 8;
  for (const row_span& row : d.rows) {
    const std::string text = time_span_text(row.first_us, row.last_us);
    g.axis_width = std::max(g.axis_width, text_width(text, font_size, false) + 8);
  }
  g.y.assign(levels, 0);
  int top = box_label_height;
  for (std::size_t level = 0; level < levels; ++level) {
    if (level != 0) top += row_gap;
    g.y[level] = top + row_height[level] / 2;
    top += row_height[level];
  }
  g.height = top + box_padding;
}

// The x of every lane: the time axis, then the lanes left to right, boxes apart.
inline void place_columns(geometry& g, const diagram& d) {
  g.x.assign(d.columns.size(), 0);
  g.axis_x = g.axis_width / 2;
  int x = g.axis_width + box_gap;
  for (std::size_t p = 0; p < d.display.size(); ++p) {
    const int c = d.display[p];
    if (p == 0) {
      x += box_padding;
    } else if (d.columns[d.display[p - 1]].group != d.columns[c].group) {
      x += 2 * box_padding + box_gap;
    } else {
      x += column_gap;
    }
    g.x[c] = x + g.width[c] / 2;
    x += g.width[c];
  }
}

// Where a stub goes: beside its node, toward (at most halfway to) the neighbouring lane.
inline std::pair<int, int> stub_position(const geometry& g, const diagram& d, const stub& each) {
  const int side = each.left ? -1 : 1;
  const int x = g.x[each.column];
  const int neighbour = d.position[each.column] + side;
  int reach = 50;
  if (neighbour >= 0 && neighbour < static_cast<int>(d.display.size())) {
    reach = std::min(70, std::abs(g.x[d.display[neighbour]] - x) / 2);
  }
  const auto found = g.looks.find({each.level, each.column});
  const int half_width = found == g.looks.end() ? 5 : look_size(found->second).first / 2;
  reach = std::max(reach, half_width + 24);
  int y = g.y[each.level];
  if (each.kind == stub_kind::outgoing) y += stub_rise;
  if (each.kind == stub_kind::incoming) y -= stub_rise;
  return {x + side * reach, y};
}

// ---------------------------------------------------------------------------------------------
// Writing.

inline std::string position(const geometry& g, int x, int y) {
  return "pos=\"" + std::to_string(x) + ',' + std::to_string(g.height - y) + '"';
}

inline void append_lines_html(std::string& out, const std::vector<label_line>& lines) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i != 0) out += "<br/>";
    out += "<font color=\"";
    out += lines[i].color;
    out += "\">";
    if (lines[i].bold) out += "<b>";
    append_html(out, lines[i].text);
    if (lines[i].bold) out += "</b>";
    out += "</font>";
  }
}

constexpr std::string_view red_x =
    "shape=plaintext, fontsize=16, width=0.1, height=0.1, margin=0, "
    "label=<<font color=\"#d50000\"><b>X</b></font>>";

// One node: a labelled box, a red X for a drop, or a small point for the ends of arrows.
inline void write_cell(std::string& out, const geometry& g, std::pair<int, int> key,
                       const cell_look& look) {
  out += "    " + cell_id(key.first, key.second) + " [" +
         position(g, g.x[key.second], g.y[key.first]) + ", ";
  if (look.lines.empty()) {
    if (look.dropped) {
      out += red_x;
    } else {
      out += look.in_step ? "shape=point, width=0.13, color=red, fillcolor=red"
                          : "shape=point, width=0.1, color=\"#263238\", fillcolor=\"#263238\"";
    }
    out += "];\n";
    return;
  }
  if (look.violation) out += "fillcolor=\"#ffcdd2\", ";
  if (look.fault && !look.violation) out += "shape=octagon, style=filled, fillcolor=\"#ffa726\", ";
  if (look.fault && !look.violation && !look.in_step) out += "color=\"#e65100\", ";
  if (look.in_step || look.violation) out += "color=red, penwidth=2, ";
  out += "label=<";
  append_lines_html(out, look.lines);
  out += ">];\n";
}

// A lane: its name on top, its nodes, its name again at the bottom.
inline void write_lane_nodes(std::string& out, const geometry& g, const diagram& d, int c) {
  const std::string& name = d.columns[c].name;
  out += "    h" + std::to_string(c) + " [" + position(g, g.x[c], g.y.front()) +
         ", shape=box, style=\"filled,bold\", color=\"#263238\", fontsize=16, label=<<b>";
  append_html(out, name);
  out += "</b>>];\n";
  for (const auto& [key, look] : g.looks) {
    if (key.second == c) write_cell(out, g, key, look);
  }
  out += "    f" + std::to_string(c) + " [" + position(g, g.x[c], g.y.back()) +
         ", shape=plaintext, fontcolor=\"#78909c\", label=";
  append_quoted(out, name);
  out += "];\n";
}

inline std::string_view group_fill(std::string_view group) {
  if (group.substr(0, 3) == "az_") return "#e3f2fd";
  if (group == "instances") return "#ede7f6";
  if (group == "clients") return "#f1f8e9";
  return "#f5f5f5";
}

// Opens the box (cluster) around display positions [first, end), which share one group.
inline void open_box(std::string& out, const geometry& g, const diagram& d, std::size_t first,
                     std::size_t end) {
  const column& group = d.columns[d.display[first]];
  const int left_lane = d.display[first], right_lane = d.display[end - 1];
  const int left = g.x[left_lane] - g.width[left_lane] / 2 - box_padding;
  const int right = g.x[right_lane] + (g.width[right_lane] + 1) / 2 + box_padding;
  out += "  subgraph cluster_" + group.group + " {\n    bb=\"" + std::to_string(left) + ",0," +
         std::to_string(right) + ',' + std::to_string(g.height) + "\"; label=";
  append_quoted(out, group.group_label);
  out += "; style=\"rounded,filled\"; color=\"#90a4ae\"; fontsize=18; fillcolor=\"";
  out += group_fill(group.group);
  out += "\";\n";
}

// The lanes, each group of them in its box; the run lane unboxed; then the stubs.
inline void write_lanes(std::string& out, const geometry& g, const diagram& d) {
  for (std::size_t first = 0, end = 0; first < d.display.size(); first = end) {
    const std::string& group = d.columns[d.display[first]].group;
    while (end < d.display.size() && d.columns[d.display[end]].group == group) ++end;
    if (group != "run") open_box(out, g, d, first, end);
    for (std::size_t p = first; p < end; ++p) write_lane_nodes(out, g, d, d.display[p]);
    if (group != "run") out += "  }\n";
  }
  for (const stub& each : d.stubs) {
    const auto [x, y] = stub_position(g, d, each);
    out += "  " + each.id + " [" + position(g, x, y) + ", ";
    out += each.kind == stub_kind::dropped ? red_x : "shape=point, style=invis, width=0.05";
    out += "];\n";
  }
}

// The time axis: one label per row, joined by a thin line.
inline void write_time_axis(std::string& out, const geometry& g, const diagram& d) {
  out += "  time_h [" + position(g, g.axis_x, g.y.front()) +
         ", shape=plaintext, fontsize=16, label=<<b>time</b>>];\n";
  for (std::size_t r = 0; r < d.rows.size(); ++r) {
    out += "  t" + std::to_string(r + 1) + " [" + position(g, g.axis_x, g.y[r + 1]) +
           ", shape=plaintext, label=\"" + time_span_text(d.rows[r].first_us, d.rows[r].last_us) +
           "\"];\n";
  }
  out += "  time_f [" + position(g, g.axis_x, g.y.back()) +
         ", shape=point, style=invis, width=0.05];\n  time_h";
  for (std::size_t r = 0; r < d.rows.size(); ++r) out += " -> t" + std::to_string(r + 1);
  out += " -> time_f [color=\"#b0bec5\", arrowhead=none, penwidth=1];\n";
}

inline bool is_completion(std::string_view of) {
  return of == kind::ok || of == kind::fail || of == kind::info;
}

// Whether a client operation is open where the lane enters the window: its first invoke or
// completion inside the window is a completion.
inline bool open_at_start(const diagram& d, const recorder& source, int c) {
  for (const auto& [key, node] : d.cells) {
    if (key.second != c) continue;
    for (const std::size_t i : node.events) {
      const std::string& what = source.events()[i].kind;
      if (what == kind::invoke) return false;
      if (is_completion(what)) return true;
    }
  }
  return false;
}

// Each lane as a line from its name through its nodes to its name at the bottom; thick while
// a client operation is open (from `invoke` to `ok`, `fail` or `info`).
inline void write_lane_lines(std::string& out, const diagram& d, const recorder& source) {
  out += "  {\n    edge [color=\"#b0bec5\", arrowhead=none, penwidth=1];\n";
  for (const int c : d.display) {
    std::string previous = 'h' + std::to_string(c);
    bool open_operation = open_at_start(d, source, c);
    const auto segment = [&](const std::string& next) {
      out += "    " + previous + " -> " + next;
      out += open_operation ? " [penwidth=5, color=\"#90caf9\"];\n" : ";\n";
      previous = next;
    };
    for (const auto& [key, node] : d.cells) {
      if (key.second != c) continue;
      segment(cell_id(key.first, key.second));
      for (const std::size_t i : node.events) {
        const std::string& what = source.events()[i].kind;
        if (what == kind::invoke) open_operation = true;
        if (is_completion(what)) open_operation = false;
      }
    }
    segment('f' + std::to_string(c));
  }
  out += "  }\n";
}

// The graph label: the title, a red banner per violation (at most three; its step 1-based, as
// the harness prints it), and a legend.
inline void write_graph_label(std::string& out, const recorder& source,
                              const dot_options& options) {
  std::string label;
  if (!options.title.empty()) {
    label += "<font point-size=\"22\"><b>";
    append_html(label, options.title);
    label += "</b></font><br/>";
  }
  int shown = 0;
  for (const event& value : source.events()) {
    if (value.kind != kind::violation || shown++ == 3) continue;
    label += "<font color=\"#d50000\" point-size=\"18\"><b>VIOLATION at step ";
    label += step_text(integer_field(value, key::step).value_or(value.step));
    label += ", " + time_text(value.t.count_us()) + ": ";
    append_html(label, field_text(value, key::invariant) + ": " + field_text(value, key::reason));
    label += "</b></font><br/>";
  }
  label +=
      "<font color=\"#546e7a\">time runs down; arrows are messages (green: acks, "
      "dashed: cut by the window, red X: dropped); thick blue: a client operation in "
      "flight</font>";
  out += "  label=<" + label + ">;\n";
}

}  // namespace dot_detail

// Writes the space-time diagram of the recorded events inside the options' window.
inline void write_dot(const recorder& source, std::ostream& out, const dot_options& options = {}) {
  const dot_detail::diagram d = dot_detail::build_diagram(source, options);
  dot_detail::geometry g;
  dot_detail::measure(g, d, source);
  dot_detail::place_columns(g, d);
  std::string text =
      "digraph trace {\n"
      "  graph [layout=nop, splines=line, outputorder=edgesfirst, fontname=\"Helvetica\",\n"
      "         fontsize=14, labelloc=t];\n"
      "  node [fontname=\"Helvetica\", fontsize=14, shape=box, style=\"rounded,filled\",\n"
      "        fillcolor=white, color=\"#78909c\", margin=\"0.08,0.03\", height=0.3];\n"
      "  edge [fontname=\"Helvetica\", fontsize=13, arrowsize=0.8, penwidth=1.4];\n";
  dot_detail::write_graph_label(text, source, options);
  dot_detail::write_time_axis(text, g, d);
  dot_detail::write_lanes(text, g, d);
  dot_detail::write_lane_lines(text, d, source);
  text += d.message_edges;
  text += "}\n";
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace aurora::trace
