#include "events/webhook_sender_config.h"

#include <algorithm>
#include <array>

namespace postern::events {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Standard Webhooks' suggested schedule after the first attempt; its last
// step repeats until retry_for is spent.
constexpr std::array<std::chrono::milliseconds, 6> kBackoff = {seconds(5), minutes(5), minutes(30),
                                                               hours(2),   hours(5),   hours(10)};

}  // namespace

Result<WebhookSenderOptions, ConfigError> read_webhook_sender_config(ConfigFile& file) {
  WebhookSenderOptions o;
  auto s = file.section("webhooks");
  s.flag("enabled", o.enabled)
      .duration("timeout", o.timeout)
      .count("max_in_flight", o.max_in_flight)
      .duration("retry_for", o.retry_for)
      .duration("disable_after", o.disable_after)
      .number("backoff_scale", o.backoff_scale)
      .flag("disable_on_gone", o.disable_on_gone);
  s.check(o.timeout.count() > 0, "timeout", "must be more than 0");
  s.check(o.max_in_flight > 0, "max_in_flight", "must be at least 1");
  s.check(o.retry_for.count() > 0, "retry_for", "must be more than 0");
  s.check(o.disable_after.count() > 0, "disable_after", "must be more than 0");
  s.check(o.backoff_scale > 0 && o.backoff_scale <= 1000, "backoff_scale",
          "must be more than 0 and at most 1000");
  return file.result(std::move(o));
}

std::optional<SystemTime> webhook_retry_at(const WebhookSenderOptions& options, int attempts,
                                           SystemTime created_at, SystemTime now) {
  auto deadline = created_at + options.retry_for;
  if (now >= deadline) return std::nullopt;
  auto step = kBackoff[static_cast<std::size_t>(
      std::clamp(attempts - 1, 0, static_cast<int>(kBackoff.size()) - 1))];
  auto delay =
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double, std::milli>(
          static_cast<double>(step.count()) * options.backoff_scale));
  return std::min(now + delay, deadline);
}

}  // namespace postern::events
