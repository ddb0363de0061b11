// The scenario runner: executes a parsed scenario on the model and judges it.
//
// docs/scenario-language.md fixes the semantics: steps start at their (absolute, non-decreasing)
// times in file order; a client operation's `expect` is judged when it completes (within
// `op_timeout`, or it counts as unavailable); every invariant (check/invariants.hpp) is checked
// after every step; then the final check heals every partition, restarts every crashed node and
// instance, lets repair and recovery finish (failing over if no writer can come up), reads back
// every key any write touched, and checks that nothing acknowledged was lost.
//
// The runner reports through `step_report`s as steps complete, so the command-line program can
// print one line per step, and returns a `run_result` with everything a failure message needs.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "aurora/check/fact_log.hpp"
#include "aurora/check/invariants.hpp"
#include "aurora/check/linearizability.hpp"
#include "aurora/config.hpp"
#include "aurora/db/world.hpp"
#include "aurora/harness/scenario.hpp"
#include "aurora/harness/scenario_printer.hpp"
#include "aurora/ops/deployment.hpp"

namespace aurora::harness {

struct run_options {
  std::optional<std::uint64_t> seed;            // overrides the scenario's seed
  bool trace = false;                           // record events for JSON Lines and DOT
  std::optional<db::teaching_variant> variant;  // overrides the scenario's variant
  sim::duration settle_budget = sim::s(30);     // the final check's bound on recovery
  std::uint64_t event_limit = sim::scheduler::default_event_limit;
};

// One line of the run's story: a step (index >= 0) or the final check (index -1).
struct step_report {
  int index = -1;
  sim::time_point at{};
  std::string text;     // the step as written in the scenario language
  std::string outcome;  // "ok", "unavailable", "read 1", "applied", ...
  bool expectation_met = true;
  std::string expected;  // when an expectation exists: what it asked for
};

struct run_result {
  std::uint64_t seed = 0;
  std::vector<step_report> steps;
  std::vector<std::string> unmet;  // expectations that failed, as sentences
  std::vector<check::violation> violations;
  std::optional<std::string> final_check_failure;  // liveness: the cluster never settled
  [[nodiscard]] bool passed() const {
    return unmet.empty() && violations.empty() && !final_check_failure;
  }
};

inline ops::setup setup_for(const scenario& plan, const run_options& options) {
  ops::setup config;
  config.seed = options.seed.value_or(plan.seed.value_or(1));
  config.protection_groups = plan.settings.protection_groups;
  config.nodes_per_az = plan.settings.nodes_per_az;
  config.replicas = plan.settings.replicas;
  config.failover.policy = plan.settings.manual_failover ? ops::failover_policy::manual
                                                         : ops::failover_policy::automatic;
  config.failover.detection = plan.settings.detection_time;
  config.failover.recreate = plan.settings.recreate_time;
  config.failover.promotion = plan.settings.promotion_time;
  config.dns = {plan.settings.dns_ttl, plan.settings.dns_propagation};
  config.proxy.borrow_timeout = plan.settings.proxy_borrow_timeout;
  for (const auto& [name, options] : plan.settings.clients) config.clients[name] = options;
  for (const auto& [number, spec] : plan.settings.instances) {
    if (config.instances.size() < static_cast<std::size_t>(number)) config.instances.resize(number);
    config.instances[number - 1] = spec;
  }
  config.op_timeout = plan.settings.op_timeout;
  if (plan.settings.lal) config.lal = static_cast<storage::lsn>(*plan.settings.lal);
  config.variant = options.variant.value_or(plan.settings.variant);
  config.trace = options.trace;
  config.event_limit = options.event_limit;
  return config;
}

class runner {
 public:
  using listener = std::function<void(const step_report&)>;

  runner(const scenario& plan, run_options options);
  ~runner();

