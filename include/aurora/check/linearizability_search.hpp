// Wing & Gong's linearizability search over one key's operations, with Lowe's memoisation: the
// engine of the black-box history checker (check/linearizability.hpp).
//
// The algorithm is Wing & Gong's search with Lowe's memoisation, as Porcupine implements it:
// the invocations and completions of one key's operations are sorted by time (an invocation
// before a completion at the same instant: intervals are closed) into a doubly linked list. A
// depth-first search repeatedly takes the first invocation whose operation the current value
// allows (a read must return it), lifts it and its completion out of the list, and backtracks
// when it meets a completion whose operation is not yet linearized; a cache of (the set of
// linearized operations as a bitset, the current value) skips states already explored. An
// `info` write has no completion in the list and may stay out of the linearization; the search
// succeeds once every operation with a completion is in. Replica reads become constraints on
// the same search: a completion time for the write they read, an order between two writes.
// Pruning beyond Porcupine's, for `info` writes: one whose value no read could return is left
// out; one that is linearized must be followed at once by a read of its value, must change the
// value, and those of one value take effect in invocation order (every linearizable history
// keeps a linearization of that form), which keeps many unanswered writes from trying every
// subset of them at every point.
// Bound: each search stops after `step_budget` steps; a key whose search gives up is counted
// as unchecked in the result and never reported as a violation.
//
// Sources: J. M. Wing and C. Gong, "Testing and verifying concurrent objects", JPDC 17(1), 1993;
// G. Lowe, "Testing for linearizability", CCPE 29(4), 2017; Porcupine (A. Athalye,
// github.com/anishathalye/porcupine).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

namespace aurora::check {

namespace linearizability_detail {

inline constexpr std::int64_t forever = std::numeric_limits<std::int64_t>::max();
using value_type = std::optional<std::int64_t>;  // a key's value; nullopt: none

// One operation of one search.
struct lin_op {
  bool write = false;
  value_type value;  // written, or read
  std::int64_t call = 0;
  std::int64_t ret = forever;  // forever: may take effect at any time after `call`, or never
  bool free = false;           // set by the search: may never take effect, bound by no precedence
  [[nodiscard]] bool required() const { return ret != forever; }
};

// Operation `first` takes effect before operation `then` (indices into one search's ops).
struct precedence {
  std::size_t first = 0;
  std::size_t then = 0;
};

enum class verdict : std::uint8_t { linearizable, not_linearizable, gave_up };

struct search_result {
  verdict outcome = verdict::linearizable;
  std::vector<std::size_t> order;  // the linearization found; ops never linearized left out
  std::uint64_t steps = 0;
};

// The register after the operations linearized so far: its value, and whether the last of
// them was a free write, which only a read of its value may follow.
struct register_state {
  value_type value;
  bool must_read = false;
  bool operator==(const register_state&) const = default;
};

// A state of the search: which operations are linearized, and the register they leave.
struct cache_entry {
  std::vector<std::uint64_t> done;
  register_state state;
  bool operator==(const cache_entry&) const = default;
};

struct cache_hash {
  std::size_t operator()(const cache_entry& entry) const noexcept {
    const value_type& value = entry.state.value;
    std::uint64_t hash =
        value ? 0x9e3779b97f4a7c15ULL ^ static_cast<std::uint64_t>(*value) : 0x2545f4914f6cdd1dULL;
    hash += entry.state.must_read ? 1 : 0;
    for (const std::uint64_t word : entry.done) {
      hash ^= word + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
    }
    return static_cast<std::size_t>(hash);
  }
};

inline void flip(std::vector<std::uint64_t>& bits, std::size_t index) {
  bits[index / 64] ^= std::uint64_t{1} << (index % 64);
}
inline bool test(const std::vector<std::uint64_t>& bits, std::size_t index) {
  return ((bits[index / 64] >> (index % 64)) & 1U) != 0;
}

// Wing & Gong's search with Lowe's cache, on Porcupine's linked list of calls and returns.
// Additions for free writes (ones that may never take effect, bound by no claim), each keeping
// at least one linearization of every linearizable history, so that a history with many
// unanswered writes does not try every subset of them at every point:
//  - one is linearized only right before a read of its value (drop the free writes no read
//    follows, and every linearization has that form), so only when such a read could come next;
//  - never when the register already holds its value (the read could go first, keeping the
//    write for later);
//  - those of one value in invocation order (an earlier one fits wherever a later one does).
class wing_gong_search {
 public:
  wing_gong_search(const std::vector<lin_op>& ops, const std::vector<precedence>& rules)
      : ops_(ops), before_(ops.size()) {
    for (lin_op& op : ops_) op.free = op.write && !op.required();
    for (const precedence& rule : rules) {
      before_[rule.then].push_back(rule.first);
      ops_[rule.first].free = ops_[rule.then].free = false;
    }
    order_free_writes();
    build_list();
  }

