# Helpers shared by the module CMakeLists files.

# postern_unit_test(NAME SOURCES... LIBS ...): one GoogleTest binary, its tests
# discovered by ctest.
function(postern_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} postern_test_support GTest::gtest
                                        GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit TIMEOUT 120)
endfunction()

# postern_use_server_allocator(TARGET): links jemalloc into a server binary.
# Every request allocates on the I/O threads and every row on the store
# writer; glibc's malloc (arena locks, free-list consolidation) took about a
# tenth of both cores in the end-to-end benchmark, jemalloc about half that.
# The sanitizer builds keep their own allocator.
function(postern_use_server_allocator target)
  if(TARGET PkgConfig::JEMALLOC)
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()
