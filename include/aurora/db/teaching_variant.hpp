// The unsafe teaching variants: one rule of the papers switched off at a time.
//
// Each exists so that a learner (and a test) can watch the fault properties find the data loss or
// stale read that the rule prevents. `safe` is the model as the papers describe it.
//   write-quorum-3    Vw = 3 of 6 (Vr + Vw = V: a read quorum can miss a write)
//   read-quorum-2     Vr = 2 of 6 (same rule, broken from the other side)
//   ack-before-vdl    commits acknowledged when sent, before VDL covers them
//   no-truncation     recovery records the new epoch but removes nothing above VDL
//   no-epoch-fencing  storage nodes accept requests that carry a stale epoch, and a writer
//                     counts acknowledgements whatever epoch they carry
//   read-below-scl    reads go to any segment, and segments answer below their SCL
//   no-request-dedup  an instance executes every copy of a client request it receives (a
//                     duplicated or late message runs the transaction again)
//   reads-ignore-truncation
//                     reads do not carry the truncation decision of the reader's epoch, so a
//                     segment that missed a recovery's truncation serves the removed tail
//   replica-above-vdl a replica applies every redo record to its cache as it arrives, before
//                     VDL covers it (a value that recovery may later truncate)
//   replica-split-mtr a replica applies records up to the writer's VCL, which may end inside a
//                     mini-transaction (half a transaction visible)
//   no-demotion       a failover does not restart the old writer even when the control plane
//                     reaches it: it keeps serving as a writer until a storage node refuses its
//                     stale epoch (the epoch still keeps its writes from becoming durable)
//   clone-from-any-segment
//                     a clone takes each PG's pages from the first segment of the PG, whether or
//                     not its complete chain reaches the clone point (a lagging segment misses
//                     acknowledged writes)
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "aurora/storage/protection_group.hpp"
#include "aurora/storage/quorum.hpp"

namespace aurora::db {

enum class teaching_variant {
  safe,
  write_quorum_3,
  read_quorum_2,
  ack_before_vdl,
  no_truncation,
  no_epoch_fencing,
  read_below_scl,
  no_request_dedup,
  reads_ignore_truncation,
  replica_above_vdl,
  replica_split_mtr,
  no_demotion,
  clone_from_any_segment,
};

inline constexpr std::array<std::string_view, 13> teaching_variant_names = {
    "safe",
    "write-quorum-3",
    "read-quorum-2",
    "ack-before-vdl",
    "no-truncation",
    "no-epoch-fencing",
    "read-below-scl",
    "no-request-dedup",
    "reads-ignore-truncation",
    "replica-above-vdl",
    "replica-split-mtr",
    "no-demotion",
    "clone-from-any-segment"};

inline std::string_view to_string(teaching_variant variant) {
  return teaching_variant_names[static_cast<std::size_t>(variant)];
}

inline std::optional<teaching_variant> parse_teaching_variant(std::string_view name) {
  for (std::size_t index = 0; index < teaching_variant_names.size(); ++index) {
    if (teaching_variant_names[index] == name) return static_cast<teaching_variant>(index);
  }
  return std::nullopt;
}

// The quorum each variant runs with; only the two quorum variants name an unsafe one, and they
// must say so explicitly to compile.
inline storage::quorum_sizes quorum_for(teaching_variant variant) {
  using storage::aurora_shaped;
  using storage::quorum;
  using storage::safety;
  switch (variant) {
    case teaching_variant::write_quorum_3:
      return aurora_shaped<quorum<6, 3, 3, safety::unsafe_teaching_variant>>::sizes();
    case teaching_variant::read_quorum_2:
      return aurora_shaped<quorum<6, 4, 2, safety::unsafe_teaching_variant>>::sizes();
    default: return storage::aurora_protection_group::sizes();
  }
}

}  // namespace aurora::db
