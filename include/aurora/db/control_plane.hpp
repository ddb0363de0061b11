// The control plane: the small, durable metadata that outlives every instance.
//
// Aurora keeps volume metadata (which instance is the writer, PG membership) in a service of its
// own; it is not on the data path [P18 §4]. The model keeps it here, outside the network's fault
// model: it names the designated writer (which failover changes), holds each PG's membership
// (which a destroyed disk and its repair change), and counts the instances' failovers. Volume
// epochs are the storage metadata service's (storage/metadata_service.hpp, owned by the fleet).
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
