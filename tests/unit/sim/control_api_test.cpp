// The control API's routes against a fake simulator: stats, messages,
// faults (GET, POST merges, PUT replaces, DELETE clears) and reset.
#include "sim/control/control_api.h"

#include <gtest/gtest.h>

#include "sim_test_support.h"

namespace postern::sim {
namespace {

using testing::json_of;

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

  FaultSpec spec_;
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
