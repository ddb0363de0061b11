// An endpoint: where a client's connection goes, as a value.
//
// DESIGN §2.4 [UG, "Amazon Aurora endpoints"]: an Aurora cluster is reached through DNS names.
//  - the cluster endpoint follows the writer (every write goes there; a read there is a read
//    of the writer, linearizable);
//  - the reader endpoint spreads new connections over the replicas (the writer when there are
//    none);
//  - an instance endpoint names one instance.
// The deployment resolves an endpoint to an instance when an operation starts
// (ops/deployment.hpp, `route_read`); the history keeps it (ops/history.hpp) and the checkers
// judge a read by it (check/linearizability.hpp). `to_string` gives the trace's `endpoint` field
// (docs/trace-events.md): "cluster", "reader" or the instance's name. `parse` reads the forms a
// scenario and the deployment's string convenience use: "" (or "cluster"), "reader", or an
// instance name; an instance's name always holds `db<N>`, so it is never one of the two words.
// DNS and its caching are the client's (ops/client.hpp, ops/client_options.hpp): a client that
// keeps an answer may reach another instance than the endpoint names now, and the history then
// records that instance's endpoint. Not modelled: custom endpoints.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "aurora/sim/assert.hpp"

namespace aurora::ops {

enum class endpoint_kind : std::uint8_t { cluster, reader, instance };

class endpoint {
 public:
  static constexpr std::string_view cluster_word = "cluster";
  static constexpr std::string_view reader_word = "reader";

  // The cluster endpoint.
  endpoint() = default;

  [[nodiscard]] static endpoint cluster() { return {}; }
  [[nodiscard]] static endpoint reader() { return endpoint(endpoint_kind::reader, {}); }
  // One named instance's endpoint; the name is checked against a cluster when it is used.
  [[nodiscard]] static endpoint instance(std::string name) {
    if (name.empty() || name == cluster_word || name == reader_word) {
      throw usage_error("'" + name + "' cannot name an instance endpoint");
    }
    return endpoint(endpoint_kind::instance, std::move(name));
  }

  // "" or "cluster": the cluster endpoint; "reader": the reader endpoint; any other text: the
  // instance of that name.
  [[nodiscard]] static endpoint parse(std::string_view text) {
    if (text.empty() || text == cluster_word) return cluster();
    if (text == reader_word) return reader();
    return instance(std::string(text));
  }

  [[nodiscard]] endpoint_kind kind() const { return kind_; }
  [[nodiscard]] bool is_cluster() const { return kind_ == endpoint_kind::cluster; }
  [[nodiscard]] bool is_reader() const { return kind_ == endpoint_kind::reader; }
  [[nodiscard]] bool is_instance() const { return kind_ == endpoint_kind::instance; }

  // The instance an instance endpoint names.
  [[nodiscard]] const std::string& instance_name() const {
    AURORA_ASSERT(is_instance(), "only an instance endpoint names an instance");
    return instance_;
  }

  bool operator==(const endpoint&) const = default;
  auto operator<=>(const endpoint&) const = default;

 private:
  endpoint(endpoint_kind kind, std::string name) : kind_(kind), instance_(std::move(name)) {}

  endpoint_kind kind_ = endpoint_kind::cluster;
  std::string instance_;  // empty unless kind_ is instance
};

// The trace's `endpoint` field: "cluster", "reader" or the instance's name.
inline std::string to_string(const endpoint& value) {
  switch (value.kind()) {
    case endpoint_kind::cluster: return std::string(endpoint::cluster_word);
    case endpoint_kind::reader: return std::string(endpoint::reader_word);
    case endpoint_kind::instance: return value.instance_name();
  }
  return "?";
}

}  // namespace aurora::ops
