// A database instance: a participant of the cluster that is, at any moment, in one role.
//
// [P17 §4.2-4.3, P18 §2.4] An instance is one of:
//  - a read replica (db/replica.hpp): reads at the VDL the writer last sent it;
//  - recovering (db/recovery_round.hpp): the designated writer, winning a new volume epoch from a
//    read quorum of every PG and writing its truncation to a write quorum of every PG;
//  - the writer (db/writer.hpp): allocates LSNs, commits at VDL, ships VDL to the replicas;
//  - deposed: a writer that heard of a newer epoch and is about to restart as a replica.
// The role's state is a std::variant, so writer state exists only while the instance writes and
// a recovery round's only while it recovers. What every role shares (the network, the cluster's
// volume, control plane and metadata service, the client sessions, the newest epoch heard of)
// is the instance's context (db/instance_context.hpp), and reads from storage, which outlive a
// role change, are db/storage_read.hpp. This header dispatches each message to the role the
// instance is in and makes the role transitions, each with paired assertions: why the role it
// leaves may be left, and that the new role starts consistent.
//
// Transitions: replica -> writer (the empty volume opens); replica | deposed | recovering | writer
// -> recovering (the designated writer recovers; a new round keeps the writes waiting); recovering
// -> writer (a write quorum of every PG holds the truncation); recovering -> replica (another
// instance was made the writer); writer -> deposed (a newer epoch, and another designated
// writer); any -> replica (a crash loses everything volatile).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aurora/db/instance_context.hpp"
#include "aurora/db/lsn_points.hpp"
#include "aurora/db/recovery_round.hpp"
#include "aurora/db/replica.hpp"
#include "aurora/db/storage_read.hpp"
#include "aurora/db/wire.hpp"
#include "aurora/db/writer.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/network.hpp"

namespace aurora::db {

class instance final : public sim::endpoint<message>, private read_host {
 public:
  // Instance `number` (db1 is 1) of the cluster whose volume is `volume`, placed as `directory`
  // says; a recovery takes its new epoch from `metadata` (the fleet's metadata service).
  instance(sim::network<message>& net, int number, storage::volume_id volume,
           const storage::segment_directory& directory, const storage::key_table& keys,
           control_plane& control, storage::metadata_service& metadata, storage::quorum_sizes sizes,
           instance_options options, instance_observer& observer)
      : context_(
            {net, number, volume, directory, keys, control, metadata, sizes, options, observer}),
        reads_(context_, *this),
        role_(std::in_place_type<replica>, options.replica_applies, options.cache_keys_max) {}

  instance(const instance&) = delete;
  instance& operator=(const instance&) = delete;

  void attach(sim::participant_id self) { context_.attach(self); }
  [[nodiscard]] sim::participant_id id() const { return context_.self(); }
  [[nodiscard]] const std::string& name() const { return context_.name(); }
  // db1 is 1, db2 is 2, ...
  [[nodiscard]] int number() const { return context_.number(); }
  [[nodiscard]] instance_role role() const { return static_cast<instance_role>(role_.index()); }
  // The writer's VCL (none unless this instance is the writer).
  [[nodiscard]] lsn vcl() const { return as_writer() ? as_writer()->points().vcl() : no_lsn; }
  // The writer's VDL, or a replica's read point.
  [[nodiscard]] lsn vdl() const {
    if (const writer* open = as_writer()) return open->points().vdl();
    if (const replica* reader = std::get_if<replica>(&role_)) return reader->read_point();
    return no_lsn;
  }
  // Transactions held open on this instance (`write ... hold`) that have not asked to commit.
  [[nodiscard]] std::size_t open_transactions() const { return held_.size(); }
  // The writer's chain tail of each PG at or below its VDL (empty unless this is the writer):
  // where a clone of the volume at VDL ends in each PG.
  [[nodiscard]] std::vector<lsn> durable_tails() const {
    return as_writer() ? as_writer()->durable_tails() : std::vector<lsn>{};
  }

  // The epoch this instance writes with (or wrote with, deposed); 0 otherwise.
  [[nodiscard]] storage::epoch volume_epoch() const {
    if (const writer* open = as_writer()) return open->volume_epoch();
    if (const deposed* old = std::get_if<deposed>(&role_)) return old->wrote_with;
    return 0;
  }

  void set_replicas(std::vector<sim::participant_id> replicas) {
    context_.set_replicas(std::move(replicas));
  }

