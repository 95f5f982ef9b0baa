# Helpers shared by the module CMakeLists files.

# postern_unit_test(NAME SOURCES... LIBS ...): one GoogleTest binary, its tests
# discovered by ctest.
function(postern_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} postern_test_support GTest::gtest GTest::gmock
                                        GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit TIMEOUT 120)
endfunction()
