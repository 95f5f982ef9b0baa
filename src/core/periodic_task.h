// A round of work run on a thread of its own: at start(), then every
// interval until stop(). The store's retention and the test inbox's expiry
// sweep this way; the schedule is here once, their work in their own files.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace postern {

class PeriodicTask {
 public:
  // `name` names the thread (15 characters at most, as Linux keeps them).
  PeriodicTask(std::string name, std::chrono::milliseconds interval, std::function<void()> round);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Runs the first round at once, the next ones every interval after the
  // end of the one before.
  void start();
  // Waits for a round under way to end (a round checks stopping() between
  // batches to end early). Idempotent.
  void stop();
  bool stopping() const;
  std::chrono::milliseconds interval() const { return interval_; }

 private:
  void run();

  std::string name_;
  std::chrono::milliseconds interval_;
  std::function<void()> round_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace postern
