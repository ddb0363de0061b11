// Small pieces shared by the subcommands of aurora-harness: reading a scenario file, checking
// output paths before anything runs, parsing `A..B` ranges and seeds, printing simulated times,
// and running Graphviz `dot`.
//
// Every problem with the command line or its files is a `usage_error` (exit status 2), with a
// message that names the file or option; the subcommands never print a stack of errors for one
// mistake, and find every such problem before a run starts, so that a run is never thrown away
// for want of a writable output. Nothing here reads the wall clock.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "aurora/db/teaching_variant.hpp"
#include "aurora/harness/scenario_parser.hpp"
#include "aurora/sim/assert.hpp"
#include "aurora/sim/time.hpp"

extern char** environ;

namespace aurora::cli {

inline constexpr int exit_pass = 0;
inline constexpr int exit_fail = 1;
inline constexpr int exit_usage = 2;

// The whole file, or a usage_error that says why it cannot be read.
inline std::string read_text_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw usage_error("cannot read '" + path + "': it is a directory");
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int code = errno;
    throw usage_error("cannot read '" + path +
                      "': " + (code != 0 ? std::strerror(code) : "cannot open the file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw usage_error("cannot read '" + path + "': read error");
  return text.str();
}

// A scenario that does not parse: `what()` is every error, `file:line:col: message`, one per
// line, printed as it is (the file name already says where).
class scenario_errors : public usage_error {
 public:
  using usage_error::usage_error;
};

// Reads and parses a scenario, or throws usage_error (unreadable) or scenario_errors.
inline harness::scenario load_scenario(const std::string& path) {
  harness::parse_result parsed = harness::parse_scenario(read_text_file(path), path);
  if (!parsed.ok()) throw scenario_errors(parsed.error_text());
  return std::move(*parsed.value);
}

// An output file opened for writing, or a usage_error.
inline std::ofstream open_output(const std::string& path, std::string_view option) {
  errno = 0;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw usage_error(std::string(option) + ": cannot write '" + path +
                      "': " + std::strerror(errno));
  }
  return out;
}

// Checks, before anything runs, that the file `path` can be written: an existing file must open
// for writing (it is not truncated here), a new one must be creatable in an existing directory
// (it is created and removed again). Otherwise a usage_error names the option and the path.
inline void check_output_file(const std::string& path, std::string_view option) {
  namespace fs = std::filesystem;
  const std::string bad = std::string(option) + ": cannot write '" + path + "': ";
  std::error_code error;
  if (fs::is_directory(path, error)) throw usage_error(bad + "it is a directory");
  const fs::path folder = fs::path(path).parent_path();
  if (!folder.empty() && !fs::is_directory(folder, error)) {
    const bool exists = fs::exists(folder, error);
    throw usage_error(bad + "'" + folder.string() + "' " +
                      (exists ? "is not a directory" : "does not exist"));
  }
  if (fs::exists(path, error)) {
    errno = 0;
    const std::ofstream probe(path, std::ios::binary | std::ios::app);
    if (!probe) throw usage_error(bad + std::strerror(errno != 0 ? errno : EACCES));
    return;
  }
  const int probe = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (probe < 0) throw usage_error(bad + std::strerror(errno));
  ::close(probe);
  ::unlink(path.c_str());
}

// Checks, before anything runs, that files can be made in the directory `path`, which may not
// exist yet: its nearest existing ancestor must be a directory in which a directory can be
// created (a probe directory is created and removed again).
inline void check_output_directory(const std::string& path, std::string_view option) {
  namespace fs = std::filesystem;
  const std::string bad = std::string(option) + ": cannot write into '" + path + "': ";
  std::error_code error;
  fs::path existing = path;
  while (!existing.empty() && !fs::exists(existing, error)) existing = existing.parent_path();
  if (existing.empty()) existing = ".";
  if (!fs::is_directory(existing, error)) {
    throw usage_error(bad + "'" + existing.string() + "' is not a directory");
  }
  std::string probe = (existing / ".aurora-harness-probe-XXXXXX").string();
  if (::mkdtemp(probe.data()) == nullptr) {
    throw usage_error(bad + "'" + existing.string() + "': " + std::strerror(errno));
  }
  ::rmdir(probe.c_str());
}

// "safe, write-quorum-3, ...": every teaching variant name, for help texts and messages.
inline std::string teaching_variant_list() {
  std::string known;
  for (const std::string_view each : db::teaching_variant_names) {
    known += (known.empty() ? "" : ", ") + std::string(each);
  }
  return known;
}

inline std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// `--seed N`: 0 to 2^64 - 1 in decimal. Taken as text, because CLI11 would turn `-1` and
// `18446744073709551616` into 2^64 - 1 without a word.
inline std::uint64_t parse_seed_option(std::string_view text) {
  if (const auto seed = parse_unsigned(text)) return *seed;
  throw usage_error("--seed: expected an integer from 0 to 18446744073709551615, found '" +
                    std::string(text) + "'");
}

// `A..B` (both included), `A..` or `..B` (open ends, when allowed), or a single `A`.
struct range {
  std::optional<std::uint64_t> from, to;
};

inline range parse_range(std::string_view text, std::string_view option, bool open_ends) {
  const std::string shape = open_ends ? "FROM..TO, FROM.. or ..TO" : "A..B or N";
  const std::string bad =
      std::string(option) + ": expected " + shape + ", found '" + std::string(text) + "'";
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    const auto single = parse_unsigned(text);
    if (!single) throw usage_error(bad);
    return {single, single};
  }
  const std::string_view left = text.substr(0, dots), right = text.substr(dots + 2);
  range result;
  if (!left.empty() && !(result.from = parse_unsigned(left))) throw usage_error(bad);
  if (!right.empty() && !(result.to = parse_unsigned(right))) throw usage_error(bad);
  if ((!result.from || !result.to) && !open_ends) throw usage_error(bad);
  if (!result.from && !result.to) throw usage_error(bad);
  if (result.from && result.to && *result.from > *result.to) {
    throw usage_error(std::string(option) + ": the range '" + std::string(text) +
                      "' is empty (its start is after its end)");
  }
  return result;
}

