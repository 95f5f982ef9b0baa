#include "store/sqlite/side_call.h"

#include <pthread.h>

namespace postern::store::sqlite {

SideCall::SideCall(std::string thread_name, std::function<Result<void>()> call)
    : call_(std::move(call)) {
  thread_ = std::thread([this, name = std::move(thread_name)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    run();
  });
}

SideCall::~SideCall() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SideCall::start() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
    finished_ = false;
  }
  cv_.notify_all();
}

Result<void> SideCall::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return finished_; });
  return result_;
}

void SideCall::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return requested_ || stopping_; });
      if (!requested_) return;
      requested_ = false;
    }
    auto r = call_();
    {
      std::lock_guard lock(mu_);
      result_ = r;
      finished_ = true;
    }
    cv_.notify_all();
  }
}

}  // namespace postern::store::sqlite
