// The client history: what every client asked and what it was told.
//
// Part of the operations layer: clients (ops/client.hpp) record it as they go, the way a Jepsen
// client does, and the checkers (check/) read it; the model never reads it. Modelled on Jepsen
// histories (docs/trace-events.md): each operation is an `invoke` followed by
// exactly one completion: `ok` (it happened; a read's value is known), `fail` (it definitely did
// not happen) or `info` (unknown: a write that timed out may still take effect later). Each
// operation also keeps what the model knows and a client would not: the commit LSN of a write,
// the LSN of the version a read returned. Checkers use those to decide exactly, instead of
// guessing from values.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aurora/ops/endpoint.hpp"
#include "aurora/sim/time.hpp"
#include "aurora/storage/log_record.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/trace/recorder.hpp"

namespace aurora::ops {

enum class op_kind : std::uint8_t { write, read };
enum class op_status : std::uint8_t { pending, ok, fail, info };

inline const char* to_string(op_status status) {
  switch (status) {
    case op_status::pending: return "pending";
    case op_status::ok: return "ok";
    case op_status::fail: return "fail";
    case op_status::info: return "info";
  }
  return "?";
}

struct operation {
  std::uint64_t id = 0;
  std::string process;           // the client
  std::string cluster = "main";  // the cluster whose endpoint it went to
  op_kind kind = op_kind::write;
  std::vector<std::pair<storage::key_id, std::int64_t>> puts;  // writes
  storage::key_id key = 0;                                     // reads
  endpoint from;         // where it went (a write: the cluster endpoint or an instance)
  sim::duration hold{};  // a write held open this long before it asks to commit (`hold`)
  std::optional<std::int64_t> value;  // reads that completed ok
  storage::lsn at = storage::no_lsn;  // commit LSN of an ok write; version LSN of an ok read
  sim::time_point invoked{}, completed{};
  op_status status = op_status::pending;
  bool answered = false;  // the instance answered (ok or an error), not the client's timeout
  int step = -1;
};

class history {
 public:
  explicit history(trace::recorder& trace) : trace_(trace) {}

  // Records a new operation; its key ids are those of `keys`, its cluster's key table.
  std::uint64_t invoke(operation&& op, const storage::key_table& keys) {
    op.id = operations_.size();
    op.step = trace_.step();
    if (operations_.size() == operations_.capacity()) grow();
    operations_.push_back(std::move(op));
    keys_.push_back(&keys);
    record("invoke", operations_.back());
    return operations_.back().id;
  }

  void complete(std::uint64_t id, op_status status, sim::time_point when,
                std::optional<std::int64_t> value, storage::lsn at, bool answered = true) {
    operation& op = operations_.at(id);
    if (op.status != op_status::pending) return;  // one completion only
    op.status = status;
    op.answered = answered;
    op.completed = when;
    op.value = value;
    op.at = at;
    record(to_string(status), op);
  }

  [[nodiscard]] const std::vector<operation>& operations() const { return operations_; }
  [[nodiscard]] const operation& at(std::uint64_t id) const { return operations_.at(id); }

 private:
  // Every operation moves whenever the vector outgrows its block, and an operation (three
  // strings, a vector) is dear to move: growing 4x rather than 2x moves each one about a third
  // of a time instead of about once. The unused tail of a large block is never written, so the
  // operating system does not back it with memory until it is used.
  void grow() {
    constexpr std::size_t first = 64;
    operations_.reserve(std::max(first, 4 * operations_.capacity()));
  }

  void record(const char* kind, const operation& op) {
    if (!trace_.enabled()) return;
    const storage::key_table& keys = *keys_[op.id];
    trace::key_values value;
    if (op.kind == op_kind::write) {
      for (const auto& [key, written] : op.puts) value.emplace_back(keys.name(key), written);
    } else {
      const bool known = op.status == op_status::ok;
      value.emplace_back(keys.name(op.key), known ? op.value : std::nullopt);
    }
    const sim::time_point when = op.status == op_status::pending ? op.invoked : op.completed;
    trace_.record({when, kind, fields(op, std::move(value)), "client-" + op.process, {}, 0});
  }

  // The history fields (docs/trace-events.md): process, op, value, endpoint, and the cluster
  // where it is not the production cluster `main`.
  static std::vector<trace::field> fields(const operation& op, trace::key_values&& value) {
    trace::field_list result(op.cluster == "main" ? 4 : 5);
    result.add("process", op.process)
        .add("op", std::string(op.kind == op_kind::write ? "write" : "read"))
        .add("value", std::move(value))
        .add("endpoint", endpoint_of(op));
    if (op.cluster != "main") result.add("cluster", op.cluster);
    return result.take();
  }

  // Where the operation went, for external checkers (docs/trace-events.md): "cluster" (the
  // writer endpoint: every write, and reads through it), "reader", or an instance name.
  static std::string endpoint_of(const operation& op) { return to_string(op.from); }

  trace::recorder& trace_;
  std::vector<operation> operations_;
  std::vector<const storage::key_table*> keys_;  // per operation: its cluster's key table
};

}  // namespace aurora::ops
