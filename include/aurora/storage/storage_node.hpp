// A storage node: the segments it hosts, and the foreground and background work on them.
//
// [P17 §3.3, Figure 4] The foreground path of a storage node is short: receive a batch of redo
// records, persist it, acknowledge. Everything else runs in the background: gossip with PG peers
// to fill gaps, coalescing records into page versions, garbage collection. Here:
//  - a `redo_batch` is checked against the volume epoch (a stale writer is told so), its
//    truncation (if any) applied, its records accepted, and after the persist latency the segment
//    acknowledges with its SCL;
//  - reads are answered only at read points inside [PGMRPL base, SCL]: a segment that is behind
//    the read point says so and the instance asks another one [P17 §4.2.3];
//  - every `gossip_interval` each hosted segment asks one peer (round robin) for what it lacks;
//  - recovery queries adopt the recovering instance's newer epoch before answering, which fences
//    the old writer at that segment [P18 §2.4]; truncation requests remove the range above VDL.
// The node keeps its disk (its segments) across a crash; `destroy` loses the disk, and the disk
// incarnation number changes so that nothing said by the lost disk is trusted afterwards.
//
// The node is a template on the wire message variant of the layer above (db/wire.hpp), of which
// it handles the storage alternatives; this keeps the storage layer free of database types.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <variant>
#include <vector>

#include "aurora/sim/network.hpp"
#include "aurora/storage/messages.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/segment.hpp"

namespace aurora::storage {

// The participant hosting each slot of each PG of one volume: filled in when the volume is placed
// (storage/fleet.hpp). A node finds the peers of its segments (gossip) in the directory of their
// volume.
using segment_directory = std::vector<std::array<sim::participant_id, segments_per_pg>>;
// Per volume_id; a deque, so that placing a volume never moves the directories of the others.
using volume_directory = std::deque<segment_directory>;

struct storage_options {
  sim::duration persist_low = sim::us(20), persist_high = sim::us(60);
  sim::duration gossip_interval = sim::ms(2);
  bool fence_stale_epochs = true;     // unsafe variant `no-epoch-fencing` turns this off
  bool check_read_point = true;       // unsafe variant `read-below-scl` turns this off
  bool check_read_truncation = true;  // unsafe variant `reads-ignore-truncation` turns this off
};

template <class message>
class storage_node final : public sim::endpoint<message> {
 public:
  storage_node(sim::network<message>& net, const volume_directory& volumes, storage_options options)
      : net_(net), volumes_(volumes), options_(options) {}

  void attach(sim::participant_id self) {
    self_ = self;
    arm_gossip();
  }

  // Called when a volume is placed: this node hosts `slot` of `pg` of `volume`.
  void host(volume_id volume, pg_id pg, int slot) {
    AURORA_ASSERT(find_hosted(volume, pg) == nullptr, "a node hosts one segment of a PG");
    hosted_.push_back({volume, pg, slot, 0, segment{}, 0});
  }

  // A clone's segment starts from its source's pages at the clone point (segment.hpp).
  void seed(volume_id volume, pg_id pg, lsn tail, lsn vdl,
            const std::vector<std::pair<key_id, version>>& image) {
    hosted* where = find_hosted(volume, pg);
    AURORA_ASSERT(where != nullptr, "a node seeds only a segment it hosts");
    where->data.start_from_image(tail, vdl, image);
  }

  [[nodiscard]] sim::participant_id id() const { return self_; }
  // The segment of `pg` of `volume` on this node, or null (for checkers and tests; not for the
  // protocol).
  [[nodiscard]] const segment* find(volume_id volume, pg_id pg) const {
    const hosted* where = find_hosted(volume, pg);
    return where == nullptr ? nullptr : &where->data;
  }
  [[nodiscard]] std::uint32_t disk(volume_id volume, pg_id pg) const {
    return find_hosted(volume, pg)->disk;
  }

  void receive(sim::participant_id from, message&& value) override {
    if (auto* batch = std::get_if<redo_batch>(&value)) return on_batch(from, *batch);
    if (auto* read = std::get_if<read_request>(&value)) return on_read(from, *read);
    if (auto* ask = std::get_if<gossip_request>(&value)) return on_gossip_request(from, *ask);
    if (auto* got = std::get_if<gossip_reply>(&value)) return on_gossip_reply(*got);
    if (auto* query = std::get_if<recovery_query>(&value)) return on_recovery(from, *query);
    if (auto* cut = std::get_if<truncate_request>(&value)) return on_truncate(from, *cut);
  }

