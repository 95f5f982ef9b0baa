// read_shutdown_options, drain: see shutdown.h.
#include "app/shutdown.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <ctime>

namespace postern::app {

Result<ShutdownOptions, ConfigError> read_shutdown_options(ConfigFile& file) {
  ShutdownOptions o;
  auto s = file.section("shutdown");
  s.duration("drain_grace", o.drain_grace).duration("stop_grace", o.stop_grace);
  return file.result(o);
}

void drain(const ShutdownOptions& options, const sigset_t& signals) {
  if (options.drain_grace.count() <= 0) return;
  spdlog::info("draining: /readyz answers 503 for {} ms while the node serves; then it stops",
               options.drain_grace.count());
  auto end = std::chrono::steady_clock::now() + options.drain_grace;
  for (;;) {
    auto left = end - std::chrono::steady_clock::now();
    if (left <= left.zero()) break;
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec wait{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGTERM || sig == SIGINT) {
      spdlog::info("signal {} received again: the drain ends now", sig);
      return;
    }
    // SIGHUP, EINTR, or EAGAIN at the end: the loop's clock decides.
  }
  spdlog::info("drained: stopping");
}

}  // namespace postern::app
