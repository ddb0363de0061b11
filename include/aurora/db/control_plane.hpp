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

#include "aurora/sim/time.hpp"
#include "aurora/storage/membership.hpp"

namespace aurora::db {

// One designation of a writer: from `since` on, the cluster endpoint names `writer`.
struct writer_designation {
  sim::time_point since{};
  std::string writer;
};

struct control_plane {
  std::vector<storage::pg_membership> membership;  // per PG
  std::string writer = "db1";                      // the instance the cluster endpoint names
  // Every designation, oldest first (the first is the cluster's creation): what DNS answered at
  // an earlier time, when a record change takes time to propagate.
  std::vector<writer_designation> designations;

  // The writer designated at `when` (the first one for a time before the cluster existed).
  [[nodiscard]] const std::string& writer_as_of(sim::time_point when) const {
    for (auto each = designations.rbegin(); each != designations.rend(); ++each) {
      if (each->since <= when) return each->writer;
    }
    return designations.empty() ? writer : designations.front().writer;
  }
};

}  // namespace aurora::db