  search_result run(std::uint64_t budget) {
    search_result out;
    std::vector<std::uint64_t> done((ops_.size() + 63) / 64, 0);
    register_state state;
    std::size_t required_left = 0;
    for (const lin_op& op : ops_) required_left += op.required() ? 1 : 0;
    std::vector<std::pair<int, register_state>> stack;  // (call node, register before it)
    std::unordered_set<cache_entry, cache_hash> seen;
    int at = nodes_[0].next;
    while (required_left > 0) {
      if (out.steps == budget) return {verdict::gave_up, {}, out.steps};
      ++out.steps;
      if (at < 0 || !nodes_[at].call) {  // a completion not yet linearized: backtrack
        if (stack.empty()) return {verdict::not_linearizable, {}, out.steps};
        const auto [call, before] = stack.back();
        stack.pop_back();
        flip(done, nodes_[call].op);
        if (ops_[nodes_[call].op].required()) ++required_left;
        state = before;
        unlift(call);
        at = nodes_[call].next;
        continue;
      }
      const std::size_t op = nodes_[at].op;
      if (allowed(op, done, state) && (!ops_[op].free || read_may_follow(ops_[op].value))) {
        const register_state after{ops_[op].write ? ops_[op].value : state.value, ops_[op].free};
        flip(done, op);
        if (seen.insert({done, after}).second) {
          stack.emplace_back(at, state);
          state = after;
          if (ops_[op].required()) --required_left;
          lift(at);
          at = nodes_[0].next;
          continue;
        }
        flip(done, op);
      }
      at = nodes_[at].next;
    }
    for (const auto& [call, before] : stack) out.order.push_back(nodes_[call].op);
    return out;
  }

 private:
  struct node {
    std::size_t op = 0;
    bool call = false;
    int match = -1;  // a call's completion node; -1: none (the op may never take effect)
    int prev = -1;
    int next = -1;
  };

  void build_list() {
    struct point {
      std::int64_t time;
      int completion;  // 0: call, 1: return (calls first at equal times)
      std::size_t op;
    };
    std::vector<point> points;
    for (std::size_t index = 0; index < ops_.size(); ++index) {
      points.push_back({ops_[index].call, 0, index});
      if (ops_[index].required()) points.push_back({ops_[index].ret, 1, index});
    }
    std::sort(points.begin(), points.end(), [](const point& a, const point& b) {
      return std::tie(a.time, a.completion, a.op) < std::tie(b.time, b.completion, b.op);
    });
    nodes_.resize(points.size() + 1);  // node 0 is the head
    std::vector<int> call_node(ops_.size(), -1);
    for (std::size_t index = 0; index < points.size(); ++index) {
      node& here = nodes_[index + 1];
      here.op = points[index].op;
      here.call = points[index].completion == 0;
      if (here.call) {
        call_node[here.op] = static_cast<int>(index + 1);
      } else {
        nodes_[static_cast<std::size_t>(call_node[here.op])].match = static_cast<int>(index + 1);
      }
    }
    for (std::size_t index = 0; index < nodes_.size(); ++index) {
      nodes_[index].prev = static_cast<int>(index) - 1;
      nodes_[index].next = index + 1 < nodes_.size() ? static_cast<int>(index + 1) : -1;
    }
  }

