// "Sometimes" probes: counters that prove rare paths of a run were actually taken.
//
// A property that passes proves little if the interesting paths never ran. Each rare path of the
// model (a gossip that filled a gap, a hedged read, a truncation that removed records, a writer
// fenced by a newer epoch, ...) bumps a named counter; tests assert that, over their generated
// runs, each one was reached (the "sometimes assertions" of deterministic simulation testing).
// Names are kept in first-hit order, so printing them is deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aurora::sim {

class probes {
 public:
  struct entry {
    std::string name;
    std::uint64_t count = 0;
  };

  void hit(std::string_view name) {
    for (entry& each : entries_) {
      if (each.name == name) {
        ++each.count;
        return;
      }
    }
    entries_.push_back({std::string(name), 1});
  }

  [[nodiscard]] std::uint64_t count(std::string_view name) const {
    for (const entry& each : entries_) {
      if (each.name == name) return each.count;
    }
    return 0;
  }

  [[nodiscard]] const std::vector<entry>& all() const { return entries_; }

  void add(const probes& other) {
    for (const entry& each : other.entries_) {
      for (std::uint64_t time = 0; time < each.count; ++time) hit(each.name);
    }
  }

 private:
  std::vector<entry> entries_;
};

}  // namespace aurora::sim