  // --- role transitions -----------------------------------------------------------------------
  // Starts the volume: the first writer of an empty volume needs no recovery (epoch 0).
  void open_empty_volume() {
    AURORA_ASSERT(role() == instance_role::replica && context_.known_epoch() == 0,
                  "only a fresh instance opens an empty volume");
    become_writer(no_lsn, std::vector<lsn>(context_.pg_count(), no_lsn), 0);
  }

  // Becomes the writer of an existing volume: recover first (after a crash or on failover).
  void start_recovery() {
    if (!context_.designated()) return stand_down();
    std::deque<queued_write> waiting;  // a new round keeps the writes the last one kept
    if (recovery_round* last = std::get_if<recovery_round>(&role_)) waiting = last->take_waiting();
    const std::uint64_t round = context_.next_round();
    if (context_.replacing_a_segment()) context_.probe("a recovery while a replacement hydrates");
    const storage::epoch proposed = take_new_epoch();
    recovery_round& started =
        role_.emplace<recovery_round>(context_, round, proposed, std::move(waiting));
    AURORA_ASSERT(role() == instance_role::recovering && started.round() == round,
                  "a recovery starts a round of its own");
    context_.trace_event("recovery", {{"phase", std::string("start")},
                                      {"epoch", static_cast<std::int64_t>(proposed)}});
    started.send();
    arm_recovery_retry();
  }

  void receive(sim::participant_id from, message&& value) override {
    std::visit([&](auto& each) { on(from, each); }, value);
  }

  // A crash loses everything volatile: role, epoch, LSN points, queues, cache, reads.
  void on_crash() override {
    if (role() == instance_role::recovering) context_.probe("an instance crashed while recovering");
    become_replica();
    reads_.clear();
    held_.clear();
    context_.forget();
    AURORA_ASSERT(context_.known_epoch() == 0 && !std::get<replica>(role_).ready(),
                  "a crashed instance comes back knowing nothing");
    context_.report(facts::restarted{number()});
  }

  // A restarted instance that is not the designated writer comes back as a replica and says so
  // to the other instances (an empty `replica_feedback`): the writer answers with a notice, so
  // that the replica gets a read point even if the writer has nothing new to ship.
  void on_restart() override {
    if (context_.designated()) return start_recovery();
    for (sim::participant_id other : context_.replicas()) {
      context_.net().send(context_.self(), other, replica_feedback{});
    }
  }

 private:
  // A deposed writer: it heard of a newer epoch and restarts as a replica (from a timer).
  struct deposed {
    storage::epoch wrote_with = 0;
    storage::epoch deposed_by = 0;
  };
  // In the order of instance_role: role() is the variant's index.
  using role_state = std::variant<replica, recovery_round, writer, deposed>;
  static_assert(
      std::is_same_v<
          std::variant_alternative_t<static_cast<std::size_t>(instance_role::writer), role_state>,
          writer>);
  static_assert(std::is_same_v<std::variant_alternative_t<
                                   static_cast<std::size_t>(instance_role::recovering), role_state>,
                               recovery_round>);

  [[nodiscard]] const writer* as_writer() const { return std::get_if<writer>(&role_); }
  [[nodiscard]] writer* as_writer() { return std::get_if<writer>(&role_); }

  // A recovery's new volume epoch comes from the storage metadata service [P18 §2.4], not from
  // the instance: two rounds that race (a failover racing a restart, or this instance crashing
  // in its own recovery) never propose the same epoch, and every epoch this instance has seen
  // came from the same counter, so the new one is newer than all of them.
  [[nodiscard]] storage::epoch take_new_epoch() {
    const storage::epoch proposed = context_.metadata().next_epoch(context_.volume());
    AURORA_ASSERT(proposed > volume_epoch(), "a recovery proposes an epoch newer than its own");
    AURORA_ASSERT(proposed > context_.known_epoch(),
                  "a recovery proposes an epoch newer than any it heard of");
    return proposed;
  }

  // Another instance was made the writer while this one was recovering: it gives up and serves
  // as a replica; the writes that waited for it are refused.
  void stand_down() {
    recovery_round* round = std::get_if<recovery_round>(&role_);
    AURORA_ASSERT(round != nullptr, "only a recovering instance stands down");
    AURORA_ASSERT(!context_.designated(), "an instance stands down only for another writer");
    round->refuse_waiting();
    become_replica();
    AURORA_ASSERT(!std::get<replica>(role_).ready(), "a replica waits for a VDL notice");
  }

  // A replica with a cold cache and no read point (it waits for a notice).
  replica& become_replica() {
    return role_.emplace<replica>(context_.options().replica_applies,
                                  context_.options().cache_keys_max);
  }

