// Tells a node that routing changes were committed (RoutingStore::on_change):
// LISTEN kRoutingChannel on a session of its own, on a thread of its own.
// Every save and clear of PgRoutingStore NOTIFYs with its COMMIT, so a
// notice arrives only once the rows are readable. A session made again
// after a lost connection may have missed notices: the listener is told
// then too, and reloading finds what it missed.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace postern::store::postgres {

class Connection;

// The channel routing changes are told on.
inline constexpr const char* kRoutingChannel = "postern_routing";

class PgRoutingListener {
 public:
  explicit PgRoutingListener(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  ~PgRoutingListener() { stop(); }
  PgRoutingListener(const PgRoutingListener&) = delete;
  PgRoutingListener& operator=(const PgRoutingListener&) = delete;

  // Starts listening (once; later calls only replace the listener).
  void start(std::function<void()> listener);
  void stop();

 private:
  void run();
  // A listening session, made (again) when there is none: true once it
  // listens. A session made after the first may have missed notices.
  bool connect();
  void tell();

  std::string conninfo_;
  std::mutex mu_;  // listener_, thread_
  std::function<void()> listener_;
  std::thread thread_;
  std::unique_ptr<Connection> conn_;  // the thread's
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
};

}  // namespace postern::store::postgres
