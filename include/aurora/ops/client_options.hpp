// How a client reaches a cluster's endpoints: through DNS (with its caching), the proxy, or a
// topology-aware driver.
//
// DESIGN §2.4 [UG, "Amazon Aurora endpoints", "Amazon RDS Proxy"]: Aurora's endpoints are DNS
// names whose records the control plane updates after a failover, with a TTL of 5 seconds; a
// client that keeps an answer longer keeps reaching the old writer, now a read-only replica
// (its writes are refused) or down (no answer). The scenario language's `client` statement
// (`client c2 dns=forever via=proxy`) chooses, per client:
//  - `dns`: how long a DNS answer is kept: the record's TTL (`ttl`, the default: the
//    scenario's `dns_ttl`), for ever (`forever`, like a JVM that caches for ever), or a fixed
//    time whatever the TTL;
//  - `via`: `dns` (the default) resolves the cluster and reader endpoints and caches each
//    answer; `smart` is a topology-aware driver (the AWS JDBC wrapper) that learns the writer
//    from the cluster itself; `proxy` goes through the cluster's connection proxy
//    (ops/proxy.hpp: RDS Proxy), which follows the writer through the control plane, cancels
//    only the transactions in flight at a failover and queues requests while no writer is up.
//    Neither waits for DNS.
// The model's DNS record of the cluster endpoint changes `dns_propagation` after the control
// plane designates a new writer (none by default); the reader endpoint's answer is the next
// replica now, and instance endpoints never change. A header of its own, so that the scenario
// parser can hold these values without compiling the model.
#pragma once

#include <cstdint>

#include "aurora/sim/time.hpp"

namespace aurora::ops {

enum class dns_caching : std::uint8_t { ttl, forever, fixed };
enum class client_path : std::uint8_t { dns, proxy, smart };

struct client_options {
  dns_caching caching = dns_caching::ttl;
  sim::duration cache_for = sim::us(0);  // with `fixed`: how long an answer is kept
  client_path via = client_path::dns;
  bool operator==(const client_options&) const = default;
};

// Aurora's DNS records have a TTL of 5 seconds [UG].
inline constexpr sim::duration default_dns_ttl = sim::s(5);

// The endpoints' DNS records: how long an answer may be kept (the TTL), and how long a change of
// record (a new writer) takes to reach the resolvers. The user guide gives the TTL; it gives no
// figure for propagation, so the model's default is none (the answer changes when the control
// plane designates the new writer); set `dns_propagation` to study it.
struct dns_settings {
  sim::duration ttl = default_dns_ttl;
  sim::duration propagation{};
  bool operator==(const dns_settings&) const = default;
};

}  // namespace aurora::ops
