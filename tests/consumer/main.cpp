// The consumer program: includes the installed umbrella header, runs a one-write simulation,
// and prints a simulated duration the way the scenario language writes it. The consumer test
// expects exactly "5ms"; a write the model did not acknowledge makes the program fail.
#include <aurora/aurora.hpp>
#include <iostream>

int main() {
  aurora::ops::simulation model({.seed = 7});
  model.write("c1", {{"x", 1}});
  model.run_until(aurora::sim::ms(10));
  if (model.history().at(0).status != aurora::ops::op_status::ok) return 1;
  std::cout << aurora::sim::to_string(aurora::sim::ms(5)) << '\n';
  return 0;
}
