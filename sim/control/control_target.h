// What the control API may ask of the simulator: the services' state, fault
// changes and reset. Implemented by Simulator, which runs every change on
// its control thread; faked in unit tests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "sim/common/fault_spec.h"
#include "sim/common/ledger.h"
#include "sim/common/service_kind.h"
#include "sim/webhooks/webhook_control.h"

namespace postern::sim {

struct ServiceStatus {
  Service service = Service::mailgun;
  std::string host;
  std::uint16_t port = 0;
  bool listening = false;
  FaultSpec faults;
};

class ControlTarget {
 public:
  virtual ~ControlTarget() = default;

  // The started services. Thread-safe.
  virtual std::vector<ServiceStatus> status() const = 0;

  using FaultChange = std::function<Result<FaultSpec, Problem>(const FaultSpec& current)>;
  using FaultDone = std::function<void(Result<FaultSpec, Problem>)>;
  // Applies change(current) to a started service (opening or closing its
  // listener, starting or stopping a flap schedule) and calls `done` with
  // the new spec, or with why not (unknown service, bad setting, bind
  // failure). Asynchronous: `done` runs on the control thread.
  virtual void update_faults(Service service, FaultChange change, FaultDone done) = 0;

  // Empties the ledger and puts every service's faults back as the command
  // line set them. Asynchronous like update_faults.
  virtual void reset(std::function<void()> done) = 0;

  virtual Ledger& ledger() = 0;

  // The event webhooks the services send; nullptr when there are none
  // (unit tests).
  virtual WebhookControl* webhooks() { return nullptr; }
};

}  // namespace postern::sim
