// Header-only or compiled: how the model's heavy entry points are defined.
//
// By default the toolkit is header-only: include a header and use it. A program that includes
// the whole model pays for compiling it (a tutorial's translation unit spends most of its time
// optimising the storage nodes, the writer and the checkers). The compiled mode, as {fmt} and
// Asio offer it, builds those once into a static library:
//
//   - define AURORA_SEPARATE_COMPILATION for every translation unit (CMake: link the target
//     `aurora::compiled` instead of `aurora::aurora`, which defines it for you), and
//   - link the library built from src/compiled.cpp.
//
// What moves into the library is chosen by where code is reached from, not by size: the roots
// through which a program enters the model (building and destroying a deployment or a
// simulation, its client operations, faults, actions and settling, the invariant checker's
// pass, and the harness runner's run, step and finish). Those are declared in their class and
// defined in an `impl/*.ipp` file with AURORA_DECL: `inline` and included at the end of the
// header in header-only mode; plain, and compiled once, in the compiled mode. Everything behind
// them (clusters, instances, storage nodes, the network over the message type, the checkers) is
// then instantiated only in the library, so it needs no `extern template`. Everything else stays
// inline and is compiled only where it is used.
#pragma once

#if defined(AURORA_SEPARATE_COMPILATION)
#define AURORA_HEADER_ONLY 0
#define AURORA_DECL
#else
#define AURORA_HEADER_ONLY 1
#define AURORA_DECL inline
#endif
