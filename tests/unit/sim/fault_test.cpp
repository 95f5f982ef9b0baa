// Fault settings (sim/common/fault_spec.h) from flags and JSON, and the
// per-request dice of FaultState.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "sim/common/fault_spec.h"
#include "sim/common/fault_state.h"

namespace postern::sim {
namespace {

using std::chrono::milliseconds;

TEST(FaultSpec, LatencyForms) {
  EXPECT_EQ(*parse_latency("20ms"), (LatencyRange{milliseconds(20), milliseconds(20)}));
  EXPECT_EQ(*parse_latency("5ms..50ms"), (LatencyRange{milliseconds(5), milliseconds(50)}));
  EXPECT_EQ(*parse_latency("15"), (LatencyRange{milliseconds(15), milliseconds(15)}));
  EXPECT_EQ(*parse_latency("1s..2s"), (LatencyRange{milliseconds(1000), milliseconds(2000)}));
  EXPECT_EQ(*parse_latency(""), LatencyRange{});
  EXPECT_FALSE(parse_latency("50ms..5ms"));
  EXPECT_FALSE(parse_latency("fast"));
  EXPECT_EQ(format_latency(*parse_latency("5ms..2s")), "5ms..2s");
}

TEST(FaultSpec, FlapForms) {
  auto flap = parse_flap("2s/3s");
  ASSERT_TRUE(flap);
  EXPECT_EQ(flap->down, milliseconds(2000));
  EXPECT_EQ(flap->up, milliseconds(3000));
  EXPECT_FALSE(parse_flap("off")->active());
  EXPECT_FALSE(parse_flap("2s"));
  EXPECT_FALSE(parse_flap("0s/1s"));
  EXPECT_EQ(format_flap(*flap), "2s/3s");
}

TEST(FaultSpec, FlagSettings) {
  FaultSpec spec;
  ASSERT_TRUE(apply_settings(
      spec, "down,error_rate=0.25,error_status=502,throttle_rate=1,retry_after=7s,probes=false"));
  EXPECT_TRUE(spec.down);
  EXPECT_DOUBLE_EQ(spec.error_rate, 0.25);
  EXPECT_EQ(spec.error_status, 502);
  EXPECT_DOUBLE_EQ(spec.throttle_rate, 1);
  EXPECT_EQ(spec.retry_after, std::chrono::seconds(7));
  EXPECT_FALSE(spec.probes);
  ASSERT_TRUE(apply_settings(spec, "reject=bounce*@*|*@gone.example"));
  EXPECT_EQ(spec.reject.size(), 2u);
  ASSERT_TRUE(apply_settings(spec, "defer=grey*@*"));
  EXPECT_EQ(spec.defer, std::vector<std::string>{"grey*@*"});
  ASSERT_TRUE(apply_settings(spec, "clear,hang"));
  EXPECT_FALSE(spec.down);
  EXPECT_TRUE(spec.hang);

  FaultSpec bad;
  EXPECT_FALSE(apply_settings(bad, "error_rate=2"));
  EXPECT_FALSE(apply_settings(bad, "error_status=42"));
  EXPECT_FALSE(apply_settings(bad, "wobble=1"));
  EXPECT_FALSE(apply_settings(bad, "down=maybe"));
}

TEST(FaultSpec, JsonSettingsAndNullDefaults) {
  FaultSpec spec;
  auto settings = boost::json::parse(
                      R"({"down": true, "latency": "5ms..9ms", "flap": {"down": "1s", "up": "2s"},
                                         "reject": ["a*@x"], "defer": ["g*@x", "h@x"], "retry_after": 3,
                                         "error_rate": 0.5})")
                      .as_object();
  ASSERT_TRUE(apply_json(spec, settings));
  EXPECT_TRUE(spec.down);
  EXPECT_EQ(spec.latency.max, milliseconds(9));
  EXPECT_EQ(spec.flap.up, milliseconds(2000));
  EXPECT_EQ(spec.retry_after, std::chrono::seconds(3));
  EXPECT_EQ(spec.reject, std::vector<std::string>{"a*@x"});
  EXPECT_EQ(spec.defer, (std::vector<std::string>{"g*@x", "h@x"}));
  EXPECT_EQ(to_json(spec).at("defer").as_array().size(), 2u);
  ASSERT_TRUE(apply_json(spec, boost::json::parse(R"({"down": null, "flap": null})").as_object()));
  EXPECT_FALSE(spec.down);
  EXPECT_FALSE(spec.flap.active());
  EXPECT_DOUBLE_EQ(spec.error_rate, 0.5);
  EXPECT_FALSE(apply_json(spec, boost::json::parse(R"({"nonsense": 1})").as_object()));

