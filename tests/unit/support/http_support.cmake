# Test support that needs Asio, Beast and OpenSSL (the loopback acceptor the
# scripted servers share, the recording HTTP server and throwaway
# certificates). Included by each test folder that uses it; the
# target is defined once.
if(NOT TARGET postern_test_http_support)
  add_library(postern_test_http_support STATIC
    ${PROJECT_SOURCE_DIR}/tests/unit/support/loopback_acceptor.cpp
    ${PROJECT_SOURCE_DIR}/tests/unit/support/recording_http_server.cpp
    ${PROJECT_SOURCE_DIR}/tests/unit/support/test_pki.cpp)
  target_include_directories(postern_test_http_support PUBLIC ${PROJECT_SOURCE_DIR}/tests/unit)
  target_link_libraries(postern_test_http_support PUBLIC Boost::system OpenSSL::SSL OpenSSL::Crypto
                                                         Threads::Threads)
endif()