  // Opens as the writer of epoch `e` at `vdl`, each PG's chain ending at `pg_tails`.
  writer& become_writer(lsn vdl, const std::vector<lsn>& pg_tails, storage::epoch e) {
    AURORA_ASSERT(role() == instance_role::replica || role() == instance_role::recovering,
                  "a writer opens from a fresh instance or a finished recovery");
    AURORA_ASSERT(e >= context_.known_epoch() || e == 0, "a writer opens the newest epoch");
    context_.hear_of_epoch(e);
    writer& opened = role_.emplace<writer>(context_, reads_, writer_timers(), e, vdl, pg_tails);
    AURORA_ASSERT(opened.volume_epoch() == e && context_.known_epoch() >= e,
                  "a writer writes with the epoch it opened");
    context_.trace_event("epoch", {{"epoch", static_cast<std::int64_t>(e)}});
    context_.report(facts::opened{number(), e});
    opened.trace_points();
    arm_resend();
    opened.notify_replicas();
    return opened;
  }

  // A write quorum of every PG holds the truncation: the round's decision becomes the writer's.
  void finish_recovery() {
    recovery_round& round = std::get<recovery_round>(role_);
    const recovery_outcome outcome = round.outcome();
    const storage::epoch e = round.proposed();
    const storage::truncation_history decision = round.decided_history();
    std::vector<std::pair<std::pair<pg_id, int>, lsn>> answered;
    round.for_each_answer([&](pg_id pg, int slot, lsn scl) {
      answered.push_back({{pg, slot}, scl});
    });
    std::deque<queued_write> waiting = round.take_waiting();
    context_.report(facts::truncated{number(), e, outcome.vdl, outcome.truncation,
                                     context_.options().truncate_on_recovery});
    context_.trace_event("truncate", {{"from", static_cast<std::int64_t>(outcome.truncation.from)},
                                      {"to", static_cast<std::int64_t>(outcome.truncation.to)},
                                      {"epoch", static_cast<std::int64_t>(e)}});
    writer& opened = become_writer(outcome.vdl, outcome.pg_tails, e);
    opened.adopt_recovery(outcome.truncation.to, decision);
    for (const auto& [where, scl] : answered) {
      opened.acknowledge_recovered(where.first, where.second, scl);
    }
    for (queued_write& each : waiting) start_write(each.client, each.request);
  }

  // A newer epoch exists: someone else recovered the volume. This instance is fenced.
  void hear_of_epoch(storage::epoch current) {
    context_.hear_of_epoch(current);
    if (const recovery_round* round = std::get_if<recovery_round>(&role_)) {
      // A rival round owns this epoch or a newer one: propose above it.
      if (current >= round->proposed()) start_recovery();
      return;
    }
    writer* open = as_writer();
    if (open == nullptr || current <= open->volume_epoch()) return;
    open->fail_in_flight();
    if (context_.designated()) return start_recovery();  // an abandoned rival left a newer epoch
    depose(current);
  }

  // A writer that is no longer designated and hears of a newer epoch stops at once.
  void depose(storage::epoch current) {
    const writer* open = as_writer();
    AURORA_ASSERT(open != nullptr && current > open->volume_epoch(),
                  "only a writer is deposed, and only by a newer epoch");
    AURORA_ASSERT(!context_.designated(), "the designated writer recovers instead");
    const storage::epoch wrote_with = open->volume_epoch();
    role_.emplace<deposed>(deposed{wrote_with, current});
    AURORA_ASSERT(role() == instance_role::deposed, "a deposed writer writes no more");
    context_.probe("writer deposed by a newer epoch");
    context_.trace_event("deposed", {{"epoch", static_cast<std::int64_t>(current)}});
    restart_as_replica();
  }

  // A deposed writer stops at once and restarts, as Aurora's old writer does after a failover:
  // it comes back as a replica with a cold cache, and the requests sent to its old life are
  // dropped with its connections. (Restarted from a timer, not inside the message handler.)
  void restart_as_replica() {
    sim::network<message>& net = context_.net();
    net.timer(context_.self(), sim::us(0), [this, &net] {
      context_.trace_event("reboot", {});
      net.crash(context_.self());
      net.restart(context_.self());
    });
  }

  // --- timers ---------------------------------------------------------------------------------
  // Timers find the role the instance is in when they fire, never a role object that has gone.
  writer::timers writer_timers() {
    return {[this] {
              context_.net().timer(context_.self(), context_.options().batch_window, [this] {
                if (writer* open = as_writer()) open->flush();
              });
            },
            [this] { arm_resend(); }};
  }