  auto json = to_json(spec);
  FaultSpec back;
  ASSERT_TRUE(apply_json(back, json));
  EXPECT_EQ(back, spec);
}

TEST(FaultState, CertainAndImpossibleRates) {
  FaultSpec spec;
  spec.error_rate = 1;
  spec.error_status = 502;
  FaultState state(spec, 42);
  for (int i = 0; i < 50; ++i) {
    auto d = state.decide(false);
    EXPECT_EQ(d.kind, FaultDecision::Kind::error);
    EXPECT_EQ(d.status, 502);
  }
  state.set(FaultSpec{});
  for (int i = 0; i < 50; ++i) EXPECT_EQ(state.decide(false).kind, FaultDecision::Kind::none);
}

TEST(FaultState, RateIsRoughlyHonoured) {
  FaultSpec spec;
  spec.throttle_rate = 0.3;
  spec.retry_after = std::chrono::seconds(4);
  FaultState state(spec, 7);
  int throttled = 0;
  for (int i = 0; i < 10000; ++i) {
    auto d = state.decide(false);
    if (d.kind == FaultDecision::Kind::throttle) {
      ++throttled;
      EXPECT_EQ(d.retry_after, std::chrono::seconds(4));
    }
  }
  EXPECT_GT(throttled, 2700);
  EXPECT_LT(throttled, 3300);
}

TEST(FaultState, OrderAndProbes) {
  FaultSpec spec;
  spec.auth_fail = true;
  spec.error_rate = 1;
  spec.latency = {milliseconds(5), milliseconds(10)};
  FaultState state(spec, 1);
  auto d = state.decide(false);
  EXPECT_EQ(d.kind, FaultDecision::Kind::auth);  // auth before the rates
  EXPECT_GE(d.latency, milliseconds(5));
  EXPECT_LE(d.latency, milliseconds(10));
  spec.hang = true;
  spec.probes = false;
  state.set(spec);
  EXPECT_EQ(state.decide(false).kind, FaultDecision::Kind::hang);
  auto probe = state.decide(true);  // sends only: probes are served normally
  EXPECT_EQ(probe.kind, FaultDecision::Kind::none);
  EXPECT_EQ(probe.latency, milliseconds(0));
}

TEST(FaultState, RejectPatterns) {
  FaultSpec spec;
  spec.reject = {"bounce*@*", "*@gone.example", "u?er@x.org"};
  FaultState state(spec, 1);
  EXPECT_TRUE(state.rejects("bounce-1@example.com"));
  EXPECT_TRUE(state.rejects("BOUNCE@EXAMPLE.COM"));
  EXPECT_TRUE(state.rejects("anyone@gone.example"));
  EXPECT_TRUE(state.rejects("user@x.org"));
  EXPECT_FALSE(state.rejects("users@x.org"));
  EXPECT_FALSE(state.rejects("ok@example.com"));
  EXPECT_FALSE(state.defers("bounce-1@example.com"));
}

TEST(Glob, EdgeCases) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(glob_match("a*b*c", "axxbyy"));
  EXPECT_TRUE(glob_match("**a", "a"));
  EXPECT_FALSE(glob_match("", "a"));
  EXPECT_FALSE(glob_match("*a*a*a*a*a*b", std::string(200, 'a')));
}

}  // namespace
}  // namespace postern::sim
