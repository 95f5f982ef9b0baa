// The webhook receiver between the route and the store: statuses, the
// store's answer awaited before the 200, refusals counted and changing
// nothing. A fake Webhook stands for the providers' (tested beside each
// provider) and a fake EventStore for the store.
#include "events/webhook_receiver.h"

#include <gtest/gtest.h>

#include <optional>

#include "support/fake_clock.h"

namespace postern::events {
namespace {

using providers::WebhookRefusal;
using providers::WebhookReport;
using providers::WebhookRequest;
using providers::WebhookResult;

class FakeWebhook final : public providers::Webhook {
 public:
  std::optional<WebhookResult> answer;
  int status = 401;
  std::string seen_body;
  int refusal_status() const override { return status; }
  void receive(const WebhookRequest& request, std::function<void(WebhookResult)> done) override {
    seen_body = std::string(request.body);
    done(*answer);
  }
};

class FakeEventStore final : public store::EventStore {
 public:
  std::vector<std::vector<ProviderEvent>> batches;
  std::vector<store::Completion<std::vector<store::EventOutcome>>> pending;

  void record_provider_events(std::vector<ProviderEvent> batch,
                              store::Completion<std::vector<store::EventOutcome>> done) override {
    batches.push_back(std::move(batch));
    pending.push_back(std::move(done));
  }
  void add_suppressions(std::vector<store::Suppression>, store::Completion<std::size_t>) override {}
  void remove_suppression(std::string, store::Completion<bool>) override {}
  Result<std::optional<store::Suppression>> suppression(std::string_view) override {
    return std::optional<store::Suppression>();
  }
  Result<std::vector<store::Suppression>> list_suppressions(std::string_view,
                                                            std::size_t) override {
    return std::vector<store::Suppression>();
  }
  Result<std::vector<std::string>> suppressed_among(const std::vector<std::string>&) override {
    return std::vector<std::string>();
  }
  Result<std::vector<store::StoredProviderEvent>> unmatched_events(std::int64_t,
                                                                   std::size_t) override {
    return std::vector<store::StoredProviderEvent>();
  }
};

ProviderEvent event(std::string key, RecipientEventType type) {
  ProviderEvent e;
  e.dedupe_key = std::move(key);
  e.type = type;
  e.recipient = "ann@example.com";
  return e;
}

struct WebhookReceiverTest : ::testing::Test {
  test::FakeClock clock;
  MetricsRegistry metrics;
  FakeEventStore store;
  std::shared_ptr<FakeWebhook> webhook = std::make_shared<FakeWebhook>();
  WebhookReceiver receiver{[this](const std::string& name) -> std::shared_ptr<providers::Webhook> {
                             if (name == "mg") return webhook;
                             return nullptr;
                           },
                           store, metrics, clock, WebhookReceiverOptions{.max_body_bytes = 64}};
  net::HttpHeaders headers;
  std::optional<WebhookAnswer> answer;

  void post(const std::string& provider, std::string body = "{}") {
    answer.reset();
    receiver.receive(provider, headers, body, [this](WebhookAnswer a) { answer = std::move(a); });
  }
  std::string rendered() { return metrics.render(); }
};

TEST_F(WebhookReceiverTest, AnUnknownProviderIs404) {
  post("nope");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 404);
  EXPECT_EQ(answer->field, "provider");
  EXPECT_TRUE(store.batches.empty());
}

TEST_F(WebhookReceiverTest, AGenuineReportIsAnsweredOnlyOnceDurable) {
  WebhookReport report;
  report.events = {event("k1", RecipientEventType::delivered),
                   event("k2", RecipientEventType::bounced),
                   event("k3", RecipientEventType::bounced)};
  report.ignored = 2;
  webhook->answer = WebhookResult(report);
  post("mg", "{\"x\":1}");
  EXPECT_EQ(webhook->seen_body, "{\"x\":1}");
  ASSERT_EQ(store.batches.size(), 1u);
  EXPECT_FALSE(answer) << "no answer before the store says durable";
  for (const auto& e : store.batches[0]) EXPECT_EQ(e.provider, "mg");
  store.pending[0](std::vector<store::EventOutcome>{store::EventOutcome::recorded,
                                                    store::EventOutcome::duplicate,
                                                    store::EventOutcome::unmatched});
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->recorded, 1u);
  EXPECT_EQ(answer->duplicates, 1u);
  EXPECT_EQ(answer->unmatched, 1u);
  EXPECT_EQ(answer->ignored, 2u);
  auto m = rendered();
  EXPECT_NE(m.find("postern_webhook_events_total{provider=\"mg\",type=\"delivered\"} 1"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("postern_webhook_events_total{provider=\"mg\",type=\"bounced\"} 1"),
            std::string::npos);
  EXPECT_NE(m.find("postern_webhook_events_ignored_total{provider=\"mg\"} 2"), std::string::npos);
}

TEST_F(WebhookReceiverTest, AStoreErrorIs503) {
  WebhookReport report;
  report.events = {event("k1", RecipientEventType::delivered)};
  webhook->answer = WebhookResult(report);
  post("mg");
  ASSERT_EQ(store.pending.size(), 1u);
  store.pending[0](error_code(Errc::storage_unavailable));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 503);
}

TEST_F(WebhookReceiverTest, OnlyIgnoredReportsNeedNoStore) {
  WebhookReport report;
  report.ignored = 1;
  report.note = "nothing kept";
  webhook->answer = WebhookResult(report);
  post("mg");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->note, "nothing kept");
  EXPECT_TRUE(store.batches.empty());
}

TEST_F(WebhookReceiverTest, ARefusalChangesNothingAndIsCounted) {
  webhook->status = 406;
  webhook->answer = WebhookResult(WebhookRefusal{"bad_signature", "no match", false});
  post("mg");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 406);
  EXPECT_EQ(answer->code, "bad_signature");
  EXPECT_TRUE(store.batches.empty());
  post("mg");
  EXPECT_NE(
      rendered().find("postern_webhook_refused_total{provider=\"mg\",reason=\"bad_signature\"} 2"),
      std::string::npos);
}

TEST_F(WebhookReceiverTest, ARefusalToRetryLaterIs503) {
  webhook->answer = WebhookResult(WebhookRefusal{"cert_unavailable", "down", true});
  post("mg");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 503);
}

TEST_F(WebhookReceiverTest, ABodyTooLargeIs413BeforeAnyCheck) {
  webhook->answer = WebhookResult(WebhookReport{});
  post("mg", std::string(65, 'x'));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 413);
  EXPECT_TRUE(webhook->seen_body.empty());
  EXPECT_NE(rendered().find("reason=\"too_large\""), std::string::npos);
}

}  // namespace
}  // namespace postern::events