  [[nodiscard]] ops::deployment& model() { return model_; }
  [[nodiscard]] const check::invariant_checker& checker() const { return checker_; }
  // The black-box judgement of the client history, made at the end of `finish`.
  [[nodiscard]] const check::linearizability_result& history_check() const {
    return history_check_;
  }

  // Runs every step, then the final check.
  run_result run(const listener& on_report = {});

  // Runs one step at its time (or now, if that has passed), after checking every invariant.
  // `run` is exactly a sequence of these and `finish`, so a property test that drives steps one
  // by one replays byte for byte from the scenario it prints.
  void perform_now(int index, const step& next);

  // Lets the last operations complete (hold and op_timeout), then runs the final check.
  run_result finish();

  void set_listener(listener on_report) { on_report_ = std::move(on_report); }
  [[nodiscard]] const run_result& partial() const { return result_; }

  // Runs the model to `until`, then checks every invariant.
  void advance_to(sim::time_point until) {
    model_.run_until(until);
    collect(check_all());
  }

 private:
  // A cluster a `clone as` step created, with its own fact log and checker.
  struct clone_run {
    std::string name;
    sim::time_point taken{};
    std::size_t operations_before = 0;   // history operations invoked before the clone
    storage::lsn vdl = storage::no_lsn;  // the clone point: main's writer's VDL then
    check::fact_log facts;
    std::unique_ptr<check::invariant_checker> checker;
  };

  void perform(int index, const step& next) {
    const std::string text =
        print_action(next.what) + (next.as_client ? " as " + *next.as_client : std::string());
    if (const auto* fault = std::get_if<sim::fault>(&next.what)) {
      model_.apply(*fault);
      report({index, model_.clock().now(), text, "applied", true, {}});
      return;
    }
    if (const auto* operation = std::get_if<ops::action>(&next.what)) {
      if (const auto* copy = std::get_if<ops::clone>(operation)) {
        return perform_clone(index, next, text, *copy);
      }
      model_.apply(*operation);
      report({index, model_.clock().now(), text, "applied", true, {}});
      return;
    }
    const std::string client(client_of(next));
    auto done = [this, index, next, text](const check::operation& op) {
      judge(index, next, text, op);
    };
    const std::string& on = std::holds_alternative<write_op>(next.what)
                                ? std::get<write_op>(next.what).on
                                : std::get<read_op>(next.what).on;
    if (!model_.has_cluster(on)) {
      // Its `clone as` step was refused: the endpoint does not exist, and the client is told so
      // at once (nothing is sent, so it certainly took no effect).
      step_report line{index, model_.clock().now(), text, "refused", true, {}};
      if (next.expect) {
        line.expected = expected_text(*next.expect);
        line.expectation_met = next.expect->what == expectation::kind::refused ||
                               next.expect->what == expectation::kind::unavailable;
        if (!line.expectation_met) note_unmet(index, next, text, line);
      }
      return report(line);
    }
    if (const auto* write = std::get_if<write_op>(&next.what)) {
      model_.write(client, write->puts, done, write->on,
                   write->to ? ops::endpoint::instance(*write->to) : ops::endpoint::cluster(),
                   write->hold);
    } else {
      const auto& read = std::get<read_op>(next.what);
      model_.read(client, read.key, read.from, done, read.on);
    }
  }

