#include "store/postgres/pg_cluster_link.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "store/postgres/connection.h"

namespace postern::store::postgres {
namespace {

// How often a node that does not lead tries the jobs' lock, and a node cut
// from the database tries to connect again: a takeover within a second or
// so is plenty for jobs that run every minute or more.
constexpr auto kLeadRetry = std::chrono::seconds(1);

// Advisory lock keys: 64-bit hashes of names, apart from the migrations'
// fixed key (migrations.cpp).
constexpr const char* kTryLock = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))";
constexpr const char* kJobsLock = "postern:jobs";
std::string name_lock(const std::string& node) { return "postern:node:" + node; }

// Waits up to `timeout` for `fd` to turn readable (leave() writes to it).
void wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  (void)::poll(&p, 1, static_cast<int>(timeout.count()));
}

}  // namespace

PgClusterLink::PgClusterLink(std::string conninfo) : conninfo_(std::move(conninfo)) {}

PgClusterLink::~PgClusterLink() { leave(); }

Result<void> PgClusterLink::join(const std::string& node, std::function<void()> work) {
  std::lock_guard lock(leave_mu_);
  if (conn_) return error_code(Errc::conflict);  // joined already
  // LISTEN is part of the session's setup, so a session made again after a
  // lost connection listens too.
  auto c = Connection::open(
      conninfo_, {"SET application_name = 'postern-link'", std::string("LISTEN ") + kWorkChannel});
  if (!c) return c.error();
  conn_ = std::move(*c);
  node_ = node;
  auto took = take_name();
  if (!took || !*took) {
    conn_.reset();
    if (!took) return took.error();
    spdlog::error("store: another running node is named '{}' on this database", node);
    return error_code(Errc::conflict);
  }
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    conn_.reset();
    return error_code(Errc::internal);
  }
  work_ = std::move(work);
  try_lead();
  thread_ = std::thread([this] { run(); });
  return {};
}

Result<bool> PgClusterLink::take_name() {
  auto r = conn_->query(kTryLock, Params().text(name_lock(node_)));
  if (!r) return Result<bool>(boost::system::in_place_error, r.error());
  return r->view(0, 0) == "t";
}

void PgClusterLink::try_lead() {
  auto r = conn_->query(kTryLock, Params().text(kJobsLock));
  if (r && r->view(0, 0) == "t") {
    leading_ = true;
    spdlog::info("store: node '{}' runs the cluster's background jobs now", node_);
  }
}

void PgClusterLink::run() {
  auto next_lead = std::chrono::steady_clock::now() + kLeadRetry;
  bool connected = true;
  while (!stopping_) {
    if (!connected) {
      if (conn_->ensure()) {
        auto took = take_name();
        connected = static_cast<bool>(took);
        if (took && !*took) {
          spdlog::error(
              "store: node '{}': another node took this name while this one was cut from the "
              "database",
              node_);
        }
      }
      if (!connected) {
        wait_readable(wake_fd_, kLeadRetry);
        continue;
      }
      next_lead = std::chrono::steady_clock::now();
      work_();  // what was queued meanwhile was not heard of
    }
    if (!leading_ && std::chrono::steady_clock::now() >= next_lead) {
      try_lead();
      next_lead = std::chrono::steady_clock::now() + kLeadRetry;
    }
    auto heard = conn_->wait_for_notifications(wake_fd_, kLeadRetry);
    if (!heard) {
      connected = false;
      if (leading_.exchange(false)) {
        spdlog::warn(
            "store: node '{}' lost its database session; it no longer runs the cluster's "
            "background jobs",
            node_);
      }
      continue;
    }
    if (*heard > 0) work_();
  }
}

void PgClusterLink::leave() {
  std::lock_guard lock(leave_mu_);
  if (thread_.joinable()) {
    stopping_ = true;
    std::uint64_t one = 1;
    (void)::write(wake_fd_, &one, sizeof one);
    thread_.join();
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
  wake_fd_ = -1;
  // Ending the session frees the name and the lead at once.
  conn_.reset();
  leading_ = false;
}

}  // namespace postern::store::postgres
