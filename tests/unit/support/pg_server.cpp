#include "support/pg_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace postern::test {
namespace {

constexpr const char* kUser = "postern";
constexpr int kPortTries = 5;

// PostgreSQL refuses to run as root; a test run as root (a container) runs
// the server binaries as the package's "postgres" user instead.
bool as_postgres_user() { return geteuid() == 0 && getpwnam("postgres") != nullptr; }

// Runs argv (no shell), its output appended to `log`. True on exit code 0.
bool run(std::vector<std::string> argv, const std::string& log) {
  if (as_postgres_user()) argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string tail_of(const std::string& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto text = ss.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

// A port free on 127.0.0.1 a moment ago: PostgreSQL cannot be told to take
// port 0 and say which it got, so a taken one is retried (start()).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

}  // namespace

std::string pg_bin_dir() {
  if (const char* dir = std::getenv("POSTERN_PG_BIN"); dir && *dir) return dir;
  const std::string debian = "/usr/lib/postgresql/15/bin";
  return std::filesystem::exists(debian + "/initdb") ? debian : "";
}

bool under_ci() {
  auto is = [](const char* name) {
    const char* v = std::getenv(name);
    if (!v) return false;
    std::string s(v);
    return s == "1" || s == "true" || s == "yes";
  };
  return is("POSTERN_CI") || is("CI");
}

std::unique_ptr<PgServer> PgServer::start(std::string& why) {
  auto bin = pg_bin_dir();
  if (bin.empty()) {
    why =
        "no PostgreSQL 15 binaries (/usr/lib/postgresql/15/bin; scripts/bootstrap.sh installs "
        "postgresql-15)";
    return nullptr;
  }
  std::unique_ptr<PgServer> s(new PgServer());
  s->bin_ = bin;
  if (as_postgres_user()) {
    auto* pw = getpwnam("postgres");
    if (chown(s->dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      why = "cannot give the data directory to the postgres user";
      return nullptr;
    }
  }
  auto log = s->dir_.file("initdb.log");
  // --no-sync: initdb's own files; the server itself runs with fsync on.
  if (!run({bin + "/initdb", "-D", s->dir_.file("data"), "-U", kUser, "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync"},
           log)) {
    why = "initdb failed: " + tail_of(log);
    return nullptr;
  }
  s->start_guard();
  for (int i = 0; i < kPortTries; ++i) {
    s->port_ = free_port();
    if (s->start_again(why)) return s;
  }
  return nullptr;
}

void PgServer::start_guard() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  auto quoted = [](const std::string& v) { return "'" + v + "'"; };
  std::string script = "cat >/dev/null; " +
                       std::string(as_postgres_user() ? "runuser -u postgres -- " : "") +
                       quoted(bin_ + "/pg_ctl") + " -D " + quoted(dir_.file("data")) +
                       " -m immediate stop >/dev/null 2>&1; rm -rf " + quoted(dir_.path().string());
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[0], 0);  // the copy does not close on exec; the write end does
    setsid();         // outlives a kill of the test's process group
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[0]);
  if (pid < 0) {
    close(fds[1]);
    return;
  }
  guard_fd_ = fds[1];
  guard_pid_ = pid;
}

bool PgServer::run_pg_ctl(const std::string& action, std::string& why) {
  auto log = dir_.file("server.log");
  std::vector<std::string> argv = {bin_ + "/pg_ctl", "-D", dir_.file("data"), "-l", log, "-w"};
  if (action == "start") {
    argv.push_back("-o");
    argv.push_back("-c listen_addresses=127.0.0.1 -c port=" + std::to_string(port_) +
                   " -c unix_socket_directories=" + dir_.path().string() +
                   " -c fsync=on -c synchronous_commit=on -c max_connections=300");
  } else {
    argv.insert(argv.end(), {"-m", "fast"});
  }
  argv.push_back(action);
  if (run(argv, dir_.file("pg_ctl.log"))) return true;
  why = "pg_ctl " + action + " failed: " + tail_of(log);
  return false;
}

bool PgServer::start_again(std::string& why) {
  running_ = run_pg_ctl("start", why);
  return running_;
}

bool PgServer::stop(std::string& why) {
  if (!running_) return true;
  running_ = !run_pg_ctl("stop", why);
  return !running_;
}

bool PgServer::restart(std::string& why) { return stop(why) && start_again(why); }

PgServer::~PgServer() {
  std::string why;
  (void)stop(why);
  if (guard_fd_ >= 0) {
    close(guard_fd_);  // the guard finds the server stopped, and ends
    int status = 0;
    while (waitpid(guard_pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

std::string PgServer::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + kUser + " dbname=" + database;
}

std::string PgServer::create_database(std::string& why) {
  auto name = "t" + std::to_string(getpid()) + "_" + std::to_string(++databases_);
  PGconn* c = PQconnectdb(conninfo("postgres").c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    why = PQerrorMessage(c);
    PQfinish(c);
    return "";
  }
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) why = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  return ok ? name : "";
}

PgServer* shared_pg_server(std::string& why) {
  // Started once per test binary, stopped by its static destructor at exit.
  static std::string failure;
  static std::unique_ptr<PgServer> server = PgServer::start(failure);
  why = failure;
  return server.get();
}

}  // namespace postern::test
