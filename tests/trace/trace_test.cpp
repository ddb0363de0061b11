// Tests of the two trace formats (../shared/TRACE.md): JSON Lines byte for byte, and the
// Graphviz space-time diagram's structure, windowing, determinism and warning-free rendering.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "aurora/sim/time.hpp"
#include "aurora/trace/dot_writer.hpp"
#include "aurora/trace/event.hpp"
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
  void drop(std::int64_t t_us, const std::string& lane, const std::string& peer,
            std::uint64_t id) {
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
// acks; then b1 crashes, a second write still reaches four of six, AZ a is lost, and a read
// breaks read-after-commit.
trace_builder quorum_write_trace() {
  trace_builder b;
  b.quorum_lanes();
  b.step(0);
  b.at(0, "invoke", "client1", {{"process", "client1"}, {"op", "write"}, {"value", key_values{{"x", 1}}}});
  const auto request = b.send(0, "client1", "db1", "write", "x=1");
  b.deliver(200, "db1", "client1", request);
  const std::vector<std::pair<std::string, std::int64_t>> latency = {
      {"a1", 450}, {"a2", 520}, {"b1", 610}, {"b2", 700}, {"c1", 830}, {"c2", 900}};
  std::vector<std::uint64_t> records;
  for (const auto& [node, delay] : latency) records.push_back(b.send(200, "db1", node, "write", "lsn 1001"));
  std::int64_t acks = 0;
  for (std::size_t i = 0; i < latency.size(); ++i) {
    const auto& [node, delay] = latency[i];
    b.deliver(200 + delay, node, "db1", records[i]);
    b.at(200 + delay, "scl", node, {{"lsn", std::int64_t{1001}}});
    const auto ack = b.send(200 + delay, node, "db1", "ack", "lsn 1001");
    b.deliver(400 + delay + 50 * static_cast<std::int64_t>(i), "db1", node, ack);
    b.at(400 + delay + 50 * static_cast<std::int64_t>(i), "ack", "db1",
         {{"from", node}, {"lsn", std::int64_t{1001}}}, node, ack);
    if (++acks == 4) {
      b.at(400 + delay + 50 * static_cast<std::int64_t>(i), "vdl", "db1", {{"lsn", std::int64_t{1001}}});
      const auto reply = b.send(400 + delay + 50 * static_cast<std::int64_t>(i), "db1", "client1", "ok", "");
      b.deliver(1500, "client1", "db1", reply);
      b.at(1500, "ok", "client1", {{"process", "client1"}, {"op", "write"}, {"value", key_values{{"x", 1}}}});
    }
  }
  b.step(1);
  b.at(2000, "fault", "b1", {{"fault", std::string("crash b1")}});
  b.step(2);
  b.at(2500, "invoke", "client1", {{"process", "client1"}, {"op", "write"}, {"value", key_values{{"y", 2}}}});
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
  b.at(4500, "invoke", "client1", {{"process", "client1"}, {"op", "read"}, {"value", key_values{{"x", std::nullopt}}}});
  b.at(5200, "ok", "client1", {{"process", "client1"}, {"op", "read"}, {"value", key_values{{"x", std::nullopt}}}});
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
    EXPECT_EQ(to_jsonl(value), std::string("{\"t_us\":7,\"kind\":\"probe\",\"v\":") + each.expected + "}")
        << each.name;
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
    b.at(t, kind, process, {{"process", std::string(process)}, {"op", std::string(op)}, {"value", value}});
  };
  client(0, "invoke", "c1", "write", {{"x", 1}});
  client(2150, "ok", "c1", "write", {{"x", 1}});
  client(3000, "invoke", "c2", "read", {{"x", std::nullopt}});
  client(3410, "ok", "c2", "read", {{"x", 1}});
  const std::string expected =
      R"({"t_us":0,"kind":"invoke","process":"c1","op":"write","value":{"x":1}})" "\n"
      R"({"t_us":2150,"kind":"ok","process":"c1","op":"write","value":{"x":1}})" "\n"
      R"({"t_us":3000,"kind":"invoke","process":"c2","op":"read","value":{"x":null}})" "\n"
      R"({"t_us":3410,"kind":"ok","process":"c2","op":"read","value":{"x":1}})" "\n";
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

// ---------------------------------------------------------------------------------------------
// Graphviz DOT: structure

TEST(dot, groups_storage_lanes_by_az_and_keeps_instances_and_clients_beside_them) {
  const std::string dot = dot_of(quorum_write_trace().get());
  const std::vector<std::pair<std::string, std::vector<std::string>>> clusters = {
      {"cluster_az_a", {"a1", "a2"}},  {"cluster_az_b", {"b1", "b2"}},
      {"cluster_az_c", {"c1", "c2"}},  {"cluster_instances", {"db1"}},
      {"cluster_clients", {"client1"}},
  };
  for (const auto& [name, lanes] : clusters) {
    const std::string body = subgraph_body(dot, name);
    ASSERT_FALSE(body.empty()) << name;
    for (const std::string& lane : lanes) EXPECT_NE(body.find("<b>" + lane + "</b>"), std::string::npos) << name << " " << lane;
    for (const char* other : {"a1", "b2", "c1", "db1", "client1"}) {
      if (std::find(lanes.begin(), lanes.end(), other) != lanes.end()) continue;
      EXPECT_EQ(body.find(std::string("<b>") + other + "</b>"), std::string::npos) << name << " " << other;
    }
  }
  EXPECT_NE(dot.find("label=\"AZ a\""), std::string::npos);
  // Lane order: the recorder's, groups where their first lane is (h<column index>).
  EXPECT_NE(dot.find("time_h -> h0 -> h1 -> h2 -> h3 -> h4 -> h5 -> h6 -> h7 [style=invis]"),
            std::string::npos);
}

TEST(dot, draws_a_message_as_a_labelled_arrow_from_send_to_deliver) {
  trace_builder b;
  b.lane("db1", 0, "instance").lane("a1", 'a', "storage");
  const auto id = b.send(100, "db1", "a1", "write", "lsn 7");
  b.deliver(350, "a1", "db1", id);
  const std::string dot = dot_of(b.get());
  // Columns: db1 = 0, a1 = 1; rows: 100us = level 1, 350us = level 2.
  EXPECT_NE(dot.find("n1_0 -> n2_1 [label=\"write lsn 7\", color=\"#263238\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("t1 [shape=plaintext, fontsize=12, label=\"0.100 ms\"]"), std::string::npos);
  EXPECT_NE(dot.find("t2 [shape=plaintext, fontsize=12, label=\"0.350 ms\"]"), std::string::npos);
  EXPECT_NE(dot.find("{rank=same; t1; n1_0;}"), std::string::npos);
  EXPECT_NE(dot.find("h0 -> n1_0;"), std::string::npos);
}

TEST(dot, colours_acks_green_and_ends_a_dropped_message_in_a_red_x) {
  trace_builder b;
  b.lane("db1", 0, "instance").lane("a1", 'a', "storage").lane("b1", 'b', "storage");
  const auto ack = b.send(10, "a1", "db1", "ack", "lsn 7");
  b.deliver(20, "db1", "a1", ack);
  const auto lost = b.send(30, "db1", "b1", "write", "lsn 8");
  b.drop(40, "b1", "db1", lost);
  const auto refused = b.send(50, "db1", "b1", "write", "lsn 9");
  b.drop(50, "db1", "b1", refused);  // dropped at the sender: a stub ending in an X
  const std::string dot = dot_of(b.get());
  EXPECT_NE(dot.find("n1_1 -> n2_0 [label=\"ack lsn 7\", color=\"#2e7d32\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("n3_0 -> n4_2 [label=\"write lsn 8\", color=\"#263238\", arrowhead=none]"), std::string::npos);
  EXPECT_NE(dot.find("n4_2 [shape=plaintext"), std::string::npos);
  EXPECT_NE(dot.find("<font color=\"#d50000\"><b>X</b></font>"), std::string::npos);
  EXPECT_NE(dot.find("n5_0 -> s0 [label=\"write lsn 9\""), std::string::npos);
}

TEST(dot, marks_faults_on_their_lane_or_on_every_lane_of_the_az) {
  trace_builder b;
  b.quorum_lanes();
  b.at(100, "fault", "b1", {{"fault", std::string("crash b1")}});
  b.at(200, "fault", "", {{"fault", std::string("crash az a")}});
  b.at(300, "fault", "", {{"fault", std::string("heal")}});
  const std::string dot = dot_of(b.get());
  // Columns: db1 0, a1 1, a2 2, b1 3, b2 4, c1 5, c2 6, client1 7, run 8.
  for (const char* id : {"n1_3", "n2_1", "n2_2", "n3_8"}) {
    EXPECT_NE(dot.find(std::string(id) + " [shape=octagon"), std::string::npos) << id;
  }
  EXPECT_EQ(dot.find("n2_3 [shape=octagon"), std::string::npos);
  EXPECT_NE(dot.find("<b>crash az a</b>"), std::string::npos);
  EXPECT_NE(dot.find("h8 [shape=box, style=\"filled,bold\", fillcolor=white, color=\"#263238\", "
                     "fontsize=16, label=<<b>run</b>>]"),
            std::string::npos);
  EXPECT_NE(dot.find("time_h -> h8 -> h0"), std::string::npos) << "the run lane is leftmost";
}

TEST(dot, turns_the_violating_step_red_and_puts_a_banner_in_the_graph_label) {
  const std::string dot = dot_of(quorum_write_trace().get(), {"AZ+1 read", -1, -1, {}, {}});
  EXPECT_NE(dot.find("<b>VIOLATION read_after_commit</b>"), std::string::npos);
  EXPECT_NE(dot.find("VIOLATION at step 4, 5.200 ms: read_after_commit: read x returned none"),
            std::string::npos);
  EXPECT_NE(dot.find("<font point-size=\"22\"><b>AZ+1 read</b></font>"), std::string::npos);
  // The read's invoke (4.500 ms) and its ok are in step 4: outlined red.
  const std::size_t invoke = dot.find("<b>read x</b>");
  ASSERT_NE(invoke, std::string::npos);
  const std::size_t line_start = dot.rfind('\n', invoke);
  EXPECT_NE(dot.substr(line_start, invoke - line_start).find("color=red, penwidth=2"), std::string::npos);
  // A node of another step is not.
  const std::size_t write = dot.find("<b>write x=1</b>");
  const std::size_t write_start = dot.rfind('\n', write);
  EXPECT_EQ(dot.substr(write_start, write - write_start).find("color=red"), std::string::npos);
}

TEST(dot, labels_client_operations_and_lsn_points) {
  trace_builder b;
  b.lane("db1", 0, "instance").lane("client1", 0, "client");
  const auto op = [&](std::int64_t t, const char* kind, const char* name, key_values value,
                      std::vector<field> extra = {}) {
    std::vector<field> fields = {{"process", std::string("client1")}, {"op", std::string(name)}, {"value", std::move(value)}};
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
  const std::string dot = dot_of(b.get());
  for (const char* label :
       {"<b>write x=1 y=2</b>", ">ok</", "<b>read x</b>", "<b>read x -&gt; 1</b>", "<b>fail</b>",
        "<b>info (timeout)</b>", "<font color=\"#0d47a1\"><b>VDL 1007</b>", "<b>VCL 1009</b>",
        ">epoch 2<", ">truncate from=1008 to=1010<"}) {
    EXPECT_NE(dot.find(label), std::string::npos) << label;
  }
  EXPECT_NE(dot.find("[penwidth=5, color=\"#90caf9\"]"), std::string::npos) << "open operation";
}

TEST(dot, escapes_quotes_backslashes_newlines_and_markup_in_labels) {
  trace_builder b;
  b.lane("a\"1\\", 'a', "storage");
  b.at(0, "fault", "a\"1\\", {{"fault", std::string("say \"x\" & <y>\nback\\slash \x01 \xff")}});
  const auto id = b.send(1, "a\"1\\", "a\"1\\", "quote\"", "back\\slash\nnew");
  b.deliver(2, "a\"1\\", "a\"1\\", id);
  const std::string dot = dot_of(b.get(), {"title <&>", -1, -1, {}, {}});
  EXPECT_NE(dot.find("say &quot;x&quot; &amp; &lt;y&gt;<br/>back\\slash   ?"), std::string::npos) << dot;
  EXPECT_NE(dot.find("label=\"quote\\\" back\\\\slash\\nnew\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"a\\\"1\\\\\"];"), std::string::npos) << "footer";
  EXPECT_NE(dot.find("<b>title &lt;&amp;&gt;</b>"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Graphviz DOT: windows and determinism

TEST(dot, cuts_to_a_window_of_steps) {
  const recorder source = quorum_write_trace().get();
  dot_options options;
  options.step_from = 1;
  options.step_to = 2;
  const std::string dot = dot_of(source, options);
  EXPECT_NE(dot.find("<b>crash b1</b>"), std::string::npos);
  EXPECT_NE(dot.find("<b>write y=2</b>"), std::string::npos);
  EXPECT_EQ(dot.find("<b>write x=1</b>"), std::string::npos) << "step 0 is cut";
  EXPECT_EQ(dot.find("crash az a"), std::string::npos) << "step 3 is cut";
  EXPECT_EQ(dot.find("label=\"0.000 ms\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"2.000 ms\""), std::string::npos);
  EXPECT_EQ(dot.find("style=dashed"), std::string::npos) << "no message crosses steps 1-2";
}

TEST(dot, cuts_to_a_window_of_time_and_draws_cut_messages_as_dashed_stubs) {
  const recorder source = quorum_write_trace().get();
  dot_options options;
  options.time_from = aurora::sim::us(600);
  options.time_to = aurora::sim::us(1000);
  const std::string dot = dot_of(source, options);
  EXPECT_EQ(dot.find("label=\"0.450 ms\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"0.650 ms\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"1.000 ms\""), std::string::npos);
  EXPECT_EQ(dot.find("label=\"1.100 ms\""), std::string::npos);
  // Sent at 200us (before the window), delivered at 650us: an incoming stub.
  EXPECT_NE(dot.find(" -> n1_1 [label=\"write lsn 1001\", color=\"#263238\", style=dashed]"),
            std::string::npos) << dot;
  // Sent at 1000us by db1 (the ok to client1), delivered at 1500us: an outgoing stub.
  EXPECT_NE(dot.find("_0 -> s"), std::string::npos);
  EXPECT_NE(dot.find("[shape=point, style=invis, width=0.05]"), std::string::npos);
}

TEST(dot, writes_identical_bytes_for_identical_recordings) {
  const std::string first = dot_of(quorum_write_trace().get(), {"t", -1, -1, {}, {}});
  const std::string second = dot_of(quorum_write_trace().get(), {"t", -1, -1, {}, {}});
  EXPECT_EQ(first, second);
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
  EXPECT_NE(dot.find("h0 -> f0;"), std::string::npos);
  EXPECT_EQ(dot.find("n1_"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Graphviz DOT: rendering

void expect_renders_without_warnings(const recorder& source, const dot_options& options,
                                     const std::string& name) {
  if (!dot_available()) GTEST_SKIP() << "graphviz `dot` is not on PATH";
  const std::string path = ::testing::TempDir() + name;
  {
    std::ofstream out(path);
    aurora::trace::write_dot(source, out, options);
  }
  std::string errors;
  EXPECT_EQ(render_svg(path, errors), 0) << path;
  EXPECT_EQ(errors, "") << path;
}

TEST(dot_render, renders_a_quorum_write_with_a_crash_and_a_violation_without_warnings) {
  expect_renders_without_warnings(quorum_write_trace().get(),
                                  {"Quorum write, b1 crashes, AZ a lost", -1, -1, {}, {}},
                                  "aurora_trace_quorum_write.dot");
}

TEST(dot_render, renders_a_time_window_with_stubs_without_warnings) {
  dot_options options{"window", -1, -1, aurora::sim::us(600), aurora::sim::us(3000)};
  expect_renders_without_warnings(quorum_write_trace().get(), options,
                                  "aurora_trace_window.dot");
}

TEST(dot_render, renders_hostile_labels_without_warnings) {
  trace_builder b;
  b.lane("a\"1\\", 'a', "storage").lane("{b}", 'b', "storage").lane("x;y", '#', "storage");
  b.at(0, "fault", "", {{"fault", std::string("say \"x\" & <y>\nback\\slash \x01 \xff az a")}});
  const auto id = b.send(1, "a\"1\\", "{b}", "quote\"", "back\\slash\nnew <b>");
  b.drop(2, "{b}", "a\"1\\", id);
  b.at(3, "weird kind", "x;y", {{"k\"", std::string("\\N \\G")}});
  expect_renders_without_warnings(b.get(), {"\\N <title> \"q\"", -1, -1, {}, {}},
                                  "aurora_trace_hostile.dot");
}

// A long run: 2,000 events of repeated quorum writes with faults, to check that dot stays
// warning-free and fast enough on a large trace.
recorder long_trace() {
  trace_builder b;
  b.quorum_lanes();
  const std::vector<std::string> nodes = {"a1", "a2", "b1", "b2", "c1", "c2"};
  std::int64_t t = 0;
  for (int round = 0; b.get().events().size() < 2000; ++round) {
    b.step(round);
    b.at(t, "invoke", "client1", {{"process", "client1"}, {"op", "write"}, {"value", key_values{{"x", round}}}});
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
    b.at(t + 420, "ok", "client1", {{"process", "client1"}, {"op", "write"}, {"value", key_values{{"x", round}}}});
    if (round % 10 == 3) b.at(t + 450, "fault", "", {{"fault", std::string("crash az b")}});
    t += 500;
  }
  return b.get();
}

TEST(dot_render, renders_a_two_thousand_event_trace_without_warnings) {
  const recorder source = long_trace();
  ASSERT_GE(source.events().size(), 2000U);
  expect_renders_without_warnings(source, {}, "aurora_trace_long.dot");
}

}  // namespace
