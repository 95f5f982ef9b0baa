// The simulated SMTP smarthost on its own port: one coroutine per
// connection drives a RelaySession (sans-io), does STARTTLS, and applies
// the faults to each message at the end of DATA (and, with probes, to the
// greeting: hang and latency).
#pragma once

#include <memory>
#include <string>

#include "net/io_runtime.h"
#include "net/listen_address.h"
#include "sim/common/fault_state.h"
#include "sim/common/ledger.h"
#include "sim/common/listener.h"
#include "sim/smtp/relay_session.h"

namespace postern::sim {

struct TlsFiles {
  std::string cert;  // PEM certificate chain; empty: no STARTTLS
  std::string key;   // PEM private key
};

class RelayServer final : public ServiceListener {
 public:
  // Errors: the certificate or key cannot be loaded. References must
  // outlive the server.
  static Result<std::unique_ptr<RelayServer>, Problem> create(
      net::IoRuntime& io, net::ListenAddress listen, RelaySettings settings, const TlsFiles& tls,
      FaultState& faults, Ledger& ledger, std::uint64_t seed);
  ~RelayServer() override;

  // ServiceListener
  Result<std::uint16_t, Problem> open() override;
  void close() override;
  void release_held() override {}  // a hung session ends when its client gives up
  bool is_open() const override;
  std::uint16_t port() const override;
  std::string host() const override;

  struct Impl;

 private:
  explicit RelayServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::sim
