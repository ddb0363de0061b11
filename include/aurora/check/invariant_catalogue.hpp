// The catalogue of every invariant the checkers report, by name, with the rule it guards.
//
// docs/rules.md maps each rule of the design to these names; tests/check/rules_table_test.cpp
// fails when a rule of the table has no invariant, when an invariant of this list guards no
// rule, or when a name here is not one the checkers actually report.
#pragma once

#include <array>
#include <string_view>

namespace aurora::check {

struct invariant_entry {
  std::string_view name;
  std::string_view guards;
};

inline constexpr std::array invariant_catalogue = {
    // check/invariants.hpp: outcomes, judged on the model's state and LSNs
    invariant_entry{"durability", "no acknowledged write is lost or truncated"},
    invariant_entry{
        "read_quorum_overlap",
        "acknowledged records are on enough segments for every read quorum to see them"},
    invariant_entry{"vdl_durable",
                    "a record is at or below VDL only once no read quorum can miss it"},
    invariant_entry{"read_after_commit", "a writer read sees every write acknowledged before it"},
    invariant_entry{"unique_lsn", "no LSN is allocated twice"},
    invariant_entry{"valid_read", "a read returns a version some transaction wrote"},
    invariant_entry{"no_dirty_read", "no read returns a version a truncation later removes"},
    invariant_entry{"monotonic_points",
                    "VCL, VDL, SCL and epochs never go backwards (except by truncation)"},
    invariant_entry{"scl_complete", "a segment holds its PG's whole chain up to its SCL"},
    // check/protocol_rules.hpp: the instances' decisions
    invariant_entry{"allocation_within_lal",
                    "no LSN above max(VDL, truncation top) + LAL is allocated"},
    invariant_entry{"write_quorum",
                    "VCL passes a record only on a write quorum of every member set"},
    invariant_entry{"ack_epoch", "a writer counts only acknowledgements of its own epoch"},
    invariant_entry{"vdl_at_cpl", "VDL is a CPL at or below VCL"},
    invariant_entry{"commit_at_vdl", "a commit is acknowledged once VDL reaches it"},
    invariant_entry{
        "read_point_at_cpl",
        "a read point is a CPL at or below its writer's VDL; a replica's never goes back"},
    invariant_entry{"read_from_complete_segment",
                    "a segment answers a read only if complete to the read point"},
    invariant_entry{"old_writer_stops",
                    "a failover restarts an old writer the control plane reaches"},
    invariant_entry{"gc_keeps_read_points",
                    "garbage collection stays below the writer's read points"},
    invariant_entry{"truncation_bounds", "a truncation covers (VDL, max(VDL, earlier tops) + LAL]"},
    invariant_entry{"one_writer_per_epoch", "each epoch has one writer; epochs open in order"},
    // check/linearizability.hpp: the client history alone
    invariant_entry{"linearizable", "writer-endpoint operations on a key are linearizable"},
    invariant_entry{"replica_read",
                    "a replica read returns a value some write could have produced"},
    invariant_entry{"monotonic_replica_reads", "a client's reads of one replica never go back"},
};

}  // namespace aurora::check
