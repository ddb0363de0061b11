// The client history as the checkers name it.
//
// The history is recorded by the operations layer (ops/history.hpp: clients write it, as a
// Jepsen client does); the checkers only read it. These names keep `check::operation` and its
// kin (the endpoint an operation went through, ops/endpoint.hpp) available to checker code and
// tests.
#pragma once

#include "aurora/ops/history.hpp"

namespace aurora::check {

using ops::endpoint;
using ops::endpoint_kind;
using ops::history;
using ops::op_kind;
using ops::op_status;
using ops::operation;
using ops::to_string;

}  // namespace aurora::check
