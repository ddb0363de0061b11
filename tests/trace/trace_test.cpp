// Tests of the two trace formats (docs/trace-events.md): JSON Lines byte for byte, and the
// Graphviz space-time diagram's structure, windowing, determinism and warning-free rendering.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario_parser.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/sim/time.hpp"
#include "aurora/trace/dot_writer.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/jsonl_reader.hpp"
#include "aurora/trace/jsonl_writer.hpp"
#include "aurora/trace/recorder.hpp"

namespace {

using aurora::trace::dot_options;
using aurora::trace::event;
using aurora::trace::field;
using aurora::trace::field_value;
using aurora::trace::key_values;
using aurora::trace::recorder;
using aurora::trace::to_jsonl;

// A network message for tests that only apply faults.
struct probe_message {};
[[maybe_unused]] std::string_view message_type(const probe_message&) { return "probe"; }
[[maybe_unused]] std::string message_summary(const probe_message&) { return ""; }

// Builds recorded runs by hand: lanes, steps, messages with fresh ids.
class trace_builder {
 public:
  trace_builder() { rec_.set_enabled(true); }

  trace_builder& lane(std::string name, char az, std::string role) {
    rec_.add_lane({std::move(name), az, std::move(role)});
    return *this;
  }
  trace_builder& quorum_lanes() {
    lane("db1", 0, "instance");
    for (const char* node : {"a1", "a2", "b1", "b2", "c1", "c2"}) lane(node, node[0], "storage");
    return lane("client1", 0, "client");
  }
  void step(int value) { rec_.set_step(value); }

  void at(std::int64_t t_us, std::string kind, std::string lane, std::vector<field> fields = {},
          std::string peer = "", std::uint64_t message_id = 0) {
    rec_.record(event{aurora::sim::us(t_us), std::move(kind), std::move(fields), std::move(lane),
                      std::move(peer), message_id});
  }
  std::uint64_t send(std::int64_t t_us, const std::string& from, const std::string& to,
                     const std::string& type, const std::string& summary) {
    const std::uint64_t id = next_message_id_++;
    at(t_us, "send", from, {{"type", type}, {"summary", summary}}, to, id);
    return id;
  }
  void deliver(std::int64_t t_us, const std::string& to, const std::string& from,
               std::uint64_t id) {
    at(t_us, "deliver", to, {}, from, id);
  }
  void drop(std::int64_t t_us, const std::string& lane, const std::string& peer, std::uint64_t id) {
    at(t_us, "drop", lane, {{"reason", std::string("node down")}}, peer, id);
  }
  [[nodiscard]] const recorder& get() const { return rec_; }

 private:
  recorder rec_;
  std::uint64_t next_message_id_ = 1;
};

event make_event(std::int64_t t_us, std::string kind, std::vector<field> fields) {
  event value;
  value.t = aurora::sim::us(t_us);
  value.kind = std::move(kind);
  value.fields = std::move(fields);
  return value;
}

std::string dot_of(const recorder& source, const dot_options& options = {}) {
  std::ostringstream out;
  aurora::trace::write_dot(source, out, options);
  return out.str();
}

// The text between `subgraph <name> {` and the closing brace at the same depth.
std::string subgraph_body(const std::string& dot, const std::string& name) {
  const std::size_t open = dot.find("subgraph " + name + " {");
  if (open == std::string::npos) return {};
  int depth = 0;
  for (std::size_t i = dot.find('{', open); i < dot.size(); ++i) {
    if (dot[i] == '{') ++depth;
    if (dot[i] == '}' && --depth == 0) return dot.substr(open, i - open);
  }
  return {};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool dot_available() { return std::system("command -v dot >/dev/null 2>&1") == 0; }

// Renders with `dot -Tsvg`; returns its exit status and leaves its stderr in `errors`.
int render_svg(const std::string& dot_path, std::string& errors) {
  const std::string err_path = dot_path + ".err.txt";
  const std::string command =
      "dot -Tsvg '" + dot_path + "' -o '" + dot_path + ".svg' 2> '" + err_path + "'";
  const int status = std::system(command.c_str());
  errors = read_file(err_path);
  return status;
}

// A small quorum write, as the model would record it: client1 writes x=1 through db1, which
// sends the log record to the six segments of protection group 0 and advances VDL at four
// acks; then b1 crashes, a second write still reaches four of six (b1 drops it, c2 never gets
// it), AZ a is lost, and a read breaks read-after-commit.
trace_builder quorum_write_trace() {
  trace_builder b;
  b.quorum_lanes();
  const auto client_op = [&b](std::int64_t t, const char* kind, const char* op, key_values kv) {
    b.at(t, kind, "client1",
         {{"process", std::string("client1")}, {"op", std::string(op)}, {"value", std::move(kv)}});
  };
  b.step(0);
  client_op(0, "invoke", "write", {{"x", 1}});
  const auto request = b.send(0, "client1", "db1", "write", "x=1");
  b.deliver(200, "db1", "client1", request);
  const std::vector<std::pair<std::string, std::int64_t>> latency = {
      {"a1", 450}, {"a2", 520}, {"b1", 610}, {"b2", 700}, {"c1", 830}, {"c2", 900}};
  std::vector<std::uint64_t> records;
  for (const auto& [node, delay] : latency) {
    records.push_back(b.send(200, "db1", node, "write", "lsn 1001"));
  }
  for (std::size_t i = 0; i < latency.size(); ++i) {
    const auto& [node, delay] = latency[i];
    b.deliver(200 + delay, node, "db1", records[i]);
    b.at(200 + delay, "scl", node, {{"lsn", std::int64_t{1001}}});
    const auto ack = b.send(200 + delay, node, "db1", "ack", "lsn 1001");
    const std::int64_t acked = 400 + delay + 50 * static_cast<std::int64_t>(i);
    b.deliver(acked, "db1", node, ack);
    b.at(acked, "ack", "db1", {{"from", node}, {"lsn", std::int64_t{1001}}}, node, ack);
    if (i != 3) continue;  // the fourth ack makes the write quorum
    b.at(acked, "vdl", "db1", {{"lsn", std::int64_t{1001}}});
    const auto reply = b.send(acked, "db1", "client1", "ok", "");
    b.deliver(1500, "client1", "db1", reply);
    client_op(1500, "ok", "write", {{"x", 1}});
  }
  b.step(1);
  b.at(2000, "fault", "b1", {{"fault", std::string("crash b1")}});
  b.step(2);
  client_op(2500, "invoke", "write", {{"y", 2}});
  const auto second = b.send(2500, "client1", "db1", "write", "y=2");
  b.deliver(2700, "db1", "client1", second);
  for (const auto& [node, delay] : latency) {
    const auto id = b.send(2700, "db1", node, "write", "lsn 1002");
    if (node == "b1") {
      b.drop(2700 + delay, "b1", "db1", id);
    } else if (node != "c2") {
      b.deliver(2700 + delay, node, "db1", id);
      const auto ack = b.send(2700 + delay, node, "db1", "ack", "lsn 1002");
      b.deliver(2900 + delay, "db1", node, ack);
    }
  }
  b.at(3800, "vdl", "db1", {{"lsn", std::int64_t{1002}}});
  b.step(3);
  b.at(4000, "fault", "", {{"fault", std::string("crash az a")}});
  b.step(4);
  client_op(4500, "invoke", "read", {{"x", std::nullopt}});
  client_op(5200, "ok", "read", {{"x", std::nullopt}});
  b.at(5200, "violation", "",
       {{"invariant", std::string("read_after_commit")},
        {"reason", std::string("read x returned none after write x=1 was acknowledged")},
        {"step", std::int64_t{4}}});
  return b;
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

struct jsonl_value_case {
  const char* name;
  field_value value;
  const char* expected;
};

TEST(jsonl, writes_each_value_type) {
  const std::vector<jsonl_value_case> cases = {
      {"null", std::monostate{}, "null"},
      {"zero", std::int64_t{0}, "0"},
      {"negative", std::int64_t{-42}, "-42"},
      {"largest", std::int64_t{INT64_MAX}, "9223372036854775807"},
      {"smallest", std::int64_t{INT64_MIN}, "-9223372036854775808"},
      {"true", true, "true"},
      {"false", false, "false"},
      {"string", std::string("c1"), "\"c1\""},
      {"empty string", std::string(), "\"\""},
      {"empty object", key_values{}, "{}"},
      {"object", key_values{{"x", 1}, {"y", std::nullopt}}, "{\"x\":1,\"y\":null}"},
  };
  for (const auto& each : cases) {
    const event value = make_event(7, "probe", {{"v", each.value}});
    const std::string expected =
        std::string(R"({"t_us":7,"kind":"probe","v":)") + each.expected + "}";
    EXPECT_EQ(to_jsonl(value), expected) << each.name;
  }
}

TEST(jsonl, escapes_quotes_backslashes_and_control_characters) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"plain", "\"plain\""},
      {"say \"hi\"", "\"say \\\"hi\\\"\""},
      {"back\\slash", "\"back\\\\slash\""},
      {"line\nbreak", "\"line\\u000abreak\""},
      {std::string("nul\0byte", 8), "\"nul\\u0000byte\""},
      {"\t\r\x1f", "\"\\u0009\\u000d\\u001f\""},
      {"caf\xc3\xa9 /", "\"caf\xc3\xa9 /\""},
  };
  for (const auto& [text, expected] : cases) {
    const event value = make_event(0, "k", {{"s", text}});
    EXPECT_EQ(to_jsonl(value), "{\"t_us\":0,\"kind\":\"k\",\"s\":" + expected + "}") << text;
  }
  const event key_escape = make_event(0, "a\"b", {{"k\\", key_values{{"q\"", 1}}}});
  EXPECT_EQ(to_jsonl(key_escape), R"({"t_us":0,"kind":"a\"b","k\\":{"q\"":1}})");
}

