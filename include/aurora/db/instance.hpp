// A database instance: the writer, a read replica, or a writer in recovery.
//
// The writer's commit path [P17 §4.2]:
//  - a client transaction gets one LSN per key it writes, all in one mini-transaction whose last
//    record is the CPL and the commit record; no LSN above VDL + LAL is ever allocated (LAL is
//    back-pressure: transactions wait in a bounded queue) [P17 §4.2.1];
//  - records go in batches to all 6 segments of their PG; every segment answers with its SCL,
//    from which lsn_points derives PGCL, VCL and VDL;
//  - a transaction is acknowledged asynchronously, when VDL reaches its commit LSN
//    [P17 §4.2.2]; no worker waits;
//  - reads need no quorum: the read point is VDL when the read starts; the page comes from the
//    writer's cache if it holds that version, else from one segment whose SCL is at or above the
//    read point, hedged to another after `hedge_delay` [P17 §4.2.3]. A read carries the
//    truncation decision of the reader's epoch, which the segment must hold before it answers;
//  - each client's latest write request is remembered, as a connection would: a duplicated or
//    late copy is answered again or dropped, never run twice.
// Recovery [P17 §4.3, P18 §2.4]: take a new volume epoch from the storage metadata service
// (storage/metadata_service.hpp) and propose it to every segment (each that accepts is
// fenced against the old writer), gather a read quorum of every PG (of either member set while a
// segment is replaced [P18 §4]), compute VCL/VDL (recovery.hpp), write the truncation range with
// the epoch to a write quorum of every PG, then open for writes with LSNs above the range. A
// writer that hears of a newer epoch is deposed and restarts as a replica.
// Replicas read at the VDL the writer last sent them. The teaching knobs of instance_options turn
// single rules off, to watch the properties catch it.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "aurora/db/control_plane.hpp"
#include "aurora/db/lsn_points.hpp"
#include "aurora/db/protocol_facts.hpp"
#include "aurora/db/recovery.hpp"
#include "aurora/db/wire.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/storage/metadata_service.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/storage_node.hpp"

namespace aurora::db {

struct instance_options {
  lsn lal = 1'000;                                    // LSN allocation limit [P17 §4.2.1]
  sim::duration resend_interval = sim::ms(3);         // resend to a segment whose SCL stands still
  sim::duration hedge_delay = sim::ms(1);             // ask another segment if a read is slow
  sim::duration batch_window = sim::us(0);            // group commit: wait this long to batch
  sim::duration replica_feedback_ttl = sim::ms(100);  // a silent replica stops holding PGMRPL
  sim::duration recovery_retry = sim::ms(5);          // ask again those that did not answer
  std::size_t waiting_max = 4'096;                    // transactions queued by LAL or recovery
  std::size_t cache_keys_max = 4'096;                 // buffer cache bound
  int read_attempts_max = 24;
  // Teaching knobs: each true value is one rule of the papers, off only in unsafe variants.
  bool ack_after_vdl = true;
  bool truncate_on_recovery = true;
  bool reads_respect_scl = true;
  bool deduplicate_requests = true;  // a client request runs at most once (a connection's memory)
  bool fenced_by_epoch = true;  // acknowledgements count only if they carry this writer's epoch
};

// What the checkers want to know about and the protocol does not need: the decisions an
// instance takes, with their inputs (db/protocol_facts.hpp). The checkers implement it
// (check/fact_log.hpp); the model only calls it.
class instance_observer {
 public:
  virtual ~instance_observer() = default;
  virtual void report(const facts::fact& what) = 0;
};

enum class instance_role { replica, recovering, writer, deposed };

class instance final : public sim::endpoint<message> {
 public:
  // Instance `number` (db1 is 1) of the cluster whose volume is `volume`, placed as `directory`
  // says; a recovery takes its new epoch from `metadata` (the fleet's metadata service).
  instance(sim::network<message>& net, int number, storage::volume_id volume,
           const storage::segment_directory& directory, const storage::key_table& keys,
           control_plane& control, storage::metadata_service& metadata, storage::quorum_sizes sizes,
           instance_options options, instance_observer& observer)
      : net_(net),
        number_(number),
        volume_(volume),
        directory_(directory),
        keys_(keys),
        control_(control),
        metadata_(metadata),
        sizes_(sizes),
        options_(options),
        observer_(observer),
        points_(sizes, pg_count()) {}

  void attach(sim::participant_id self) { self_ = self; }
  [[nodiscard]] sim::participant_id id() const { return self_; }
  [[nodiscard]] const std::string& name() const { return net_.name(self_); }
  // db1 is 1, db2 is 2, ...
  [[nodiscard]] int number() const { return number_; }
  [[nodiscard]] instance_role role() const { return role_; }
  [[nodiscard]] lsn vcl() const { return points_.vcl(); }
  [[nodiscard]] lsn vdl() const {
    return role_ == instance_role::writer ? points_.vdl() : read_point_;
  }
  [[nodiscard]] storage::epoch volume_epoch() const { return epoch_; }
  [[nodiscard]] const lsn_points& points() const { return points_; }

  // Starts the volume: the first writer of an empty volume needs no recovery.
  void open_empty_volume() { become_writer(no_lsn, std::vector<lsn>(pg_count(), no_lsn), 0); }

