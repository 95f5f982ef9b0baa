// How many attempts a provider may have in flight, Postfix style: a hard
// cap from the configuration, and below it a window that shrinks a little
// on each failure and grows back a little on each success (1/window per
// answer, so about one slot per round of answers).
#pragma once

#include <cstddef>

namespace postern::routing {

class ConcurrencyWindow {
 public:
  // cap 0: unlimited. The window opens fully at the new cap.
  void configure(std::size_t cap);

  std::size_t cap() const { return cap_; }
  // The current limit (<= cap), or 0 when unlimited.
  std::size_t limit() const;
  std::size_t in_flight() const { return in_flight_; }

  bool has_room() const { return cap_ == 0 || in_flight_ < limit(); }
  // Requires: has_room().
  void acquire() { ++in_flight_; }
  // An attempt ended; `success` says whether the provider did its job
  // (accepted, or refused the message itself), which opens the window.
  void release(bool success);

 private:
  std::size_t cap_ = 0;
  double window_ = 0;
  std::size_t in_flight_ = 0;
};

}  // namespace postern::routing
