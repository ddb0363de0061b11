// Where data lives: keys to pages, pages to protection groups, segments to storage nodes.
//
// [P17 §2.2] A volume is a concatenation of protection groups (PGs); each PG is 6 segments, 2 in
// each of 3 AZs. The model places them deterministically:
//  - a key (a name such as `x`) is interned by `key_table` in order of first use;
//  - its page is FNV-1a(name) mod (pages_per_pg * protection_groups), and page p belongs to PG
//    p / pages_per_pg;
//  - the 6 segments of PG g are, in each AZ z in a, b, c, on nodes z(2g mod N + 1) and
//    z((2g + 1) mod N + 1), where N is nodes_per_az: PG 0 is on a1 a2 b1 b2 c1 c2 as
//    ../shared/SCENARIO.md requires, and further PGs spread round-robin over the nodes.
// A segment's slot (0..5) is its position in that list: slots 0,1 in AZ a, 2,3 in b, 4,5 in c.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aurora/sim/assert.hpp"
#include "aurora/sim/string_hash.hpp"
#include "aurora/storage/log_record.hpp"
#include "aurora/storage/protection_group.hpp"

namespace aurora::storage {

// The model's PG shape (storage/protection_group.hpp): V = 6 segments, 2 in each of 3 AZs.
constexpr int segments_per_pg = aurora_protection_group::segments;
constexpr int azs = aurora_protection_group::azs;
constexpr int copies_per_az = aurora_protection_group::copies_per_az;
constexpr int max_protection_groups = 64;
constexpr int max_nodes_per_az = 9;

// 64-bit FNV-1a: a tiny, portable, fixed hash for placing keys on pages.
constexpr std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char each : text) {
    hash ^= static_cast<unsigned char>(each);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

struct volume_shape {
  int protection_groups = 1;
  int nodes_per_az = 2;
  int pages_per_pg = 4;
};

class placement {
 public:
  explicit placement(volume_shape shape) : shape_(shape) {
    AURORA_ASSERT(shape.protection_groups >= 1 && shape.protection_groups <= max_protection_groups,
                  "1..64 protection groups");
    AURORA_ASSERT(shape.nodes_per_az >= 2 && shape.nodes_per_az <= max_nodes_per_az,
                  "2..9 nodes per AZ: a PG needs two nodes in each AZ");
  }

  [[nodiscard]] const volume_shape& shape() const { return shape_; }

  [[nodiscard]] page_id page_of(std::string_view key_name) const {
    const auto pages = static_cast<std::uint64_t>(shape_.pages_per_pg * shape_.protection_groups);
    return static_cast<page_id>(fnv1a(key_name) % pages);
  }
  [[nodiscard]] pg_id pg_of(page_id page) const {
    return page / static_cast<page_id>(shape_.pages_per_pg);
  }

  // The node name ("b2") of a PG's segment slot.
  [[nodiscard]] std::string node_of(pg_id pg, int slot) const {
    AURORA_ASSERT(slot >= 0 && slot < segments_per_pg, "a PG has segments_per_pg slots");
    const char az = static_cast<char>('a' + aurora_protection_group::az_of(slot));
    const int index =
        (copies_per_az * static_cast<int>(pg) + slot % copies_per_az) % shape_.nodes_per_az;
    return std::string(1, az) + std::to_string(index + 1);
  }

  // Every storage node name, AZ by AZ: a1 a2 ... b1 b2 ... c1 c2 ...
  [[nodiscard]] std::vector<std::string> node_names() const {
    std::vector<std::string> names;
    for (char az = 'a'; az < 'a' + azs; ++az) {
      for (int index = 1; index <= shape_.nodes_per_az; ++index) {
        names.push_back(std::string(1, az) + std::to_string(index));
      }
    }
    return names;
  }

 private:
  volume_shape shape_;
};

// Interns key names into dense ids, in order of first use (deterministic for a given run), and
// remembers each key's page and PG.
class key_table {
 public:
  explicit key_table(const placement& where) : where_(where) {}

  key_id intern(std::string_view name) {
    if (auto known = find(name)) return *known;
    const page_id page = where_.page_of(name);
    entries_.push_back({std::string(name), page, where_.pg_of(page)});
    const auto id = static_cast<key_id>(entries_.size() - 1);
    index_.emplace(entries_.back().name, id);
    return id;
  }
  [[nodiscard]] std::optional<key_id> find(std::string_view name) const {
    auto found = index_.find(name);
    if (found == index_.end()) return std::nullopt;
    return found->second;
  }
  [[nodiscard]] const std::string& name(key_id id) const { return at(id).name; }
  [[nodiscard]] page_id page(key_id id) const { return at(id).page; }
  [[nodiscard]] pg_id pg(key_id id) const { return at(id).pg; }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    std::string name;
    page_id page;
    pg_id pg;
  };
  const entry& at(key_id id) const {
    AURORA_ASSERT(id < entries_.size(), "key ids come from key_table::intern");
    return entries_[id];
  }
  const placement& where_;
  std::vector<entry> entries_;
  // Searched by name, never iterated (so its order cannot reach behaviour or output).
  std::unordered_map<std::string, key_id, sim::string_hash, std::equal_to<>> index_;
};

}  // namespace aurora::storage
