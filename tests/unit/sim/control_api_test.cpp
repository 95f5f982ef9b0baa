// The control API's routes against a fake simulator: stats, messages,
// faults (GET, POST merges, PUT replaces, DELETE clears), reset, and the
// webhook settings and simulated SNS routes.
#include "sim/control/control_api.h"

#include <gtest/gtest.h>

#include "sim_test_support.h"

namespace postern::sim {
namespace {

using testing::json_of;

// Webhook settings kept in memory; the SNS subscription token is "tok".
class FakeWebhooks final : public WebhookControl {
 public:
  Result<WebhookSpec, Problem> update(Service service, const Change& change) override {
    if (service == Service::smtp) return Problem{"smtp sends no webhooks"};
    auto spec = change(specs_[service_index(service)]);
    if (spec) specs_[service_index(service)] = *spec;
    return spec;
  }
  boost::json::object status(Service service) const override {
    return to_json(specs_[service_index(service)]);
  }
  std::string sns_certificate() const override { return "-----BEGIN CERTIFICATE-----"; }
  bool confirm_subscription(std::string_view token) override {
    confirmed = token == "tok";
    return confirmed;
  }
  void reset_counts() override {}

  std::array<WebhookSpec, kServiceCount> specs_;
  bool confirmed = false;
};

class FakeTarget final : public ControlTarget {
 public:
  FakeTarget() : ledger_(1 << 20, std::nullopt) {}

  std::vector<ServiceStatus> status() const override {
    return {ServiceStatus{Service::mailgun, "127.0.0.1", 4000, !spec_.down, spec_}};
  }
  void update_faults(Service service, FaultChange change, FaultDone done) override {
    if (service != Service::mailgun) return done(Problem{"smtp is not started"});
    auto spec = change(spec_);
    if (spec) spec_ = *spec;
    done(spec);
  }
  void reset(std::function<void()> done) override {
    ledger_.reset();
    spec_ = FaultSpec{};
    ++resets;
    done();
  }
  Ledger& ledger() override { return ledger_; }
  WebhookControl* webhooks() override { return &webhooks_; }

  FaultSpec spec_;
  FakeWebhooks webhooks_;
  int resets = 0;

 private:
  Ledger ledger_;
};

class ControlApiTest : public ::testing::Test {
 protected:
  net::HttpResponse call(const std::string& method, const std::string& target,
                         const std::string& body = "") {
    net::HttpResponse out;
    out.status = 0;
    auto state =
        std::make_shared<net::Responder::State>([&](net::HttpResponse r) { out = std::move(r); });
    api_.handle(testing::request(method, target, {}, body), net::Responder(state));
    return out;
  }

  FakeTarget target_;
  ControlApi api_{target_};
};

TEST_F(ControlApiTest, StatsIncludeListenerState) {
  Receipt r;
  r.service = Service::mailgun;
  target_.ledger().accept("0abcdefghjkmn", r);
  auto response = call("GET", "/_sim/stats?ids=all");
  ASSERT_EQ(response.status, 200);
  auto mailgun = json_of(response).at("services").at("mailgun").as_object();
  EXPECT_EQ(mailgun.at("accepted").to_number<std::uint64_t>(), 1u);
  EXPECT_TRUE(mailgun.at("listening").as_bool());
  EXPECT_EQ(mailgun.at("address").as_string(), "127.0.0.1:4000");
  EXPECT_EQ(call("GET", "/_sim/stats?limit=x").status, 400);
}

TEST_F(ControlApiTest, Messages) {
  EXPECT_EQ(call("GET", "/_sim/messages/0abcdefghjkmn").status, 404);
  Receipt r;
  r.service = Service::mailgun;
  r.body = "hello";
  target_.ledger().accept("0abcdefghjkmn", r);
  auto response = call("GET", "/_sim/messages/0abcdefghjkmn");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(json_of(response).at("receipts").as_array()[0].at("body").as_string(), "hello");
}

TEST_F(ControlApiTest, FaultsMergeReplaceClear) {
  auto merged = call("POST", "/_sim/faults/mailgun", R"({"error_rate": 0.5, "latency": "5ms"})");
  ASSERT_EQ(merged.status, 200) << merged.body;
  call("POST", "/_sim/faults/mailgun", R"({"down": true})");
  EXPECT_TRUE(target_.spec_.down);
  EXPECT_DOUBLE_EQ(target_.spec_.error_rate, 0.5);

  auto replaced = call("PUT", "/_sim/faults/mailgun", R"({"hang": true})");
  ASSERT_EQ(replaced.status, 200);
  EXPECT_TRUE(target_.spec_.hang);
  EXPECT_FALSE(target_.spec_.down);
  EXPECT_DOUBLE_EQ(target_.spec_.error_rate, 0);

  ASSERT_EQ(call("DELETE", "/_sim/faults/mailgun").status, 200);
  EXPECT_EQ(target_.spec_, FaultSpec{});

  auto listing = call("GET", "/_sim/faults");
  EXPECT_FALSE(json_of(listing).at("mailgun").at("down").as_bool());
  EXPECT_EQ(call("GET", "/_sim/faults/mailgun").status, 200);
}

TEST_F(ControlApiTest, FaultErrors) {
  EXPECT_EQ(call("POST", "/_sim/faults/mailgun", R"({"error_rate": 7})").status, 400);
  EXPECT_EQ(call("POST", "/_sim/faults/mailgun", "not json").status, 400);
  EXPECT_EQ(call("POST", "/_sim/faults/smtp", "{}").status, 400);
  EXPECT_EQ(call("POST", "/_sim/faults/nosuch", "{}").status, 404);
  EXPECT_EQ(call("PATCH", "/_sim/faults/mailgun", "{}").status, 405);
  EXPECT_EQ(call("GET", "/elsewhere").status, 404);
}

TEST_F(ControlApiTest, ResetAndHealth) {
  ASSERT_EQ(call("POST", "/_sim/reset").status, 200);
  EXPECT_EQ(target_.resets, 1);
  EXPECT_EQ(call("GET", "/_sim/health").status, 200);
}

}  // namespace
}  // namespace postern::sim

