#include "core/periodic_task.h"

#include <pthread.h>

namespace postern {

PeriodicTask::PeriodicTask(std::string name, std::chrono::milliseconds interval,
                           std::function<void()> round)
    : name_(std::move(name)), interval_(interval), round_(std::move(round)) {}

PeriodicTask::~PeriodicTask() { stop(); }

void PeriodicTask::start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
    run();
  });
}

void PeriodicTask::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool PeriodicTask::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void PeriodicTask::run() {
  for (;;) {
    round_();
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, interval_, [&] { return stopping_; })) return;
  }
}

}  // namespace postern
