// The consumer program: includes an installed aurora header and prints a simulated duration
// the way the scenario language writes it. The consumer test expects exactly "5ms".
#include <aurora/sim/time.hpp>
#include <iostream>

int main() {
  std::cout << aurora::sim::to_string(aurora::sim::ms(5)) << '\n';
  return 0;
}