  // `clone as NAME`: the clone gets a checker of its own, whose fact log starts with main's
  // records at or below the clone point (main's writer's VDL), read from main's fact log, not
  // from the model's clone. Refused while main has no open writer.
  void perform_clone(int index, const step& next, const std::string& text,
                     const ops::clone& value) {
    auto made = std::make_unique<clone_run>();
    made->name = value.name;
    made->taken = model_.clock().now();
    made->operations_before = model_.history().operations().size();
    const db::instance& writer = model_.main().writer();
    made->vdl = writer.role() == db::instance_role::writer ? writer.vdl() : storage::no_lsn;
    for (const storage::log_record& record : facts_.allocated()) {
      const bool removed = std::any_of(
          facts_.truncations().begin(), facts_.truncations().end(),
          [&record](const storage::truncation_range& range) { return range.covers(record.id); });
      if (record.id <= made->vdl && !removed) made->facts.adopt_source_record(record);
    }
    const bool completed = model_.clone(value, &made->facts) != nullptr;
    if (completed) {
      made->checker = std::make_unique<check::invariant_checker>(model_, made->facts, value.name);
      made->checker->adopt_clone_point(made->vdl);
      clones_.push_back(std::move(made));
    }
    step_report line{index, model_.clock().now(), text, completed ? "completed" : "refused", true,
                     {}};
    if (next.expect) {
      line.expected = expected_text(*next.expect);
      line.expectation_met = line.expected == line.outcome;
      if (!line.expectation_met) note_unmet(index, next, text, line);
    }
    report(line);
  }

  // The invariants of main and of every clone, on what changed since the last check.
  std::vector<check::violation> check_all(bool everything = false) {
    std::vector<check::violation> found =
        everything ? checker_.check_everything() : checker_.check();
    for (const auto& each : clones_) {
      std::vector<check::violation> more =
          everything ? each->checker->check_everything() : each->checker->check();
      for (check::violation& one : more) {
        one.reason = each->name + ": " + one.reason;
        found.push_back(std::move(one));
      }
    }
    return found;
  }

  // One cluster's history for the black-box checker: its own operations, and for a clone also
  // main's writes invoked before the clone was taken (an acknowledged one is in it; one whose
  // answer came later may or may not be: `info`).
  [[nodiscard]] std::vector<check::operation> history_of(const std::string& cluster) const {
    const clone_run* copy = nullptr;
    for (const auto& each : clones_) {
      if (each->name == cluster) copy = each.get();
    }
    std::vector<check::operation> ops;
    for (const check::operation& op : model_.history().operations()) {
      if (op.cluster == cluster) {
        ops.push_back(op);
        continue;
      }
      if (copy == nullptr || op.cluster != main_cluster || op.kind != check::op_kind::write ||
          op.id >= copy->operations_before) {
        continue;
      }
      check::operation inherited = op;
      inherited.cluster = cluster;
      const bool before = op.status != check::op_status::pending && op.completed <= copy->taken;
      if (!before || op.status == check::op_status::info) {
        inherited.status = check::op_status::info;
        inherited.completed = {};
      }
      ops.push_back(std::move(inherited));
    }
    return ops;
  }

  static std::string outcome_of(const check::operation& op) {
    if (op.status == check::op_status::fail && op.answered) return "refused";
    if (op.status != check::op_status::ok) return "unavailable";
    if (op.kind == check::op_kind::write) return "ok";
    return op.value ? "read " + std::to_string(*op.value) : std::string("read none");
  }

  static std::string expected_text(const expectation& want) {
    switch (want.what) {
      case expectation::kind::ok: return "ok";
      case expectation::kind::unavailable: return "unavailable";
      case expectation::kind::refused: return "refused";
      case expectation::kind::value: return std::to_string(want.value);
      case expectation::kind::none: return "none";
      case expectation::kind::completed: return "completed";
    }
    return "?";
  }

  static bool meets(const expectation& want, const check::operation& op) {
    const bool ok = op.status == check::op_status::ok;
    switch (want.what) {
      case expectation::kind::ok: return ok;
      case expectation::kind::unavailable: return !ok;  // no answer in time, or an error
      case expectation::kind::refused: return op.status == check::op_status::fail && op.answered;
      case expectation::kind::value: return ok && op.value && *op.value == want.value;
      case expectation::kind::none: return ok && !op.value;
      case expectation::kind::completed: return false;  // not a client operation's outcome
    }
    return false;
  }

