# Checks of `aurora-harness experiment NAME` (docs/experiments.md), one MODE per CTest test:
#   cmake -DHARNESS=<aurora-harness> -DNAME=<experiment> -DWORK=<dir> -DMODE=<mode>
#         [-DCOMMITTED=<docs/experiments/NAME.csv>] [-DSVG=ON] -P experiment.cmake
# MODE is
#  - determinism: two runs with the default seed write the same CSV bytes (and, with -DSVG=ON,
#    the same SVG bytes: gnuplot adds nothing that varies);
#  - up-to-date: the CSV equals the committed one (docs/experiments/NAME.csv), so that the docs
#    cannot show numbers the model no longer gives; `cmake --build build --target experiments`
#    writes them again;
#  - sanity: what must hold of the numbers. replica-lag: a positive mean and a 99th percentile at
#    least the mean, at every rate. failover-*: 12 rows; through the proxy or a topology-aware
#    driver a write is acknowledged (not `inf`) and no later than through DNS cached for ever
#    (the client that can never learn of the new writer), whatever the dns column says.
cmake_minimum_required(VERSION 3.21)

foreach(required HARNESS NAME WORK MODE)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "experiment: -D${required}=... is required")
  endif()
endforeach()
file(MAKE_DIRECTORY "${WORK}")

# Runs the experiment into ${WORK}/<tag>.csv (and .svg with SVG); exit status 0 required.
function(run_experiment tag)
  set(outputs --csv "${WORK}/${tag}.csv")
  if(SVG)
    list(APPEND outputs --svg "${WORK}/${tag}.svg")
  endif()
  execute_process(COMMAND "${HARNESS}" experiment "${NAME}" ${outputs}
                  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "experiment ${NAME}: exited ${result}\n${out}${err}")
  endif()
endfunction()

function(require_same left right what)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${left}" "${right}"
                  RESULT_VARIABLE same)
  if(NOT same EQUAL 0)
    message(FATAL_ERROR "experiment ${NAME}: ${what} (${left}, ${right})")
  endif()
endfunction()

# Seconds as text to thousandths, an integer (CMake's math has no decimals); inf stays inf.
function(to_thousandths text out)
  if(text STREQUAL "inf")
    set(${out} inf PARENT_SCOPE)
    return()
  endif()
  if(NOT text MATCHES "^([0-9]+)\\.([0-9][0-9][0-9])$")
    message(FATAL_ERROR "experiment ${NAME}: '${text}' is not a number with three decimals")
  endif()
  math(EXPR value "${CMAKE_MATCH_1} * 1000 + 1${CMAKE_MATCH_2} - 1000")
  set(${out} ${value} PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "determinism")
  run_experiment(first)
  run_experiment(second)
  require_same("${WORK}/first.csv" "${WORK}/second.csv"
               "two runs with the same seed wrote different CSV bytes")
  if(SVG)
    require_same("${WORK}/first.svg" "${WORK}/second.svg"
                 "two runs with the same seed drew different SVG bytes")
  endif()
elseif(MODE STREQUAL "up-to-date")
  run_experiment(current)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/current.csv"
                          "${COMMITTED}" RESULT_VARIABLE same)
  if(NOT same EQUAL 0)
    file(READ "${WORK}/current.csv" current)
    message(FATAL_ERROR "experiment ${NAME}: the model now gives\n${current}which is not the "
            "committed ${COMMITTED}. If the change is meant, run `cmake --build build --target "
            "experiments` (it rewrites docs/experiments/*.csv and *.svg) and update the tables "
            "and the text of docs/experiments.md.")
  endif()
elseif(MODE STREQUAL "sanity")
  run_experiment(sanity)
  file(STRINGS "${WORK}/sanity.csv" lines)
  list(POP_FRONT lines header)
  if(NAME STREQUAL "replica-lag")
    if(NOT header STREQUAL "writes_per_s,lag_ms,lag_p99_ms")
      message(FATAL_ERROR "experiment ${NAME}: unexpected header '${header}'")
    endif()
    foreach(line IN LISTS lines)
      string(REPLACE "," ";" fields "${line}")
      list(GET fields 1 mean_text)
      list(GET fields 2 p99_text)
      to_thousandths("${mean_text}" mean)
      to_thousandths("${p99_text}" p99)
      if(mean LESS_EQUAL 0 OR p99 LESS mean)
        message(FATAL_ERROR "experiment ${NAME}: '${line}': expected 0 < mean <= p99")
      endif()
    endforeach()
  else()
    if(NOT header STREQUAL "via,dns,downtime_s")
      message(FATAL_ERROR "experiment ${NAME}: unexpected header '${header}'")
    endif()
    list(LENGTH lines rows)
    if(NOT rows EQUAL 12)
      message(FATAL_ERROR "experiment ${NAME}: ${rows} rows, expected 12")
    endif()
    set(forever "")
    foreach(line IN LISTS lines)
      if(line MATCHES "^dns,forever,(.*)$")
        to_thousandths("${CMAKE_MATCH_1}" forever)
      endif()
    endforeach()
    foreach(line IN LISTS lines)
      if(NOT line MATCHES "^(proxy|smart),[^,]+,(.*)$")
        continue()
      endif()
      to_thousandths("${CMAKE_MATCH_2}" downtime)
      if(downtime STREQUAL "inf")
        message(FATAL_ERROR "experiment ${NAME}: '${line}': no write acknowledged through the "
                            "proxy or a topology-aware driver")
      endif()
      if(NOT forever STREQUAL "inf" AND downtime GREATER forever)
        message(FATAL_ERROR "experiment ${NAME}: '${line}' is longer than the downtime of a "
                            "client that caches DNS for ever")
      endif()
    endforeach()
  endif()
else()
  message(FATAL_ERROR "experiment: unknown MODE '${MODE}'")
endif()
