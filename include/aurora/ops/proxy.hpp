// The connection proxy (RDS Proxy): a stable address in front of a cluster that follows its
// writer through the control plane, not through DNS.
//
// DESIGN §2.4 [UG, "Amazon RDS Proxy"; "Using RDS Proxy with Aurora"]. RDS Proxy runs in the
// subnets (AZs) it is given and keeps the clients' connections itself. After a failover it
// "bypasses DNS caches": it reaches the new writer as soon as that one accepts connections, keeps
// the client connections that were idle, cancels only the transactions that were in flight, and
// queues new requests while no writer is up; a request that waits longer than the connection
// borrow timeout (`ConnectionBorrowTimeout`, 120 s by default) gets an error. The user guide
// credits it with failovers "up to 66%" shorter.
//
// The model: one proxy node per AZ (`proxy-a`, `proxy-b`, `proxy-c`, participants in their AZ,
// so `crash az a` stops proxy-a too), made on the first use by a `via=proxy` client. A client
// reaches the first live node (in AZ order) and stays with it while it lives. A node:
//  - forwards a request for the cluster endpoint (every write, and reads through it) to the
//    instance the control plane designates as the writer, once that instance is open as the
//    writer; until then it queues the request (at most `queue_max`, else refused at once);
//  - forwards a reader-endpoint read to the next instance of the reader endpoint; an
//    instance-endpoint request does not go through the proxy (the client sends it directly);
//  - answers the client with the instance's reply;
//  - checks its forwarded and queued requests every `check_interval` while it has any (its
//    health check): a request whose instance has crashed, or is no longer the designated writer,
//    is cancelled — a write gets `indeterminate` (its commit may have reached storage: `info`),
//    a read gets `refused` (a read has no effect); a queued request older than `borrow_timeout`
//    is refused (it never left the proxy);
//  - loses its queue and what it forwarded when it crashes (the clients time out).
// Sessions are implicit in the model: a client that had nothing in flight sees nothing of a
// failover through the proxy, which is the point of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "aurora/db/cluster.hpp"
#include "aurora/db/wire.hpp"
#include "aurora/ops/proxy_timing.hpp"
#include "aurora/sim/network.hpp"

namespace aurora::ops {

class proxy_node final : public sim::endpoint<db::message> {
 public:
  // Requests queued while no writer is up, at most (then refused at once).
  static constexpr std::size_t queue_max = 10'000;

  // What picks a reader-endpoint read's instance (the deployment's round robin).
  using reader_choice = std::function<sim::participant_id()>;

  proxy_node(sim::network<db::message>& net, const db::cluster& target, proxy_timing timing,
             reader_choice readers)
      : net_(net), target_(target), timing_(timing), readers_(std::move(readers)) {}

  void attach(sim::participant_id self) { self_ = self; }
  [[nodiscard]] sim::participant_id id() const { return self_; }
  [[nodiscard]] std::size_t queued() const { return queued_.size(); }
  [[nodiscard]] std::size_t forwarded() const { return forwarded_.size(); }

  void receive(sim::participant_id from, db::message&& value) override {
    if (auto* reply = std::get_if<db::client_reply>(&value)) return answer(*reply);
    if (auto* write = std::get_if<db::client_write>(&value)) {
      return accept({from, write->op, std::move(value), true, net_.clock().now()});
    }
    if (auto* read = std::get_if<db::client_read>(&value)) {
      if (!read->to_writer)
        return forward({from, read->op, std::move(value), false, {}}, readers_());
      return accept({from, read->op, std::move(value), true, net_.clock().now()});
    }
  }

  // A crash loses everything volatile: the queue and the forwarded requests.
  void on_crash() override {
    queued_.clear();
    forwarded_.clear();
    check_armed_ = false;
  }

 private:
  struct request {
    sim::participant_id client;
    std::uint64_t op = 0;
    db::message body;  // the client's request, as it came
    bool to_writer = true;
    sim::time_point since{};  // when it reached the proxy (what the borrow timeout counts from)
  };
  // What the health check needs of a forwarded request (the request itself went on).
  struct sent {
    sim::participant_id client;
    std::uint64_t op = 0;
    bool to_writer = true;
    bool write = true;  // a write: cancelled, its outcome is unknown; a read is refused
    sim::participant_id to;
    std::uint32_t life = 0;  // the instance's incarnation when the request was forwarded
  };

  // The designated writer, when it is up and open as the writer.
  [[nodiscard]] bool writer_up() const {
    const sim::participant_id writer = target_.writer_id();
    return net_.alive(writer) &&
           target_.find_instance(target_.control().writer).role() == db::instance_role::writer;
  }

  void accept(request&& next) {
    if (queued_.empty() && writer_up()) return forward(std::move(next), target_.writer_id());
    if (queued_.size() >= queue_max) return reply(next.client, next.op, db::reply_status::refused);
    net_.probes().hit("the proxy queued a request while no writer was up");
    queued_.push_back(std::move(next));
    arm_check();
  }

  void forward(request&& next, sim::participant_id to) {
    const bool write = std::holds_alternative<db::client_write>(next.body);
    forwarded_.push_back({next.client, next.op, next.to_writer, write, to, net_.incarnation(to)});
    net_.send(self_, to, std::move(next.body));
    arm_check();
  }

  void answer(const db::client_reply& value) {
    for (auto each = forwarded_.begin(); each != forwarded_.end(); ++each) {
      if (each->op != value.op) continue;
      const sim::participant_id client = each->client;
      forwarded_.erase(each);
      net_.send(self_, client, db::message(value));
      return;
    }
  }

  void reply(sim::participant_id client, std::uint64_t op, db::reply_status status) {
    net_.send(self_, client, db::client_reply{op, status, std::nullopt, storage::no_lsn});
  }

  // The health check: one timer while anything is queued or forwarded.
  void arm_check() {
    if (check_armed_) return;
    check_armed_ = true;
    net_.timer(self_, timing_.check_interval, [this] { check(); });
  }

  void check() {
    check_armed_ = false;
    cancel_lost();
    release_queue();
    if (!queued_.empty() || !forwarded_.empty()) arm_check();
  }

  // Forwarded requests whose instance crashed, or that went to a writer no longer designated.
  void cancel_lost() {
    const sim::participant_id writer = target_.writer_id();
    std::erase_if(forwarded_, [&](const sent& each) {
      const bool crashed = !net_.alive(each.to) || net_.incarnation(each.to) != each.life;
      const bool deposed = each.to_writer && each.to != writer;
      if (!crashed && !deposed) return false;
      net_.probes().hit("the proxy cancelled a request in flight");
      reply(each.client, each.op,
            each.write ? db::reply_status::indeterminate : db::reply_status::refused);
      return true;
    });
  }

  // Queued requests go to the writer once it is up; those that waited too long are refused.
  void release_queue() {
    const sim::time_point now = net_.clock().now();
    while (!queued_.empty() && now - queued_.front().since >= timing_.borrow_timeout) {
      reply(queued_.front().client, queued_.front().op, db::reply_status::refused);
      queued_.pop_front();
    }
    if (!writer_up()) return;
    const sim::participant_id writer = target_.writer_id();
    while (!queued_.empty()) {
      request next = std::move(queued_.front());
      queued_.pop_front();
      forward(std::move(next), writer);
    }
  }

  sim::network<db::message>& net_;
  const db::cluster& target_;
  proxy_timing timing_;
  reader_choice readers_;
  sim::participant_id self_{};
  std::deque<request> queued_;
  std::vector<sent> forwarded_;  // few at a time: one per client at most
  bool check_armed_ = false;
};

}  // namespace aurora::ops