  void on_restart() override { arm_gossip(); }

  void on_destroy() override {
    for (hosted& each : hosted_) {
      each.data = segment{};
      ++each.disk;
    }
  }

 private:
  struct hosted {
    volume_id volume;
    pg_id pg;
    int slot;
    std::uint32_t disk;  // incarnation of the disk: changes when it is destroyed
    segment data;
    int gossip_cursor;
  };

  hosted* find_hosted(volume_id volume, pg_id pg) {
    for (hosted& each : hosted_) {
      if (each.pg == pg && each.volume == volume) return &each;
    }
    return nullptr;
  }
  const hosted* find_hosted(volume_id volume, pg_id pg) const {
    for (const hosted& each : hosted_) {
      if (each.pg == pg && each.volume == volume) return &each;
    }
    return nullptr;
  }

  bool refuse_if_stale(sim::participant_id from, hosted& where, epoch sender_epoch) {
    if (!options_.fence_stale_epochs || !where.data.is_stale(sender_epoch)) return false;
    net_.send(self_, from,
              stale_epoch{where.data.volume_epoch(), where.pg, where.slot, where.volume});
    net_.probes().hit("storage refused a stale epoch");
    return true;
  }

  void on_batch(sim::participant_id from, const redo_batch& batch) {
    hosted* where = find_hosted(batch.volume, batch.pg);
    AURORA_ASSERT(where != nullptr, "a writer sends a PG's records only to its segments");
    if (refuse_if_stale(from, *where, batch.volume_epoch)) return;
    const lsn scl_before = where->data.scl();
    where->data.adopt_epoch(batch.volume_epoch);
    where->data.install_truncations(batch.truncations, true);  // the writer finished recovery
    where->data.accept_all(batch.records.get());
    where->data.note_vdl(std::min(batch.vdl, where->data.scl()));
    const lsn base_before = where->data.base_lsn();
    where->data.collect_garbage(batch.pgmrpl);
    if (where->data.base_lsn() != base_before)
      net_.probes().hit("garbage collection folded the hot log");
    trace_scl(*where, scl_before);
    const sim::duration persist =
        net_.prng().latency_uniform(options_.persist_low, options_.persist_high);
    const pg_id pg = batch.pg;
    const volume_id volume = batch.volume;
    net_.timer(self_, persist, [this, from, volume, pg] { acknowledge(from, volume, pg); });
  }

  void acknowledge(sim::participant_id to, volume_id volume, pg_id pg) {
    const hosted* where = find_hosted(volume, pg);
    net_.send(self_, to,
              redo_ack{where->data.volume_epoch(), pg, where->slot, where->disk, where->data.scl(),
                       volume});
  }

  void on_read(sim::participant_id from, const read_request& read) {
    hosted* where = find_hosted(read.volume, read.pg);
    AURORA_ASSERT(where != nullptr, "reads go to a segment of the key's PG");
    if (refuse_if_stale(from, *where, read.volume_epoch)) return;
    read_reply reply{read.id, read.pg,         where->slot,      read_status::ok, std::nullopt,
                     no_lsn,  read.read_point, read.complete_to, read.volume};
    if (options_.check_read_truncation && !vouches_for(*where, read.truncations)) {
      reply.status = read_status::behind_read_point;
      net_.probes().hit("segment lacks the reader's truncation");
    } else if (options_.check_read_point && read.complete_to > where->data.scl()) {
      reply.status = read_status::behind_read_point;
      net_.probes().hit("segment behind the read point");
    } else if (options_.check_read_point && read.read_point < where->data.base_lsn()) {
      reply.status = read_status::below_gc_point;
    } else {
      reply.found = where->data.read(read.key, read.read_point);
    }
    reply.scl = where->data.scl();
    net_.send(self_, from, std::move(reply));
  }

  // A read follows the truncation decision of the reader's epoch: the segment installs it (it
  // comes from a writer that finished that recovery, so it is on a write quorum) and answers only
  // if it then holds exactly that decision. Installing may drop the dead writer's tail and lower
  // SCL, after which the read-point check sends the reader elsewhere until gossip refills it.
  bool vouches_for(hosted& where, const truncation_history& decision) {
    const lsn scl_before = where.data.scl();
    const std::size_t before = where.data.hot_log_size();
    if (where.data.install_truncations(decision, true)) {
      net_.probes().hit("a read brought a missed truncation");
      if (where.data.hot_log_size() < before) net_.probes().hit("truncation removed records");
      trace_scl(where, scl_before);
    }
    return where.data.truncation_decision() == decision;
  }

