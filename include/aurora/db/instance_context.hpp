// What every role of a database instance shares: its place in the cluster and on the network.
//
// An instance is the writer, a read replica, a writer in recovery, or a deposed writer on its
// way to restart (db/instance.hpp); each role keeps its own state (db/writer.hpp,
// db/replica.hpp, db/recovery_round.hpp). What outlives a role lives here: the network and the
// instance's participant id, its cluster's volume (placement, key table, control plane, the
// storage metadata service that hands out epochs [P18 §2.4]), the quorum sizes, the options,
// the observer the checkers listen on, the newest volume epoch the instance has heard of, and
// the client sessions a connection remembers (a client's latest write request runs at most once).
// A crash loses everything volatile (`forget`): sessions, the epoch heard of.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aurora/db/control_plane.hpp"
#include "aurora/db/lsn_points.hpp"
#include "aurora/db/protocol_facts.hpp"
#include "aurora/db/wire.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/storage/metadata_service.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/quorum.hpp"
#include "aurora/storage/storage_node.hpp"

namespace aurora::db {

// What a replica applies of the redo stream [P17 §4.2.4]: up to the VDL it was sent (safe), or,
// in unsafe teaching variants, up to the writer's VCL or everything as it arrives.
enum class replica_apply : std::uint8_t { up_to_vdl, up_to_vcl, on_arrival };

struct instance_options {
  lsn lal = 1'000;                             // LSN allocation limit [P17 §4.2.1]
  sim::duration resend_interval = sim::ms(3);  // resend to a segment whose SCL stands still
  int resend_backoff_max =
      8;  // resends a segment ignores double the wait, up to this many intervals
  sim::duration hedge_delay = sim::ms(1);             // ask another segment if a read is slow
  sim::duration batch_window = sim::us(0);            // group commit: wait this long to batch
  sim::duration replica_feedback_ttl = sim::ms(100);  // a silent replica stops holding PGMRPL
  sim::duration replica_gap_wait = sim::ms(10);  // an early notice waits this long for a lost one
  sim::duration recovery_retry = sim::ms(5);     // ask again those that did not answer
  std::size_t waiting_max = 4'096;               // transactions queued by LAL or recovery
  std::size_t cache_keys_max = 4'096;            // buffer cache bound
  int read_attempts_max = 24;
  // Teaching knobs: each true value is one rule of the papers, off only in unsafe variants.
  bool ack_after_vdl = true;
  bool truncate_on_recovery = true;
  bool reads_respect_scl = true;
  bool deduplicate_requests = true;  // a client request runs at most once (a connection's memory)
  bool fenced_by_epoch = true;  // acknowledgements count only if they carry this writer's epoch
  replica_apply replica_applies = replica_apply::up_to_vdl;
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

// A client's write that waits: for LAL to let it in, or for a recovery to open the volume.
struct queued_write {
  sim::participant_id client;
  client_write request;
};

// Where an instance lives, what it may ask of it, and how it answers clients.
struct instance_place {
  sim::network<message>& net;
  int number;  // db1 is 1, db2 is 2, ...
  storage::volume_id volume;
  const storage::segment_directory& directory;
  const storage::key_table& keys;
  control_plane& control;
  storage::metadata_service& metadata;
  storage::quorum_sizes sizes;
  instance_options options;
  instance_observer& observer;
};

class instance_context {
 public:
  explicit instance_context(const instance_place& place) : place_(place) {}

  void attach(sim::participant_id self) { self_ = self; }
  [[nodiscard]] sim::participant_id self() const { return self_; }
  [[nodiscard]] sim::network<message>& net() const { return place_.net; }
  [[nodiscard]] const std::string& name() const { return place_.net.name(self_); }
  [[nodiscard]] int number() const { return place_.number; }
  [[nodiscard]] storage::volume_id volume() const { return place_.volume; }
  [[nodiscard]] const storage::key_table& keys() const { return place_.keys; }
  [[nodiscard]] storage::quorum_sizes sizes() const { return place_.sizes; }
  [[nodiscard]] const instance_options& options() const { return place_.options; }
  [[nodiscard]] storage::metadata_service& metadata() const { return place_.metadata; }
  [[nodiscard]] int pg_count() const { return static_cast<int>(place_.directory.size()); }
  [[nodiscard]] sim::time_point now() const { return place_.net.clock().now(); }
  void probe(const char* what) const { place_.net.probes().hit(what); }
  void report(const facts::fact& what) const { place_.observer.report(what); }

  // Every storage message names this instance's volume: the storage nodes host every cluster's.
  template <class storage_message>
  void send_to_segment(pg_id pg, int slot, storage_message value) const {
    value.volume = place_.volume;
    place_.net.send(self_, place_.directory[pg][slot], std::move(value));
  }