TEST(jsonl, writes_the_trace_md_history_example_byte_for_byte) {
  trace_builder b;
  const auto client = [&](std::int64_t t, const char* kind, const char* process, const char* op,
                          key_values value) {
    b.at(t, kind, process,
         {{"process", std::string(process)}, {"op", std::string(op)}, {"value", value}});
  };
  client(0, "invoke", "c1", "write", {{"x", 1}});
  client(2150, "ok", "c1", "write", {{"x", 1}});
  client(3000, "invoke", "c2", "read", {{"x", std::nullopt}});
  client(3410, "ok", "c2", "read", {{"x", 1}});
  // Copied from docs/trace-events.md, "Client history".
  const std::string expected =
      R"({"t_us":0,"kind":"invoke","process":"c1","op":"write","value":{"x":1}}
{"t_us":2150,"kind":"ok","process":"c1","op":"write","value":{"x":1}}
{"t_us":3000,"kind":"invoke","process":"c2","op":"read","value":{"x":null}}
{"t_us":3410,"kind":"ok","process":"c2","op":"read","value":{"x":1}}
)";
  std::ostringstream out;
  aurora::trace::write_jsonl(b.get(), out);
  EXPECT_EQ(out.str(), expected);
  EXPECT_EQ(to_jsonl(b.get().events().front()),
            R"({"t_us":0,"kind":"invoke","process":"c1","op":"write","value":{"x":1}})");
}

TEST(jsonl, writes_nothing_for_an_empty_recorder) {
  std::ostringstream out;
  aurora::trace::write_jsonl(recorder{}, out);
  EXPECT_EQ(out.str(), "");
}

TEST(jsonl, writes_the_lanes_first_and_a_step_record_where_the_step_changes) {
  trace_builder b;
  b.lane("a1", 'a', "storage").lane("client-c1", 0, "client");
  b.at(5, "vdl", "db1", {{"instance", std::string("db1")}, {"lsn", std::int64_t{3}}});
  b.step(0);
  b.at(10, "fault", "a1", {{"fault", std::string("crash a1")}, {"lanes", std::string("a1")}});
  b.at(12, "fault", "", {{"fault", std::string("heal")}, {"lanes", std::string()}});
  b.step(2);
  b.at(20, "invoke", "client-c1", {{"process", std::string("c1")}});
  std::ostringstream out;
  aurora::trace::write_jsonl(b.get(), out);
  EXPECT_EQ(out.str(),
            R"({"t_us":0,"kind":"lane","name":"a1","az":"a","role":"storage"}
{"t_us":0,"kind":"lane","name":"client-c1","az":null,"role":"client"}
{"t_us":5,"kind":"vdl","instance":"db1","lsn":3}
{"t_us":10,"kind":"step","step":0}
{"t_us":10,"kind":"fault","fault":"crash a1","lanes":"a1"}
{"t_us":12,"kind":"fault","fault":"heal","lanes":""}
{"t_us":20,"kind":"step","step":2}
{"t_us":20,"kind":"invoke","process":"c1"}
)");
}

// ---------------------------------------------------------------------------------------------
// JSON Lines: reading a trace back

std::string jsonl_of(const recorder& source) {
  std::ostringstream out;
  aurora::trace::write_jsonl(source, out);
  return out.str();
}

recorder read_text(const std::string& text) {
  std::istringstream in(text);
  return aurora::trace::read_jsonl(in);
}

// Every lane and every event (with its lane, peer, message id and step) is the same.
void expect_same_recorder(const recorder& read, const recorder& original) {
  ASSERT_EQ(read.lanes().size(), original.lanes().size());
  for (std::size_t i = 0; i < original.lanes().size(); ++i) {
    EXPECT_EQ(read.lanes()[i].name, original.lanes()[i].name) << i;
    EXPECT_EQ(read.lanes()[i].az, original.lanes()[i].az) << i;
    EXPECT_EQ(read.lanes()[i].role, original.lanes()[i].role) << i;
  }
  ASSERT_EQ(read.events().size(), original.events().size());
  for (std::size_t i = 0; i < original.events().size(); ++i) {
    const event& got = read.events()[i];
    const event& want = original.events()[i];
    ASSERT_EQ(to_jsonl(got), to_jsonl(want)) << "event " << i;
    ASSERT_EQ(got.lane, want.lane) << "event " << i << ": " << to_jsonl(want);
    ASSERT_EQ(got.peer, want.peer) << "event " << i << ": " << to_jsonl(want);
    ASSERT_EQ(got.message_id, want.message_id) << "event " << i << ": " << to_jsonl(want);
    ASSERT_EQ(got.step, want.step) << "event " << i << ": " << to_jsonl(want);
  }
}

// A real run that reaches every kind of event the harness draws: messages and drops, AZ faults,
// a partition, a failover (recorded without lanes), recovery, epochs, deposed and rebooted
// writers, client operations on the writer and a replica.
recorder traced_run() {
  const aurora::harness::scenario plan = aurora::harness::parse_scenario_or_throw(
      "seed 17\n"
      "config replicas=1\n"
      "at 0ms   write x=1 expect ok\n"
      "at 5ms   crash az c\n"
      "at 10ms  partition db1 | a1,a2,b1,b2\n"
      "at 10ms  write x=2 as c2\n"
      "at 20ms  failover to db2\n"
      "at 30ms  heal\n"
      "at 40ms  restart az c\n"
      "at 500ms write y=5 expect ok\n"
      "at 600ms read x from db1 as c3\n",
      "round-trip.scn");
  aurora::harness::run_options options;
  options.trace = true;
  aurora::harness::runner run(plan, options);
  run.run();
  return run.model().trace();
}

TEST(jsonl_reader, reads_a_real_run_back_event_for_event_and_writes_the_same_bytes) {
  const recorder original = traced_run();
  ASSERT_GT(original.events().size(), 500U);
  const std::string written = jsonl_of(original);
  const recorder read = read_text(written);
  expect_same_recorder(read, original);
  EXPECT_EQ(jsonl_of(read), written);
  EXPECT_EQ(dot_of(read, {"t", 1, 5, {}, {}}), dot_of(original, {"t", 1, 5, {}, {}}));
}

