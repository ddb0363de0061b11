# The consumer test, run by CTest with cmake -P. It proves that an installed aurora works for
# an outside project through find_package(aurora):
#   1. install the build tree into a fresh prefix,
#   2. configure tests/consumer (a separate project) against that prefix, in a fresh build dir,
#   3. build it with the same generator and compiler as the main build,
#   4. run the program and compare its output with EXPECTED_OUTPUT.
cmake_minimum_required(VERSION 3.21)

foreach(required AURORA_BUILD_DIR CONSUMER_SOURCE_DIR CONSUMER_PREFIX CONSUMER_BUILD_DIR
                 GENERATOR CXX_COMPILER EXPECTED_OUTPUT)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "consumer test: -D${required}=... is required")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()

# Runs one step; stops the test with the step's name and output when it fails.
function(consumer_step name)
  message(STATUS "consumer test: ${name}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message("${command}\n${output}")  # printed as is, not re-wrapped like FATAL_ERROR text
    message(FATAL_ERROR "consumer test: step '${name}' failed (${result}); "
      "its command and output are above")
  endif()
  set(step_output "${output}" PARENT_SCOPE)
endfunction()

# 1. Install into a fresh prefix.
file(REMOVE_RECURSE "${CONSUMER_PREFIX}" "${CONSUMER_BUILD_DIR}")
consumer_step("install aurora into ${CONSUMER_PREFIX}"
  "${CMAKE_COMMAND}" --install "${AURORA_BUILD_DIR}" --prefix "${CONSUMER_PREFIX}"
  --config "${CONFIG}")

# 2. Configure the consumer against the prefix only (no package registries).
set(configure_args
  -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BUILD_DIR}" -G "${GENERATOR}"
  "-DCMAKE_PREFIX_PATH=${CONSUMER_PREFIX}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${CONFIG}"
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if(GENERATOR_PLATFORM)
  list(APPEND configure_args -A "${GENERATOR_PLATFORM}")
endif()
if(GENERATOR_TOOLSET)
  list(APPEND configure_args -T "${GENERATOR_TOOLSET}")
endif()
if(MAKE_PROGRAM)
  list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
consumer_step("configure ${CONSUMER_SOURCE_DIR}" "${CMAKE_COMMAND}" ${configure_args})

# The package must come from the fresh prefix, not from the source or build tree.
file(STRINGS "${CONSUMER_BUILD_DIR}/CMakeCache.txt" aurora_dir_line REGEX "^aurora_DIR:")
string(REGEX REPLACE "^aurora_DIR:[A-Z]*=" "" aurora_dir "${aurora_dir_line}")
string(FIND "${aurora_dir}" "${CONSUMER_PREFIX}/" prefix_position)
if(NOT prefix_position EQUAL 0)
  message(FATAL_ERROR "consumer test: find_package(aurora) used '${aurora_dir}', "
    "which is not inside the fresh prefix ${CONSUMER_PREFIX}")
endif()

# 3. Build.
consumer_step("build" "${CMAKE_COMMAND}" --build "${CONSUMER_BUILD_DIR}" --config "${CONFIG}")

# 4. Run and check the output.
set(program "${CONSUMER_BUILD_DIR}/aurora-consumer")
if(NOT EXISTS "${program}" AND NOT EXISTS "${program}.exe")
  set(program "${CONSUMER_BUILD_DIR}/${CONFIG}/aurora-consumer")  # multi-config generators
endif()
consumer_step("run ${program}" "${program}")
string(STRIP "${step_output}" actual)
if(NOT actual STREQUAL EXPECTED_OUTPUT)
  message(FATAL_ERROR "consumer test: the program printed '${actual}', "
    "expected '${EXPECTED_OUTPUT}'")
endif()
message(STATUS "consumer test: passed; the program printed '${actual}'")
