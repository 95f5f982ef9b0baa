// A Provider whose answers a test scripts, and which records what it got.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace postern::test {

class FakeProvider final : public providers::Provider {
 public:
  explicit FakeProvider(std::string name,
                        providers::FailureClass default_class = providers::FailureClass::ok)
      : name_(std::move(name)), default_class_(default_class) {}

  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "fake"; }

  void send(std::shared_ptr<const providers::OutboundMessage> message,
            std::function<void(providers::SendResult)> done) override {
    providers::SendResult r;
    {
      std::lock_guard lock(mu_);
      sent_.push_back(message->id_string());
      std::vector<std::string> to;
      for (const auto& r : message->envelope().recipients) to.push_back(r.address);
      sent_to_.push_back(std::move(to));
      if (!script_.empty()) {
        r = script_.front();
        script_.pop_front();
      } else {
        r.failure_class = default_class_;
        r.code = default_class_ == providers::FailureClass::ok ? "250" : "503";
      }
    }
    if (r.failure_class == providers::FailureClass::ok)
      r.provider_message_id = name_ + "-" + message->id_string();
    done(std::move(r));
  }

  void probe(std::function<void(providers::ProbeResult)> done) override {
    done({true, {}, "", {}});
  }
  std::size_t max_recipients() const override { return max_recipients_; }
  void set_max_recipients(std::size_t n) {
    max_recipients_ = n;
  }  // before the provider joins a router

  // The next answers, in order; afterwards the default class.
  void script(std::vector<providers::SendResult> results) {
    std::lock_guard lock(mu_);
    for (auto& r : results) script_.push_back(std::move(r));
  }
  void set_default(providers::FailureClass c) {
    std::lock_guard lock(mu_);
    default_class_ = c;
  }
  std::vector<std::string> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  // The envelope recipients of each send, in order.
  std::vector<std::vector<std::string>> sent_to() const {
    std::lock_guard lock(mu_);
    return sent_to_;
  }

 private:
  std::string name_;
  mutable std::mutex mu_;
  providers::FailureClass default_class_;
  std::deque<providers::SendResult> script_;
  std::vector<std::string> sent_;
  std::vector<std::vector<std::string>> sent_to_;
  std::size_t max_recipients_ = 0;
};

}  // namespace postern::test