  void arm_resend() {
    context_.net().timer(context_.self(), context_.options().resend_interval, [this] {
      writer* open = as_writer();
      if (open == nullptr) return;
      open->on_resend_timer();
      arm_resend();
    });
  }

  void arm_recovery_retry() {
    const std::uint64_t round = std::get<recovery_round>(role_).round();
    context_.net().timer(context_.self(), context_.options().recovery_retry, [this, round] {
      recovery_round* current = std::get_if<recovery_round>(&role_);
      if (current == nullptr || current->round() != round) return;
      if (!context_.designated()) return stand_down();
      current->send();
      arm_recovery_retry();
    });
  }

  // --- writes ---------------------------------------------------------------------------------
  void on(sim::participant_id from, client_write& request) {
    if (context_.options().deduplicate_requests && !context_.first_sight(from, request.op)) return;
    start_write(from, request);
  }

  void start_write(sim::participant_id from, client_write& request) {
    if (recovery_round* round = std::get_if<recovery_round>(&role_)) {
      return round->enqueue(from, request);
    }
    writer* open = as_writer();
    if (open == nullptr) return context_.refuse(from, request.op);
    if (request.hold > sim::us(0)) return hold_open(from, request, open->volume_epoch());
    open->start_write(from, request);
  }

  // `write ... hold`: the transaction stays open `hold` before it asks to commit. It commits
  // only if this instance is still the writer of the epoch it began in; otherwise it was rolled
  // back with the writer's role (refused: it certainly took no effect). A crash forgets it (the
  // client hears nothing). Held transactions are what `open_transactions` counts.
  void hold_open(sim::participant_id from, client_write& request, storage::epoch began) {
    const std::uint64_t ticket = next_hold_++;
    const sim::duration hold = request.hold;
    request.hold = sim::us(0);
    held_.push_back({ticket, began, {from, std::move(request)}});
    context_.net().timer(context_.self(), hold, [this, ticket] { end_hold(ticket); });
  }

  void end_hold(std::uint64_t ticket) {
    const auto found = std::ranges::find(held_, ticket, &held_write::ticket);
    if (found == held_.end()) return;
    held_write done = std::move(*found);
    held_.erase(found);
    writer* open = as_writer();
    if (open == nullptr || open->volume_epoch() != done.began) {
      return context_.refuse(done.write.client, done.write.request.op);
    }
    open->start_write(done.write.client, done.write.request);
  }

  void on(sim::participant_id from, replica_feedback& feedback) {
    if (writer* open = as_writer()) open->on(from, feedback);
  }

  void on(sim::participant_id, storage::redo_ack& ack) {
    if (writer* open = as_writer()) open->on(ack);
  }

  void on(sim::participant_id, storage::stale_epoch& news) { hear_of_epoch(news.current); }

  // --- reads ----------------------------------------------------------------------------------
  void on(sim::participant_id from, client_read& request) {
    if (writer* open = as_writer()) return open->read(from, request, reads_);
    if (request.to_writer) return context_.refuse(from, request.op);
    const replica* reader = std::get_if<replica>(&role_);
    if (reader == nullptr || !reader->ready()) return context_.refuse(from, request.op);
    const replica::read_position& at = *reader->position();
    const pg_id pg = context_.keys().pg(request.key);
    if (const std::optional<storage::version>* page = reader->cached(request.key)) {
      const lsn version = *page ? (*page)->id : no_lsn;
      context_.report(
          facts::read_started{number(), false, at.writer_epoch, pg, at.read_point, version});
      context_.probe("a replica read was served from its cache");
      return context_.answer_read(
          from, request.op, *page ? std::optional<std::int64_t>((*page)->value) : std::nullopt,
          version);
    }
    reads_.start(from, request, at.read_point, at.pg_tails[pg], false, at.writer_epoch);
  }

  void on(sim::participant_id, storage::read_reply& reply) { reads_.on(reply); }

