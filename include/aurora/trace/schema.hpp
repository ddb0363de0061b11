// The trace schema: every event kind and field key the model records, as named constants.
//
// An event is a kind and an ordered list of fields (event.hpp); docs/trace-events.md is the
// reference of what each kind means and which fields it carries. Emitters and readers use these
// constants instead of string literals, so that a kind or key is spelled in one place. The
// values are the exact strings of the JSON Lines format: changing one changes the format.
#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace aurora::trace {

// Event kinds, the `kind` of every JSON Lines record.
namespace kind {

// Records of a JSON Lines file that are not events (jsonl_writer.hpp, jsonl_reader.hpp).
inline constexpr std::string_view lane = "lane";  // a participant of the run, before every event
inline constexpr std::string_view step = "step";  // the scenario step of the events that follow

// Messages.
inline constexpr std::string_view send = "send";        // a message leaves its sender
inline constexpr std::string_view deliver = "deliver";  // a message arrives at its receiver
inline constexpr std::string_view drop = "drop";        // a message is lost (see `reason`)
inline constexpr std::string_view ack = "ack";          // an acknowledgement seen at its receiver

// Faults.
inline constexpr std::string_view fault = "fault";  // a fault applied (scenario-language text)
inline constexpr std::string_view failover_impossible =
    "failover-impossible";                            // a failover found no other instance up
inline constexpr std::string_view reboot = "reboot";  // an instance restarts at once
inline constexpr std::string_view control_plane =
    "control-plane";  // the control plane decided by itself (a failover, a recreation)

// LSN points, epochs, recovery.
inline constexpr std::string_view vcl = "vcl";                // the writer's VCL moved
inline constexpr std::string_view vdl = "vdl";                // the writer's VDL moved
inline constexpr std::string_view scl = "scl";                // a segment's SCL moved
inline constexpr std::string_view pgcl = "pgcl";              // a PG's PGCL moved
inline constexpr std::string_view epoch = "epoch";            // an instance opened as the writer
inline constexpr std::string_view recovery = "recovery";      // crash recovery started or computed
inline constexpr std::string_view truncate = "truncate";      // recovery truncated a range
inline constexpr std::string_view deposed = "deposed";        // a writer learned of a newer epoch
inline constexpr std::string_view membership = "membership";  // a replacement segment caught up

// Client history (Jepsen-style).
inline constexpr std::string_view invoke = "invoke";  // a client starts an operation
inline constexpr std::string_view ok = "ok";          // the operation happened
inline constexpr std::string_view fail = "fail";      // it definitely did not happen
inline constexpr std::string_view info = "info";      // unknown whether it happened

// Endpoints.
inline constexpr std::string_view dns = "dns";  // a client resolved an endpoint through DNS

// Checks.
inline constexpr std::string_view violation = "violation";  // an invariant broke

// Every kind above; a JSON Lines reader refuses any other.
inline constexpr std::array all = {
    lane,     step,          send,       deliver, drop, ack,  fault, failover_impossible,
    reboot,   control_plane, vcl,        vdl,     scl,  pgcl, epoch, recovery,
    truncate, deposed,       membership, invoke,  ok,   fail, info,  dns,
    violation};

}  // namespace kind

// Field keys, in the order docs/trace-events.md lists them per kind.
namespace key {

// Every record.
inline constexpr std::string_view t_us = "t_us";  // simulated time in microseconds
inline constexpr std::string_view kind = "kind";  // the record's kind (namespace kind above)

// Lane records.
inline constexpr std::string_view name = "name";  // the participant's name
inline constexpr std::string_view az = "az";      // its availability zone ("a"), or null
inline constexpr std::string_view role = "role";  // storage, instance, client or service

// Messages.
inline constexpr std::string_view msg = "msg";          // links a send to its deliver or drop
inline constexpr std::string_view from = "from";        // the sender (truncate: first LSN cut)
inline constexpr std::string_view to = "to";            // the receiver (truncate: last LSN cut)
inline constexpr std::string_view type = "type";        // the message type: redo, ack, read...
inline constexpr std::string_view summary = "summary";  // the message's content in brief
inline constexpr std::string_view reason = "reason";    // why: a drop, a failure, a violation

// Faults.
inline constexpr std::string_view fault = "fault";  // the fault in the scenario language
inline constexpr std::string_view lanes = "lanes";  // the lanes a fault touched, joined by ','

// LSN points, epochs, recovery, membership.
inline constexpr std::string_view instance = "instance";  // the database instance
inline constexpr std::string_view node = "node";          // the storage node
inline constexpr std::string_view pg = "pg";              // the protection group
inline constexpr std::string_view lsn = "lsn";            // an LSN point's new value
inline constexpr std::string_view epoch = "epoch";        // a volume epoch
inline constexpr std::string_view phase = "phase";        // a recovery's phase: start, computed
inline constexpr std::string_view vcl = "vcl";            // a recovery's computed VCL
inline constexpr std::string_view vdl = "vdl";            // a recovery's computed VDL
inline constexpr std::string_view slot = "slot";          // a segment's slot in its PG
inline constexpr std::string_view change = "change";      // what a membership change did

// Client history.
inline constexpr std::string_view process = "process";    // the client's name
inline constexpr std::string_view op = "op";              // "write" or "read"
inline constexpr std::string_view value = "value";        // key -> integer-or-null
inline constexpr std::string_view endpoint = "endpoint";  // where the operation went
inline constexpr std::string_view error = "error";        // a failure's cause (when not `reason`)

// Checks.
inline constexpr std::string_view invariant = "invariant";  // the invariant that broke
inline constexpr std::string_view step = "step";            // a 0-based step index

}  // namespace key

// Whether `name` is a kind of the client history: an operation invoked or completed.
[[nodiscard]] constexpr bool is_history_kind(std::string_view name) {
  return name == kind::invoke || name == kind::ok || name == kind::fail || name == kind::info;
}

// Whether `name` is one of the kinds above.
[[nodiscard]] constexpr bool is_known_kind(std::string_view name) {
  return std::find(kind::all.begin(), kind::all.end(), name) != kind::all.end();
}

// A client named `c1` is the lane `client-c1` (its events carry the name in `process`).
inline constexpr std::string_view client_lane_prefix = "client-";

// The separator of the names in a fault's `lanes` field: "b1,b2".
inline constexpr char lane_separator = ',';

// The names of a `lanes` field, in order: "b1,b2" -> b1, b2; "" -> none.
[[nodiscard]] inline std::vector<std::string> split_lane_names(std::string_view joined) {
  std::vector<std::string> names;
  while (!joined.empty()) {
    const std::size_t end = std::min(joined.find(lane_separator), joined.size());
    names.emplace_back(joined.substr(0, end));
    joined.remove_prefix(std::min(end + 1, joined.size()));
  }
  return names;
}

// Names joined into a `lanes` field: b1, b2 -> "b1,b2".
[[nodiscard]] inline std::string join_lane_names(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += lane_separator;
    joined += name;
  }
  return joined;
}

}  // namespace aurora::trace