  void judge(int index, const step& next, const std::string& text, const check::operation& op) {
    step_report line{index, op.completed, text, outcome_of(op), true, {}};
    if (next.expect) {
      line.expected = expected_text(*next.expect);
      line.expectation_met = meets(*next.expect, op);
      if (!line.expectation_met) note_unmet(index, next, text, line);
    }
    report(line);
    // Every completion is a moment worth checking: a bad acknowledgement or a stale read is
    // then reported when it happens, not at the next step.
    collect(check_all());
  }

  void note_unmet(int index, const step& next, const std::string& text, const step_report& line) {
    result_.unmet.push_back("step " + std::to_string(index + 1) + " (line " +
                            std::to_string(next.line) + ", at " + sim::to_string(next.at) + ") `" +
                            text + "`: expected " + line.expected + ", got " + line.outcome);
  }

  void report(const step_report& line) {
    result_.steps.push_back(line);
    if (on_report_) on_report_(line);
  }

  void collect(std::vector<check::violation> found) {
    for (check::violation& each : found) {
      if (model_.trace().enabled()) {
        model_.trace().record({model_.clock().now(),
                               "violation",
                               {{"invariant", each.invariant},
                                {"reason", each.reason},
                                {"step", static_cast<std::int64_t>(each.step)}},
                               {},
                               {},
                               0});
      }
      result_.violations.push_back(std::move(each));
    }
  }

  // docs/scenario-language.md §8. Its own operations run as the client `final-check`
  // (harness::final_check_client), which the runner owns, with their own timeout
  // `final_check_op_timeout` whatever the scenario's op_timeout: a scenario may set
  // `op_timeout=1us` so that every step is unavailable, and the final check must still be able
  // to commit and read back. Each wait is bounded in simulated time and ends as soon as the
  // answers are in; the scheduler's runaway guard, not an event count, stops a run that spins.
  void final_check() {
    model_.trace().set_step(steps_performed_);
    model_.settle();
    const sim::time_point deadline = model_.clock().now() + options_.settle_budget;
    while (!model_.settled() && model_.clock().now() < deadline) {
      if (!model_.network().alive(model_.writer().id())) model_.failover(std::nullopt);
      advance_to(model_.clock().now() + sim::ms(1));
    }
    if (!model_.settled()) {
      result_.final_check_failure = "the cluster did not recover within " +
                                    sim::to_string(options_.settle_budget) + " of healing";
      report({-1, model_.clock().now(), "final check", "no writer came back", false, {}});
      return;
    }
    if (require_progress()) read_back_every_key();
  }

  // How long the final check's client waits for each answer: as the language's default
  // op_timeout, and independent of the scenario's.
  static constexpr sim::duration final_check_op_timeout = sim::s(1);
  // Reads the final check queues at once: well under the client's queue bound, whatever the
  // number of keys (scenario_limits::max_keys).
  static constexpr std::size_t read_back_batch = 256;
  static_assert(read_back_batch <= ops::client::queue_max);
  static_assert(scenario_limits::max_steps <= ops::client::queue_max,
                "every step of a scenario may be queued on one client at once");

  // The final check's client, made on first use: a client of the model like any other, but
  // with its own timeout.
  ops::client& final_client() {
    if (final_client_) return *final_client_;
    const std::string name(final_check_client);
    // Topology-aware (`via=smart`): it always reaches the writer the control plane names, so
    // no DNS answer it kept can make it judge a replica's reads by the writer's rules.
    final_client_ = std::make_unique<ops::client>(
        model_.network(), name, model_.history(), final_check_op_timeout,
        ops::client_options{ops::dns_caching::ttl, sim::us(0), ops::client_path::smart});
    final_client_->attach(
        model_.network().add("client-" + name, 0, sim::role::client, final_client_.get()));
    return *final_client_;
  }