namespace postern::sim {
namespace {

TEST_F(ControlApiTest, WebhookSettingsMergeReplaceAndRefuse) {
  auto r =
      call("POST", "/_sim/webhooks/sendgrid", R"({"url": "http://127.0.0.1:1/h", "batch": 5})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json_of(r).at("batch").as_int64(), 5);
  r = call("POST", "/_sim/webhooks/sendgrid", R"({"delay": 30})");
  EXPECT_EQ(json_of(r).at("url").as_string(), "http://127.0.0.1:1/h");
  EXPECT_EQ(json_of(r).at("delay").as_string(), "30ms");
  r = call("PUT", "/_sim/webhooks/sendgrid", R"({"retries": 1})");
  EXPECT_EQ(json_of(r).at("url").as_string(), "");
  EXPECT_EQ(call("DELETE", "/_sim/webhooks/sendgrid").status, 200);
  EXPECT_EQ(target_.webhooks_.specs_[service_index(Service::sendgrid)], WebhookSpec{});

  r = call("POST", "/_sim/webhooks/sendgrid", R"({"order": "sideways"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(json_of(r).at("error").as_string().find("order"), std::string::npos);
  EXPECT_EQ(call("POST", "/_sim/webhooks/sendgrid", "[1]").status, 400);
  EXPECT_EQ(call("POST", "/_sim/webhooks/smtp", "{}").status, 404);
  EXPECT_EQ(call("POST", "/_sim/webhooks/nowhere", "{}").status, 404);
  EXPECT_EQ(call("PATCH", "/_sim/webhooks/ses", "{}").status, 405);
  auto listing = json_of(call("GET", "/_sim/webhooks"));
  EXPECT_EQ(listing.size(), 4u);
  EXPECT_FALSE(listing.contains("smtp"));
}

TEST_F(ControlApiTest, SnsCertificateAndSubscribeUrl) {
  auto r = call("GET", "/_sim/sns/SimpleNotificationService-sim.pem");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "-----BEGIN CERTIFICATE-----");
  EXPECT_EQ(call("GET", "/_sim/sns/?Action=ConfirmSubscription&Token=other").status, 404);
  EXPECT_FALSE(target_.webhooks_.confirmed);
  EXPECT_EQ(call("GET", "/_sim/sns/?Action=ConfirmSubscription&Token=tok").status, 200);
  EXPECT_TRUE(target_.webhooks_.confirmed);
  EXPECT_EQ(call("POST", "/_sim/sns/?Action=ConfirmSubscription&Token=tok").status, 405);
  EXPECT_EQ(call("GET", "/_sim/sns/?Action=Publish").status, 404);
}

}  // namespace
}  // namespace postern::sim
