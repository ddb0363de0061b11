// The storage metadata service: the durable counter that hands out volume epochs.
//
// [P18 §2.4] Aurora fences an old writer without leases: a recovering instance takes a new
// volume epoch, records it at a write quorum of every protection group, and from then on the
// storage nodes refuse every request that carries an older epoch. The epoch is not a ballot an
// instance makes up; it is bumped by the storage metadata service, a small, durable, replicated
// control-plane service off the data path. Here it is one monotonic counter per volume:
// `next_epoch(volume)` returns a strictly larger epoch at every call, so two recoveries that race
// (a failover racing a restart, an instance that crashes in the middle of its own recovery)
// always propose distinct epochs, and a later recovery always proposes a newer one.
//
// Like the rest of the control plane, the service is outside the network's fault model: a call
// always succeeds at once (the real service is replicated and durable). Epoch 0 belongs to the
// first writer of an empty volume, which needs no recovery; recoveries take 1, 2, 3, ...
// The storage fleet owns the service (storage/fleet.hpp): it outlives every instance, and every
// cluster whose volume is placed on the fleet shares it, each volume with its own counter.
#pragma once

#include <limits>
#include <map>

#include "aurora/sim/assert.hpp"
#include "aurora/storage/log_record.hpp"

namespace aurora::storage {

class metadata_service {
 public:
  // A new epoch of `volume`, newer than every epoch it handed out before (and than 0, the epoch
  // of the volume's first writer). Deterministic: the n-th call for a volume returns n.
  [[nodiscard]] epoch next_epoch(volume_id volume) {
    epoch& latest = latest_[volume];
    AURORA_ASSERT(latest < std::numeric_limits<epoch>::max(),
                  "a volume's epoch counter never wraps around");
    const epoch previous = latest;
    ++latest;
    AURORA_ASSERT(latest > previous, "volume epochs only grow");
    return latest;
  }

  // The newest epoch handed out for `volume` (0 while no recovery has taken one).
  [[nodiscard]] epoch latest_epoch(volume_id volume) const {
    const auto found = latest_.find(volume);
    return found == latest_.end() ? 0 : found->second;
  }

 private:
  std::map<volume_id, epoch> latest_;  // per volume: the last epoch handed out
};

}  // namespace aurora::storage