  // Free writes of one value are interchangeable, except that an earlier invocation fits
  // wherever a later one does: they take effect in invocation order, which breaks the symmetry.
  void order_free_writes() {
    std::vector<std::size_t> free;
    for (std::size_t index = 0; index < ops_.size(); ++index) {
      if (ops_[index].free) free.push_back(index);
    }
    std::sort(free.begin(), free.end(), [this](std::size_t a, std::size_t b) {
      return std::tie(ops_[a].value, ops_[a].call, a) < std::tie(ops_[b].value, ops_[b].call, b);
    });
    for (std::size_t at = 1; at < free.size(); ++at) {
      if (ops_[free[at]].value == ops_[free[at - 1]].value) {
        before_[free[at]].push_back(free[at - 1]);
      }
    }
  }

  // A write needs no pending read of a free write's value; a read needs the current value; a
  // free write is pointless when the register already holds its value (keeping it for later
  // is never worse); and every op waits for its precedences.
  [[nodiscard]] bool allowed(std::size_t op, const std::vector<std::uint64_t>& done,
                             const register_state& state) const {
    if (ops_[op].write ? state.must_read : ops_[op].value != state.value) return false;
    if (ops_[op].free && ops_[op].value == state.value) return false;
    for (const std::size_t first : before_[op]) {
      if (!test(done, first)) return false;
    }
    return true;
  }

  void unlink(int index) {
    const node& here = nodes_[static_cast<std::size_t>(index)];
    nodes_[static_cast<std::size_t>(here.prev)].next = here.next;
    if (here.next >= 0) nodes_[static_cast<std::size_t>(here.next)].prev = here.prev;
  }
  void relink(int index) {
    const node& here = nodes_[static_cast<std::size_t>(index)];
    nodes_[static_cast<std::size_t>(here.prev)].next = index;
    if (here.next >= 0) nodes_[static_cast<std::size_t>(here.next)].prev = index;
  }
  // Whether a read of `value` could be linearized next: its invocation comes before the first
  // completion still in the list. The values of those reads are recomputed when the list
  // changes.
  bool read_may_follow(const value_type& value) {
    if (next_reads_version_ != version_) {
      next_reads_.clear();
      for (int at = nodes_[0].next; at >= 0 && nodes_[static_cast<std::size_t>(at)].call;
           at = nodes_[static_cast<std::size_t>(at)].next) {
        const lin_op& op = ops_[nodes_[static_cast<std::size_t>(at)].op];
        if (!op.write) next_reads_.push_back(op.value);
      }
      next_reads_version_ = version_;
    }
    return std::find(next_reads_.begin(), next_reads_.end(), value) != next_reads_.end();
  }

  void lift(int call) {
    ++version_;
    unlink(call);
    if (nodes_[static_cast<std::size_t>(call)].match >= 0)
      unlink(nodes_[static_cast<std::size_t>(call)].match);
  }
  void unlift(int call) {
    ++version_;
    if (nodes_[static_cast<std::size_t>(call)].match >= 0)
      relink(nodes_[static_cast<std::size_t>(call)].match);
    relink(call);
  }

  std::vector<lin_op> ops_;
  std::vector<std::vector<std::size_t>> before_;  // per op: the ops that must come first
  std::vector<node> nodes_;
  std::uint64_t version_ = 0;  // bumped by every change to the list
  std::uint64_t next_reads_version_ = ~std::uint64_t{0};
  std::vector<value_type> next_reads_;  // values of the reads that could be linearized next
};

}  // namespace linearizability_detail

}  // namespace aurora::check
