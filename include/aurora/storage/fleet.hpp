// The storage fleet: the storage nodes of a world, shared by the volumes of all its clusters.
//
// [P17 §2.2, §3.3] Aurora's storage is a multi-tenant fleet: a storage node hosts segments of
// many volumes, and a volume is a set of protection groups placed on it. Here the fleet is the
// storage nodes a1..aN, b1..bN, c1..cN of one world (N = nodes_per_az); each cluster places its
// volume on them (`place_volume`), which gives the volume its id and its segment directory. A
// blue/green pair or a restored cluster is a second volume on the same nodes: a node fault hits
// the segments of every volume it hosts. Messages name their volume (storage/messages.hpp).
// The fleet also owns the storage metadata service (storage/metadata_service.hpp), which hands
// out each volume's epochs [P18 §2.4]: it outlives every instance and serves every cluster.
//
// A template on the network's message type, like the storage node.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aurora/sim/assert.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/storage/metadata_service.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/storage_node.hpp"

namespace aurora::storage {

template <class message>
class fleet {
 public:
  using node = storage_node<message>;

  // Adds the storage nodes to the network, AZ by AZ (a1 a2 ... b1 ... c1 ...).
  fleet(sim::network<message>& net, int nodes_per_az, storage_options options)
      : net_(net), nodes_per_az_(nodes_per_az) {
    if (nodes_per_az < 2 || nodes_per_az > max_nodes_per_az) {
      throw usage_error("nodes_per_az must be 2..9 (a PG has two segments in each AZ)");
    }
    const placement names({1, nodes_per_az, 1});
    for (const std::string& name : names.node_names()) {
      nodes_.push_back(std::make_unique<node>(net_, volumes_, options));
      const sim::participant_id id =
          net_.add(name, name[0], sim::role::storage, nodes_.back().get());
      nodes_.back()->attach(id);
      by_participant_.emplace(id.value, nodes_.size() - 1);
    }
  }

  fleet(const fleet&) = delete;
  fleet& operator=(const fleet&) = delete;

  [[nodiscard]] int nodes_per_az() const { return nodes_per_az_; }
  [[nodiscard]] std::size_t volume_count() const { return volumes_.size(); }

  // Places a new volume's PGs as `where` says (its nodes_per_az must be the fleet's): each slot
  // of each PG becomes a segment on its node. Returns the volume's id.
  volume_id place_volume(const placement& where) {
    if (where.shape().nodes_per_az != nodes_per_az_) {
      throw usage_error("a volume is placed on the fleet's " + std::to_string(nodes_per_az_) +
                        " nodes per AZ, not " + std::to_string(where.shape().nodes_per_az));
    }
    const auto volume = static_cast<volume_id>(volumes_.size());
    segment_directory directory(static_cast<std::size_t>(where.shape().protection_groups));
    for (pg_id pg = 0; pg < directory.size(); ++pg) {
      for (int slot = 0; slot < segments_per_pg; ++slot) {
        const sim::participant_id id = net_.find(where.node_of(pg, slot));
        directory[pg][slot] = id;
        mutable_at(id).host(volume, pg, slot);
      }
    }
    volumes_.push_back(std::move(directory));
    return volume;
  }

  // One PG of a clone at its clone point: the PG's last record at or below the source's VDL,
  // and the newest version of each of its keys at that point.
  struct pg_image {
    lsn tail = no_lsn;
    std::vector<std::pair<key_id, version>> pages;
  };

  // Places a new volume as `where` says, each of its segments starting from the image of its PG
  // at the source's VDL `vdl` (a fast clone, [UG "Aurora cloning"]). Aurora shares the pages
  // copy-on-write with the source; the model gives each segment its own copy of the image,
  // which a client cannot tell apart: later writes on either volume stay invisible to the other,
  // and nothing the source does later (truncation, loss) reaches the clone.
  volume_id clone_volume(const placement& where, lsn vdl, const std::vector<pg_image>& images) {
    AURORA_ASSERT(images.size() == static_cast<std::size_t>(where.shape().protection_groups),
                  "a clone has an image of every PG");
    const volume_id volume = place_volume(where);
    for (pg_id pg = 0; pg < images.size(); ++pg) {
      for (int slot = 0; slot < segments_per_pg; ++slot) {
        mutable_at(volumes_[volume][pg][slot])
            .seed(volume, pg, images[pg].tail, vdl, images[pg].pages);
      }
    }
    return volume;
  }

  // Where each slot of each PG of `volume` lives.
  [[nodiscard]] const segment_directory& directory(volume_id volume) const {
    AURORA_ASSERT(volume < volumes_.size(), "volume ids come from place_volume");
    return volumes_[volume];
  }

  // The storage metadata service: each volume's epoch counter.
  [[nodiscard]] metadata_service& metadata() { return metadata_; }
  [[nodiscard]] const metadata_service& metadata() const { return metadata_; }

  // The storage node that is this participant (a storage node of the fleet).
  [[nodiscard]] const node& at(sim::participant_id id) const {
    const auto found = by_participant_.find(id.value);
    AURORA_ASSERT(found != by_participant_.end(), "a participant of the fleet");
    return *nodes_[found->second];
  }

 private:
  node& mutable_at(sim::participant_id id) {
    return const_cast<node&>(static_cast<const fleet&>(*this).at(id));
  }

  sim::network<message>& net_;
  int nodes_per_az_;
  volume_directory volumes_;
  metadata_service metadata_;
  std::vector<std::unique_ptr<node>> nodes_;
  std::map<std::uint32_t, std::size_t> by_participant_;  // participant id -> index in nodes_
};

}  // namespace aurora::storage