// The recorder keeps events encoded in 64 KiB blocks and decodes them when read.
TEST(recorder, gives_back_every_event_and_value_exactly_as_recorded_across_blocks) {
  recorder rec;
  rec.set_enabled(true);
  const std::string huge(3 * 64 * 1024, 'h');  // longer than a block
  std::vector<event> recorded;
  for (int i = 0; i < 5000; ++i) {
    rec.set_step(i % 7 - 1);
    event value{aurora::sim::us(i),
                i % 2 == 0 ? "send" : "a-kind-not-in-the-schema",
                {{"n", std::int64_t{i} * -3},
                 {"flag", i % 3 == 0},
                 {"none", std::monostate{}},
                 {"text", i == 4000 ? huge : std::string(static_cast<std::size_t>(i % 40), 'x')},
                 {"kv", key_values{{"k" + std::to_string(i), i}, {"", std::nullopt}}},
                 {"empty", key_values{}}},
                "lane" + std::to_string(i % 5),
                i % 4 == 0 ? std::string() : "peer",
                static_cast<std::uint64_t>(i)};
    rec.record(value);
    value.step = i % 7 - 1;
    recorded.push_back(value);
    if (i == 10) {
      ASSERT_EQ(rec.events().size(), 11U);  // read in the middle: later events still come
    }
  }
  ASSERT_EQ(rec.events().size(), recorded.size());
  for (std::size_t i = 0; i < recorded.size(); ++i) {
    const event& got = rec.events()[i];
    const event& want = recorded[i];
    ASSERT_EQ(got.t, want.t) << i;
    ASSERT_EQ(got.kind, want.kind) << i;
    ASSERT_EQ(got.lane, want.lane) << i;
    ASSERT_EQ(got.peer, want.peer) << i;
    ASSERT_EQ(got.message_id, want.message_id) << i;
    ASSERT_EQ(got.step, want.step) << i;
    ASSERT_EQ(got.fields.size(), want.fields.size()) << i;
    for (std::size_t f = 0; f < want.fields.size(); ++f) {
      ASSERT_EQ(got.fields[f].key, want.fields[f].key) << i;
      ASSERT_EQ(got.fields[f].value, want.fields[f].value) << i << " " << want.fields[f].key;
    }
  }
  const recorder copy = rec;  // a copy holds the same events
  EXPECT_EQ(jsonl_of(copy), jsonl_of(rec));
  rec.clear_events();
  EXPECT_TRUE(rec.events().empty());
  rec.record(recorded[1]);
  ASSERT_EQ(rec.events().size(), 1U);
  EXPECT_EQ(to_jsonl(rec.events()[0]), to_jsonl(recorded[1]));
}

TEST(recorder, records_an_event_built_in_place_like_the_same_event_value) {
  recorder in_place;
  recorder by_value;
  for (recorder* each : {&in_place, &by_value}) {
    each->set_enabled(true);
    each->set_step(3);
  }
  in_place.begin(aurora::sim::us(12), "send", "db1", "a1", 9)
      .add("msg", std::int64_t{9})
      .add("from", std::string("db1"))
      .add("to", std::string_view("a1"))
      .add("type", "redo")
      .add("ok", true)
      .add("none", std::monostate{})
      .add("value", key_values{{"x", 1}});
  by_value.record({aurora::sim::us(12),
                   "send",
                   {{"msg", std::int64_t{9}},
                    {"from", std::string("db1")},
                    {"to", std::string("a1")},
                    {"type", std::string("redo")},
                    {"ok", true},
                    {"none", std::monostate{}},
                    {"value", key_values{{"x", 1}}}},
                   "db1",
                   "a1",
                   9});
  { auto unused = in_place.begin(aurora::sim::us(13), "vdl"); }  // an event without fields
  by_value.record({aurora::sim::us(13), "vdl", {}, {}, {}, 0});
  EXPECT_EQ(jsonl_of(in_place), jsonl_of(by_value));
  expect_same_recorder(in_place, by_value);
  recorder off;  // recording off: nothing is kept
  off.begin(aurora::sim::us(1), "send").add("msg", std::int64_t{1});
  off.record({aurora::sim::us(1), "send", {}, {}, {}, 0});
  EXPECT_TRUE(off.events().empty());
}

TEST(jsonl_reader, reads_every_value_type_and_escape_back) {
  trace_builder b;
  b.at(-3, "info", "client-c\"1",
       {{"process", std::string("c\"1")},
        {"s", std::string("tab\there \x01 \xc3\xa9 \\ \"")},
        {"n", std::monostate{}},
        {"big", std::int64_t{INT64_MIN}},
        {"yes", true},
        {"map", key_values{{"x", 1}, {"y", std::nullopt}}},
        {"empty", key_values{}}});
  const std::string written = jsonl_of(b.get());
  expect_same_recorder(read_text(written), b.get());
  EXPECT_EQ(jsonl_of(read_text(written)), written);
}

TEST(jsonl_reader, reads_an_empty_file_as_an_empty_recorder) {
  const recorder read = read_text("");
  EXPECT_TRUE(read.lanes().empty());
  EXPECT_TRUE(read.events().empty());
}

struct bad_input_case {
  const char* name;
  std::string text;
  std::string message;  // what the error says, line number first
};

