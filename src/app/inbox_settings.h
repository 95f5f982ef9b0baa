// The settings new test accounts are given (inbox/client_settings.h), from
// this node's configured listeners: the composition root is the one place
// that knows every module's listener options.
#pragma once

#include <cstdint>
#include <vector>

#include "app/config.h"
#include "inbox/client_settings.h"

namespace postern::app {

// The ports the servers took (serve), in the order of the configured
// listeners: config.smtp.listeners() for `smtp`.
struct BoundPorts {
  std::uint16_t http = 0;
  std::vector<std::uint16_t> smtp;
  std::uint16_t pop3 = 0;   // 0: no POP3 listener
  std::uint16_t imap = 0;   // 0: no plain IMAP listener
  std::uint16_t imaps = 0;  // 0: no implicit-TLS IMAP listener
};

// SMTP: the submission listener (STARTTLS when a certificate is set), else
// the implicit-TLS one (secure); POP3: its listener (STLS offered, so not
// `secure`), not live when pop3.listen is empty; IMAP: imap.listen
// (STARTTLS, not `secure`), else imap.tls_listen (`secure`), else the
// design's default address, not live. Without `bound` (the
// CLI) ports are as configured and every configured listener counts as live.
inbox::ClientSettings inbox_client_settings(const Config& config, const BoundPorts* bound);

}  // namespace postern::app