  // Starts one operation of the final check through the writer endpoint, or (a read whose `from`
  // is the reader endpoint) through the reader endpoint, round robin over main's replicas.
  void start_final_operation(check::operation op, ops::client::done_callback done) {
    if (op.cluster != main_cluster) {  // a clone: its writer (it has no replica)
      const db::cluster& target = model_.cluster(op.cluster);
      final_client().start(
          std::move(op), target.keys(), [&target](sim::time_point) { return target.writer_id(); },
          std::move(done));
      return;
    }
    if (op.from.is_reader()) {
      final_client().start(
          std::move(op), model_.keys(),
          [this](sim::time_point) {
            const std::vector<sim::participant_id> readers = model_.main().reader_ids();
            return readers[reader_turn_++ % readers.size()];
          },
          std::move(done));
      return;
    }
    final_client().start(
        std::move(op), model_.keys(), [this](sim::time_point) { return model_.main().writer_id(); },
        std::move(done));
  }

  // Runs the model in steps of 1ms until `done` or until `budget` of simulated time has passed,
  // then checks the invariants once (each check judges only what is new since the last one, but
  // a check per millisecond of a long read-back would still be wasted work).
  void advance_until(const std::function<bool()>& done, sim::duration budget) {
    const sim::time_point deadline = model_.clock().now() + budget;
    while (!done() && model_.clock().now() < deadline) {
      model_.run_until(std::min(deadline, model_.clock().now() + sim::ms(1)));
    }
    advance_to(model_.clock().now());
  }

  // The key the liveness write uses. The deployment interns keys when its own clients start
  // operations; this client is the runner's, so it interns its one key itself.
  storage::key_id progress_key() { return model_.main().keys().intern("final-check-progress"); }

  // Liveness: once everything is healed, a new transaction must commit within a bound: up to
  // `progress_attempts` tries of `final_check_op_timeout` each (a try may meet a writer that is
  // just being fenced and re-recovering, and end indeterminate).
  static constexpr int progress_attempts = 3;
  bool require_progress() {
    for (int attempt = 0; attempt < progress_attempts; ++attempt) {
      check::operation write;
      write.kind = check::op_kind::write;
      write.puts.emplace_back(progress_key(), attempt + 1);
      auto outcome = std::make_shared<std::optional<check::op_status>>();
      start_final_operation(std::move(write),
                            [outcome](const check::operation& op) { *outcome = op.status; });
      advance_until([&outcome] { return outcome->has_value(); }, final_check_op_timeout);
      if (*outcome == check::op_status::ok) return true;
    }
    result_.final_check_failure = "after healing, no write was acknowledged in " +
                                  std::to_string(progress_attempts) + " tries of " +
                                  sim::to_string(final_check_op_timeout) + " (no progress)";
    report({-1, model_.clock().now(), "final check", "no progress", false, {}});
    return false;
  }

  // Reads back every key any write touched, through the writer, `read_back_batch` at a time;
  // the invariants judge what comes back (a read that started after an acknowledgement must see
  // it). A read refused while the writer is briefly re-recovering is asked again, up to
  // `progress_attempts` rounds.
  // Then, with replicas, reads every key again through the reader endpoint: the replicas serve
  // it at their read points, and the history checker judges those reads as replica reads.
  void read_back_every_key() {
    std::set<std::string> written;
    for (const check::operation& op : model_.history().operations()) {
      if (op.kind != check::op_kind::write || op.cluster != main_cluster) continue;
      for (const auto& [key, value] : op.puts) written.insert(model_.keys().name(key));
    }
    const std::size_t keys = written.size();
    std::set<std::string> pending = read_back(written, ops::endpoint::cluster());
    if (!pending.empty()) {
      result_.final_check_failure =
          std::to_string(pending.size()) + " key(s) could not be read back after recovery";
    } else if (model_.main().instances().size() > 1) {
      pending = read_back(written, ops::endpoint::reader());
      if (!pending.empty()) {
        result_.final_check_failure = std::to_string(pending.size()) +
                                      " key(s) could not be read back through the reader endpoint";
      }
    }
    for (const auto& each : clones_) {
      if (!pending.empty()) break;
      pending = read_back_clone(*each);
    }
    report({-1,
            model_.clock().now(),
            "final check",
            "read back " + std::to_string(keys) + " key(s)" +
                (clones_.empty() ? std::string()
                                 : " (and on " + std::to_string(clones_.size()) + " clone(s))"),
            result_.violations.empty() && pending.empty(),
            {}});
  }

