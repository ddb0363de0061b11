# Builds the scenario parser's libFuzzer target with clang++ and fuzzes it for SECONDS seconds,
# starting from a copy of the example scenarios. Run by CTest as one test (cmake -P).
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus")
file(GLOB seeds "${CORPUS}/*.scn")
if(seeds)
  file(COPY ${seeds} DESTINATION "${WORK}/corpus")
endif()
execute_process(
  COMMAND "${CLANGXX}" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined
          -I "${INCLUDE}" "${SOURCE}" -o "${WORK}/scenario_fuzz"
  RESULT_VARIABLE built)
if(NOT built EQUAL 0)
  message(FATAL_ERROR "fuzz-test: clang++ could not build the fuzz target")
endif()
execute_process(
  COMMAND "${WORK}/scenario_fuzz" -max_total_time=${SECONDS} -max_len=4096
          -print_final_stats=1 "${WORK}/corpus"
  WORKING_DIRECTORY "${WORK}" RESULT_VARIABLE fuzzed)
if(NOT fuzzed EQUAL 0)
  message(FATAL_ERROR "fuzz-test: the fuzzer found a crash (see the artifact in ${WORK})")
endif()
