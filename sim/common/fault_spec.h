// What is wrong with one simulated service right now: the fault settings
// that both the --fault flag ("key=value,...") and the control API (JSON)
// write, through the one parser below.
#pragma once

#include <boost/json/fwd.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace postern::sim {

// A latency distribution: uniform in [min, max] ("20ms" is min == max).
struct LatencyRange {
  std::chrono::milliseconds min{0};
  std::chrono::milliseconds max{0};
  bool operator==(const LatencyRange&) const = default;
};

// "20ms", "1s", "5ms..50ms" (durations as parse_duration reads them; a bare
// number is milliseconds here, the unit latencies are thought in). "0" or ""
// is none. Errors name the offending text.
Result<LatencyRange, Problem> parse_latency(std::string_view text);
std::string format_latency(const LatencyRange& latency);

// Down for `down`, then up for `up`, repeating, starting with down.
struct FlapSchedule {
  std::chrono::milliseconds down{0};
  std::chrono::milliseconds up{0};
  bool active() const { return down.count() > 0 && up.count() > 0; }
  bool operator==(const FlapSchedule&) const = default;
};

// "2s/3s" (down/up); "" or "off" is no flapping.
Result<FlapSchedule, Problem> parse_flap(std::string_view text);
std::string format_flap(const FlapSchedule& flap);

// What happened to one accepted recipient, as the provider's webhook tells.
enum class EventOutcome { delivered, bounced, soft_bounced, complained, deferred };

struct FaultSpec {
  bool down = false;         // listening socket closed: connections are refused
  double error_rate = 0;     // share of requests answered with error_status
  int error_status = 0;      // 0: the service's usual outage status (HTTP 503, SMTP 451)
  double throttle_rate = 0;  // share of requests answered 429 (SMTP: 454)
  std::chrono::seconds retry_after{1};
  LatencyRange latency;
  bool hang = false;  // read the request, never answer
  FlapSchedule flap;
  bool auth_fail = false;  // every request refused as if the key were revoked
  bool probes = true;      // faults hit the probe endpoints too (false: sends only)
  // Recipients refused (SMTP 550 5.1.1, Postmark ErrorCode 406); globs with
  // '*' and '?', case-insensitive.
  std::vector<std::string> reject;
  // Recipients an SMTP relay defers (450 4.2.0, as greylisting does) while
  // taking the others of the transaction; globs as for reject.
  std::vector<std::string> defer;
  // What the provider's webhooks report for an accepted recipient
  // (sim/webhooks/): globs as for reject; a recipient matching none is
  // delivered. Checked in this order: complain, bounce, soft_bounce,
  // defer_event.
  std::vector<std::string> bounce;
  std::vector<std::string> soft_bounce;
  std::vector<std::string> complain;
  std::vector<std::string> defer_event;

  bool operator==(const FaultSpec&) const = default;
};

// Applies one setting. Keys: down, hang, auth_fail, probes (bool: "", "1",
// "true", "yes", "on" or "0", "false", "no", "off"), error_rate and
// throttle_rate (0..1), error_status (100..599), retry_after (duration or
// seconds), latency, flap, reject, defer, bounce, soft_bounce, complain and
// defer_event (globs separated by '|'), and "clear" (back to no faults).
Result<void, Problem> apply_setting(FaultSpec& spec, std::string_view key, std::string_view value);

// "key=value,key,..." as the --fault flag takes it (after "service:").
Result<void, Problem> apply_settings(FaultSpec& spec, std::string_view list);

// JSON object with the same keys; values may be JSON booleans, numbers,
// strings, null (the default) or, for the pattern lists, an array of strings.
Result<void, Problem> apply_json(FaultSpec& spec, const boost::json::object& settings);

boost::json::object to_json(const FaultSpec& spec);

}  // namespace postern::sim
