// A token bucket (sans-io: every call takes the time): `rate` tokens per
// second on average, up to `burst` at once. Routing gives one to each
// provider (a provider's 429 with Retry-After pauses its bucket, so that
// provider slows down and the others do not); the abuse limits one to each
// API key, client address and SMTP user (auth/rate_table.h).
#pragma once

#include "core/clock.h"

namespace postern {

class TokenBucket {
 public:
  // rate <= 0: unlimited. burst < 1 is taken as 1. Keeps the current fill
  // (capped to the new burst) so that a reload does not grant a new burst.
  void configure(double rate, double burst, SteadyTime now);

  bool limited() const { return rate_ > 0; }
  double rate() const { return rate_; }
  double burst() const { return burst_; }
  // Tokens available at `now` (burst when unlimited).
  double tokens(SteadyTime now) const;
  SteadyTime paused_until() const { return paused_until_; }

  // True when a message may go at `now` (nothing taken).
  bool ready(SteadyTime now) const;
  // Takes one token. Requires: ready(now).
  void take(SteadyTime now);
  // The earliest time ready() becomes true (now when it already is).
  SteadyTime ready_at(SteadyTime now) const;
  // Nothing goes before `until` (a provider's Retry-After). Never shortens
  // a pause already in place.
  void pause_until(SteadyTime until);

 private:
  void refill(SteadyTime now);

  double rate_ = 0;
  double burst_ = 1;
  double tokens_ = 1;
  SteadyTime updated_{};
  SteadyTime paused_until_{};
};

}  // namespace postern