  // Becomes the writer of an existing volume: recover first (after a crash or on failover).
  void start_recovery() {
    if (!designated()) return stand_down();
    role_ = instance_role::recovering;
    std::deque<queued_write> waiting = std::move(recovery_.waiting);  // a new round keeps them
    recovery_ = recovery_state{};
    recovery_.waiting = std::move(waiting);
    recovery_.round = ++rounds_;
    if (replacing_a_segment()) net_.probes().hit("a recovery while a replacement hydrates");
    recovery_.proposed = take_new_epoch();
    recovery_.answers.assign(pg_count(), {});
    recovery_.truncate_acks.assign(pg_count(), 0);
    trace_event("recovery", {{"phase", std::string("start")},
                             {"epoch", static_cast<std::int64_t>(recovery_.proposed)}});
    send_recovery_queries();
    arm_recovery_retry();
  }

  void receive(sim::participant_id from, message&& value) override {
    std::visit([&](auto& each) { on(from, each); }, value);
  }

  // A crash loses everything volatile: role, epoch, LSN points, queues, cache, reads.
  void on_crash() override {
    if (role_ == instance_role::recovering)
      net_.probes().hit("an instance crashed while recovering");
    role_ = instance_role::replica;
    epoch_ = known_epoch_ = 0;
    points_.reset(no_lsn);
    writer_ = writer_state{};
    recovery_ = recovery_state{};
    reads_.clear();
    read_point_ = no_lsn;
    replica_epoch_ = 0;
    replica_tails_.clear();
    replica_truncations_ = {};
    replica_ready_ = false;
    sessions_.clear();  // its connections die with it (the network drops what was sent to them)
    observer_.report(facts::restarted{number()});
  }

  void on_restart() override {
    if (control_.writer == name()) start_recovery();
  }

  void set_replicas(std::vector<sim::participant_id> replicas) {
    replica_ids_ = std::move(replicas);
  }

 private:
  // What this instance did with a client's latest write request. A client has one operation in
  // flight and numbers them in increasing order, so, like a connection, the instance remembers
  // only the latest: a copy of it is answered again, never executed again, and an older one is
  // a late message from before and is ignored. (Reads need no memory: running one twice changes
  // nothing, and the client takes the first answer.)
  enum class request_state : std::uint8_t { running, committed, refused, indeterminate };
  struct session {
    std::uint64_t op = 0;
    request_state state = request_state::running;
    lsn commit = no_lsn;
  };

  struct pending_commit {
    sim::participant_id client;
    std::uint64_t op;
    lsn commit;
  };
  struct queued_write {
    sim::participant_id client;
    client_write request;
  };
  struct replica_floor {
    sim::participant_id replica;
    lsn lowest = no_lsn;
    sim::time_point heard{};
  };
  struct writer_state {
    lsn next_lsn = 1;
    lsn lal_floor = no_lsn;  // the top of the last truncation: LAL counts from here too
    lsn last_in_volume = no_lsn;
    std::vector<lsn> last_in_pg;
    std::map<storage::page_id, lsn> last_for_page;
    std::deque<pending_commit> commits;
    std::deque<queued_write> waiting;
    std::vector<std::vector<storage::log_record>> batches;  // per PG, not yet sent
    bool flush_scheduled = false;
    storage::truncation_history truncations;             // the decision this writer opened with
    std::vector<std::optional<storage::version>> cache;  // per key: newest version written
    std::vector<std::array<lsn, storage::segments_per_pg>> scl_at_last_resend;
    std::vector<lsn> sent_at_last_resend;       // per PG: its last record when the timer last fired
    std::vector<replica_floor> replica_floors;  // the replicas' lowest read points (PGMRPL)
  };
  struct recovery_state {
    std::uint64_t round = 0;
    storage::epoch proposed = 0;
    bool truncating = false;
    std::vector<std::map<int, storage::recovery_summary>> answers;  // per PG, by slot
    std::vector<storage::segment_mask> truncate_acks;               // per PG
    recovery_outcome outcome;
    std::deque<queued_write> waiting;
  };
  struct read_state {
    sim::participant_id client;
    std::uint64_t op = 0;
    storage::key_id key = 0;
    lsn read_point = no_lsn;
    lsn complete_to = no_lsn;  // the PG's last record at or below the read point
    int attempts = 0;
    int next_slot = 0;
    bool as_writer = false;  // started by this instance as the writer (not as a replica)
  };

  [[nodiscard]] int pg_count() const { return static_cast<int>(directory_.size()); }

  // Every storage message names this instance's volume: the storage nodes host every cluster's.
  template <class storage_message>
  void send_to_segment(pg_id pg, int slot, storage_message value) {
    value.volume = volume_;
    net_.send(self_, directory_[pg][slot], std::move(value));
  }

  // A PG's membership as the control plane holds it, for the facts that need it.
  [[nodiscard]] facts::membership_snapshot members(pg_id pg) const {
    const storage::pg_membership& current = membership(pg);
    facts::membership_snapshot snapshot;
    for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
      snapshot.identity[slot] = current.identity(slot);
      snapshot.disk[slot] = current.disk(slot);
    }
    const storage::quorum_set sets = current.quorums(sizes_);
    snapshot.set_count = static_cast<int>(sets.set_count());
    for (std::size_t index = 0; index < sets.set_count(); ++index) {
      snapshot.sets[index] = sets.member_set(index);
    }
    return snapshot;
  }

