// A client: one process of the history, with at most one operation in flight.
//
// Part of the operations layer: a client lives on the world, not in a cluster, and reaches an
// instance of any cluster through the route it is given (the deployment resolves endpoints:
// ops/deployment.hpp). It sends a transaction or a read and waits up to `op_timeout` for the
// answer. It records every operation in the history (ops/history.hpp): `ok` when answered,
// `fail` when refused (or a read that timed out: a read has no effect), `info` when a write timed
// out or its writer was deposed with it in flight (it may still take effect). Operations started
// while one is in flight wait in a bounded queue, in order. A held write (`write ... hold`)
// waits its hold plus op_timeout. A client that reaches the cluster and reader endpoints through
// DNS (ops/client_options.hpp, the default) looks each one up (a `dns` trace event) and keeps
// the answer while it is fresh: after a failover it may keep reaching the old writer [UG]; a
// client through the proxy sends to a proxy node instead (ops/proxy.hpp).
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

  // Where an endpoint leads: the instance (or proxy node) it names at the time given. DNS
  // answers with what the record said `dns_propagation` ago; the truth is what it names now.
  using route_function = std::function<sim::participant_id(sim::time_point as_of)>;

  client(sim::network<message>& net, std::string name, history& history, sim::duration op_timeout,
         client_options options = {}, dns_settings dns = {})
      : net_(net),
        name_(std::move(name)),
        history_(history),
        op_timeout_(op_timeout),
        options_(options),
        dns_(dns) {}

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
  // The operation is taken by rvalue reference and, when nothing is in flight or queued, sent
  // from where the caller built it: it is moved once, into the history, and never into the queue.
  void start(operation&& op, const storage::key_table& keys, route_function route,
             done_callback done) {
    if (!busy() && queued_.empty()) return launch(op, keys, route, done);
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
    pending(operation&& what, const storage::key_table* table, route_function&& router,
            done_callback&& callback)
        : op(std::move(what)), keys(table), route(std::move(router)), done(std::move(callback)) {}
    operation op;
    const storage::key_table* keys;
    route_function route;
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

  // Where the operation goes: the route's answer now, or a DNS answer: the one kept while it is
  // fresh, else a new one (what the record said `dns_propagation` ago), kept from now on.
  sim::participant_id resolve(operation& op, const route_function& route) {
    const endpoint_kind kind = op.from.kind();
    const sim::time_point now = net_.clock().now();
    if (options_.via != client_path::dns || kind == endpoint_kind::instance) {
      return route(now);
    }
    dns_answer* kept = nullptr;
    for (dns_answer& each : answers_) {
      if (each.kind == kind && each.cluster == op.cluster) kept = &each;
    }
    if (kept != nullptr && now < kept->expires) return stale_or_current(op, route, kept->to);
    if (kept == nullptr) kept = &answers_.emplace_back(dns_answer{op.cluster, kind});
    kept->to = route(now - dns_.propagation);
    kept->expires = expiry(now);
    record_lookup(op, *kept);
    return stale_or_current(op, route, kept->to);
  }

  // A DNS answer for the cluster endpoint that is not the writer now (kept too long, or not yet
  // changed): the operation goes to that instance, and the history says so (the checkers judge
  // it as an instance endpoint's).
  sim::participant_id stale_or_current(operation& op, const route_function& route,
                                       sim::participant_id answer) {
    if (op.from.is_cluster() && route(net_.clock().now()) != answer) {
      net_.probes().hit("a client used a stale DNS answer");
      op.from = ops::endpoint::instance(net_.name(answer));
    }
    return answer;
  }

  // The trace's `dns` event (docs/trace-events.md): a client resolved an endpoint.
  void record_lookup(const operation& op, const dns_answer& answer) {
    trace::recorder& trace = net_.trace();
    if (!trace.enabled()) return;
    const bool forever = answer.expires == sim::time_point::max();
    trace::field_list fields(4);
    fields.add("process", name_)
        .add("endpoint", to_string(op.from))
        .add("answer", net_.name(answer.to))
        .add("kept_for", forever ? std::string("forever")
                                 : sim::to_string(answer.expires - net_.clock().now()));
    if (op.cluster != "main") fields.add("cluster", op.cluster);
    trace.record({net_.clock().now(), "dns", fields.take(), "client-" + name_, {}, 0});
  }

  [[nodiscard]] sim::time_point expiry(sim::time_point now) const {
    switch (options_.caching) {
      case dns_caching::ttl: return now + dns_.ttl;
      case dns_caching::forever: return sim::time_point::max();
      case dns_caching::fixed: return now + options_.cache_for;
    }
    return now;
  }

  void start_next() {
    if (queued_.empty()) return;
    pending& next = queued_.front();
    launch(next.op, *next.keys, next.route, next.done);
    queued_.pop_front();  // after launch, which only sends and schedules (nothing runs meanwhile)
  }

  // Starts `op` now: resolves where it goes, records it in the history (its one move) and sends
  // it. `op` and `done` are moved from.
  void launch(operation& what, const storage::key_table& keys, const route_function& route,
              done_callback& done) {
    what.process = name_;
    what.invoked = net_.clock().now();
    const sim::participant_id to = resolve(what, route);
    const std::uint64_t id = history_.invoke(std::move(what), keys);
    const operation& op = history_.at(id);
    if (op.kind == op_kind::write) {
      net_.send(self_, to, db::client_write{id, op.puts, op.hold});
    } else {
      net_.send(self_, to, db::client_read{id, op.key, op.from.is_cluster()});
    }
    // A held write asks to commit `hold` after it begins; op_timeout counts from then.
    current_ = in_flight{id, std::move(done), net_.clock().now() + op.hold + op_timeout_};
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
  dns_settings dns_;
  std::vector<dns_answer> answers_;  // searched, never iterated into behaviour or output
  sim::participant_id self_{};
  std::optional<in_flight> current_;
  bool timer_armed_ = false;
  std::deque<pending> queued_;
};

}  // namespace aurora::ops
