// A thread that runs one piece of work when poked, and every `period`
// without a poke: how the routing service reloads what other nodes changed
// in the shared store (routing_service.h, sync()). The store's change
// notice pokes it from a store thread and returns at once; the period is
// the safety net for a notice lost while the store was out of reach.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace postern::routing {

class ChangeWatch {
 public:
  ChangeWatch(std::chrono::milliseconds period, std::function<void()> work);
  ~ChangeWatch() { stop(); }
  ChangeWatch(const ChangeWatch&) = delete;
  ChangeWatch& operator=(const ChangeWatch&) = delete;

  // Pokes the watch; callable from any thread, even once it is gone (the
  // store may hold it longer than the service lives).
  std::function<void()> poke() const;
  void start();
  void stop();

 private:
  struct Signal {
    std::mutex mu;
    std::condition_variable cv;
    bool due = false;
    bool stopping = false;
  };
  void run();

  std::chrono::milliseconds period_;
  std::function<void()> work_;
  std::shared_ptr<Signal> signal_ = std::make_shared<Signal>();
  std::mutex thread_mu_;
  std::thread thread_;
};

}  // namespace postern::routing
