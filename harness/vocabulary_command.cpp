// `aurora-harness vocabulary [--markdown]`: every step and config key of the scenario language.
//
// Prints the vocabulary (include/aurora/harness/vocabulary.hpp) that the parser, the printer,
// the fault budget and the generators read: as plain text for a terminal, or with `--markdown`
// as the tables of docs/scenario-language.md. Each markdown table sits between a
// `<!-- vocabulary: NAME -->` line and `<!-- end vocabulary -->`, and the CTest test
// `vocabulary_doc_matches_the_table` (harness/tests/vocabulary-doc.cmake) fails when the doc's
// blocks differ from this output (AURORA_UPDATE_GOLDEN=1 pastes them in).
#include <iostream>
#include <string>
#include <string_view>

#include "aurora/db/teaching_variant.hpp"
#include "aurora/harness/vocabulary.hpp"
#include "aurora/sim/time.hpp"
#include "cli_common.hpp"
#include "commands.hpp"

namespace aurora::cli {
namespace {

using harness::argument;
using harness::argument_kind;
using harness::config_key_info;
using harness::verb_group;
using harness::verb_info;

std::string code(std::string_view text) { return "`" + std::string(text) + "`"; }

std::string duration_text(std::int64_t us) { return sim::to_string(sim::us(us)); }

// What an argument accepts, with its bounds: "`0%` to `100%`", "a storage node".
std::string accepts(const argument& each) {
  switch (each.kind) {
    case argument_kind::none: return "";
    case argument_kind::key_value_pairs:
      return "1 to " + std::to_string(each.high) + " distinct keys, 64-bit integer values";
    case argument_kind::key: return "a key name";
    case argument_kind::endpoint: return "an instance or `reader` (optional)";
    case argument_kind::target: return "a storage node, an instance or `az a`/`az b`/`az c`";
    case argument_kind::storage_node: return "a storage node";
    case argument_kind::participant: return "a storage node or an instance";
    case argument_kind::partition_sides: return "storage nodes, instances and `az X`";
    case argument_kind::failover_target: return "an instance (optional)";
    case argument_kind::new_cluster: return "a new cluster name";
    case argument_kind::percent:
      return code(std::to_string(each.low) + "%") + " to " + code(std::to_string(each.high) + "%");
    case argument_kind::duration:
      return code(duration_text(each.low)) + " to " + code(duration_text(each.high));
  }
  return "";
}

// "P: `0%` to `100%`; D: `0us` to `10s`", or "—" for a verb without arguments.
std::string arguments_text(const verb_info& verb) {
  std::string text;
  for (const argument& each : verb.arguments) {
    if (each.kind == argument_kind::none) continue;
    text += (text.empty() ? "" : "; ") + std::string(each.name) + ": " + accepts(each);
  }
  return text.empty() ? "—" : text;
}

std::string values_text(const config_key_info& key) {
  switch (key.kind) {
    case harness::config_value_kind::integer:
      return std::to_string(key.low) + " to " + std::to_string(key.high);
    case harness::config_value_kind::duration:
      return "a duration, " + code(duration_text(key.low)) + " to " + code(duration_text(key.high));
    case harness::config_value_kind::failover_policy: return code("auto") + " or " + code("manual");
    case harness::config_value_kind::variant_name: break;
  }
  std::string text;
  for (const std::string_view name : db::teaching_variant_names) {
    text += (text.empty() ? "" : ", ") + code(name);
  }
  return text;
}

std::string extension_mark(bool extension) { return extension ? "*extension*: " : ""; }

// A markdown table cell: `|` escaped, so that `partition A | B` stays in one cell.
std::string cell(std::string_view text) {
  std::string escaped;
  for (const char each : text) {
    if (each == '|') escaped += '\\';
    escaped += each;
  }
  return escaped;
}

// ---- Markdown ---------------------------------------------------------------------------------

void begin_block(std::string_view name) {
  std::cout << "<!-- vocabulary: " << name
            << " (aurora-harness vocabulary --markdown; edit "
               "include/aurora/harness/vocabulary.hpp) -->\n";
}
void end_block() { std::cout << "<!-- end vocabulary -->\n"; }

void markdown_config_keys() {
  begin_block("config-keys");
  std::cout << "| key | values | default | meaning |\n|---|---|---|---|\n";
  for (const config_key_info& key : harness::config_keys) {
    std::cout << "| " << code(key.name) << " | " << cell(values_text(key)) << " | "
              << key.default_text << " | " << extension_mark(key.extension) << cell(key.help)
              << " |\n";
  }
  end_block();
}

void markdown_verbs(verb_group group, std::string_view heading) {
  std::cout << "| " << heading << " | arguments | meaning |\n|---|---|---|\n";
  for (const verb_info& verb : harness::verbs) {
    if (verb.group != group) continue;
    for (const harness::form& each : verb.forms) {
      if (each.syntax.empty()) continue;
      std::cout << "| " << cell(code(each.syntax)) << " | " << cell(arguments_text(verb)) << " | "
                << extension_mark(verb.extension) << cell(each.help) << " |\n";
    }
  }
}

void markdown() {
  markdown_config_keys();
  std::cout << '\n';
  begin_block("client-operations");
  markdown_verbs(verb_group::client_operation, "operation");
  end_block();
  std::cout << '\n';
  begin_block("faults");
  markdown_verbs(verb_group::fault, "fault");
  end_block();
  std::cout << '\n';
  begin_block("actions");
  markdown_verbs(verb_group::action, "action");
  end_block();
}

// ---- Plain text -------------------------------------------------------------------------------

void plain_verbs(verb_group group, std::string_view heading) {
  std::cout << heading << '\n';
  for (const verb_info& verb : harness::verbs) {
    if (verb.group != group) continue;
    for (const harness::form& each : verb.forms) {
      if (each.syntax.empty()) continue;
      std::cout << "  " << each.syntax << (verb.extension ? "  (extension)" : "") << "\n      "
                << each.help << '\n';
    }
    if (arguments_text(verb) != "—") std::cout << "      " << arguments_text(verb) << '\n';
  }
}

void plain() {
  std::cout << "Statements: seed N; config key=value ...; at <time> <step> [as <client>] "
               "[expect <outcome>]\n\nConfig keys\n";
  for (const config_key_info& key : harness::config_keys) {
    std::cout << "  " << key.name << "=" << values_text(key) << " (default " << key.default_text
              << ")" << (key.extension ? "  (extension)" : "") << "\n      " << key.help << '\n';
  }
  std::cout << '\n';
  plain_verbs(verb_group::client_operation, "Client operations (as <client>, expect <outcome>)");
  std::cout << '\n';
  plain_verbs(verb_group::fault, "Faults of the world (no as, no expect)");
  std::cout << '\n';
  plain_verbs(verb_group::action, "Actions of the control plane (no as, no expect)");
  std::cout << "\nSee docs/scenario-language.md.\n";
}

}  // namespace

int vocabulary_command(const vocabulary_settings& settings) {
  if (settings.markdown) {
    markdown();
  } else {
    plain();
  }
  return exit_pass;
}

}  // namespace aurora::cli