  // read_host: what a read attempt needs from the role the instance is in.
  [[nodiscard]] const lsn_points* writer_points() const override {
    const writer* open = as_writer();
    if (open == nullptr) return nullptr;
    AURORA_ASSERT(open->volume_epoch() <= context_.known_epoch(),
                  "a writer's epoch is one the instance knows");
    return &open->points();
  }
  [[nodiscard]] const storage::truncation_history& truncations_followed() const override {
    if (const writer* open = as_writer()) return open->truncations();
    const replica* reader = std::get_if<replica>(&role_);
    if (reader != nullptr && reader->ready()) return reader->position()->truncations;
    return no_truncations_;
  }
  void on_page_read(key_id key, lsn read_point,
                    const std::optional<storage::version>& found) override {
    if (replica* reader = std::get_if<replica>(&role_))
      reader->on_page_read(key, read_point, found);
  }
  [[nodiscard]] std::optional<replica_position> replica_read_point(pg_id pg) const override {
    const replica* reader = std::get_if<replica>(&role_);
    if (reader == nullptr || !reader->ready()) return std::nullopt;
    return replica_position{reader->read_point(), reader->position()->pg_tails[pg]};
  }

  // --- replicas -------------------------------------------------------------------------------
  void on(sim::participant_id from, vdl_notice& notice) {
    replica* reader = std::get_if<replica>(&role_);
    if (reader == nullptr || notice.volume_epoch < context_.known_epoch()) return;
    context_.hear_of_epoch(notice.volume_epoch);
    after_notice(from, reader->on(notice, context_.pg_count()));
    if (reader->waiting()) arm_gap_wait(from, reader->oldest_waiting());
  }

  // A notice moved the read point (or emptied the cache): report it, and tell the writer the
  // lowest read point this replica still reads at, per PG.
  void after_notice(sim::participant_id writer, const replica::progress& made) {
    if (made.dropped_cache)
      context_.probe("a replica dropped its cache (new writer or stream gap)");
    const replica* reader = std::get_if<replica>(&role_);
    if (!made.moved || reader == nullptr) return;
    const storage::epoch writer_epoch = reader->position()->writer_epoch;
    context_.report(facts::replica_point{number(), writer_epoch, reader->read_point()});
    std::vector<lsn> lowest(context_.pg_count());
    for (pg_id pg = 0; pg < lowest.size(); ++pg) {
      lowest[pg] = reads_.lowest_read_point(reader->read_point(), pg);
      AURORA_ASSERT(lowest[pg] <= reader->read_point(),
                    "a replica holds back at most its read point");
    }
    context_.net().send(context_.self(), writer, replica_feedback{std::move(lowest)});
  }

  // An early notice waits for a missing one at most `replica_gap_wait`; then the missing one is
  // given up (it was lost), so that a quiet writer cannot leave the replica's read point behind.
  void arm_gap_wait(sim::participant_id writer, lsn waiting_for) {
    context_.net().timer(context_.self(), context_.options().replica_gap_wait,
                         [this, writer, waiting_for] {
                           replica* reader = std::get_if<replica>(&role_);
                           if (reader == nullptr || reader->oldest_waiting() != waiting_for) return;
                           context_.probe("a replica gave up a lost notice");
                           after_notice(writer, reader->give_up_gap(context_.pg_count()));
                           // Another notice may be missing after the ones just accepted.
                           if (reader->waiting()) arm_gap_wait(writer, reader->oldest_waiting());
                         });
  }

  // --- recovery -------------------------------------------------------------------------------
  void on(sim::participant_id, storage::recovery_reply& reply) {
    recovery_round* round = std::get_if<recovery_round>(&role_);
    if (round == nullptr) return;
    if (round->on(reply) == recovery_round::progress::outbid) start_recovery();
  }

  void on(sim::participant_id, storage::truncate_ack& ack) {
    recovery_round* round = std::get_if<recovery_round>(&role_);
    if (round == nullptr) return;
    if (round->on(ack) == recovery_round::progress::recovered) finish_recovery();
  }

  // --- messages an instance ignores -----------------------------------------------------------
  void on(sim::participant_id, storage::redo_batch&) {}
  void on(sim::participant_id, storage::read_request&) {}
  void on(sim::participant_id, storage::gossip_request&) {}
  void on(sim::participant_id, storage::gossip_reply&) {}
  void on(sim::participant_id, storage::recovery_query&) {}
  void on(sim::participant_id, storage::truncate_request&) {}
  void on(sim::participant_id, client_reply&) {}

  // A transaction held open (`write ... hold`) until its timer asks it to commit.
  struct held_write {
    std::uint64_t ticket = 0;
    storage::epoch began = 0;  // the writer's epoch when it began
    queued_write write;
  };

  instance_context context_;
  storage_reads reads_;
  std::vector<held_write> held_;  // few at a time: searched by ticket
  std::uint64_t next_hold_ = 0;
  role_state role_;  // a replica until the volume opens or a recovery starts
  storage::truncation_history no_truncations_;  // what a reader that follows no writer carries
};

}  // namespace aurora::db
