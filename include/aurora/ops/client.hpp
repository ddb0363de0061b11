// A client: one process of the history, with at most one operation in flight.
//
// Part of the operations layer: a client lives on the world, not in a cluster, and reaches an
// instance of any cluster through the route it is given (the deployment resolves endpoints:
// ops/deployment.hpp). It sends a transaction or a read and waits up to `op_timeout` for the
// answer. It records every operation in the history (ops/history.hpp): `ok` when answered,
// `fail` when refused (or a read that timed out: a read has no effect), `info` when a write timed
// out or its writer was deposed with it in flight (it may still take effect). Operations started
// while one is in flight wait in a bounded queue, in order.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "aurora/db/wire.hpp"
#include "aurora/ops/history.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/storage/placement.hpp"

namespace aurora::ops {

using db::message;

class client final : public sim::endpoint<message> {
 public:
  using done_callback = std::function<void(const operation&)>;
  // Operations waiting behind the one in flight. A scenario has at most 100,000 steps
  // (harness::scenario_limits::max_steps, checked against this in harness/runner.hpp), so a
  // scenario the parser accepts never reaches it, even with every step on one client at once.
  static constexpr std::size_t queue_max = 100'000;

  client(sim::network<message>& net, std::string name, history& history, sim::duration op_timeout)
      : net_(net), name_(std::move(name)), history_(history), op_timeout_(op_timeout) {}

  void attach(sim::participant_id self) { self_ = self; }
  [[nodiscard]] sim::participant_id id() const { return self_; }
  [[nodiscard]] bool busy() const { return current_.has_value(); }

  // Starts (or queues) an operation on the cluster whose key table is `keys`; `route` picks the
  // instance when it actually starts.
  void start(operation op, const storage::key_table& keys,
             std::function<sim::participant_id()> route, done_callback done) {
    if (queued_.size() >= queue_max) {
      throw usage_error("client " + name_ + ": more than " + std::to_string(queue_max) +
                        " operations queued");
    }
    queued_.emplace_back(std::move(op), &keys, std::move(route), std::move(done));
    if (!busy()) start_next();
  }

  void receive(sim::participant_id, message&& value) override {
    auto* reply = std::get_if<db::client_reply>(&value);
    if (reply == nullptr || !current_ || reply->op != current_->history_id) return;
    op_status status = op_status::ok;
    if (reply->status == db::reply_status::refused) status = op_status::fail;
    if (reply->status == db::reply_status::indeterminate) status = op_status::info;
    finish(status, reply->value, reply->at);
  }

 private:
  struct pending {
    pending(operation&& what, const storage::key_table* table,
            std::function<sim::participant_id()>&& router, done_callback&& callback)
        : op(std::move(what)), keys(table), route(std::move(router)), done(std::move(callback)) {}
    operation op;
    const storage::key_table* keys;
    std::function<sim::participant_id()> route;
    done_callback done;
  };
  struct in_flight {
    std::uint64_t history_id;
    done_callback done;
    sim::time_point deadline;
  };

  void start_next() {
    if (queued_.empty()) return;
    pending& next = queued_.front();
    next.op.process = name_;
    next.op.invoked = net_.clock().now();
    const std::uint64_t id = history_.invoke(std::move(next.op), *next.keys);
    const sim::participant_id to = next.route();
    done_callback done = std::move(next.done);
    queued_.pop_front();
    const operation& op = history_.at(id);
    if (op.kind == op_kind::write) {
      net_.send(self_, to, db::client_write{id, op.puts});
    } else {
      net_.send(self_, to, db::client_read{id, op.key, op.from.is_cluster()});
    }
    current_ = in_flight{id, std::move(done), net_.clock().now() + op_timeout_};
    arm_timer();
  }

  // One timer per client, not one per operation: when it fires it either times out the current
  // operation or sleeps until that operation's deadline. Completed operations leave nothing
  // behind in the scheduler's queue.
  void arm_timer() {
    if (timer_armed_ || !current_) return;
    timer_armed_ = true;
    net_.clock().schedule_at(current_->deadline, [this] { on_timer(); });
  }

  void on_timer() {
    timer_armed_ = false;
    if (!current_) return;
    if (current_->deadline > net_.clock().now()) return arm_timer();
    const bool is_write = history_.at(current_->history_id).kind == op_kind::write;
    finish(is_write ? op_status::info : op_status::fail, std::nullopt, storage::no_lsn);
  }

  void finish(op_status status, std::optional<std::int64_t> value, storage::lsn at) {
    in_flight done = std::move(*current_);
    current_.reset();
    history_.complete(done.history_id, status, net_.clock().now(), value, at);
    if (done.done) done.done(history_.at(done.history_id));
    start_next();
  }

  sim::network<message>& net_;
  std::string name_;  // the history's process name; the network name is "client-" + name_
  history& history_;
  sim::duration op_timeout_;
  sim::participant_id self_{};
  std::optional<in_flight> current_;
  bool timer_armed_ = false;
  std::deque<pending> queued_;
};

}  // namespace aurora::ops
