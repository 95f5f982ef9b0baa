// The threads that run all network I/O: one io_context per thread, so each
// connection lives on one thread and needs no locking. Servers spread new
// connections over the contexts; timers and clients use any of them.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace postern::net {

class IoRuntime {
 public:
  // threads == 0: one per hardware thread.
  explicit IoRuntime(unsigned threads);
  ~IoRuntime();
  IoRuntime(const IoRuntime&) = delete;
  IoRuntime& operator=(const IoRuntime&) = delete;

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t i);
  // Round robin over the contexts; thread-safe.
  boost::asio::io_context& next();

  // Starts one thread per context. The contexts keep running, idle or not,
  // until stop().
  void start();
  // Stops every context (pending handlers are abandoned) and joins.
  void stop();

 private:
  struct Guards;
  struct Context;  // an io_context whose pending handlers can be dropped on demand
  std::vector<std::unique_ptr<Context>> contexts_;
  std::unique_ptr<Guards> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace postern::net
