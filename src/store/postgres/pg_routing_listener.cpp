#include "store/postgres/pg_routing_listener.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "store/postgres/connection.h"

namespace postern::store::postgres {
namespace {

// How long the thread waits between checks that its session still lives,
// and between tries to connect again when the database is away.
constexpr auto kRetry = std::chrono::seconds(1);

void wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  (void)::poll(&p, 1, static_cast<int>(timeout.count()));
}

}  // namespace

void PgRoutingListener::start(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
  if (thread_.joinable() || stopping_) return;
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    spdlog::error("store: cannot listen for routing changes of other nodes (eventfd)");
    return;
  }
  // The first session is made here, so that a change committed once
  // start() returned is heard.
  (void)connect();
  thread_ = std::thread([this] { run(); });
}

void PgRoutingListener::stop() {
  std::thread t;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    t = std::move(thread_);
  }
  if (t.joinable()) {
    std::uint64_t one = 1;
    (void)::write(wake_fd_, &one, sizeof one);
    t.join();
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
  wake_fd_ = -1;
  conn_.reset();
}

bool PgRoutingListener::connect() {
  if (conn_) return static_cast<bool>(conn_->ensure());
  auto c = Connection::open(conninfo_, {"SET application_name = 'postern-routing'",
                                        std::string("LISTEN ") + kRoutingChannel});
  if (!c) return false;
  conn_ = std::move(*c);
  return true;
}

void PgRoutingListener::tell() {
  std::function<void()> listener;
  {
    std::lock_guard lock(mu_);
    listener = listener_;
  }
  if (listener) listener();
}

void PgRoutingListener::run() {
  bool connected = conn_ != nullptr;
  while (!stopping_) {
    if (!connected) {
      connected = connect();
      if (!connected) {
        wait_readable(wake_fd_, kRetry);
        continue;
      }
      spdlog::info("store: listening for routing changes of other nodes again");
      tell();  // what was committed meanwhile was not heard of
    }
    auto heard = conn_->wait_for_notifications(wake_fd_, kRetry);
    if (!heard) {
      spdlog::warn("store: lost the session that listens for routing changes of other nodes");
      connected = false;
      continue;
    }
    if (*heard > 0) tell();
  }
}

}  // namespace postern::store::postgres