TEST(jsonl_reader, refuses_bad_input_with_the_line_number_and_what_is_wrong) {
  const std::string good = R"({"t_us":0,"kind":"lane","name":"a1","az":"a","role":"storage"})";
  const std::vector<bad_input_case> cases = {
      {"malformed", good + "\n{\"t_us\":1,", "line 2: malformed JSON at column "},
      {"truncated object", "{\"t_us\":1,\"kind\":\"vdl\"", "line 1: malformed JSON"},
      {"empty line", good + "\n\n" + good, "line 2: malformed JSON at column "},
      {"not an object", "[1,2]", "line 1: not a JSON object"},
      {"no kind", R"({"t_us":1})", R"(line 1: a record starts with "t_us" and "kind")"},
      {"kind first", R"({"kind":"vdl","t_us":1})", R"(line 1: a record starts with "t_us")"},
      {"unknown kind", good + "\n" + R"({"t_us":1,"kind":"teleport"})",
       "line 2: unknown kind 'teleport'"},
      {"time not an integer", R"({"t_us":1.5,"kind":"vdl"})",
       "line 1: 't_us' must be an integer (64-bit)"},
      {"time beyond 64 bits", R"({"t_us":9223372036854775808,"kind":"vdl"})",
       "line 1: 't_us' must be an integer (64-bit)"},
      {"kind not a string", R"({"t_us":1,"kind":7})", "line 1: 'kind' must be a string"},
      {"a float field", R"({"t_us":1,"kind":"vdl","lsn":2.5})",
       "line 1: field 'lsn' must be null, an integer, true, false, a string or an object"},
      {"an array field", R"({"t_us":1,"kind":"vdl","lsn":[1]})", "line 1: field 'lsn' must be"},
      {"a map of strings", R"({"t_us":1,"kind":"ok","value":{"x":"1"}})",
       "line 1: field 'value': 'x' must be an integer or null"},
      {"send without msg", R"({"t_us":1,"kind":"send","from":"a1","to":"b1"})",
       "line 1: 'msg' must be a positive integer"},
      {"send from a number", R"({"t_us":1,"kind":"send","msg":1,"from":3,"to":"b1"})",
       "line 1: 'from' must be a string"},
      {"lanes not a string", R"({"t_us":1,"kind":"fault","fault":"heal","lanes":["a1"]})",
       "line 1: field 'lanes' must be"},
      {"instance a number", R"({"t_us":1,"kind":"vdl","instance":1})",
       "line 1: 'instance' must be a string"},
      {"lane without a role", R"({"t_us":0,"kind":"lane","name":"a1","az":"a"})",
       "line 1: missing field 'role'"},
      {"lane in AZ ab", R"({"t_us":0,"kind":"lane","name":"a1","az":"ab","role":"storage"})",
       "line 1: 'az' must be one letter or null"},
      {"step as text", R"({"t_us":0,"kind":"step","step":"3"})",
       "line 1: 'step' must be an integer (64-bit)"},
      {"step below -1", R"({"t_us":0,"kind":"step","step":-2})",
       "line 1: 'step' must be -1 or a step index"},
  };
  for (const bad_input_case& each : cases) {
    try {
      (void)read_text(each.text);
      ADD_FAILURE() << each.name << ": read without an error";
    } catch (const aurora::trace::jsonl_error& error) {
      EXPECT_EQ(std::string(error.what()).rfind(each.message, 0), 0U)
          << each.name << ": " << error.what();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Graphviz DOT: helpers

// The statement that declares a node: the line that starts with `id [`.
std::string node_line(const std::string& dot, const std::string& id) {
  std::istringstream lines(dot);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start != std::string::npos && line.compare(start, id.size() + 2, id + " [") == 0) {
      return line;
    }
  }
  return {};
}

// A node's `pos="x,y"`.
std::pair<int, int> node_pos(const std::string& dot, const std::string& id) {
  const std::string line = node_line(dot, id);
  const std::size_t at = line.find("pos=\"");
  if (at == std::string::npos) return {-1, -1};
  const std::size_t comma = line.find(',', at);
  return {std::stoi(line.substr(at + 5, comma - at - 5)), std::stoi(line.substr(comma + 1))};
}

// The time axis label of merged rows: "0.100–0.150 ms" (an en dash between the times).
std::string span(const std::string& first, const std::string& last) {
  return first + "\xe2\x80\x93" + last + " ms";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t found = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++found;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Graphviz DOT: structure

TEST(dot, groups_storage_lanes_by_az_and_keeps_instances_and_clients_beside_them) {
  const std::string dot = dot_of(quorum_write_trace().get());
  const std::vector<std::pair<std::string, std::vector<std::string>>> clusters = {
      {"cluster_az_a", {"a1", "a2"}},   {"cluster_az_b", {"b1", "b2"}},
      {"cluster_az_c", {"c1", "c2"}},   {"cluster_instances", {"db1"}},
      {"cluster_clients", {"client1"}},
  };
  const std::vector<std::string> all = {"db1", "a1", "a2", "b1", "b2", "c1", "c2", "client1"};
  for (const auto& [name, lanes] : clusters) {
    const std::string body = subgraph_body(dot, name);
    ASSERT_FALSE(body.empty()) << name;
    for (const std::string& lane : all) {
      const bool member = std::find(lanes.begin(), lanes.end(), lane) != lanes.end();
      EXPECT_EQ(contains(body, "<b>" + lane + "</b>"), member) << name << " " << lane;
    }
  }
  EXPECT_TRUE(contains(dot, "label=\"AZ a\""));
  EXPECT_FALSE(contains(dot, "cluster_run")) << "the run lane is not boxed";
}

TEST(dot, places_lanes_left_to_right_in_the_recorders_order_with_the_run_lane_first) {
  const std::string dot = dot_of(quorum_write_trace().get());
  // Columns are numbered in the order lanes were added: db1 0, a1 1 ... client1 7, run 8.
  int previous_x = node_pos(dot, "time_h").first;
  for (const int column : {8, 0, 1, 2, 3, 4, 5, 6, 7}) {
    const int x = node_pos(dot, "h" + std::to_string(column)).first;
    EXPECT_GT(x, previous_x) << "lane " << column;
    previous_x = x;
  }
  EXPECT_TRUE(contains(node_line(dot, "h8"), "label=<<b>run</b>>"));
}

TEST(dot, keeps_every_lane_a_straight_column_and_every_time_one_row) {
  const std::string dot = dot_of(quorum_write_trace().get());
  std::istringstream lines(dot);
  int nodes = 0;
  for (std::string line; std::getline(lines, line);) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line[start] != 'n' || !contains(line, " [pos=")) continue;
    const std::string id = line.substr(start, line.find(' ', start) - start);
    const std::size_t underscore = id.find('_');
    const std::string level = id.substr(1, underscore - 1);
    const std::string column = id.substr(underscore + 1);
    EXPECT_EQ(node_pos(dot, id).first, node_pos(dot, "h" + column).first) << id;
    EXPECT_EQ(node_pos(dot, id).second, node_pos(dot, "t" + level).second) << id;
    ++nodes;
  }
  EXPECT_GE(nodes, 30);
  EXPECT_TRUE(contains(dot, "layout=nop")) << "Graphviz draws the writer's positions";
}

TEST(dot, draws_a_message_as_a_labelled_arrow_from_send_to_deliver) {
  trace_builder b;
  b.lane("db1", 0, "instance").lane("a1", 'a', "storage");
  const auto id = b.send(100, "db1", "a1", "write", "lsn 7");
  b.deliver(350, "a1", "db1", id);
  const std::string dot = dot_of(b.get());
  // Columns: db1 0, a1 1. Levels: 100us is 1, 350us is 2.
  EXPECT_TRUE(contains(dot, "  n1_0 -> n2_1 [xlabel=\"write lsn 7\", color=\"#263238\"];\n"))
      << dot;
  EXPECT_TRUE(contains(node_line(dot, "t1"), "label=\"0.100 ms\""));
  EXPECT_TRUE(contains(node_line(dot, "t2"), "label=\"0.350 ms\""));
  EXPECT_GT(node_pos(dot, "t1").second, node_pos(dot, "t2").second) << "time runs down";
  EXPECT_TRUE(contains(dot, "h0 -> n1_0;")) << "the lane line";
}

TEST(dot, colours_acks_green_and_ends_a_dropped_message_in_a_red_x) {
  trace_builder b;
  b.lane("db1", 0, "instance").lane("a1", 'a', "storage").lane("b1", 'b', "storage");
  const auto ack = b.send(10, "a1", "db1", "ack", "lsn 7");
  b.deliver(20, "db1", "a1", ack);
  const auto lost = b.send(30, "db1", "b1", "write", "lsn 8");
  b.drop(40, "b1", "db1", lost);
  const auto refused = b.send(50, "db1", "b1", "write", "lsn 9");
  b.drop(50, "db1", "b1", refused);  // dropped at the sender: a short arrow to an X beside it
  // The two drops of `write` would otherwise share a row; this test names nodes by time.
  dot_options one_row_per_time;
  one_row_per_time.collapse_quiet_rows = false;
  const std::string dot = dot_of(b.get(), one_row_per_time);
  EXPECT_TRUE(contains(dot, "n1_1 -> n2_0 [xlabel=\"ack lsn 7\", color=\"#2e7d32\""));
  EXPECT_TRUE(
      contains(dot, "n3_0 -> n4_2 [xlabel=\"write lsn 8\", color=\"#263238\", arrowhead=none]"));
  EXPECT_TRUE(contains(node_line(dot, "n4_2"), "<font color=\"#d50000\"><b>X</b></font>"));
  EXPECT_TRUE(contains(dot, "n5_0 -> s0 [xlabel=\"write lsn 9\""));
  EXPECT_TRUE(contains(node_line(dot, "s0"), "<b>X</b>"));
  EXPECT_GT(node_pos(dot, "s0").first, node_pos(dot, "n5_0").first) << "on the side of b1";
  EXPECT_FALSE(contains(node_line(dot, "n5_0"), "X")) << "not on the sender's lane itself";
}

