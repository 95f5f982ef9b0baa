// postern-sim: parses the command line, starts the simulator, prints the
// ready line tests wait for, and stops cleanly on SIGTERM or SIGINT.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>

#include "sim/app/options.h"
#include "sim/app/simulator.h"

int main(int argc, char** argv) {
  using namespace postern::sim;
  auto parsed = parse_options(argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  auto& options = std::get<SimOptions>(parsed);
  spdlog::set_level(spdlog::level::from_str(options.log_level));

  // Blocked before any thread starts, so every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto simulator = Simulator::create(std::move(options));
  if (!simulator) {
    std::fprintf(stderr, "postern-sim: %s\n", simulator.error().message.c_str());
    return 1;
  }
  if (auto started = (*simulator)->start(); !started) {
    std::fprintf(stderr, "postern-sim: %s\n", started.error().message.c_str());
    return 1;
  }
  std::fprintf(stderr, "%s\n", (*simulator)->ready_line().c_str());
  std::fflush(stderr);

  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("sim: signal {}, stopping", received);
  (*simulator)->stop();
  return 0;
}
