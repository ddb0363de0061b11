// docs/rules.md, enforced: every rule of the design has an invariant that guards it, a test or
// scenario that shows the invariant can fire, and a probe (or scenario) that shows the generated
// runs reach the state where the rule matters.
//
// The table's rows look like this (one per rule; several entries per cell are allowed):
//   | `write-quorum` | rule text | [P17 §2.1] | `write_quorum` | `harness/scenarios/x.scn`,
//   `suite.test` | "probe name" |
// This test reads the table and fails when
//  - a rule names no invariant, or one that is not in check/invariant_catalogue.hpp;
//  - an invariant of the catalogue guards no rule, or is never reported by the checkers;
//  - a "fires in" entry is neither an existing file nor an existing test (`suite.name`);
//  - a "reached" entry is neither an existing file nor a probe the model hits;
//  - one of the rules every model must guard (the list below) is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "aurora/check/invariant_catalogue.hpp"

namespace {

namespace fs = std::filesystem;
const fs::path source_dir = AURORA_SOURCE_DIR;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text of every C++ file under `dir`, concatenated (for "is this name used" questions).
std::string all_sources(const fs::path& dir) {
  std::string text;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string extension = entry.path().extension().string();
    if (extension == ".hpp" || extension == ".ipp" || extension == ".cpp")
      text += read(entry.path());
  }
  return text;
}

struct row {
  std::string id;
  std::vector<std::string> invariants, fires_in, reached;
  std::size_t line = 0;
};

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t index = 1; index < line.size(); ++index) {
    if (line[index] == '|') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += line[index];
    }
  }
  return cells;
}

// The items of a cell quoted with `open`/`close` (backticks, or double quotes).
std::vector<std::string> quoted(const std::string& cell, char mark) {
  std::vector<std::string> items;
  std::size_t at = 0;
  while ((at = cell.find(mark, at)) != std::string::npos) {
    const std::size_t end = cell.find(mark, at + 1);
    if (end == std::string::npos) break;
    items.push_back(cell.substr(at + 1, end - at - 1));
    at = end + 1;
  }
  return items;
}

// The rows of the table whose header starts with "| id |".
std::vector<row> table_rows() {
  std::ifstream in(source_dir / "docs" / "rules.md");
  std::vector<row> rows;
  std::string line;
  bool inside = false;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.rfind("| id |", 0) == 0) {
      inside = true;
      continue;
    }
    if (!inside) continue;
    if (line.rfind("|---", 0) == 0) continue;
    if (line.rfind("| ", 0) != 0) {
      inside = false;
      continue;
    }
    const std::vector<std::string> cells = split_cells(line);
    if (cells.size() != 6) {
      ADD_FAILURE() << "docs/rules.md:" << number << ": a row has 6 cells, this one "
                    << cells.size();
      continue;
    }
    const std::vector<std::string> ids = quoted(cells[0], '`');
    rows.push_back({ids.empty() ? std::string() : ids.front(),
                    quoted(cells[3], '`'),
                    quoted(cells[4], '`'),
                    {},
                    number});
    for (const std::string& each : quoted(cells[5], '"')) rows.back().reached.push_back(each);
    for (const std::string& each : quoted(cells[5], '`')) rows.back().reached.push_back(each);
  }
  return rows;
}

bool in_catalogue(const std::string& name) {
  return std::any_of(aurora::check::invariant_catalogue.begin(),
                     aurora::check::invariant_catalogue.end(),
                     [&](const auto& entry) { return entry.name == name; });
}

// `suite.name` is a TEST, TEST_F or TEST_P somewhere in the tests.
bool test_exists(const std::string& tests, const std::string& dotted) {
  const std::size_t dot = dotted.find('.');
  if (dot == std::string::npos) return false;
  return tests.find(dotted.substr(0, dot) + ", " + dotted.substr(dot + 1) + ")") !=
         std::string::npos;
}