TEST(dot, marks_faults_on_their_lane_or_on_every_lane_of_the_az) {
  trace_builder b;
  b.quorum_lanes();
  b.at(100, "fault", "b1", {{"fault", std::string("crash b1")}});
  b.at(200, "fault", "", {{"fault", std::string("crash az a")}});
  b.at(300, "fault", "", {{"fault", std::string("partition a1 | c2")}});
  b.at(400, "fault", "", {{"fault", std::string("heal")}});
  const std::string dot = dot_of(b.get());
  // Columns: db1 0, a1 1, a2 2, b1 3, b2 4, c1 5, c2 6, client1 7, run 8.
  for (const char* id : {"n1_3", "n2_1", "n2_2", "n3_1", "n3_6", "n4_8"}) {
    EXPECT_TRUE(contains(node_line(dot, id), "shape=octagon")) << id;
  }
  for (const char* id : {"n1_1", "n2_3", "n3_5"}) EXPECT_EQ(node_line(dot, id), "") << id;
  EXPECT_TRUE(contains(node_line(dot, "n2_2"), "<b>crash az a</b>"));
  EXPECT_TRUE(contains(node_line(dot, "n4_8"), "<b>heal</b>"));
}

TEST(dot, draws_a_fault_on_the_lanes_it_recorded_rather_than_those_its_text_names) {
  trace_builder b;
  b.quorum_lanes();
  // The recorded lanes win over the text: the text names a1 and AZ c, the lanes b2 and c1.
  b.at(100, "fault", "b2",
       {{"fault", std::string("partition a1 | az c")}, {"lanes", std::string("b2,c1,b2")}});
  b.at(200, "fault", "", {{"fault", std::string("crash az a")}, {"lanes", std::string("")}});
  const std::string dot = dot_of(b.get());
  // Columns: db1 0, a1 1, a2 2, b1 3, b2 4, c1 5, c2 6, client1 7, run 8.
  EXPECT_TRUE(contains(node_line(dot, "n1_4"), "<b>partition a1 | az c</b>")) << "b2 first";
  EXPECT_TRUE(contains(node_line(dot, "n1_5"), "<b>\xe2\x9c\x82 partition</b>"));
  for (const char* id : {"n1_1", "n1_6", "n2_1", "n2_2"}) EXPECT_EQ(node_line(dot, id), "") << id;
  EXPECT_TRUE(contains(node_line(dot, "n2_8"), "<b>crash az a</b>")) << "no lanes: the run lane";
}

TEST(fault_trace, a_network_fault_records_the_lanes_it_touched_its_lane_the_first) {
  namespace sim = aurora::sim;
  recorder rec;
  rec.set_enabled(true);
  sim::scheduler clock;
  sim::random prng{1};
  sim::network<probe_message> net{clock, prng, rec};
  for (const char* name : {"a1", "a2", "b1"}) net.add(name, name[0], sim::role::storage, nullptr);
  net.add("db1", 0, sim::role::instance, nullptr);
  net.apply(sim::crash{{"a", true}});
  net.apply(sim::partition{{{"db1", false}, {"a", true}}, {{"b1", false}, {"a2", false}}, false});
  net.apply(sim::heal{});
  net.apply(sim::slow{"b1", sim::ms(5)});
  const aurora::trace::event_log& events = rec.events();
  ASSERT_EQ(events.size(), 4U);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"a1,a2", "a1"}, {"db1,a1,a2,b1", "db1"}, {"", ""}, {"b1", "b1"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(events[i].fields.size(), 2U) << i;
    EXPECT_EQ(events[i].fields[1].key, "lanes") << i;
    EXPECT_EQ(std::get<std::string>(events[i].fields[1].value), expected[i].first) << i;
    EXPECT_EQ(events[i].lane, expected[i].second) << i;
  }
  EXPECT_EQ(to_jsonl(events[0]),
            R"({"t_us":0,"kind":"fault","fault":"crash az a","lanes":"a1,a2"})");
}

TEST(dot, turns_the_violating_step_red_and_puts_a_banner_in_the_graph_label) {
  const std::string dot = dot_of(quorum_write_trace().get(), {"AZ+1 read", -1, -1, {}, {}});
  EXPECT_TRUE(contains(dot, "<font point-size=\"22\"><b>AZ+1 read</b></font>"));
  // Its `step` field is the 0-based index 4: people (and the harness) call it step 5.
  EXPECT_TRUE(contains(
      dot, "VIOLATION at step 5, 5.200 ms: read_after_commit: read x returned none after"));
  // The violation itself, on the run lane (column 8) at 5.200 ms.
  const std::size_t violation = dot.find("<b>VIOLATION read_after_commit</b>");
  ASSERT_NE(violation, std::string::npos);
  const std::size_t violation_line = dot.rfind('\n', violation);
  const std::string violation_node = dot.substr(violation_line, violation - violation_line);
  EXPECT_TRUE(contains(violation_node, "_8 [pos=")) << violation_node;
  EXPECT_TRUE(contains(violation_node, "color=red, penwidth=2"));
  // The read's invoke and ok (step 4) are outlined in red; the first write (step 0) is not.
  const std::size_t invoke = dot.find("<b>read x</b>");
  ASSERT_NE(invoke, std::string::npos);
  const std::size_t invoke_line = dot.rfind('\n', invoke);
  EXPECT_TRUE(contains(dot.substr(invoke_line, invoke - invoke_line), "color=red, penwidth=2"));
  const std::size_t write = dot.find("<b>write x=1</b>");
  const std::size_t write_line = dot.rfind('\n', write);
  EXPECT_FALSE(contains(dot.substr(write_line, write - write_line), "color=red"));
}

TEST(dot, labels_client_operations_and_lsn_points) {
  trace_builder b;
  b.lane("db1", 0, "instance").lane("client1", 0, "client");
  const auto op = [&b](std::int64_t t, const char* kind, const char* name, key_values value,
                       std::vector<field> extra = {}) {
    std::vector<field> fields = {{"process", std::string("client1")},
                                 {"op", std::string(name)},
                                 {"value", std::move(value)}};
    for (auto& each : extra) fields.push_back(std::move(each));
    b.at(t, kind, "client1", std::move(fields));
  };
  op(1, "invoke", "write", {{"x", 1}, {"y", 2}});
  op(2, "ok", "write", {{"x", 1}, {"y", 2}});
  op(3, "invoke", "read", {{"x", std::nullopt}});
  op(4, "ok", "read", {{"x", 1}});
  op(5, "fail", "write", {{"x", 3}});
  op(6, "info", "write", {{"x", 4}}, {{"reason", std::string("timeout")}});
  b.at(7, "vdl", "db1", {{"lsn", std::int64_t{1007}}});
  b.at(8, "vcl", "db1", {{"value", std::int64_t{1009}}});
  b.at(9, "epoch", "db1", {{"value", std::int64_t{2}}});
  b.at(10, "truncate", "db1", {{"from", std::int64_t{1008}}, {"to", std::int64_t{1010}}});
  b.at(11, "ack", "db1", {{"from", std::string("a1")}, {"lsn", std::int64_t{1007}}});
  b.at(12, "gossip", "db1", {{"with", std::string("b2")}, {"records", std::int64_t{3}}});
  const std::string dot = dot_of(b.get());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"n1_1", "<b>write x=1 y=2</b>"},
      {"n2_1", "<b>ok</b>"},
      {"n3_1", "<b>read x</b>"},
      {"n4_1", "<b>read x -&gt; 1</b>"},
      {"n5_1", "<b>fail</b>"},
      {"n6_1", "<b>info (timeout)</b>"},
      {"n7_0", "<font color=\"#0d47a1\"><b>VDL 1007</b></font>"},
      {"n8_0", "<font color=\"#0d47a1\"><b>VCL 1009</b></font>"},
      {"n9_0", ">epoch 2<"},
      {"n10_0", ">truncate from=1008 to=1010<"},
      {"n11_0", "<font color=\"#1b5e20\">ack from a1 lsn 1007</font>"},
      {"n12_0", ">gossip with=b2 records=3<"},
  };
  for (const auto& [id, label] : cases) EXPECT_TRUE(contains(node_line(dot, id), label)) << id;
  EXPECT_TRUE(contains(dot, "n1_1 -> n2_1 [penwidth=5")) << "an open operation is thick";
  EXPECT_TRUE(contains(dot, "n2_1 -> n3_1;\n")) << "a finished one is not";
}

