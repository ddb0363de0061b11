# Checks that a tutorial README quotes its golden files exactly, run by CTest as:
#   cmake -DREADME=<README.md> -DGOLDEN_DIR=<dir> -P readme-outputs.cmake
# A quoted output is marked in the README by an HTML comment (invisible on GitHub) on the line
# before a ```text block:
#   <!-- output: quorum_table.golden -->
#   ```text
#   ...the golden file, byte for byte...
#   ```
# The test fails, naming each stale block, when a block differs from its golden file, or when a
# golden file of GOLDEN_DIR is quoted nowhere. With AURORA_UPDATE_GOLDEN=1 in the environment it
# rewrites the blocks from the golden files instead (the golden tests run first: DEPENDS).
cmake_minimum_required(VERSION 3.21)

foreach(required README GOLDEN_DIR)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "readme-outputs: -D${required}=... is required")
  endif()
endforeach()

file(READ "${README}" rest)
set(marker "<!-- output: ")
set(opening " -->\n```text\n")
string(LENGTH "${marker}" marker_length)
string(LENGTH "${opening}" opening_length)
set(result "")
set(stale "")
set(quoted "")
while(TRUE)
  string(FIND "${rest}" "${marker}" start)
  if(start EQUAL -1)
    break()
  endif()
  # Copy the text before the marker, then read the golden file's name.
  string(SUBSTRING "${rest}" 0 ${start} before)
  string(APPEND result "${before}")
  string(SUBSTRING "${rest}" ${start} -1 rest)
  string(FIND "${rest}" "${opening}" name_end)
  if(name_end EQUAL -1)
    message(FATAL_ERROR "readme-outputs: ${README}: an output marker is not followed by "
      "' -->' and a ```text block")
  endif()
  math(EXPR name_length "${name_end} - ${marker_length}")
  string(SUBSTRING "${rest}" ${marker_length} ${name_length} name)
  math(EXPR body_start "${name_end} + ${opening_length}")
  string(SUBSTRING "${rest}" 0 ${body_start} header)
  string(SUBSTRING "${rest}" ${body_start} -1 rest)
  # The block ends at the first line that is a closing fence.
  string(FIND "${rest}" "\n```\n" body_end)
  if(body_end EQUAL -1)
    message(FATAL_ERROR "readme-outputs: ${README}: the block quoting ${name} is not closed")
  endif()
  math(EXPR body_end "${body_end} + 1")
  string(SUBSTRING "${rest}" 0 ${body_end} body)
  string(SUBSTRING "${rest}" ${body_end} -1 rest)
  if(NOT EXISTS "${GOLDEN_DIR}/${name}")
    message(FATAL_ERROR "readme-outputs: ${README} quotes ${name}, which is not in ${GOLDEN_DIR}")
  endif()
  file(READ "${GOLDEN_DIR}/${name}" golden)
  list(APPEND quoted "${name}")
  if(NOT body STREQUAL golden)
    list(APPEND stale "${name}")
  endif()
  string(APPEND result "${header}${golden}")
endwhile()
string(APPEND result "${rest}")

file(GLOB goldens RELATIVE "${GOLDEN_DIR}" "${GOLDEN_DIR}/*.golden")
set(unquoted "")
foreach(golden IN LISTS goldens)
  if(NOT golden IN_LIST quoted)
    list(APPEND unquoted "${golden}")
  endif()
endforeach()
if(unquoted)
  message(FATAL_ERROR "readme-outputs: ${README} does not quote ${unquoted}")
endif()

if(NOT stale)
  return()
endif()
if("$ENV{AURORA_UPDATE_GOLDEN}" STREQUAL "1")
  file(WRITE "${README}" "${result}")
  message(STATUS "readme-outputs: updated ${stale} in ${README}")
  return()
endif()
message(FATAL_ERROR "readme-outputs: ${README} quotes an old version of ${stale}. Rerun with "
  "AURORA_UPDATE_GOLDEN=1 to copy the golden files into it, and review the text around them.")
