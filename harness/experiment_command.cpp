// `aurora-harness experiment NAME`: a measurement on the model, as CSV, and its plot.
//
// Each experiment builds its own `ops::simulation`s (one per row) with the public setup and
// client options only, drives them by code (as bench/model_bench.cpp does), and prints one CSV
// table (docs/experiments.md shows them beside the published numbers):
//  - replica-lag: one writer and two replicas under an open-loop write load of 1,000 to 10,000
//    one-key transactions per second, spread over 200 clients (each with at most one operation in
//    flight). Replica lag, as the issue defines it: the time from the writer's commit
//    acknowledgement (`facts::committed`) to the moment a replica serves the new value, i.e. its
//    first read point at or above the commit LSN (`facts::replica_point`); the mean and the 99th
//    percentile over every commit and every replica. Published beside it: [P17 Table 4].
//  - failover-downtime: one writer, one replica, automatic failover; one client writes without
//    pause (a new write as soon as the last one completes) through DNS (with a TTL-bound, 30 s,
//    60 s or unbounded cache), the proxy or a topology-aware driver; the writer db1 crashes at
//    5 s and never comes back. Downtime: from the crash to the acknowledgement of the client's
//    first write that was invoked after the crash and answered `ok` (`inf` if none within 300 s).
//  - failover-no-replica: the same with no replica: the control plane recreates the writer
//    (`failover.recreate`, 5 minutes by default) and it recovers the volume.
// Same seed, same CSV bytes: nothing here reads the wall clock. `--svg FILE` plots the table
// with gnuplot (`set terminal svg`, the script on its standard input).
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "aurora/db/cluster.hpp"
#include "aurora/db/protocol_facts.hpp"
#include "aurora/ops/client_options.hpp"
#include "aurora/ops/deployment.hpp"
#include "aurora/sim/fault.hpp"
#include "cli_common.hpp"
#include "commands.hpp"