TEST(dot, escapes_quotes_backslashes_newlines_and_markup_in_labels) {
  trace_builder b;
  b.lane("a\"1\\", 'a', "storage");
  b.at(0, "fault", "a\"1\\", {{"fault", std::string("say \"x\" & <y>\nback\\slash \x01 \xff")}});
  const auto id = b.send(1, "a\"1\\", "a\"1\\", "quote\"", "back\\slash\nnew");
  b.deliver(2, "a\"1\\", "a\"1\\", id);
  const std::string dot = dot_of(b.get(), {"title <&>", -1, -1, {}, {}});
  EXPECT_TRUE(contains(dot, "say &quot;x&quot; &amp; &lt;y&gt;<br/>back\\\\slash   ?")) << dot;
  EXPECT_TRUE(contains(dot, "xlabel=\"quote\\\" back\\\\slash\\nnew\""));
  EXPECT_TRUE(contains(node_line(dot, "f0"), "label=\"a\\\"1\\\\\"];"));
  EXPECT_TRUE(contains(node_line(dot, "h0"), "label=<<b>a&quot;1\\\\</b>>"));
  EXPECT_TRUE(contains(dot, "<b>title &lt;&amp;&gt;</b>"));
}

// ---------------------------------------------------------------------------------------------
// Graphviz DOT: readability (what the gallery's author asked for)

TEST(dot, writes_a_partition_once_and_a_short_marker_on_the_other_lanes_it_names) {
  trace_builder b;
  b.quorum_lanes();
  b.at(100, "fault", "", {{"fault", std::string("partition db1 | az b,c2")}});
  b.at(200, "fault", "", {{"fault", std::string("partition a2,a1 -> c1")}});
  const std::string dot = dot_of(b.get());
  // Columns: db1 0, a1 1, a2 2, b1 3, b2 4, c1 5, c2 6, client1 7.
  const std::string full = "<b>partition db1 | az b,c2</b>";
  const std::string marker = "<b>\xe2\x9c\x82 partition</b>";
  EXPECT_TRUE(contains(node_line(dot, "n1_0"), full)) << "on the first lane it names";
  EXPECT_EQ(count(dot, full), 1U);
  for (const char* id : {"n1_3", "n1_4", "n1_6"}) {
    EXPECT_TRUE(contains(node_line(dot, id), marker)) << id;
    EXPECT_TRUE(contains(node_line(dot, id), "shape=octagon")) << id;
  }
  EXPECT_TRUE(contains(node_line(dot, "n2_2"), "<b>partition a2,a1 -&gt; c1</b>")) << "a2 first";
  EXPECT_TRUE(contains(node_line(dot, "n2_1"), marker));
  EXPECT_TRUE(contains(node_line(dot, "n2_5"), marker));
  EXPECT_FALSE(contains(dot, "<b>run</b>")) << "no run lane is needed";
  // b1 and b2 show only the marker, so their columns stay narrow.
  EXPECT_LT(node_pos(dot, "h4").first - node_pos(dot, "h3").first, 200);
}

TEST(dot, prints_steps_from_one_in_every_label) {
  trace_builder b;
  b.lane("db1", 0, "instance");
  b.step(2);  // the third step
  b.at(10, "checkpoint", "db1", {{"step", std::int64_t{2}}});
  b.at(20, "violation", "",
       {{"invariant", std::string("durability")}, {"reason", std::string("lost")}});
  const std::string dot = dot_of(b.get());
  EXPECT_TRUE(contains(node_line(dot, "n1_0"), ">checkpoint step=3<"));
  EXPECT_TRUE(contains(dot, "VIOLATION at step 3, 0.020 ms: durability: lost"))
      << "without a `step` field, the event's own step";
}

TEST(dot, labels_an_arrow_with_its_summary_once_when_it_repeats_the_type) {
  trace_builder b;
  b.lane("db1", 0, "instance").lane("a1", 'a', "storage").lane("client1", 0, "client");
  const auto reply = b.send(10, "db1", "client1", "reply", "reply");
  b.deliver(20, "client1", "db1", reply);
  const auto ack = b.send(30, "a1", "db1", "truncate-ack", "truncate-ack");
  b.deliver(40, "db1", "a1", ack);
  const auto write = b.send(50, "client1", "db1", "write", "x=1");
  b.deliver(60, "db1", "client1", write);
  const std::string dot = dot_of(b.get());
  EXPECT_TRUE(contains(dot, "[xlabel=\"reply\", ")) << dot;
  EXPECT_TRUE(contains(dot, "[xlabel=\"truncate-ack\", "));
  EXPECT_TRUE(contains(dot, "[xlabel=\"write x=1\", "));
  EXPECT_FALSE(contains(dot, "reply reply"));
  EXPECT_FALSE(contains(dot, "truncate-ack truncate-ack"));
}

TEST(dot, leaves_out_instance_and_client_lanes_without_events_but_keeps_every_storage_lane) {
  trace_builder b;
  b.quorum_lanes();
  b.lane("db2", 0, "instance").lane("client-final-check", 0, "client");
  const auto id = b.send(10, "db1", "a1", "write", "lsn 1");
  b.deliver(20, "a1", "db1", id);
  const std::string dot = dot_of(b.get());
  // Columns: db1 0, a1 1 ... c2 6, client1 7, db2 8, client-final-check 9.
  for (int column = 0; column <= 6; ++column) {
    EXPECT_NE(node_line(dot, "h" + std::to_string(column)), "") << column;
  }
  for (int column = 7; column <= 9; ++column) {
    EXPECT_EQ(node_line(dot, "h" + std::to_string(column)), "") << column;
    EXPECT_FALSE(contains(dot, "f" + std::to_string(column) + " [")) << column;
  }
  EXPECT_FALSE(contains(dot, "client-final-check"));
  EXPECT_FALSE(contains(dot, "cluster_clients")) << "no empty box either";
  EXPECT_TRUE(contains(subgraph_body(dot, "cluster_az_c"), "<b>c2</b>")) << "c2 has no event";
  EXPECT_TRUE(contains(subgraph_body(dot, "cluster_instances"), "<b>db1</b>"));
  EXPECT_FALSE(contains(subgraph_body(dot, "cluster_instances"), "<b>db2</b>"));
}

TEST(dot, points_a_stub_toward_a_lane_that_the_window_leaves_out) {
  trace_builder b;
  b.lane("db1", 0, "instance").lane("a1", 'a', "storage").lane("b1", 'b', "storage");
  const auto id = b.send(10, "db1", "b1", "write", "lsn 1");
  b.deliver(20, "b1", "db1", id);
  dot_options options;
  options.time_from = aurora::sim::us(15);
  const std::string dot = dot_of(b.get(), options);
  EXPECT_EQ(node_line(dot, "h0"), "") << "db1 has no event in the window";
  // The delivery to b1 (column 2, level 1) comes from db1, which is left of the AZ boxes.
  EXPECT_TRUE(contains(dot, "s0 -> n1_2 [xlabel=\"write lsn 1\"")) << dot;
  EXPECT_LT(node_pos(dot, "s0").first, node_pos(dot, "n1_2").first);
}