  // A recovery's new volume epoch comes from the storage metadata service [P18 §2.4], not from
  // the instance: two rounds that race (a failover racing a restart, or this instance crashing
  // in its own recovery) never propose the same epoch, and every epoch this instance has seen
  // came from the same counter, so the new one is newer than all of them.
  [[nodiscard]] storage::epoch take_new_epoch() {
    const storage::epoch proposed = metadata_.next_epoch(volume_);
    AURORA_ASSERT(proposed > epoch_, "a recovery proposes an epoch newer than its own");
    AURORA_ASSERT(proposed > known_epoch_,
                  "a recovery proposes an epoch newer than any it heard of");
    return proposed;
  }

  // Names this recovery round: the same instance asking again in the same round is not a rival,
  // but a new round (after a crash, say) must win its epoch afresh.
  [[nodiscard]] std::uint64_t proposer_id() const {
    return (static_cast<std::uint64_t>(self_.value) << 32) | (recovery_.round & 0xffffffffULL);
  }

  // Only the instance the control plane names may become the writer; another one that was
  // recovering when a failover chose someone else gives up and serves as a replica.
  [[nodiscard]] bool designated() const { return control_.writer == name(); }
  void stand_down() {
    for (const queued_write& each : recovery_.waiting) refuse(each.client, each.request.op);
    recovery_ = recovery_state{};
    role_ = instance_role::replica;
  }
  [[nodiscard]] const storage::pg_membership& membership(pg_id pg) const {
    return control_.membership.at(pg);
  }

  // --- writes ---------------------------------------------------------------------------------
  void on(sim::participant_id from, client_write& request) {
    if (options_.deduplicate_requests && !first_sight(from, request.op)) return;
    start_write(from, request);
  }

  void start_write(sim::participant_id from, client_write& request) {
    if (role_ == instance_role::recovering) return enqueue(recovery_.waiting, from, request);
    if (role_ != instance_role::writer) return refuse(from, request.op);
    if (request.puts.size() > options_.lal) return refuse(from, request.op);  // can never fit
    if (!writer_.waiting.empty() || !may_allocate(request.puts.size())) {
      net_.probes().hit("LAL held a transaction back");
      return enqueue(writer_.waiting, from, request);
    }
    allocate(from, request);
  }

  // True when this write request is new from this client; a copy of the latest one is answered
  // as it was (or not yet, while it runs), an older one is dropped.
  bool first_sight(sim::participant_id from, std::uint64_t op) {
    auto [found, fresh] = sessions_.try_emplace(from, session{op});
    session& latest = found->second;
    if (fresh || op > latest.op) {
      latest = session{op};
      return true;
    }
    if (op < latest.op) {
      net_.probes().hit("a late client request was ignored");
      return false;
    }
    net_.probes().hit("a duplicated client request was answered, not run again");
    switch (latest.state) {
      case request_state::running: break;
      case request_state::committed: answer(from, op, reply_status::ok, latest.commit); break;
      case request_state::refused: answer(from, op, reply_status::refused, no_lsn); break;
      case request_state::indeterminate:
        answer(from, op, reply_status::indeterminate, no_lsn);
        break;
    }
    return false;
  }

  // Sends a write's answer and remembers it in the client's session.
  void answer(sim::participant_id client, std::uint64_t op, reply_status status, lsn commit) {
    auto found = sessions_.find(client);
    if (found != sessions_.end() && found->second.op == op) {
      found->second.state = status == reply_status::ok        ? request_state::committed
                            : status == reply_status::refused ? request_state::refused
                                                              : request_state::indeterminate;
      found->second.commit = commit;
    }
    net_.send(self_, client, client_reply{op, status, std::nullopt, commit});
  }

  void enqueue(std::deque<queued_write>& queue, sim::participant_id from, client_write& request) {
    if (queue.size() >= options_.waiting_max) return refuse(from, request.op);
    queue.push_back({from, std::move(request)});
  }

  void refuse(sim::participant_id client, std::uint64_t op) {
    answer(client, op, reply_status::refused, no_lsn);
  }

  // LAL: no LSN above max(VDL, last truncation) + LAL is allocated.
  [[nodiscard]] bool may_allocate(std::size_t count) const {
    const lsn limit = std::max(points_.vdl(), writer_.lal_floor) + options_.lal;
    return writer_.next_lsn + count - 1 <= limit;
  }

  void allocate(sim::participant_id client, const client_write& request) {
    AURORA_ASSERT(!request.puts.empty(), "a write transaction writes at least one key");
    const storage::txn_id txn = writer_.next_lsn;  // the first LSN names the transaction
    const pg_id first_pg = keys_.pg(request.puts.front().first);
    for (const auto& [key, value] : request.puts) {
      if (keys_.pg(key) != first_pg) {
        net_.probes().hit("a transaction spanned protection groups");
        break;
      }
    }
    for (std::size_t index = 0; index < request.puts.size(); ++index) {
      const bool last = index + 1 == request.puts.size();
      append_record(txn, request.puts[index].first, request.puts[index].second, last);
    }
    const lsn commit = writer_.last_in_volume;
    if (options_.ack_after_vdl) {
      writer_.commits.push_back({client, request.op, commit});
    } else {  // unsafe variant: acknowledged before VDL covers it
      observer_.report(facts::committed{number(), epoch_, commit, points_.vdl()});
      answer(client, request.op, reply_status::ok, commit);
    }
    schedule_flush();
  }

