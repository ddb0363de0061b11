# One picture of the trace gallery (traces/README.md), made or checked.
#   cmake -DHARNESS=<aurora-harness> -DSCENARIO=<file.scn> -DWINDOW=<FROM..TO> -DEXIT=<0|1>
#         -DNAME=<name> -DMODE=render -DOUT_DIR=<traces dir> [-DRENDER_SVG=ON]
#         -P gallery-trace.cmake
#   ... -DMODE=check -DOUT_DIR=<scratch dir> -DCOMMITTED_DIR=<traces dir> -P gallery-trace.cmake
# render writes OUT_DIR/NAME.dot (and NAME.svg through Graphviz); check writes the DOT into a
# scratch directory and compares it byte for byte with the committed one, so the pictures in
# the repository stay in step with the code. The run must exit with EXIT (0 for the safe
# examples, 1 for the unsafe ones); anything else means the scenario itself changed meaning.
cmake_minimum_required(VERSION 3.21)

foreach(required HARNESS SCENARIO WINDOW EXIT NAME MODE OUT_DIR)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "gallery-trace: -D${required}=... is required")
  endif()
endforeach()
file(MAKE_DIRECTORY "${OUT_DIR}")
set(outputs --dot "${OUT_DIR}/${NAME}.dot")
if(MODE STREQUAL "render" AND RENDER_SVG)
  list(APPEND outputs --svg "${OUT_DIR}/${NAME}.svg")
endif()

execute_process(COMMAND "${HARNESS}" run "${SCENARIO}" --quiet --window "${WINDOW}" ${outputs}
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result STREQUAL "${EXIT}")
  message(FATAL_ERROR "gallery-trace: ${NAME}: aurora-harness exited ${result}, expected ${EXIT}"
                      "\n${out}${err}")
endif()
if(MODE STREQUAL "render")
  message(STATUS "gallery: wrote ${OUT_DIR}/${NAME}.dot")
  return()
endif()

if(NOT DEFINED COMMITTED_DIR)
  message(FATAL_ERROR "gallery-trace: -DCOMMITTED_DIR=... is required with MODE=check")
endif()
if(NOT EXISTS "${COMMITTED_DIR}/${NAME}.dot")
  message(FATAL_ERROR "gallery-trace: traces/${NAME}.dot is missing. Make the gallery with: "
                      "cmake --build build --target gallery")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files
                        "${OUT_DIR}/${NAME}.dot" "${COMMITTED_DIR}/${NAME}.dot"
                RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  message(FATAL_ERROR "gallery-trace: traces/${NAME}.dot is out of date: the code now draws "
                      "${OUT_DIR}/${NAME}.dot. Regenerate the gallery (DOT and SVG) with: "
                      "cmake --build build --target gallery")
endif()
