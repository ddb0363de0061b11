// A transparent hash for string keys: lets an unordered_map<std::string, T> be searched with a
// std::string_view (C++20 heterogeneous lookup) without building a std::string.
//
// Determinism: such maps are only ever searched, never iterated into behaviour or output (the
// project's determinism rules, docs/architecture.md); std::hash values differ between standard
// libraries, which is harmless when nothing depends on the order of elements.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace aurora::sim {

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace aurora::sim