// `250us`, `5ms`, `2s` (the scenario language's durations), if the text is one.
inline std::optional<sim::duration> parse_duration_text(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const auto count = parse_unsigned(text.substr(0, digits));
  const std::string_view unit = text.substr(digits);
  const std::uint64_t scale = unit == "us" ? 1 : unit == "ms" ? 1'000 : unit == "s" ? 1'000'000 : 0;
  if (!count || scale == 0 || *count > static_cast<std::uint64_t>(INT64_MAX) / scale) {
    return std::nullopt;
  }
  return sim::us(static_cast<std::int64_t>(*count * scale));
}

// Simulated microseconds as milliseconds with three decimals: 1250 -> "1.250ms".
inline std::string time_text(std::int64_t t_us) {
  const std::string sign = t_us < 0 ? "-" : "";
  const std::uint64_t magnitude = t_us < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(t_us)
                                           : static_cast<std::uint64_t>(t_us);
  return sign + std::to_string(magnitude / 1000) + "." +
         std::to_string(magnitude % 1000 + 1000).substr(1) + "ms";
}

// The full path of a program found on PATH, if any.
inline std::optional<std::string> find_on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string_view rest(path);
  while (true) {
    const std::size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + std::string(program);
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) {
      return candidate;
    }
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

inline std::string require_dot() {
  if (auto found = find_on_path("dot")) return *found;
  throw usage_error(
      "--svg needs Graphviz 'dot', which is not installed (apt-get install graphviz)");
}

// Runs `dot -Tsvg -o svg_path dot_path`; dot's own messages go to our stderr.
inline void render_svg(const std::string& dot_program, const std::string& dot_path,
                       const std::string& svg_path) {
  std::vector<std::string> words{dot_program, "-Tsvg", "-o", svg_path, dot_path};
  std::vector<char*> argv;
  for (std::string& each : words) argv.push_back(each.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  const int spawned =
      ::posix_spawn(&child, dot_program.c_str(), nullptr, nullptr, argv.data(), environ);
  if (spawned != 0) {
    throw usage_error("--svg: cannot run '" + dot_program + "': " + std::strerror(spawned));
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw usage_error("--svg: '" + dot_program + " -Tsvg' failed on '" + dot_path + "'");
  }
}

// `--variant NAME`: one of db/teaching_variant.hpp's names.
inline db::teaching_variant parse_variant_option(const std::string& name) {
  if (const auto variant = db::parse_teaching_variant(name)) return *variant;
  throw usage_error("--variant: unknown variant '" + name + "': expected one of " +
                    teaching_variant_list());
}

}  // namespace aurora::cli
