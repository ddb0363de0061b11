# Helpers the subdirectories (tests, property-tests, bench, harness, tutorials, traces) use to
# declare their programs and tests the same way everywhere.
#
#   aurora_target_defaults(<target>)
#   aurora_add_test(NAME <name> SOURCES <src>... [LABELS <label>...] [LIBS <lib>...]
#                   [ARGS <arg>...] [TIMEOUT <seconds>] [WORKING_DIRECTORY <dir>])
#   aurora_add_golden_test(NAME <name> COMMAND <program-or-target> [<arg>...] GOLDEN <file>
#                          [LABELS <label>...] [EXIT_CODE <n>] [TIMEOUT <seconds>]
#                          [WORKING_DIRECTORY <dir>])
#   aurora_add_compile_fail_test(NAME <name> SOURCE <src> [REGEX <regex>] [LABELS <label>...]
#                                [LIBS <lib>...])
#
# Labels in use: unit, property, tutorial, example, consumer.

include_guard(GLOBAL)

set(AURORA_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(AURORA_TEST_TIMEOUT_DEFAULT 300 CACHE STRING "Default CTest timeout per test, in seconds")

# Project defaults for a program built in this repository: C++20 without extensions, the
# warning set, and aurora::aurora (aurora::compiled when AURORA_SEPARATE_COMPILATION is on: the
# model's entry points from the library, include/aurora/config.hpp). The warnings go on the program, never on the exported
# interface, so consumers keep their own warning choices.
#
# aurora::aurora (like LIBS in the helpers below) is appended to LINK_LIBRARIES directly, which
# is what target_link_libraries(PRIVATE) does for a program, so that the caller may use either
# the keyword or the plain target_link_libraries signature afterwards.
function(aurora_target_defaults target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "aurora_target_defaults: '${target}' is not a target")
  endif()
  set_target_properties(${target} PROPERTIES
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON
    CXX_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(AURORA_SEPARATE_COMPILATION AND NOT target STREQUAL "aurora_compiled")
    set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES aurora::compiled)
  else()
    set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES aurora::aurora)
  endif()
endfunction()

# CTest properties shared by every aurora test: labels, a timeout (a limit on everything), and
# sanitizer settings when AURORA_SANITIZE is on. `labels` is a list.
function(_aurora_set_test_properties name timeout labels)
  if(NOT timeout)
    set(timeout ${AURORA_TEST_TIMEOUT_DEFAULT})
  endif()
  set_property(TEST ${name} PROPERTY TIMEOUT ${timeout})
  set_property(TEST ${name} PROPERTY LABELS ${labels})
  if(AURORA_SANITIZE)
    set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT
      "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
      "ASAN_OPTIONS=strict_string_checks=1:detect_stack_use_after_return=1")
  endif()
endfunction()

# One executable = one CTest test (plain add_test, not gtest_discover_tests: one process per
# test file keeps ctest fast and the test list stable without building first).
function(aurora_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;TIMEOUT;WORKING_DIRECTORY"
                        "SOURCES;LABELS;LIBS;ARGS")
  if(NOT arg_NAME OR NOT arg_SOURCES)
    message(FATAL_ERROR "aurora_add_test: NAME and SOURCES are required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "aurora_add_test(${arg_NAME}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  add_executable(${arg_NAME} ${arg_SOURCES})
  aurora_target_defaults(${arg_NAME})
  set_property(TARGET ${arg_NAME} APPEND PROPERTY LINK_LIBRARIES ${arg_LIBS})  # = PRIVATE
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  add_test(NAME ${arg_NAME} COMMAND ${arg_NAME} ${arg_ARGS}
           WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}")
  _aurora_set_test_properties(${arg_NAME} "${arg_TIMEOUT}" "${arg_LABELS}")
endfunction()

# Runs a program and compares its standard output byte for byte with a golden file (output is
# deterministic, so any difference is a real change). On a mismatch the actual output is kept
# next to the test as <name>.actual and a diff is printed. Run ctest with AURORA_UPDATE_GOLDEN=1
# in the environment to rewrite the golden files instead.
function(aurora_add_golden_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;GOLDEN;EXIT_CODE;TIMEOUT;WORKING_DIRECTORY"
                        "COMMAND;LABELS")
  if(NOT arg_NAME OR NOT arg_COMMAND OR NOT arg_GOLDEN)
    message(FATAL_ERROR "aurora_add_golden_test: NAME, COMMAND and GOLDEN are required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "aurora_add_golden_test(${arg_NAME}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  cmake_path(ABSOLUTE_PATH arg_GOLDEN BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT DEFINED arg_EXIT_CODE)
    set(arg_EXIT_CODE 0)
  endif()
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  endif()
  list(POP_FRONT arg_COMMAND program)
  if(TARGET ${program})
    set(program "$<TARGET_FILE:${program}>")
  endif()
  add_test(NAME ${arg_NAME}
    COMMAND "${CMAKE_COMMAND}"
      "-DGOLDEN=${arg_GOLDEN}"
      "-DACTUAL=${CMAKE_CURRENT_BINARY_DIR}/${arg_NAME}.actual"
      "-DEXIT_CODE=${arg_EXIT_CODE}"
      -P "${AURORA_CMAKE_DIR}/golden-test.cmake" -- "${program}" ${arg_COMMAND}
    WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}")
  _aurora_set_test_properties(${arg_NAME} "${arg_TIMEOUT}" "${arg_LABELS}")
endfunction()

# A source file that must NOT compile (an unsafe quorum configuration, say). The target is
# excluded from the normal build; the test builds it and passes only if the build fails, and,
# when REGEX is given, only if the compiler output matches it (give the static_assert message,
# so that an unrelated error such as a typo does not count as a pass).
function(aurora_add_compile_fail_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;SOURCE;REGEX" "LABELS;LIBS")
  if(NOT arg_NAME OR NOT arg_SOURCE)
    message(FATAL_ERROR "aurora_add_compile_fail_test: NAME and SOURCE are required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "aurora_add_compile_fail_test(${arg_NAME}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  add_library(${arg_NAME} OBJECT EXCLUDE_FROM_ALL ${arg_SOURCE})
  set_target_properties(${arg_NAME} PROPERTIES EXCLUDE_FROM_DEFAULT_BUILD ON)
  aurora_target_defaults(${arg_NAME})
  set_property(TARGET ${arg_NAME} APPEND PROPERTY LINK_LIBRARIES ${arg_LIBS})  # = PRIVATE
  add_test(NAME ${arg_NAME}
    COMMAND "${CMAKE_COMMAND}" --build "${PROJECT_BINARY_DIR}" --target ${arg_NAME}
            --config $<CONFIG>)
  _aurora_set_test_properties(${arg_NAME} "" "${arg_LABELS}")
  # Only one build may run in the build directory at a time.
  set_property(TEST ${arg_NAME} PROPERTY RESOURCE_LOCK aurora_build_directory)
  if(arg_REGEX)
    # WILL_FAIL and PASS_REGULAR_EXPRESSION do not combine; the regex alone suffices because a
    # successful build never prints the static_assert message.
    set_property(TEST ${arg_NAME} PROPERTY PASS_REGULAR_EXPRESSION "${arg_REGEX}")
  else()
    set_property(TEST ${arg_NAME} PROPERTY WILL_FAIL ON)
  endif()
endfunction()
