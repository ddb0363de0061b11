// The connection proxy's timings (ops/proxy.hpp), in a header of their own so that the scenario
// parser can hold them without compiling the model.
#pragma once

#include "aurora/sim/time.hpp"

namespace aurora::ops {

struct proxy_timing {
  // How often a proxy node with requests in flight or queued looks at the cluster's topology
  // (its health check). RDS Proxy does not document its interval; 100 ms is the model's choice,
  // small beside the control plane's detection time.
  sim::duration check_interval = sim::ms(100);
  // How long a request may wait for a writer before it is refused: RDS Proxy's
  // ConnectionBorrowTimeout, 120 s by default [UG, "RDS Proxy concepts"]; the scenario's
  // `proxy_borrow_timeout`.
  sim::duration borrow_timeout = sim::s(120);
  bool operator==(const proxy_timing&) const = default;
};

}  // namespace aurora::ops