TEST(dot, leaves_the_lanes_own_name_out_of_labels_and_wraps_long_ones_in_two_lines) {
  trace_builder b;
  b.lane("db1", 0, "instance");
  b.at(10, "membership", "db1",
       {{"instance", std::string("db1")},
        {"pg", std::int64_t{0}},
        {"slot", std::int64_t{2}},
        {"change", std::string("replacement hydrated")}});
  b.at(20, "epoch", "db1", {{"instance", std::string("db1")}, {"epoch", std::int64_t{2}}});
  std::vector<field> seven, twelve;
  for (int k = 0; k < 12; ++k) {
    field entry{"k" + std::to_string(k), "value" + std::to_string(k)};
    if (k < 7) seven.push_back(entry);
    twelve.push_back(entry);
  }
  b.at(30, "note", "db1", seven);   // 80 characters
  b.at(40, "note", "db1", twelve);  // 140 characters
  const std::string dot = dot_of(b.get());
  const std::string membership = node_line(dot, "n1_0");
  EXPECT_TRUE(contains(membership, ">membership pg=0 slot=2<")) << membership;
  EXPECT_TRUE(contains(membership, ">change=replacement hydrated<")) << membership;
  EXPECT_FALSE(contains(dot, "instance=db1"));
  EXPECT_TRUE(contains(node_line(dot, "n2_0"), ">epoch 2<"));
  const std::string long_note = node_line(dot, "n3_0");
  EXPECT_EQ(count(long_note, "<br/>"), 1U) << long_note;
  EXPECT_TRUE(contains(long_note, "k6=value6<")) << "not cut";
  EXPECT_FALSE(contains(long_note, "..."));
  const std::string longer_note = node_line(dot, "n4_0");
  EXPECT_EQ(count(longer_note, "<br/>"), 1U) << longer_note;
  EXPECT_TRUE(contains(longer_note, "...<")) << "cut at about 90 characters";
  EXPECT_TRUE(contains(longer_note, "k6=value6 ")) << longer_note;
  EXPECT_FALSE(contains(longer_note, "k9=value9")) << longer_note;
}

// db1 sends a record to the six segments at 10 us; they receive it and ack at six different
// times, and db1 receives the acks at six more, before and after VDL.
trace_builder fan_out_trace() {
  trace_builder b;
  b.quorum_lanes();
  b.at(0, "vdl", "db1", {{"lsn", std::int64_t{0}}});
  const std::vector<std::string> nodes = {"a1", "a2", "b1", "b2", "c1", "c2"};
  std::vector<std::uint64_t> acks;
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    const auto id = b.send(10, "db1", nodes[n], "redo", "LSN 1");
    const std::int64_t arrive = 100 + 10 * static_cast<std::int64_t>(n);
    b.deliver(arrive, nodes[n], "db1", id);
    acks.push_back(b.send(arrive, nodes[n], "db1", "ack", "SCL 1"));
  }
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    b.deliver(300 + 10 * static_cast<std::int64_t>(n), "db1", nodes[n], acks[n]);
    if (n == 3) b.at(330, "vdl", "db1", {{"lsn", std::int64_t{1}}});
  }
  return b;
}

TEST(dot, merges_quiet_rows_of_one_message_type_into_one_row_with_a_time_span) {
  const std::string dot = dot_of(fan_out_trace().get());
  // Rows: 0 (VDL 0), 10 (the fan-out), 100-150 (six deliveries and acks), 300-320 (three
  // acks), 330 (the fourth ack, VDL 1), 340-350 (the last two acks).
  const std::vector<std::string> rows = {"0.000 ms",
                                         "0.010 ms",
                                         span("0.100", "0.150"),
                                         span("0.300", "0.320"),
                                         "0.330 ms",
                                         span("0.340", "0.350")};
  for (std::size_t r = 0; r < rows.size(); ++r) {
    EXPECT_TRUE(contains(node_line(dot, "t" + std::to_string(r + 1)), "label=\"" + rows[r] + "\""))
        << r;
  }
  EXPECT_EQ(node_line(dot, "t7"), "");
  // Columns: db1 0, a1 1 ... c2 6. Every segment still has its own arrow in and out.
  EXPECT_EQ(count(dot, "n2_0 -> n3_"), 6U);
  EXPECT_EQ(count(dot, " -> n4_0 ["), 3U) << "three acks into one point";
  EXPECT_TRUE(contains(node_line(dot, "n5_0"), "VDL 1")) << "VDL still follows the fourth ack";
  EXPECT_EQ(count(dot, " -> n6_0 ["), 2U);
}

TEST(dot, keeps_one_row_per_time_when_asked_to) {
  dot_options options;
  options.collapse_quiet_rows = false;
  const std::string dot = dot_of(fan_out_trace().get(), options);
  EXPECT_TRUE(contains(node_line(dot, "t14"), "label=\"0.350 ms\""));
  EXPECT_FALSE(contains(dot, "\xe2\x80\x93"));
}

TEST(dot, does_not_merge_rows_across_an_arrow_a_step_or_a_message_type) {
  trace_builder b;
  b.quorum_lanes();
  const auto first = b.send(10, "a1", "b1", "gossip-reply", "");
  b.deliver(20, "b1", "a1", first);  // merged with 10, this arrow would be flat
  b.send(30, "c1", "c2", "gossip-reply", "");
  b.step(1);
  b.send(40, "a2", "c2", "gossip-reply", "");  // another step
  b.send(50, "b2", "c1", "truncate", "");      // another type
  b.send(60, "b2", "c2", "truncate", "");      // b2 sends again: same kind, merged
  const std::string dot = dot_of(b.get());
  EXPECT_TRUE(contains(node_line(dot, "t1"), "label=\"0.010 ms\""));
  EXPECT_TRUE(contains(node_line(dot, "t2"), "label=\"" + span("0.020", "0.030") + "\""));
  EXPECT_TRUE(contains(node_line(dot, "t3"), "label=\"0.040 ms\""));
  EXPECT_TRUE(contains(node_line(dot, "t4"), "label=\"" + span("0.050", "0.060") + "\""));
  EXPECT_EQ(node_line(dot, "t5"), "");
}

TEST(dot, merges_the_retries_of_a_writer_cut_off_by_a_partition) {
  // Every 3 ms db1 resends to the six segments and the partition drops each copy at once.
  trace_builder b;
  b.quorum_lanes();
  b.at(0, "fault", "", {{"fault", std::string("partition db1 | az a,az b,az c")}});
  for (const std::int64_t t : {3000, 6000, 9000, 12000}) {
    for (const char* node : {"a1", "a2", "b1", "b2", "c1", "c2"}) {
      b.drop(t, node, "db1", b.send(t, "db1", node, "redo", "LSN 2"));
    }
  }
  const std::string dot = dot_of(b.get());
  EXPECT_TRUE(contains(node_line(dot, "t2"), "label=\"" + span("3.000", "12.000") + "\""));
  EXPECT_EQ(node_line(dot, "t3"), "");
  EXPECT_EQ(count(dot, "n2_0 -> n2_"), 6U) << "one arrow per segment, not four";
}

// ---------------------------------------------------------------------------------------------
// Graphviz DOT: windows and determinism

TEST(dot, cuts_to_a_window_of_steps) {
  const recorder source = quorum_write_trace().get();
  dot_options options;
  options.step_from = 1;
  options.step_to = 2;
  const std::string dot = dot_of(source, options);
  EXPECT_TRUE(contains(dot, "<b>crash b1</b>"));
  EXPECT_TRUE(contains(dot, "<b>write y=2</b>"));
  EXPECT_FALSE(contains(dot, "<b>write x=1</b>")) << "step 0 is cut";
  EXPECT_FALSE(contains(dot, "crash az a")) << "step 3 is cut";
  EXPECT_FALSE(contains(dot, "label=\"0.000 ms\""));
  EXPECT_TRUE(contains(dot, "label=\"2.000 ms\""));
  // Only the record that c2 never receives leaves the window: a dashed stub from db1 (column 0).
  EXPECT_EQ(count(dot, "style=dashed"), 1U);
  EXPECT_TRUE(contains(dot, "_0 -> s0 [color=\"#263238\", style=dashed]")) << dot;
}

