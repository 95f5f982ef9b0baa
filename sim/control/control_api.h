// The control API under /_sim/ (JSON over HTTP, on the --control port):
// stats, received messages, faults per service and reset. Routes are listed
// in docs/simulator.md. No Asio here: changes go through ControlTarget.
#pragma once

#include "net/http_message.h"
#include "sim/control/control_target.h"

namespace postern::sim {

class ControlApi {
 public:
  explicit ControlApi(ControlTarget& target) : target_(target) {}

  // The HttpHandler of the control listener. Reads answer at once; fault
  // changes and reset answer when the control thread has applied them.
  void handle(net::HttpRequest&& request, net::Responder respond);

 private:
  net::HttpResponse stats(const net::HttpRequest& request) const;
  net::HttpResponse faults_listing() const;
  net::HttpResponse webhooks(const net::HttpRequest& request, WebhookControl& hooks);
  net::HttpResponse sns(const net::HttpRequest& request, WebhookControl& hooks);
  void faults(const net::HttpRequest& request, Service service, net::Responder respond);

  ControlTarget& target_;
};

}  // namespace postern::sim
