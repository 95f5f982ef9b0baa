// postern-sim put together: the I/O threads, one listener per started
// service, the control listener, the ledger, and the control thread that
// applies fault changes and runs the flap schedules. Owned by main; the only
// place that names the concrete services.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "net/http_server.h"
#include "net/io_runtime.h"
#include "sim/app/options.h"
#include "sim/app/webhook_dispatcher.h"
#include "sim/common/fault_state.h"
#include "sim/common/ledger.h"
#include "sim/common/listener.h"
#include "sim/control/control_api.h"
#include "sim/control/control_target.h"

namespace postern::sim {

class Simulator final : public ControlTarget {
 public:
  // Errors (Problem): the record file cannot be opened, a listen address or
  // the TLS files are unusable.
  static Result<std::unique_ptr<Simulator>, Problem> create(SimOptions options);
  ~Simulator() override;

  // Replays the record, binds every service and the control API, then
  // applies the initial faults (a service started "down" has its port but
  // refuses connections). Errors: a bind failed.
  Result<void, Problem> start();
  // "postern-sim ready: control=127.0.0.1:40001 mailgun=127.0.0.1:40002 ..."
  std::string ready_line() const;
  // Closes every listener and stops the threads. Idempotent.
  void stop();

  // ControlTarget
  std::vector<ServiceStatus> status() const override;
  void update_faults(Service service, FaultChange change, FaultDone done) override;
  void reset(std::function<void()> done) override;
  Ledger& ledger() override { return ledger_; }
  WebhookControl* webhooks() override;

 private:
  struct Slot;         // one started service: listener, faults, flap timer
  struct ControlLoop;  // the control thread and its io_context
  Simulator(SimOptions options, std::optional<RecordFile> record);

  // Runs `work` on the control thread and waits for it.
  void run_on_control(const std::function<void()>& work);
  // Control thread only.
  Result<FaultSpec, Problem> apply(Slot& slot, FaultSpec spec);
  Result<void, Problem> reconcile(Slot& slot);
  void schedule_flap(Slot& slot, std::uint64_t generation);

  SimOptions options_;
  MetricsRegistry metrics_;
  net::IoRuntime io_;
  Ledger ledger_;
  std::unique_ptr<WebhookDispatcher> webhooks_;
  std::array<std::unique_ptr<Slot>, kServiceCount> slots_;
  ControlApi control_api_;
  std::unique_ptr<net::HttpServer> control_server_;
  std::string control_address_;
  std::unique_ptr<ControlLoop> control_;
  bool stopped_ = false;
};

}  // namespace postern::sim
