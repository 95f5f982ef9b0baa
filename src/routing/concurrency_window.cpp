#include "routing/concurrency_window.h"

#include <algorithm>

namespace postern::routing {

void ConcurrencyWindow::configure(std::size_t cap) {
  cap_ = cap;
  window_ = static_cast<double>(cap);
}

std::size_t ConcurrencyWindow::limit() const {
  if (cap_ == 0) return 0;
  return std::max<std::size_t>(1, static_cast<std::size_t>(window_));
}

void ConcurrencyWindow::release(bool success) {
  if (in_flight_ > 0) --in_flight_;
  if (cap_ == 0) return;
  double step = 1.0 / std::max(1.0, window_);
  window_ = std::clamp(window_ + (success ? step : -step), 1.0, static_cast<double>(cap_));
}

}  // namespace postern::routing
