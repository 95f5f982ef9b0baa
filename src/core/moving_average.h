// A duration's exponentially weighted moving average, for estimates that
// steer timing (how long a commit or a flush takes).
#pragma once

#include <chrono>

namespace postern {

// Moves `average` an eighth of the way to `sample`; the first sample (an
// average still zero) sets it.
template <class Duration>
void track_average(Duration& average, Duration sample) {
  average = average == Duration::zero() ? sample : average + (sample - average) / 8;
}

}  // namespace postern
