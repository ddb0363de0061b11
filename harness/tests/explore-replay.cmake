# explore is deterministic and its saved failures replay: runs a range of seeds of an unsafe
# variant once with --jobs 1 and once with --jobs 2, requires the same failing seeds and
# byte-identical saved scenarios and traces, then replays every saved scenario with
# `aurora-harness run` and requires it to fail again (exit status 1).
#   cmake -DHARNESS=<aurora-harness> -DSEEDS=<A..B> -DVARIANT=<name> -DWORK=<dir>
#         -P explore-replay.cmake
cmake_minimum_required(VERSION 3.21)

foreach(required HARNESS SEEDS VARIANT WORK)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "explore-replay: -D${required}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")

function(explore jobs)
  execute_process(COMMAND "${HARNESS}" explore --seeds ${SEEDS} --variant ${VARIANT} --steps 20
                          --jobs ${jobs} --out "${WORK}/jobs-${jobs}"
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 1)
    message(FATAL_ERROR "explore-replay: explore --jobs ${jobs} exited ${result}, expected 1 "
                        "(the unsafe variant ${VARIANT} should fail some seed)\n${out}${err}")
  endif()
  # Everything but the wall-clock figures must not depend on --jobs.
  string(REGEX REPLACE "jobs=[0-9]+ out=[^\n]*" "" out "${out}")
  string(REGEX REPLACE "jobs-[0-9]+" "jobs-N" out "${out}")
  string(REGEX REPLACE "\nslowest seeds:[^\n]*" "" out "${out}")
  string(REGEX REPLACE "\nspeed:[^\n]*" "" out "${out}")
  set(output_${jobs} "${out}" PARENT_SCOPE)
endfunction()

explore(1)
explore(2)
if(NOT output_1 STREQUAL output_2)
  message(FATAL_ERROR
    "explore-replay: --jobs 1 and --jobs 2 disagree:\n${output_1}\n---\n${output_2}")
endif()

file(GLOB saved RELATIVE "${WORK}/jobs-1" "${WORK}/jobs-1/seed-*")
if(NOT saved)
  message(FATAL_ERROR "explore-replay: no failure was saved in ${WORK}/jobs-1")
endif()
foreach(name IN LISTS saved)
  # The saved scenario's comment names its own path (jobs-1/ or jobs-2/); nothing else may differ.
  file(READ "${WORK}/jobs-1/${name}" one)
  file(READ "${WORK}/jobs-2/${name}" two)
  string(REPLACE "jobs-1" "jobs-N" one "${one}")
  string(REPLACE "jobs-2" "jobs-N" two "${two}")
  if(NOT one STREQUAL two)
    message(FATAL_ERROR "explore-replay: ${name} differs between --jobs 1 and --jobs 2")
  endif()
  if(name MATCHES "\\.scn$")
    execute_process(COMMAND "${HARNESS}" run "${WORK}/jobs-1/${name}" --quiet
                    RESULT_VARIABLE result OUTPUT_VARIABLE out)
    if(NOT result EQUAL 1)
      message(FATAL_ERROR "explore-replay: the saved ${name} does not fail on replay (exit "
                          "${result})\n${out}")
    endif()
  endif()
endforeach()
