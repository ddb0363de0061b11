// The world and the storage fleet, over the database's wire messages.
//
// `sim::world` and `storage::fleet` are templates on the network's message type, so that the
// lower layers know nothing of the database; this header names them over `db::message`, the one
// message type every participant of a run speaks (db/wire.hpp).
#pragma once

#include "aurora/db/wire.hpp"
#include "aurora/sim/world.hpp"
#include "aurora/storage/fleet.hpp"

namespace aurora::db {

using world = sim::world<message>;
using fleet = storage::fleet<message>;

}  // namespace aurora::db
