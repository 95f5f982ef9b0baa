// What the routing tests share: a provider whose sends and probes a test
// scripts, and a router on a fake clock with helpers to add providers and
// build messages.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "routing/router.h"
#include "support/fake_clock.h"

namespace postern::routing::test {

class ScriptedProvider final : public providers::Provider {
 public:
  explicit ScriptedProvider(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  std::string_view type() const override { return "scripted"; }
  void send(std::shared_ptr<const providers::OutboundMessage>,
            std::function<void(providers::SendResult)> done) override {
    ++sends;
    providers::SendResult r;
    r.failure_class = providers::FailureClass::ok;
    done(r);
  }
  void probe(std::function<void(providers::ProbeResult)> done) override {
    ++probes;
    done({probe_healthy.load(),
          providers::FailureClass::provider_down,
          probe_healthy ? "" : "connection refused",
          {}});
  }
  std::size_t max_message_bytes() const override { return max_bytes; }
  std::size_t max_recipients() const override { return max_rcpt; }

  std::atomic<int> sends{0};
  std::atomic<int> probes{0};
  std::atomic<bool> probe_healthy{true};
  std::size_t max_bytes = 0;
  std::size_t max_rcpt = 0;

 private:
  std::string name_;
};

providers::SendResult answer(providers::FailureClass c, std::string code = "",
                             std::optional<std::chrono::milliseconds> retry_after = {});

inline ProviderConfig definition(const std::string& name, const std::string& pool = "default",
                                 int weight = 1, int priority = 1) {
  ProviderConfig c;
  c.name = name;
  c.type = "scripted";
  c.pool = pool;
  c.weight = weight;
  c.priority = priority;
  return c;
}

struct RouterHarness {
  explicit RouterHarness(RouterOptions options = {})
      : router(clock, metrics, events, std::move(options)) {}

  ScriptedProvider* add(ProviderConfig config, ProviderSource source = ProviderSource::config) {
    auto p = std::make_unique<ScriptedProvider>(config.name);
    auto* raw = p.get();
    router.add(std::move(p), std::move(config), source);
    return raw;
  }
  ScriptedProvider* add(const std::string& name, const std::string& pool = "default",
                        int weight = 1, int priority = 1) {
    return add(definition(name, pool, weight, priority));
  }

  // Picks and answers at once with `c`; returns the provider's name, or ""
  // when nothing was picked.
  std::string send(providers::FailureClass c = providers::FailureClass::ok,
                   std::vector<std::string> avoid = {}) {
    auto p = router.pick(message, avoid);
    if (p.status != PickStatus::picked) return "";
    router.report(*p.slot, answer(c));
    return p.slot->name();
  }
  std::map<std::string, int> distribution(int picks) {
    std::map<std::string, int> out;
    for (int i = 0; i < picks; ++i) out[send()]++;
    return out;
  }
  ProviderState state(const std::string& name) { return router.provider(name)->state; }
  std::vector<std::string> event_types() {
    std::vector<std::string> out;
    for (const auto& e : events.recent()) out.push_back(e.type);
    return out;
  }

  postern::test::FakeClock clock;
  MetricsRegistry metrics;
  EventBus events{clock};
  Router router;
  providers::OutboundMessage message = make_message();

  static providers::OutboundMessage make_message(
      std::string sender = "app@example.com", std::vector<std::string> tags = {},
      std::string content = R"({"from":"app@example.com","to":"b@x.org","text":"t"})") {
    return providers::OutboundMessage(MessageId(1), ContentFormat::json, std::move(content),
                                      Envelope{std::move(sender), {{"b@x.org", RecipientKind::to}}},
                                      std::move(tags), SystemTime{});
  }
};

}  // namespace postern::routing::test
