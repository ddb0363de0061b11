// The control plane's state: the small, durable metadata that outlives every instance.
//
// Aurora keeps volume metadata (which instance is the writer, PG membership) in a service of its
// own; it is not on the data path [P18 §4]. The model keeps that state here, outside the
// network's fault model, where a cluster's instances read it: the designated writer (which a
// failover changes) and each PG's membership (which a destroyed disk's replacement changes, and
// the writer completes once the new segment has caught up). The decisions that change it are the
// operations layer's (ops/control_plane.hpp). Volume epochs are the storage metadata service's
// (storage/metadata_service.hpp, owned by the fleet).
#pragma once

#include <string>
#include <vector>

#include "aurora/storage/membership.hpp"

namespace aurora::db {

struct control_plane {
  std::vector<storage::pg_membership> membership;  // per PG
  std::string writer = "db1";                      // the instance the cluster endpoint names
};

}  // namespace aurora::db
