// A private PostgreSQL 15 for the tests of the PostgreSQL store: initdb into
// a temporary directory, started with pg_ctl on 127.0.0.1 at a free port
// with its unix socket in that directory, fsync and synchronous_commit on
// (what production runs), stopped when the test binary ends.
//
// One server per test binary (starting one takes about a second); each test
// takes a fresh database of its own (create_database), so tests never see
// each other's rows. Debian's postgresql-15 package provides the binaries
// (scripts/bootstrap.sh); POSTERN_PG_BIN names another directory. When they
// are missing a test skips on a developer's machine and fails in CI
// (POSTERN_CI=1 or CI=true), so CI never stays green with tests unrun.
#pragma once

#include <memory>
#include <string>

#include "support/temp_dir.h"

namespace postern::test {

class PgServer {
 public:
  // Starts a server; null with `why` filled when it cannot.
  static std::unique_ptr<PgServer> start(std::string& why);
  ~PgServer();  // pg_ctl stop -m fast
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  // A libpq key/value connection string for `database` over TCP on loopback.
  std::string conninfo(const std::string& database) const;
  // Creates a new, empty database and answers its name; "" with `why`
  // filled on failure.
  std::string create_database(std::string& why);
  // pg_ctl stop, then start again on the same port and data (a database
  // restart under a running client). False with `why` on failure.
  bool restart(std::string& why);
  bool stop(std::string& why);
  bool start_again(std::string& why);

 private:
  PgServer() = default;
  bool run_pg_ctl(const std::string& action, std::string& why);
  // A test binary that crashes (a sanitizer's abort) runs no destructor: a
  // guard process reading a pipe that only this process holds open stops
  // the server and removes its directory once the pipe closes, however the
  // process ended.
  void start_guard();

  TempDir dir_;
  std::string bin_;
  int port_ = 0;
  int databases_ = 0;
  bool running_ = false;
  int guard_fd_ = -1;
  int guard_pid_ = -1;
};

// The directory of initdb and pg_ctl, or "" when they are not installed.
std::string pg_bin_dir();
// True when tests must not skip for want of a tool (POSTERN_CI=1, CI=true).
bool under_ci();
// The process's shared server, started on first use; null (with `why`)
// when it cannot start.
PgServer* shared_pg_server(std::string& why);

}  // namespace postern::test

// In a test or SetUp: skips (or fails, in CI) when no server can run.
#define POSTERN_REQUIRE_PG(server_ptr)                                                  \
  do {                                                                                  \
    std::string pg_why_;                                                                \
    server_ptr = ::postern::test::shared_pg_server(pg_why_);                            \
    if (!server_ptr) {                                                                  \
      if (::postern::test::under_ci()) FAIL() << "PostgreSQL unavailable: " << pg_why_; \
      GTEST_SKIP() << "PostgreSQL unavailable: " << pg_why_;                            \
    }                                                                                   \
  } while (0)

// The same, then a new, empty database of that server named in `database`.
#define POSTERN_REQUIRE_PG_DATABASE(server_ptr, database)     \
  do {                                                        \
    POSTERN_REQUIRE_PG(server_ptr);                           \
    std::string pg_database_why_;                             \
    database = server_ptr->create_database(pg_database_why_); \
    ASSERT_FALSE(database.empty()) << pg_database_why_;       \
  } while (0)