TEST(dot, cuts_to_a_window_of_time_and_draws_cut_messages_as_dashed_stubs) {
  const recorder source = quorum_write_trace().get();
  dot_options options;
  options.time_from = aurora::sim::us(600);
  options.time_to = aurora::sim::us(1000);
  const std::string dot = dot_of(source, options);
  EXPECT_FALSE(contains(dot, "label=\"0.450 ms\""));
  EXPECT_TRUE(contains(node_line(dot, "t1"), "label=\"0.650 ms\""));
  EXPECT_TRUE(contains(dot, "label=\"0.970 ms\""));
  EXPECT_FALSE(contains(dot, "label=\"1.030 ms\""));
  // Sent at 0.200 ms, before the window; delivered to a1 (column 1) at 0.650 ms (level 1).
  EXPECT_TRUE(contains(dot,
                       " -> n1_1 [xlabel=\"write lsn 1001\", color=\"#263238\", "
                       "style=dashed]"));
  // b1 (column 3) acks at 0.810 ms (level 3); db1 gets it at 1.110 ms, after the window.
  EXPECT_TRUE(contains(dot, "n3_3 -> s"));
  EXPECT_TRUE(contains(dot,
                       "[xlabel=\"ack lsn 1001\", color=\"#2e7d32\", fontcolor=\"#2e7d32\", "
                       "style=dashed]"));
}

TEST(dot, writes_identical_bytes_for_identical_recordings) {
  const dot_options options{"t", -1, -1, {}, {}};
  EXPECT_EQ(dot_of(quorum_write_trace().get(), options),
            dot_of(quorum_write_trace().get(), options));
  const recorder source = quorum_write_trace().get();
  EXPECT_EQ(dot_of(source), dot_of(source));
  std::ostringstream jsonl_first, jsonl_second;
  aurora::trace::write_jsonl(source, jsonl_first);
  aurora::trace::write_jsonl(quorum_write_trace().get(), jsonl_second);
  EXPECT_EQ(jsonl_first.str(), jsonl_second.str());
}

TEST(dot, draws_an_empty_window_as_bare_lanes) {
  dot_options options;
  options.step_from = 99;
  const std::string dot = dot_of(quorum_write_trace().get(), options);
  // With nothing in the window, every lane is drawn, even the instance and the client.
  for (int column = 0; column < 8; ++column) {
    const std::string lane = std::to_string(column);
    EXPECT_TRUE(contains(dot, "h" + lane + " -> f" + lane + ";")) << column;
  }
  EXPECT_FALSE(contains(dot, "n1_"));
  EXPECT_TRUE(contains(dot, "VIOLATION at step 5")) << "the banner still names the violation";
}

// ---------------------------------------------------------------------------------------------
// Graphviz DOT: rendering

// Writes the diagram to the test's temporary directory and renders it with `dot -Tsvg`;
// returns the path of the DOT file.
std::string expect_renders_without_warnings(const recorder& source, const dot_options& options,
                                            const std::string& name) {
  const std::string path = ::testing::TempDir() + name;
  {
    std::ofstream out(path);
    aurora::trace::write_dot(source, out, options);
  }
  std::string errors;
  EXPECT_EQ(render_svg(path, errors), 0) << path;
  EXPECT_EQ(errors, "") << path;
  return path;
}

TEST(dot_render, renders_a_quorum_write_with_a_crash_and_a_violation_without_warnings) {
  if (!dot_available()) GTEST_SKIP() << "graphviz `dot` is not on PATH";
  expect_renders_without_warnings(quorum_write_trace().get(),
                                  {"Quorum write, b1 crashes, AZ a lost", -1, -1, {}, {}},
                                  "aurora_trace_quorum_write.dot");
}

TEST(dot_render, renders_windows_with_stubs_without_warnings) {
  if (!dot_available()) GTEST_SKIP() << "graphviz `dot` is not on PATH";
  expect_renders_without_warnings(quorum_write_trace().get(),
                                  {"window", -1, -1, aurora::sim::us(600), aurora::sim::us(3000)},
                                  "aurora_trace_window.dot");
  expect_renders_without_warnings(quorum_write_trace().get(), {"steps 1-2", 1, 2, {}, {}},
                                  "aurora_trace_steps.dot");
}

TEST(dot_render, renders_hostile_labels_without_warnings) {
  if (!dot_available()) GTEST_SKIP() << "graphviz `dot` is not on PATH";
  trace_builder b;
  b.lane("a\"1\\", 'a', "storage").lane("{b}", 'b', "storage").lane("x;y", '#', "storage");
  b.at(0, "fault", "", {{"fault", std::string("say \"x\" & <y>\nback\\slash \x01 \xff az a")}});
  const auto id = b.send(1, "a\"1\\", "{b}", "quote\"", "back\\slash\nnew <b>");
  b.drop(2, "{b}", "a\"1\\", id);
  b.at(3, "weird kind", "x;y", {{"k\"", std::string("\\N \\G ]; } digraph")}});
  b.at(4, "violation", "nobody", {{"invariant", std::string("<&>")}, {"reason", std::string()}});
  const auto self = b.send(5, "x;y", "x;y", "loop", "");  // delivered at the same time
  b.deliver(5, "x;y", "x;y", self);
  expect_renders_without_warnings(b.get(), {"\\N <title> \"q\"", -1, -1, {}, {}},
                                  "aurora_trace_hostile.dot");
}

TEST(dot_render, renders_partition_markers_and_merged_rows_without_warnings) {
  if (!dot_available()) GTEST_SKIP() << "graphviz `dot` is not on PATH";
  trace_builder b = fan_out_trace();
  b.at(400, "fault", "", {{"fault", std::string("partition db1 | az a,az b,az c")}});
  for (const std::int64_t t : {500, 800}) {
    for (const char* node : {"a1", "a2", "b1", "b2", "c1", "c2"}) {
      b.drop(t, node, "db1", b.send(t, "db1", node, "redo", "LSN 2"));
    }
  }
  const std::string path = expect_renders_without_warnings(b.get(), {}, "aurora_trace_merged.dot");
  const std::string dot = read_file(path);
  EXPECT_TRUE(contains(dot, "\xe2\x9c\x82 partition")) << "the short marker was drawn";
  EXPECT_TRUE(contains(dot, "\xe2\x80\x93")) << "so was a merged row";
}

// A long run: 2,000 events of repeated quorum writes with drops and AZ faults.
recorder long_trace() {
  trace_builder b;
  b.quorum_lanes();
  const std::vector<std::string> nodes = {"a1", "a2", "b1", "b2", "c1", "c2"};
  std::int64_t t = 0;
  for (int round = 0; b.get().events().size() < 2000; ++round) {
    b.step(round);
    const key_values written = {{"x", round}};
    b.at(t, "invoke", "client1",
         {{"process", std::string("client1")}, {"op", std::string("write")}, {"value", written}});
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      const auto id = b.send(t + 10, "db1", nodes[n], "write", "lsn " + std::to_string(round));
      const std::int64_t arrive = t + 100 + 37 * static_cast<std::int64_t>((n * 7 + round) % 6);
      if ((round + n) % 5 == 0) {
        b.drop(arrive, nodes[n], "db1", id);
        continue;
      }
      b.deliver(arrive, nodes[n], "db1", id);
      const auto ack = b.send(arrive, nodes[n], "db1", "ack", "");
      b.deliver(arrive + 120, "db1", nodes[n], ack);
    }
    b.at(t + 400, "vdl", "db1", {{"lsn", std::int64_t{round}}});
    b.at(t + 420, "ok", "client1",
         {{"process", std::string("client1")}, {"op", std::string("write")}, {"value", written}});
    if (round % 10 == 3) b.at(t + 450, "fault", "", {{"fault", std::string("crash az b")}});
    t += 500;
  }
  return b.get();
}

TEST(dot_render, renders_a_two_thousand_event_trace_quickly_and_without_warnings) {
  if (!dot_available()) GTEST_SKIP() << "graphviz `dot` is not on PATH";
  const recorder source = long_trace();
  ASSERT_GE(source.events().size(), 2000U);
  const auto start = std::chrono::steady_clock::now();
  expect_renders_without_warnings(source, {}, "aurora_trace_long.dot");
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  EXPECT_LT(seconds.count(), 20.0) << "measured on the wall clock; dot alone takes ~0.5 s";
}

}  // namespace