namespace aurora::cli {
namespace {

constexpr std::array<std::string_view, 3> experiment_names{"replica-lag", "failover-downtime",
                                                           "failover-no-replica"};

std::string experiment_list() {
  std::string known;
  for (const std::string_view each : experiment_names) {
    known += (known.empty() ? "" : ", ") + std::string(each);
  }
  return known;
}

// Microseconds as a decimal number of `unit` microseconds with three decimals, exactly (no
// floating point): (1'250, 1'000) -> "1.250", (15'234'567, 1'000'000) -> "15.234".
std::string fixed3(std::int64_t count_us, std::int64_t unit) {
  const std::int64_t thousandths = count_us * 1'000 / unit;
  return std::to_string(thousandths / 1'000) + "." +
         std::to_string(thousandths % 1'000 + 1'000).substr(1);
}

// A table: the CSV header and its rows, each a list of fields.
struct table {
  std::string header;
  std::vector<std::vector<std::string>> rows;

  [[nodiscard]] std::string csv() const {
    std::string text = header + "\n";
    for (const auto& row : rows) {
      for (std::size_t index = 0; index < row.size(); ++index) {
        text += (index == 0 ? "" : ",") + row[index];
      }
      text += "\n";
    }
    return text;
  }
};

// --- replica-lag ---------------------------------------------------------------------------

// [P17 Table 4]: replica lag of Aurora under SysBench write-only, in milliseconds.
struct published_lag {
  int writes_per_s;
  double lag_ms;
};
constexpr std::array<published_lag, 4> p17_table4{
    {{1'000, 2.62}, {2'000, 3.42}, {5'000, 3.94}, {10'000, 5.38}}};

constexpr int lag_replicas = 2;            // db2 in AZ b, db3 in AZ c; the writer db1 is in AZ a
constexpr int lag_clients = 200;           // a write every 20 ms per client at 10,000/s
constexpr auto lag_warmup = sim::ms(200);  // commits before this are not measured
constexpr auto lag_load_until = sim::s(2) + lag_warmup;
constexpr auto lag_drain = sim::ms(100);  // after the load: the last commits reach the replicas

// Hears the writer's commits and the replicas' read points, and computes each commit's lag at
// each replica: the first read point at or above its LSN, minus its acknowledgement time.
class lag_observer final : public db::cluster_observer {
 public:
  void report(const db::facts::stamped& what) override {
    if (const auto* commit = std::get_if<db::facts::committed>(&what.what)) {
      AURORA_ASSERT(commits_.empty() || commits_.back().lsn < commit->commit,
                    "the writer acknowledges commits in LSN order");
      commits_.push_back({commit->commit, what.at});
      return;
    }
    const auto* point = std::get_if<db::facts::replica_point>(&what.what);
    if (point == nullptr) return;
    std::size_t& next = cursor_[point->instance];  // the first commit it did not serve yet
    while (next < commits_.size() && commits_[next].lsn <= point->read_point) {
      if (commits_[next].at >= lag_warmup && commits_[next].at < lag_load_until) {
        lags_us_.push_back((what.at - commits_[next].at).count_us());
      }
      ++next;
    }
  }

  // Commits in the measured window that some replica had not served when the run ended.
  [[nodiscard]] std::size_t unserved() const {
    std::size_t count = 0;
    for (const auto& [instance, next] : cursor_) {
      for (std::size_t index = next; index < commits_.size(); ++index) {
        if (commits_[index].at >= lag_warmup && commits_[index].at < lag_load_until) ++count;
      }
    }
    return count;
  }
  [[nodiscard]] const std::vector<std::int64_t>& lags_us() const { return lags_us_; }
  [[nodiscard]] std::size_t replicas_heard() const { return cursor_.size(); }

 private:
  struct commit {
    storage::lsn lsn;
    sim::time_point at;
  };
  std::vector<commit> commits_;
  std::map<int, std::size_t> cursor_;  // per replica (instance number)
  std::vector<std::int64_t> lags_us_;
};

// One client of the open-loop load: a write every `period`, from the first `arm` until the load
// ends (a write that finds the previous one still in flight waits in the client's queue).
struct paced_client {
  ops::simulation* model = nullptr;
  std::string name;
  sim::duration period;
  std::int64_t written = 0;

  void arm(sim::time_point at) {
    if (at >= lag_load_until) return;
    model->clock().schedule_at(at, [this, at] {
      model->write(name, {{name, ++written}});
      arm(at + period);
    });
  }
};

std::vector<std::string> replica_lag_row(std::uint64_t seed, int writes_per_s) {
  ops::setup config;
  config.seed = seed;
  config.replicas = lag_replicas;
  lag_observer observer;
  ops::simulation model(config, &observer);
  const sim::duration gap = sim::us(1'000'000 / writes_per_s);  // between two writes, any client
  std::vector<paced_client> clients(lag_clients);
  for (int index = 0; index < lag_clients; ++index) {
    clients[index] = {&model, "w" + std::to_string(index), gap * lag_clients};
    clients[index].arm(gap * index);
  }
  model.run_until(lag_load_until + lag_drain);
  if (observer.replicas_heard() != lag_replicas || observer.unserved() != 0 ||
      observer.lags_us().empty()) {
    throw std::runtime_error("replica-lag: at " + std::to_string(writes_per_s) +
                             " writes/s some commit never reached a replica's read point");
  }
  std::vector<std::int64_t> lags = observer.lags_us();
  std::sort(lags.begin(), lags.end());
  std::int64_t total = 0;
  for (const std::int64_t each : lags) total += each;
  const auto count = static_cast<std::int64_t>(lags.size());
  const std::int64_t mean_us = (total + count / 2) / count;
  const std::int64_t p99_us = lags[static_cast<std::size_t>((count * 99 + 99) / 100 - 1)];
  return {std::to_string(writes_per_s), fixed3(mean_us, 1'000), fixed3(p99_us, 1'000)};
}

table replica_lag(std::uint64_t seed) {
  table result{"writes_per_s,lag_ms,lag_p99_ms", {}};
  for (const published_lag& each : p17_table4) {
    result.rows.push_back(replica_lag_row(seed, each.writes_per_s));
  }
  return result;
}

// --- failover-downtime, failover-no-replica --------------------------------------------------

constexpr auto crash_at = sim::s(5);

struct client_path_case {
  std::string_view name;
  ops::client_path via;
};
constexpr std::array<client_path_case, 3> paths{{{"dns", ops::client_path::dns},
                                                 {"proxy", ops::client_path::proxy},
                                                 {"smart", ops::client_path::smart}}};

struct dns_case {
  std::string_view name;
  ops::dns_caching caching;
  sim::duration cache_for;
};
constexpr std::array<dns_case, 4> dns_cases{{{"ttl", ops::dns_caching::ttl, sim::us(0)},
                                             {"30s", ops::dns_caching::fixed, sim::s(30)},
                                             {"60s", ops::dns_caching::fixed, sim::s(60)},
                                             {"forever", ops::dns_caching::forever, sim::us(0)}}};

// One client that writes without pause until its first `ok` write invoked after the crash.
struct continuous_client {
  ops::simulation* model = nullptr;
  std::int64_t written = 0;
  std::optional<sim::time_point> first_ok;

  void write() {
    model->write("c1", {{"x", ++written}}, [this](const ops::operation& done) {
      if (done.status == ops::op_status::ok && done.invoked >= crash_at) {
        first_ok = done.completed;  // measured: stop writing
        return;
      }
      write();
    });
  }
};

// The downtime a client reaching the cluster this way sees when the writer crashes for good:
// none when no write is acknowledged within `horizon` of the crash.
std::optional<sim::duration> downtime(std::uint64_t seed, int replicas, const client_path_case& via,
                                      const dns_case& dns, sim::duration horizon) {
  ops::setup config;
  config.seed = seed;
  config.replicas = replicas;
  config.clients["c1"] = {dns.caching, dns.cache_for, via.via};
  ops::simulation model(config);
  continuous_client client{&model, 0, std::nullopt};
  client.write();
  model.run_until(crash_at);
  model.apply(sim::fault{sim::crash{{"db1", false}}});
  const sim::time_point give_up = crash_at + horizon;
  while (!client.first_ok && model.now() < give_up) {
    model.run_until(std::min(give_up, model.now() + sim::s(1)));
  }
  if (!client.first_ok) return std::nullopt;
  return *client.first_ok - crash_at;
}

table failover(std::uint64_t seed, int replicas, sim::duration horizon) {
  table result{"via,dns,downtime_s", {}};
  for (const client_path_case& via : paths) {
    for (const dns_case& dns : dns_cases) {
      const std::optional<sim::duration> lost = downtime(seed, replicas, via, dns, horizon);
      result.rows.push_back({std::string(via.name), std::string(dns.name),
                             lost ? fixed3(lost->count_us(), 1'000'000) : "inf"});
    }
  }
  return result;
}

constexpr auto failover_horizon = sim::s(300);
constexpr auto no_replica_horizon = sim::s(600);  // past detection (10 s) + recreate (300 s)

// --- gnuplot -------------------------------------------------------------------------------

std::string require_gnuplot() {
  if (auto found = find_on_path("gnuplot")) return *found;
  throw usage_error("--svg needs gnuplot, which is not installed (apt-get install gnuplot-nox)");
}

// A gnuplot single-quoted string: no escapes inside, a quote is doubled.
std::string gnuplot_quoted(std::string_view text) {
  std::string quoted = "'";
  for (const char each : text) quoted += each == '\'' ? std::string("''") : std::string(1, each);
  return quoted + "'";
}

// A shell single-quoted word, for popen.
std::string shell_quoted(std::string_view text) {
  std::string quoted = "'";
  for (const char each : text) quoted += each == '\'' ? std::string("'\\''") : std::string(1, each);
  return quoted + "'";
}

std::string svg_preamble(const std::string& svg_path, const std::string& title) {
  return "set terminal svg size 760,460 font 'Helvetica,13' background rgb 'white'\n"
         "set output " +
         gnuplot_quoted(svg_path) + "\nset title " + gnuplot_quoted(title) +
         "\nset grid ytics lc rgb '#dddddd'\nset border 3\nset tics nomirror\n";
}

std::string replica_lag_script(const table& data, const std::string& svg_path, std::uint64_t seed) {
  std::string script =
      svg_preamble(svg_path, "Replica lag: aurora-harness experiment replica-lag (seed " +
                                 std::to_string(seed) + ") and [P17 Table 4]");
  script +=
      "set xlabel 'writes per second (one writer, 2 replicas)'\n"
      "set ylabel 'replica lag (ms)'\n"
      "set logscale x\nset xrange [800:12500]\nset yrange [0:*]\n"
      "set xtics ('1,000' 1000, '2,000' 2000, '5,000' 5000, '10,000' 10000)\n"
      "set key top left box opaque\n"
      "$model << EOD\n";
  for (const auto& row : data.rows) script += row[0] + " " + row[1] + " " + row[2] + "\n";
  script += "EOD\n$published << EOD\n";
  for (const published_lag& each : p17_table4) {
    char value[32];
    std::snprintf(value, sizeof value, "%.2f", each.lag_ms);
    script += std::to_string(each.writes_per_s) + " " + value + "\n";
  }
  script +=
      "EOD\n"
      "plot $published using 1:2 with linespoints lw 2 pt 7 lc rgb '#d62728' "
      "title 'published: Aurora, SysBench write-only [P17 Table 4]', \\\n"
      "     $model using 1:2 with linespoints lw 2 pt 5 lc rgb '#1f77b4' title 'model: mean', \\\n"
      "     $model using 1:3 with linespoints lw 2 dt 2 pt 4 lc rgb '#1f77b4' "
      "title 'model: 99th percentile'\n";
  return script;
}

std::string failover_script(const table& data, const std::string& svg_path, std::uint64_t seed,
                            std::string_view name, int replicas, sim::duration horizon) {
  double highest = 0;
  for (const auto& row : data.rows) {
    if (row[2] != "inf") highest = std::max(highest, std::stod(row[2]));
  }
  const double top = highest > 0 ? highest * 1.3 : static_cast<double>(horizon.count_us()) / 1e6;
  char top_text[32];
  std::snprintf(top_text, sizeof top_text, "%.3f", top);
  const std::string plural = replicas == 1 ? "" : "s";
  std::string script =
      svg_preamble(svg_path, "Write downtime after the writer crashes: aurora-harness experiment " +
                                 std::string(name) + " (seed " + std::to_string(seed) + ")");
  script += "set xlabel 'how the client caches DNS answers (" + std::to_string(replicas) +
            " replica" + plural + ", automatic failover; inf: no acknowledged write within " +
            std::to_string(horizon.count_us() / 1'000'000) + " s)'\n";
  script +=
      "set ylabel 'seconds from the crash to the first acknowledged write'\n"
      "set xrange [-0.6:3.6]\nset yrange [0:" +
      std::string(top_text) +
      "]\n"
      "set xtics ('ttl' 0, '30s' 1, '60s' 2, 'forever' 3)\n"
      "set boxwidth 0.26\nset key top left horizontal box opaque\n";
  // One colour per path; a row without an acknowledged write is a pale bar up to the top.
  const std::array<std::string_view, 3> colours{"#1f77b4", "#ff7f0e", "#2ca02c"};
  const std::array<std::string_view, 3> pale{"#aec7e8", "#ffbb78", "#98df8a"};
  std::string plot;
  std::string infinite;  // the bars of rows without an acknowledged write, and their labels
  for (std::size_t via = 0; via < paths.size(); ++via) {
    std::string finite;
    for (std::size_t dns = 0; dns < dns_cases.size(); ++dns) {
      const auto& row = data.rows[via * dns_cases.size() + dns];
      char x[32];
      std::snprintf(x, sizeof x, "%.2f",
                    static_cast<double>(dns) + (static_cast<double>(via) - 1) * 0.28);
      if (row[2] == "inf") {
        infinite += std::string(x) + " " + top_text + " " + std::to_string(via + 1) + "\n";
      } else {
        finite += std::string(x) + " " + row[2] + "\n";
      }
    }
    const std::string block = "$via" + std::to_string(via);
    script += block + " << EOD\n" + (finite.empty() ? "-10 0\n" : finite) + "EOD\n";
    plot += std::string(plot.empty() ? "plot " : ", \\\n     ") + block +
            " using 1:2 with boxes fill solid 0.8 lc rgb '" + std::string(colours[via]) +
            "' title 'via=" + std::string(paths[via].name) + "', \\\n     " + block +
            " using 1:2:(sprintf('%.1f', $2)) with labels offset 0,0.6 font ',9' notitle";
  }
  if (!infinite.empty()) {
    script += "$inf << EOD\n" + infinite + "EOD\n";
    plot +=
        ", \\\n     $inf using 1:2:(0.26):3 with boxes fill solid 1.0 lc variable notitle"
        ", \\\n     $inf using 1:($2 * 0.95):('inf') with labels notitle";
    for (std::size_t via = 0; via < pale.size(); ++via) {
      script +=
          "set linetype " + std::to_string(via + 1) + " lc rgb '" + std::string(pale[via]) + "'\n";
    }
  }
  return script + plot + "\n";
}

// Runs gnuplot on `script` (its standard input); any failure is an error of the command.
void run_gnuplot(const std::string& program, const std::string& script) {
  std::FILE* pipe = ::popen(("exec " + shell_quoted(program)).c_str(), "w");
  if (pipe == nullptr) {
    throw usage_error("--svg: cannot run '" + program + "': " + std::strerror(errno));
  }
  const bool written = std::fwrite(script.data(), 1, script.size(), pipe) == script.size();
  const int status = ::pclose(pipe);
  if (!written || status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("--svg: gnuplot failed on the plot's script");
  }
}

}  // namespace

int experiment_command(const experiment_settings& settings) {
  const auto known = std::find(experiment_names.begin(), experiment_names.end(), settings.name);
  if (known == experiment_names.end()) {
    throw usage_error("unknown experiment '" + settings.name + "': expected one of " +
                      experiment_list());
  }
  const std::string gnuplot = settings.svg_path.empty() ? std::string() : require_gnuplot();
  if (!settings.csv_path.empty()) check_output_file(settings.csv_path, "--csv");
  if (!settings.svg_path.empty()) check_output_file(settings.svg_path, "--svg");

  table result;
  std::string script;
  if (settings.name == "replica-lag") {
    result = replica_lag(settings.seed);
    if (!gnuplot.empty()) script = replica_lag_script(result, settings.svg_path, settings.seed);
  } else {
    const bool with_replica = settings.name == "failover-downtime";
    const int replicas = with_replica ? 1 : 0;
    const sim::duration horizon = with_replica ? failover_horizon : no_replica_horizon;
    result = failover(settings.seed, replicas, horizon);
    if (!gnuplot.empty()) {
      script = failover_script(result, settings.svg_path, settings.seed, settings.name, replicas,
                               horizon);
    }
  }

  if (settings.csv_path.empty()) {
    std::cout << result.csv();
  } else {
    std::ofstream out = open_output(settings.csv_path, "--csv");
    out << result.csv();
  }
  if (!gnuplot.empty()) run_gnuplot(gnuplot, script);
  return exit_pass;
}

}  // namespace aurora::cli
