// A Provider that keeps every send unanswered until the test releases it:
// for what happens while attempts are in flight (shutdown, windows).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace postern::test {

class HoldingProvider final : public providers::Provider {
 public:
  explicit HoldingProvider(std::string name) : name_(std::move(name)) {}

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "fake"; }
  void send(std::shared_ptr<const providers::OutboundMessage>,
            std::function<void(providers::SendResult)> done) override {
    std::lock_guard lock(mu_);
    held_.push_back(std::move(done));
    arrived_.notify_all();
  }
  void probe(std::function<void(providers::ProbeResult)> done) override {
    done({true, {}, "", {}});
  }

  // Waits up to `timeout` for a send to be held; false if none came.
  bool wait_for_send(std::chrono::seconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mu_);
    return arrived_.wait_for(lock, timeout, [&] { return !held_.empty(); });
  }
  // Answers every send held so far with `ok`, on the caller's thread.
  void release() {
    std::vector<std::function<void(providers::SendResult)>> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& done : held) {
      providers::SendResult r;
      r.failure_class = providers::FailureClass::ok;
      r.code = "250";
      done(std::move(r));
    }
  }

 private:
  std::string name_;
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<std::function<void(providers::SendResult)>> held_;
};

}  // namespace postern::test
