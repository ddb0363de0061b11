// A client: one process of the history, with at most one operation in flight.
//
// Part of the operations layer: a client lives on the world, not in a cluster, and reaches an
// instance of any cluster through the route it is given (the deployment resolves endpoints:
// ops/deployment.hpp). It sends a transaction or a read and waits up to `op_timeout` for the
// answer. It records every operation in the history (ops/history.hpp): `ok` when answered,
// `fail` when refused (or a read that timed out: a read has no effect), `info` when a write timed
// out or its writer was deposed with it in flight (it may still take effect). Operations started
// while one is in flight wait in a bounded queue, in order. A client that reaches the cluster
// and reader endpoints through DNS (ops/client_options.hpp, the default) keeps each answer while
// it is fresh: after a failover it may keep reaching the old writer [UG].
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "aurora/db/wire.hpp"
#include "aurora/ops/client_options.hpp"
#include "aurora/ops/endpoint.hpp"
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

  client(sim::network<message>& net, std::string name, history& history, sim::duration op_timeout,
         client_options options = {}, sim::duration dns_ttl = default_dns_ttl)
      : net_(net),
        name_(std::move(name)),
        history_(history),
        op_timeout_(op_timeout),
        options_(options),
        dns_ttl_(dns_ttl) {}

  [[nodiscard]] const client_options& options() const { return options_; }

  void attach(sim::participant_id self) { self_ = self; }
  [[nodiscard]] sim::participant_id id() const { return self_; }
  [[nodiscard]] bool busy() const { return current_.has_value(); }

  // Starts (or queues) an operation on the cluster whose key table is `keys`; `route` gives the
  // instance its endpoint names when it actually starts (for the cluster endpoint: the
  // designated writer, as DNS and the control plane say now). A client that goes through DNS
  // (`via=dns`) keeps that answer for the cluster and reader endpoints and uses it while it is
  // fresh (client_options.hpp); a cluster-endpoint operation sent on a stale answer is recorded
  // as going to that instance's endpoint, which is where it went.
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

  // A DNS answer kept for one endpoint of one cluster.
  struct dns_answer {
    std::string cluster;
    endpoint_kind kind = endpoint_kind::cluster;
    sim::participant_id to{};
    sim::time_point expires{};
  };

  // Where the operation goes: the route's answer now, or a cached DNS answer while it is fresh.
  sim::participant_id resolve(pending& next) {
    const endpoint_kind kind = next.op.from.kind();
    if (options_.via != client_path::dns || kind == endpoint_kind::instance) return next.route();
    const sim::time_point now = net_.clock().now();
    for (dns_answer& each : answers_) {
      if (each.cluster != next.op.cluster || each.kind != kind) continue;
      if (now < each.expires) return stale_or_current(next, each.to);
      each.to = next.route();
      each.expires = expiry(now);
      return each.to;
    }
    answers_.push_back({next.op.cluster, kind, next.route(), expiry(now)});
    return answers_.back().to;
  }

  // A cached cluster-endpoint answer that is no longer the writer: the operation goes to that
  // instance, and the history says so (the checkers judge it as an instance endpoint's).
  sim::participant_id stale_or_current(pending& next, sim::participant_id cached) {
    if (next.op.from.is_cluster() && next.route() != cached) {
      net_.probes().hit("a client used a stale DNS answer");
      next.op.from = ops::endpoint::instance(net_.name(cached));
    }
    return cached;
  }

  [[nodiscard]] sim::time_point expiry(sim::time_point now) const {
    switch (options_.caching) {
      case dns_caching::ttl: return now + dns_ttl_;
      case dns_caching::forever: return sim::time_point::max();
      case dns_caching::fixed: return now + options_.cache_for;
    }
    return now;
  }

  void start_next() {
    if (queued_.empty()) return;
    pending& next = queued_.front();
    next.op.process = name_;
    next.op.invoked = net_.clock().now();
    const sim::participant_id to = resolve(next);
    const std::uint64_t id = history_.invoke(std::move(next.op), *next.keys);
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
    finish(is_write ? op_status::info : op_status::fail, std::nullopt, storage::no_lsn, false);
  }

  void finish(op_status status, std::optional<std::int64_t> value, storage::lsn at,
              bool answered = true) {
    in_flight done = std::move(*current_);
    current_.reset();
    history_.complete(done.history_id, status, net_.clock().now(), value, at, answered);
    if (done.done) done.done(history_.at(done.history_id));
    start_next();
  }

  sim::network<message>& net_;
  std::string name_;  // the history's process name; the network name is "client-" + name_
  history& history_;
  sim::duration op_timeout_;
  client_options options_;
  sim::duration dns_ttl_;
  std::vector<dns_answer> answers_;  // searched, never iterated into behaviour or output
  sim::participant_id self_{};
  std::optional<in_flight> current_;
  bool timer_armed_ = false;
  std::deque<pending> queued_;
};

}  // namespace aurora::ops