class rules_table : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rows_ = new std::vector<row>(table_rows());
    tests_ = new std::string(all_sources(source_dir / "tests") +
                             all_sources(source_dir / "property-tests"));
    model_ = new std::string(all_sources(source_dir / "include" / "aurora"));
  }
  static std::vector<row>* rows_;
  static std::string* tests_;
  static std::string* model_;
};
std::vector<row>* rules_table::rows_ = nullptr;
std::string* rules_table::tests_ = nullptr;
std::string* rules_table::model_ = nullptr;

TEST_F(rules_table, exists_and_has_rows) { EXPECT_GE(rows_->size(), 15U); }

TEST_F(rules_table, every_rule_is_guarded_by_a_catalogued_invariant) {
  for (const row& each : *rows_) {
    EXPECT_FALSE(each.id.empty()) << "docs/rules.md:" << each.line << ": a rule without an id";
    EXPECT_FALSE(each.invariants.empty())
        << "docs/rules.md:" << each.line << ": rule " << each.id << " has no invariant";
    for (const std::string& name : each.invariants) {
      EXPECT_TRUE(in_catalogue(name)) << "docs/rules.md:" << each.line << ": rule " << each.id
                                      << " names `" << name << "`, which no checker reports";
    }
  }
}

TEST_F(rules_table, every_invariant_guards_a_rule_and_is_reported_by_a_checker) {
  for (const auto& entry : aurora::check::invariant_catalogue) {
    const std::string name(entry.name);
    const bool used = std::any_of(rows_->begin(), rows_->end(), [&](const row& each) {
      return std::find(each.invariants.begin(), each.invariants.end(), name) !=
             each.invariants.end();
    });
    EXPECT_TRUE(used) << "invariant " << name << " guards no rule of docs/rules.md";
    // Reported as a string literal by a checker (the catalogue itself does not count).
    std::size_t found = 0;
    for (std::size_t at = 0; (at = model_->find('"' + name + '"', at)) != std::string::npos; ++at) {
      ++found;
    }
    EXPECT_GE(found, 2U) << "no checker reports \"" << name << '"';
  }
}

TEST_F(rules_table, every_invariant_is_shown_to_fire) {
  for (const row& each : *rows_) {
    EXPECT_FALSE(each.fires_in.empty())
        << "docs/rules.md:" << each.line << ": rule " << each.id << " is never shown to fire";
    for (const std::string& where : each.fires_in) {
      const bool ok = where.find('/') != std::string::npos ? fs::exists(source_dir / where)
                                                           : test_exists(*tests_, where);
      EXPECT_TRUE(ok) << "docs/rules.md:" << each.line << ": rule " << each.id
                      << ": no file or test `" << where << "`";
    }
  }
}

TEST_F(rules_table, every_rule_state_is_reached) {
  for (const row& each : *rows_) {
    EXPECT_FALSE(each.reached.empty())
        << "docs/rules.md:" << each.line << ": rule " << each.id << " names no probe";
    for (const std::string& what : each.reached) {
      const bool ok = what.find('/') != std::string::npos
                          ? fs::exists(source_dir / what)
                          : model_->find('"' + what + '"') != std::string::npos;
      EXPECT_TRUE(ok) << "docs/rules.md:" << each.line << ": rule " << each.id
                      << ": no probe or file \"" << what << '"';
    }
  }
}

// The rules every version of the model must guard (issue: tests that catch real bugs).
TEST_F(rules_table, names_the_rules_the_design_requires) {
  std::set<std::string> ids;
  for (const row& each : *rows_) {
    EXPECT_TRUE(ids.insert(each.id).second) << "rule " << each.id << " appears twice";
  }
  for (const char* required :
       {"quorum-sizes", "az-plus-one", "quorum-sets", "scl-back-links", "vdl-at-cpl", "lal",
        "commit-at-vdl", "read-point", "replica-read-point", "gc-below-pgmrpl",
        "recovery-read-quorum", "truncation-range", "ack-epoch", "one-writer-per-epoch",
        "failover-restarts-old-writer", "reads-follow-truncation", "request-once"}) {
    EXPECT_TRUE(ids.contains(required)) << "docs/rules.md has no rule `" << required << "`";
  }
}

}  // namespace
