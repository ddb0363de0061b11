# Golden-file check, run by CTest as:
#   cmake -DGOLDEN=<file> -DACTUAL=<file> [-DEXIT_CODE=<n>] -P golden-test.cmake -- <program> <args>...
# Runs the program, compares its standard output byte for byte with GOLDEN, and on a mismatch
# keeps the actual output in ACTUAL and prints a unified diff. With AURORA_UPDATE_GOLDEN=1 in
# the environment it rewrites GOLDEN instead. Standard error is passed through, not compared.
cmake_minimum_required(VERSION 3.21)

foreach(required GOLDEN ACTUAL)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "golden-test: -D${required}=... is required")
  endif()
endforeach()
if(NOT DEFINED EXIT_CODE)
  set(EXIT_CODE 0)
endif()

# The command is everything after "--".
set(command "")
set(in_command FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(in_command)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(in_command TRUE)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "golden-test: no command after '--'")
endif()

execute_process(COMMAND ${command} OUTPUT_VARIABLE actual RESULT_VARIABLE result)
if(NOT result STREQUAL "${EXIT_CODE}")
  message("${actual}")
  message(FATAL_ERROR "golden-test: '${command}' exited with '${result}', expected ${EXIT_CODE} "
    "(its standard output is above)")
endif()

if("$ENV{AURORA_UPDATE_GOLDEN}" STREQUAL "1")
  file(WRITE "${GOLDEN}" "${actual}")
  message(STATUS "golden-test: updated ${GOLDEN}")
  return()
endif()

if(NOT EXISTS "${GOLDEN}")
  file(WRITE "${ACTUAL}" "${actual}")
  message(FATAL_ERROR "golden-test: golden file ${GOLDEN} does not exist; the output is in "
    "${ACTUAL}.\nRun with AURORA_UPDATE_GOLDEN=1 to create it.")
endif()
file(READ "${GOLDEN}" expected)
if(actual STREQUAL expected)
  file(REMOVE "${ACTUAL}")
  return()
endif()

file(WRITE "${ACTUAL}" "${actual}")
find_program(DIFF_EXECUTABLE diff)
if(DIFF_EXECUTABLE)
  execute_process(COMMAND "${DIFF_EXECUTABLE}" -u "${GOLDEN}" "${ACTUAL}" OUTPUT_VARIABLE diff)
else()
  set(diff "expected:\n${expected}\nactual:\n${actual}")
endif()
message("${diff}")  # plain message(): printed as is, not re-wrapped like FATAL_ERROR text
message(FATAL_ERROR "golden-test: output differs from ${GOLDEN} (diff above; actual output in "
  "${ACTUAL}). If the change is intended, rerun with AURORA_UPDATE_GOLDEN=1 and review it.")
