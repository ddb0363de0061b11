// The layers of docs/architecture.md, enforced: a header of a lower layer never includes one of
// a higher layer. Reads the sources under include/aurora/ (no model code is compiled).
//
//   sim < storage < db < ops < check < trace (writers) < harness
//
// The trace *recording* headers (trace/event.hpp, trace/recorder.hpp, trace/schema.hpp) sit
// below everything, with sim/time.hpp, the one header they include: every layer records events
// through them, and so does config.hpp (header-only or compiled: config.hpp).
// The umbrella header aurora/aurora.hpp includes everything and belongs to no layer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path include_root = fs::path(AURORA_SOURCE_DIR) / "include" / "aurora";

// The rank of a header, by its path below include/aurora/ ("db/cluster.hpp").
std::optional<int> rank_of(const std::string& path) {
  if (path == "trace/event.hpp" || path == "trace/recorder.hpp" || path == "trace/schema.hpp" ||
      path == "sim/time.hpp" || path == "config.hpp") {
    return 0;
  }
  static const std::map<std::string, int> ranks = {{"sim", 1},    {"storage", 2}, {"db", 3},
                                                   {"ops", 4},    {"check", 5},   {"trace", 6},
                                                   {"harness", 7}};
  const auto slash = path.find('/');
  if (slash == std::string::npos) return std::nullopt;  // aurora.hpp
  const auto found = ranks.find(path.substr(0, slash));
  if (found == ranks.end()) return std::nullopt;
  return found->second;
}

struct inclusion {
  std::string from;  // "db/cluster.hpp"
  std::string to;    // "check/history.hpp"
  int line = 0;
};

std::vector<inclusion> every_inclusion() {
  std::vector<inclusion> found;
  const std::regex include_line(R"re(^\s*#\s*include\s+"aurora/([^"]+)")re");
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(include_root)) {
    const fs::path extension = entry.path().extension();  // headers, and impl/*.ipp bodies
    if (!entry.is_regular_file() || (extension != ".hpp" && extension != ".ipp")) continue;
    const std::string from = fs::relative(entry.path(), include_root).generic_string();
    std::ifstream in(entry.path());
    std::string text;
    int line = 0;
    while (std::getline(in, text)) {
      ++line;
      std::smatch match;
      if (std::regex_search(text, match, include_line)) found.push_back({from, match[1], line});
    }
  }
  return found;
}

TEST(layering, the_sources_are_where_the_test_looks) {
  ASSERT_TRUE(fs::is_directory(include_root)) << include_root;
  EXPECT_GT(every_inclusion().size(), 100U);
}

TEST(layering, no_header_includes_a_higher_layer) {
  for (const inclusion& each : every_inclusion()) {
    const std::optional<int> from = rank_of(each.from);
    const std::optional<int> to = rank_of(each.to);
    ASSERT_TRUE(to.has_value() || each.to == "aurora.hpp") << each.to;
    if (!from || !to) continue;
    EXPECT_LE(*to, *from) << "include/aurora/" << each.from << ":" << each.line << " includes "
                          << each.to << ", a higher layer (docs/architecture.md)";
  }
}

// The model never includes a checker: checkers watch it through observer hooks.
TEST(layering, the_model_includes_no_checker) {
  for (const inclusion& each : every_inclusion()) {
    const bool model = each.from.starts_with("sim/") || each.from.starts_with("storage/") ||
                       each.from.starts_with("db/") || each.from.starts_with("ops/");
    if (!model) continue;
    EXPECT_FALSE(each.to.starts_with("check/"))
        << "include/aurora/" << each.from << ":" << each.line << " includes " << each.to;
  }
}

// range-v3 serves the trace writers and the harness; the model's hot paths (sim/, storage/,
// db/) stay on the standard library, where every cost is visible.
TEST(layering, the_model_hot_paths_use_no_range_v3) {
  const std::regex range_v3(R"re(^\s*#\s*include\s+<range/v3/)re");
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(include_root)) {
    if (!entry.is_regular_file()) continue;
    const std::string path = fs::relative(entry.path(), include_root).generic_string();
    if (!path.starts_with("sim/") && !path.starts_with("storage/") && !path.starts_with("db/")) {
      continue;
    }
    std::ifstream in(entry.path());
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
      EXPECT_FALSE(std::regex_search(text, range_v3))
          << "include/aurora/" << path << ":" << line << " includes range-v3";
    }
  }
}

// Readable by a newcomer: one concept per header, and none longer than this.
TEST(layering, no_header_is_longer_than_700_lines) {
  constexpr int limit = 700;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(include_root)) {
    const fs::path extension = entry.path().extension();
    if (!entry.is_regular_file() || (extension != ".hpp" && extension != ".ipp")) continue;
    std::ifstream in(entry.path());
    int lines = 0;
    for (std::string text; std::getline(in, text);) ++lines;
    EXPECT_LE(lines, limit) << "include/aurora/"
                            << fs::relative(entry.path(), include_root).generic_string() << " has "
                            << lines << " lines: split it by concept";
  }
}

// The umbrella header holds every header but the DOT writer's parts (trace/dot/).
TEST(layering, the_umbrella_header_includes_every_header) {
  std::set<std::string> included;
  for (const inclusion& each : every_inclusion()) {
    if (each.from == "aurora.hpp") included.insert(each.to);
  }
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(include_root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".hpp") continue;
    const std::string path = fs::relative(entry.path(), include_root).generic_string();
    if (path == "aurora.hpp" || path.starts_with("trace/dot/")) continue;
    EXPECT_TRUE(included.contains(path)) << "include/aurora/aurora.hpp does not include " << path;
  }
}

}  // namespace