  void append_record(storage::txn_id txn, storage::key_id key, std::int64_t value, bool last) {
    const pg_id pg = keys_.pg(key);
    const storage::page_id page = keys_.page(key);
    storage::log_record record{writer_.next_lsn++,
                               writer_.last_in_volume,
                               writer_.last_in_pg[pg],
                               writer_.last_for_page[page],
                               pg,
                               page,
                               txn,
                               key,
                               value,
                               last,
                               last};
    writer_.last_in_volume = writer_.last_in_pg[pg] = writer_.last_for_page[page] = record.id;
    points_.append(record);
    observer_.report(facts::allocated{number(), epoch_, points_.vdl(), record});
    remember(key, {record.id, value});
    writer_.batches[pg].push_back(record);
  }

  void remember(storage::key_id key, storage::version value) {
    if (key >= writer_.cache.size()) {
      if (key >= options_.cache_keys_max) return;  // the cache is full: read from storage
      writer_.cache.resize(key + 1);
    }
    writer_.cache[key] = value;
  }

  void schedule_flush() {
    if (writer_.flush_scheduled) return;
    writer_.flush_scheduled = true;
    net_.timer(self_, options_.batch_window, [this] { flush(); });
  }

  // Sends every PG's pending records to its 6 segments: a batch per segment.
  void flush() {
    writer_.flush_scheduled = false;
    for (pg_id pg = 0; pg < writer_.batches.size(); ++pg) {
      if (writer_.batches[pg].empty()) continue;
      send_batch(pg, std::move(writer_.batches[pg]));
      writer_.batches[pg].clear();
    }
  }

  void send_batch(pg_id pg, std::vector<storage::log_record> records) {
    storage::redo_batch batch{epoch_,        pg,       std::move(records),
                              points_.vdl(), pgmrpl(), writer_.truncations};
    for (int slot = 0; slot + 1 < storage::segments_per_pg; ++slot) {
      send_to_segment(pg, slot, batch);
    }
    send_to_segment(pg, storage::segments_per_pg - 1, std::move(batch));
  }

  // PGMRPL: the lowest read point any read in flight uses (VDL when none).
  // Replicas count for `replica_feedback_ttl` after their last report; a replica that went
  // silent (crashed) stops holding garbage collection back.
  [[nodiscard]] lsn pgmrpl() const {
    lsn lowest = points_.vdl();
    for (const auto& [id, read] : reads_) lowest = std::min(lowest, read.read_point);
    const sim::time_point now = net_.clock().now();
    for (const replica_floor& each : writer_.replica_floors) {
      if (now - each.heard < options_.replica_feedback_ttl) lowest = std::min(lowest, each.lowest);
    }
    return lowest;
  }

  void on(sim::participant_id from, replica_feedback& feedback) {
    if (role_ != instance_role::writer) return;
    for (replica_floor& each : writer_.replica_floors) {
      if (each.replica == from) {
        each = {from, feedback.lowest_read_point, net_.clock().now()};
        return;
      }
    }
    writer_.replica_floors.push_back({from, feedback.lowest_read_point, net_.clock().now()});
  }

  void on(sim::participant_id, storage::redo_ack& ack) {
    if (role_ != instance_role::writer) return;
    // An ack of another epoch says nothing about this writer's records: the segment has moved on
    // to a newer writer, whose truncation may have removed them (unsafe variant: counted).
    if (ack.volume_epoch != epoch_)
      net_.probes().hit("a writer ignored an acknowledgement of another epoch");
    if (ack.volume_epoch > epoch_)
      net_.probes().hit("a writer heard an acknowledgement of a newer epoch");
    if (options_.fenced_by_epoch && ack.volume_epoch != epoch_) return;
    observer_.report(facts::ack_counted{number(), epoch_, ack.volume_epoch, ack.pg, ack.slot,
                                        ack.disk, ack.scl, members(ack.pg)});
    const bool moved = points_.acknowledge(ack.pg, ack.slot, ack.disk, ack.scl, membership(ack.pg));
    maybe_finish_replacement(ack.pg);
    if (points_.vcl() != points_.vdl()) net_.probes().hit("VCL stopped inside a mini-transaction");
    if (moved) on_vdl_moved();
  }

  void on_vdl_moved() {
    const lsn vdl = points_.vdl();
    trace_points();
    while (!writer_.commits.empty() && writer_.commits.front().commit <= vdl) {
      const pending_commit done = writer_.commits.front();
      writer_.commits.pop_front();
      if (replacing_a_segment()) net_.probes().hit("a commit during a segment replacement");
      observer_.report(facts::committed{number(), epoch_, done.commit, vdl});
      answer(done.client, done.op, reply_status::ok, done.commit);
    }
    while (!writer_.waiting.empty() && may_allocate(writer_.waiting.front().request.puts.size())) {
      const queued_write next = std::move(writer_.waiting.front());
      writer_.waiting.pop_front();
      allocate(next.client, next.request);
    }
    notify_replicas();
  }

  [[nodiscard]] bool replacing_a_segment() const {
    return std::any_of(control_.membership.begin(), control_.membership.end(),
                       [](const storage::pg_membership& each) { return each.changing(); });
  }

  [[nodiscard]] std::vector<lsn> durable_tails() const {
    std::vector<lsn> tails;
    for (pg_id pg = 0; pg < static_cast<pg_id>(pg_count()); ++pg)
      tails.push_back(points_.durable_tail(pg));
    return tails;
  }

