// The compiled mode's library (include/aurora/config.hpp): the model's entry points, defined
// once. Built with AURORA_SEPARATE_COMPILATION, as is every program that links it (the CMake
// target aurora::compiled says so), so AURORA_DECL is empty here and each definition below is
// an ordinary, external one.
#ifndef AURORA_SEPARATE_COMPILATION
#error "src/compiled.cpp is the compiled mode's library: build it with AURORA_SEPARATE_COMPILATION"
#endif

#include "aurora/check/impl/invariants.ipp"
#include "aurora/harness/impl/runner.ipp"
#include "aurora/ops/impl/deployment.ipp"
