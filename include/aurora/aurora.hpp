// The umbrella header: the whole toolkit in one include.
//
// Prefer the narrow headers in a translation unit that needs only one layer; this one is for
// small programs and tutorials. The layers, lowest first (DESIGN.md §3):
//   sim      time, the PRNG, the scheduler, the network, faults as values, the world
//   storage  quorums, log records, placement, segments, storage nodes, the fleet, membership
//   db       LSN points, recovery, instances (writer, replicas), one cluster on a world
//   ops      the deployment (clusters on one world), clients, the history, endpoints
//   check    the named invariants and rules, fed by the model's observer hooks
//   trace    the event recorder, JSON Lines and Graphviz DOT writers
//   harness  the scenario language, the runner, fault profiles, swarm exploration
#pragma once

#include "aurora/sim/assert.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/sim/probes.hpp"
#include "aurora/sim/random.hpp"
#include "aurora/sim/scheduler.hpp"
#include "aurora/sim/time.hpp"
#include "aurora/sim/world.hpp"

#include "aurora/storage/fleet.hpp"
#include "aurora/storage/log_record.hpp"
#include "aurora/storage/membership.hpp"
#include "aurora/storage/messages.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/quorum.hpp"
#include "aurora/storage/segment.hpp"
#include "aurora/storage/storage_node.hpp"

#include "aurora/db/cluster.hpp"
#include "aurora/db/control_plane.hpp"
#include "aurora/db/instance.hpp"
#include "aurora/db/limits.hpp"
#include "aurora/db/lsn_points.hpp"
#include "aurora/db/recovery.hpp"
#include "aurora/db/teaching_variant.hpp"
#include "aurora/db/wire.hpp"
#include "aurora/db/world.hpp"

#include "aurora/ops/client.hpp"
#include "aurora/ops/deployment.hpp"
#include "aurora/ops/history.hpp"

#include "aurora/check/fact_log.hpp"
#include "aurora/check/history.hpp"
#include "aurora/check/invariants.hpp"
#include "aurora/check/linearizability.hpp"

#include "aurora/trace/dot_writer.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/jsonl_writer.hpp"
#include "aurora/trace/recorder.hpp"

#include "aurora/harness/fault_budget.hpp"
#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/harness/scenario_parser.hpp"
#include "aurora/harness/scenario_printer.hpp"