  // --- the control plane ----------------------------------------------------------------------
  // Only the instance the control plane names may become the writer.
  [[nodiscard]] bool designated() const { return place_.control.writer == name(); }
  [[nodiscard]] const storage::pg_membership& membership(pg_id pg) const {
    return place_.control.membership.at(pg);
  }
  // A replacement finishes when the writer (or a recovery) sees it hydrated [P18 §4].
  [[nodiscard]] storage::pg_membership& membership_to_change(pg_id pg) const {
    return place_.control.membership.at(pg);
  }
  [[nodiscard]] bool replacing_a_segment() const {
    return std::any_of(place_.control.membership.begin(), place_.control.membership.end(),
                       [](const storage::pg_membership& each) { return each.changing(); });
  }
  // A PG's membership as the control plane holds it, for the facts that need it.
  [[nodiscard]] facts::membership_snapshot members(pg_id pg) const {
    const storage::pg_membership& current = membership(pg);
    facts::membership_snapshot snapshot;
    for (int slot = 0; slot < storage::segments_per_pg; ++slot) {
      snapshot.identity[slot] = current.identity(slot);
      snapshot.disk[slot] = current.disk(slot);
    }
    const storage::quorum_set sets = current.quorums(place_.sizes);
    snapshot.set_count = static_cast<int>(sets.set_count());
    for (std::size_t index = 0; index < sets.set_count(); ++index) {
      snapshot.sets[index] = sets.member_set(index);
    }
    return snapshot;
  }

  // --- epochs ---------------------------------------------------------------------------------
  // The newest volume epoch this instance has heard of (from storage, a VDL notice, or its own
  // recovery); a writer's own epoch is never newer.
  [[nodiscard]] storage::epoch known_epoch() const { return known_epoch_; }
  void hear_of_epoch(storage::epoch value) { known_epoch_ = std::max(known_epoch_, value); }
  // A recovery round's number: the same instance asking again in the same round is not a rival.
  [[nodiscard]] std::uint64_t next_round() { return ++rounds_; }

  // --- clients --------------------------------------------------------------------------------
  // True when this write request is new from this client; a copy of the latest one is answered
  // as it was (or not yet, while it runs), an older one is dropped.
  bool first_sight(sim::participant_id from, std::uint64_t op) {
    if (from.value >= sessions_.size()) sessions_.resize(from.value + 1);
    std::optional<session>& known = sessions_[from.value];
    if (!known || op > known->op) {
      known = session{op};
      return true;
    }
    const session& latest = *known;
    if (op < latest.op) {
      probe("a late client request was ignored");
      return false;
    }
    probe("a duplicated client request was answered, not run again");
    answer_again(from, op, latest);
    return false;
  }

  // Sends a write's answer and remembers it in the client's session.
  void answer(sim::participant_id client, std::uint64_t op, reply_status status, lsn commit) {
    std::optional<session>* found =
        client.value < sessions_.size() ? &sessions_[client.value] : nullptr;
    if (found != nullptr && *found && (*found)->op == op) {
      (*found)->state = status == reply_status::ok        ? request_state::committed
                        : status == reply_status::refused ? request_state::refused
                                                          : request_state::indeterminate;
      (*found)->commit = commit;
    }
    place_.net.send(self_, client, client_reply{op, status, std::nullopt, commit});
  }
  void refuse(sim::participant_id client, std::uint64_t op) {
    answer(client, op, reply_status::refused, no_lsn);
  }
  // Queues a write, or refuses it when the queue is full (a limit on everything).
  void enqueue(std::deque<queued_write>& queue, sim::participant_id from, client_write& request) {
    if (queue.size() >= place_.options.waiting_max) return refuse(from, request.op);
    queue.push_back({from, std::move(request)});
  }
  // Answers a read with a value found (or none) at the version `at`.
  void answer_read(sim::participant_id client, std::uint64_t op, std::optional<std::int64_t> value,
                   lsn at) const {
    place_.net.send(self_, client, client_reply{op, reply_status::ok, value, at});
  }

  // The instances the writer ships VDL notices to (every other instance of the cluster).
  void set_replicas(std::vector<sim::participant_id> replicas) {
    replica_ids_ = std::move(replicas);
  }
  [[nodiscard]] const std::vector<sim::participant_id>& replicas() const { return replica_ids_; }

  // A crash loses what a process holds in memory: its connections and the epoch it heard of.
  void forget() {
    known_epoch_ = 0;
    sessions_.clear();  // its connections die with it (the network drops what was sent to them)
  }

  // --- trace ----------------------------------------------------------------------------------
  void trace_event(const char* kind, std::vector<trace::field> fields) const {
    trace::recorder& trace = place_.net.trace();
    if (!trace.enabled()) return;
    fields.insert(fields.begin(), trace::field{"instance", name()});
    trace.record({now(), kind, std::move(fields), name(), {}, 0});
  }
  [[nodiscard]] bool tracing() const { return place_.net.trace().enabled(); }

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

  void answer_again(sim::participant_id from, std::uint64_t op, const session& latest) {
    switch (latest.state) {
      case request_state::running: break;
      case request_state::committed: answer(from, op, reply_status::ok, latest.commit); break;
      case request_state::refused: answer(from, op, reply_status::refused, no_lsn); break;
      case request_state::indeterminate:
        answer(from, op, reply_status::indeterminate, no_lsn);
        break;
    }
  }

  instance_place place_;
  sim::participant_id self_{};
  std::vector<sim::participant_id> replica_ids_;
  storage::epoch known_epoch_ = 0;  // the newest epoch heard of
  std::uint64_t rounds_ = 0;        // recovery rounds started (never reset)
  // Per client, indexed by its participant id (the network numbers participants from 0): its
  // latest write request, if any. A vector, not a map: found in O(1) on every write and answer.
  std::vector<std::optional<session>> sessions_;
};

}  // namespace aurora::db