  // A clone's keys (those main's writes before it touched, and its own), read back through its
  // writer; returns those no read answered.
  std::set<std::string> read_back_clone(const clone_run& copy) {
    const db::cluster& target = model_.cluster(copy.name);
    std::set<std::string> written;
    for (const check::operation& op : history_of(copy.name)) {
      if (op.kind != check::op_kind::write) continue;
      for (const auto& [key, value] : op.puts) written.insert(target.keys().name(key));
    }
    std::set<std::string> pending = read_back(written, ops::endpoint::cluster(), copy.name);
    if (!pending.empty()) {
      result_.final_check_failure = std::to_string(pending.size()) + " key(s) of clone " +
                                    copy.name + " could not be read back";
    }
    return pending;
  }

  // Reads `keys` through `via`, `read_back_batch` at a time, up to `progress_attempts` rounds;
  // returns the keys no read answered.
  std::set<std::string> read_back(const std::set<std::string>& keys, const ops::endpoint& via,
                                  const std::string& cluster = std::string(main_cluster)) {
    std::set<std::string> pending = keys;
    for (int round = 0; round < progress_attempts && !pending.empty(); ++round) {
      const std::vector<std::string> asked(pending.begin(), pending.end());
      for (std::size_t first = 0; first < asked.size(); first += read_back_batch) {
        read_back_batch_of(asked, first, pending, via, cluster);
      }
    }
    return pending;
  }

  // Reads `keys[first, first + read_back_batch)` and waits until each is answered or timed out
  // (reads are sequential on one client: at most one timeout each); answered keys leave
  // `pending`.
  void read_back_batch_of(const std::vector<std::string>& keys, std::size_t first,
                          std::set<std::string>& pending, const ops::endpoint& via,
                          const std::string& cluster) {
    const std::size_t count = std::min(read_back_batch, keys.size() - first);
    struct tally {
      std::size_t completed = 0;
      std::vector<std::string> answered;
    };
    auto seen = std::make_shared<tally>();
    for (std::size_t index = first; index < first + count; ++index) {
      check::operation read;
      read.kind = check::op_kind::read;
      read.key = *model_.cluster(cluster).keys().find(keys[index]);
      read.from = via;
      read.cluster = cluster;
      start_final_operation(std::move(read), [seen, key = keys[index]](const check::operation& op) {
        ++seen->completed;
        if (op.status == check::op_status::ok) seen->answered.push_back(key);
      });
    }
    advance_until([&seen, count] { return seen->completed == count; },
                  final_check_op_timeout * static_cast<std::int64_t>(count));
    for (const std::string& key : seen->answered) pending.erase(key);
  }

  scenario plan_;
  run_options options_;
  ops::setup setup_;
  db::world world_;
  check::fact_log facts_;  // what main's instances decide, for the checker
  ops::deployment model_;
  check::invariant_checker checker_;
  std::vector<std::unique_ptr<clone_run>> clones_;
  check::linearizability_result history_check_;  // copied into result_.violations too
  run_result result_;
  listener on_report_;
  sim::time_point last_step_at_{};
  // When every step's operation has had its time: its start, its hold and op_timeout.
  sim::time_point quiet_at_{};
  int steps_performed_ = 0;
  std::unique_ptr<ops::client> final_client_;  // made by the final check (final_client())
  std::size_t reader_turn_ = 0;                // the final check's reader endpoint round robin
};

}  // namespace aurora::harness

#if AURORA_HEADER_ONLY
#include "aurora/harness/impl/runner.ipp"
#endif