  void notify_replicas() {
    for (sim::participant_id other : replica_ids_) {
      net_.send(self_, other,
                vdl_notice{epoch_, points_.vdl(), durable_tails(), writer_.truncations});
    }
  }

  // A replacement segment is hydrated once its SCL reaches the group's PGCL [P18 §4].
  // A replacement is hydrated once its new disk reports an SCL at the PG's last durable record:
  // it then holds every acknowledged record of the PG [P18 §4]. (Not PGCL: a writer that has
  // just recovered knows no PGCL yet.)
  void maybe_finish_replacement(pg_id pg) {
    if (!designated()) return;  // a writer the control plane has replaced changes nothing
    storage::pg_membership& members = control_.membership.at(pg);
    for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
      if (!members.hydrating(slot) || !points_.heard_from(pg, slot, members)) continue;
      if (points_.acked_scl(pg, slot, members) < points_.durable_tail(pg)) continue;
      members.finish_replacement(slot);
      net_.probes().hit("replacement segment hydrated");
      trace_event("membership", {{"pg", static_cast<std::int64_t>(pg)},
                                 {"slot", static_cast<std::int64_t>(slot)},
                                 {"change", std::string("replacement hydrated")}});
    }
  }

  // Asks every hydrating replacement for its SCL (an empty batch), so that the change finishes
  // even when no transactions are running.
  void poll_replacements() {
    for (pg_id pg = 0; pg < static_cast<pg_id>(pg_count()); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        if (!membership(pg).hydrating(slot)) continue;
        send_to_segment(
            pg, slot,
            storage::redo_batch{epoch_, pg, {}, points_.vdl(), pgmrpl(), writer_.truncations});
      }
    }
  }

  void on(sim::participant_id, storage::stale_epoch& news) { hear_of_epoch(news.current); }

  // A newer epoch exists: someone else recovered the volume. This instance is fenced.
  void hear_of_epoch(storage::epoch current) {
    known_epoch_ = std::max(known_epoch_, current);
    if (role_ == instance_role::recovering && current >= recovery_.proposed) {
      return start_recovery();  // a rival round owns this epoch or a newer one: propose above
    }
    if (role_ != instance_role::writer || current <= epoch_) return;
    if (designated()) {  // an abandoned rival proposal left a newer epoch: recover above it
      fail_in_flight();
      return start_recovery();
    }
    role_ = instance_role::deposed;
    net_.probes().hit("writer deposed by a newer epoch");
    fail_in_flight();
    trace_event("deposed", {{"epoch", static_cast<std::int64_t>(current)}});
    restart_as_replica();
  }

  // A deposed writer stops at once and restarts, as Aurora's old writer does after a failover:
  // it comes back as a replica with a cold cache, and the requests sent to its old life are
  // dropped with its connections. (Restarted from a timer, not inside the message handler.)
  void restart_as_replica() {
    net_.timer(self_, sim::us(0), [this] {
      trace_event("reboot", {});
      net_.crash(self_);
      net_.restart(self_);
    });
  }

  // The transactions this writer can no longer finish: sent ones are indeterminate (they may be
  // durable), queued ones definitely did not happen.
  void fail_in_flight() {
    for (const pending_commit& each : writer_.commits) {
      answer(each.client, each.op, reply_status::indeterminate, no_lsn);
    }
    writer_.commits.clear();
    for (const queued_write& each : writer_.waiting) refuse(each.client, each.request.op);
    writer_.waiting.clear();
  }

  // Resends, to each segment whose SCL stood still for a whole interval, what it lacks, if it
  // lacks a record sent at least an interval ago. (Records sent since the last tick are still in
  // flight: a healthy segment acknowledges them within a round trip, so resending them would only
  // double the traffic of a busy, healthy volume.)
  void arm_resend() {
    net_.timer(self_, options_.resend_interval, [this] {
      if (role_ != instance_role::writer) return;
      resend_stalled();
      poll_replacements();
      arm_resend();
    });
  }

  void resend_stalled() {
    for (pg_id pg = 0; pg < static_cast<pg_id>(pg_count()); ++pg) {
      const lsn sent_an_interval_ago = writer_.sent_at_last_resend[pg];
      writer_.sent_at_last_resend[pg] = writer_.last_in_pg[pg];
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        const lsn scl = points_.acked_scl(pg, slot, membership(pg));
        const bool stalled = scl == writer_.scl_at_last_resend[pg][slot];
        writer_.scl_at_last_resend[pg][slot] = scl;
        if (stalled && scl < sent_an_interval_ago) resend(pg, slot, scl);
      }
    }
  }

  void resend(pg_id pg, int slot, lsn scl) {
    std::vector<storage::log_record> records;
    for (const storage::log_record& record : points_.above_vdl()) {
      if (record.pg == pg && record.id > scl) records.push_back(record);
      if (records.size() == storage::segment::gossip_batch_max) break;
    }
    if (records.empty()) return;  // what it lacks is at or below VDL: its peers' gossip has it
    net_.probes().hit("resend to a stalled segment");
    send_to_segment(pg, slot,
                    storage::redo_batch{epoch_, pg, std::move(records), points_.vdl(), pgmrpl(),
                                        writer_.truncations});
  }

  // --- reads ----------------------------------------------------------------------------------
  void on(sim::participant_id from, client_read& request) {
    if (role_ == instance_role::writer) return read_as_writer(from, request);
    if (request.to_writer) return refuse(from, request.op);
    if (role_ == instance_role::replica && replica_ready_) {
      return start_storage_read(from, request, read_point_, replica_tails_[keys_.pg(request.key)]);
    }
    refuse(from, request.op);
  }

  void read_as_writer(sim::participant_id from, const client_read& request) {
    const lsn read_point = points_.vdl();
    if (request.key < writer_.cache.size()) {
      const std::optional<storage::version>& cached = writer_.cache[request.key];
      if (cached && cached->id <= read_point) {
        observer_.report(facts::read_started{number(), true, epoch_, keys_.pg(request.key),
                                             read_point, cached->id});
        net_.send(self_, from,
                  client_reply{request.op, reply_status::ok, cached->value, cached->id});
        return;
      }
    }
    start_storage_read(from, request, read_point, points_.durable_tail(keys_.pg(request.key)));
  }

  void start_storage_read(sim::participant_id from, const client_read& request, lsn read_point,
                          lsn complete_to) {
    const std::uint64_t id = ++read_ids_;
    const bool as_writer = role_ == instance_role::writer;
    if (as_writer) net_.probes().hit("a writer read went to storage");
    observer_.report(facts::read_started{number(), as_writer, as_writer ? epoch_ : replica_epoch_,
                                         keys_.pg(request.key), read_point});
    reads_[id] = read_state{from,
                            request.op,
                            request.key,
                            read_point,
                            complete_to,
                            0,
                            static_cast<int>(id % storage::segments_per_pg),
                            as_writer};
    try_read(id);
  }

  // Sends the read to the next eligible segment and arms the hedge timer.
  void try_read(std::uint64_t id) {
    auto found = reads_.find(id);
    if (found == reads_.end()) return;
    read_state& read = found->second;
    if (read.attempts >= options_.read_attempts_max) {
      refuse(read.client, read.op);
      reads_.erase(found);
      return;
    }
    ++read.attempts;
    const pg_id pg = keys_.pg(read.key);
    const int slot = pick_segment(pg, read);
    send_to_segment(
        pg, slot,
        storage::read_request{id, std::max(epoch_, known_epoch_), pg, read.key, read.read_point,
                              read.complete_to, truncations_followed()});
    const int attempt = read.attempts;
    net_.timer(self_, options_.hedge_delay, [this, id, attempt] {
      auto again = reads_.find(id);
      if (again != reads_.end() && again->second.attempts == attempt) {
        net_.probes().hit("hedged read");
        try_read(id);
      }
    });
  }

  // Prefers, round robin, a segment known to be complete to the read point [P17 §4.2.3]; the
  // segment checks again. Unsafe variant: any segment, unchecked.
  int pick_segment(pg_id pg, read_state& read) {
    const storage::pg_membership& members = membership(pg);
    for (int tried = 0; tried < storage::segments_per_pg; ++tried) {
      const int slot = read.next_slot;
      read.next_slot = (read.next_slot + 1) % storage::segments_per_pg;
      if (!options_.reads_respect_scl) return slot;
      const bool known_complete = role_ != instance_role::writer ||
                                  points_.acked_scl(pg, slot, members) >= read.complete_to;
      if (known_complete && !members.hydrating(slot)) return slot;
    }
    const int slot = read.next_slot;  // none known: ask anyway; the segment will say if behind
    read.next_slot = (read.next_slot + 1) % storage::segments_per_pg;
    return slot;
  }

  void on(sim::participant_id, storage::read_reply& reply) {
    auto found = reads_.find(reply.id);
    if (found == reads_.end()) return;  // answered already (hedged) or abandoned
    if (reply.status == storage::read_status::below_gc_point) {
      observer_.report(facts::gc_refused{number(), found->second.as_writer, reply.pg, reply.slot,
                                         found->second.read_point});
    }
    if (reply.status == storage::read_status::below_gc_point && role_ == instance_role::replica &&
        read_point_ > found->second.read_point) {
      // The versions at this read point were collected: a replica may read at its newer one.
      found->second.read_point = read_point_;
      found->second.complete_to = replica_tails_[keys_.pg(found->second.key)];
    }
    if (reply.status != storage::read_status::ok) return try_read(reply.id);
    // An answer holds for the read point it was asked at, which may be older than the read's
    // current one (an earlier attempt's, before a replica moved the read on): still a snapshot
    // the reader's read point covered when the read began.
    observer_.report(facts::read_answered{number(), reply.pg, reply.slot, reply.read_point,
                                          reply.complete_to, reply.scl});
    const read_state read = found->second;
    reads_.erase(found);
    if (read.as_writer && role_ == instance_role::writer && read.read_point < points_.vdl()) {
      net_.probes().hit("VDL passed a writer read in flight");
    }
    const std::optional<std::int64_t> value =
        reply.found ? std::optional<std::int64_t>(reply.found->value) : std::nullopt;
    net_.send(
        self_, read.client,
        client_reply{read.op, reply_status::ok, value, reply.found ? reply.found->id : no_lsn});
  }

  // The truncation decision this instance's reads follow: the writer's own, or for a replica the
  // one its writer sent with the read point.
  [[nodiscard]] const storage::truncation_history& truncations_followed() const {
    return role_ == instance_role::writer ? writer_.truncations : replica_truncations_;
  }

  // --- replicas -------------------------------------------------------------------------------
  void on(sim::participant_id from, vdl_notice& notice) {
    if (role_ != instance_role::replica || notice.volume_epoch < known_epoch_) return;
    known_epoch_ = notice.volume_epoch;
    if (notice.vdl < read_point_) return;
    read_point_ = notice.vdl;
    replica_epoch_ = notice.volume_epoch;
    observer_.report(facts::replica_point{number(), replica_epoch_, read_point_});
    replica_tails_ = notice.pg_tails;
    replica_truncations_ = std::move(notice.truncations);
    replica_ready_ = replica_tails_.size() == static_cast<std::size_t>(pg_count());
    lsn lowest = read_point_;
    for (const auto& [id, read] : reads_) lowest = std::min(lowest, read.read_point);
    net_.send(self_, from, replica_feedback{lowest});
  }

  // --- recovery -------------------------------------------------------------------------------
  void send_recovery_queries() {
    for (pg_id pg = 0; pg < static_cast<pg_id>(pg_count()); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        if (recovery_.answers[pg].contains(slot)) continue;
        send_to_segment(
            pg, slot,
            storage::recovery_query{recovery_.round, recovery_.proposed, pg, proposer_id()});
      }
    }
  }

  void arm_recovery_retry() {
    const std::uint64_t round = recovery_.round;
    net_.timer(self_, options_.recovery_retry, [this, round] {
      if (role_ != instance_role::recovering || recovery_.round != round) return;
      if (!designated()) return stand_down();
      if (recovery_.truncating) {
        send_truncations();
      } else {
        send_recovery_queries();
      }
      arm_recovery_retry();
    });
  }

  void on(sim::participant_id, storage::recovery_reply& reply) {
    if (role_ != instance_role::recovering || reply.round != recovery_.round) return;
    if (!reply.accepted) {  // a newer epoch exists: start again above it
      known_epoch_ = std::max(known_epoch_, reply.summary.volume_epoch);
      return start_recovery();
    }
    const storage::pg_membership& members = membership(reply.pg);
    if (reply.disk != members.disk(reply.slot) || members.hydrating(reply.slot)) return;
    if (recovery_.truncating) return;
    recovery_.answers[reply.pg][reply.slot] = std::move(reply.summary);
    if (every_pg_has_read_quorum()) begin_truncation();
  }

  [[nodiscard]] bool every_pg_has_read_quorum() const {
    for (pg_id pg = 0; pg < static_cast<pg_id>(pg_count()); ++pg) {
      storage::segment_mask answered = 0;
      for (const auto& [slot, summary] : recovery_.answers[pg]) {
        answered |= storage::segment_mask{1} << membership(pg).identity(slot);
      }
      if (!membership(pg).quorums(sizes_).read_satisfied(answered)) return false;
    }
    return true;
  }

  void begin_truncation() {
    std::vector<pg_answers> answers(pg_count());
    for (pg_id pg = 0; pg < static_cast<pg_id>(pg_count()); ++pg) {
      for (const auto& [slot, summary] : recovery_.answers[pg])
        answers[pg].summaries.push_back(summary);
    }
    recovery_.outcome = compute_recovery(answers, options_.lal);
    recovery_.outcome.truncation.by_epoch = recovery_.proposed;
    recovery_.truncating = true;
    if (recovery_.outcome.vdl < recovery_.outcome.vcl) net_.probes().hit("recovery: VDL below VCL");
    if (recovery_.outcome.vcl > recovery_.outcome.base) {
      net_.probes().hit("recovery: records above the last known VDL");
    }
    trace_event("recovery", {{"phase", std::string("computed")},
                             {"vcl", static_cast<std::int64_t>(recovery_.outcome.vcl)},
                             {"vdl", static_cast<std::int64_t>(recovery_.outcome.vdl)}});
    send_truncations();
  }

  // This recovery's decision: the ranges it found, plus its own above VDL.
  [[nodiscard]] storage::truncation_history decided_history() const {
    storage::truncation_history decision{recovery_.proposed, recovery_.outcome.earlier};
    if (options_.truncate_on_recovery) decision.ranges.push_back(recovery_.outcome.truncation);
    return decision;
  }

  void send_truncations() {
    const storage::truncation_history decision = decided_history();
    for (pg_id pg = 0; pg < static_cast<pg_id>(pg_count()); ++pg) {
      for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
        const auto bit = storage::segment_mask{1} << membership(pg).identity(slot);
        if ((recovery_.truncate_acks[pg] & bit) != 0) continue;
        send_to_segment(pg, slot,
                        storage::truncate_request{recovery_.round, recovery_.proposed, pg, decision,
                                                  recovery_.outcome.kept[pg], proposer_id()});
      }
    }
  }

  void on(sim::participant_id, storage::truncate_ack& ack) {
    if (role_ != instance_role::recovering || ack.round != recovery_.round) return;
    const storage::pg_membership& members = membership(ack.pg);
    if (ack.disk != members.disk(ack.slot)) return;
    if (ack.scl < recovery_.outcome.pg_tails[ack.pg]) return;  // not holding the kept chain yet
    finish_replacement_in_recovery(ack.pg, ack.slot);
    recovery_.truncate_acks[ack.pg] |= storage::segment_mask{1} << members.identity(ack.slot);
    for (pg_id pg = 0; pg < static_cast<pg_id>(pg_count()); ++pg) {
      if (!membership(pg).quorums(sizes_).write_satisfied(recovery_.truncate_acks[pg])) return;
    }
    finish_recovery();
  }

  // A replacement that reports, after this recovery's truncation, an SCL at the PG's recovered
  // tail holds every record the recovery keeps: it is a copy, and the lost identity leaves the
  // group. Without this, a PG that lost three disks at once could never recover: the old member
  // set has only three live members left (no write quorum of it for the truncation), and a
  // replacement could be confirmed only by an open writer. Recovery needs a read quorum of either
  // set [P18 §4]; the new epoch and truncation then go to a write quorum of the new one.
  void finish_replacement_in_recovery(pg_id pg, int slot) {
    storage::pg_membership& members = control_.membership.at(pg);
    if (!members.hydrating(slot) || !designated()) return;
    members.finish_replacement(slot);
    net_.probes().hit("replacement hydrated during recovery");
    trace_event("membership", {{"pg", static_cast<std::int64_t>(pg)},
                               {"slot", static_cast<std::int64_t>(slot)},
                               {"change", std::string("replacement hydrated")}});
  }

  void finish_recovery() {
    const recovery_outcome outcome = recovery_.outcome;
    std::deque<queued_write> waiting = std::move(recovery_.waiting);
    observer_.report(facts::truncated{number(), recovery_.proposed, outcome.vdl, outcome.truncation,
                                      options_.truncate_on_recovery});
    trace_event("truncate", {{"from", static_cast<std::int64_t>(outcome.truncation.from)},
                             {"to", static_cast<std::int64_t>(outcome.truncation.to)},
                             {"epoch", static_cast<std::int64_t>(recovery_.proposed)}});
    become_writer(outcome.vdl, outcome.pg_tails, recovery_.proposed);
    writer_.next_lsn = outcome.truncation.to + 1;
    writer_.lal_floor = outcome.truncation.to;
    writer_.truncations = decided_history();
    for (pg_id pg = 0; pg < static_cast<pg_id>(pg_count()); ++pg) {
      for (const auto& [slot, summary] : recovery_.answers[pg]) {
        points_.acknowledge(pg, slot, membership(pg).disk(slot), std::min(summary.scl, outcome.vdl),
                            membership(pg));
      }
    }
    for (queued_write& each : waiting) start_write(each.client, each.request);
  }

  void become_writer(lsn vdl, const std::vector<lsn>& pg_tails, storage::epoch e) {
    role_ = instance_role::writer;
    epoch_ = e;
    known_epoch_ = std::max(known_epoch_, e);
    points_.reset(vdl, pg_tails);
    writer_ = writer_state{};
    writer_.last_in_volume = vdl;
    writer_.last_in_pg = pg_tails;
    writer_.batches.assign(pg_count(), {});
    writer_.scl_at_last_resend.assign(pg_count(), {});
    writer_.sent_at_last_resend.assign(pg_count(), no_lsn);
    trace_event("epoch", {{"epoch", static_cast<std::int64_t>(e)}});
    observer_.report(facts::opened{number(), e});
    trace_points();
    arm_resend();
    notify_replicas();
  }

  // --- messages an instance ignores -----------------------------------------------------------
  void on(sim::participant_id, storage::redo_batch&) {}
  void on(sim::participant_id, storage::read_request&) {}
  void on(sim::participant_id, storage::gossip_request&) {}
  void on(sim::participant_id, storage::gossip_reply&) {}
  void on(sim::participant_id, storage::recovery_query&) {}
  void on(sim::participant_id, storage::truncate_request&) {}
  void on(sim::participant_id, client_reply&) {}

  // --- trace ----------------------------------------------------------------------------------
  void trace_points() {
    observer_.report(facts::points{number(), epoch_, points_.vcl(), points_.vdl()});
    if (!net_.trace().enabled()) return;
    trace_event("vcl", {{"lsn", static_cast<std::int64_t>(points_.vcl())}});
    trace_event("vdl", {{"lsn", static_cast<std::int64_t>(points_.vdl())}});
  }

  void trace_event(const char* kind, std::vector<trace::field> fields) {
    trace::recorder& trace = net_.trace();
    if (!trace.enabled()) return;
    fields.insert(fields.begin(), trace::field{"instance", name()});
    trace.record({net_.clock().now(), kind, std::move(fields), name(), {}, 0});
  }

  sim::network<message>& net_;
  int number_;  // db1 is 1, db2 is 2, ...
  storage::volume_id volume_;
  const storage::segment_directory& directory_;
  const storage::key_table& keys_;
  control_plane& control_;
  storage::metadata_service& metadata_;
  storage::quorum_sizes sizes_;
  instance_options options_;
  instance_observer& observer_;
  sim::participant_id self_{};
  std::vector<sim::participant_id> replica_ids_;

  instance_role role_ = instance_role::replica;
  storage::epoch epoch_ = 0;        // the epoch this instance writes with
  storage::epoch known_epoch_ = 0;  // the newest epoch it has heard of
  lsn_points points_;
  writer_state writer_;
  recovery_state recovery_;
  std::map<std::uint64_t, read_state> reads_;
  std::uint64_t read_ids_ = 0;
  std::uint64_t rounds_ = 0;
  lsn read_point_ = no_lsn;           // replicas: the newest VDL the writer sent
  storage::epoch replica_epoch_ = 0;  // replicas: the epoch of the writer that sent it
  std::vector<lsn> replica_tails_;    // replicas: each PG's last record at or below read_point_
  storage::truncation_history replica_truncations_;  // replicas: the decision of that writer
  bool replica_ready_ = false;
  std::map<sim::participant_id, session> sessions_;  // per client: its latest write request
};

}  // namespace aurora::db
