#include "routing/change_watch.h"

namespace postern::routing {

ChangeWatch::ChangeWatch(std::chrono::milliseconds period, std::function<void()> work)
    : period_(period), work_(std::move(work)) {}

std::function<void()> ChangeWatch::poke() const {
  return [weak = std::weak_ptr<Signal>(signal_)] {
    auto s = weak.lock();
    if (!s) return;
    {
      std::lock_guard lock(s->mu);
      s->due = true;
    }
    s->cv.notify_one();
  };
}

void ChangeWatch::start() {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable()) return;
  {
    std::lock_guard s(signal_->mu);
    signal_->stopping = false;
  }
  thread_ = std::thread([this] { run(); });
}

void ChangeWatch::stop() {
  std::lock_guard lock(thread_mu_);
  if (!thread_.joinable()) return;
  {
    std::lock_guard s(signal_->mu);
    signal_->stopping = true;
  }
  signal_->cv.notify_one();
  thread_.join();
}

void ChangeWatch::run() {
  std::unique_lock lock(signal_->mu);
  while (!signal_->stopping) {
    signal_->cv.wait_for(lock, period_, [this] { return signal_->due || signal_->stopping; });
    if (signal_->stopping) break;
    signal_->due = false;
    lock.unlock();
    work_();
    lock.lock();
  }
}

}  // namespace postern::routing
