# Same seed, same bytes (DESIGN.md §3, "Determinism rules"): runs one scenario twice with
# --jsonl and --dot and requires byte-identical files, then once with another --seed and requires
# different bytes (so the seed really reaches the model).
#   cmake -DHARNESS=<aurora-harness> -DSCENARIO=<file.scn> -DWORK=<dir> -DOTHER_SEED=<n>
#         -P determinism.cmake
cmake_minimum_required(VERSION 3.21)

foreach(required HARNESS SCENARIO WORK OTHER_SEED)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "determinism: -D${required}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

function(run_traced name)
  execute_process(COMMAND "${HARNESS}" run "${SCENARIO}" ${ARGN} --quiet
                          --jsonl "${WORK}/${name}.jsonl" --dot "${WORK}/${name}.dot"
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0 AND NOT result EQUAL 1)
    message(FATAL_ERROR "determinism: run ${name} exited ${result}\n${out}${err}")
  endif()
  file(WRITE "${WORK}/${name}.out" "${out}")
endfunction()

run_traced(first)
run_traced(second)
run_traced(other --seed ${OTHER_SEED})

foreach(kind jsonl dot out)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files
                          "${WORK}/first.${kind}" "${WORK}/second.${kind}" RESULT_VARIABLE same)
  if(NOT same EQUAL 0)
    message(FATAL_ERROR "determinism: two runs with the same seed wrote different .${kind} files "
                        "(${WORK}/first.${kind}, ${WORK}/second.${kind})")
  endif()
endforeach()
foreach(kind jsonl dot)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files
                          "${WORK}/first.${kind}" "${WORK}/other.${kind}" RESULT_VARIABLE same)
  if(same EQUAL 0)
    message(FATAL_ERROR "determinism: --seed ${OTHER_SEED} wrote the same .${kind} bytes as the "
                        "scenario's own seed; the seed does not reach the model")
  endif()
endforeach()
file(SIZE "${WORK}/first.jsonl" bytes)
if(bytes EQUAL 0)
  message(FATAL_ERROR "determinism: the JSON Lines trace is empty")
endif()
