// The umbrella header: the whole toolkit in one include.
//
// Prefer the narrow headers in a translation unit that needs only one layer; this one is for
// small programs and tutorials. The layers, lowest first (docs/architecture.md):
//   sim      time, the PRNG, the scheduler, the network, faults as values, the world
//   storage  quorums, the protection group, log records, placement, segments, storage nodes,
//            the fleet and its metadata service, membership
//   db       LSN points, recovery, instances (writer, replica, recovery round), one cluster
//   ops      the deployment (clusters on one world), actions, the control plane, endpoints,
//            clients, the history
//   check    the named invariants and rules, fed by the model's observer hooks
//   trace    the event recorder, JSON Lines and Graphviz DOT writers
//   harness  the scenario language and its vocabulary, the runner, exploration
// Every header below include/aurora/ is here except the DOT writer's parts (trace/dot/, reached
// through trace/dot_writer.hpp); tests/check/layering_test.cpp keeps the list complete.
#pragma once

#include "aurora/config.hpp"

#include "aurora/sim/assert.hpp"
#include "aurora/sim/fault.hpp"
#include "aurora/sim/inplace_function.hpp"
#include "aurora/sim/network.hpp"
#include "aurora/sim/probes.hpp"
#include "aurora/sim/random.hpp"
#include "aurora/sim/scheduler.hpp"
#include "aurora/sim/string_hash.hpp"
#include "aurora/sim/time.hpp"
#include "aurora/sim/world.hpp"

#include "aurora/storage/fleet.hpp"
#include "aurora/storage/log_record.hpp"
#include "aurora/storage/membership.hpp"
#include "aurora/storage/messages.hpp"
#include "aurora/storage/metadata_service.hpp"
#include "aurora/storage/placement.hpp"
#include "aurora/storage/protection_group.hpp"
#include "aurora/storage/quorum.hpp"
#include "aurora/storage/segment.hpp"
#include "aurora/storage/storage_node.hpp"

#include "aurora/db/cluster.hpp"
#include "aurora/db/control_plane.hpp"
#include "aurora/db/instance.hpp"
#include "aurora/db/instance_context.hpp"
#include "aurora/db/instance_spec.hpp"
#include "aurora/db/limits.hpp"
#include "aurora/db/lsn_points.hpp"
#include "aurora/db/protocol_facts.hpp"
#include "aurora/db/recovery.hpp"
#include "aurora/db/recovery_round.hpp"
#include "aurora/db/replica.hpp"
#include "aurora/db/storage_read.hpp"
#include "aurora/db/teaching_variant.hpp"
#include "aurora/db/wire.hpp"
#include "aurora/db/world.hpp"
#include "aurora/db/writer.hpp"

#include "aurora/ops/action.hpp"
#include "aurora/ops/client.hpp"
#include "aurora/ops/client_options.hpp"
#include "aurora/ops/control_plane.hpp"
#include "aurora/ops/deployment.hpp"
#include "aurora/ops/endpoint.hpp"
#include "aurora/ops/history.hpp"
#include "aurora/ops/proxy.hpp"
#include "aurora/ops/proxy_timing.hpp"

#include "aurora/check/fact_log.hpp"
#include "aurora/check/history.hpp"
#include "aurora/check/invariant_catalogue.hpp"
#include "aurora/check/invariants.hpp"
#include "aurora/check/linearizability.hpp"
#include "aurora/check/linearizability_key_checker.hpp"
#include "aurora/check/linearizability_result.hpp"
#include "aurora/check/linearizability_search.hpp"
#include "aurora/check/protocol_rules.hpp"
#include "aurora/check/violation.hpp"

#include "aurora/trace/dot_writer.hpp"
#include "aurora/trace/event.hpp"
#include "aurora/trace/jsonl_reader.hpp"
#include "aurora/trace/jsonl_writer.hpp"
#include "aurora/trace/recorder.hpp"
#include "aurora/trace/schema.hpp"

#include "aurora/harness/draw_source.hpp"
#include "aurora/harness/explore.hpp"
#include "aurora/harness/explore_mix.hpp"
#include "aurora/harness/fault_budget.hpp"
#include "aurora/harness/language_generator.hpp"
#include "aurora/harness/runner.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/harness/scenario_config_parser.hpp"
#include "aurora/harness/scenario_fault_parser.hpp"
#include "aurora/harness/scenario_lexer.hpp"
#include "aurora/harness/scenario_parser.hpp"
#include "aurora/harness/scenario_printer.hpp"
#include "aurora/harness/swarm_generator.hpp"
#include "aurora/harness/swarm_steps.hpp"
#include "aurora/harness/vocabulary.hpp"
