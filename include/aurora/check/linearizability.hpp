// A black-box checker of the client history: linearizability per key, and what replica reads
// may return, judged only from what clients saw.
//
// The model's invariants (check/invariants.hpp) judge by LSNs, which no client ever sees. This
// checker reads only the client history (check/history.hpp): invoke and ok/fail/info, process,
// key, values, endpoint and the simulated times of invocation and completion, never `op.at`.
// It says what Jepsen's Knossos or Porcupine would say about the run's JSON Lines history.
// Semantics: `ok` took effect within [invoked, completed]; `fail` certainly did not (dropped);
// `info`, or still pending when the run ends, took effect at some time after its invocation or
// never; a read that is not `ok` is dropped. Every key starts with no value ("none").
//
// Invariants, per key:
//  - linearizable: the writer-endpoint operations (every write, projected onto each key it
//    writes; every read through the cluster endpoint, ops/endpoint.hpp) have a linearization: a
//    total order that respects real time in which each read returns the value of the last write
//    before it;
//  - replica_read: a read from the reader endpoint or a named instance returns none or a value
//    that a write which may have happened (not `fail`) wrote to the key, invoked before the read
//    completed; and when exactly one write can be its source, that write took effect before the
//    read completed, in some linearization of the writer-endpoint history (a value later lost,
//    such as a dirty read undone by recovery, breaks this). When several writes wrote the
//    value, nothing is assumed;
//  - monotonic_replica_reads: one client's reads from one named instance (not "reader", which
//    rotates over replicas), in invocation order, never observe a write ordered before one they
//    observed earlier, nor none after a value. Reads with a single possible source constrain
//    the search, so the verdict holds for every linearization; a read whose value several writes
//    wrote is judged against the linearization found, with its most favourable source.
//
//
// The search lives in check/linearizability_search.hpp, one key's judgement in
// check/linearizability_key_checker.hpp, the result types in check/linearizability_result.hpp.
//
// Sources: M. Herlihy and J. Wing, "Linearizability: a correctness condition for concurrent
// objects", TOPLAS 12(3), 1990; J. M. Wing and C. Gong, "Testing and verifying concurrent
// objects", JPDC 17(1), 1993; G. Lowe, "Testing for linearizability", Concurrency and
// Computation: Practice and Experience 29(4), 2017; Porcupine (A. Athalye,
// github.com/anishathalye/porcupine); Knossos (K. Kingsbury, github.com/jepsen-io/knossos).
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "aurora/check/history.hpp"
#include "aurora/check/linearizability_key_checker.hpp"
#include "aurora/check/linearizability_result.hpp"

namespace aurora::check {

// Judges a client history (`keys` names its keys). Deterministic: the same history gives the
// same result, byte for byte.
inline linearizability_result check_linearizability(const std::vector<operation>& history,
                                                    const storage::key_table& keys,
                                                    const linearizability_options& options = {}) {
  linearizability_result out;
  for (auto& [key, share] : linearizability_detail::split_by_key(history)) {
    linearizability_detail::key_checker(history, keys, key, std::move(share), options, out).run();
  }
  std::stable_sort(
      out.violations.begin(), out.violations.end(),
      [](const history_violation& a, const history_violation& b) { return a.at < b.at; });
  return out;
}

}  // namespace aurora::check