  void arm_gossip() {
    net_.timer(self_, options_.gossip_interval, [this] {
      for (hosted& each : hosted_) gossip_once(each);
      arm_gossip();
    });
  }

  void gossip_once(hosted& where) {
    where.gossip_cursor = (where.gossip_cursor + 1) % segments_per_pg;
    if (where.gossip_cursor == where.slot) {
      where.gossip_cursor = (where.gossip_cursor + 1) % segments_per_pg;
    }
    const sim::participant_id peer = volumes_[where.volume][where.pg][where.gossip_cursor];
    net_.send(self_, peer,
              gossip_request{where.pg, where.slot, where.data.scl(), where.data.volume_epoch(),
                             where.data.truncation_decision().decided_by, where.volume});
  }

  void on_gossip_request(sim::participant_id from, const gossip_request& ask) {
    const hosted* where = find_hosted(ask.volume, ask.pg);
    AURORA_ASSERT(where != nullptr, "gossip stays inside a PG");
    const segment& data = where->data;
    const bool has_more = data.highest_lsn() > ask.scl || data.volume_epoch() > ask.volume_epoch ||
                          data.truncation_decision().decided_by > ask.truncations_decided_by;
    if (!has_more) return;
    net_.send(self_, from, gossip_reply{ask.pg, data.gossip_for(ask.scl), ask.volume});
  }

  void on_gossip_reply(const gossip_reply& got) {
    hosted* where = find_hosted(got.volume, got.pg);
    AURORA_ASSERT(where != nullptr, "gossip stays inside a PG");
    const lsn scl_before = where->data.scl();
    if (got.payload.base_lsn && *got.payload.base_lsn > scl_before) {
      net_.probes().hit("segment hydrated from a base image");
    }
    where->data.absorb(got.payload);
    if (where->data.scl() > scl_before) net_.probes().hit("gossip filled a gap");
    trace_scl(*where, scl_before);
  }

  void on_recovery(sim::participant_id from, const recovery_query& query) {
    hosted* where = find_hosted(query.volume, query.pg);
    AURORA_ASSERT(where != nullptr, "recovery asks the segments of each PG");
    recovery_reply reply{query.round, query.pg, where->slot, where->disk, true, {}, query.volume};
    // Accepting fences the old writer here; refusing means a newer recovery already ran.
    reply.accepted = where->data.accept_proposal(query.proposed_epoch, query.proposer);
    reply.summary = where->data.summarize_for_recovery();
    net_.send(self_, from, std::move(reply));
  }

  void on_truncate(sim::participant_id from, const truncate_request& cut) {
    hosted* where = find_hosted(cut.volume, cut.pg);
    AURORA_ASSERT(where != nullptr, "truncation goes to the segments of each PG");
    if (options_.fence_stale_epochs && !where->data.owned_by(cut.volume_epoch, cut.proposer)) {
      // Another round owns this epoch here (or a newer one exists): the sender must propose
      // above it.
      net_.send(self_, from,
                stale_epoch{where->data.volume_epoch(), where->pg, where->slot, where->volume});
      return;
    }
    const lsn scl_before = where->data.scl();
    where->data.adopt_owned_epoch(cut.volume_epoch, cut.proposer);
    const std::size_t before = where->data.hot_log_size();
    where->data.install_truncations(cut.history, true);
    if (where->data.hot_log_size() < before) net_.probes().hit("truncation removed records");
    where->data.accept_all(cut.records);
    trace_scl(*where, scl_before);
    net_.send(self_, from,
              truncate_ack{cut.round, cut.pg, where->slot, where->disk, where->data.scl(),
                           where->volume});
  }

  void trace_scl(const hosted& where, lsn before) {
    trace::recorder& trace = net_.trace();
    if (!trace.enabled() || where.data.scl() == before) return;
    trace::event_writer event = trace.begin(net_.clock().now(), trace::kind::scl, net_.name(self_));
    event.add(trace::key::node, net_.name(self_))
        .add(trace::key::pg, static_cast<std::int64_t>(where.pg));
    // The first volume's events keep their one-cluster shape.
    if (where.volume != 0) event.add("volume", static_cast<std::int64_t>(where.volume));
    event.add(trace::key::lsn, static_cast<std::int64_t>(where.data.scl()));
  }

  sim::network<message>& net_;
  const volume_directory& volumes_;
  storage_options options_;
  sim::participant_id self_{};
  std::vector<hosted> hosted_;
};

}  // namespace aurora::storage
