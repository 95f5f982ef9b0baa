// postern-sim's command line: which services listen where, their
// credentials and initial faults, and the ledger's settings.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/app/relay_server.h"
#include "sim/common/fault_spec.h"
#include "sim/common/service_kind.h"
#include "sim/mailgun/mailgun_service.h"
#include "sim/postmark/postmark_service.h"
#include "sim/sendgrid/sendgrid_service.h"
#include "sim/ses/ses_service.h"
#include "sim/smtp/relay_session.h"
#include "sim/webhooks/webhook_spec.h"

namespace postern::sim {

struct SimOptions {
  std::string control = "127.0.0.1:0";
  // The services to start and their "host:port"; a service not given is
  // not started.
  std::array<std::optional<std::string>, kServiceCount> listen;
  std::array<FaultSpec, kServiceCount> faults;      // as --fault set them
  std::array<WebhookSpec, kServiceCount> webhooks;  // as --webhook set them
  std::string sendgrid_webhook_key_pem;  // --sendgrid-webhook-key's file; "" generates a key
  unsigned threads = 2;
  std::string record_path;
  std::size_t capture_bytes = 64 * 1024 * 1024;
  bool hash_bodies = false;  // keep every body's SHA-256 (Ledger)
  std::uint64_t seed = 0;    // 0: from the clock
  std::string log_level = "warn";

  MailgunSettings mailgun;
  SendGridSettings sendgrid;
  SesSettings ses;
  PostmarkSettings postmark;
  RelaySettings smtp;
  TlsFiles tls;
};

// Parses argv. Returns the options, or the exit code when the program must
// stop here (0 after --help, 1 after an error already printed to stderr).
std::variant<SimOptions, int> parse_options(int argc, char** argv);

}  // namespace postern::sim
